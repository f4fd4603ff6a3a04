//! A streaming PDF writer for finished pages ([`crate::typeset::frame`]).
//!
//! Pages go to the output as they are handed over: each page's content stream is
//! compressed and written at once (or, after [`PdfWriter::compress_ahead`], a few pages
//! at a time, compressed in parallel, with the same bytes), and what stays in memory until [`PdfWriter::finish`]
//! is small per page (object offsets, link areas, anchor positions) plus, per face, the
//! glyphs used so far and their text. At the end the writer subsets each face to those
//! glyphs and embeds it as a CID-keyed font with a ToUnicode map, resolves the links to
//! their anchors, and writes the outline, the metadata and the cross-reference table.
//!
//! ```
//! use std::sync::Arc;
//! use lacuna::typeset::frame::{FaceData, FaceSet, Page};
//! use lacuna::write::pdf::{PdfMeta, PdfWriter};
//!
//! let data: Arc<[u8]> = std::fs::read("fonts/LinLibertine_R.otf").unwrap().into();
//! let faces = FaceSet {
//!     faces: vec![FaceData { postscript_name: "LinLibertineO".into(), data, index: 0 }],
//! };
//! let meta = PdfMeta { title: Some("Minutes".into()), timestamp: 0, ..PdfMeta::default() };
//! let mut pdf = PdfWriter::new(Vec::new(), &faces, &meta).unwrap();
//! pdf.write_page(&Page { width: 420.0, height: 595.0, items: vec![] }).unwrap();
//! let done = pdf.finish(&[]).unwrap();
//! assert!(done.value.starts_with(b"%PDF-1.7"));
//! ```
//!
//! With the page builder, the writer is the builder's [`PageSink`](crate::typeset::page::PageSink):
//! pages go to the file as the builder cuts them.
//!
//! ```
//! # use std::sync::Arc;
//! # use lacuna::typeset::frame::{FaceData, FaceSet};
//! # let data: Arc<[u8]> = std::fs::read("fonts/LinLibertine_R.otf").unwrap().into();
//! # let faces = FaceSet { faces: vec![FaceData { postscript_name: "LinLibertineO".into(), data, index: 0 }] };
//! use lacuna::typeset::page::{Flow, Geometry, PageBuilder, SetLine};
//! use lacuna::write::pdf::{PdfMeta, PdfWriter};
//!
//! let doc_meta = lacuna::ir::Meta { title: Some("Minutes".into()), ..Default::default() };
//! let meta = PdfMeta::from_ir(&doc_meta, 0); // 0: WriteContext::timestamp
//! let geometry = Geometry {
//!     width: 420.0, height: 595.0, top: 50.0, left_recto: 50.0, left_verso: 40.0,
//!     block_height: 470.0, block_width: 320.0, top_skip: 11.0, note_skip: 12.0,
//!     note_rule: 60.0,
//! };
//! let mut pdf = PdfWriter::new(Vec::new(), &faces, &meta).unwrap();
//! let mut builder = PageBuilder::new(geometry, &mut pdf);
//! let line = SetLine { advance: 13.0, items: vec![], notes: vec![], break_after: true };
//! builder.push(Flow::Line(line)).unwrap();
//! builder.finish().unwrap();
//! let done = pdf.finish(&[]).unwrap(); // the outline entries of the headings
//! assert!(done.warnings.is_empty());
//! ```
//!
//! Why pdf-writer + subsetter rather than printpdf or krilla: see `README.md` beside
//! this file (build time, size and speed measured on the same pages).

mod book;
mod content;
mod font;
mod meta;
mod outline;

use std::collections::BTreeMap;
use std::io::Write;

use pdf_writer::types::{AnnotationFlags, AnnotationType, PageMode};
use pdf_writer::{Chunk, Filter, Finish, Name, Rect, Ref, Str, TextStr};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::diag::{Warned, Warning, WriteError};
use crate::typeset::frame::{FaceSet, OutlineEntry, Page, PageItem};
use crate::typeset::image::{ColorModel, ImageData, Samples};

