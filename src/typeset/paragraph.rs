//! Setting paragraphs: styled text spans in, lines of positioned glyph runs out.
//!
//! The steps follow TeX's (The TeXbook ch. 14; tex.web §813–§890) with Unicode's
//! line-breaking rules in place of TeX's:
//!
//! 1. break opportunities from UAX #14 (`unicode-linebreak`), with a few typographic
//!    corrections (no break before an em dash that follows a word; U+00A0 is a space
//!    that does not break);
//! 2. each run between opportunities is shaped (rustybuzz, cached per word) and becomes
//!    boxes; spaces become glue (stretch ½, shrink ⅓ of the space); breaks after hyphens
//!    and dashes become penalties;
//! 3. words are hyphenated (Liang patterns) into boxes with flagged penalties between;
//! 4. Knuth–Plass total fit chooses the breaks, in TeX's passes (§863): without
//!    hyphenation at the pretolerance, with it at the tolerance, then with emergency
//!    stretch, and finally allowing overfull lines, each of which is reported;
//! 5. each line is set: fragments of hyphenated words are reshaped (so a ligature or
//!    kern across the break is undone), the glue is set to fill the measure.

use std::sync::Arc;

use compact_str::CompactString;
use rustc_hash::FxHashMap;
use unicode_linebreak::{BreakOpportunity, linebreaks};

use super::font::{Family, FontBook};
use super::frame::{FaceId, FaceSet, GlyphRun, PageItem};
use super::hyphenate::Hyphenator;
use super::knuth_plass::{
    self as kp, Breaking, Formula, INF_BAD, INFINITY, Item, LineWidths, Params,
};
use super::shape::{ShapeKey, Shaped, Shaper};
use crate::diag::{Warned, Warning};
use crate::ir::{self, Inline};
use crate::style::{Align, Style};

/// Vertical position of a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Script {
    /// On the baseline.
    #[default]
    Normal,
    /// Raised and smaller (note calls).
    Super,
    /// Lowered and smaller.
    Sub,
}

/// How a span looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpanStyle {
    /// Bold weight.
    pub bold: bool,
    /// Italic.
    pub italic: bool,
    /// Small capitals (the `smcp` feature).
    pub small_caps: bool,
    /// Superscript or subscript.
    pub script: Script,
    /// Font size in points (of the normal text; super- and subscripts are set at 65%).
    pub size: f64,
}

impl SpanStyle {
    /// Returns the regular style at `size` points.
    pub fn regular(size: f64) -> SpanStyle {
        SpanStyle {
            bold: false,
            italic: false,
            small_caps: false,
            script: Script::Normal,
            size,
        }
    }
}

/// A run of text in one style: what a paragraph is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The text. Spaces are U+0020 (breakable) or U+00A0 (not); U+2028 forces a break.
    pub text: String,
    /// Its style.
    pub style: SpanStyle,
    /// A name the page builder can find on the line where the span starts (a note
    /// call's anchor, say).
    pub anchor: Option<String>,
}

impl Span {
    /// Makes a span without an anchor.
    pub fn new(text: impl Into<String>, style: SpanStyle) -> Span {
        Span {
            text: text.into(),
            style,
            anchor: None,
        }
    }
}

/// Where a line's measure is and how its lines are aligned.
#[derive(Debug, Clone, PartialEq)]
pub struct Measure {
    /// Widths of the lines in points: line `i` has `widths[i]`, later lines the last
    /// width (so `[w]` is a rectangle).
    pub widths: Vec<f64>,
    /// Indent of the first line in points (it shortens the first line).
    pub indent: f64,
    /// Justified, ragged right or centred.
    pub align: Align,
}

impl Measure {
    /// Makes a rectangular measure of `width` points with a first-line indent.
    pub fn new(width: f64, indent: f64, align: Align) -> Measure {
        Measure {
            widths: vec![width],
            indent,
            align,
        }
    }

    fn line_width(&self, i: usize) -> f64 {
        let w = self
            .widths
            .get(i)
            .or_else(|| self.widths.last())
            .copied()
            .unwrap_or(0.0);
        if i == 0 { w - self.indent } else { w }
    }
}

/// A named point on a line (from [`Span::anchor`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LineAnchor {
    /// The anchor's name.
    pub name: String,
    /// Its x position relative to the line's left edge.
    pub x: f64,
}

/// One set line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Glyph runs with `x` relative to the line's left edge (the indent included) and
    /// `y` 0 on the baseline; [`Line::to_items`] moves them onto a page.
    pub runs: Vec<GlyphRun>,
    /// The line's measure (its available width, after the indent on a first line).
    pub width: f64,
    /// The width of the set material: equal to `width` on justified lines that fit.
    pub set_width: f64,
    /// The adjustment ratio the glue was set with (0 natural, 1 fully stretched, −1
    /// fully shrunk).
    pub ratio: f64,
    /// Whether the line ends with an inserted hyphen.
    pub hyphenated: bool,
    /// Whether the material is wider than the measure (reported as a warning).
    pub overfull: bool,
    /// Anchors of spans that start on this line.
    pub anchors: Vec<LineAnchor>,
    /// The line's text, as a reader would copy it (with its hyphen).
    pub text: String,
}

impl Line {
    /// Returns the line's page items with its left edge at `x` and its baseline at `y`.
    pub fn to_items(&self, x: f64, y: f64) -> Vec<PageItem> {
        let mut items: Vec<PageItem> = Vec::with_capacity(self.runs.len() + self.anchors.len());
        for r in &self.runs {
            items.push(PageItem::Text(GlyphRun {
                x: r.x + x,
                y: r.y + y,
                ..r.clone()
            }));
        }
        for a in &self.anchors {
            items.push(PageItem::Anchor {
                name: a.name.clone(),
                x: x + a.x,
                y,
            });
        }
        items
    }

    /// Turns the line into its page items with its left edge at `x` and its baseline at
    /// `y`, moving the glyph runs rather than copying them.
    pub fn into_items(self, x: f64, y: f64) -> Vec<PageItem> {
        let mut items: Vec<PageItem> = Vec::with_capacity(self.runs.len() + self.anchors.len());
        for mut r in self.runs {
            r.x += x;
            r.y += y;
            items.push(PageItem::Text(r));
        }
        for a in self.anchors {
            items.push(PageItem::Anchor {
                name: a.name,
                x: x + a.x,
                y,
            });
        }
        items
    }
}

/// TeX's `\pretolerance`: the first pass, without hyphenation, accepts lines up to this
/// badness (plain TeX's value).
const PRETOLERANCE: f64 = 100.0;
/// TeX's `\exhyphenpenalty`: a break after an explicit hyphen or dash.
const EX_HYPHEN_PENALTY: f64 = 50.0;
/// The most consecutive hyphenated lines (a book-typography rule TeX lacks).
const MAX_HYPHEN_RUN: usize = 2;
/// TeX's `\linepenalty` (plain TeX's value).
const LINE_PENALTY: f64 = 10.0;
/// Glue stretch standing in for TeX's `fil` order: large enough that any other stretch
/// is negligible beside it.
const FIL: f64 = 1e6;

/// A piece of shaped text: one span's share of a word.
#[derive(Debug, Clone)]
struct Piece {
    span: usize,
    /// Byte range in the paragraph's text.
    start: usize,
    end: usize,
    key: ShapeKey,
    size: f64,
    dy: f64,
    shaped: Arc<Shaped>,
}

/// What an item stands for on the page.
#[derive(Debug, Clone, Copy)]
enum Content {
    /// Nothing visible (penalties, ragged-setting glue without width).
    None,
    /// Glyphs `g0..g1` of a piece.
    Glyphs { piece: u32, g0: u32, g1: u32 },
    /// An interword space (shown as a space in the line's text).
    Space,
}

