//! The TEI P5 reader: lacuna's own TEI back to the identical IR, and TEI from elsewhere —
//! sample texts, spoken and parliamentary corpora (`u`, `kinesic`, `vocal`, `incident`),
//! EpiDoc inscriptions (`gap`, `supplied`, `unclear`, `lb`) — to the nearest IR.
//!
//! Parsing is done in two steps: quick-xml builds a small element tree (with byte offsets
//! for messages), then the tree is mapped to the IR. Elements with no IR equivalent keep
//! their text, with one warning per element name at its first occurrence.
//!
//! # Mapping TEI from elsewhere
//!
//! - `div` nesting gives heading levels; a `head` of a list, table or stanza is a
//!   paragraph (a caption), not a section; a division's `xml:id` names its heading.
//! - Inline content standing loose between blocks becomes a paragraph; a run of nothing
//!   but notes and events (`note`, `incident`, `kinesic`, `vocal`) between blocks becomes
//!   stage directions — a transcriber's comments in spoken corpora — except notes in
//!   `back` or with `@place` or `xml:id`, which are notes without a call.
//! - `u` is a speech (`@who`), its `seg`s paragraphs; `sp` a speech with its `speaker`.
//! - `pb`, `cb`, `milestone` between blocks open the next paragraph or heading.
//! - Lists, tables and verse inside a `p` split it into several blocks.
//! - Transcription markup (`choice`, `add`/`del`/`subst`, `lb`/`pb` with `@n` and
//!   `@break`, `w`, `g`, `num`, `name`, `app`) maps to the IR's transcription variants
//!   (see `tei/transcription.rs`); `@break="no"` joins the word around the break.
//! - `gap` gives the reason, `@quantity`/`@unit`/`@extent`, and shows `@rend` or its `desc`.
//! - A block or phrase whose `xml:lang` differs from the document's is `Foreign` text.
//! - Header: title (main, sub), authors, publisher (or distributor, authority), `idno`,
//!   licence, `sourceDesc` (a `bibl`, its `p`s, or a structured description flattened),
//!   `creation/date`; editors, place and date of publication and `notesStmt` notes go to
//!   `meta.extra`.
//!
//! # Safety
//!
//! - A `<!DOCTYPE>` is read as a hardened XML parser reads it (see `tei/doctype.rs`): no DTD or
//!   other resource is ever fetched, parameter entities and other declarations are
//!   skipped with a warning, internal text entities are expanded within a budget for the
//!   whole document (billion laughs and quadratic blow-up are errors after a megabyte),
//!   and a reference to an external entity (`SYSTEM "file:///etc/passwd"`) is an error.
//! - Elements nest at most [`MAX_DEPTH`] deep, so that the tree and the recursive mapping
//!   stay within a thread's stack.
//! - Malformed XML is a [`ParseError`] with line and column.
//!
//! # Whitespace
//!
//! Text in blocks is normalised as TEI processors do: each run of XML white space (space,
//! tab, line ends) becomes one space, also across element boundaries, and blocks are
//! trimmed at both ends. No-break spaces are not white space in XML and are kept. Code
//! (`code`, `eg`) keeps its text as is, and so do header fields and descriptions marked
//! `xml:space="preserve"`. Every element that is not text (a note call, a gap, an empty
//! element) counts as a non-space, so that the spaces around it stay as written.

mod doctype;
mod transcription;

use std::collections::{BTreeSet, HashSet};

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::{ReadOptions, ReadResult};
use crate::diag::{ParseError, Pos, Warned, Warning};
use crate::ir::{
    Block, Document, Extent, Gap, GapReason, Incident, IncidentKind, Inline, Meta, Note, NoteId,
    NoteSeries, SourceDesc, TableRow,
};

/// How deep elements may nest before the input is refused.
pub const MAX_DEPTH: usize = 256;

const TEI_NS: &str = "http://www.tei-c.org/ns/1.0";

/// Parses a TEI document into the IR.
pub fn read(text: &str, options: &ReadOptions) -> ReadResult {
    let lines = LineIndex::new(text);
    let mut warnings = Vec::new();
    let tree = parse(text, &lines, &mut warnings)?;
    let root = &tree.root;
    let root_pos = lines.pos(root.offset);
    if root.local != "TEI" && root.local != "teiCorpus" {
        return Err(ParseError::new(
            root_pos,
            format!(
                "not a TEI document: the root element is <{}>, expected <TEI> in namespace {TEI_NS}",
                root.qname
            ),
        ));
    }
    match &root.ns {
        Ns::Tei => {}
        Ns::None => warnings.push(Warning::at(
            root_pos,
            format!(
                "<{}> is in no namespace; read as TEI (xmlns=\"{TEI_NS}\")",
                root.local
            ),
        )),
        Ns::Other(ns) => {
            return Err(ParseError::new(
                root_pos,
                format!(
                    "not a TEI document: <{}> is in namespace {ns}, not the TEI namespace {TEI_NS}",
                    root.local
                ),
            ));
        }
    }
    let mut m = Mapper {
        lines: &lines,
        warnings,
        warned: BTreeSet::new(),
        notes: Vec::new(),
        series_counts: [0; 2],
        ids: tree.ids,
        div_depth: 0,
        div_id: None,
        doc_lang: String::new(),
        langs: Vec::new(),
        lenient: matches!(root.ns, Ns::None),
    };
    let mut meta = Meta {
        lang: root
            .attr("xml:lang")
            .or_else(|| {
                root.elements()
                    .find(|e| e.local == "text")
                    .and_then(|t| t.attr("xml:lang"))
            })
            .map(str::to_owned)
            .unwrap_or_else(|| options.lang.clone()),
        ..Meta::default()
    };
    if let Some(header) = m.child(root, "teiHeader") {
        m.header(header, &mut meta);
    } else {
        m.warnings
            .push(Warning::at(root_pos, "the TEI document has no teiHeader"));
    }
    m.doc_lang = meta.lang.clone();
    let mut body = Vec::new();
    m.texts(root, &mut body);
    if meta.convention.is_none() && m.has_edition(root) {
        meta.convention = Some(crate::ir::Convention::Leiden);
    }
    m.fix_pointers(&mut body);
    let mut notes = std::mem::take(&mut m.notes);
    // Notes are ordered by series, then number (the IR's convention).
    notes.sort_by_key(|a| (a.series, n_key(&a.n)));
    let doc = Document { meta, body, notes };
    let mut warnings = m.warnings;
    warnings.extend(crate::transform::check_notes(&doc));
    warnings.extend(super::controls::scan_text(text));
    Ok(Warned::new(doc, warnings))
}

/// Sorts note numbers numerically when they are numbers.
fn n_key(n: &str) -> (u64, String) {
    (n.parse().unwrap_or(u64::MAX), n.to_owned())
}

// ----- positions -------------------------------------------------------------------------

/// Converts byte offsets to line and column, by binary search over line starts.
struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Pos::new(line as u32, col as u32 + 1)
    }
}

// ----- the element tree ------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Ns {
    Tei,
    None,
    Other(String),
}

#[derive(Debug)]
struct El {
    /// The local name.
    local: String,
    /// The name as written, prefix included.
    qname: String,
    ns: Ns,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    /// Byte offset of the `<`.
    offset: usize,
}

#[derive(Debug)]
enum Node {
    El(El),
    Text(String),
}

impl El {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn elements(&self) -> impl Iterator<Item = &El> {
        self.children.iter().filter_map(|n| match n {
            Node::El(e) => Some(e),
            Node::Text(_) => None,
        })
    }
}

struct Tree {
    root: El,
    /// Every `xml:id` in the document, so generated note ids avoid them.
    ids: HashSet<String>,
}