use font::FaceState;

pub use book::{Typeset, typeset, typeset_with_images, write};

/// Document-level facts the PDF records in its information dictionary and XMP metadata.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PdfMeta {
    /// The document title.
    pub title: Option<String>,
    /// The authors, in order.
    pub authors: Vec<String>,
    /// The document language as a BCP 47 tag (e.g. `en`, `ru`).
    pub lang: Option<String>,
    /// A one-line description of the subject.
    pub subject: Option<String>,
    /// The creation and modification date, in seconds since the Unix epoch (UTC):
    /// `WriteContext::timestamp`, which honours `SOURCE_DATE_EPOCH`.
    pub timestamp: i64,
}

impl PdfMeta {
    /// Takes the title, authors, language and subtitle (as the subject) from the
    /// document's metadata; `timestamp` is `WriteContext::timestamp`.
    pub fn from_ir(meta: &crate::ir::Meta, timestamp: i64) -> PdfMeta {
        PdfMeta {
            title: meta.title.clone(),
            authors: meta.authors.clone(),
            lang: Some(meta.lang.clone()).filter(|l| !l.trim().is_empty()),
            subject: meta.subtitle.clone(),
            timestamp,
        }
    }
}

/// Why a PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Writing to the output failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A face cannot be read or subsetted.
    #[error("font {face}: {message}")]
    Font {
        /// The face's PostScript name.
        face: String,
        /// What went wrong.
        message: String,
    },
    /// A glyph run names a face that is not in the face set.
    #[error("page {page}: no face with id {face} (the face set has {count})")]
    UnknownFace {
        /// The page number, from 1.
        page: usize,
        /// The face id.
        face: u32,
        /// How many faces there are.
        count: usize,
    },
    /// A glyph id beyond the face's glyph count.
    #[error("font {face}: no glyph {glyph}")]
    GlyphOutOfRange {
        /// The face's PostScript name.
        face: String,
        /// The glyph id.
        glyph: u16,
    },
    /// A coordinate or size is not a finite number, a page has no area, or a glyph's
    /// text range is not within its run's text.
    #[error("page {page}: {what}")]
    BadGeometry {
        /// The page number, from 1.
        page: usize,
        /// Which value is wrong.
        what: String,
    },
}

impl From<PdfError> for WriteError {
    fn from(e: PdfError) -> Self {
        match e {
            PdfError::Io(e) => WriteError::Io(e),
            other => WriteError::Unsupported(other.to_string()),
        }
    }
}

/// Counts and hashes the bytes on their way to the output: the count gives object
/// offsets for the cross-reference table, the hash the file identifier.
struct Sink<W> {
    inner: W,
    pos: u64,
    hash: Sha256,
}

impl<W: Write> Sink<W> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), PdfError> {
        self.inner.write_all(bytes)?;
        self.pos += bytes.len() as u64;
        self.hash.update(bytes);
        Ok(())
    }
}

/// A link area waiting for its target to be known (targets may come on later pages).
struct PendingLink {
    annot: Ref,
    rect: Rect,
    target: String,
}

/// A named position: page object and PDF coordinates (origin bottom-left).
#[derive(Debug, Clone, Copy)]
struct Dest {
    page: Ref,
    x: f32,
    y: f32,
}

/// Writes a PDF page by page. See the [module docs](self).
pub struct PdfWriter<W: Write> {
    out: Sink<W>,
    /// Byte offset of each object, indexed by object number; 0 = not yet written.
    offsets: Vec<u64>,
    catalog: Ref,
    page_tree: Ref,
    faces: Vec<FaceState>,
    pages: Vec<Ref>,
    anchors: BTreeMap<String, Dest>,
    links: Vec<PendingLink>,
    meta: PdfMeta,
    warnings: Vec<Warning>,
    /// Images written so far: key → number, and each number's XObject.
    image_numbers: BTreeMap<[u8; 32], usize>,
    image_refs: Vec<Ref>,
    /// Pages built but not yet compressed and written, at most `ahead` of them.
    queue: Vec<QueuedPage>,
    ahead: usize,
}