/// Buffers a paragraph is built in, kept from one paragraph to the next so that a book
/// does not allocate and grow them thousands of times.
#[derive(Default)]
struct Scratch {
    text: String,
    bounds: Vec<(usize, usize)>,
    opportunities: Vec<(usize, BreakOpportunity)>,
    items: Vec<Item>,
    contents: Vec<Content>,
    /// The other half of `items`/`contents` while hyphenation rewrites them.
    items2: Vec<Item>,
    contents2: Vec<Content>,
    pieces: Vec<Piece>,
    /// Words as (first piece, last piece + 1, whether it has an explicit break).
    words: Vec<(usize, usize, bool)>,
}

/// How a [`Typesetter`] chooses line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Breaker {
    /// Knuth–Plass total fit (the default).
    #[default]
    TotalFit,
    /// Greedy first fit: each line takes all that fits (a baseline for comparisons).
    FirstFit,
}

/// Sets paragraphs in one style and language, keeping its caches (shaped words,
/// hyphenated words) from one paragraph to the next.
pub struct Typesetter {
    book: &'static FontBook,
    family: Family,
    shaper: Shaper,
    hyphenator: Hyphenator,
    hyphenate: bool,
    tolerance: f64,
    hyphen_penalty: f64,
    double_hyphen_demerits: f64,
    adj_demerits: f64,
    size: f64,
    /// Space width in ems, per face.
    spaces: FxHashMap<FaceId, f64>,
    setup_warnings: Vec<Warning>,
    breaker: Breaker,
    scratch: Scratch,
    /// Words set syllable by syllable, by shaping key.
    syllabic: FxHashMap<ShapeKey, FxHashMap<CompactString, Arc<Shaped>>>,
}

impl Typesetter {
    /// Makes a typesetter for a style and a document language (BCP 47). Problems with
    /// the style (an unknown font family or feature, a language without patterns) are
    /// reported with the first paragraph set.
    pub fn new(style: &Style, lang: &str) -> Typesetter {
        let book = FontBook::bundled();
        let mut warnings = Vec::new();
        let family = book.family(&style.text.font).unwrap_or_else(|| {
            warnings.push(Warning::general(format!(
                "font family \u{201c}{}\u{201d} is not bundled; using {}",
                style.text.font,
                super::font::DEFAULT_FAMILY
            )));
            book.default_family()
        });
        let shaper = Shaper::new(book, &style.text.features);
        for f in &shaper.bad_features {
            warnings.push(Warning::general(format!(
                "\u{201c}{f}\u{201d} in text.features is not an OpenType feature tag; ignored"
            )));
        }
        let hyphenator = if style.text.hyphenate {
            Hyphenator::new(
                lang,
                style.text.hyphen_min_left,
                style.text.hyphen_min_right,
            )
            .unwrap_or_else(|| {
                warnings.push(Warning::general(format!(
                    "no hyphenation patterns for language \u{201c}{lang}\u{201d}; not hyphenating"
                )));
                Hyphenator::none()
            })
        } else {
            Hyphenator::none()
        };
        Typesetter {
            book,
            family,
            shaper,
            hyphenator,
            hyphenate: style.text.hyphenate,
            tolerance: style.text.tolerance,
            hyphen_penalty: style.text.hyphen_penalty,
            double_hyphen_demerits: style.text.double_hyphen_demerits,
            adj_demerits: style.text.adj_demerits,
            size: style.text.size.to_pt(10.0),
            spaces: FxHashMap::default(),
            setup_warnings: warnings,
            breaker: Breaker::TotalFit,
            syllabic: FxHashMap::default(),
            scratch: Scratch::default(),
        }
    }

    /// Returns the faces that [`GlyphRun::face`] ids refer to, for the writer to embed.
    pub fn faces(&self) -> FaceSet {
        self.book.face_set()
    }

    /// Chooses the line-breaking method for the following paragraphs.
    pub fn set_breaker(&mut self, breaker: Breaker) {
        self.breaker = breaker;
    }

    /// Returns the body text size in points.
    pub fn size(&self) -> f64 {
        self.size
    }

    /// Returns the number of distinct words shaped so far (for statistics).
    pub fn shaped_words(&self) -> usize {
        self.shaper.cached()
    }

    fn space_width(&mut self, face: FaceId) -> f64 {
        if let Some(w) = self.spaces.get(&face) {
            return *w;
        }
        let key = ShapeKey {
            face,
            small_caps: false,
        };
        let w = self.shaper.shape(key, " ").width;
        self.spaces.insert(face, w);
        w
    }

    fn piece(
        &mut self,
        spans: &[Span],
        span: usize,
        start: usize,
        end: usize,
        text: &str,
    ) -> Piece {
        let style = spans[span].style;
        let face = self.family.select(style.bold, style.italic);
        let key = ShapeKey {
            face,
            small_caps: style.small_caps,
        };
        let (size, dy) = match style.script {
            Script::Normal => (style.size, 0.0),
            Script::Super => (style.size * 0.65, style.size * 0.35),
            Script::Sub => (style.size * 0.65, -style.size * 0.15),
        };
        let shaped = self.shaper.shape(key, &text[start..end]);
        Piece {
            span,
            start,
            end,
            key,
            size,
            dy,
            shaped,
        }
    }