fn parse(
    text: &str,
    lines: &LineIndex<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Tree, ParseError> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<El> = Vec::new();
    let mut root: Option<El> = None;
    let mut ids = HashSet::new();
    let mut dtd = doctype::Doctype::default();
    let err = |offset: usize, message: String| ParseError::new(lines.pos(offset), message);
    loop {
        let before = reader.buffer_position() as usize;
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ns, event)) => (resolve(ns), event),
            Err(e) => {
                return Err(err(
                    reader.error_position() as usize,
                    format!("malformed XML: {e}"),
                ));
            }
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() && stack.is_empty() {
                    return Err(err(before, "malformed XML: a second root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(err(
                        before,
                        format!("elements nest more than {MAX_DEPTH} deep: refused"),
                    ));
                }
                let ns = ns.map_err(|prefix| {
                    err(
                        before,
                        format!("malformed XML: unknown namespace prefix {prefix:?}"),
                    )
                })?;
                let el = element(start, ns, before, &dtd).map_err(|m| err(before, m))?;
                if let Some(id) = el.attr("xml:id") {
                    ids.insert(id.to_owned());
                }
                if matches!(event, Event::Empty(_)) {
                    attach(&mut stack, &mut root, el);
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                if let Some(el) = stack.pop() {
                    attach(&mut stack, &mut root, el);
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content(), before, &err)?,
            Event::CData(t) => push_text(&mut stack, &t.xml10_content(), before, &err)?,
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) if is_xml_char(c) => c.to_string(),
                    Ok(Some(c)) => {
                        return Err(err(
                            before,
                            format!(
                                "malformed XML: character U+{:04X} is not allowed in XML",
                                c as u32
                            ),
                        ));
                    }
                    Err(e) => return Err(err(before, format!("malformed XML: {e}"))),
                    Ok(None) => match &*r {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "apos" => "'".into(),
                        "quot" => "\"".into(),
                        name => dtd.expand(name, before).map_err(|(at, m)| err(at, m))?,
                    },
                };
                push_text(&mut stack, &c, before, &err)?;
            }
            Event::DocType(d) => {
                let content: &str = d.as_ref();
                // The content follows `<!DOCTYPE` (which quick-xml accepts in any case).
                let base = if text
                    .get(before..before + 9)
                    .is_some_and(|s| s.eq_ignore_ascii_case("<!DOCTYPE"))
                {
                    before + 9
                } else {
                    before
                };
                dtd = doctype::Doctype::parse(content, base).map_err(|(at, m)| err(at, m))?;
                for (at, message) in &dtd.skipped {
                    warnings.push(Warning::at(lines.pos(*at), message.clone()));
                }
            }
            Event::Eof => break,
            Event::Decl(decl) => {
                if let Some(Ok(enc)) = decl.encoding()
                    && !enc.eq_ignore_ascii_case("utf-8")
                {
                    warnings.push(Warning::at(
                        lines.pos(before),
                        format!("the XML declaration says encoding {enc:?}; read as UTF-8"),
                    ));
                }
            }
            Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(err(
            text.len(),
            format!(
                "malformed XML: unexpected end of file, <{}> opened at {} is not closed",
                open.qname,
                lines.pos(open.offset)
            ),
        ));
    }
    let root = root.ok_or_else(|| err(0, "malformed XML: no root element".into()))?;
    Ok(Tree { root, ids })
}

fn resolve(ns: ResolveResult<'_>) -> Result<Ns, String> {
    match ns {
        ResolveResult::Bound(ns) => {
            let uri: &str = ns.as_ref();
            Ok(if uri == TEI_NS {
                Ns::Tei
            } else {
                Ns::Other(uri.to_owned())
            })
        }
        ResolveResult::Unbound => Ok(Ns::None),
        ResolveResult::Unknown(prefix) => Err(prefix),
    }
}

fn element(
    start: &BytesStart<'_>,
    ns: Ns,
    offset: usize,
    dtd: &doctype::Doctype,
) -> Result<El, String> {
    let qname = start.name().as_ref().to_owned();
    let local = start.local_name().as_ref().to_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr =
            attr.map_err(|e| format!("malformed XML in the attributes of <{qname}>: {e}"))?;
        let key = attr.key.as_ref().to_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attr
            .normalized_value_with(XmlVersion::Implicit1_0, doctype::MAX_ENTITY_DEPTH, |name| {
                dtd.resolve_for_attribute(name)
            })
            .map_err(|e| attribute_error(&key, e, dtd))?;
        attrs.push((key, value.into_owned()));
    }
    Ok(El {
        local,
        qname,
        ns,
        attrs,
        children: Vec::new(),
        offset,
    })
}

/// Explains why an attribute value could not be normalised, entity by entity.
fn attribute_error(key: &str, e: quick_xml::Error, dtd: &doctype::Doctype) -> String {
    use quick_xml::escape::EscapeError;
    match &e {
        quick_xml::Error::Escape(EscapeError::TooManyNestedEntities) => format!(
            "attribute {key} nests entities more than {} deep: refused (entity expansion attack?)",
            doctype::MAX_ENTITY_DEPTH
        ),
        _ if dtd.exhausted() => format!(
            "attribute {key} expands more than {} bytes of entity text: refused (entity \
             expansion attack?)",
            doctype::MAX_EXPANSION
        ),
        // Expanding it as text gives the reason (external, markup, undeclared).
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
            match dtd.expand(name, 0) {
                Err((_, why)) => format!("in attribute {key}: {why}"),
                Ok(_) => format!("malformed XML in attribute {key}: {e}"),
            }
        }
        _ => format!("malformed XML in attribute {key}: {e}"),
    }
}

fn attach(stack: &mut [El], root: &mut Option<El>, el: El) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::El(el)),
        None => *root = Some(el),
    }
}

fn push_text(
    stack: &mut [El],
    s: &str,
    offset: usize,
    err: &dyn Fn(usize, String) -> ParseError,
) -> Result<(), ParseError> {
    if let Some(bad) = s.chars().find(|&c| !is_xml_char(c)) {
        return Err(err(
            offset,
            format!(
                "malformed XML: character U+{:04X} is not allowed in XML",
                bad as u32
            ),
        ));
    }
    match stack.last_mut() {
        Some(parent) => match parent.children.last_mut() {
            Some(Node::Text(t)) => t.push_str(s),
            _ => parent.children.push(Node::Text(s.to_owned())),
        },
        None if s.chars().all(is_xml_space) => {}
        None => {
            return Err(err(
                offset,
                "malformed XML: text outside the root element".into(),
            ));
        }
    }
    Ok(())
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

// ----- mapping to the IR -----------------------------------------------------------------

struct Mapper<'a> {
    lines: &'a LineIndex<'a>,
    warnings: Vec<Warning>,
    /// Element names already warned about.
    warned: BTreeSet<String>,
    notes: Vec<Note>,
    /// How many notes of each series `notes` holds (author, editorial): counting them
    /// at every note made a document of many notes quadratic.
    series_counts: [usize; 2],
    ids: HashSet<String>,
    /// How many `div`s enclose the current element.
    div_depth: u8,
    /// The `xml:id` of the division just opened, until its head takes it.
    div_id: Option<String>,
    /// The document's language.
    doc_lang: String,
    /// The languages (`xml:lang`) of the enclosing block elements, innermost last.
    langs: Vec<String>,
    /// The root is in no namespace: read unnamespaced elements as TEI.
    lenient: bool,
}

