//! The PDF backend: sets a document with the typesetting engine, cuts it into pages with
//! the page builder and writes each page as soon as it is finished.
//!
//! The page: the style's text block; a title block at the head of the first page
//! (title, subtitle, authors); body paragraphs justified by Knuth–Plass with a first-line
//! indent except after headings and breaks; footnotes in the note size below a short
//! rule on the page of their call, which is a superscript number after the lacuna as
//! printed ("…." + ¹), linked to the note and back; incidents in italics; a running head
//! (the title) from the second page on and a centred folio on every page. The colophon
//! (`meta.source`) closes the text as an end note in the note size, as in the printed
//! source.
//!
//! An image alone in its paragraph is a figure: at its own resolution (96 pixels per
//! inch when the file gives none), shrunk to the width of the text and to at most 60 %
//! of the block's height, centred, with its alternative text as an italic caption in the
//! note size; it never breaks across pages (it goes to the next page when it does not
//! fit). PNG and JPEG files inside the input's folder are embedded (the same rules as the
//! EPUB: `crate::write::media`); an image in running text, or one that is missing, unsafe
//! or of another format, is set as its alternative text in brackets, with a warning.
//!
//! When a document has both author and editorial notes, editorial notes are called with
//! letters (a, b, …) so that the two series cannot be confused; otherwise with numbers.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{PdfMeta, PdfWriter};
use crate::diag::{Warned, Warning, WriteError};
use crate::ir::{self, Block, Document, Inline, Note, NoteId, NoteSeries};
use crate::style::{Align, Style};
use crate::typeset::frame::{ImageData, OutlineEntry, Page, PageItem, Rect};
use crate::typeset::page::{Flow, Geometry, PageBuilder, PageSink, SetLine, widow_orphan_breaks};
use crate::typeset::paragraph::{Line, Measure, Span, SpanStyle, Typesetter, spans_from_inlines};
use crate::write::media::{self, ImageFormat};
use crate::write::{WriteContext, WriteResult};

/// The largest share of the text block's height a figure takes.
const MAX_FIGURE_HEIGHT: f64 = 0.6;

/// Writes `doc` as a PDF.
pub fn write(doc: &Document, ctx: &WriteContext<'_>, out: &mut dyn Write) -> WriteResult {
    let mut meta = PdfMeta::from_ir(&doc.meta, ctx.timestamp);
    // Without a subtitle, the source description is the best one-line subject.
    if meta.subject.is_none() {
        meta.subject = doc.meta.source.as_ref().map(|s| s.bibl.clone());
    }
    let faces = crate::typeset::font::FontBook::bundled().face_set();
    let mut pdf = PdfWriter::new(out, &faces, &meta)?;
    // Sixteen pages' content streams are compressed at a time, in parallel: the cores
    // share the work, the bytes are the same as one page at a time.
    pdf.compress_ahead(16);
    let mut writer = ToPdf(pdf);
    let set = typeset_with_images(doc, ctx.style, ctx.base_dir.as_deref(), &mut writer)?;
    let mut warnings = set.warnings;
    let done = writer.0.finish(&set.value.outline)?;
    warnings.extend(done.warnings);
    Ok(warnings)
}

/// Hands pages to the PDF writer.
struct ToPdf<W: Write>(PdfWriter<W>);

impl<W: Write> PageSink for ToPdf<W> {
    fn page(&mut self, _number: usize, page: Page) -> Result<(), WriteError> {
        self.0.write_page(&page).map_err(WriteError::from)
    }
}

/// What typesetting a document gives besides its pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Typeset {
    /// The number of pages made.
    pub pages: usize,
    /// The outline entries, from the title and headings.
    pub outline: Vec<OutlineEntry>,
    /// The page geometry used.
    pub geometry: Geometry,
}

/// Sets `doc` in `style` and hands each finished page, running head and folio included,
/// to `sink`. A document with no body still gives one page (with its title, if any).
/// Images are set as their alternative text: see [`typeset_with_images`].
pub fn typeset<S: PageSink>(
    doc: &Document,
    style: &Style,
    sink: &mut S,
) -> Result<Warned<Typeset>, WriteError> {
    typeset_with_images(doc, style, None, sink)
}

