//! Finished pages as the page builder hands them to an output writer: positioned glyph
//! runs, rules, link areas and anchors. Nothing here knows PDF; nothing in a writer
//! needs to know how the lines were found.
//!
//! Coordinates are PostScript points with the origin at the page's top-left corner and
//! `y` growing downwards, the way a page builder fills a page. Text is placed by its
//! baseline.

use std::ops::Range;
use std::sync::Arc;

pub use super::image::ImageData;

/// Identifies a font face within a [`FaceSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FaceId(pub u32);

/// A font face as a writer needs it to embed a subset.
#[derive(Debug, Clone)]
pub struct FaceData {
    /// The face's PostScript name (e.g. `LinLibertineO`).
    pub postscript_name: String,
    /// The font file's bytes (OpenType/TrueType, CFF or glyf outlines).
    pub data: Arc<[u8]>,
    /// The face's index within a collection file; 0 for a single font.
    pub index: u32,
}

/// The faces pages refer to; `FaceId(i)` is `faces[i]`.
#[derive(Debug, Clone, Default)]
pub struct FaceSet {
    /// The faces, in order of their ids.
    pub faces: Vec<FaceData>,
}

/// One glyph of a [`GlyphRun`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedGlyph {
    /// The glyph id in its face.
    pub id: u16,
    /// Horizontal position of the glyph origin, relative to the run's origin, in points.
    pub x: f64,
    /// Vertical offset from the run's baseline (positive is up), in points.
    pub dy: f64,
    /// Where the text this glyph stands for is in the run's [`GlyphRun::text`], as a
    /// byte range: a whole cluster on the cluster's first glyph (e.g. "fi" on an fi
    /// ligature), empty on the cluster's other glyphs. Writers use it for text
    /// extraction (ToUnicode, ActualText); [`GlyphRun::glyph_text`] reads it.
    ///
    /// A range rather than a string of its own: a book has millions of glyphs, and one
    /// allocation each was most of the cost of setting its lines.
    pub text: Range<u32>,
}

/// Glyphs of one face at one size on one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct GlyphRun {
    /// The face.
    pub face: FaceId,
    /// The font size in points.
    pub size: f64,
    /// The run's origin: x of the first glyph's origin, y of the baseline.
    pub x: f64,
    /// Baseline position from the top of the page.
    pub y: f64,
    /// The glyphs, left to right.
    pub glyphs: Vec<PlacedGlyph>,
    /// The run's advance width in points (where the next run would start).
    pub width: f64,
    /// The text the glyphs stand for, which [`PlacedGlyph::text`] ranges index: the
    /// glyphs' texts one after the other.
    pub text: String,
}

impl GlyphRun {
    /// Makes an empty run of `face` at `size` points with its origin at `(x, y)`.
    pub fn new(face: FaceId, size: f64, x: f64, y: f64) -> GlyphRun {
        GlyphRun {
            face,
            size,
            x,
            y,
            glyphs: Vec::new(),
            width: 0.0,
            text: String::new(),
        }
    }

    /// Appends glyph `id` at `x` (from the run's origin) raised by `dy`, standing for
    /// `text` (empty on a cluster's glyphs after its first). The run's width is left to
    /// the caller.
    pub fn push_glyph(&mut self, id: u16, x: f64, dy: f64, text: &str) {
        let start = self.text.len();
        self.text.push_str(text);
        // Runs are lines of text, far below 4 GiB; a longer one saturates (and its
        // glyphs then have no text) rather than wraps.
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let end = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.glyphs.push(PlacedGlyph {
            id,
            x,
            dy,
            text: start..end,
        });
    }

    /// Returns the text `glyph` stands for, or `None` if its range is not a stretch of
    /// the run's text (out of bounds, or cutting a character).
    pub fn try_glyph_text(&self, glyph: &PlacedGlyph) -> Option<&str> {
        self.text
            .get(glyph.text.start as usize..glyph.text.end as usize)
    }

    /// Returns the text `glyph` stands for; empty if its range is not a stretch of the
    /// run's text.
    pub fn glyph_text(&self, glyph: &PlacedGlyph) -> &str {
        self.try_glyph_text(glyph).unwrap_or("")
    }
}

/// An axis-aligned rectangle: top-left corner, width and height, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// Something drawn or marked on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum PageItem {
    /// Text.
    Text(GlyphRun),
    /// A filled rectangle, e.g. the rule above the footnotes.
    Rule(Rect),
    /// A clickable area that jumps to the anchor of that name.
    Link {
        /// The area.
        rect: Rect,
        /// The name of an [`PageItem::Anchor`] anywhere in the document.
        target: String,
    },
    /// A named destination: a link target at a point of the page.
    Anchor {
        /// A name unique in the document.
        name: String,
        /// Left edge of the target view.
        x: f64,
        /// Top edge of the target view.
        y: f64,
    },
    /// An image stretched to fill an area. The same image may be placed on many pages;
    /// a writer embeds it once (see [`ImageData::key`]).
    Image {
        /// The area the image fills.
        rect: Rect,
        /// The image.
        image: Arc<ImageData>,
    },
}

/// A finished page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Page width in points.
    pub width: f64,
    /// Page height in points.
    pub height: f64,
    /// What is on it, in drawing order.
    pub items: Vec<PageItem>,
}

/// An entry of the document outline (PDF bookmarks), from a heading.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    /// The heading's text.
    pub title: String,
    /// Its level: 1 for a chapter, 2 for a section, …
    pub level: u8,
    /// The anchor at the heading.
    pub anchor: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyphs_index_the_run_text() {
        let mut run = GlyphRun::new(FaceId(0), 10.0, 5.0, 7.0);
        run.push_glyph(1, 0.0, 0.0, "ffi");
        run.push_glyph(2, 6.0, 0.0, "");
        run.push_glyph(3, 9.0, 1.0, "é");
        assert_eq!(run.text, "ffié");
        let texts: Vec<&str> = run.glyphs.iter().map(|g| run.glyph_text(g)).collect();
        assert_eq!(texts, ["ffi", "", "é"]);
        assert_eq!(run.glyphs[1].text, 3..3);
        assert_eq!(run.glyphs[2].dy, 1.0);
        // A range that is not a stretch of the text has none.
        let mut bad = run.glyphs[2].clone();
        bad.text = 4..5;
        assert_eq!(run.try_glyph_text(&bad), None);
        assert_eq!(run.glyph_text(&bad), "");
        bad.text = 9..20;
        assert_eq!(run.try_glyph_text(&bad), None);
    }
}
