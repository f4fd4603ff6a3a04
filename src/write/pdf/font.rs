//! Font faces as the PDF writer records and embeds them: which glyphs the pages used and
//! what text each stands for, then, at the end, a subset of the face as a CID-keyed
//! Type 0 font with a ToUnicode map.

use std::sync::Arc;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Filter, Finish, Name, Rect, Ref, Str};
use sha2::{Digest, Sha256};
use subsetter::GlyphRemapper;

use super::{PdfError, new_chunk};
use crate::typeset::frame::FaceData;

/// The glyph ids the content streams use are the subset's glyph ids (which the subsetter
/// also makes the CIDs): Identity-H encoding, two bytes a glyph.
const SYSTEM_INFO: SystemInfo<'static> = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};

/// What the writer keeps of one face between pages: its metrics, the glyphs used so far
/// (numbered in order of first use, which is the numbering of the subset) and the text
/// each glyph was first seen with.
pub(super) struct FaceState {
    data: Arc<[u8]>,
    index: u32,
    postscript_name: String,
    metrics: Metrics,
    /// The Type 0 font object, allocated when a page first uses the face.
    pub(super) font_ref: Option<Ref>,
    remapper: GlyphRemapper,
    /// Per subset glyph id: the advance in thousandths of an em and the ToUnicode text.
    glyphs: Vec<UsedGlyph>,
}

struct UsedGlyph {
    original: u16,
    /// Advance width in glyph space (thousandths of the font size), as written in `/W`.
    width: f32,
    /// The text the ToUnicode map gives for the glyph; `None` while no occurrence with
    /// text has been seen.
    text: Option<String>,
}

/// A face's subset font program and ToUnicode map, compressed.
pub(super) struct Program {
    /// Whether the program is bare CFF (else a TrueType font).
    cff: bool,
    /// The program's length before compression.
    length: usize,
    compressed: Vec<u8>,
    cmap: Vec<u8>,
}

/// Face-wide values the font descriptor needs, read once.
struct Metrics {
    units_per_em: f32,
    number_of_glyphs: u16,
    bbox: [f32; 4],
    ascent: f32,
    descent: f32,
    cap_height: f32,
    italic_angle: f32,
    stem_v: f32,
    flags: FontFlags,
}

impl FaceState {
    /// Reads a face's metrics; fails when the bytes are not a font ttf-parser can read.
    pub(super) fn new(face: &FaceData) -> Result<FaceState, PdfError> {
        let parsed =
            ttf_parser::Face::parse(&face.data, face.index).map_err(|e| PdfError::Font {
                face: face.postscript_name.clone(),
                message: e.to_string(),
            })?;
        let upem = f32::from(parsed.units_per_em());
        let to_pdf = |v: i16| f32::from(v) * 1000.0 / upem;
        let bb = parsed.global_bounding_box();
        let italic_angle = parsed.italic_angle();
        let mut flags = FontFlags::SYMBOLIC;
        if parsed.is_italic() || italic_angle != 0.0 {
            flags |= FontFlags::ITALIC;
        }
        if parsed.is_monospaced() {
            flags |= FontFlags::FIXED_PITCH;
        }
        let metrics = Metrics {
            units_per_em: upem,
            number_of_glyphs: parsed.number_of_glyphs(),
            bbox: [
                to_pdf(bb.x_min),
                to_pdf(bb.y_min),
                to_pdf(bb.x_max),
                to_pdf(bb.y_max),
            ],
            ascent: to_pdf(parsed.ascender()),
            descent: to_pdf(parsed.descender()),
            cap_height: to_pdf(parsed.capital_height().unwrap_or(parsed.ascender())),
            italic_angle,
            // The usual estimate from the weight class (as Typst and others do): PDF
            // readers use StemV only for substitution, which never happens for an
            // embedded font.
            stem_v: 10.0 + 0.244 * (f32::from(parsed.weight().to_number()) - 50.0),
            flags,
        };
        Ok(FaceState {
            data: face.data.clone(),
            index: face.index,
            postscript_name: face.postscript_name.clone(),
            metrics,
            font_ref: None,
            remapper: GlyphRemapper::new(),
            glyphs: Vec::new(),
        })
    }

    /// Returns the font bytes and the face index, for [`FaceState::parse_bytes`].
    pub(super) fn source(&self) -> (Arc<[u8]>, u32) {
        (self.data.clone(), self.index)
    }