/// Sets `doc` like [`typeset`], with the images it refers to found in `base_dir` (the
/// input's folder): an image alone in its paragraph becomes a figure.
pub fn typeset_with_images<S: PageSink>(
    doc: &Document,
    style: &Style,
    base_dir: Option<&Path>,
    sink: &mut S,
) -> Result<Warned<Typeset>, WriteError> {
    use crate::transform::transcription::{Strike, convention, present};
    // Transcription markup is shown by the style's convention; the typesetter draws no
    // rules, so struck-through text carries a combining stroke.
    let shown = present(
        doc,
        convention(doc, style.transcription.convention),
        Strike::Combining,
    );
    let doc = &*shown;
    let mut setter = BookSetter::new(doc, style);
    setter.base_dir = base_dir.map(Path::to_owned);
    let title = doc.meta.title.as_deref().map(|t| match cut_title(t) {
        Some(cut) => {
            setter.warnings.push(Warning::general(format!(
                "the title is {} characters long, more than a title page shows; cut to its \
                 first {MAX_TITLE_CHARS} in the PDF",
                t.chars().count()
            )));
            cut
        }
        None => t.to_owned(),
    });
    setter.title = title.clone();
    let geometry = geometry(style);
    let mut decorated = Decorate {
        inner: sink,
        heads: Typesetter::new(&unhyphenated(style), &doc.meta.lang),
        head_line: None,
        title,
        geometry,
        size: style.running.size.to_pt(setter.size),
        head: style.running.head,
        folio: style.running.folio,
    };
    let mut builder = PageBuilder::new(geometry, &mut decorated);
    setter.title_block(&mut builder)?;
    setter.blocks(&doc.body, Frame::full(geometry.block_width), &mut builder)?;
    setter.colophon(&mut builder)?;
    let (mut pages, overfull) = builder.finish()?;
    let mut warnings = std::mem::take(&mut setter.warnings);
    if overfull > 0 {
        warnings.push(Warning::general(format!(
            "{overfull} line(s) could not be kept inside the text block"
        )));
    }
    if pages == 0 {
        let empty = Page {
            width: geometry.width,
            height: geometry.height,
            items: Vec::new(),
        };
        decorated.page(1, empty)?;
        pages = 1;
    }
    let set = Typeset {
        pages,
        outline: setter.outline,
        geometry,
    };
    Ok(Warned::new(set, warnings))
}

/// Page geometry from the style: recto pages have the inner margin on the left.
fn geometry(style: &Style) -> Geometry {
    let size = style.text.size.to_pt(10.0);
    let p = &style.page;
    let (width, height) = (p.width.to_pt(size), p.height.to_pt(size));
    let (top, bottom) = (p.top.to_pt(size), p.bottom.to_pt(size));
    let (inner, outer) = (p.inner.to_pt(size), p.outer.to_pt(size));
    Geometry {
        width,
        height,
        top,
        left_recto: inner,
        left_verso: outer,
        block_height: height - top - bottom,
        block_width: width - inner - outer,
        top_skip: size,
        note_skip: style.notes.space_before.to_pt(size),
        note_rule: style.notes.rule.to_pt(size),
    }
}

fn unhyphenated(style: &Style) -> Style {
    let mut s = style.clone();
    s.text.hyphenate = false;
    s
}

/// The longest title the PDF sets, in characters: a page shows about 2,000 characters
/// at the title's size, and a title set across pages (and its running head on every
/// one) helps no reader.
const MAX_TITLE_CHARS: usize = 1_000;

/// Returns `title` cut to [`MAX_TITLE_CHARS`] at a space where possible, with an
/// ellipsis, or `None` when it is short enough.
fn cut_title(title: &str) -> Option<String> {
    let (end, _) = title.char_indices().nth(MAX_TITLE_CHARS)?;
    let head = &title[..end];
    let head = match head.rfind(char::is_whitespace) {
        Some(space) if space > end / 2 => &head[..space],
        _ => head,
    };
    Some(format!("{}\u{2026}", head.trim_end()))
}

/// Adds running heads and folios, then hands each page on.
struct Decorate<'s, S: PageSink> {
    inner: &'s mut S,
    heads: Typesetter,
    /// The running head, set once (the title does not change from page to page).
    head_line: Option<Option<Line>>,
    title: Option<String>,
    geometry: Geometry,
    size: f64,
    head: bool,
    folio: bool,
}

