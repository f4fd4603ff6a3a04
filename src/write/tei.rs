//! The TEI P5 backend: one `<TEI>` document valid against `tei_all`, read back to the
//! same IR by [`crate::read::tei`].
//!
//! # Mapping
//!
//! | IR | TEI |
//! |----|-----|
//! | `meta.title`, `subtitle`, `authors` | `titleStmt/title`, `title[@type="sub"]`, `author` |
//! | `publisher`, `identifier`, `licence` | `publicationStmt/publisher`, `idno`, `availability/licence` |
//! | `source.bibl` (the colophon) | `sourceDesc/bibl` |
//! | `date` | `profileDesc/creation/date` |
//! | `extra` (key → value) | `notesStmt/note[@type="meta"][@n=key]` |
//! | `lang` | `TEI/@xml:lang` |
//! | flat headings with levels | nested `div`s with `head`; a skipped level gets a `div` without `head`; two headings in a row at one level share a `div` (two `head`s) |
//! | a heading inside a quote, list item, note or speech | `ab[@type="heading"][@n=level]` |
//! | paragraph, stage, quote, verse | `p`, `stage`, `quote`, `lg/l` |
//! | speech | `sp[@who]` with `speaker` (a speech within a speech in `quote[@type="speech"]`) |
//! | list | `list[@rend="numbered"|"bulleted"]`, the start number as the first `item/@n` |
//! | verbatim | `ab[@type="verbatim"]/code[@lang][@xml:space="preserve"]` |
//! | table | `table/row[@role="label"]/cell` |
//! | thematic / page break | `milestone[@unit="section"][@type="thematic-break"]` / `milestone[@unit="page"][@type="page-break"]` |
//! | emph, strong, small caps, sup, sub, hi | `emph`, `hi[@rend="bold"|"smallcaps"|"superscript"|"subscript"]`, `hi[@rend]` |
//! | code, foreign, link, image | `code`, `foreign[@xml:lang]`, `ref[@target]`, `graphic[@url]/desc` |
//! | unclear, supplied | `unclear[@reason]`, `supplied[@reason]` |
//! | incident by kind | `incident`, `kinesic`, `vocal`, with `@type` = category and `desc` |
//! | line break, milestone | `lb`, `pb` (unit `page`) or `milestone[@unit]`, with `@n` and `@break` |
//! | choice, lone editorial text | `choice` with `sic`, `corr`, `orig`, `reg`, `abbr`, `expan`, `ex`, `am`, `unclear`, `supplied`, `seg` |
//! | add, del, subst | `add`, `del` with `@place`, `@hand`, `@rend`; `subst` around them |
//! | line beginning | `lb[@n][@break]` |
//! | word, glyph, number, name | `w[@lemma]`, `g[@ref]`, `num[@value]`, `name[@type][@ref]` |
//! | apparatus entry | `app` with `lem` and `rdg[@wit]`; `meta.witnesses` in `sourceDesc/listWit` |
//! | `meta.convention` | `editorialDecl/p[@n="transcription"]` |
//!
//! # Lacunae and notes
//!
//! A lacuna is an empty `<gap reason="…" rend="…"/>`: `@rend` holds the lacuna as printed in
//! the source (`....`), `@quantity`/`@unit`/`@extent` its size. Its editorial note is tied to
//! it twice over: the gap points to the note with `@corresp="#e1"`, and the note itself,
//! `<note xml:id="e1" type="editorial" place="foot" n="1">`, follows the gap immediately
//! (TEI's inline note placement: a note stands where it is called). Author footnotes are
//! `<note type="author" place="foot">` at their call. A note called a second time is called
//! with `<ptr target="#id"/>`; notes never called stand in `<back>`.
//!
//! Header strings, incident descriptions and image descriptions whose white space readers
//! would collapse (double or edge spaces, line ends) get `xml:space="preserve"`.
//!
//! Values that no TEI attribute can hold (an empty `@rend`, a reason with control
//! characters, a note id that is not an XML name) are left out with a warning; characters
//! XML 1.0 forbids are replaced by U+FFFD with a warning.

mod transcription;

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;

use super::{WriteContext, WriteResult};
use crate::diag::Warning;
use crate::ir::{Block, Document, Gap, Incident, IncidentKind, Inline, Note, NoteId};

/// The TEI namespace.
pub const TEI_NS: &str = "http://www.tei-c.org/ns/1.0";