/// A page whose objects are numbered and built, waiting for its content stream to be
/// compressed (with the pages queued beside it, in parallel).
struct QueuedPage {
    content_ref: Ref,
    content: Vec<u8>,
    page: Chunk,
}

/// What a writer holds between pages, for checking that memory stays bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Buffered {
    /// Pages written so far.
    pub pages: usize,
    /// Bytes written to the output so far.
    pub bytes_written: u64,
    /// An estimate of the heap bytes the writer keeps until `finish` (object offsets,
    /// page ids, anchors, pending links, glyph records); no page content is among them.
    pub retained_bytes: usize,
}

impl<W: Write> PdfWriter<W> {
    /// Starts a PDF on `out`: checks the faces and writes the file header. The writer
    /// issues many small writes: give it a buffered output (`BufWriter`, a `Vec`).
    pub fn new(out: W, faces: &FaceSet, meta: &PdfMeta) -> Result<Self, PdfError> {
        let faces = faces
            .faces
            .iter()
            .map(FaceState::new)
            .collect::<Result<Vec<_>, _>>()?;
        let mut writer = PdfWriter {
            out: Sink {
                inner: out,
                pos: 0,
                hash: Sha256::new(),
            },
            offsets: vec![0],
            catalog: Ref::new(1),
            page_tree: Ref::new(2),
            faces,
            pages: Vec::new(),
            anchors: BTreeMap::new(),
            links: Vec::new(),
            meta: meta.clone(),
            warnings: Vec::new(),
            image_numbers: BTreeMap::new(),
            image_refs: Vec::new(),
            queue: Vec::new(),
            ahead: 1,
        };
        writer.catalog = writer.alloc();
        writer.page_tree = writer.alloc();
        // The binary comment tells transfer tools the file is not text (§7.5.2).
        writer.out.write(b"%PDF-1.7\n%\x80\x81\x82\x83\n")?;
        Ok(writer)
    }

    /// Lets up to `pages` pages wait before they are written, so that their content
    /// streams are compressed in parallel (on the current rayon pool). The bytes are the
    /// same whatever the number: objects are numbered when a page is handed over and
    /// written in that order. The default, 1, writes each page at once.
    pub fn compress_ahead(&mut self, pages: usize) {
        self.ahead = pages.max(1);
    }

    /// Compresses the queued pages' content streams and writes them, in page order.
    fn flush_pages(&mut self) -> Result<(), PdfError> {
        let queue = std::mem::take(&mut self.queue);
        let compressed: Vec<Vec<u8>> = if queue.len() > 1 {
            queue
                .par_iter()
                .map(|q| font::deflate(&q.content))
                .collect()
        } else {
            queue.iter().map(|q| font::deflate(&q.content)).collect()
        };
        for (q, data) in queue.into_iter().zip(compressed) {
            let mut chunk = new_chunk();
            chunk
                .stream(q.content_ref, &data)
                .filter(pdf_writer::Filter::FlateDecode);
            self.emit(chunk)?;
            self.emit(q.page)?;
        }
        Ok(())
    }

    fn alloc(&mut self) -> Ref {
        self.offsets.push(0);
        Ref::new(self.offsets.len() as i32 - 1)
    }

    /// Writes a chunk holding exactly one indirect object, recording its offset.
    fn emit(&mut self, chunk: Chunk) -> Result<(), PdfError> {
        emit_into(&mut self.out, &mut self.offsets, chunk)
    }

    /// Returns what the writer holds so far (pages, bytes out, bytes kept in memory).
    pub fn buffered(&self) -> Buffered {
        let anchors: usize = self
            .anchors
            .keys()
            .map(|k| k.len() + std::mem::size_of::<Dest>() + 48)
            .sum();
        let links: usize = self
            .links
            .iter()
            .map(|l| l.target.len() + std::mem::size_of::<PendingLink>())
            .sum();
        let glyphs: usize = self.faces.iter().map(FaceState::retained_bytes).sum();
        Buffered {
            pages: self.pages.len(),
            bytes_written: self.out.pos,
            retained_bytes: self.offsets.len() * 8
                + self.pages.len() * 4
                + anchors
                + links
                + glyphs
                + self.image_refs.len() * (32 + 8 + 4 + 48),
        }
    }