impl<S: PageSink> PageSink for Decorate<'_, S> {
    fn page(&mut self, number: usize, mut page: Page) -> Result<(), WriteError> {
        let g = self.geometry;
        let left = if number % 2 == 1 {
            g.left_recto
        } else {
            g.left_verso
        };
        let (head, folio) = (self.head, self.folio);
        let measure = Measure::new(g.block_width, 0.0, Align::Center);
        let style = SpanStyle::regular(self.size);
        if head
            && number > 1
            && let Some(title) = &self.title
        {
            let heads = &mut self.heads;
            let line = self.head_line.get_or_insert_with(|| {
                let spans = [Span::new(
                    title.clone(),
                    SpanStyle {
                        italic: true,
                        ..style
                    },
                )];
                heads
                    .set_paragraph(&spans, &measure)
                    .value
                    .into_iter()
                    .next()
            });
            if let Some(line) = line {
                page.items
                    .extend(line.to_items(left, g.top - 2.0 * self.size));
            }
        }
        if folio {
            let spans = [Span::new(number.to_string(), style)];
            let lines = self.heads.set_paragraph(&spans, &measure).value;
            if let Some(line) = lines.into_iter().next() {
                let y = g.top + g.block_height + (g.height - g.top - g.block_height) / 2.0;
                page.items.extend(line.into_items(left, y));
            }
        }
        self.inner.page(number, page)
    }
}

/// The horizontal frame blocks are set in: left offset within the text block and width.
#[derive(Debug, Clone, Copy)]
struct Frame {
    left: f64,
    width: f64,
}

impl Frame {
    fn full(width: f64) -> Frame {
        Frame { left: 0.0, width }
    }

    fn indented(self, left: f64, right: f64) -> Frame {
        Frame {
            left: self.left + left,
            width: (self.width - left - right).max(self.width / 3.0),
        }
    }
}

/// Sets the document's blocks into flow for the page builder.
struct BookSetter<'d> {
    doc: &'d Document,
    style: &'d Style,
    /// Body text, hyphenated.
    text: Typesetter,
    /// Headings, titles and verbatim text: not hyphenated.
    plain: Typesetter,
    size: f64,
    leading: f64,
    note_size: f64,
    note_leading: f64,
    /// Printed labels of notes by id.
    labels: BTreeMap<NoteId, String>,
    /// The notes by id (`Document::note` searches the list: quadratic over thousands).
    notes: BTreeMap<&'d NoteId, &'d Note>,
    outline: Vec<OutlineEntry>,
    warnings: Vec<Warning>,
    /// Whether the next paragraph is indented (not after a heading or a break).
    indent_next: bool,
    headings: usize,
    /// A list label waiting for the first line of its item.
    pending_label: Option<Vec<PageItem>>,
    /// The input's folder, where images are looked for.
    base_dir: Option<PathBuf>,
    /// Images loaded so far (compressed), or why they cannot be, by `src`.
    images: BTreeMap<String, Result<Arc<ImageData>, String>>,
    /// The span warnings given so far, to give each once.
    span_warnings: BTreeSet<String>,
    /// The title as the PDF shows it (cut when longer than [`MAX_TITLE_CHARS`]).
    title: Option<String>,
    /// Notes already placed at an earlier call.
    noted: BTreeSet<NoteId>,
}

type Builder<'b, 's, S> = PageBuilder<'b, Decorate<'s, S>>;

impl<'d> BookSetter<'d> {
    fn new(doc: &'d Document, style: &'d Style) -> Self {
        let size = style.text.size.to_pt(10.0);
        let mixed = doc.notes.iter().any(|n| n.series == NoteSeries::Author)
            && doc.notes.iter().any(|n| n.series == NoteSeries::Editorial);
        let mut letters = 0usize;
        let labels = doc
            .notes
            .iter()
            .map(|n| {
                let label = if mixed && n.series == NoteSeries::Editorial {
                    letters += 1;
                    letter_label(letters)
                } else {
                    n.n.clone()
                };
                (n.id.clone(), label)
            })
            .collect();
        BookSetter {
            doc,
            style,
            text: Typesetter::new(style, &doc.meta.lang),
            plain: Typesetter::new(&unhyphenated(style), &doc.meta.lang),
            size,
            leading: style.text.leading.to_pt(size),
            note_size: style.notes.size.to_pt(size),
            note_leading: style.notes.leading.to_pt(size),
            labels,
            notes: doc.notes.iter().map(|n| (&n.id, n)).collect(),
            outline: Vec::new(),
            warnings: Vec::new(),
            indent_next: false,
            headings: 0,
            pending_label: None,
            base_dir: None,
            images: BTreeMap::new(),
            noted: BTreeSet::new(),
            title: None,
            span_warnings: BTreeSet::new(),
        }
    }