    /// Sets a paragraph into lines. Never fails: a paragraph that cannot be set well is
    /// set as well as it can be and the problems are returned as warnings (overfull
    /// lines with their text, characters missing from the font with their offset).
    pub fn set_paragraph(&mut self, spans: &[Span], measure: &Measure) -> Warned<Vec<Line>> {
        if let Some((cut, warnings)) = super::long_word::cut_long_words(spans) {
            let mut set = self.set_paragraph(&cut, measure);
            set.warnings.splice(0..0, warnings);
            return set;
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        let lines = self.set_paragraph_in(spans, measure, &mut scratch);
        // The pieces hold shaped words: let the caches own them alone again.
        scratch.pieces.clear();
        self.scratch = scratch;
        lines
    }

    fn set_paragraph_in(
        &mut self,
        spans: &[Span],
        measure: &Measure,
        scratch: &mut Scratch,
    ) -> Warned<Vec<Line>> {
        let Scratch {
            text,
            bounds,
            opportunities,
            items,
            contents,
            items2,
            contents2,
            pieces,
            words,
        } = scratch;
        for v in [&mut *items, &mut *items2] {
            v.clear();
        }
        for v in [&mut *contents, &mut *contents2] {
            v.clear();
        }
        text.clear();
        bounds.clear();
        opportunities.clear();
        pieces.clear();
        words.clear();
        let mut warnings = std::mem::take(&mut self.setup_warnings);
        // The paragraph's text and each span's byte range in it.
        for s in spans {
            let start = text.len();
            text.push_str(&s.text);
            bounds.push((start, text.len()));
        }
        if text.chars().all(|c| c.is_whitespace()) {
            return Warned::new(Vec::new(), warnings);
        }
        let text: &str = text;
        let bounds: &[(usize, usize)] = bounds;
        let span_at = |pos: usize| {
            bounds
                .partition_point(|&(_, e)| e <= pos)
                .min(spans.len() - 1)
        };

        // 1. Break opportunities (UAX #14), as a map from byte offset to kind.
        opportunities.extend(linebreaks(text).filter(|&(p, _)| {
            // No break before an em dash that follows a word without a space: the
            // dash belongs to the word before it (a break after it is allowed).
            let next = text[p..].chars().next();
            let prev = text[..p].chars().next_back();
            // A soft hyphen is a hyphenation point, not a break opportunity of its
            // own: the hyphenator returns it, so the line gets a visible hyphen.
            !(next == Some('\u{2014}') && prev.is_some_and(|c| !c.is_whitespace()))
                && prev != Some('\u{ad}')
        }));
        opportunities.dedup_by_key(|o| o.0);

        // 2. Items.
        let ragged = match measure.align {
            Align::Justify => None,
            Align::Left => Some(false),
            Align::Center => Some(true),
        };
        let em = self.size;
        // Ragged settings (Knuth & Plass p. 1150): the stretch that lets a line end
        // short lives at the break, so the interword spaces keep their width.
        let rag = 3.0 * 0.25 * em;
        if ragged == Some(true) {
            items.push(Item::glue(0.0, rag, 0.0));
            contents.push(Content::None);
        }
        let mut pos = 0;
        let mut word_has_explicit_break = false;
        let mut word_piece_start = 0usize;
        for &(brk, kind) in opportunities.iter() {
            let segment = &text[pos..brk];
            // Split the segment into material and trailing spaces.
            let material_end = pos
                + segment
                    .trim_end_matches(|c: char| {
                        c == ' ' || c == '\t' || c == '\n' || c == '\u{2028}' || c == '\r'
                    })
                    .len();
            // Material: pieces per span, with U+00A0 as unbreakable glue.
            let mut p = pos;
            while p < material_end {
                let span = span_at(p);
                let span_end = bounds[span].1.min(material_end);
                // Up to the next NBSP within the span.
                let nb = text[p..span_end].find('\u{a0}').map(|i| p + i);
                let end = nb.unwrap_or(span_end);
                if end > p {
                    let piece = self.piece(spans, span, p, end, text);
                    let width = piece.shaped.width * piece.size;
                    let n = piece.shaped.glyphs.len() as u32;
                    pieces.push(piece);
                    items.push(Item::boxed(width));
                    contents.push(Content::Glyphs {
                        piece: (pieces.len() - 1) as u32,
                        g0: 0,
                        g1: n,
                    });
                }
                if let Some(nb) = nb {
                    let face = self
                        .family
                        .select(spans[span].style.bold, spans[span].style.italic);
                    let w = self.space_width(face) * spans[span].style.size;
                    items.push(Item::penalty(0.0, INFINITY, false));
                    contents.push(Content::None);
                    items.push(Item::glue(w, w / 2.0, w / 3.0));
                    contents.push(Content::Space);
                    p = nb + '\u{a0}'.len_utf8();
                } else {
                    p = end;
                }
            }
            let has_space = material_end < brk;
            let last_char = text[pos..material_end].chars().next_back();
            let forced = kind == BreakOpportunity::Mandatory && brk < text.len();
            if has_space || forced || brk == text.len() {
                // The end of a word (a run between spaces).
                if pieces.len() > word_piece_start {
                    words.push((word_piece_start, pieces.len(), word_has_explicit_break));
                }
                word_piece_start = pieces.len();
                word_has_explicit_break = false;
            } else if material_end > pos {
                word_has_explicit_break = true;
            }
            if brk == text.len() {
                break;
            }
            if forced {
                // A forced line break inside the paragraph (TeX's \hfil\break).
                items.push(Item::glue(0.0, FIL, 0.0));
                contents.push(Content::None);
                items.push(Item::forced_break());
                contents.push(Content::None);
            } else if has_space {
                let span = span_at(material_end);
                let st = spans[span].style;
                let face = self.family.select(st.bold, st.italic);
                let w = self.space_width(face) * st.size;
                // A spaced dash ("word – word") stays with the word before it: a line
                // should not start with a dash (TeX users write "~--- ").
                let dash_follows = text[brk..].starts_with(['\u{2013}', '\u{2014}']);
                match ragged {
                    _ if dash_follows => {
                        items.push(Item::penalty(0.0, INFINITY, false));
                        contents.push(Content::None);
                        items.push(Item::glue(w, w / 2.0, w / 3.0));
                        contents.push(Content::Space);
                    }
                    None => {
                        items.push(Item::glue(w, w / 2.0, w / 3.0));
                        contents.push(Content::Space);
                    }
                    Some(centred) => {
                        // Ragged right: glue(0, γ) penalty(0) glue(w, −γ); centred adds
                        // a box and γ on the left of the next line (pp. 1150, 1153).
                        // We put penalty(∞) first: otherwise the glue(0, γ) after a word
                        // is a breakpoint of its own, and a line broken there loses its
                        // right-hand stretch (a centred line would sit off centre).
                        let g = if centred { rag } else { 2.0 * rag };
                        items.push(Item::penalty(0.0, INFINITY, false));
                        contents.push(Content::None);
                        items.push(Item::glue(0.0, g, 0.0));
                        contents.push(Content::None);
                        items.push(Item::penalty(0.0, 0.0, false));
                        contents.push(Content::None);
                        items.push(Item::glue(w, if centred { -2.0 * g } else { -g }, 0.0));
                        contents.push(Content::Space);
                        if centred {
                            items.push(Item::boxed(0.0));
                            contents.push(Content::None);
                            items.push(Item::penalty(0.0, INFINITY, false));
                            contents.push(Content::None);
                            items.push(Item::glue(0.0, g, 0.0));
                            contents.push(Content::None);
                        }
                    }
                }
            } else if material_end > pos {
                // A break inside a word: after a hyphen or dash (or wherever UAX #14
                // allows one, e.g. after a slash). Hyphens are flagged (TeX treats an
                // explicit hyphen as a discretionary break, §1039).
                let flagged = matches!(last_char, Some('-' | '\u{2010}' | '\u{ad}'));
                let penalty = if matches!(
                    last_char,
                    Some('-' | '\u{2010}' | '\u{2013}' | '\u{2014}' | '\u{ad}')
                ) {
                    EX_HYPHEN_PENALTY
                } else {
                    0.0
                };
                push_break(
                    items,
                    contents,
                    ragged,
                    rag,
                    Item::penalty(0.0, penalty, flagged),
                );
            }
            pos = brk;
        }
        // The paragraph's end: \penalty10000 \parfillskip \penalty-10000 (TeX §816).
        match ragged {
            Some(true) => {
                items.push(Item::glue(0.0, rag, 0.0));
                contents.push(Content::None);
            }
            _ => {
                items.push(Item::penalty(0.0, INFINITY, false));
                contents.push(Content::None);
                items.push(Item::glue(0.0, FIL, 0.0));
                contents.push(Content::None);
            }
        }
        items.push(Item::forced_break());
        contents.push(Content::None);

        let widths: Vec<f64> = (0..measure.widths.len().max(1) + 1)
            .map(|i| measure.line_width(i))
            .collect();
        // 4a. TeX's first pass (§863): justified text is first broken without
        // hyphenation at the pretolerance; only if that fails are words hyphenated.
        let first_pass = if measure.align == Align::Justify && self.breaker == Breaker::TotalFit {
            kp::break_lines(
                items,
                LineWidths(&widths),
                &self.params(PRETOLERANCE, false),
            )
        } else {
            None
        };

        // 3. Hyphenation: split the boxes of hyphenatable words. The last word of the
        // paragraph and words with an explicit hyphen are left whole.
        if self.hyphenate && first_pass.is_none() {
            let last_piece_of_para = words.last().map(|w| w.0);
            let mut hyph_pieces: Vec<bool> = vec![false; pieces.len()];
            for &(first, end, explicit) in words.iter() {
                // Only words in one span are hyphenated, but punctuation in another span
                // (a lacuna's dots) or a note call after a word does not stop the word
                // from being hyphenated.
                let calls_only = (first + 1..end).all(|k| {
                    spans[pieces[k].span].style.script == Script::Super
                        || !text[pieces[k].start..pieces[k].end]
                            .chars()
                            .any(char::is_alphanumeric)
                });
                if explicit || !calls_only || Some(first) == last_piece_of_para {
                    continue;
                }
                hyph_pieces[first] = true;
            }
            // A hyphenation point inside a ligature ("of|fice" with an ff ligature)
            // would cut a glyph. TeX takes the ligature apart only when it breaks there
            // (§903–§918); we set such words syllable by syllable instead, so the
            // ligature across the point is not formed (the choice many German and some
            // English house styles make anyway) and every point is a glyph boundary.
            // Each hyphenatable piece's points, as a range into `all_points`.
            let mut all_points: Vec<u16> = Vec::new();
            let mut ranges: Vec<(u32, u32)> = vec![(0, 0); pieces.len()];
            for k in 0..pieces.len() {
                if !hyph_pieces[k] {
                    continue;
                }
                let word = &text[pieces[k].start..pieces[k].end];
                let points = self.hyphenator.points(word);
                if points.is_empty() {
                    continue;
                }
                let from = all_points.len();
                all_points.extend_from_slice(points);
                ranges[k] = (from as u32, all_points.len() as u32);
                let points = &all_points[from..];
                if points
                    .iter()
                    .any(|&p| pieces[k].shaped.glyph_boundary(p as usize).is_none())
                {
                    let points = points.to_vec();
                    pieces[k].shaped = self.shape_syllables(pieces[k].key, word, &points);
                }
            }
            if !all_points.is_empty() {
                let (out_items, out_contents) = (&mut *items2, &mut *contents2);
                out_items.reserve(items.len() * 2);
                out_contents.reserve(items.len() * 2);
                for (item, content) in items.iter().zip(contents.iter()) {
                    if let Content::Glyphs { piece, .. } = *content
                        && hyph_pieces[piece as usize]
                    {
                        let (a, z) = ranges[piece as usize];
                        let points = &all_points[a as usize..z as usize];
                        if !points.is_empty() {
                            self.split_piece(
                                piece,
                                points,
                                pieces,
                                ragged,
                                rag,
                                out_items,
                                out_contents,
                            );
                            continue;
                        }
                    }
                    out_items.push(*item);
                    out_contents.push(*content);
                }
                std::mem::swap(items, out_items);
                std::mem::swap(contents, out_contents);
            }
        }

        // Missing characters, once per occurrence.
        for pc in pieces.iter() {
            for m in &pc.shaped.missing {
                let offset = text[..pc.start + m.offset].chars().count();
                let what = match m.fallback {
                    Some(f) => format!("set in {}", self.book.font(f).display_name),
                    None => "no bundled font has it; shown as a missing-glyph box".to_owned(),
                };
                warnings.push(Warning::general(format!(
                    "character U+{:04X} \u{2018}{}\u{2019} at character {} of paragraph \u{201c}{}\u{201d} is not in {}: {what}",
                    m.c as u32,
                    m.c,
                    offset + 1,
                    excerpt(text),
                    self.book.font(pc.key.face).display_name,
                )));
            }
        }

        // 4b. The remaining passes.
        let breaking = match first_pass {
            Some(b) => b,
            None => self.break_items(items, &widths),
        };

        // 5. Set the lines.
        let lines = self.set_lines(
            items,
            contents,
            pieces,
            text,
            spans,
            &breaking,
            measure,
            &mut warnings,
        );
        Warned::new(lines, warnings)
    }

    /// Returns `word` shaped syllable by syllable (split at `points`), from a cache.
    fn shape_syllables(&mut self, key: ShapeKey, word: &str, points: &[u16]) -> Arc<Shaped> {
        if let Some(s) = self.syllabic.get(&key).and_then(|m| m.get(word)) {
            return s.clone();
        }
        let mut glyphs = Vec::new();
        let mut missing = Vec::new();
        let mut width = 0.0;
        let mut start = 0usize;
        let ends = points.iter().map(|&p| p as usize).chain([word.len()]);
        for end in ends {
            if end <= start || end > word.len() || !word.is_char_boundary(end) {
                continue;
            }
            let part = self.shaper.shape(key, &word[start..end]);
            glyphs.extend(part.glyphs.iter().map(|g| super::shape::Glyph {
                cluster: g.cluster + start,
                ..g.clone()
            }));
            missing.extend(part.missing.iter().map(|m| super::shape::Missing {
                offset: m.offset + start,
                ..m.clone()
            }));
            width += part.width;
            start = end;
        }
        let shaped = Arc::new(Shaped {
            glyphs,
            width,
            missing,
        });
        self.syllabic
            .entry(key)
            .or_default()
            .insert(CompactString::from(word), shaped.clone());
        shaped
    }

    #[allow(clippy::too_many_arguments)]
    fn split_piece(
        &mut self,
        piece: u32,
        points: &[u16],
        pieces: &[Piece],
        ragged: Option<bool>,
        rag: f64,
        items: &mut Vec<Item>,
        contents: &mut Vec<Content>,
    ) {
        let pc = &pieces[piece as usize];
        let shaped = &pc.shaped;
        let mut g_prev = 0usize;
        for &p in points {
            // Words with points inside a ligature were set syllable by syllable, so this
            // only skips points that are still not glyph boundaries (none expected).
            let Some(g) = shaped.glyph_boundary(p as usize) else {
                continue;
            };
            if g <= g_prev {
                continue;
            }
            let w = shaped.advance(g_prev, g) * pc.size;
            items.push(Item::boxed(w));
            contents.push(Content::Glyphs {
                piece,
                g0: g_prev as u32,
                g1: g as u32,
            });
            // The penalty's width is the hyphen's advance. The line as set reshapes the
            // fragment with its hyphen (a kern between the last letter and the hyphen
            // may change the width by a hair); the glue absorbs the difference.
            // Shaping every "prefix-" here instead would double the cost of a book.
            let hyphen = self.shaper.shape(pc.key, "-").width * pc.size;
            push_break(
                items,
                contents,
                ragged,
                rag,
                Item::Penalty {
                    width: hyphen,
                    penalty: self.hyphen_penalty,
                    flagged: true,
                    auto: true,
                },
            );
            g_prev = g;
        }
        let n = shaped.glyphs.len();
        items.push(Item::boxed(shaped.advance(g_prev, n) * pc.size));
        contents.push(Content::Glyphs {
            piece,
            g0: g_prev as u32,
            g1: n as u32,
        });
    }

    fn params(&self, tolerance: f64, hyphenate: bool) -> Params {
        Params {
            tolerance,
            formula: Formula::Tex {
                line_penalty: LINE_PENALTY,
            },
            flagged_demerits: self.double_hyphen_demerits,
            fitness_demerits: self.adj_demerits,
            emergency_stretch: 0.0,
            hyphenate,
            max_flagged_run: MAX_HYPHEN_RUN,
            allow_overfull: false,
        }
    }

    /// Runs TeX's passes after the first (§863) until one finds a breaking.
    fn break_items(&self, items: &[Item], widths: &[f64]) -> Breaking {
        let lw = LineWidths(widths);
        if self.breaker == Breaker::FirstFit {
            let breaks = kp::first_fit(items, lw);
            let ratios = kp::ratios_of(items, lw, &breaks);
            let overfull = (0..ratios.len()).filter(|&i| ratios[i] < -1.0).collect();
            return Breaking {
                breaks,
                ratios,
                demerits: 0.0,
                overfull,
            };
        }
        if let Some(b) = kp::break_lines(items, lw, &self.params(self.tolerance, true)) {
            return b;
        }
        let mut p = self.params(self.tolerance, true);
        // \emergencystretch: 3 em of extra stretch per line for the badness test only.
        p.emergency_stretch = 3.0 * self.size;
        if let Some(b) = kp::break_lines(items, lw, &p) {
            return b;
        }
        // Last resort: any badness, and overfull lines rather than none (§854).
        p.tolerance = INF_BAD;
        p.allow_overfull = true;
        kp::break_lines(items, lw, &p).unwrap_or_else(|| Breaking {
            breaks: vec![items.len() - 1],
            ratios: vec![0.0],
            demerits: 0.0,
            overfull: vec![0],
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn set_lines(
        &mut self,
        items: &[Item],
        contents: &[Content],
        pieces: &[Piece],
        text: &str,
        spans: &[Span],
        breaking: &Breaking,
        measure: &Measure,
        warnings: &mut Vec<Warning>,
    ) -> Vec<Line> {
        let mut lines = Vec::with_capacity(breaking.breaks.len());
        let mut prev = None;
        let mut anchored = vec![false; spans.len()];
        // Elements of a line: glyph ranges of pieces and glue.
        enum El {
            /// Glyphs `g0..g1` of a piece, followed by a hyphen if `hyphen`.
            Glyphs {
                piece: usize,
                g0: usize,
                g1: usize,
                hyphen: bool,
            },
            /// Glue: width, stretch, shrink, whether it is an interword space.
            Glue(f64, f64, f64, bool),
        }
        let mut els: Vec<El> = Vec::new();
        for (li, &b) in breaking.breaks.iter().enumerate() {
            let start = kp::line_start(items, prev).min(b);
            prev = Some(b);
            let hyphenated = matches!(items[b], Item::Penalty { auto: true, .. });
            els.clear();
            let mut i = start;
            while i < b {
                match (items[i], contents[i]) {
                    (Item::Box { .. }, Content::Glyphs { piece, g0, g1 }) => {
                        // Gather the fragments of the same piece on this line: they are
                        // separated only by invisible items (hyphenation penalties and
                        // the zero-sum glue of ragged settings).
                        let mut j = i + 1;
                        let mut g_end = g1;
                        loop {
                            let mut k = j;
                            while k < b
                                && matches!(contents[k], Content::None)
                                && !matches!(items[k], Item::Box { width } if width != 0.0)
                            {
                                k += 1;
                            }
                            match contents.get(k) {
                                Some(&Content::Glyphs {
                                    piece: p2, g1: e2, ..
                                }) if k < b && p2 == piece => {
                                    g_end = e2;
                                    j = k + 1;
                                }
                                _ => break,
                            }
                        }
                        let ends_here = hyphenated
                            && (j..b).all(|k| !matches!(contents[k], Content::Glyphs { .. }));
                        // A word cut at a hyphenation point keeps its glyphs as shaped
                        // in the whole word (the point is at a cluster boundary, so no
                        // ligature is cut) and gains the hyphen glyph: exactly the widths
                        // the line breaker was given.
                        els.push(El::Glyphs {
                            piece: piece as usize,
                            g0: g0 as usize,
                            g1: g_end as usize,
                            hyphen: ends_here,
                        });
                        i = j;
                        continue;
                    }
                    (Item::Box { width }, _) => els.push(El::Glue(width, 0.0, 0.0, false)),
                    (
                        Item::Glue {
                            width,
                            stretch,
                            shrink,
                        },
                        c,
                    ) => els.push(El::Glue(
                        width,
                        stretch,
                        shrink,
                        matches!(c, Content::Space),
                    )),
                    _ => {}
                }
                i += 1;
            }
            let (mut natural, mut stretch, mut shrink) = (0.0, 0.0, 0.0);
            for e in &els {
                match *e {
                    El::Glyphs {
                        piece,
                        g0,
                        g1,
                        hyphen,
                    } => {
                        let pc = &pieces[piece];
                        natural += pc.shaped.advance(g0, g1) * pc.size;
                        if hyphen {
                            natural += self.shaper.shape(pc.key, "-").width * pc.size;
                        }
                    }
                    El::Glue(w, y, z, _) => {
                        natural += w;
                        stretch += y;
                        shrink += z;
                    }
                }
            }
            let width = measure.line_width(li);
            let mut r = kp::adjustment_ratio(natural, stretch, shrink, width);
            if !r.is_finite() {
                r = 0.0;
            }
            // Glue never shrinks past its limit (r ≥ −1): what does not fit overflows
            // and is reported below.
            let r = r.max(-1.0);
            let x0 = if li == 0 { measure.indent } else { 0.0 };
            let mut x = x0;
            let mut runs: Vec<GlyphRun> = Vec::new();
            // Capacity for the run's glyphs: about as many as the line has characters.
            let text_len: usize = els
                .iter()
                .map(|e| match *e {
                    El::Glyphs { piece, .. } => pieces[piece].end - pieces[piece].start,
                    El::Glue(..) => 1,
                })
                .sum();
            let glyph_estimate = text_len + 2;
            let mut line_text = String::with_capacity(text_len + 2);
            let mut anchors = Vec::new();
            // The run being filled; glyphs of one face, size and baseline shift share a
            // run across words.
            let mut cur: Option<(GlyphRun, f64)> = None;
            for e in &els {
                match *e {
                    El::Glue(w, y, z, space) => {
                        x += w + if r >= 0.0 { r * y } else { r * z };
                        if space && !line_text.is_empty() {
                            line_text.push(' ');
                        }
                    }
                    El::Glyphs {
                        piece,
                        g0,
                        g1,
                        hyphen,
                    } => {
                        let pc = &pieces[piece];
                        if !anchored[pc.span] {
                            if let Some(name) = &spans[pc.span].anchor {
                                anchors.push(LineAnchor {
                                    name: name.clone(),
                                    x,
                                });
                            }
                            anchored[pc.span] = true;
                        }
                        let all = &pc.shaped.glyphs;
                        let cluster_end = |k: usize| {
                            let c = all[k].cluster;
                            all[k + 1..]
                                .iter()
                                .map(|h| h.cluster)
                                .find(|&h| h != c)
                                .map_or(pc.end, |h| pc.start + h)
                        };
                        let from = all.get(g0).map_or(pc.end, |g| pc.start + g.cluster);
                        let to = all.get(g1).map_or(pc.end, |g| pc.start + g.cluster);
                        line_text.push_str(&text[from.min(to)..to]);
                        let hyphen_glyphs = if hyphen {
                            line_text.push('-');
                            Some(self.shaper.shape(pc.key, "-"))
                        } else {
                            None
                        };
                        let mut place = |g: &super::shape::Glyph, gtext: &str, x: &mut f64| {
                            let fits = matches!(&cur, Some((run, dy)) if run.face == g.face
                                && run.size == pc.size && *dy == pc.dy);
                            if !fits {
                                if let Some((run, _)) = cur.take() {
                                    runs.push(run);
                                }
                                let mut run = GlyphRun::new(g.face, pc.size, *x, 0.0);
                                // Only the line's first run gets the whole line's
                                // capacity: reserving it for every run made a line of
                                // fifty note calls (a run each) reserve fifty lines.
                                if runs.is_empty() {
                                    run.glyphs.reserve(glyph_estimate);
                                    run.text.reserve(text_len);
                                }
                                cur = Some((run, pc.dy));
                            }
                            if let Some((run, _)) = &mut cur {
                                let gx = *x - run.x + g.x_offset * pc.size;
                                run.push_glyph(g.id, gx, pc.dy + g.y_offset * pc.size, gtext);
                                *x += g.advance * pc.size;
                                run.width = *x - run.x;
                            }
                        };
                        for k in g0..g1.min(all.len()) {
                            let g = &all[k];
                            let first_of_cluster = k == g0 || all[k - 1].cluster != g.cluster;
                            let gtext = if first_of_cluster {
                                let s = pc.start + g.cluster;
                                let e = cluster_end(k);
                                text.get(s.min(e)..e).unwrap_or("")
                            } else {
                                ""
                            };
                            place(g, gtext, &mut x);
                        }
                        if let Some(h) = hyphen_glyphs {
                            for (k, g) in h.glyphs.iter().enumerate() {
                                place(g, if k == 0 { "-" } else { "" }, &mut x);
                            }
                        }
                    }
                }
            }
            if let Some((run, _)) = cur.take() {
                runs.push(run);
            }
            let set_width = x - x0;
            let overfull = set_width > width + 0.01;
            if overfull {
                warnings.push(Warning::general(format!(
                    "overfull line ({:.1} pt too wide): \u{201c}{}\u{201d}",
                    set_width - width,
                    excerpt(&line_text)
                )));
            }
            lines.push(Line {
                runs,
                width,
                set_width,
                ratio: r,
                hyphenated,
                overfull,
                anchors,
                text: line_text,
            });
        }
        lines
    }
}

/// Pushes a break inside a word (after a hyphen or dash, or at a hyphenation point).
/// Justified text needs only the penalty. Ragged settings need the break to carry the
/// line's stretch (Knuth & Plass p. 1150): `penalty(∞) glue(0, γ) penalty glue(0, −γ)`
/// for ragged right, and for centred text also `box(0) penalty(∞) glue(0, γ)` so the
/// next line has stretch on its left (p. 1153). The leading `penalty(∞)` keeps the
/// glue after a word fragment from being a breakpoint of its own.
fn push_break(
    items: &mut Vec<Item>,
    contents: &mut Vec<Content>,
    ragged: Option<bool>,
    rag: f64,
    penalty: Item,
) {
    let seq: &[Item] = match ragged {
        None => &[penalty],
        Some(false) => &[
            Item::penalty(0.0, INFINITY, false),
            Item::glue(0.0, 2.0 * rag, 0.0),
            penalty,
            Item::glue(0.0, -2.0 * rag, 0.0),
        ],
        Some(true) => &[
            Item::penalty(0.0, INFINITY, false),
            Item::glue(0.0, rag, 0.0),
            penalty,
            Item::glue(0.0, -2.0 * rag, 0.0),
            Item::boxed(0.0),
            Item::penalty(0.0, INFINITY, false),
            Item::glue(0.0, rag, 0.0),
        ],
    };
    for item in seq {
        items.push(*item);
        contents.push(Content::None);
    }
}

/// Returns the start of a paragraph for messages.
fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().nth(60).is_some() {
        s.push('…');
    }
    s
}

/// Turns IR inlines into spans: `Emph` italic, `Strong` bold, `SmallCaps` small caps,
/// `Sup`/`Sub` raised/lowered, a gap as its shown text followed by its note call, a
/// note call as a superscript label anchored `noteref-<id>`, an incident as italic
/// "(desc)". `note_label` gives a note's printed label (its number) from its id.
pub fn spans_from_inlines(
    inlines: &[Inline],
    base: SpanStyle,
    note_label: &dyn Fn(&ir::NoteId) -> String,
) -> Warned<Vec<Span>> {
    let mut spans = Vec::new();
    let mut warnings = Vec::new();
    collect(inlines, base, note_label, &mut spans, &mut warnings);
    Warned::new(spans, warnings)
}

fn note_call(
    id: &ir::NoteId,
    style: SpanStyle,
    note_label: &dyn Fn(&ir::NoteId) -> String,
) -> Span {
    Span {
        text: note_label(id),
        style: SpanStyle {
            script: Script::Super,
            ..style
        },
        anchor: Some(format!("noteref-{id}")),
    }
}

fn collect(
    inlines: &[Inline],
    style: SpanStyle,
    note_label: &dyn Fn(&ir::NoteId) -> String,
    out: &mut Vec<Span>,
    warnings: &mut Vec<Warning>,
) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push(Span::new(t.clone(), style)),
            Inline::Emph(c) => collect(
                c,
                SpanStyle {
                    italic: !style.italic,
                    ..style
                },
                note_label,
                out,
                warnings,
            ),
            Inline::Strong(c) => collect(
                c,
                SpanStyle {
                    bold: true,
                    ..style
                },
                note_label,
                out,
                warnings,
            ),
            Inline::SmallCaps(c) => collect(
                c,
                SpanStyle {
                    small_caps: true,
                    ..style
                },
                note_label,
                out,
                warnings,
            ),
            Inline::Sup(c) => collect(
                c,
                SpanStyle {
                    script: Script::Super,
                    ..style
                },
                note_label,
                out,
                warnings,
            ),
            Inline::Sub(c) => collect(
                c,
                SpanStyle {
                    script: Script::Sub,
                    ..style
                },
                note_label,
                out,
                warnings,
            ),
            Inline::Hi { content, .. }
            | Inline::Foreign { content, .. }
            | Inline::Unclear { content, .. }
            | Inline::Link { content, .. } => collect(content, style, note_label, out, warnings),
            Inline::Supplied { content, .. } => {
                out.push(Span::new("[", style));
                collect(content, style, note_label, out, warnings);
                out.push(Span::new("]", style));
            }
            Inline::NoteRef(id) => out.push(note_call(id, style, note_label)),
            Inline::Gap(gap) => {
                out.push(Span::new(gap.shown.clone(), style));
                if let Some(id) = &gap.note {
                    out.push(note_call(id, style, note_label));
                }
            }
            Inline::Incident(inc) => out.push(Span::new(
                format!("({})", inc.desc),
                SpanStyle {
                    italic: !style.italic,
                    ..style
                },
            )),
            Inline::Image { alt, src } => {
                warnings.push(Warning::general(format!(
                    "image {src} cannot be typeset inline; its alternative text is shown"
                )));
                out.push(Span::new(format!("[{alt}]"), style));
            }
            Inline::LineBreak => out.push(Span::new("\u{2028}", style)),
            Inline::Milestone { .. } => {}
            // The PDF writer shows transcription markup by the style's convention first
            // (transform::transcription); met here, it is set as a reading text.
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
            | Inline::App(_) => collect(
                &crate::transform::transcription::reading_fallback(inline),
                style,
                note_label,
                out,
                warnings,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts() -> Typesetter {
        Typesetter::new(&Style::default(), "en-US")
    }

    fn plain(text: &str) -> Vec<Span> {
        vec![Span::new(text, SpanStyle::regular(10.5))]
    }

    /// Returns the text the glyphs stand for, line by line.
    fn glyph_text(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                l.runs
                    .iter()
                    .flat_map(|r| r.glyphs.iter().map(|g| r.glyph_text(g)))
                    .collect()
            })
            .collect()
    }

    const PROSE: &str = "The materials submitted by comrades on the activity of the Soviets, \
        while being incomplete, are remarkably interesting. This may be the most important \
        information material produced by the conference, material which makes it possible \
        to verify our slogans by the actual course of events, by the experience of the \
        masses, and which gives us an opportunity to see the revolution as it develops.";

    #[test]
    fn lines_fill_the_measure_and_keep_the_text() {
        let mut t = ts();
        let m = Measure::new(200.0, 10.5, Align::Justify);
        let out = t.set_paragraph(&plain(PROSE), &m);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let lines = out.value;
        assert!(lines.len() > 4);
        for (i, l) in lines.iter().enumerate() {
            assert!(!l.overfull);
            assert!(l.set_width <= l.width + 0.01, "line {i} too wide");
            if i + 1 < lines.len() {
                assert!(
                    (l.set_width - l.width).abs() < 0.01,
                    "line {i} justified: {l:?}"
                );
                assert!(l.ratio >= -1.0 && l.ratio <= 3.0);
            }
        }
        assert_eq!(lines[0].runs[0].x, 10.5, "first line indented");
        // The glyphs' text gives back the words (hyphens added at line ends only).
        let joined: String = lines
            .iter()
            .map(|l| {
                l.text
                    .strip_suffix('-')
                    .filter(|_| l.hyphenated)
                    .unwrap_or(&l.text)
                    .to_owned()
                    + if l.hyphenated { "" } else { " " }
            })
            .collect();
        let words: Vec<&str> = PROSE.split_whitespace().collect();
        assert_eq!(joined.split_whitespace().collect::<Vec<_>>(), words);
        for (l, g) in lines.iter().zip(glyph_text(&lines)) {
            assert_eq!(l.text.replace(' ', ""), g, "glyph texts cover the line");
        }
    }

    #[test]
    fn lines_of_different_lengths() {
        let mut t = ts();
        // A paragraph shape: two short lines beside a figure, then the full measure.
        let m = Measure {
            widths: vec![120.0, 120.0, 240.0],
            indent: 12.0,
            align: Align::Justify,
        };
        let lines = t.set_paragraph(&plain(PROSE), &m).value;
        assert_eq!(lines[0].width, 108.0);
        assert_eq!(lines[1].width, 120.0);
        assert!(lines[2..].iter().all(|l| l.width == 240.0));
        for l in &lines[..lines.len() - 1] {
            assert!((l.set_width - l.width).abs() < 0.01, "{l:?}");
        }
    }

    #[test]
    fn russian_text_is_hyphenated_with_russian_patterns() {
        let mut t = Typesetter::new(&Style::default(), "ru");
        let text = "Материалы, представленные товарищами о деятельности Советов, \
            при всей их неполноте, чрезвычайно интересны. Революция в провинции \
            приобретает муниципальный характер, и это даёт ей огромную силу.";
        let mut hyphenated = Vec::new();
        for w in [90.0, 110.0, 130.0] {
            let lines = t
                .set_paragraph(&plain(text), &Measure::new(w, 0.0, Align::Justify))
                .value;
            for l in &lines {
                assert!(l.set_width <= l.width + 0.01);
                if l.hyphenated {
                    hyphenated.push(l.text.rsplit(' ').next().unwrap().to_owned());
                }
            }
        }
        assert!(!hyphenated.is_empty());
        // Every fragment before a hyphen is a run of Cyrillic letters of at least two.
        for f in &hyphenated {
            let stem = f.trim_end_matches('-');
            assert!(
                stem.chars().count() >= 2
                    && stem.chars().all(|c| ('а'..='я')
                        .contains(&c.to_lowercase().next().unwrap())
                        || c == 'ё'),
                "{f}"
            );
        }
    }

    #[test]
    fn typesetters_can_move_between_threads() {
        fn assert_send<T: Send>() {}
        assert_send::<Typesetter>();
        assert_send::<Line>();
    }

    #[test]
    fn points_inside_ligatures_are_usable() {
        let mut t = ts();
        // "office" hyphenates of-fice, inside the ff(i) ligature; a measure that needs
        // the break gets it, with the text intact.
        let mut found = false;
        for w in [40.0, 45.0, 50.0, 55.0, 60.0, 65.0, 70.0] {
            let out = t.set_paragraph(
                &plain("the office officers offer difficult effects, sufficiently"),
                &Measure::new(w, 0.0, Align::Justify),
            );
            for l in &out.value {
                if l.text.ends_with("of-")
                    || l.text.ends_with("ef-")
                    || l.text.ends_with("suf-")
                    || l.text.ends_with("dif-")
                {
                    found = true;
                }
                let g: String = l
                    .runs
                    .iter()
                    .flat_map(|r| r.glyphs.iter().map(|g| r.glyph_text(g)))
                    .collect();
                assert_eq!(g, l.text.replace(' ', ""));
            }
        }
        assert!(found, "a break inside a ligature was used");
    }

    #[test]
    fn ligatures_keep_their_text() {
        let mut t = ts();
        let out = t.set_paragraph(
            &plain("office fluff"),
            &Measure::new(300.0, 0.0, Align::Justify),
        );
        let run = &out.value[0].runs[0];
        let g = &run.glyphs;
        assert!(g.len() < "officefluff".len(), "ligatures formed");
        assert!(
            g.iter().any(|g| run.glyph_text(g).chars().count() > 1),
            "a glyph carries several characters"
        );
        assert_eq!(glyph_text(&out.value)[0], "officefluff");
    }

    #[test]
    fn narrow_measure_hyphenates() {
        let mut t = ts();
        let out = t.set_paragraph(&plain(PROSE), &Measure::new(120.0, 0.0, Align::Justify));
        let lines = out.value;
        assert!(
            lines.iter().any(|l| l.hyphenated && l.text.ends_with('-')),
            "{:#?}",
            lines.iter().map(|l| &l.text).collect::<Vec<_>>()
        );
        // Never hyphenate the last word.
        assert!(lines.last().unwrap().text.ends_with("develops."));
        assert!(!lines[lines.len() - 2].text.ends_with("de-"));
    }

    #[test]
    fn no_break_at_nbsp_or_before_ellipsis_paren_and_breaks_after_em_dash() {
        let mut t = ts();
        for w in [30.0, 45.0, 60.0, 80.0] {
            let out = t.set_paragraph(
                &plain("aaa bbb\u{a0}ccc ddd (eee\u{2026}) fff\u{2014}ggg hhh iii"),
                &Measure::new(w, 0.0, Align::Left),
            );
            for l in &out.value {
                assert!(!l.text.starts_with("ccc"), "{:?}", l.text);
                assert!(
                    !l.text.starts_with('\u{2026}') && !l.text.starts_with(')'),
                    "{:?}",
                    l.text
                );
                assert!(!l.text.starts_with('\u{2014}'), "{:?}", l.text);
            }
        }
        // A spaced dash never starts a line.
        for w in [30.0, 40.0, 50.0, 60.0, 70.0] {
            let out = t.set_paragraph(
                &plain("aaa bbb \u{2013} ccc ddd \u{2014} eee fff"),
                &Measure::new(w, 0.0, Align::Left),
            );
            for l in &out.value {
                assert!(
                    !l.text.starts_with(['\u{2013}', '\u{2014}']),
                    "{:?}",
                    l.text
                );
            }
        }
        // A narrow measure breaks after the em dash.
        let out = t.set_paragraph(
            &plain("fff\u{2014}ggg"),
            &Measure::new(20.0, 0.0, Align::Left),
        );
        assert_eq!(out.value[0].text, "fff\u{2014}");
    }

    #[test]
    fn soft_hyphens_break_with_a_visible_hyphen() {
        let mut t = ts();
        let mut broke = false;
        for w in [30.0, 40.0, 50.0, 60.0] {
            let out = t.set_paragraph(
                &plain("a hy\u{ad}phen\u{ad}ation of xyzzy\u{ad}plugh words"),
                &Measure::new(w, 0.0, Align::Left),
            );
            for l in &out.value {
                assert!(!l.text.ends_with('\u{ad}'), "{:?}", l.text);
                if l.hyphenated {
                    broke = true;
                    assert!(l.text.ends_with('-'));
                    let run = l.runs.last().unwrap();
                    let last = run.glyphs.last().unwrap();
                    assert_eq!(run.glyph_text(last), "-", "a hyphen glyph is drawn");
                }
            }
        }
        assert!(broke);
    }

    #[test]
    fn compound_words_break_only_at_their_hyphen() {
        let mut t = ts();
        let out = t.set_paragraph(
            &plain("extraordinary-circumstances happen"),
            &Measure::new(80.0, 0.0, Align::Justify),
        );
        let texts: Vec<&str> = out.value.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[0], "extraordinary-", "{texts:?}");
        assert!(out.value.iter().all(|l| !l.hyphenated));
        // U+2010 HYPHEN is a hyphen too.
        let out = t.set_paragraph(
            &plain("extraordinary\u{2010}circumstances happen"),
            &Measure::new(80.0, 0.0, Align::Justify),
        );
        assert_eq!(out.value[0].text, "extraordinary\u{2010}");
    }