/// Writes `doc` as a TEI P5 document.
pub fn write(doc: &Document, _ctx: &WriteContext<'_>, out: &mut dyn Write) -> WriteResult {
    let mut w = TeiWriter::new(doc);
    w.document();
    out.write_all(&w.xml.into_inner())?;
    Ok(w.warnings)
}

type Attrs<'s> = Vec<(&'static str, Cow<'s, str>)>;

struct TeiWriter<'d> {
    doc: &'d Document,
    xml: quick_xml::Writer<Vec<u8>>,
    /// Open block elements, each with whether it has block children yet (for indentation).
    open: Vec<bool>,
    /// Above zero inside mixed content, where whitespace would be text.
    inline: usize,
    /// Whether blocks are being written directly into an `sp`.
    in_sp: bool,
    /// The `xml:id`s written so far.
    ids: BTreeSet<String>,
    /// Which of `doc.notes` have been written.
    written: Vec<bool>,
    /// The index in `doc.notes` of the first note with each id.
    index: HashMap<&'d NoteId, usize>,
    warnings: Vec<Warning>,
    warned: BTreeSet<String>,
}

impl<'d> TeiWriter<'d> {
    fn new(doc: &'d Document) -> Self {
        TeiWriter {
            doc,
            xml: quick_xml::Writer::new(Vec::new()),
            open: Vec::new(),
            inline: 0,
            in_sp: false,
            ids: BTreeSet::new(),
            written: vec![false; doc.notes.len()],
            index: doc
                .notes
                .iter()
                .enumerate()
                .rev()
                .map(|(i, n)| (&n.id, i))
                .collect(),
            warnings: Vec::new(),
            warned: BTreeSet::new(),
        }
    }

    fn warn(&mut self, message: String) {
        if self.warned.insert(message.clone()) {
            self.warnings.push(Warning::general(message));
        }
    }

    // ----- low-level output -------------------------------------------------------------

    fn event(&mut self, e: Event<'_>) {
        // Writing into a Vec<u8> cannot fail.
        let _ = self.xml.write_event(e);
    }

    fn raw(&mut self, s: &str) {
        let _ = self.xml.get_mut().write_all(s.as_bytes());
    }

