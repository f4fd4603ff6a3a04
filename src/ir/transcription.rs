//! The transcription phenomena of TEI's "Representation of Primary Sources" and "Critical
//! Apparatus" chapters: editorial alternatives (`choice` with `sic`/`corr`, `orig`/`reg`,
//! `abbr`/`expan` and `ex`), additions, deletions and substitutions, line beginnings,
//! words, glyphs, numbers, names, and critical readings (`app`, `lem`, `rdg`).
//!
//! The IR keeps every reading the source gives, and every attribute that changes what a
//! reader of the text sees; how they are shown (a reading text, a diplomatic text, Leiden
//! conventions) is the writers' business, by the style's [`Convention`].

use serde::{Deserialize, Serialize};

use super::Inline;

/// What a stretch of text is, editorially (the TEI element that marks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    /// As the source has it, though apparently wrong (TEI `sic`).
    Sic,
    /// The editor's correction (TEI `corr`).
    Corr,
    /// The source's original form (TEI `orig`).
    Orig,
    /// The editor's regularised form (TEI `reg`).
    Reg,
    /// An abbreviation as written (TEI `abbr`).
    Abbr,
    /// An abbreviation expanded (TEI `expan`).
    Expan,
    /// Letters the editor added to expand an abbreviation (TEI `ex`).
    Ex,
    /// An abbreviation marker, such as a stroke or a suspension sign (TEI `am`).
    Am,
    /// One possible reading of text the editor could not read with certainty (TEI
    /// `unclear` inside `choice`).
    Unclear,
    /// One possible supplement (TEI `supplied` inside `choice`).
    Supplied,
    /// Any other alternative, such as a segmentation (TEI `seg` inside `choice`).
    Seg,
}

impl EditKind {
    /// Returns the TEI element name.
    pub fn tei_name(self) -> &'static str {
        match self {
            EditKind::Sic => "sic",
            EditKind::Corr => "corr",
            EditKind::Orig => "orig",
            EditKind::Reg => "reg",
            EditKind::Abbr => "abbr",
            EditKind::Expan => "expan",
            EditKind::Ex => "ex",
            EditKind::Am => "am",
            EditKind::Unclear => "unclear",
            EditKind::Supplied => "supplied",
            EditKind::Seg => "seg",
        }
    }

    /// Returns the kind a TEI element name marks, if it is one of them.
    pub fn from_tei_name(name: &str) -> Option<EditKind> {
        Some(match name {
            "sic" => EditKind::Sic,
            "corr" => EditKind::Corr,
            "orig" => EditKind::Orig,
            "reg" => EditKind::Reg,
            "abbr" => EditKind::Abbr,
            "expan" => EditKind::Expan,
            "ex" => EditKind::Ex,
            "am" => EditKind::Am,
            "unclear" => EditKind::Unclear,
            "supplied" => EditKind::Supplied,
            "seg" => EditKind::Seg,
            _ => return None,
        })
    }
}

/// A stretch of text with its editorial kind: standing alone (an `expan` with its `ex`,
/// a lone `sic`) or as one alternative of a [`Inline::Choice`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Edited {
    /// What the text is.
    pub kind: EditKind,
    /// The text.
    pub content: Vec<Inline>,
}

/// An addition or a deletion in the source (TEI `add`, `del`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Where it is written: `above`, `below`, `margin`, `inline`, … (TEI `@place`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// The hand that made it, usually a pointer such as `#h2` (TEI `@hand`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hand: Option<String>,
    /// How it is marked: `strikethrough`, `overwritten`, `erased`, … (TEI `@rend`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rend: Option<String>,
    /// The added or deleted text.
    pub content: Vec<Inline>,
}

/// One part of a substitution (TEI `subst`), in the source's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SubstPart {
    /// The text put in.
    Add(Change),
    /// The text taken out.
    Del(Change),
}

impl SubstPart {
    /// Returns the change, whichever part it is.
    pub fn change(&self) -> &Change {
        match self {
            SubstPart::Add(c) | SubstPart::Del(c) => c,
        }
    }

    /// Returns the change for changing it.
    pub fn change_mut(&mut self) -> &mut Change {
        match self {
            SubstPart::Add(c) | SubstPart::Del(c) => c,
        }
    }
}

/// The beginning of a line in the source (TEI `lb` with `@n` or `@break`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct LineBegin {
    /// The line's number or label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    /// Whether the line boundary also separates words (TEI `@break`): `no` joins the
    /// word around it; `yes` and `maybe` are the other suggested values.
    #[serde(rename = "break", default, skip_serializing_if = "Option::is_none")]
    pub word_break: Option<String>,
}

impl LineBegin {
    /// Tells whether the boundary falls inside a word (`break="no"`).
    pub fn inside_word(&self) -> bool {
        self.word_break.as_deref() == Some("no")
    }
}

/// A reading of a critical apparatus entry (TEI `lem` or `rdg`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Reading {
    /// The witnesses that have it: pointers such as `#A #B` (TEI `@wit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wit: Option<String>,
    /// The reading; empty when the witnesses omit the text.
    pub content: Vec<Inline>,
}

/// A critical apparatus entry (TEI `app`): the lemma and the variant readings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct App {
    /// The reading the edition follows (TEI `lem`), if the entry names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lem: Option<Reading>,
    /// The other readings (TEI `rdg`), in order.
    pub rdgs: Vec<Reading>,
}

/// A witness to the text (TEI `listWit/witness`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(deny_unknown_fields)]
pub struct Witness {
    /// The siglum that readings point to (the witness's `xml:id`).
    pub id: String,
    /// Its description, as one line.
    pub desc: String,
}

/// How transcription markup is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// A reading text: corrections, regularisations, expansions and additions in the
    /// text, deletions out of it; the other alternatives in editorial notes.
    Reading,
    /// A diplomatic text: the source's forms (sic, orig, abbr), deletions struck
    /// through, additions superscript.
    Diplomatic,
    /// The Leiden conventions of epigraphy: `[supplied]`, `man(ibus)`, `⟦deleted⟧`,
    /// `\added/`, `ạ` for unclear letters, `|` at line ends, `[- - -]` for lost text.
    Leiden,
}
