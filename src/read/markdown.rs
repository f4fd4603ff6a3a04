//! The Markdown reader: CommonMark (via `pulldown-cmark`) with footnotes, tables, front
//! matter and the transcript's lacuna markers.
//!
//! What it reads, and how:
//!
//! - **Front matter**: YAML between `---` lines or TOML between `+++` lines at the very
//!   start. Keys `title`, `subtitle`, `author`/`authors` (a string or a list), `lang`,
//!   `date`, `source`/`bibl`, `identifier`, `publisher`, `licence`/`license` fill
//!   [`Meta`](crate::ir::Meta); `gap_note` sets this document's default text for
//!   editorial notes on lacunae; any other key is kept in `meta.extra` as text, with a
//!   warning.
//! - **Blocks**: headings, paragraphs, block quotes, lists (ordered with their start,
//!   nested), code blocks (verbatim, with the fence's language), thematic breaks and
//!   pipe tables (column alignment is not kept: a warning says so).
//! - **Inlines**: emphasis, strong, inline code, links, images (the alt text is kept;
//!   a missing local image file is reported when [`ReadOptions::base_dir`] is set),
//!   hard line breaks. Soft line breaks become spaces; runs of spaces become one.
//! - **Raw HTML** is never passed on: tags are stripped with a warning, their text is
//!   kept (`<br>` becomes a line break; comments are dropped with a warning).
//! - **Author footnotes** `[^label]` with definitions `[^label]: …` (which may hold
//!   several paragraphs and lists) become the author series `a1`, `a2`, … numbered by
//!   first call. A call without a definition is an error; a definition never called is
//!   dropped with a warning.
//! - **Lacunae** `...{n}`, `....{n}` or `…{n}` become [`Gap`]s, each calling editorial
//!   note `en` (with `n` as its number), a series apart from the author's: the number
//!   is the source's, as in the transcript reader, and numbers out of sequence or used
//!   twice are warned about in the same words. The note's text is the footnote
//!   definition labelled `{n}` — `[^{1}]: Illegible in the manuscript.` — when the
//!   document gives one, else its `gap_note` front-matter value, else
//!   [`ReadOptions::gap_note`]. A backslash before any character of a marker
//!   (`...\{1}`) keeps it as text; a brace number after 1, 2 or 5+ dots is kept as
//!   text with a warning.
//!
//! Smart punctuation is off: quotes, dashes and ellipses stay exactly as the author
//! typed them (as the transcript reader keeps them), and `...{1}` stays recognisable.

mod front_matter;
mod html;
mod normalise;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Options, Parser, Tag};

use self::html::strip_html;
use self::normalise::{collapse_spaces, normalise};
use super::{ReadOptions, ReadResult};
use crate::diag::{ParseError, Pos, Warned, Warning};
use crate::ir::{Block, Document, Gap, GapReason, Inline, Note, NoteId, NoteSeries, TableRow};

/// Parses a Markdown document into the IR.
///
/// ```
/// use lacuna::read::{ReadOptions, markdown};
///
/// let text = "---\ntitle: Minutes\n---\nSaid[^a] and ....{1} more.\n\n[^a]: A note.\n";
/// let doc = markdown::read(text, &ReadOptions::default()).unwrap().value;
/// assert_eq!(doc.meta.title.as_deref(), Some("Minutes"));
/// let ids: Vec<_> = doc.notes.iter().map(|n| n.id.as_str()).collect();
/// assert_eq!(ids, ["a1", "e1"]);
/// ```
pub fn read(text: &str, options: &ReadOptions) -> ReadResult {
    let lines = LineIndex::new(text);
    let mut warnings = Vec::new();
    let fm = front_matter::parse(text, &lines, &mut warnings)?;
    let mut builder = Builder::new(text, &lines, options);
    builder.warnings = warnings;
    let body_text = &text[fm.body_start..];
    let parser = Parser::new_ext(
        body_text,
        Options::ENABLE_FOOTNOTES | Options::ENABLE_TABLES,
    );
    for (event, range) in parser.into_offset_iter() {
        builder.event(
            event,
            fm.body_start + range.start,
            fm.body_start + range.end,
        )?;
    }
    let body = builder.finish_body()?;
    let mut meta = fm.meta;
    if meta.lang.is_empty() {
        meta.lang = options.lang.clone();
    }
    let gap_note = fm.gap_note.unwrap_or_else(|| options.gap_note.clone());
    let (body, notes) = builder.number_notes(body, &gap_note)?;
    let mut warnings = builder.warnings;
    warnings.extend(super::controls::scan_text(text));
    // Warnings in input order; those without a position last (stable sort).
    warnings.sort_by_key(|w| w.pos.map_or((u32::MAX, u32::MAX), |p| (p.line, p.col)));
    Ok(Warned::new(Document { meta, body, notes }, warnings))
}