    fn newline(&mut self) {
        if self.inline == 0 {
            let indent = "  ".repeat(self.open.len());
            self.raw(&format!("\n{indent}"));
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &Attrs<'_>) -> BytesStart<'static> {
        let mut start = BytesStart::new(name.to_owned());
        for (key, value) in attrs {
            let value = self.attr_value(value);
            start.push_attribute(Attribute {
                key: QName(key),
                value: Cow::Owned(value),
            });
        }
        start
    }

    /// Opens an element whose children are blocks (indented, one per line).
    fn open_block(&mut self, name: &str, attrs: Attrs<'_>) {
        if let Some(has) = self.open.last_mut() {
            *has = true;
        }
        self.newline();
        let start = self.start_tag(name, &attrs);
        self.event(Event::Start(start));
        self.open.push(false);
    }

    fn close_block(&mut self, name: &str) {
        let had_children = self.open.pop().unwrap_or(false);
        if had_children {
            self.newline();
        }
        self.event(Event::End(BytesEnd::new(name.to_owned())));
    }

    /// Writes an element with mixed content on one line.
    fn line(&mut self, name: &str, attrs: Attrs<'_>, content: &[Inline]) {
        if let Some(has) = self.open.last_mut() {
            *has = true;
        }
        self.newline();
        self.inline_element(name, attrs, content);
    }

    /// Writes an empty element on a line of its own (or inline inside mixed content).
    fn empty_block(&mut self, name: &str, attrs: Attrs<'_>) {
        if let Some(has) = self.open.last_mut() {
            *has = true;
        }
        self.newline();
        let start = self.start_tag(name, &attrs);
        self.event(Event::Empty(start));
    }

    fn inline_element(&mut self, name: &str, attrs: Attrs<'_>, content: &[Inline]) {
        let start = self.start_tag(name, &attrs);
        if content.is_empty() {
            self.event(Event::Empty(start));
            return;
        }
        self.event(Event::Start(start));
        self.inline += 1;
        self.inlines(content);
        self.inline -= 1;
        self.event(Event::End(BytesEnd::new(name.to_owned())));
    }

    fn empty(&mut self, name: &str, attrs: Attrs<'_>) {
        let start = self.start_tag(name, &attrs);
        self.event(Event::Empty(start));
    }

    fn text(&mut self, s: &str) {
        let clean = self.xml_chars(s);
        let mut escaped = String::with_capacity(clean.len());
        for c in clean.chars() {
            match c {
                '&' => escaped.push_str("&amp;"),
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                // A literal CR would be turned into LF by every XML parser.
                '\r' => escaped.push_str("&#13;"),
                c => escaped.push(c),
            }
        }
        self.event(Event::Text(BytesText::from_escaped(escaped)));
    }

    /// Escapes an attribute value so that a parser gives back exactly `s`: besides the
    /// markup characters, tab and line ends are written as references because attribute
    /// value normalisation would turn them into spaces.
    fn attr_value(&mut self, s: &str) -> String {
        let clean = self.xml_chars(s);
        let mut escaped = String::with_capacity(clean.len());
        for c in clean.chars() {
            match c {
                '&' => escaped.push_str("&amp;"),
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                '"' => escaped.push_str("&quot;"),
                '\t' => escaped.push_str("&#9;"),
                '\n' => escaped.push_str("&#10;"),
                '\r' => escaped.push_str("&#13;"),
                c => escaped.push(c),
            }
        }
        escaped
    }

    /// Replaces characters XML 1.0 cannot carry, not even as references.
    fn xml_chars<'s>(&mut self, s: &'s str) -> Cow<'s, str> {
        if s.chars().all(is_xml_char) {
            return Cow::Borrowed(s);
        }
        self.warn("characters not allowed in XML 1.0 were replaced by U+FFFD".to_owned());
        Cow::Owned(
            s.chars()
                .map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }

    // ----- the document -----------------------------------------------------------------

    fn document(&mut self) {
        let _ = self
            .xml
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        let lang = self.doc.meta.lang.clone();
        self.open_block(
            "TEI",
            vec![("xmlns", TEI_NS.into()), ("xml:lang", lang.into())],
        );
        self.header();
        self.open_block("text", vec![]);
        self.body();
        self.back();
        self.close_block("text");
        self.close_block("TEI");
        self.raw("\n");
    }

    fn header(&mut self) {
        let meta = &self.doc.meta;
        self.open_block("teiHeader", vec![]);
        self.open_block("fileDesc", vec![]);

        self.open_block("titleStmt", vec![]);
        let title = meta.title.as_deref().unwrap_or("");
        self.text_line("title", vec![], title);
        if let Some(sub) = &meta.subtitle {
            self.text_line("title", vec![("type", "sub".into())], sub);
        }
        for author in &meta.authors {
            self.text_line("author", vec![], author);
        }
        self.close_block("titleStmt");

        self.open_block("publicationStmt", vec![]);
        if meta.publisher.is_some() || meta.identifier.is_some() || meta.licence.is_some() {
            // An idno or availability must follow a publisher (or another agency).
            self.text_line("publisher", vec![], meta.publisher.as_deref().unwrap_or(""));
            if let Some(id) = &meta.identifier {
                self.text_line("idno", vec![], id);
            }
            if let Some(licence) = &meta.licence {
                self.open_block("availability", vec![]);
                self.text_line("licence", vec![], licence);
                self.close_block("availability");
            }
        } else {
            self.text_line("p", vec![], "Unpublished.");
        }
        self.close_block("publicationStmt");

        if !meta.extra.is_empty() {
            self.open_block("notesStmt", vec![]);
            for (key, value) in &meta.extra {
                self.text_line(
                    "note",
                    vec![("type", "meta".into()), ("n", key.as_str().into())],
                    value,
                );
            }
            self.close_block("notesStmt");
        }

        self.open_block("sourceDesc", vec![]);
        match &meta.source {
            Some(source) => self.text_line("bibl", vec![], &source.bibl),
            // An empty <p/> says "no source description" and reads back as none; it
            // cannot stand beside a listWit, which says as much.
            None if meta.witnesses.is_empty() => self.empty_block("p", vec![]),
            None => {}
        }
        self.list_wit(&meta.witnesses);
        self.close_block("sourceDesc");
        self.close_block("fileDesc");

        self.open_block("encodingDesc", vec![]);
        self.open_block("appInfo", vec![]);
        self.open_block(
            "application",
            vec![
                ("ident", "lacuna".into()),
                ("version", env!("CARGO_PKG_VERSION").into()),
            ],
        );
        self.text_line("label", vec![], "lacuna");
        self.close_block("application");
        self.close_block("appInfo");
        self.open_block("editorialDecl", vec![]);
        self.text_line(
            "p",
            vec![],
            "Lacunae are encoded as gap elements whose @rend gives the lacuna as printed; \
             the editorial note on a lacuna follows its gap, which points to it with @corresp.",
        );
        if let Some(convention) = meta.convention {
            let name = match convention {
                crate::ir::Convention::Reading => "reading",
                crate::ir::Convention::Diplomatic => "diplomatic",
                crate::ir::Convention::Leiden => "leiden",
            };
            self.text_line("p", vec![("n", "transcription".into())], name);
        }
        self.close_block("editorialDecl");
        self.close_block("encodingDesc");

        if let Some(date) = &meta.date {
            self.open_block("profileDesc", vec![]);
            self.open_block("creation", vec![]);
            self.text_line("date", vec![], date);
            self.close_block("creation");
            self.close_block("profileDesc");
        }
        self.close_block("teiHeader");
    }

    /// Writes an element holding a plain string; `xml:space="preserve"` keeps white space
    /// that readers would otherwise collapse.
    fn text_line(&mut self, name: &str, mut attrs: Attrs<'_>, text: &str) {
        preserve_space(&mut attrs, text);
        if text.is_empty() {
            self.empty_block(name, attrs);
        } else {
            self.line(name, attrs, &[Inline::Text(text.to_owned())]);
        }
    }

    /// Writes the body, turning flat headings into nested divisions.
    fn body(&mut self) {
        let doc = self.doc;
        self.open_block("body", vec![]);
        // Levels of the open divisions, innermost last.
        let mut divs: Vec<u8> = Vec::new();
        // Whether the innermost division holds nothing but its head(s) so far.
        let mut only_heads = false;
        for block in &doc.body {
            let Block::Heading { level, content, id } = block else {
                self.block(block);
                only_heads = false;
                continue;
            };
            let level = if *level == 0 {
                self.warn("a heading of level 0 was written as level 1".to_owned());
                1
            } else {
                *level
            };
            if !(only_heads && divs.last() == Some(&level)) {
                while divs.last().is_some_and(|&l| l >= level) {
                    divs.pop();
                    self.close_block("div");
                }
                let from = divs.last().map_or(1, |l| l + 1);
                for l in from..=level {
                    self.open_block("div", vec![]);
                    divs.push(l);
                }
            }
            let attrs = self.id_attr(id.as_deref());
            self.line("head", attrs, content);
            only_heads = true;
        }
        for _ in divs {
            self.close_block("div");
        }
        // A body needs more than milestones; an empty div adds nothing on reading.
        if doc
            .body
            .iter()
            .all(|b| matches!(b, Block::ThematicBreak | Block::PageBreak))
        {
            self.empty_block("div", vec![]);
        }
        self.close_block("body");
    }

    /// Writes the notes no body text calls.
    fn back(&mut self) {
        let uncalled: Vec<usize> = (0..self.doc.notes.len())
            .filter(|&i| !self.written[i])
            .collect();
        if uncalled.is_empty() {
            return;
        }
        self.open_block("back", vec![]);
        for i in uncalled {
            if !self.written[i] {
                self.note(i, true);
            }
        }
        self.close_block("back");
    }

    fn id_attr(&mut self, id: Option<&str>) -> Attrs<'static> {
        match id {
            Some(id) if is_ncname(id) && self.ids.insert(id.to_owned()) => {
                vec![("xml:id", id.to_owned().into())]
            }
            Some(id) if is_ncname(id) => {
                self.warn(format!("id {id:?} is used twice: left out the second time"));
                vec![]
            }
            Some(id) => {
                self.warn(format!("id {id:?} is not an XML name: left out"));
                vec![]
            }
            None => vec![],
        }
    }