/// A piece of a block container's content: a block element, or loose inline content.
enum Piece<'e> {
    Block(&'e El),
    Run(Vec<&'e Node>),
}

impl<'a> Mapper<'a> {
    /// Returns the TEI local name of `el`, or `None` for an element in another namespace.
    fn name<'e>(&self, el: &'e El) -> Option<&'e str> {
        match el.ns {
            Ns::Tei => Some(&el.local),
            Ns::None if self.lenient => Some(&el.local),
            _ => None,
        }
    }

    fn is(&self, el: &El, name: &str) -> bool {
        self.name(el) == Some(name)
    }

    fn child<'e>(&self, el: &'e El, name: &str) -> Option<&'e El> {
        el.elements().find(|e| self.is(e, name))
    }

    fn children<'e>(
        &self,
        el: &'e El,
        name: &'e str,
    ) -> impl Iterator<Item = &'e El> + use<'e, '_, 'a> {
        el.elements().filter(move |e| self.is(e, name))
    }

    /// Warns once per element name that `el` has no IR equivalent.
    fn unknown(&mut self, el: &El, what: &str) {
        if self.warned.insert(el.qname.clone()) {
            let pos = self.lines.pos(el.offset);
            self.warnings.push(Warning::at(
                pos,
                format!("<{}> has no IR equivalent: {what}", el.qname),
            ));
        }
    }

    // ----- header ------------------------------------------------------------------------

    fn header(&mut self, header: &El, meta: &mut Meta) {
        self.transcription_header(header, meta);
        if let Some(fd) = self.child(header, "fileDesc") {
            if let Some(ts) = self.child(fd, "titleStmt") {
                for t in self.children(ts, "title") {
                    let text = plain(t);
                    match t.attr("type") {
                        Some("sub" | "subordinate") if meta.subtitle.is_none() => {
                            meta.subtitle = Some(text)
                        }
                        _ if meta.title.is_none() && !text.is_empty() => meta.title = Some(text),
                        _ => {}
                    }
                }
                meta.authors = self
                    .children(ts, "author")
                    .map(plain)
                    .filter(|a| !a.is_empty())
                    .collect();
                // Editors are not authors; keep them with the other metadata.
                let editors: Vec<String> = self
                    .children(ts, "editor")
                    .map(plain)
                    .filter(|e| !e.is_empty())
                    .collect();
                if !editors.is_empty() {
                    meta.extra.insert("editor".to_owned(), editors.join("; "));
                }
            }
            if let Some(ps) = self.child(fd, "publicationStmt") {
                // The first agency: a publisher, or failing that a distributor or authority.
                meta.publisher = ["publisher", "distributor", "authority"]
                    .iter()
                    .find_map(|name| self.child(ps, name).map(plain).filter(|p| !p.is_empty()));
                for (name, key) in [("pubPlace", "pubPlace"), ("date", "pubDate")] {
                    if let Some(v) = self.child(ps, name).map(plain).filter(|v| !v.is_empty()) {
                        meta.extra.insert(key.to_owned(), v);
                    }
                }
                meta.identifier = self.child(ps, "idno").map(plain);
                if let Some(av) = self.child(ps, "availability") {
                    meta.licence = match self.child(av, "licence") {
                        Some(l) => {
                            let text = plain(l);
                            match l.attr("target") {
                                Some(t) if text.is_empty() => Some(t.to_owned()),
                                _ => Some(text),
                            }
                        }
                        None => Some(plain(av)).filter(|t| !t.is_empty()),
                    };
                }
            }
            if let Some(ns) = self.child(fd, "notesStmt") {
                for note in self.children(ns, "note") {
                    match (note.attr("type"), note.attr("n")) {
                        (Some("meta"), Some(key)) => {
                            meta.extra.insert(key.to_owned(), plain(note));
                        }
                        _ => {
                            let n = meta.extra.len() + 1;
                            meta.extra.insert(format!("note{n}"), plain(note));
                        }
                    }
                }
            }
            if let Some(sd) = self.child(fd, "sourceDesc") {
                meta.source = if let Some(bibl) = self.child(sd, "bibl") {
                    Some(plain(bibl))
                } else {
                    Some(transcription::source_text(sd, &|e| self.is(e, "listWit")))
                        .filter(|s| !s.is_empty())
                }
                .map(|bibl| SourceDesc { bibl });
            }
        }
        if let Some(pd) = self.child(header, "profileDesc") {
            if let Some(date) = self
                .child(pd, "creation")
                .and_then(|c| self.child(c, "date"))
            {
                let text = plain(date);
                meta.date = match date.attr("when") {
                    Some(when) if text.is_empty() => Some(when.to_owned()),
                    _ => Some(text),
                };
            }
            if meta.lang.is_empty()
                && let Some(lang) = self
                    .child(pd, "langUsage")
                    .and_then(|l| self.child(l, "language"))
                    .and_then(|l| l.attr("ident"))
            {
                meta.lang = lang.to_owned();
            }
        }
    }

    // ----- text and body -----------------------------------------------------------------

    /// Maps the `text` of a `TEI` (or of every `TEI` of a `teiCorpus`).
    fn texts(&mut self, root: &El, out: &mut Vec<Block>) {
        for el in root.elements() {
            match self.name(el) {
                Some("TEI") => self.texts(el, out),
                Some("text") => self.text(el, out),
                _ => {}
            }
        }
    }

    fn text(&mut self, text: &El, out: &mut Vec<Block>) {
        for el in text.elements() {
            match self.name(el) {
                Some("front" | "body") => self.container(el, out, false),
                Some("back") => self.container(el, out, true),
                Some("group") => {
                    for t in el.elements() {
                        if self.is(t, "text") {
                            self.text(t, out);
                        }
                    }
                }
                _ => {
                    self.unknown(el, "text kept");
                    self.container(el, out, false);
                }
            }
        }
    }

    /// Maps the children of a block container (body, div, sp, u, quote, item, note …).
    fn container(&mut self, el: &El, out: &mut Vec<Block>, in_back: bool) {
        let nodes: Vec<&Node> = el.children.iter().collect();
        let in_u = self.is(el, "u");
        self.container_nodes(&nodes, in_u, out, in_back);
    }

    /// Maps a sequence of block-container children: block elements map one by one, loose
    /// inline content between them becomes paragraphs (or stage directions for events).
    fn container_nodes(
        &mut self,
        nodes: &[&Node],
        in_u: bool,
        out: &mut Vec<Block>,
        in_back: bool,
    ) {
        let mut pieces: Vec<Piece<'_>> = Vec::new();
        for &node in nodes {
            match (node, pieces.last_mut()) {
                (Node::El(e), _) if self.is_block(e, in_u) => pieces.push(Piece::Block(e)),
                (_, Some(Piece::Run(run))) => run.push(node),
                _ => pieces.push(Piece::Run(vec![node])),
            }
        }
        // Source boundaries (pb, milestone) standing between blocks open the next paragraph.
        let mut pending: Vec<Inline> = Vec::new();
        // Whether the last block was made from a loose <l>, so the next one joins it.
        let mut loose_verse = false;
        for piece in pieces {
            match piece {
                Piece::Run(run) => {
                    if run.iter().all(|n| is_blank_node(n)) {
                        continue;
                    }
                    loose_verse = false;
                    if run.iter().all(|n| is_blank_node(n) || self.is_boundary(n)) {
                        for n in run {
                            if let Node::El(e) = n {
                                self.inline_el(e, &mut pending, None);
                            }
                        }
                        continue;
                    }
                    if run.iter().all(|n| is_blank_node(n) || self.is_event(n)) {
                        self.events(&run, out, in_back);
                        continue;
                    }
                    let mut inlines = self.inlines(&run);
                    normalise(&mut inlines);
                    if inlines.is_empty() {
                        // Only elements without text (<pause/>, <anchor/> …).
                        continue;
                    }
                    let mut inlines = self.in_lang(inlines);
                    inlines.splice(0..0, std::mem::take(&mut pending));
                    out.push(Block::Paragraph(inlines));
                }
                Piece::Block(e) => {
                    let start = out.len();
                    let is_l = self.is(e, "l");
                    if is_l
                        && loose_verse
                        && let Some(Block::Verse(lines)) = out.last_mut()
                    {
                        lines.push(self.block_inlines(&e.children));
                        continue;
                    }
                    loose_verse = is_l;
                    self.block(e, out, in_back);
                    if !pending.is_empty() {
                        let pending = std::mem::take(&mut pending);
                        match out.get_mut(start) {
                            Some(
                                Block::Paragraph(inlines)
                                | Block::Stage(inlines)
                                | Block::Heading {
                                    content: inlines, ..
                                },
                            ) => {
                                inlines.splice(0..0, pending);
                            }
                            _ => out.insert(start, Block::Paragraph(pending)),
                        }
                    }
                }
            }
        }
        if !pending.is_empty() {
            out.push(Block::Paragraph(pending));
        }
    }

    /// Tells whether `n` is a source boundary (page, column, line break, milestone).
    fn is_boundary(&self, n: &Node) -> bool {
        matches!(n, Node::El(e) if matches!(self.name(e), Some("pb" | "cb" | "lb" | "milestone" | "anchor")))
    }

    /// Tells whether `n` is a note or a non-verbal event standing between blocks.
    fn is_event(&self, n: &Node) -> bool {
        matches!(n, Node::El(e) if matches!(self.name(e), Some("note" | "incident" | "kinesic" | "vocal")))
    }

    /// Maps notes and events that stand between blocks: a transcript's comments become
    /// stage directions, notes in `back` (or placed notes) are notes without a call.
    fn events(&mut self, run: &[&Node], out: &mut Vec<Block>, in_back: bool) {
        for n in run {
            let Node::El(e) = n else { continue };
            if self.is(e, "note") {
                if in_back || e.attr("place").is_some() || e.attr("xml:id").is_some() {
                    self.note(e);
                } else {
                    let mut blocks = Vec::new();
                    self.container(e, &mut blocks, false);
                    let mut inlines = Vec::new();
                    for b in blocks {
                        if !inlines.is_empty() {
                            inlines.push(Inline::Text(" ".into()));
                        }
                        inlines.extend(block_to_inlines(b));
                    }
                    normalise(&mut inlines);
                    out.push(Block::Stage(inlines));
                }
            } else {
                let mut inlines = Vec::new();
                self.inline_el(e, &mut inlines, None);
                normalise(&mut inlines);
                out.push(Block::Stage(inlines));
            }
        }
    }

    /// Tells whether `el` is a block when it stands in a block container.
    fn is_block(&self, el: &El, in_u: bool) -> bool {
        let Some(name) = self.name(el) else {
            return self.has_blocks(el);
        };
        match name {
            "p" | "ab" | "head" | "sp" | "u" | "lg" | "l" | "list" | "table" | "eg" | "stage"
            | "floatingText" | "spGrp" | "figure" | "div" | "div1" | "div2" | "div3" | "div4"
            | "div5" | "div6" | "div7" | "castList" | "listBibl" | "bibl" | "byline"
            | "dateline" | "trailer" | "salute" | "signed" | "docAuthor" | "docDate"
            | "docTitle" | "docEdition" | "docImprint" | "titlePart" | "titlePage" | "opener"
            | "closer" | "epigraph" | "argument" | "postscript" | "label" | "annotationBlock" => {
                true
            }
            "seg" => in_u,
            "milestone" => matches!(el.attr("type"), Some("thematic-break" | "page-break")),
            // Standing between blocks, a quotation is a block quotation.
            "quote" | "q" | "said" | "cit" => true,
            // Notes and events between blocks are handled with the loose content.
            "note" | "incident" | "kinesic" | "vocal" | "gap" => false,
            _ => self.has_blocks(el),
        }
    }

    /// Tells whether `el` has block children (and so is a container, not a phrase).
    fn has_blocks(&self, el: &El) -> bool {
        el.elements().any(|e| {
            matches!(
                self.name(e),
                Some(
                    "p" | "ab"
                        | "lg"
                        | "l"
                        | "list"
                        | "table"
                        | "sp"
                        | "u"
                        | "div"
                        | "head"
                        | "quote"
                        | "eg"
                )
            )
        })
    }

    /// Maps a block element.
    fn block(&mut self, el: &El, out: &mut Vec<Block>, in_back: bool) {
        // A block in another language than the document's: its text is foreign.
        let lang = el.attr("xml:lang");
        if let Some(lang) = lang {
            self.langs.push(lang.to_owned());
        }
        self.block_in_lang(el, out, in_back);
        if lang.is_some() {
            self.langs.pop();
        }
    }

    /// Wraps a block's inline content in `Foreign` when the enclosing blocks' language
    /// differs from the document's.
    fn in_lang(&self, inlines: Vec<Inline>) -> Vec<Inline> {
        match self.langs.last() {
            Some(lang) if *lang != self.doc_lang && !inlines.is_empty() => {
                if let [Inline::Foreign { lang: l, .. }] = inlines.as_slice()
                    && l == lang
                {
                    return inlines;
                }
                vec![Inline::Foreign {
                    lang: lang.clone(),
                    content: inlines,
                }]
            }
            _ => inlines,
        }
    }

    fn block_in_lang(&mut self, el: &El, out: &mut Vec<Block>, in_back: bool) {
        let Some(name) = self.name(el) else {
            self.unknown(el, "its content is kept");
            self.container(el, out, in_back);
            return;
        };
        match name {
            "div" | "div1" | "div2" | "div3" | "div4" | "div5" | "div6" | "div7" => {
                self.div_depth = self.div_depth.saturating_add(1);
                self.div_id = el.attr("xml:id").map(str::to_owned);
                self.container(el, out, in_back);
                self.div_id = None;
                self.div_depth -= 1;
            }
            "head" => {
                // A division's id names its (first) heading when the head has none.
                let div_id = self.div_id.take();
                out.push(Block::Heading {
                    level: self.div_depth.max(1),
                    content: self.block_inlines(&el.children),
                    id: el.attr("xml:id").map(str::to_owned).or(div_id),
                });
            }
            "ab" if el.attr("type") == Some("heading") => out.push(Block::Heading {
                level: el.attr("n").and_then(|n| n.parse().ok()).unwrap_or(1),
                content: self.block_inlines(&el.children),
                id: el.attr("xml:id").map(str::to_owned),
            }),
            "ab" if el.attr("type") == Some("verbatim") => {
                let code = self.child(el, "code");
                out.push(Block::Verbatim {
                    lang: code.and_then(|c| c.attr("lang")).map(str::to_owned),
                    text: code.map_or_else(|| raw_text(el), raw_text),
                });
            }
            "eg" => out.push(Block::Verbatim {
                lang: None,
                text: raw_text(el),
            }),
            "p" | "ab" | "seg" => self.paragraph(el, out),
            "sp" | "u" => {
                let speaker = self
                    .child(el, "speaker")
                    .map(|s| self.block_inlines(&s.children));
                let mut blocks = Vec::new();
                self.container_without(el, "speaker", &mut blocks);
                out.push(Block::Speech {
                    who: el.attr("who").map(str::to_owned),
                    speaker,
                    blocks,
                });
            }
            "stage" => out.push(Block::Stage(self.block_inlines(&el.children))),
            // lacuna's wrapper of a speech within a speech (see the writer).
            "quote"
                if el.attr("type") == Some("speech")
                    && el.elements().count() == 1
                    && el.elements().all(|e| self.is(e, "sp"))
                    && el
                        .children
                        .iter()
                        .all(|n| matches!(n, Node::El(_)) || is_blank_node(n)) =>
            {
                for sp in el.elements() {
                    self.block(sp, out, in_back);
                }
            }
            "quote" | "q" | "said" | "cit" => {
                let mut blocks = Vec::new();
                self.container(el, &mut blocks, false);
                out.push(Block::Quote(blocks));
            }
            "lg" => self.verse(el, out),
            "l" => out.push(Block::Verse(vec![self.block_inlines(&el.children)])),
            "list" => self.list(el, out),
            "table" => self.table(el, out),
            "milestone" if el.attr("type") == Some("thematic-break") => {
                out.push(Block::ThematicBreak)
            }
            "milestone" if el.attr("type") == Some("page-break") => out.push(Block::PageBreak),
            "figure" => {
                let mut inlines = Vec::new();
                self.figure(el, &mut inlines);
                out.push(Block::Paragraph(inlines));
                let heads: Vec<&El> = self.children(el, "head").collect();
                for head in heads {
                    out.push(Block::Paragraph(self.block_inlines(&head.children)));
                }
            }
            "floatingText" | "spGrp" | "castList" | "listBibl" | "titlePage" | "docTitle"
            | "opener" | "closer" | "epigraph" | "argument" | "postscript" | "annotationBlock" => {
                self.unknown(el, "its content is kept");
                self.container(el, out, in_back);
            }
            _ if self.has_blocks(el) => {
                self.unknown(el, "its content is kept");
                self.container(el, out, in_back);
            }
            _ => {
                self.unknown(el, "mapped to a paragraph");
                self.paragraph(el, out);
            }
        }
    }

    /// Maps the children of `el` but those named `skip` as blocks.
    fn container_without(&mut self, el: &El, skip: &str, out: &mut Vec<Block>) {
        let kept: Vec<&Node> = el
            .children
            .iter()
            .filter(|n| !matches!(n, Node::El(e) if self.is(e, skip)))
            .collect();
        let in_u = self.is(el, "u");
        self.container_nodes(&kept, in_u, out, false);
    }

    /// Maps a paragraph; lists, tables and verse inside it split it in several blocks.
    fn paragraph(&mut self, el: &El, out: &mut Vec<Block>) {
        let splits = el.elements().any(|e| self.splits_paragraph(e));
        if !splits {
            out.push(Block::Paragraph(self.block_inlines(&el.children)));
            return;
        }
        let mut run: Vec<&Node> = Vec::new();
        for node in &el.children {
            match node {
                Node::El(e) if self.splits_paragraph(e) => {
                    self.flush_run(&mut run, out);
                    self.block(e, out, false);
                }
                _ => run.push(node),
            }
        }
        self.flush_run(&mut run, out);
    }

    fn flush_run(&mut self, run: &mut Vec<&Node>, out: &mut Vec<Block>) {
        if run.iter().all(|n| is_blank_node(n)) {
            run.clear();
            return;
        }
        let mut inlines = self.inlines(run);
        normalise(&mut inlines);
        out.push(Block::Paragraph(self.in_lang(inlines)));
        run.clear();
    }

    fn splits_paragraph(&self, el: &El) -> bool {
        match self.name(el) {
            Some("list" | "table" | "lg" | "sp" | "floatingText" | "eg") => true,
            Some("quote" | "q" | "said" | "cit") => self.has_blocks(el),
            _ => false,
        }
    }

    fn verse(&mut self, el: &El, out: &mut Vec<Block>) {
        let mut lines: Vec<Vec<Inline>> = Vec::new();
        let mut any = false;
        for node in &el.children {
            let Node::El(e) = node else {
                if !is_blank_node(node) {
                    lines.push(self.block_inlines(std::slice::from_ref(node)));
                }
                continue;
            };
            match self.name(e) {
                Some("l") => {
                    lines.push(self.block_inlines(&e.children));
                    any = true;
                }
                Some("lg") => {
                    if !lines.is_empty() {
                        out.push(Block::Verse(std::mem::take(&mut lines)));
                    }
                    self.verse(e, out);
                }
                Some("head") => out.push(self.caption(el, e)),
                _ => {
                    let mut inlines = Vec::new();
                    self.inline_el(e, &mut inlines, None);
                    normalise(&mut inlines);
                    if !inlines.is_empty() {
                        lines.push(inlines);
                    }
                }
            }
        }
        if !lines.is_empty() || !any && !self.has_child_lg(el) {
            out.push(Block::Verse(lines));
        }
    }

    /// Maps the `head` of a list, table or stanza: a caption, not a section heading.
    fn caption(&mut self, parent: &El, head: &El) -> Block {
        let key = format!("{}/head", parent.qname);
        if self.warned.insert(key) {
            self.warnings.push(Warning::at(
                self.lines.pos(head.offset),
                format!("<head> of <{}> is kept as a paragraph", parent.qname),
            ));
        }
        Block::Paragraph(self.block_inlines(&head.children))
    }

    fn has_child_lg(&self, el: &El) -> bool {
        el.elements().any(|e| self.is(e, "lg"))
    }

    fn list(&mut self, el: &El, out: &mut Vec<Block>) {
        let style = format!(
            "{} {}",
            el.attr("rend").unwrap_or(""),
            el.attr("type").unwrap_or("")
        );
        let ordered = ["numbered", "ordered", "decimal", "arabic", "roman", "alpha"]
            .iter()
            .any(|w| style.contains(w));
        let mut items: Vec<Vec<Block>> = Vec::new();
        let mut start = None;
        let mut label: Option<Vec<Inline>> = None;
        for e in el.elements() {
            match self.name(e) {
                Some("item") => {
                    if items.is_empty() {
                        start = e.attr("n").and_then(|n| n.parse().ok());
                    }
                    let mut blocks = Vec::new();
                    if let Some(label) = label.take() {
                        blocks.push(Block::Paragraph(label));
                    }
                    self.container(e, &mut blocks, false);
                    items.push(blocks);
                }
                Some("label") => label = Some(self.block_inlines(&e.children)),
                Some("head") => out.push(self.caption(el, e)),
                _ => {
                    self.unknown(e, "its text is kept as an item");
                    let mut blocks = Vec::new();
                    self.paragraph(e, &mut blocks);
                    items.push(blocks);
                }
            }
        }
        if let Some(label) = label {
            items.push(vec![Block::Paragraph(label)]);
        }
        out.push(Block::List {
            ordered,
            start,
            items,
        });
    }

    fn table(&mut self, el: &El, out: &mut Vec<Block>) {
        let mut rows = Vec::new();
        for e in el.elements() {
            match self.name(e) {
                Some("row") => {
                    let header = e.attr("role") == Some("label");
                    let mut cells = Vec::new();
                    for c in e.elements() {
                        if c.attr("cols").is_some() || c.attr("rows").is_some() {
                            self.unknown_attr(c, "cell spans (@cols, @rows) are not kept");
                        }
                        cells.push(self.block_inlines(&c.children));
                    }
                    rows.push(TableRow { header, cells });
                }
                Some("head") => out.push(self.caption(el, e)),
                _ => {
                    self.unknown(e, "its text is kept as a row");
                    rows.push(TableRow {
                        header: false,
                        cells: vec![
                            self.block_inlines(std::slice::from_ref(&Node::Text(plain(e)))),
                        ],
                    });
                }
            }
        }
        out.push(Block::Table(rows));
    }

    fn unknown_attr(&mut self, el: &El, what: &str) {
        let key = format!("{}@", el.qname);
        if self.warned.insert(key) {
            let pos = self.lines.pos(el.offset);
            self.warnings
                .push(Warning::at(pos, format!("<{}>: {what}", el.qname)));
        }
    }

    // ----- inline content ----------------------------------------------------------------

    /// Maps the content of a block with mixed content, normalised.
    fn block_inlines(&mut self, nodes: &[Node]) -> Vec<Inline> {
        let refs: Vec<&Node> = nodes.iter().collect();
        let mut inlines = self.inlines(&refs);
        normalise(&mut inlines);
        self.in_lang(inlines)
    }

    /// Maps mixed content, white space as is.
    fn inlines(&mut self, nodes: &[&Node]) -> Vec<Inline> {
        let mut out = Vec::new();
        let mut i = 0;
        let mut glued = false;
        while i < nodes.len() {
            match nodes[i] {
                Node::Text(t) if glued => {
                    push_str(&mut out, t.trim_start_matches(is_xml_space));
                    glued = false;
                }
                Node::Text(t) => push_str(&mut out, t),
                Node::El(e)
                    if matches!(self.name(e), Some("lb" | "pb" | "cb" | "milestone"))
                        && e.attr("break") == Some("no") =>
                {
                    // A line or page break inside a word: the white space around it is
                    // layout.
                    if let Some(Inline::Text(t)) = out.last_mut() {
                        let kept = t.trim_end_matches(is_xml_space).len();
                        t.truncate(kept);
                    }
                    self.inline_el(e, &mut out, None);
                    glued = true;
                }
                Node::El(e) => {
                    glued = false;
                    // A gap that points to the note right after it owns that note.
                    let next = match nodes.get(i + 1) {
                        Some(Node::El(n)) if self.is(e, "gap") && self.is(n, "note") => Some(n),
                        _ => None,
                    };
                    if self.inline_el(e, &mut out, next) {
                        i += 1;
                    }
                }
            }
            i += 1;
        }
        out
    }

    fn inline_children(&mut self, el: &El) -> Vec<Inline> {
        let refs: Vec<&Node> = el.children.iter().collect();
        self.inlines(&refs)
    }

    /// Maps one inline element into `out`; returns whether it consumed `next`.
    fn inline_el(&mut self, el: &El, out: &mut Vec<Inline>, next: Option<&El>) -> bool {
        // An element in another language (a <term xml:lang="la">, say) is foreign text.
        let lang = el
            .attr("xml:lang")
            .filter(|l| self.langs.last().unwrap_or(&self.doc_lang) != l)
            .filter(|_| !matches!(self.name(el), Some("foreign" | "gap" | "note")));
        let Some(lang) = lang else {
            return self.inline_el_in_lang(el, out, next);
        };
        let mut content = Vec::new();
        let consumed = self.inline_el_in_lang(el, &mut content, next);
        if !content.is_empty() {
            out.push(Inline::Foreign {
                lang: lang.to_owned(),
                content,
            });
        }
        consumed
    }

    fn inline_el_in_lang(&mut self, el: &El, out: &mut Vec<Inline>, next: Option<&El>) -> bool {
        let Some(name) = self.name(el) else {
            self.unknown(el, "text kept");
            let content = self.inline_children(el);
            out.extend(content);
            return false;
        };
        if self.transcription(el, name, out) {
            return false;
        }
        match name {
            "hi" => {
                let content = self.inline_children(el);
                // @rend, or TEI simplePrint's @rendition ("simple:italic").
                let rend = el.attr("rend").map(str::trim).or_else(|| {
                    el.attr("rendition").map(|r| {
                        let r = r.trim();
                        r.strip_prefix("simple:")
                            .or_else(|| r.strip_prefix("#"))
                            .unwrap_or(r)
                    })
                });
                out.push(match rend {
                    Some("italic" | "italics" | "i" | "it") => Inline::Emph(content),
                    Some("bold" | "b" | "strong") => Inline::Strong(content),
                    Some("smallcaps" | "small-caps" | "sc" | "smcap") => Inline::SmallCaps(content),
                    Some("superscript" | "sup" | "super") => Inline::Sup(content),
                    Some("subscript" | "sub") => Inline::Sub(content),
                    rend => Inline::Hi {
                        rend: rend.unwrap_or("").to_owned(),
                        content,
                    },
                });
            }
            "emph" => {
                let content = self.inline_children(el);
                out.push(Inline::Emph(content));
            }
            "foreign" => {
                let content = self.inline_children(el);
                out.push(Inline::Foreign {
                    lang: el.attr("xml:lang").unwrap_or("").to_owned(),
                    content,
                });
            }
            "code" => out.push(Inline::Code(raw_text(el))),
            "seg" if el.attr("type") == Some("code") => out.push(Inline::Code(raw_text(el))),
            "note" => {
                let id = self.note(el);
                out.push(Inline::NoteRef(id));
            }
            "gap" => return self.gap(el, out, next),
            "unclear" | "supplied" => {
                let content = self.inline_children(el);
                let reason = el.attr("reason").map(str::to_owned);
                out.push(if name == "unclear" {
                    Inline::Unclear { reason, content }
                } else {
                    Inline::Supplied { reason, content }
                });
            }
            "incident" | "kinesic" | "vocal" => {
                let desc = self.child(el, "desc").map_or_else(|| plain(el), plain);
                out.push(Inline::Incident(Incident {
                    kind: match name {
                        "kinesic" => IncidentKind::Kinesic,
                        "vocal" => IncidentKind::Vocal,
                        _ => IncidentKind::Incident,
                    },
                    category: el.attr("type").map(str::to_owned),
                    desc,
                }));
            }
            "ref" => {
                let content = self.inline_children(el);
                out.push(Inline::Link {
                    target: el.attr("target").unwrap_or("").to_owned(),
                    content,
                });
            }
            "ptr" => {
                let target = el.attr("target").unwrap_or("");
                out.push(match target.strip_prefix('#') {
                    Some(id) if !id.is_empty() => Inline::NoteRef(NoteId(id.to_owned())),
                    _ => Inline::Link {
                        target: target.to_owned(),
                        content: Vec::new(),
                    },
                });
            }
            "graphic" => out.push(Inline::Image {
                src: el.attr("url").unwrap_or("").to_owned(),
                alt: self.child(el, "desc").map(plain).unwrap_or_default(),
            }),
            "figure" => self.figure(el, out),
            "pb" | "cb" => out.push(Inline::Milestone {
                unit: if name == "pb" { "page" } else { "column" }.to_owned(),
                n: el.attr("n").map(str::to_owned),
                word_break: el.attr("break").map(str::to_owned),
            }),
            "milestone" => out.push(Inline::Milestone {
                unit: el.attr("unit").unwrap_or("").to_owned(),
                n: el.attr("n").map(str::to_owned),
                word_break: el.attr("break").map(str::to_owned),
            }),
            "anchor" | "index" => {}
            "space" => push_str(out, " "),
            _ => {
                self.unknown(el, "text kept");
                let content = self.inline_children(el);
                out.extend(content);
            }
        }
        false
    }

    fn figure(&mut self, el: &El, out: &mut Vec<Inline>) {
        let alt = self.child(el, "figDesc").map(plain).unwrap_or_default();
        for g in self.children(el, "graphic") {
            out.push(Inline::Image {
                src: g.attr("url").unwrap_or("").to_owned(),
                alt: if alt.is_empty() {
                    self.child(g, "desc").map(plain).unwrap_or_default()
                } else {
                    alt.clone()
                },
            });
        }
    }

    fn gap(&mut self, el: &El, out: &mut Vec<Inline>, next: Option<&El>) -> bool {
        let quantity = el.attr("quantity").map(str::trim);
        let q = quantity.and_then(|q| q.parse::<u64>().ok());
        let mut description = el.attr("extent").map(str::to_owned);
        if let (Some(raw), None) = (quantity, q) {
            // The IR counts whole units; anything else (2.5, 1e3, a number beyond u64)
            // goes to the description — beside an @extent, never instead of the quantity.
            let what = if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
                "a @quantity too large to count"
            } else {
                "a @quantity that is not a whole number"
            };
            self.unknown_attr(el, &format!("{what} is kept in the extent's description"));
            description = Some(match description {
                Some(extent) => format!("{extent}, quantity {raw}"),
                None => raw.to_owned(),
            });
        }
        let unit = el.attr("unit").map(str::to_owned);
        let extent = (q.is_some() || unit.is_some() || description.is_some()).then_some(Extent {
            quantity: q,
            unit,
            description,
        });
        let shown = match el.attr("rend") {
            Some(rend) => rend.to_owned(),
            None => self.child(el, "desc").map(plain).unwrap_or_default(),
        };
        let target = el
            .attr("corresp")
            .and_then(|c| c.strip_prefix('#'))
            .filter(|id| !id.is_empty());
        let mut consumed = false;
        let note = match (target, next) {
            (Some(id), Some(n)) if n.attr("xml:id") == Some(id) => {
                consumed = true;
                Some(self.note(n))
            }
            (Some(id), _) => Some(NoteId(id.to_owned())),
            (None, _) => None,
        };
        out.push(Inline::Gap(Gap {
            reason: GapReason::from(el.attr("reason").unwrap_or("").to_owned()),
            extent,
            shown,
            note,
        }));
        consumed
    }

    /// Registers a note and returns its id.
    fn note(&mut self, el: &El) -> NoteId {
        let series = match el.attr("type") {
            Some("editorial") => NoteSeries::Editorial,
            _ => NoteSeries::Author,
        };
        let id = match el.attr("xml:id") {
            Some(id) => id.to_owned(),
            None => self.fresh_id(series),
        };
        let n = match el.attr("n") {
            Some(n) => n.to_owned(),
            None => (self.series_counts[series as usize] + 1).to_string(),
        };
        let mut content = Vec::new();
        let depth = std::mem::replace(&mut self.div_depth, 0);
        self.container(el, &mut content, false);
        self.div_depth = depth;
        self.series_counts[series as usize] += 1;
        self.notes.push(Note {
            id: NoteId(id.clone()),
            series,
            n,
            content,
            resp: el.attr("resp").map(str::to_owned),
        });
        NoteId(id)
    }

    fn fresh_id(&mut self, series: NoteSeries) -> String {
        let prefix = match series {
            NoteSeries::Author => "a",
            NoteSeries::Editorial => "e",
        };
        let mut k = self.series_counts[series as usize] + 1;
        loop {
            let id = format!("{prefix}{k}");
            if self.ids.insert(id.clone()) {
                return id;
            }
            k += 1;
        }
    }

    /// Turns `ptr`s that point at something other than a note into links.
    fn fix_pointers(&mut self, body: &mut [Block]) {
        let ids: BTreeSet<String> = self.notes.iter().map(|n| n.id.0.clone()).collect();
        let mut fix = |inline: &mut Inline| {
            if let Inline::NoteRef(id) = inline
                && !ids.contains(id.as_str())
            {
                *inline = Inline::Link {
                    target: format!("#{id}"),
                    content: Vec::new(),
                };
            }
        };
        for block in body {
            crate::transform::walk_block_mut(block, &mut fix);
        }
        for note in &mut self.notes {
            for block in &mut note.content {
                crate::transform::walk_block_mut(block, &mut fix);
            }
        }
    }
}