    fn label(&self, id: &NoteId) -> String {
        self.labels
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    /// Sets spans into lines, collecting the engine's warnings.
    fn set(&mut self, spans: &[Span], measure: &Measure, plain: bool) -> Vec<Line> {
        let ts = if plain {
            &mut self.plain
        } else {
            &mut self.text
        };
        let set = ts.set_paragraph(spans, measure);
        self.warnings.extend(set.warnings);
        set.value
    }

    /// Sets display lines (titles, centred headings) centred and balanced: at the
    /// narrowest measure that needs no more lines than the full width, found by
    /// bisection, so that a two-line title breaks near its middle rather than after its
    /// first word. Returns the lines and the offset of the narrower measure.
    fn set_centred(&mut self, spans: &[Span], width: f64) -> (Vec<Line>, f64) {
        let centre = |w: f64| Measure::new(w, 0.0, Align::Center);
        let fits = |ts: &mut Typesetter, w: f64, n: usize| {
            let lines = ts.set_paragraph(spans, &centre(w)).value;
            lines.len() <= n && lines.iter().all(|l| !l.overfull)
        };
        let n = self.plain.set_paragraph(spans, &centre(width)).value.len();
        let mut best = width;
        if n > 1 {
            let mut lo = width / n as f64;
            for _ in 0..12 {
                let mid = (lo + best) / 2.0;
                if fits(&mut self.plain, mid, n) {
                    best = mid;
                } else {
                    lo = mid;
                }
            }
        }
        let lines = self.set(spans, &centre(best), true);
        (lines, (width - best) / 2.0)
    }

    fn spans(&mut self, inlines: &[Inline], base: SpanStyle) -> Vec<Span> {
        let labels = &self.labels;
        let label = |id: &NoteId| labels.get(id).cloned().unwrap_or_else(|| id.to_string());
        let spans = spans_from_inlines(inlines, base, &label);
        for w in spans.warnings {
            // A set, not a search of the list: a document with thousands of such
            // warnings would otherwise take quadratic time.
            if self.span_warnings.insert(w.to_string()) {
                self.warnings.push(w);
            }
        }
        spans.value
    }

    /// Turns set lines into flow lines at `frame`, with widow/orphan breaks and the notes
    /// called on each line attached to it.
    fn push_lines<S: PageSink>(
        &mut self,
        lines: Vec<Line>,
        frame: Frame,
        advance: f64,
        keep: bool,
        out: &mut Builder<'_, '_, S>,
    ) -> Result<(), WriteError> {
        let breaks = widow_orphan_breaks(lines.len(), self.style.text.widows_orphans.max(1));
        for (i, line) in lines.into_iter().enumerate() {
            let mut links = Vec::new();
            let mut notes = Vec::new();
            for anchor in &line.anchors {
                let Some(id) = anchor.name.strip_prefix("noteref-") else {
                    continue;
                };
                let id = NoteId(id.to_owned());
                let label = self.label(&id);
                let call_size = self.size * 0.65;
                links.push(PageItem::Link {
                    rect: Rect {
                        x: frame.left + anchor.x - 1.0,
                        y: -self.size * 0.9,
                        w: call_size * 0.55 * label.chars().count() as f64 + 2.0,
                        h: self.size,
                    },
                    target: format!("note-{id}"),
                });
                // A note called again (the calls share it) is printed once, at its
                // first call; setting it at every call made a paragraph of thousands
                // of calls to one note fill thousands of note lines.
                if self.noted.insert(id.clone()) {
                    notes.push(self.note_lines(&id)?);
                }
            }
            let mut items = line.into_items(frame.left, 0.0);
            if let Some(label) = self.pending_label.take() {
                items.extend(label);
            }
            items.extend(links);
            out.push(Flow::Line(SetLine {
                advance,
                items,
                notes,
                break_after: breaks[i] && !keep,
            }))?;
        }
        Ok(())
    }

    /// Sets a note at the note size: its label, then its text; the first line carries
    /// the note's anchor and a link back to the call.
    fn note_lines(&mut self, id: &NoteId) -> Result<Vec<SetLine>, WriteError> {
        let Some(note) = self.notes.get(id).copied() else {
            self.warnings.push(Warning::general(format!(
                "note {id} is called but not defined"
            )));
            return Ok(Vec::new());
        };
        let width = geometry(self.style).block_width;
        let label = self.label(id);
        let base = SpanStyle::regular(self.note_size);
        let mut lines = Vec::new();
        for (b, block) in note.content.iter().enumerate() {
            let mut spans = Vec::new();
            if b == 0 {
                spans.push(Span::new(format!("{label}\u{a0}"), base));
            }
            let inlines = block_inlines(block);
            spans.extend(self.spans(&inlines, base));
            let measure = Measure::new(width, 0.0, self.style.text.align);
            lines.extend(self.set(&spans, &measure, false));
        }
        let mut out: Vec<SetLine> = lines
            .into_iter()
            .map(|line| SetLine {
                advance: self.note_leading,
                items: line.into_items(0.0, 0.0),
                notes: Vec::new(),
                break_after: true,
            })
            .collect();
        if let Some(first) = out.first_mut() {
            first.items.push(PageItem::Anchor {
                name: format!("note-{id}"),
                x: 0.0,
                y: -self.note_size,
            });
            first.items.push(PageItem::Link {
                rect: Rect {
                    x: -1.0,
                    y: -self.note_size,
                    w: self.note_size * 0.55 * label.chars().count() as f64 + 2.0,
                    h: self.note_size * 1.2,
                },
                target: format!("noteref-{id}"),
            });
        }
        Ok(out)
    }

    fn title_block<S: PageSink>(&mut self, out: &mut Builder<'_, '_, S>) -> Result<(), WriteError> {
        let width = geometry(self.style).block_width;
        let frame = Frame::full(width);
        let heading = self.style.headings.size.to_pt(self.size);
        let m = &self.doc.meta;
        let mut any = false;
        if let Some(title) = &self.title.clone() {
            let size = heading * 1.4;
            let spans = [Span::new(title.clone(), SpanStyle::regular(size))];
            let (lines, dx) = self.set_centred(&spans, width);
            self.outline.push(OutlineEntry {
                title: title.clone(),
                level: 1,
                anchor: "title".to_owned(),
            });
            let mut first = true;
            for line in lines {
                let mut items = line.into_items(frame.left + dx, 0.0);
                if first {
                    items.push(PageItem::Anchor {
                        name: "title".into(),
                        x: 0.0,
                        y: -size,
                    });
                    first = false;
                }
                out.push(Flow::Line(SetLine {
                    advance: size * 1.2,
                    items,
                    notes: Vec::new(),
                    break_after: false,
                }))?;
            }
            any = true;
        }
        let mut extra = Vec::new();
        if let Some(sub) = &m.subtitle {
            extra.push((sub.clone(), true));
        }
        if !m.authors.is_empty() {
            extra.push((m.authors.join(", "), false));
        }
        for (text, italic) in extra {
            out.push(Flow::Space(self.leading * 0.5))?;
            let style = SpanStyle {
                italic,
                ..SpanStyle::regular(heading)
            };
            let (lines, dx) = self.set_centred(&[Span::new(text, style)], width);
            self.push_lines(lines, frame.indented(dx, dx), heading * 1.25, true, out)?;
            any = true;
        }
        if any {
            out.push(Flow::Space(self.leading * 2.0))?;
        }
        Ok(())
    }

    fn colophon<S: PageSink>(&mut self, out: &mut Builder<'_, '_, S>) -> Result<(), WriteError> {
        let Some(source) = &self.doc.meta.source else {
            return Ok(());
        };
        let width = geometry(self.style).block_width;
        out.push(Flow::Space(self.leading * 1.5))?;
        let style = SpanStyle {
            italic: true,
            ..SpanStyle::regular(self.note_size)
        };
        let spans = [Span::new(source.bibl.clone(), style)];
        let lines = self.set(&spans, &Measure::new(width, 0.0, Align::Left), true);
        self.push_lines(lines, Frame::full(width), self.note_leading, false, out)
    }

    fn paragraph<S: PageSink>(
        &mut self,
        inlines: &[Inline],
        base: SpanStyle,
        frame: Frame,
        align: Align,
        out: &mut Builder<'_, '_, S>,
    ) -> Result<(), WriteError> {
        let spans = self.spans(inlines, base);
        if spans.iter().all(|s| s.text.trim().is_empty()) {
            return Ok(());
        }
        let indent = if self.indent_next {
            self.style.text.indent.to_pt(self.size)
        } else {
            0.0
        };
        let lines = self.set(&spans, &Measure::new(frame.width, indent, align), false);
        self.push_lines(lines, frame, self.leading, false, out)?;
        self.indent_next = true;
        Ok(())
    }

    fn blocks<S: PageSink>(
        &mut self,
        blocks: &[Block],
        frame: Frame,
        out: &mut Builder<'_, '_, S>,
    ) -> Result<(), WriteError> {
        for block in blocks {
            self.block(block, frame, out)?;
        }
        Ok(())
    }

    fn block<S: PageSink>(
        &mut self,
        block: &Block,
        frame: Frame,
        out: &mut Builder<'_, '_, S>,
    ) -> Result<(), WriteError> {
        let base = SpanStyle::regular(self.size);
        let align = self.style.text.align;
        match block {
            Block::Heading { level, content, .. } => self.heading(*level, content, frame, out)?,
            Block::Paragraph(content) => match lone_image(content) {
                Some((src, alt)) => self.figure(src, alt, frame, out)?,
                None => self.paragraph(content, base, frame, align, out)?,
            },
            Block::Stage(content) => {
                let style = SpanStyle {
                    italic: true,
                    ..base
                };
                self.indent_next = false;
                self.paragraph(
                    content,
                    style,
                    frame.indented(self.size * 2.0, 0.0),
                    Align::Left,
                    out,
                )?;
            }
            Block::Speech {
                speaker, blocks, ..
            } => {
                out.push(Flow::Space(self.leading * 0.5))?;
                if let Some(speaker) = speaker {
                    self.indent_next = false;
                    let style = SpanStyle {
                        small_caps: true,
                        ..base
                    };
                    let spans = self.spans(speaker, style);
                    let lines =
                        self.set(&spans, &Measure::new(frame.width, 0.0, Align::Left), true);
                    self.push_lines(lines, frame, self.leading, true, out)?;
                }
                self.indent_next = false;
                self.blocks(blocks, frame, out)?;
            }
            Block::Quote(blocks) => {
                out.push(Flow::Space(self.leading * 0.5))?;
                self.indent_next = false;
                let inner = frame.indented(self.size * 2.0, self.size * 2.0);
                self.blocks(blocks, inner, out)?;
                out.push(Flow::Space(self.leading * 0.5))?;
                self.indent_next = false;
            }
            Block::Verse(lines) => {
                out.push(Flow::Space(self.leading * 0.5))?;
                let inner = frame.indented(self.size * 2.0, 0.0);
                let mut set = Vec::new();
                for line in lines {
                    let spans = self.spans(line, base);
                    let measure = Measure {
                        widths: vec![inner.width],
                        indent: 0.0,
                        align: Align::Left,
                    };
                    set.extend(self.set(&spans, &measure, true));
                }
                self.push_lines(set, inner, self.leading, false, out)?;
                out.push(Flow::Space(self.leading * 0.5))?;
                self.indent_next = false;
            }
            Block::List {
                ordered,
                start,
                items,
            } => {
                let indent = self.size * 1.8;
                let inner = frame.indented(indent, 0.0);
                for (i, item) in items.iter().enumerate() {
                    let label = if *ordered {
                        format!("{}.", start.unwrap_or(1) + i as u64)
                    } else {
                        "•".to_owned()
                    };
                    self.indent_next = false;
                    let lines = self.set(
                        &[Span::new(label, base)],
                        &Measure::new(indent, 0.0, Align::Left),
                        true,
                    );
                    // The label hangs in the margin of the item's first line.
                    self.pending_label = lines
                        .into_iter()
                        .next()
                        .map(|l| l.into_items(frame.left, 0.0));
                    self.blocks(item, inner, out)?;
                }
                self.indent_next = false;
            }
            Block::Verbatim { text, .. } => {
                let style = SpanStyle::regular(self.size * 0.9);
                let mut set = Vec::new();
                for line in text.lines() {
                    let spans = [Span::new(line.replace(' ', "\u{a0}"), style)];
                    let measure = Measure::new(frame.width, 0.0, Align::Left);
                    set.extend(self.set(&spans, &measure, true));
                }
                out.push(Flow::Space(self.leading * 0.5))?;
                self.push_lines(
                    set,
                    frame.indented(self.size, 0.0),
                    self.leading * 0.9,
                    false,
                    out,
                )?;
                out.push(Flow::Space(self.leading * 0.5))?;
                self.indent_next = false;
            }
            Block::Table(rows) => self.table(rows, frame, out)?,
            Block::ThematicBreak => {
                out.push(Flow::Space(self.leading * 0.5))?;
                let lines = self.set(
                    &[Span::new("*\u{2003}*\u{2003}*", base)],
                    &Measure::new(frame.width, 0.0, Align::Center),
                    true,
                );
                self.push_lines(lines, frame, self.leading, false, out)?;
                out.push(Flow::Space(self.leading * 0.5))?;
                self.indent_next = false;
            }
            Block::PageBreak => {
                out.push(Flow::NewPage)?;
                self.indent_next = false;
            }
        }
        Ok(())
    }

    /// Sets an image as a figure (see the module docs), or its alternative text in
    /// brackets when it cannot be embedded.
    fn figure<S: PageSink>(
        &mut self,
        src: &str,
        alt: &str,
        frame: Frame,
        out: &mut Builder<'_, '_, S>,
    ) -> Result<(), WriteError> {
        let image = match self.load_image(src) {
            Ok(image) => image,
            Err(why) => {
                self.warnings.push(Warning::general(format!(
                    "image {src:?} not embedded ({why}); its alternative text is shown instead"
                )));
                let shown = if alt.trim().is_empty() { "image" } else { alt };
                let text = [Inline::Text(format!("[{shown}]"))];
                let base = SpanStyle::regular(self.size);
                return self.paragraph(&text, base, frame, self.style.text.align, out);
            }
        };
        let g = geometry(self.style);
        let (natural_w, natural_h) = image.natural_size();
        let scale = (frame.width / natural_w)
            .min(g.block_height * MAX_FIGURE_HEIGHT / natural_h)
            .min(1.0);
        let (w, h) = (natural_w * scale, natural_h * scale);
        out.push(Flow::Space(self.leading * 0.75))?;
        // The image hangs from a line whose advance is the page's top skip, so that it
        // starts where the previous line ended, or at the top of the text block on a new
        // page (where the page builder advances the first line by the top skip). A space
        // of the rest of its height follows; no page may break until the caption is set,
        // so the figure moves to the next page whole when it does not fit.
        let mut items = vec![PageItem::Image {
            rect: Rect {
                x: frame.left + (frame.width - w) / 2.0,
                y: -g.top_skip,
                w,
                h,
            },
            image,
        }];
        if let Some(label) = self.pending_label.take() {
            items.extend(label);
        }
        out.push(Flow::Line(SetLine {
            advance: g.top_skip,
            items,
            notes: Vec::new(),
            break_after: false,
        }))?;
        out.push(Flow::Space(h - g.top_skip))?;
        let mut caption = Vec::new();
        if !alt.trim().is_empty() {
            out.push(Flow::Space(self.note_size * 0.4))?;
            let style = SpanStyle {
                italic: true,
                ..SpanStyle::regular(self.note_size)
            };
            let spans = [Span::new(alt.trim(), style)];
            let measure = Measure::new(frame.width, 0.0, Align::Center);
            caption = self.set(&spans, &measure, true);
        }
        if caption.is_empty() {
            // A line of no height closes the figure: the page builder breaks only after lines.
            out.push(Flow::Line(SetLine {
                advance: 0.0,
                items: Vec::new(),
                notes: Vec::new(),
                break_after: true,
            }))?;
        } else {
            let last = caption.len() - 1;
            for (i, line) in caption.iter().enumerate() {
                out.push(Flow::Line(SetLine {
                    advance: self.note_leading,
                    items: line.to_items(frame.left, 0.0),
                    notes: Vec::new(),
                    break_after: i == last,
                }))?;
            }
        }
        out.push(Flow::Space(self.leading * 0.75))?;
        self.indent_next = false;
        Ok(())
    }

    /// Loads the image `src` from the input's folder, once per `src`.
    fn load_image(&mut self, src: &str) -> Result<Arc<ImageData>, String> {
        if let Some(done) = self.images.get(src) {
            return done.clone();
        }
        let loaded = media::resolve(self.base_dir.as_deref(), src)
            .and_then(|path| media::read_image(&path))
            .and_then(|(format, data)| {
                match format {
                    ImageFormat::Png => ImageData::from_png(&data),
                    ImageFormat::Jpeg => ImageData::from_jpeg(&data),
                    other => {
                        return Err(format!(
                            "it is a {} image; only PNG and JPEG are embedded in PDF",
                            other.name()
                        ));
                    }
                }
                .map(Arc::new)
                .map_err(|e| e.to_string())
            });
        self.images.insert(src.to_owned(), loaded.clone());
        loaded
    }

    fn heading<S: PageSink>(
        &mut self,
        level: u8,
        content: &[Inline],
        frame: Frame,
        out: &mut Builder<'_, '_, S>,
    ) -> Result<(), WriteError> {
        let big = self.style.headings.size.to_pt(self.size);
        let size = match level {
            1 => big,
            2 => (big + self.size) / 2.0,
            _ => self.size,
        };
        if level == 1 && self.style.headings.new_page && self.headings > 0 {
            out.push(Flow::NewPage)?;
        }
        self.headings += 1;
        out.push(Flow::Space(
            self.style.headings.space_before.to_pt(self.size),
        ))?;
        let style = SpanStyle {
            bold: level > 1,
            ..SpanStyle::regular(size)
        };
        let spans = self.spans(content, style);
        let (lines, dx) = if level == 1 {
            self.set_centred(&spans, frame.width)
        } else {
            let lines = self.set(&spans, &Measure::new(frame.width, 0.0, Align::Left), true);
            (lines, 0.0)
        };
        let anchor = format!("h{}", self.headings);
        self.outline.push(OutlineEntry {
            title: ir::inline_text(content),
            level: level.max(1),
            anchor: anchor.clone(),
        });
        let mut first = true;
        for line in lines {
            let mut items = line.into_items(frame.left + dx, 0.0);
            if first {
                items.push(PageItem::Anchor {
                    name: anchor.clone(),
                    x: 0.0,
                    y: -size,
                });
                first = false;
            }
            out.push(Flow::Line(SetLine {
                advance: size * 1.25,
                items,
                notes: Vec::new(),
                break_after: false,
            }))?;
        }
        out.push(Flow::Space(
            self.style.headings.space_after.to_pt(self.size),
        ))?;
        self.indent_next = false;
        Ok(())
    }

    /// Sets a table in equal columns; each row's cells side by side, rows kept whole.
    fn table<S: PageSink>(
        &mut self,
        rows: &[ir::TableRow],
        frame: Frame,
        out: &mut Builder<'_, '_, S>,
    ) -> Result<(), WriteError> {
        let cols = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0).max(1);
        let gap = self.size;
        let col_w = (frame.width - gap * (cols as f64 - 1.0)) / cols as f64;
        out.push(Flow::Space(self.leading * 0.5))?;
        for row in rows {
            let base = SpanStyle {
                bold: row.header,
                ..SpanStyle::regular(self.size * 0.9)
            };
            let mut cells = Vec::new();
            for cell in &row.cells {
                let spans = self.spans(cell, base);
                cells.push(self.set(&spans, &Measure::new(col_w, 0.0, Align::Left), true));
            }
            let height = cells.iter().map(Vec::len).max().unwrap_or(0);
            for i in 0..height {
                let mut items = Vec::new();
                for (c, lines) in cells.iter().enumerate() {
                    if let Some(line) = lines.get(i) {
                        items.extend(line.to_items(frame.left + c as f64 * (col_w + gap), 0.0));
                    }
                }
                out.push(Flow::Line(SetLine {
                    advance: self.leading * 0.9,
                    items,
                    notes: Vec::new(),
                    break_after: i + 1 == height,
                }))?;
            }
        }
        out.push(Flow::Space(self.leading * 0.5))?;
        self.indent_next = false;
        Ok(())
    }
}

/// The inline content of a note's block; blocks other than paragraphs become their text.
fn block_inlines(block: &Block) -> Vec<Inline> {
    match block {
        Block::Paragraph(c) | Block::Stage(c) | Block::Heading { content: c, .. } => c.clone(),
        other => vec![Inline::Text(
            ir::blocks_text(std::slice::from_ref(other))
                .trim()
                .replace('\n', " "),
        )],
    }
}

/// Returns the image of a paragraph that holds nothing else (white space aside).
fn lone_image(content: &[Inline]) -> Option<(&str, &str)> {
    let mut found = None;
    for inline in content {
        match inline {
            Inline::Image { src, alt } if found.is_none() => {
                found = Some((src.as_str(), alt.as_str()))
            }
            Inline::Text(t) if t.trim().is_empty() => {}
            Inline::LineBreak => {}
            _ => return None,
        }
    }
    found
}

/// Returns a, b, …, z, aa, ab, … for 1, 2, …
fn letter_label(mut n: usize) -> String {
    let mut s = Vec::new();
    while n > 0 {
        n -= 1;
        s.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_labels() {
        assert_eq!(letter_label(1), "a");
        assert_eq!(letter_label(26), "z");
        assert_eq!(letter_label(27), "aa");
    }
}