    /// Writes blocks into a container other than a speech.
    fn blocks(&mut self, blocks: &[Block]) {
        let in_sp = std::mem::replace(&mut self.in_sp, false);
        for b in blocks {
            self.block(b);
        }
        self.in_sp = in_sp;
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level, content, id } => {
                // Only reached outside body and divs (see `body`): no division to open.
                let mut attrs: Attrs<'_> =
                    vec![("type", "heading".into()), ("n", level.to_string().into())];
                attrs.extend(self.id_attr(id.as_deref()));
                self.line("ab", attrs, content);
            }
            Block::Paragraph(content) => self.line("p", vec![], content),
            Block::Speech {
                who,
                speaker,
                blocks,
            } => {
                // A speech cannot stand directly in a speech; a quotation can, and a
                // speech can stand in it. The reader unwraps this quotation again.
                let nested = self.in_sp;
                if nested {
                    self.open_block("quote", vec![("type", "speech".into())]);
                }
                let attrs = self.token_attr("who", who.as_deref(), "speaker reference");
                self.open_block("sp", attrs);
                if let Some(speaker) = speaker {
                    self.line("speaker", vec![], speaker);
                }
                self.in_sp = true;
                for b in blocks {
                    self.block(b);
                }
                self.in_sp = nested;
                self.close_block("sp");
                if nested {
                    self.close_block("quote");
                }
            }
            Block::Stage(content) => self.line("stage", vec![], content),
            Block::Quote(blocks) => {
                self.open_block("quote", vec![]);
                self.blocks(blocks);
                self.close_block("quote");
            }
            Block::Verse(lines) => {
                self.open_block("lg", vec![]);
                if lines.is_empty() {
                    self.warn("verse without lines was given one empty line".to_owned());
                    self.empty_block("l", vec![]);
                }
                for l in lines {
                    self.line("l", vec![], l);
                }
                self.close_block("lg");
            }
            Block::List {
                ordered,
                start,
                items,
            } => {
                let rend = if *ordered { "numbered" } else { "bulleted" };
                self.open_block("list", vec![("rend", rend.into())]);
                if items.is_empty() {
                    self.warn("list without items was given one empty item".to_owned());
                    self.empty_block("item", vec![]);
                }
                for (i, item) in items.iter().enumerate() {
                    let attrs: Attrs<'_> = match start {
                        Some(n) if i == 0 => vec![("n", n.to_string().into())],
                        _ => vec![],
                    };
                    if item.is_empty() {
                        self.empty_block("item", attrs);
                        continue;
                    }
                    self.open_block("item", attrs);
                    self.blocks(item);
                    self.close_block("item");
                }
                self.close_block("list");
            }
            Block::Verbatim { lang, text } => {
                if let Some(has) = self.open.last_mut() {
                    *has = true;
                }
                self.newline();
                let ab = self.start_tag("ab", &vec![("type", "verbatim".into())]);
                self.event(Event::Start(ab));
                let mut attrs = self.token_attr("lang", lang.as_deref(), "code language");
                attrs.push(("xml:space", "preserve".into()));
                self.inline += 1;
                self.code(text, attrs);
                self.inline -= 1;
                self.event(Event::End(BytesEnd::new("ab")));
            }
            Block::Table(rows) => {
                self.open_block("table", vec![]);
                if rows.is_empty() {
                    self.warn("table without rows was given one empty cell".to_owned());
                    self.open_block("row", vec![]);
                    self.empty_block("cell", vec![]);
                    self.close_block("row");
                }
                for row in rows {
                    let attrs: Attrs<'_> = if row.header {
                        vec![("role", "label".into())]
                    } else {
                        vec![]
                    };
                    self.open_block("row", attrs);
                    if row.cells.is_empty() {
                        self.warn("table row without cells was given one empty cell".to_owned());
                        self.empty_block("cell", vec![]);
                    }
                    for cell in &row.cells {
                        self.line("cell", vec![], cell);
                    }
                    self.close_block("row");
                }
                self.close_block("table");
            }
            Block::ThematicBreak => self.empty_block(
                "milestone",
                vec![
                    ("unit", "section".into()),
                    ("type", "thematic-break".into()),
                ],
            ),
            Block::PageBreak => self.empty_block(
                "milestone",
                vec![("unit", "page".into()), ("type", "page-break".into())],
            ),
        }
    }

    /// Returns `name="value"` when `value` is a valid list of TEI tokens; warns otherwise.
    fn token_attr<'s>(
        &mut self,
        name: &'static str,
        value: Option<&'s str>,
        what: &str,
    ) -> Attrs<'s> {
        match value {
            Some(v) if is_token_list(v) => vec![(name, v.into())],
            Some(v) => {
                self.warn(format!("{what} {v:?} cannot be a TEI @{name}: left out"));
                vec![]
            }
            None => vec![],
        }
    }

    fn code(&mut self, text: &str, attrs: Attrs<'_>) {
        let start = self.start_tag("code", &attrs);
        if text.is_empty() {
            self.event(Event::Empty(start));
        } else {
            self.event(Event::Start(start));
            self.text(text);
            self.event(Event::End(BytesEnd::new("code")));
        }
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            self.inline(inline);
        }
    }

    fn hi(&mut self, rend: &str, content: &[Inline]) {
        self.inline_element("hi", vec![("rend", rend.to_owned().into())], content);
    }

    fn inline(&mut self, inline: &Inline) {
        if self.transcription(inline) {
            return;
        }
        match inline {
            Inline::Text(t) => self.text(t),
            Inline::Emph(c) => self.inline_element("emph", vec![], c),
            Inline::Strong(c) => self.hi("bold", c),
            Inline::SmallCaps(c) => self.hi("smallcaps", c),
            Inline::Sup(c) => self.hi("superscript", c),
            Inline::Sub(c) => self.hi("subscript", c),
            Inline::Hi { rend, content } => {
                let attrs = if rend.is_empty() {
                    vec![]
                } else {
                    self.token_attr("rend", Some(rend), "rendition")
                };
                self.inline_element("hi", attrs, content);
            }
            Inline::Code(text) => self.code(text, vec![]),
            Inline::Foreign { lang, content } => {
                self.inline_element("foreign", vec![("xml:lang", lang.as_str().into())], content)
            }
            Inline::NoteRef(id) => self.note_call(id),
            Inline::Gap(gap) => self.gap(gap),
            Inline::Unclear { reason, content } => {
                let attrs = self.token_attr("reason", reason.as_deref(), "reason");
                self.inline_element("unclear", attrs, content);
            }
            Inline::Supplied { reason, content } => {
                let attrs = self.token_attr("reason", reason.as_deref(), "reason");
                self.inline_element("supplied", attrs, content);
            }
            Inline::Incident(incident) => self.incident(incident),
            Inline::Link { target, content } => {
                let attrs = self.pointer_attr("target", target);
                self.inline_element("ref", attrs, content);
            }
            Inline::Image { src, alt } => {
                let attrs = self.pointer_attr("url", src);
                let start = self.start_tag("graphic", &attrs);
                if alt.is_empty() {
                    self.event(Event::Empty(start));
                } else {
                    self.event(Event::Start(start));
                    let mut attrs = Vec::new();
                    preserve_space(&mut attrs, alt);
                    self.inline_element("desc", attrs, &[Inline::Text(alt.clone())]);
                    self.event(Event::End(BytesEnd::new("graphic")));
                }
            }
            Inline::LineBreak => self.empty("lb", vec![]),
            // Written by `transcription` above.
            Inline::Choice(_)
            | Inline::Edited(_)
            | Inline::Add(_)
            | Inline::Del(_)
            | Inline::Subst(_)
            | Inline::LineBegin(_)
            | Inline::Word { .. }
            | Inline::Glyph { .. }
            | Inline::Num { .. }
            | Inline::Name { .. }
            | Inline::App(_) => {}
            Inline::Milestone {
                unit,
                n,
                word_break,
            } => {
                let mut attrs: Attrs<'_> = Vec::new();
                let name = if unit == "page" {
                    "pb"
                } else {
                    attrs = self.token_attr("unit", Some(unit), "milestone unit");
                    if attrs.is_empty() {
                        attrs.push(("unit", "unknown".into()));
                    }
                    "milestone"
                };
                if let Some(n) = n {
                    attrs.push(("n", n.as_str().into()));
                }
                attrs.extend(self.token_attr("break", word_break.as_deref(), "page break"));
                self.empty(name, attrs);
            }
        }
    }

    /// Returns a pointer attribute; TEI pointers cannot be empty or contain spaces.
    fn pointer_attr<'s>(&mut self, name: &'static str, value: &'s str) -> Attrs<'s> {
        if !value.is_empty() && !value.chars().any(char::is_whitespace) {
            return vec![(name, value.into())];
        }
        self.warn(format!(
            "{value:?} is not a valid URI for @{name}: spaces encoded as %20"
        ));
        let encoded: String = value
            .chars()
            .map(|c| {
                if c.is_whitespace() {
                    "%20".to_owned()
                } else {
                    c.to_string()
                }
            })
            .collect();
        if encoded.is_empty() {
            vec![]
        } else {
            vec![(name, encoded.into())]
        }
    }

    fn incident(&mut self, incident: &Incident) {
        let name = match incident.kind {
            IncidentKind::Incident => "incident",
            IncidentKind::Kinesic => "kinesic",
            IncidentKind::Vocal => "vocal",
        };
        let attrs = self.token_attr("type", incident.category.as_deref(), "incident category");
        let start = self.start_tag(name, &attrs);
        self.event(Event::Start(start));
        let mut desc_attrs = Vec::new();
        preserve_space(&mut desc_attrs, &incident.desc);
        self.inline_element("desc", desc_attrs, &text_inlines(&incident.desc));
        self.event(Event::End(BytesEnd::new(name.to_owned())));
    }

    fn gap(&mut self, gap: &Gap) {
        let mut attrs: Attrs<'_> = Vec::new();
        let reason = gap.reason.as_str();
        if !reason.is_empty() {
            attrs.extend(self.token_attr("reason", Some(reason), "gap reason"));
        }
        if let Some(extent) = &gap.extent {
            if let Some(q) = extent.quantity {
                attrs.push(("quantity", q.to_string().into()));
            }
            attrs.extend(self.token_attr("unit", extent.unit.as_deref(), "gap unit"));
            if let Some(d) = &extent.description {
                attrs.push(("extent", d.as_str().into()));
            }
        }
        if !gap.shown.is_empty() {
            attrs.extend(self.token_attr("rend", Some(&gap.shown), "lacuna as printed"));
        }
        if let Some(id) = &gap.note {
            attrs.push(("corresp", format!("#{id}").into()));
        }
        self.empty("gap", attrs);
        if let Some(id) = &gap.note
            && let Some(i) = self.unwritten(id)
        {
            self.note(i, false);
        }
    }

    fn unwritten(&self, id: &NoteId) -> Option<usize> {
        self.index.get(id).copied().filter(|&i| !self.written[i])
    }

    fn note_call(&mut self, id: &NoteId) {
        match self.unwritten(id) {
            Some(i) => self.note(i, false),
            None => {
                let target = format!("#{id}");
                self.empty("ptr", vec![("target", target.into())]);
            }
        }
    }

    /// Writes note `i`: at its call (inline) or in `back` (as a block).
    fn note(&mut self, i: usize, block: bool) {
        self.written[i] = true;
        let note: &Note = &self.doc.notes[i];
        let mut attrs = self.id_attr(Some(note.id.as_str()));
        attrs.push(("type", note.series.as_str().into()));
        attrs.push(("place", "foot".into()));
        attrs.push(("n", note.n.as_str().into()));
        attrs.extend(self.pointer_list_attr("resp", note.resp.as_deref()));
        if block {
            self.open_block("note", attrs);
            self.blocks(&note.content);
            self.close_block("note");
            return;
        }
        let start = self.start_tag("note", &attrs);
        if note.content.is_empty() {
            self.event(Event::Empty(start));
            return;
        }
        self.event(Event::Start(start));
        self.inline += 1;
        self.blocks(&note.content);
        self.inline -= 1;
        self.event(Event::End(BytesEnd::new("note")));
    }

    fn pointer_list_attr<'s>(&mut self, name: &'static str, value: Option<&'s str>) -> Attrs<'s> {
        match value {
            Some(v) if !v.trim().is_empty() => vec![(name, v.into())],
            Some(v) => {
                self.warn(format!("{v:?} cannot be a TEI @{name}: left out"));
                vec![]
            }
            None => vec![],
        }
    }
}