    #[test]
    fn ragged_and_centred_lines_do_not_stretch_spaces() {
        let mut t = ts();
        for align in [Align::Left, Align::Center] {
            let out = t.set_paragraph(&plain(PROSE), &Measure::new(200.0, 0.0, align));
            let lines = out.value;
            assert!(lines.len() > 4);
            for l in &lines {
                assert!(l.set_width <= l.width + 0.01);
                if align == Align::Center {
                    let first = l.runs.first().unwrap().x;
                    let last = l.runs.last().unwrap();
                    let right = l.width - (last.x + last.width);
                    assert!(
                        (first - right).abs() < 0.5,
                        "centred: {first} vs {right}: {}",
                        l.text
                    );
                }
            }
        }
    }

    #[test]
    fn degenerate_paragraphs_do_not_panic() {
        let mut t = ts();
        let m = Measure::new(100.0, 10.0, Align::Justify);
        assert!(t.set_paragraph(&[], &m).value.is_empty());
        assert!(t.set_paragraph(&plain(""), &m).value.is_empty());
        assert!(t.set_paragraph(&plain("     "), &m).value.is_empty());
        let long = t.set_paragraph(
            &plain("a Pneumonoultramicroscopicsilicovolcanoconiosis-like b"),
            &Measure::new(40.0, 0.0, Align::Justify),
        );
        assert!(!long.value.is_empty());
        let huge = "x".repeat(100_000);
        let out = t.set_paragraph(&plain(&huge), &m);
        assert_eq!(out.value.len(), 1);
        assert!(out.value[0].overfull);
        assert!(out.warnings.iter().any(|w| w.message.contains("overfull")));
        let mixed = t.set_paragraph(
            &plain("Latin и кириллица и ελληνικά, e\u{301}te\u{301} cafe\u{301}"),
            &m,
        );
        assert!(mixed.warnings.is_empty(), "{:?}", mixed.warnings);
        let emoji = t.set_paragraph(&plain("smile \u{1F600} please"), &m);
        assert_eq!(emoji.warnings.len(), 1, "{:?}", emoji.warnings);
        assert!(emoji.warnings[0].message.contains("U+1F600"));
        assert!(emoji.warnings[0].message.contains("character 7"));
        let zero = t.set_paragraph(&plain("a b c"), &Measure::new(0.0, 0.0, Align::Justify));
        assert!(!zero.value.is_empty());
        let nothing = t.set_paragraph(
            &plain("a b"),
            &Measure {
                widths: vec![],
                indent: 0.0,
                align: Align::Center,
            },
        );
        assert!(!nothing.value.is_empty());
    }