/// Maps byte offsets to 1-based line and column (columns count characters).
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Pos::new(line as u32, col as u32 + 1)
    }
}

/// How deep elements (quotes, lists, emphasis, …) may nest. Real documents stay far
/// below; the limit keeps every recursive pass over the IR (and the JSON reader's own
/// depth limit of 128) safe from pathological input such as 100 000 `>` in a row.
const MAX_DEPTH: usize = 32;

/// One open element while events stream in.
struct Frame {
    kind: Kind,
    /// Byte offset of the element in the file, for warnings.
    start: usize,
    /// Child blocks of a block container.
    blocks: Vec<Block>,
    /// Child inlines; in a block container, inlines of a tight list item not yet
    /// wrapped in a paragraph.
    inlines: Vec<Inline>,
}

enum Kind {
    Root,
    Paragraph,
    Heading(u8),
    Quote,
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Item,
    Footnote(String),
    Code {
        lang: Option<String>,
        text: String,
    },
    Html(String),
    Table(Vec<TableRow>),
    Row(TableRow),
    Cell,
    Emph,
    Strong,
    Link(String),
    Image(String),
    /// An element the IR has no place for: its content is passed through.
    Other,
}

/// A piece of text from one `Text` event, remembered with where it came from.
struct Segment {
    text: String,
    /// Byte offset of the piece in the file.
    src: usize,
    /// Whether the piece's first character was backslash-escaped in the source.
    escaped: bool,
}

/// A footnote definition as read.
struct Definition {
    blocks: Vec<Block>,
    pos: Pos,
}

struct Builder<'a> {
    src: &'a str,
    lines: &'a LineIndex<'a>,
    options: &'a ReadOptions,
    warnings: Vec<Warning>,
    stack: Vec<Frame>,
    pending: Vec<Segment>,
    definitions: BTreeMap<String, Definition>,
    /// The first call of each author footnote label, for "used but undefined".
    first_call: BTreeMap<String, Pos>,
    /// `[^label]` left as text by the parser (no definition): the first is an error.
    unresolved: Option<(String, Pos)>,
    /// The first appearance of each lacuna number.
    first_gap: BTreeMap<String, Pos>,
    /// The highest lacuna number seen so far, for numbering warnings.
    highest_gap: u64,
    /// An error found while turning text into inlines, returned after the event.
    error: Option<ParseError>,
    /// Where the last text event ended, to recognise backslash escapes.
    last_text_end: usize,
}

impl<'a> Builder<'a> {
    fn new(src: &'a str, lines: &'a LineIndex<'a>, options: &'a ReadOptions) -> Self {
        Builder {
            src,
            lines,
            options,
            warnings: Vec::new(),
            stack: vec![Frame::new(Kind::Root, 0)],
            pending: Vec::new(),
            definitions: BTreeMap::new(),
            first_call: BTreeMap::new(),
            unresolved: None,
            first_gap: BTreeMap::new(),
            highest_gap: 0,
            error: None,
            last_text_end: 0,
        }
    }

    fn warn(&mut self, offset: usize, message: impl Into<String>) {
        let pos = self.lines.pos(offset);
        self.warnings.push(Warning::at(pos, message));
    }

    fn top(&mut self) -> &mut Frame {
        // The root frame is never popped, so the stack is never empty.
        let last = self.stack.len() - 1;
        &mut self.stack[last]
    }