/// Flattens a block to inline content (for a note read as a stage direction).
fn block_to_inlines(block: Block) -> Vec<Inline> {
    match block {
        Block::Paragraph(c) | Block::Stage(c) | Block::Heading { content: c, .. } => c,
        other => {
            let text = crate::ir::blocks_text(std::slice::from_ref(&other));
            vec![Inline::Text(
                text.split_whitespace().collect::<Vec<_>>().join(" "),
            )]
        }
    }
}

fn is_blank_node(n: &Node) -> bool {
    matches!(n, Node::Text(t) if t.chars().all(is_xml_space))
}

fn push_str(out: &mut Vec<Inline>, s: &str) {
    if s.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(Inline::Text(t)) => t.push_str(s),
        _ => out.push(Inline::Text(s.to_owned())),
    }
}

/// Returns the text of `el` and its descendants exactly as written.
fn raw_text(el: &El) -> String {
    let mut out = String::new();
    fn go(el: &El, out: &mut String) {
        for n in &el.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::El(e) => go(e, out),
            }
        }
    }
    go(el, &mut out);
    out
}

/// Returns the text of `el` with XML white space collapsed and trimmed, unless the
/// element says `xml:space="preserve"`.
fn plain(el: &El) -> String {
    if el.attr("xml:space") == Some("preserve") {
        return raw_text(el);
    }
    collapse(&raw_text(el))
}

