//! The intermediate representation every reader produces and every writer consumes.
//!
//! The IR is a closed set of types: adding a variant makes the compiler list every
//! writer that must learn it. Text is stored normalised — no no-break spaces between
//! ordinary words, no hard wraps, no line-end hyphens from the source — but nothing a
//! reader saw is dropped silently: what it changed on purpose is either representable
//! here or reported as a warning.
//!
//! Serialised with serde (externally tagged, `snake_case`), the IR is lacuna's JSON
//! format: `lacuna input.txt --json -o -` prints it.

mod text;
mod transcription;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use text::{blocks_text, inline_text, is_blank};
pub use transcription::{
    App, Change, Convention, EditKind, Edited, LineBegin, Reading, SubstPart, Witness,
};

/// A whole document: metadata, body and the notes its body refers to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Title, authors, language, source description and the like.
    pub meta: Meta,
    /// The running text, in reading order.
    pub body: Vec<Block>,
    /// Every note referenced from the body, ordered by series, then number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

/// Bibliographic and descriptive metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// The document's title, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A subtitle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Authors, in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// The main language as a BCP 47 tag, e.g. `en`, `en-GB`, `ru`.
    pub lang: String,
    /// Date of the text (free form, ideally ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Where the text comes from: the colophon of a transcript, a TEI `sourceDesc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceDesc>,
    /// A stable identifier (URN, DOI, URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// The publisher of this edition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// The licence of this edition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// Metadata with no field of its own, kept so that nothing is lost.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
    /// The witnesses a critical text's readings cite (TEI `listWit`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub witnesses: Vec<Witness>,
    /// How the source asks its transcription to be shown, when it does (an EpiDoc
    /// edition: Leiden); the style may choose otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convention: Option<Convention>,
}

impl Default for Meta {
    fn default() -> Self {
        Meta {
            title: None,
            subtitle: None,
            authors: Vec::new(),
            lang: "en".to_owned(),
            date: None,
            source: None,
            identifier: None,
            publisher: None,
            licence: None,
            extra: BTreeMap::new(),
            witnesses: Vec::new(),
            convention: None,
        }
    }
}

/// A description of the source a text was taken from (TEI `sourceDesc/bibl`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct SourceDesc {
    /// The bibliographic description as one line of prose,
    /// e.g. "First published in 1934 in the book …".
    pub bibl: String,
}

/// A block-level element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// A section heading. Sections are implied: a heading opens a section that runs
    /// to the next heading of the same or a higher level.
    Heading {
        /// 1 for a top-level section (chapter), 2 for its subsections, …
        level: u8,
        /// The heading text.
        content: Vec<Inline>,
        /// A stable anchor, if the source gave one (an XML NCName).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// A paragraph of running text.
    Paragraph(Vec<Inline>),
    /// A speech: one speaker's contribution (TEI `sp`, or `u` in spoken corpora).
    Speech {
        /// A reference to the speaker (TEI `@who`, e.g. `#Lenin`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        who: Option<String>,
        /// The speaker's label as printed (TEI `speaker`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        speaker: Option<Vec<Inline>>,
        /// What was said.
        blocks: Vec<Block>,
    },
    /// A block-level stage direction or description of an event.
    Stage(Vec<Inline>),
    /// A block quotation.
    Quote(Vec<Block>),
    /// Verse: one entry per line.
    Verse(Vec<Vec<Inline>>),
    /// A list; each item is a sequence of blocks.
    List {
        /// Numbered (`true`) or bulleted.
        ordered: bool,
        /// The first number of an ordered list, when not 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<u64>,
        /// The items.
        items: Vec<Vec<Block>>,
    },
    /// Verbatim text (code, a transcription to keep exactly as written).
    Verbatim {
        /// The language or notation, if known (e.g. `rust`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
        /// The text, line breaks included.
        text: String,
    },
    /// A table of rows of cells.
    Table(Vec<TableRow>),
    /// A thematic break (an ornament or a blank line between scenes).
    ThematicBreak,
    /// A forced page break.
    PageBreak,
}

