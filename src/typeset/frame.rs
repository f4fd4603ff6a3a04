//! Finished pages as the page builder hands them to an output writer: positioned glyph
//! runs, rules, link areas and anchors. Nothing here knows PDF; nothing in a writer
//! needs to know how the lines were found.
//!
//! Coordinates are PostScript points with the origin at the page's top-left corner and
//! `y` growing downwards, the way a page builder fills a page. Text is placed by its
//! baseline.

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
    /// The text this glyph stands for: a whole cluster on the cluster's first glyph
    /// (e.g. "fi" on an fi ligature), empty on the cluster's other glyphs. Writers use it
    /// for text extraction (ToUnicode, ActualText).
    pub text: String,
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