    /// Parses the face for per-glyph look-ups (cheap: the table directory only).
    pub(super) fn parse_bytes<'a>(
        &self,
        data: &'a [u8],
        index: u32,
    ) -> Result<ttf_parser::Face<'a>, PdfError> {
        ttf_parser::Face::parse(data, index).map_err(|e| PdfError::Font {
            face: self.postscript_name.clone(),
            message: e.to_string(),
        })
    }

    /// Returns the subset glyph id and advance of `gid` if a page used it before.
    pub(super) fn known_glyph(&self, gid: u16) -> Option<(u16, f32)> {
        let cid = self.remapper.get(gid)?;
        // .notdef is in the remapper from the start but recorded only on first use.
        let glyph = self.glyphs.get(usize::from(cid))?;
        Some((cid, glyph.width))
    }

    /// Returns the subset glyph id (= CID) of `gid` and its advance in thousandths of an
    /// em, recording the glyph as used.
    pub(super) fn use_glyph(
        &mut self,
        parsed: &ttf_parser::Face<'_>,
        gid: u16,
    ) -> Result<(u16, f32), PdfError> {
        if gid >= self.metrics.number_of_glyphs {
            return Err(PdfError::GlyphOutOfRange {
                face: self.postscript_name.clone(),
                glyph: gid,
            });
        }
        if self.glyphs.is_empty() {
            // The remapper always holds .notdef as CID 0.
            self.glyphs.push(UsedGlyph {
                original: 0,
                width: self.advance(parsed, 0),
                text: None,
            });
        }
        let cid = self.remapper.remap(gid);
        let i = usize::from(cid);
        if i == self.glyphs.len() {
            self.glyphs.push(UsedGlyph {
                original: gid,
                width: self.advance(parsed, gid),
                text: None,
            });
        }
        // The remapper numbers new glyphs consecutively, so `i` is always recorded.
        let width = self.glyphs.get(i).map_or(0.0, |g| g.width);
        Ok((cid, width))
    }

    fn advance(&self, parsed: &ttf_parser::Face<'_>, gid: u16) -> f32 {
        let units = parsed
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .unwrap_or(0);
        round3(f32::from(units) * 1000.0 / self.metrics.units_per_em)
    }

    /// Records `text` as the extraction text of `cid` if it has none yet; returns
    /// whether the ToUnicode map will give back exactly `text` for the glyph (if not,
    /// the caller marks the occurrence with ActualText).
    pub(super) fn claim_text(&mut self, cid: u16, text: &str) -> bool {
        let Some(glyph) = self.glyphs.get_mut(usize::from(cid)) else {
            return false;
        };
        match &glyph.text {
            Some(t) => t == text,
            None if text.is_empty() => false,
            None => {
                glyph.text = Some(text.to_owned());
                true
            }
        }
    }

    /// Returns the number of bytes kept for the glyph records (for the memory bound).
    pub(super) fn retained_bytes(&self) -> usize {
        self.glyphs
            .iter()
            .map(|g| std::mem::size_of::<UsedGlyph>() + g.text.as_ref().map_or(0, |t| t.len()))
            .sum::<usize>()
            // the remapper's two maps
            + self.glyphs.len() * 8
    }

    /// Cuts the subset of the glyphs used and compresses it and the ToUnicode map: the
    /// costly part of [`write`](Self::write), independent of the other faces.
    pub(super) fn program(&self) -> Result<Program, PdfError> {
        let subset = subsetter::subset(&self.data, self.index, &self.remapper).map_err(|e| {
            PdfError::Font {
                face: self.postscript_name.clone(),
                message: format!("cannot subset: {e}"),
            }
        })?;
        let raw = ttf_parser::RawFace::parse(&subset, 0).map_err(|e| PdfError::Font {
            face: self.postscript_name.clone(),
            message: format!("subset unreadable: {e}"),
        })?;
        // CFF outlines go in as a bare CFF program (FontFile3 /CIDFontType0C, what
        // every reader knows); TrueType outlines as the whole subset font (FontFile2).
        let cff = raw.table(ttf_parser::Tag::from_bytes(b"CFF "));
        let program: &[u8] = cff.unwrap_or(&subset);
        let mut cmap = UnicodeCmap::<u16>::new(Name(b"Custom"), SYSTEM_INFO);
        for (cid, glyph) in self.glyphs.iter().enumerate() {
            if let Some(text) = glyph.text.as_deref().filter(|t| !t.is_empty()) {
                // The remapper keeps CIDs within u16 (one per glyph of a u16-indexed font).
                cmap.pair_with_multiple(cid as u16, text.chars());
            }
        }
        Ok(Program {
            cff: cff.is_some(),
            length: program.len(),
            compressed: deflate(program),
            cmap: deflate(&cmap.finish()),
        })
    }

    /// Writes the font objects: Type 0 font, CID font, descriptor, the subset font
    /// program and the ToUnicode CMap. `alloc` hands out fresh object ids.
    pub(super) fn write(
        &self,
        program: Program,
        font_ref: Ref,
        alloc: &mut impl FnMut() -> Ref,
        emit: &mut impl FnMut(Chunk) -> Result<(), PdfError>,
    ) -> Result<(), PdfError> {
        let cff = program.cff.then_some(());
        let base_font = format!("{}+{}", self.subset_tag(), self.postscript_name);
        let base_font = Name(base_font.as_bytes());

        let cid_ref = alloc();
        let descriptor_ref = alloc();
        let file_ref = alloc();
        let cmap_ref = alloc();

        let mut chunk = new_chunk();
        chunk
            .type0_font(font_ref)
            .base_font(base_font)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_ref)
            .to_unicode(cmap_ref);
        emit(chunk)?;

        let mut chunk = new_chunk();
        let mut cid = chunk.cid_font(cid_ref);
        cid.subtype(if cff.is_some() {
            CidFontType::Type0
        } else {
            CidFontType::Type2
        })
        .base_font(base_font)
        .system_info(SYSTEM_INFO)
        .font_descriptor(descriptor_ref)
        .default_width(0.0);
        if cff.is_none() {
            cid.cid_to_gid_map_predefined(Name(b"Identity"));
        }
        cid.widths()
            .consecutive(0, self.glyphs.iter().map(|g| g.width));
        cid.finish();
        emit(chunk)?;

        let m = &self.metrics;
        let mut chunk = new_chunk();
        let mut descriptor = chunk.font_descriptor(descriptor_ref);
        descriptor
            .name(base_font)
            .flags(FontFlags::from_bits_truncate(m.flags.bits()))
            .bbox(Rect::new(m.bbox[0], m.bbox[1], m.bbox[2], m.bbox[3]))
            .italic_angle(m.italic_angle)
            .ascent(m.ascent)
            .descent(m.descent)
            .cap_height(m.cap_height)
            .stem_v(m.stem_v);
        if cff.is_some() {
            descriptor.font_file3(file_ref);
        } else {
            descriptor.font_file2(file_ref);
        }
        descriptor.finish();
        emit(chunk)?;

        let mut chunk = new_chunk();
        let mut stream = chunk.stream(file_ref, &program.compressed);
        stream.filter(Filter::FlateDecode);
        if cff.is_some() {
            stream.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
        } else {
            stream.pair(Name(b"Length1"), program.length as i32);
        }
        stream.finish();
        emit(chunk)?;

        let mut chunk = new_chunk();
        chunk
            .cmap(cmap_ref, &program.cmap)
            .filter(Filter::FlateDecode);
        emit(chunk)?;
        Ok(())
    }

    /// Derives the six-letter subset tag from the face and the glyphs kept, so that the
    /// same pages give the same tag (PDF 32000-1 §9.6.4 asks only that it differ
    /// between different subsets).
    fn subset_tag(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.postscript_name.as_bytes());
        for g in &self.glyphs {
            hash.update(g.original.to_be_bytes());
        }
        hash.finalize()
            .iter()
            .take(6)
            .map(|b| char::from(b'A' + b % 26))
            .collect()
    }
}

/// Rounds to three decimals: finer than any device resolution, and keeps the numbers in
/// the content streams short.
pub(super) fn round3(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

/// Compresses a stream's data with zlib (FlateDecode); deterministic.
pub(super) fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

/// Returns, for every face, the glyph records in CID order (for tests and diagnostics).
#[cfg(test)]
pub(super) fn used_glyphs(
    state: &FaceState,
) -> std::collections::BTreeMap<u16, (u16, Option<String>)> {
    state
        .glyphs
        .iter()
        .enumerate()
        .map(|(cid, g)| (cid as u16, (g.original, g.text.clone())))
        .collect()
}