    fn event(&mut self, event: Event<'_>, start: usize, end: usize) -> Result<(), ParseError> {
        match &event {
            Event::Text(_) | Event::SoftBreak => {}
            _ => self.flush_text(),
        }
        match event {
            Event::Start(tag) => {
                if self.stack.len() > MAX_DEPTH {
                    return Err(ParseError::new(
                        self.lines.pos(start),
                        format!("elements nested more than {MAX_DEPTH} deep"),
                    ));
                }
                self.start(tag, start)
            }
            Event::End(_) => self.end()?,
            Event::Text(t) => match &mut self.top().kind {
                Kind::Code { text, .. } => text.push_str(&t),
                Kind::Html(html) => html.push_str(&t),
                _ => {
                    // pulldown-cmark leaves an escaping backslash out of every text
                    // range: a piece is escaped when the one byte between it and the
                    // previous piece is a backslash (`\\[` gives a `\` piece that
                    // ends right where the live `[` starts).
                    let escaped = start > 0
                        && self.last_text_end != start
                        && self.src.as_bytes()[start - 1] == b'\\';
                    self.last_text_end = end;
                    self.pending.push(Segment {
                        text: t.into_string(),
                        src: start,
                        escaped,
                    });
                }
            },
            Event::SoftBreak => self.pending.push(Segment {
                text: " ".to_owned(),
                src: start,
                escaped: false,
            }),
            Event::Code(t) => {
                let code = t.replace('\n', " ");
                self.top().inlines.push(Inline::Code(code));
            }
            Event::Html(t) => match &mut self.top().kind {
                Kind::Html(html) => html.push_str(&t),
                _ => self.inline_html(&t, start),
            },
            Event::InlineHtml(t) => self.inline_html(&t, start),
            Event::FootnoteReference(label) => {
                if let Some(n) = lacuna_label(&label) {
                    return Err(ParseError::new(
                        self.lines.pos(start),
                        format!(
                            "[^{label}] calls the editorial note of lacuna {n}: write the lacuna as ....{label} instead"
                        ),
                    ));
                }
                let pos = self.lines.pos(start);
                self.first_call.entry(label.to_string()).or_insert(pos);
                self.top()
                    .inlines
                    .push(Inline::NoteRef(NoteId(label.into_string())));
            }
            Event::HardBreak => self.top().inlines.push(Inline::LineBreak),
            Event::Rule => self.push_block(Block::ThematicBreak),
            other => {
                let text = self.src.get(start..end).unwrap_or_default().to_owned();
                self.warn(
                    start,
                    format!("unsupported Markdown construct {other:?}: kept as text"),
                );
                self.top().inlines.push(Inline::Text(text));
            }
        }
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn start(&mut self, tag: Tag<'_>, start: usize) {
        let kind = match tag {
            Tag::Paragraph => Kind::Paragraph,
            Tag::Heading { level, .. } => Kind::Heading(level as u8),
            Tag::BlockQuote(_) => Kind::Quote,
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        let mut words = info.split_whitespace();
                        let lang = words.next().map(str::to_owned);
                        if words.next().is_some() {
                            self.warn(
                                start,
                                format!(
                                    "code block info \"{}\": only the language is kept",
                                    info.trim()
                                ),
                            );
                        }
                        lang
                    }
                    CodeBlockKind::Indented => None,
                };
                Kind::Code {
                    lang,
                    text: String::new(),
                }
            }
            Tag::HtmlBlock => Kind::Html(String::new()),
            Tag::List(first) => Kind::List {
                start: first,
                items: Vec::new(),
            },
            Tag::Item => Kind::Item,
            Tag::FootnoteDefinition(label) => Kind::Footnote(label.into_string()),
            Tag::Table(aligns) => {
                if aligns.iter().any(|a| *a != pulldown_cmark::Alignment::None) {
                    self.warn(start, "table column alignment is not kept");
                }
                Kind::Table(Vec::new())
            }
            Tag::TableHead => Kind::Row(TableRow {
                header: true,
                cells: Vec::new(),
            }),
            Tag::TableRow => Kind::Row(TableRow {
                header: false,
                cells: Vec::new(),
            }),
            Tag::TableCell => Kind::Cell,
            Tag::Emphasis => Kind::Emph,
            Tag::Strong => Kind::Strong,
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                if !title.is_empty() {
                    self.warn(start, format!("link title \"{}\" is not kept", &*title));
                }
                let target = if link_type == LinkType::Email && !dest_url.starts_with("mailto:") {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.into_string()
                };
                Kind::Link(target)
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                if !title.is_empty() {
                    self.warn(start, format!("image title \"{}\" is not kept", &*title));
                }
                self.check_image(&dest_url, start);
                Kind::Image(dest_url.into_string())
            }
            other => {
                self.warn(
                    start,
                    format!("unsupported Markdown element {other:?}: only its content is kept"),
                );
                Kind::Other
            }
        };
        self.stack.push(Frame::new(kind, start));
    }

    fn end(&mut self) -> Result<(), ParseError> {
        if self.stack.len() < 2 {
            // An end without a start cannot come from pulldown-cmark; ignore it.
            return Ok(());
        }
        let Some(mut frame) = self.stack.pop() else {
            return Ok(());
        };
        match std::mem::replace(&mut frame.kind, Kind::Root) {
            Kind::Root => {}
            Kind::Paragraph => {
                let content = normalise(frame.inlines);
                if !content.is_empty() {
                    self.push_block(Block::Paragraph(content));
                }
            }
            Kind::Heading(level) => {
                let content = normalise(frame.inlines);
                if content.is_empty() {
                    self.warn(frame.start, "empty heading dropped");
                } else {
                    self.push_block(Block::Heading {
                        level,
                        content,
                        id: None,
                    });
                }
            }
            Kind::Quote => {
                frame.wrap_loose_inlines();
                self.push_block(Block::Quote(frame.blocks));
            }
            Kind::List { start, items } => {
                self.push_block(Block::List {
                    ordered: start.is_some(),
                    start: start.filter(|&n| n != 1),
                    items,
                });
            }
            Kind::Item => {
                frame.wrap_loose_inlines();
                if let Kind::List { items, .. } = &mut self.top().kind {
                    items.push(frame.blocks);
                }
            }
            Kind::Footnote(label) => {
                frame.wrap_loose_inlines();
                let pos = self.lines.pos(frame.start);
                if frame.blocks.is_empty() {
                    self.warnings
                        .push(Warning::at(pos, format!("footnote [^{label}] is empty")));
                }
                match self.definitions.entry(label) {
                    std::collections::btree_map::Entry::Occupied(e) => {
                        let message = format!(
                            "footnote [^{}] is defined again: the first definition is kept",
                            e.key()
                        );
                        self.warnings.push(Warning::at(pos, message));
                    }
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(Definition {
                            blocks: frame.blocks,
                            pos,
                        });
                    }
                }
            }
            Kind::Code { lang, mut text } => {
                if text.ends_with('\n') {
                    text.pop();
                }
                self.push_block(Block::Verbatim { lang, text });
            }
            Kind::Html(html) => {
                let (text, comments) = strip_html(&html);
                let text = collapse_spaces(&text);
                if comments > 0 {
                    self.warn(frame.start, "HTML comment dropped");
                }
                if !text.is_empty() {
                    self.warn(frame.start, "raw HTML block: tags stripped, text kept");
                    self.push_block(Block::Paragraph(vec![Inline::Text(text)]));
                } else if comments == 0 {
                    self.warn(frame.start, "raw HTML block without text dropped");
                }
            }
            Kind::Table(rows) => self.push_block(Block::Table(rows)),
            Kind::Row(row) => {
                if let Kind::Table(rows) = &mut self.top().kind {
                    rows.push(row);
                }
            }
            Kind::Cell => {
                let cell = normalise(frame.inlines);
                if let Kind::Row(row) = &mut self.top().kind {
                    row.cells.push(cell);
                }
            }
            Kind::Emph => self.top().inlines.push(Inline::Emph(frame.inlines)),
            Kind::Strong => self.top().inlines.push(Inline::Strong(frame.inlines)),
            Kind::Link(target) => self.top().inlines.push(Inline::Link {
                target,
                content: frame.inlines,
            }),
            Kind::Image(src) => {
                let alt = collapse_spaces(&crate::ir::inline_text(&frame.inlines));
                self.top().inlines.push(Inline::Image { src, alt });
            }
            Kind::Other => {
                frame.wrap_loose_inlines();
                let top = self.top();
                top.inlines.extend(frame.inlines);
                top.blocks.extend(frame.blocks);
            }
        }
        Ok(())
    }

    /// Adds a finished block to the innermost block container.
    fn push_block(&mut self, block: Block) {
        let top = self.top();
        top.wrap_loose_inlines();
        top.blocks.push(block);
    }

    fn finish_body(&mut self) -> Result<Vec<Block>, ParseError> {
        self.flush_text();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        while self.stack.len() > 1 {
            // Unbalanced events cannot come from pulldown-cmark; close what is open.
            let _ = self.end();
        }
        let root = self.top();
        root.wrap_loose_inlines();
        Ok(std::mem::take(&mut root.blocks))
    }

    /// Turns the pending text into inlines: plain text, lacunae, and a note of any
    /// `[^label]` the parser left as text because it has no definition.
    fn flush_text(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let segments = std::mem::take(&mut self.pending);
        let mut text = String::new();
        // (offset in `text`, offset in the file, escaped first character)
        let mut map = Vec::with_capacity(segments.len());
        for seg in &segments {
            map.push((text.len(), seg.src, seg.escaped));
            text.push_str(&seg.text);
        }
        // The file offset of byte `at` of `text`: exact for plain text, the start of
        // the piece for one that came from an escape or entity.
        let locate = |at: usize| -> usize {
            let i = map.partition_point(|&(m, _, _)| m <= at).saturating_sub(1);
            let (m, src, _) = map[i];
            src + (at - m)
        };
        let escaped_in = |range: std::ops::Range<usize>| {
            map.iter()
                .any(|&(m, _, escaped)| escaped && range.contains(&m))
        };
        let mut out = Vec::new();
        let mut plain_from = 0;
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            if let Some(m) = match_lacuna(&text, i) {
                if escaped_in(m.start..m.end) {
                    i = m.end;
                    continue;
                }
                let src = locate(m.start);
                if let Some(shown) = m.shown {
                    if plain_from < m.start {
                        out.push(Inline::Text(text[plain_from..m.start].to_owned()));
                    }
                    let pos = self.lines.pos(src);
                    self.gap_number(&m.number, pos);
                    out.push(Inline::Gap(Gap {
                        reason: GapReason::Omitted,
                        extent: None,
                        shown,
                        note: Some(NoteId(m.number)),
                    }));
                    plain_from = m.end;
                } else {
                    self.warn(
                        src,
                        format!(
                            "`{}` is not a lacuna marker (write ...{{n}}, ....{{n}} or …{{n}}): kept as text",
                            &text[m.start..m.end]
                        ),
                    );
                }
                i = m.end;
                continue;
            }
            // A label ends at `]`; whitespace or `[` first means it is none (and keeps
            // the scan linear on text full of unclosed `[^`).
            if let Some(after) = rest.strip_prefix("[^")
                && let Some(close) = after.find(|c: char| c == ']' || c == '[' || c.is_whitespace())
                && after[close..].starts_with(']')
            {
                let label = &after[..close];
                if !label.is_empty() && !escaped_in(i..i + 1) && self.unresolved.is_none() {
                    let src = locate(i);
                    self.unresolved = Some((label.to_owned(), self.lines.pos(src)));
                }
            }
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
        if plain_from < text.len() {
            out.push(Inline::Text(text[plain_from..].to_owned()));
        }
        self.top().inlines.extend(out);
    }

    /// Records lacuna number `number` at `pos`, warning about repeats and about numbers
    /// out of sequence (with the transcript reader's words: the syntax is the same).
    fn gap_number(&mut self, number: &str, pos: Pos) {
        let n = match number.parse::<u32>() {
            Ok(n) => u64::from(n),
            Err(_) => {
                self.error.get_or_insert_with(|| {
                    ParseError::new(pos, format!("note number {number} is too large"))
                });
                return;
            }
        };
        if let Some(first) = self.first_gap.get(number) {
            self.warnings.push(Warning::at(
                pos,
                format!(
                    "note {{{n}}} is referenced again (first at {first}); both calls share the note"
                ),
            ));
            return;
        }
        let expected = self.highest_gap + 1;
        let highest = self.highest_gap;
        if n > expected {
            let missing = if n == expected + 1 {
                format!("{{{expected}}} is missing")
            } else {
                format!("{{{expected}}}–{{{}}} are missing", n - 1)
            };
            self.warnings.push(Warning::at(
                pos,
                format!("note {{{n}}} follows {{{highest}}}: {missing}"),
            ));
        } else if n < expected {
            self.warnings.push(Warning::at(
                pos,
                format!("note {{{n}}} is out of order: it comes after {{{highest}}}"),
            ));
        }
        self.highest_gap = highest.max(n);
        self.first_gap.insert(number.to_owned(), pos);
    }

    /// Keeps the text of an inline HTML tag's surroundings and drops the tag, warning.
    fn inline_html(&mut self, html: &str, start: usize) {
        let tag = html.trim();
        let name = tag
            .trim_start_matches('<')
            .trim_start_matches('/')
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let shown = collapse_spaces(tag);
        if tag.starts_with("<!--") {
            self.warn(start, "HTML comment dropped");
        } else if let Some(cdata) = tag.strip_prefix("<![CDATA[") {
            self.warn(start, "raw HTML CDATA section: markup dropped, text kept");
            let text = cdata.strip_suffix("]]>").unwrap_or(cdata);
            self.top().inlines.push(Inline::Text(text.to_owned()));
        } else if name == "br" {
            self.top().inlines.push(Inline::LineBreak);
        } else if tag.starts_with("<?") || tag.starts_with("<!") {
            self.warn(start, format!("raw HTML {shown} dropped"));
        } else if tag.starts_with('<') {
            self.warn(
                start,
                format!("raw HTML tag {shown} dropped; the text it marks up is kept"),
            );
        } else {
            // Not a tag after all: keep it as text.
            let (text, _) = strip_html(html);
            self.top().inlines.push(Inline::Text(text));
        }
    }

    /// Warns when a local image file does not exist relative to the input's folder.
    fn check_image(&mut self, src: &str, start: usize) {
        let Some(base) = &self.options.base_dir else {
            return;
        };
        if src.contains("://") || src.starts_with("data:") || src.is_empty() {
            return;
        }
        let path = percent_decode(src.split(['#', '?']).next().unwrap_or(src));
        if !base.join(&path).is_file() {
            self.warn(
                start,
                format!("image {src} not found beside the input file"),
            );
        }
    }

    /// Numbers author footnotes and lacunae by first appearance (body first, then the
    /// notes in order), checks calls against definitions, and builds the note list.
    fn number_notes(
        &mut self,
        mut body: Vec<Block>,
        gap_note: &str,
    ) -> Result<(Vec<Block>, Vec<Note>), ParseError> {
        if let Some((label, pos)) = &self.unresolved {
            let message = if self.definitions.contains_key(label) {
                format!(
                    "footnote call [^{label}] is not recognised here (write \\[^{label}] for the literal text)"
                )
            } else {
                format!(
                    "footnote [^{label}] is used but not defined (write \\[^{label}] for the literal text)"
                )
            };
            return Err(ParseError::new(*pos, message));
        }
        let mut author: Vec<String> = Vec::new();
        let mut editorial: Vec<String> = Vec::new();
        let mut seen_author = BTreeSet::new();
        let mut seen_editorial = BTreeSet::new();
        {
            let defs = &self.definitions;
            let mut queue: VecDeque<&[Block]> = VecDeque::from([body.as_slice()]);
            while let Some(blocks) = queue.pop_front() {
                crate::transform::walk_inlines(blocks, &mut |inline| match inline {
                    Inline::NoteRef(id) if seen_author.insert(id.0.as_str()) => {
                        author.push(id.0.clone());
                        if let Some(d) = defs.get(&id.0) {
                            queue.push_back(&d.blocks);
                        }
                    }
                    Inline::Gap(Gap { note: Some(id), .. })
                        if seen_editorial.insert(id.0.as_str()) =>
                    {
                        editorial.push(id.0.clone());
                        if let Some(d) = defs.get(&format!("{{{}}}", id.0)) {
                            queue.push_back(&d.blocks);
                        }
                    }
                    _ => {}
                });
            }
        }
        // Report the undefined call that comes first in the file.
        if let Some((pos, label)) = author
            .iter()
            .filter(|l| !self.definitions.contains_key(*l))
            .map(|l| (self.first_call.get(l).copied().unwrap_or(Pos::new(1, 1)), l))
            .min()
        {
            return Err(ParseError::new(
                pos,
                format!("footnote [^{label}] is used but not defined"),
            ));
        }
        // Editorial notes keep the source's numbers, as in the transcript reader:
        // `....{3}` calls note e3.
        editorial.sort_by_key(|n| n.parse::<u32>().unwrap_or(u32::MAX));
        for (label, def) in &self.definitions {
            let used = match lacuna_label(label) {
                Some(n) => seen_editorial.contains(n.as_str()),
                None => seen_author.contains(label.as_str()),
            };
            if !used {
                let message = match lacuna_label(label) {
                    Some(n) => format!(
                        "editorial note [^{label}] is defined but no lacuna ...{{{n}}} calls it: dropped"
                    ),
                    None => format!("footnote [^{label}] is defined but never used: dropped"),
                };
                self.warnings.push(Warning::at(def.pos, message));
            }
        }
        let author_ids: BTreeMap<&str, NoteId> = author
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), NoteId(format!("a{}", i + 1))))
            .collect();
        let editorial_ids: BTreeMap<&str, NoteId> = editorial
            .iter()
            .map(|l| (l.as_str(), NoteId(format!("e{l}"))))
            .collect();
        let rename = |blocks: &mut [Block]| {
            crate::transform::walk_inlines_mut(blocks, &mut |inline| match inline {
                Inline::NoteRef(id) => {
                    if let Some(new) = author_ids.get(id.0.as_str()) {
                        *id = new.clone();
                    }
                }
                Inline::Gap(Gap { note: Some(id), .. }) => {
                    if let Some(new) = editorial_ids.get(id.0.as_str()) {
                        *id = new.clone();
                    }
                }
                _ => {}
            });
        };
        rename(&mut body);
        let mut notes = Vec::with_capacity(author.len() + editorial.len());
        for (i, label) in author.iter().enumerate() {
            let mut content = self
                .definitions
                .get(label)
                .map(|d| d.blocks.clone())
                .unwrap_or_default();
            rename(&mut content);
            notes.push(Note {
                id: NoteId(format!("a{}", i + 1)),
                series: NoteSeries::Author,
                n: (i + 1).to_string(),
                content,
                resp: None,
            });
        }
        for number in &editorial {
            let mut content = match self.definitions.get(&format!("{{{number}}}")) {
                Some(d) => d.blocks.clone(),
                None => vec![Block::Paragraph(vec![Inline::Text(gap_note.to_owned())])],
            };
            rename(&mut content);
            notes.push(Note {
                id: NoteId(format!("e{number}")),
                series: NoteSeries::Editorial,
                n: number.clone(),
                content,
                resp: None,
            });
        }
        Ok((body, notes))
    }
}