/// One row of a [`Block::Table`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct TableRow {
    /// Whether this is a header row.
    #[serde(default, skip_serializing_if = "is_false")]
    pub header: bool,
    /// The cells, left to right.
    pub cells: Vec<Vec<Inline>>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// An inline element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Inline {
    /// Plain text. Never contains a line feed; spaces are single U+0020 except
    /// where a typographic no-break space (U+00A0) is intended.
    Text(String),
    /// Emphasis, usually italic (TEI `hi rend="italic"` / `emph`).
    Emph(Vec<Inline>),
    /// Strong emphasis, usually bold (TEI `hi rend="bold"`).
    Strong(Vec<Inline>),
    /// Small capitals.
    SmallCaps(Vec<Inline>),
    /// Superscript.
    Sup(Vec<Inline>),
    /// Subscript.
    Sub(Vec<Inline>),
    /// Highlighting with a rendition that has no variant of its own (TEI `hi rend`).
    Hi {
        /// The TEI rendition, e.g. `underline`, `spaced`.
        rend: String,
        /// The highlighted content.
        content: Vec<Inline>,
    },
    /// Inline code or other verbatim text.
    Code(String),
    /// Text in another language (TEI `foreign xml:lang`).
    Foreign {
        /// BCP 47 language tag.
        lang: String,
        /// The foreign-language content.
        content: Vec<Inline>,
    },
    /// A call of a note in [`Document::notes`].
    NoteRef(NoteId),
    /// A lacuna: text missing from the source (TEI `gap`).
    Gap(Gap),
    /// Text the editor could not read with certainty (TEI `unclear`).
    Unclear {
        /// Why it is unclear, e.g. `damage`, `illegible`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The uncertain reading.
        content: Vec<Inline>,
    },
    /// Text supplied by the editor (TEI `supplied`).
    Supplied {
        /// Why it was supplied, e.g. `lost`, `omitted`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The supplied text.
        content: Vec<Inline>,
    },
    /// A non-verbal event such as an audience reaction: "(Applause.)".
    Incident(Incident),
    /// A hyperlink.
    Link {
        /// The URL or `#id` it points to.
        target: String,
        /// The link text.
        content: Vec<Inline>,
    },
    /// An image, shown inline or as a figure.
    Image {
        /// Path or URL of the image file.
        src: String,
        /// Alternative text.
        alt: String,
    },
    /// A forced line break within a block (TEI `lb`).
    LineBreak,
    /// A boundary in the source that is not a break here, e.g. a source page
    /// (TEI `pb` for `unit = "page"`, `milestone` otherwise).
    Milestone {
        /// The kind of boundary: `page`, `column`, `folio`, …
        unit: String,
        /// Its number or label in the source.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        n: Option<String>,
        /// Whether the boundary also separates words (TEI `@break`; `no` for a page
        /// turned inside a word).
        #[serde(rename = "break", default, skip_serializing_if = "Option::is_none")]
        word_break: Option<String>,
    },
    /// Alternative encodings of one stretch of text, at least two (TEI `choice`).
    Choice(Vec<Edited>),
    /// Text with an editorial kind standing alone (TEI `expan` with its `ex`, a `sic`).
    Edited(Edited),
    /// Text added in the source (TEI `add`).
    Add(Change),
    /// Text deleted in the source (TEI `del`).
    Del(Change),
    /// Deletions and additions that belong together (TEI `subst`).
    Subst(Vec<SubstPart>),
    /// A numbered line beginning in the source, or one inside a word (TEI `lb` with
    /// `@n` or `@break`); a bare `lb` is a [`Inline::LineBreak`].
    LineBegin(LineBegin),
    /// A word (TEI `w`).
    Word {
        /// Its lemma (TEI `@lemma`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lemma: Option<String>,
        /// The word as written.
        content: Vec<Inline>,
    },
    /// A non-standard character or glyph (TEI `g`).
    Glyph {
        /// The glyph's definition, usually a pointer such as `#stop` (TEI `@ref`).
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        glyph_ref: Option<String>,
        /// The character that stands for it here; empty when the source gives none.
        text: String,
    },
    /// A number (TEI `num`).
    Num {
        /// Its value, as TEI's `@value` writes it (e.g. `1.5`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<String>,
        /// The number as written.
        content: Vec<Inline>,
    },
    /// A name (TEI `name`).
    Name {
        /// What it names: `person`, `place`, … (TEI `@type`).
        #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
        kind: Option<String>,
        /// What it refers to (TEI `@ref`).
        #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
        name_ref: Option<String>,
        /// The name as written.
        content: Vec<Inline>,
    },
    /// A critical apparatus entry (TEI `app`).
    App(App),
}