    /// Writes one finished page: its content stream and page object go to the output
    /// now; its links are resolved at [`finish`](Self::finish).
    pub fn write_page(&mut self, page: &Page) -> Result<(), PdfError> {
        let number = self.pages.len() + 1;
        let bad = |what: String| PdfError::BadGeometry { page: number, what };
        // PDF 32000-1 Annex C.2: page sides between 3 and 14,400 units (200 inches).
        let side = |v: f64| (3.0..=14_400.0).contains(&v);
        if !(side(page.width) && side(page.height)) {
            return Err(bad(format!(
                "page size {} × {} pt is outside 3–14400 pt",
                page.width, page.height
            )));
        }
        // Build (and so check) the content before allocating any object: a page
        // rejected here leaves no object id unwritten, and the writer usable.
        let built = content::build(page, number, &mut self.faces, &self.image_numbers)?;
        // Images new to the file are written now, once; later pages refer to them.
        // Pages waiting in the queue go first, so objects stay in page order.
        if !built.new_images.is_empty() {
            self.flush_pages()?;
        }
        for image in &built.new_images {
            let r = self.write_image(image)?;
            self.image_numbers
                .insert(*image.key(), self.image_refs.len());
            self.image_refs.push(r);
        }
        let page_ref = self.alloc();
        let content_ref = self.alloc();

        let mut annots = Vec::new();
        for item in &page.items {
            match item {
                PageItem::Link { rect, target } => {
                    let annot = self.alloc();
                    annots.push(annot);
                    self.links.push(PendingLink {
                        annot,
                        rect: content::pdf_rect(rect, page.height),
                        target: target.clone(),
                    });
                }
                PageItem::Anchor { name, x, y } => {
                    let dest = Dest {
                        page: page_ref,
                        x: font::round3(*x as f32),
                        y: font::round3((page.height - *y) as f32),
                    };
                    if self.anchors.insert(name.clone(), dest).is_some() {
                        self.warnings.push(Warning::general(format!(
                            "PDF: anchor {name:?} is defined twice; links go to the last one (page {number})"
                        )));
                    }
                }
                PageItem::Text(_) | PageItem::Rule(_) | PageItem::Image { .. } => {}
            }
        }

        let mut font_refs = Vec::new();
        for &face in &built.faces {
            let font_ref = match self.faces[face].font_ref {
                Some(r) => r,
                None => {
                    let r = self.alloc();
                    self.faces[face].font_ref = Some(r);
                    r
                }
            };
            font_refs.push((content::font_name(face), font_ref));
        }

        let mut chunk = new_chunk();
        let media = Rect::new(0.0, 0.0, page.width as f32, page.height as f32);
        let mut p = chunk.page(page_ref);
        p.parent(self.page_tree)
            .media_box(media)
            // The page as the page builder made it is the trimmed page: print shops
            // and PDF/X tools look for the TrimBox.
            .trim_box(media)
            .contents(content_ref);
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        for (name, r) in &font_refs {
            fonts.pair(Name(name.as_bytes()), *r);
        }
        fonts.finish();
        if !built.images.is_empty() {
            let mut x_objects = resources.x_objects();
            for &n in &built.images {
                x_objects.pair(Name(content::image_name(n).as_bytes()), self.image_refs[n]);
            }
            x_objects.finish();
        }
        resources.finish();
        if !annots.is_empty() {
            p.annotations(annots.iter().copied());
        }
        p.finish();
        self.queue.push(QueuedPage {
            content_ref,
            content: built.bytes,
            page: chunk,
        });
        self.pages.push(page_ref);
        if self.queue.len() >= self.ahead {
            self.flush_pages()?;
        }
        Ok(())
    }