impl Frame {
    fn new(kind: Kind, start: usize) -> Self {
        Frame {
            kind,
            start,
            blocks: Vec::new(),
            inlines: Vec::new(),
        }
    }

    /// Wraps inlines that sit directly in a block container (a tight list item's text)
    /// into a paragraph.
    fn wrap_loose_inlines(&mut self) {
        if self.inlines.is_empty() {
            return;
        }
        let content = normalise(std::mem::take(&mut self.inlines));
        if !content.is_empty() {
            self.blocks.push(Block::Paragraph(content));
        }
    }
}

/// A lacuna marker found in text: `{n}` after dots or an ellipsis.
struct LacunaMatch {
    start: usize,
    end: usize,
    number: String,
    /// The dots as printed; `None` when the dots are not a marker (1, 2 or 5+ dots).
    shown: Option<String>,
}

/// Matches a lacuna marker starting at byte `i` of `text`: a run of dots (or one `…`)
/// followed by `{digits}`. Only a run that starts at `i` matches, so that the scan
/// finds a marker at its first dot.
fn match_lacuna(text: &str, i: usize) -> Option<LacunaMatch> {
    let rest = &text[i..];
    if i > 0 && text[..i].ends_with('.') {
        return None;
    }
    let dots = if rest.starts_with('…') {
        '…'.len_utf8()
    } else {
        rest.bytes().take_while(|&b| b == b'.').count()
    };
    if dots == 0 {
        return None;
    }
    let after = &rest[dots..];
    let inner = after.strip_prefix('{')?;
    let digits = inner.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || !inner[digits..].starts_with('}') {
        return None;
    }
    let number = inner[..digits].trim_start_matches('0');
    let number = if number.is_empty() { "0" } else { number }.to_owned();
    let shown = &rest[..dots];
    let ok = matches!(shown, "..." | "...." | "…");
    Some(LacunaMatch {
        start: i,
        end: i + dots + 1 + digits + 1,
        number,
        shown: ok.then(|| shown.to_owned()),
    })
}