impl Inline {
    /// Returns the inline content this element wraps (emphasis, links, editorial
    /// markup…), or `None` for leaves such as text, gaps and note calls.
    pub fn children(&self) -> Option<&[Inline]> {
        match self {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::SmallCaps(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::Hi { content: c, .. }
            | Inline::Foreign { content: c, .. }
            | Inline::Unclear { content: c, .. }
            | Inline::Supplied { content: c, .. }
            | Inline::Link { content: c, .. }
            | Inline::Edited(Edited { content: c, .. })
            | Inline::Add(Change { content: c, .. })
            | Inline::Del(Change { content: c, .. })
            | Inline::Word { content: c, .. }
            | Inline::Num { content: c, .. }
            | Inline::Name { content: c, .. } => Some(c),
            Inline::Text(_)
            | Inline::Code(_)
            | Inline::NoteRef(_)
            | Inline::Gap(_)
            | Inline::Incident(_)
            | Inline::Image { .. }
            | Inline::LineBreak
            | Inline::Milestone { .. }
            | Inline::Choice(_)
            | Inline::Subst(_)
            | Inline::LineBegin(_)
            | Inline::Glyph { .. }
            | Inline::App(_) => None,
        }
    }

    /// Returns the wrapped inline content for changing it; see [`Inline::children`].
    pub fn children_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match self {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::SmallCaps(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::Hi { content: c, .. }
            | Inline::Foreign { content: c, .. }
            | Inline::Unclear { content: c, .. }
            | Inline::Supplied { content: c, .. }
            | Inline::Link { content: c, .. }
            | Inline::Edited(Edited { content: c, .. })
            | Inline::Add(Change { content: c, .. })
            | Inline::Del(Change { content: c, .. })
            | Inline::Word { content: c, .. }
            | Inline::Num { content: c, .. }
            | Inline::Name { content: c, .. } => Some(c),
            Inline::Text(_)
            | Inline::Code(_)
            | Inline::NoteRef(_)
            | Inline::Gap(_)
            | Inline::Incident(_)
            | Inline::Image { .. }
            | Inline::LineBreak
            | Inline::Milestone { .. }
            | Inline::Choice(_)
            | Inline::Subst(_)
            | Inline::LineBegin(_)
            | Inline::Glyph { .. }
            | Inline::App(_) => None,
        }
    }

    /// Returns every list of inline content this element holds: its children, or each
    /// alternative of a choice, each part of a substitution, each reading of an
    /// apparatus entry. Empty for leaves.
    pub fn contents(&self) -> Vec<&[Inline]> {
        match self {
            Inline::Choice(alts) => alts.iter().map(|a| a.content.as_slice()).collect(),
            Inline::Subst(parts) => parts
                .iter()
                .map(|p| p.change().content.as_slice())
                .collect(),
            Inline::App(app) => app
                .lem
                .iter()
                .chain(&app.rdgs)
                .map(|r| r.content.as_slice())
                .collect(),
            other => other.children().into_iter().collect(),
        }
    }

    /// Returns every list of inline content for changing it; see [`Inline::contents`].
    pub fn contents_mut(&mut self) -> Vec<&mut Vec<Inline>> {
        match self {
            Inline::Choice(alts) => alts.iter_mut().map(|a| &mut a.content).collect(),
            Inline::Subst(parts) => parts
                .iter_mut()
                .map(|p| &mut p.change_mut().content)
                .collect(),
            Inline::App(app) => app
                .lem
                .iter_mut()
                .chain(&mut app.rdgs)
                .map(|r| &mut r.content)
                .collect(),
            other => other.children_mut().into_iter().collect(),
        }
    }
}

/// A lacuna (TEI `gap`): text that the source does not give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// Why the text is missing.
    pub reason: GapReason,
    /// How much is missing, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extent: Option<Extent>,
    /// The lacuna as printed in the source, e.g. `....` or `[…]`; empty when the source
    /// shows nothing.
    pub shown: String,
    /// The editorial note explaining the lacuna.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<NoteId>,
}