    /// Writes an image XObject (and its soft mask, if it has alpha) and returns its id.
    /// A JPEG goes in as it is (DCTDecode); other samples are already zlib-compressed.
    fn write_image(&mut self, image: &ImageData) -> Result<Ref, PdfError> {
        let (width, height) = (image.width() as i32, image.height() as i32);
        let mask = match image.samples() {
            Samples::Deflated {
                alpha: Some(alpha), ..
            } => {
                let r = self.alloc();
                let mut chunk = new_chunk();
                let mut x = chunk.image_xobject(r, alpha);
                x.filter(Filter::FlateDecode);
                predicted(x.decode_parms(), 1, width);
                x.width(width).height(height).bits_per_component(8);
                x.color_space().device_gray();
                x.finish();
                self.emit(chunk)?;
                Some(r)
            }
            _ => None,
        };
        let r = self.alloc();
        let mut chunk = new_chunk();
        let (data, filter, inverted) = match image.samples() {
            Samples::Jpeg { data, inverted } => (data, Filter::DctDecode, *inverted),
            Samples::Deflated { data, .. } => (data, Filter::FlateDecode, false),
        };
        let mut x = chunk.image_xobject(r, data);
        x.filter(filter);
        if filter == Filter::FlateDecode {
            predicted(x.decode_parms(), image.color().components(), width);
        }
        x.width(width).height(height).bits_per_component(8);
        match image.color() {
            ColorModel::Gray => x.color_space().device_gray(),
            ColorModel::Rgb => x.color_space().device_rgb(),
            ColorModel::Cmyk => x.color_space().device_cmyk(),
        }
        if inverted {
            // Adobe writes CMYK JPEGs inverted; the Decode array turns them back (§8.9.5.2).
            x.decode([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        }
        if let Some(mask) = mask {
            x.s_mask(mask);
        }
        x.finish();
        self.emit(chunk)?;
        Ok(r)
    }

    /// Finishes the file: link annotations, named destinations, the outline (from
    /// `outline`, nested by level), the embedded font subsets, the page tree, the
    /// metadata and the cross-reference table. Returns the output with the warnings
    /// (links or outline entries whose anchor never came, duplicate anchors).
    pub fn finish(mut self, outline: &[OutlineEntry]) -> Result<Warned<W>, PdfError> {
        if self.pages.is_empty() {
            // A PDF must have a page (§7.7.3.2); an empty document gets a blank A4 one.
            self.write_page(&Page {
                width: 595.0,
                height: 842.0,
                items: Vec::new(),
            })?;
        }
        self.flush_pages()?;
        self.write_links()?;
        let dests = self.write_named_destinations()?;
        let outline_ref = self.write_outline(outline)?;
        self.write_fonts()?;

        let mut chunk = new_chunk();
        chunk
            .pages(self.page_tree)
            .kids(self.pages.iter().copied())
            .count(self.pages.len() as i32);
        self.emit(chunk)?;

        // The file identifier is a hash of everything before it: same pages, same id.
        let digest = self.out.hash.clone().finalize();
        let id: Vec<u8> = digest[..16].to_vec();
        let info_ref = self.alloc();
        let xmp_ref = self.alloc();
        let (info, xmp) = meta::write(&self.meta, info_ref, xmp_ref, &id);
        self.emit(info)?;
        self.emit(xmp)?;

        let mut chunk = new_chunk();
        let mut catalog = chunk
            .indirect(self.catalog)
            .start::<pdf_writer::writers::Catalog>();
        catalog.pages(self.page_tree).metadata(xmp_ref);
        if let Some(lang) = &self.meta.lang {
            catalog.lang(TextStr(lang));
        }
        catalog.viewer_preferences().display_doc_title(true);
        if let Some(r) = outline_ref {
            catalog.outlines(r);
            catalog.page_mode(PageMode::UseOutlines);
        }
        if let Some(r) = dests {
            catalog.names().pair(Name(b"Dests"), r);
        }
        catalog.finish();
        self.emit(chunk)?;

        self.write_xref(info_ref, &id)?;
        self.out.inner.flush()?;
        Ok(Warned::new(self.out.inner, self.warnings))
    }

    fn write_links(&mut self) -> Result<(), PdfError> {
        let links = std::mem::take(&mut self.links);
        for link in links {
            let mut chunk = new_chunk();
            let mut annot = chunk.annotation(link.annot);
            annot
                .subtype(AnnotationType::Link)
                .rect(link.rect)
                .border(0.0, 0.0, 0.0, None)
                // Printable, as PDF/A asks; a link without appearance prints nothing.
                .flags(AnnotationFlags::PRINT);
            match self.anchors.get(&link.target) {
                Some(d) => annot
                    .insert(Name(b"Dest"))
                    .start::<pdf_writer::writers::Destination>()
                    .page(d.page)
                    .xyz(d.x, d.y, None),
                None => self.warnings.push(Warning::general(format!(
                    "PDF: link to {:?}, which no page defines; the link does nothing",
                    link.target
                ))),
            }
            annot.finish();
            self.emit(chunk)?;
        }
        Ok(())
    }

    /// Writes every anchor as a named destination (so `file.pdf#nameddest=e1` works)
    /// and returns the name tree's root.
    fn write_named_destinations(&mut self) -> Result<Option<Ref>, PdfError> {
        if self.anchors.is_empty() {
            return Ok(None);
        }
        let anchors = std::mem::take(&mut self.anchors);
        let mut entries = Vec::with_capacity(anchors.len());
        for (name, d) in &anchors {
            let r = self.alloc();
            let mut chunk = new_chunk();
            chunk.destination(r).page(d.page).xyz(d.x, d.y, None);
            self.emit(chunk)?;
            entries.push((name, r));
        }
        // A BTreeMap's order of `String`s is byte order, as name trees require.
        let tree = self.alloc();
        let mut chunk = new_chunk();
        let mut names = chunk
            .indirect(tree)
            .start::<pdf_writer::writers::NameTree<Ref>>();
        let mut list = names.names();
        for (name, r) in entries {
            list.insert(Str(name.as_bytes()), r);
        }
        list.finish();
        names.finish();
        self.emit(chunk)?;
        self.anchors = anchors;
        Ok(Some(tree))
    }

    fn write_outline(&mut self, entries: &[OutlineEntry]) -> Result<Option<Ref>, PdfError> {
        if entries.is_empty() {
            return Ok(None);
        }
        let tree = outline::Tree::build(entries);
        let root = self.alloc();
        let refs: Vec<Ref> = (0..entries.len()).map(|_| self.alloc()).collect();
        for (i, entry) in entries.iter().enumerate() {
            let node = &tree.nodes[i];
            let mut chunk = new_chunk();
            let mut item = chunk.outline_item(refs[i]);
            item.title(TextStr(&entry.title))
                .parent(node.parent.map_or(root, |p| refs[p]));
            if let Some(p) = node.prev {
                item.prev(refs[p]);
            }
            if let Some(n) = node.next {
                item.next(refs[n]);
            }
            if let (Some(&f), Some(&l)) = (node.children.first(), node.children.last()) {
                item.first(refs[f])
                    .last(refs[l])
                    .count(node.descendants as i32);
            }
            match self.anchors.get(&entry.anchor) {
                Some(d) => item.dest().page(d.page).xyz(d.x, d.y, None),
                None => self.warnings.push(Warning::general(format!(
                    "PDF: outline entry {:?} points to anchor {:?}, which no page defines",
                    entry.title, entry.anchor
                ))),
            }
            item.finish();
            self.emit(chunk)?;
        }
        let mut chunk = new_chunk();
        let mut o = chunk.outline(root);
        if let (Some(&f), Some(&l)) = (tree.top.first(), tree.top.last()) {
            o.first(refs[f]).last(refs[l]);
        }
        o.count(entries.len() as i32);
        o.finish();
        self.emit(chunk)?;
        Ok(Some(root))
    }

    fn write_fonts(&mut self) -> Result<(), PdfError> {
        let faces = std::mem::take(&mut self.faces);
        // Subsetting and compressing each face is independent of the others: done in
        // parallel, then written in face order.
        let used: Vec<(&FaceState, Ref)> = faces
            .iter()
            .filter_map(|f| f.font_ref.map(|r| (f, r)))
            .collect();
        let programs: Vec<font::Program> = used
            .par_iter()
            .map(|(face, _)| face.program())
            .collect::<Result<_, _>>()?;
        for ((face, font_ref), program) in used.iter().zip(programs) {
            let offsets = &mut self.offsets;
            let out = &mut self.out;
            let mut pending = Vec::new();
            // Allocate first, emit after: the closures cannot both borrow `offsets`.
            let mut alloc = || {
                offsets.push(0);
                Ref::new(offsets.len() as i32 - 1)
            };
            face.write(program, *font_ref, &mut alloc, &mut |chunk| {
                pending.push(chunk);
                Ok(())
            })?;
            for chunk in pending {
                emit_into(out, offsets, chunk)?;
            }
        }
        self.faces = faces;
        Ok(())
    }

    fn write_xref(&mut self, info: Ref, id: &[u8]) -> Result<(), PdfError> {
        if let Some(n) = self.offsets.iter().skip(1).position(|&o| o == 0) {
            // Every allocated object is written above; a gap is a bug here, and a file
            // with one would reference a missing object.
            return Err(PdfError::Io(std::io::Error::other(format!(
                "internal error: PDF object {} was never written",
                n + 1
            ))));
        }
        let start = self.out.pos;
        let mut xref = String::with_capacity(self.offsets.len() * 20 + 256);
        xref.push_str(&format!(
            "xref\n0 {}\n0000000000 65535 f\r\n",
            self.offsets.len()
        ));
        for &o in &self.offsets[1..] {
            xref.push_str(&format!("{o:010} 00000 n\r\n"));
        }
        let hex: String = id.iter().map(|b| format!("{b:02X}")).collect();
        xref.push_str(&format!(
            "trailer\n<<\n  /Size {}\n  /Root {} 0 R\n  /Info {} 0 R\n  /ID [<{hex}> <{hex}>]\n>>\nstartxref\n{start}\n%%EOF\n",
            self.offsets.len(),
            self.catalog.get(),
            info.get(),
        ));
        self.out.write(xref.as_bytes())
    }
}

/// Declares rows filtered with PNG predictors, chosen row by row (`Samples::Deflated`).
fn predicted(mut parms: pdf_writer::writers::DecodeParms<'_>, colors: usize, columns: i32) {
    parms
        .predictor(pdf_writer::types::Predictor::PngOptimum)
        .colors(colors as i32)
        .bits_per_component(8)
        .columns(columns);
}

/// Objects and content streams are written without pretty-printing: smaller files.
const COMPACT: pdf_writer::Settings = pdf_writer::Settings { pretty: false };

/// Returns an empty chunk that writes compactly.
fn new_chunk() -> Chunk {
    Chunk::with_settings(COMPACT)
}

/// Lets the page builder ([`crate::typeset::page::PageBuilder`]) hand its pages straight
/// to the PDF: each page is written out as soon as it is cut.
impl<W: Write> crate::typeset::page::PageSink for PdfWriter<W> {
    fn page(&mut self, _number: usize, page: Page) -> Result<(), WriteError> {
        self.write_page(&page).map_err(WriteError::from)
    }
}

fn emit_into<W: Write>(
    out: &mut Sink<W>,
    offsets: &mut [u64],
    chunk: Chunk,
) -> Result<(), PdfError> {
    let mut refs = chunk.refs();
    if let (Some(r), None) = (refs.next(), refs.next())
        && let Some(slot) = offsets.get_mut(r.get() as usize)
    {
        *slot = out.pos;
    }
    out.write(chunk.as_bytes())?;
    out.write(b"\n")
}

#[cfg(test)]
mod tests;