/// Adds `xml:space="preserve"` when `text` is not in the form readers normalise text to
/// (single spaces, none at either end).
fn preserve_space(attrs: &mut Attrs<'_>, text: &str) {
    let normal = text.is_empty()
        || (!text.contains(['\t', '\n', '\r']) && text.split(' ').all(|w| !w.is_empty()));
    if !normal && !attrs.iter().any(|(k, _)| *k == "xml:space") {
        attrs.push(("xml:space", "preserve".into()));
    }
}

fn text_inlines(s: &str) -> Vec<Inline> {
    if s.is_empty() {
        Vec::new()
    } else {
        vec![Inline::Text(s.to_owned())]
    }
}

/// Tells whether XML 1.0 allows `c` in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Tells whether `s` is a TEI `teidata.word`: no white space, separators or control or
/// format characters (the schema's pattern `[^\p{C}\p{Z}]+`).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && !s.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '\u{AD}' | '\u{600}'..='\u{605}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{E000}'..='\u{F8FF}' | '\u{FFF9}'..='\u{FFFB}')
                || ('\u{F0000}'..).contains(&c)
        })
}

/// Tells whether `s` is a valid list of TEI tokens, split at XML white space.
fn is_token_list(s: &str) -> bool {
    let mut tokens = s
        .split([' ', '\t', '\n', '\r'])
        .filter(|t| !t.is_empty())
        .peekable();
    tokens.peek().is_some() && tokens.all(is_token)
}