/// Decodes `%XX` escapes in a URL path (`my%20figure.png`); invalid ones stay as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// Returns the lacuna number of a footnote label `{n}`.
fn lacuna_label(label: &str) -> Option<String> {
    let inner = label.strip_prefix('{')?.strip_suffix('}')?;
    if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = inner.trim_start_matches('0');
    Some(if n.is_empty() { "0" } else { n }.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> Warned<Document> {
        read(text, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn para(doc: &Document, i: usize) -> &[Inline] {
        match &doc.body[i] {
            Block::Paragraph(c) => c,
            other => panic!("not a paragraph: {other:?}"),
        }
    }

    #[test]
    fn normalises_spaces_and_soft_breaks() {
        let doc = md("  one  two\nthree *four*  five\n").value;
        assert_eq!(
            para(&doc, 0),
            [
                Inline::Text("one two three ".into()),
                Inline::Emph(vec![Inline::Text("four".into())]),
                Inline::Text(" five".into())
            ]
        );
    }

    #[test]
    fn finds_lacunae_in_text_but_not_when_escaped() {
        let doc = md("a ....{2} b …{1} c ...\\{3} d ..{4}\n");
        let p = para(&doc.value, 0);
        let gaps: Vec<_> = p
            .iter()
            .filter_map(|i| match i {
                Inline::Gap(g) => Some((g.shown.as_str(), g.note.clone().unwrap().0)),
                _ => None,
            })
            .collect();
        assert_eq!(gaps, [("....", "e2".to_owned()), ("…", "e1".to_owned())]);
        assert!(crate::ir::inline_text(p).ends_with("c ...{3} d ..{4}"));
        let notes: Vec<_> = doc
            .value
            .notes
            .iter()
            .map(|n| (n.id.0.as_str(), n.n.as_str(), n.series))
            .collect();
        assert_eq!(
            notes,
            [
                ("e1", "1", NoteSeries::Editorial),
                ("e2", "2", NoteSeries::Editorial)
            ]
        );
        let messages: Vec<_> = doc.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "note {2} follows {0}: {1} is missing",
                "note {1} is out of order: it comes after {2}",
                "`..{4}` is not a lacuna marker (write ...{n}, ....{n} or …{n}): kept as text"
            ]
        );
    }

    #[test]
    fn a_huge_lacuna_number_is_an_error() {
        let e = read("x ....{99999999999} y\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(e.pos, Pos::new(1, 3));
    }

    #[test]
    fn undefined_footnote_is_an_error_at_its_position() {
        let e = read("Para.\n\nSee [^nope] here.\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(e.pos, Pos::new(3, 5));
        assert!(e.message.contains("[^nope]"), "{e}");
        assert!(read("See \\[^nope] here.\n", &ReadOptions::default()).is_ok());
        let e = read("See \\\\[^nope] here.\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(e.pos, Pos::new(1, 7));
    }

    #[test]
    fn line_index_counts_characters() {
        let text = "ab\nцд[x\n";
        let l = LineIndex::new(text);
        assert_eq!(l.pos(0), Pos::new(1, 1));
        assert_eq!(l.pos(3), Pos::new(2, 1));
        assert_eq!(l.pos(text.find('[').unwrap()), Pos::new(2, 3));
        assert_eq!(l.pos(text.len()), Pos::new(3, 1));
    }

    #[test]
    fn notes_called_from_notes_are_numbered_after_the_body() {
        let doc =
            md("A[^x] and ....{1}.\n\n[^y]: Inner, with a lacuna ...{2}.\n\n[^x]: Outer[^y].\n")
                .value;
        let ids: Vec<_> = doc.notes.iter().map(|n| n.id.0.as_str()).collect();
        assert_eq!(ids, ["a1", "a2", "e1", "e2"]);
        let outer = &doc.notes[0].content;
        assert!(
            matches!(&outer[0], Block::Paragraph(p) if p.contains(&Inline::NoteRef(NoteId("a2".into()))))
        );
        let inner = crate::ir::blocks_text(&doc.notes[1].content);
        // The gap shows as its three dots, followed by the sentence's full stop.
        assert_eq!(inner, "Inner, with a lacuna ....\n");
    }

    #[test]
    fn note_text_and_language_come_from_the_document_then_the_options() {
        let options = ReadOptions {
            gap_note: "Cut by the censor.".into(),
            lang: "ru".into(),
            ..ReadOptions::default()
        };
        let note = |doc: &Document| crate::ir::blocks_text(&doc.notes[0].content);
        let doc = read("a ....{1} b\n", &options).unwrap().value;
        assert_eq!(
            (note(&doc).as_str(), doc.meta.lang.as_str()),
            ("Cut by the censor.\n", "ru")
        );
        let text = "---\ngap_note: Torn.\nlang: de\n---\na ....{1} b\n";
        let doc = read(text, &options).unwrap().value;
        assert_eq!(
            (note(&doc).as_str(), doc.meta.lang.as_str()),
            ("Torn.\n", "de")
        );
        let text = "---\ngap_note: Torn.\n---\na ....{1} b\n\n[^{1}]: Own text.\n";
        let doc = read(text, &options).unwrap().value;
        assert_eq!(note(&doc), "Own text.\n");
    }

    #[test]
    fn decodes_percent_escapes_in_image_paths() {
        assert_eq!(percent_decode("my%20fig%C3%BC.png"), "my figü.png");
        assert_eq!(percent_decode("100%.png"), "100%.png");
        assert_eq!(percent_decode("%zz%2"), "%zz%2");
    }
}