fn collapse(s: &str) -> String {
    s.split(is_xml_space)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Normalises white space in a block's inline content: runs of XML white space become
/// one space, across element boundaries; the block is trimmed at both ends; adjacent
/// texts merge and empty texts go. Code is left as written. Every element that is not
/// text (and every empty element) counts as a non-space, so a space before or after a
/// note call or a gap stays.
fn normalise(inlines: &mut Vec<Inline>) {
    let mut prev_space = true;
    collapse_inlines(inlines, &mut prev_space);
    trim_end(inlines);
}

fn collapse_inlines(inlines: &mut Vec<Inline>, prev_space: &mut bool) {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for mut inline in std::mem::take(inlines) {
        match &mut inline {
            Inline::Text(t) => {
                let mut s = String::with_capacity(t.len());
                for c in t.chars() {
                    if is_xml_space(c) {
                        if !*prev_space {
                            s.push(' ');
                            *prev_space = true;
                        }
                    } else {
                        s.push(c);
                        *prev_space = false;
                    }
                }
                if !s.is_empty() {
                    push_str(&mut out, &s);
                }
                continue;
            }
            // Its description was normalised when read (see `plain`).
            Inline::Incident(_) => *prev_space = false,
            // An empty element counts as a non-space too, like an atom: a pointer
            // that turns out to be a link must not change the spaces around it.
            // Alternatives (choice, app, subst) each start where the element starts.
            other => {
                let mut contents = other.contents_mut();
                contents.retain(|c| !c.is_empty());
                match contents.as_mut_slice() {
                    [] => *prev_space = false,
                    [c] => collapse_inlines(c, prev_space),
                    many => {
                        let start = *prev_space;
                        for c in many {
                            *prev_space = start;
                            collapse_inlines(c, prev_space);
                        }
                    }
                }
            }
        }
        out.push(inline);
    }
    *inlines = out;
}

/// Removes trailing white space at the end of a block; returns whether the content ends
/// in text (so that trimming may go on into what precedes an emptied element).
fn trim_end(inlines: &mut Vec<Inline>) {
    while let Some(last) = inlines.last_mut() {
        match last {
            Inline::Text(t) => {
                let trimmed = t.trim_end_matches(is_xml_space).len();
                t.truncate(trimmed);
                if t.is_empty() {
                    inlines.pop();
                    continue;
                }
                return;
            }
            other => {
                for c in other.contents_mut() {
                    trim_end(c);
                }
                return;
            }
        }
    }
}

/// Builds `BTreeMap` keys in a stable order (used by tests).
#[cfg(test)]
fn keys(map: &std::collections::BTreeMap<String, String>) -> Vec<&str> {
    map.keys().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tei(body: &str) -> String {
        format!(
            r#"<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader><text><body>{body}</body></text></TEI>"#
        )
    }

    fn doc(body: &str) -> Warned<Document> {
        read(&tei(body), &ReadOptions::default()).unwrap()
    }

    fn err(xml: &str) -> ParseError {
        read(xml, &ReadOptions::default()).unwrap_err()
    }

    #[test]
    fn normalises_white_space_across_elements() {
        let d = doc("<p>\n  a   <hi rend=\"italic\"> b </hi>\n c\u{A0} </p>").value;
        assert_eq!(
            d.body,
            vec![Block::Paragraph(vec![
                Inline::Text("a ".into()),
                Inline::Emph(vec![Inline::Text("b ".into())]),
                Inline::Text("c\u{A0}".into()),
            ])]
        );
    }

    #[test]
    fn reads_simple_print_renditions_code_segments_and_division_ids() {
        let d = doc(
            r#"<div xml:id="first"><head>H</head><p><hi rendition="simple:italic">i</hi><hi rendition="simple:bold">b</hi><seg type="code">a  b</seg></p></div>"#,
        )
        .value;
        assert_eq!(
            d.body,
            vec![
                Block::Heading {
                    level: 1,
                    content: vec![Inline::Text("H".into())],
                    id: Some("first".into())
                },
                Block::Paragraph(vec![
                    Inline::Emph(vec![Inline::Text("i".into())]),
                    Inline::Strong(vec![Inline::Text("b".into())]),
                    Inline::Code("a  b".into()),
                ])
            ]
        );
    }

    #[test]
    fn reads_every_text_of_a_corpus_and_links_pointers_that_are_no_notes() {
        let xml = format!(
            r##"<teiCorpus xmlns="{TEI_NS}"><teiHeader><fileDesc><titleStmt><title>C</title></titleStmt></fileDesc></teiHeader><TEI><text><body><p>one<ptr target="#nowhere"/></p></body></text></TEI><TEI><text><body><p>two<note>n<ptr target="#x"/></note></p></body></text></TEI></teiCorpus>"##
        );
        let d = read(&xml, &ReadOptions::default()).unwrap().value;
        assert_eq!(d.meta.title.as_deref(), Some("C"));
        assert_eq!(d.body.len(), 2);
        let link = Inline::Link {
            target: "#nowhere".into(),
            content: vec![],
        };
        assert_eq!(
            d.body[0],
            Block::Paragraph(vec![Inline::Text("one".into()), link])
        );
        assert!(
            matches!(&d.notes[0].content[0], Block::Paragraph(c) if matches!(&c[1], Inline::Link { target, .. } if target == "#x"))
        );
    }

    #[test]
    fn text_in_another_language_is_foreign() {
        let d = doc(
            r#"<div xml:lang="fr"><p>Bonjour <term xml:lang="en">hello</term></p><p xml:lang="en">Hi</p></div><p>A <term xml:lang="la">terminus</term>.</p>"#,
        )
        .value;
        let fr = |content| Inline::Foreign {
            lang: "fr".into(),
            content,
        };
        assert_eq!(
            d.body,
            vec![
                Block::Paragraph(vec![fr(vec![
                    Inline::Text("Bonjour ".into()),
                    Inline::Foreign {
                        lang: "en".into(),
                        content: vec![Inline::Text("hello".into())]
                    },
                ])]),
                Block::Paragraph(vec![Inline::Text("Hi".into())]),
                Block::Paragraph(vec![
                    Inline::Text("A ".into()),
                    Inline::Foreign {
                        lang: "la".into(),
                        content: vec![Inline::Text("terminus".into())]
                    },
                    Inline::Text(".".into()),
                ]),
            ]
        );
    }

    #[test]
    fn positions_count_characters() {
        let idx = LineIndex::new("ab\nцd<x");
        assert_eq!(idx.pos(0), Pos::new(1, 1));
        assert_eq!(idx.pos(3), Pos::new(2, 1));
        assert_eq!(idx.pos(6), Pos::new(2, 3));
    }

    #[test]
    fn expands_entities_the_doctype_declares() {
        let xml = format!(
            "<!DOCTYPE TEI [<!ENTITY a \"x&#x2014;y\">]>\n<TEI xmlns=\"{TEI_NS}\"><text><body><p n=\"&a;\">&a;&amp;</p></body></text></TEI>"
        );
        let d = read(&xml, &ReadOptions::default()).unwrap().value;
        assert_eq!(
            d.body,
            vec![Block::Paragraph(vec![Inline::Text("x\u{2014}y&".into())])]
        );
    }

    #[test]
    fn undeclared_entity_is_an_error_with_position() {
        let e = err("<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">\n  <x>&xxe;</x></TEI>");
        assert_eq!(e.pos, Pos::new(2, 6));
        assert!(e.message.contains("&xxe;"), "{e}");
    }

    #[test]
    fn truncated_input_names_the_open_element() {
        let e = err("<TEI xmlns=\"http://www.tei-c.org/ns/1.0\">\n<text><body><p>a");
        assert!(e.message.contains("<p> opened at 2:13"), "{e}");
        assert_eq!(e.pos, Pos::new(2, 17));
    }

    #[test]
    fn parliamentary_events_between_utterances() {
        let d = doc(
            r##"<div><u who="#A"><seg>One.</seg><kinesic type="applause"><desc>Applause</desc></kinesic><seg>Two <gap reason="inaudible"><desc>inaudible</desc></gap> three.</seg></u><note>The sitting ends.</note></div>"##,
        )
        .value;
        let Block::Speech { who, blocks, .. } = &d.body[0] else {
            panic!("{:?}", d.body)
        };
        assert_eq!(who.as_deref(), Some("#A"));
        assert_eq!(blocks.len(), 3);
        assert!(
            matches!(&blocks[1], Block::Stage(s) if matches!(&s[0], Inline::Incident(i) if i.kind == IncidentKind::Kinesic && i.desc == "Applause"))
        );
        assert_eq!(
            d.body[1],
            Block::Stage(vec![Inline::Text("The sitting ends.".into())])
        );
        assert!(d.notes.is_empty());
    }

    #[test]
    fn unknown_elements_keep_text_and_warn_once() {
        let w = doc("<p><persName>Ann</persName> and <persName>Bob</persName></p>");
        assert_eq!(
            w.value.body,
            vec![Block::Paragraph(vec![Inline::Text("Ann and Bob".into())])]
        );
        let msgs: Vec<_> = w.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs.iter().filter(|m| m.contains("persName")).count(),
            1,
            "{msgs:?}"
        );
        assert!(msgs[0].starts_with("1:"), "{msgs:?}");
    }

    #[test]
    fn page_breaks_between_blocks_open_the_next_paragraph() {
        let d = doc(r#"<p>a</p><pb n="2"/><p>b</p>"#).value;
        assert_eq!(
            d.body[1],
            Block::Paragraph(vec![
                Inline::Milestone {
                    unit: "page".into(),
                    n: Some("2".into()),
                    word_break: None,
                },
                Inline::Text("b".into())
            ])
        );
    }

    #[test]
    fn list_inside_paragraph_splits_it() {
        let d = doc("<p>a<list><item>x</item></list>b</p>").value;
        assert_eq!(d.body.len(), 3);
        assert!(matches!(&d.body[1], Block::List { items, .. } if items.len() == 1));
    }

    #[test]
    fn header_extra_keeps_keys() {
        let xml = tei("<p/>").replace(
            "<sourceDesc>",
            "<notesStmt><note type=\"meta\" n=\"b\" xml:space=\"preserve\"> x  y</note><note type=\"meta\" n=\"a\">z</note></notesStmt><sourceDesc>",
        );
        let d = read(&xml, &ReadOptions::default()).unwrap().value;
        assert_eq!(keys(&d.meta.extra), vec!["a", "b"]);
        assert_eq!(d.meta.extra["b"], " x  y");
    }
}