/// Tells whether `s` is an XML NCName (an approximation that accepts Unicode letters).
pub(crate) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '\u{B7}'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{GapReason, Meta, NoteSeries, SourceDesc};
    use crate::style::Style;

    fn tei(doc: &Document) -> String {
        let style = Style::default();
        let ctx = WriteContext {
            style: &style,
            timestamp: 0,
            base_dir: None,
        };
        let mut out = Vec::new();
        write(doc, &ctx, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_gap_then_its_note() {
        let doc = Document {
            meta: Meta {
                title: Some("T & <U>".into()),
                source: Some(SourceDesc {
                    bibl: "First \"published\"".into(),
                }),
                ..Meta::default()
            },
            body: vec![Block::Paragraph(vec![
                Inline::Text("a".into()),
                Inline::Gap(Gap {
                    reason: GapReason::Omitted,
                    extent: None,
                    shown: "....".into(),
                    note: Some(NoteId("e1".into())),
                }),
            ])],
            notes: vec![Note {
                id: NoteId("e1".into()),
                series: NoteSeries::Editorial,
                n: "1".into(),
                content: vec![Block::Paragraph(vec![Inline::Text("Omitted.".into())])],
                resp: None,
            }],
        };
        let xml = tei(&doc);
        assert!(xml.contains(
            r##"<p>a<gap reason="omitted" rend="...." corresp="#e1"/><note xml:id="e1" type="editorial" place="foot" n="1"><p>Omitted.</p></note></p>"##
        ), "{xml}");
        assert!(xml.contains("<title>T &amp; &lt;U&gt;</title>"));
        assert!(xml.contains("<bibl>First \"published\"</bibl>"));
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TEI xmlns=\"http://www.tei-c.org/ns/1.0\" xml:lang=\"en\">"));
    }

    #[test]
    fn nests_divisions_by_level() {
        let h = |level, t: &str| Block::Heading {
            level,
            content: vec![Inline::Text(t.into())],
            id: None,
        };
        let p = || Block::Paragraph(vec![Inline::Text("x".into())]);
        let doc = Document {
            body: vec![h(1, "A"), p(), h(3, "B"), p(), h(1, "C"), h(1, "D"), p()],
            ..Document::default()
        };
        let xml = tei(&doc);
        let body: String = xml
            .split("<body>")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .collect();
        assert_eq!(
            body,
            "<div><head>A</head><p>x</p><div><div><head>B</head><p>x</p></div></div></div>\
             <div><head>C</head><head>D</head><p>x</p></div></body></text></TEI>"
        );
    }

    #[test]
    fn escapes_attributes_and_forbidden_characters() {
        let doc = Document {
            body: vec![Block::Paragraph(vec![Inline::Link {
                target: "a\"b&c<".into(),
                content: vec![Inline::Text("x\u{1}\r".into())],
            }])],
            ..Document::default()
        };
        let style = Style::default();
        let ctx = WriteContext {
            style: &style,
            timestamp: 0,
            base_dir: None,
        };
        let mut out = Vec::new();
        let warnings = write(&doc, &ctx, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(
            xml.contains(
                r#"<ref target="a&quot;b&amp;c&lt;">x&#xFFFD;&#13;</ref>"#
                    .replace("&#xFFFD;", "\u{FFFD}")
                    .as_str()
            ),
            "{xml}"
        );
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn warns_about_what_tei_cannot_hold() {
        let h = |level, id: &str| Block::Heading {
            level,
            content: vec![],
            id: Some(id.into()),
        };
        let doc = Document {
            body: vec![
                h(0, "x"),
                h(1, "x"),
                h(1, "not a name"),
                Block::Paragraph(vec![Inline::Gap(Gap {
                    reason: GapReason::Other("a\u{A0}b".into()),
                    extent: None,
                    shown: String::new(),
                    note: None,
                })]),
            ],
            ..Document::default()
        };
        let style = Style::default();
        let ctx = WriteContext {
            style: &style,
            timestamp: 0,
            base_dir: None,
        };
        let mut out = Vec::new();
        let warnings = write(&doc, &ctx, &mut out).unwrap();
        let messages: Vec<String> = warnings.iter().map(|w| w.message.clone()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].contains("level 0"));
        assert!(messages[1].contains("used twice"));
        assert!(messages[2].contains("not an XML name"));
        assert!(messages[3].contains("gap reason"));
        let xml = String::from_utf8(out).unwrap();
        assert_eq!(xml.matches("xml:id=\"x\"").count(), 1);
        assert!(xml.contains("<gap/>"));
    }

    #[test]
    fn token_rules_follow_the_schema() {
        assert!(is_token("...."));
        assert!(!is_token("a\u{A0}b"));
        assert!(!is_token(""));
        assert!(is_token_list(" a  b "));
        assert!(!is_token_list("  "));
        assert!(is_ncname("e1"));
        assert!(!is_ncname("1e"));
        assert!(!is_ncname("a b"));
    }
}