    mod robust {
        use super::*;
        use proptest::prelude::*;

        /// Words from a mixed alphabet: Latin, Cyrillic, Greek, digits, combining marks,
        /// hyphens and dashes, NBSP, soft hyphens, emoji, a character no face has.
        fn word() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    8 => proptest::sample::select(vec!['a', 'e', 'o', 'n', 't', 'f', 'i', 'l', 'T', 'h']),
                    3 => proptest::sample::select(vec!['ж', 'я', 'Ω', 'ά', '1', '9']),
                    1 => proptest::sample::select(vec![
                        '-', '\u{2010}', '\u{2014}', '\u{2013}', '\u{a0}', '\u{ad}', '\u{301}', '…', ')',
                        '(', '😀', '\u{2028}', '/', '.', ',',
                    ]),
                ],
                1..14,
            )
            .prop_map(|cs| cs.into_iter().collect())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]
            #[test]
            fn any_paragraph_sets_without_panic_or_silent_overflow(
                words in proptest::collection::vec(word(), 0..40),
                width in 5.0f64..300.0,
                indent in 0.0f64..20.0,
                align in proptest::sample::select(vec![Align::Justify, Align::Left, Align::Center]),
                bold in any::<bool>(),
                italic in any::<bool>(),
            ) {
                let mut t = Typesetter::new(&Style::default(), "en-GB");
                let style = SpanStyle { bold, italic, ..SpanStyle::regular(10.0) };
                let spans = vec![Span::new(words.join(" "), style)];
                let out = t.set_paragraph(&spans, &Measure::new(width, indent, align));
                let overfull_warnings = out.warnings.iter().filter(|w| w.message.contains("overfull")).count();
                let mut overfull = 0;
                for l in &out.value {
                    prop_assert!(l.set_width.is_finite());
                    if l.overfull {
                        overfull += 1;
                    } else {
                        prop_assert!(l.set_width <= l.width + 0.01, "{l:?}");
                    }
                    let g: String = l.runs.iter().flat_map(|r| r.glyphs.iter().map(|g| r.glyph_text(g))).collect();
                    let expect: String = l.text.chars().filter(|c| *c != ' ' && *c != '\u{a0}').collect();
                    let got: String = g.chars().filter(|c| *c != ' ' && *c != '\u{a0}').collect();
                    prop_assert_eq!(got, expect);
                }
                prop_assert_eq!(overfull, overfull_warnings);
            }
        }
    }

    #[test]
    fn inlines_map_to_spans() {
        use crate::ir::{Gap, GapReason, Incident, NoteId};
        let inlines = vec![
            Inline::Text("He said ".into()),
            Inline::Emph(vec![Inline::Text("so".into())]),
            Inline::Strong(vec![Inline::Text("!".into())]),
            Inline::Gap(Gap {
                reason: GapReason::Omitted,
                extent: None,
                shown: "....".into(),
                note: Some(NoteId("e1".into())),
            }),
            Inline::Incident(Incident {
                kind: Default::default(),
                category: None,
                desc: "Applause.".into(),
            }),
        ];
        let spans = spans_from_inlines(&inlines, SpanStyle::regular(10.0), &|id| {
            if id.as_str() == "e1" {
                "1".into()
            } else {
                "?".into()
            }
        })
        .value;
        assert_eq!(spans.len(), 6);
        assert!(spans[1].style.italic && !spans[0].style.italic);
        assert!(spans[2].style.bold);
        assert_eq!(spans[3].text, "....");
        assert_eq!(spans[4].text, "1");
        assert_eq!(spans[4].style.script, Script::Super);
        assert_eq!(spans[4].anchor.as_deref(), Some("noteref-e1"));
        assert_eq!(spans[5].text, "(Applause.)");
        assert!(spans[5].style.italic);
        // The anchor is found on the line where the call is set.
        let mut t = ts();
        let lines = t
            .set_paragraph(&spans, &Measure::new(300.0, 0.0, Align::Justify))
            .value;
        let a = &lines[0].anchors[0];
        assert_eq!(a.name, "noteref-e1");
        assert!(a.x > 0.0);
        let sup = lines[0]
            .runs
            .iter()
            .find(|r| r.size < 10.0)
            .expect("superscript run");
        assert!(sup.glyphs[0].dy > 0.0);
    }
}