/// The size of a lacuna (TEI `@quantity`, `@unit`, `@extent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Extent {
    /// A count of units, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u64>,
    /// The unit counted: `character`, `word`, `line`, `page`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// A description of the extent in words, e.g. `unknown`, `several lines`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Why text is missing (TEI `gap/@reason`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(from = "String", into = "String")]
pub enum GapReason {
    /// Left out by the transcriber or editor (the minutes' `....`).
    Omitted,
    /// Present but unreadable.
    Illegible,
    /// Physically lost (damage to the carrier).
    Lost,
    /// Not audible in a recording.
    Inaudible,
    /// Any other reason, as given by the source.
    Other(String),
}

impl GapReason {
    /// Returns the reason as TEI writes it in `@reason`.
    pub fn as_str(&self) -> &str {
        match self {
            GapReason::Omitted => "omitted",
            GapReason::Illegible => "illegible",
            GapReason::Lost => "lost",
            GapReason::Inaudible => "inaudible",
            GapReason::Other(s) => s,
        }
    }
}

impl From<String> for GapReason {
    fn from(s: String) -> Self {
        match s.as_str() {
            "omitted" => GapReason::Omitted,
            "illegible" => GapReason::Illegible,
            "lost" => GapReason::Lost,
            "inaudible" => GapReason::Inaudible,
            _ => GapReason::Other(s),
        }
    }
}

impl From<GapReason> for String {
    fn from(r: GapReason) -> Self {
        r.as_str().to_owned()
    }
}

impl fmt::Display for GapReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-verbal event (TEI `incident`, `kinesic`, `vocal`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// Which TEI element family the event belongs to.
    #[serde(default, skip_serializing_if = "IncidentKind::is_incident")]
    pub kind: IncidentKind,
    /// A classification such as `applause` or `laughter` (TEI `@type`), if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The description as printed without its brackets, e.g. `Applause.`.
    /// Writers that show incidents in running text put it in parentheses.
    pub desc: String,
}

/// The TEI element an [`Incident`] maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// Any event not otherwise covered (TEI `incident`).
    #[default]
    Incident,
    /// A communicative gesture or sound made with the body, such as applause (TEI `kinesic`).
    Kinesic,
    /// A vocalised but not lexical sound, such as laughter (TEI `vocal`).
    Vocal,
}

impl IncidentKind {
    fn is_incident(&self) -> bool {
        *self == IncidentKind::Incident
    }
}

/// The identifier of a note, unique within a document and a valid XML NCName
/// (it becomes an `xml:id` in TEI and an `id` in XHTML).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(transparent)]
pub struct NoteId(pub String);

impl NoteId {
    /// Returns the id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NoteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A note: an editor's explanation of a lacuna, or an author's footnote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The id that [`Inline::NoteRef`] and [`Gap::note`] refer to.
    pub id: NoteId,
    /// The series the note is numbered in.
    pub series: NoteSeries,
    /// The number or mark printed at the call and before the note.
    pub n: String,
    /// The note's text.
    pub content: Vec<Block>,
    /// Who is responsible for the note, if not the author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resp: Option<String>,
}

/// A numbering series of notes; each series counts from 1 on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum NoteSeries {
    /// The author's own footnotes.
    Author,
    /// Notes by the editor, e.g. on lacunae (TEI `note type="editorial"`).
    Editorial,
}

impl NoteSeries {
    /// Returns the series name as TEI's `note/@type` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteSeries::Author => "author",
            NoteSeries::Editorial => "editorial",
        }
    }
}

impl Document {
    /// Finds a note by id.
    pub fn note(&self, id: &NoteId) -> Option<&Note> {
        self.notes.iter().find(|n| &n.id == id)
    }
}
