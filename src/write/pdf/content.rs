//! A page's content stream: glyph runs drawn at their exact positions, rules and images.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use pdf_writer::{Content, Name, Rect, Str, TextStr};

use super::PdfError;
use super::font::{FaceState, round3};
use crate::typeset::frame::{GlyphRun, ImageData, Page, PageItem, Rect as FrameRect};

/// A page's content stream, uncompressed, the faces it uses (indices into the face
/// list, in order) and the images it draws.
pub(super) struct Built {
    pub(super) bytes: Vec<u8>,
    pub(super) faces: BTreeSet<usize>,
    /// Numbers of the images the page draws (see [`image_name`]).
    pub(super) images: BTreeSet<usize>,
    /// Images the file does not have yet, in the order of their numbers: the first is
    /// number `known.len()`.
    pub(super) new_images: Vec<Arc<ImageData>>,
}

/// Returns the resource name of face `i` in page resource dictionaries.
pub(super) fn font_name(i: usize) -> String {
    format!("F{i}")
}

/// Returns the resource name of image number `i` in page resource dictionaries.
pub(super) fn image_name(i: usize) -> String {
    format!("Im{i}")
}

/// Converts a frame rectangle (top-left origin, y down) to a PDF one (bottom-left, y up).
pub(super) fn pdf_rect(r: &FrameRect, page_height: f64) -> Rect {
    let y0 = page_height - r.y - r.h;
    Rect::new(
        round3(r.x as f32),
        round3(y0 as f32),
        round3((r.x + r.w) as f32),
        round3((y0 + r.h) as f32),
    )
}

/// Builds the content stream of `page` (page `number`, from 1), recording the glyphs it
/// uses in `faces`. Images are numbered by `known` (key → number) or, when new, after it.
pub(super) fn build(
    page: &Page,
    number: usize,
    faces: &mut [FaceState],
    known: &BTreeMap<[u8; 32], usize>,
) -> Result<Built, PdfError> {
    let mut content = Content::with_settings(super::COMPACT);
    let mut used = BTreeSet::new();
    let mut images = BTreeSet::new();
    let mut new_images: Vec<Arc<ImageData>> = Vec::new();
    let bad = |what: String| PdfError::BadGeometry { page: number, what };
    for item in &page.items {
        match item {
            PageItem::Text(run) => {
                let Some(face) = faces.get_mut(run.face.0 as usize) else {
                    return Err(PdfError::UnknownFace {
                        page: number,
                        face: run.face.0,
                        count: faces.len(),
                    });
                };
                if !(run.size.is_finite() && run.x.is_finite() && run.y.is_finite())
                    || run.size <= 0.0
                    || run
                        .glyphs
                        .iter()
                        .any(|g| !(g.x.is_finite() && g.dy.is_finite()))
                {
                    return Err(bad(format!(
                        "glyph run at ({}, {}) size {} has a non-finite or non-positive value",
                        run.x, run.y, run.size
                    )));
                }
                if let Some(i) = run
                    .glyphs
                    .iter()
                    .position(|g| run.try_glyph_text(g).is_none())
                {
                    return Err(bad(format!(
                        "glyph {i} of the run at ({}, {}) has text range {:?}, which is not a stretch of the run's {}-byte text",
                        run.x,
                        run.y,
                        run.glyphs[i].text,
                        run.text.len()
                    )));
                }
                if run.glyphs.is_empty() {
                    continue;
                }
                used.insert(run.face.0 as usize);
                draw_run(&mut content, run, face, page.height)?;
            }
            PageItem::Rule(r) => {
                if ![r.x, r.y, r.w, r.h].iter().all(|v| v.is_finite()) {
                    return Err(bad(format!("rule {r:?} has a non-finite value")));
                }
                let r = pdf_rect(r, page.height);
                content
                    .rect(r.x1, r.y1, round3(r.x2 - r.x1), round3(r.y2 - r.y1))
                    .fill_nonzero();
            }
            PageItem::Link { rect, .. } => {
                if ![rect.x, rect.y, rect.w, rect.h]
                    .iter()
                    .all(|v| v.is_finite())
                {
                    return Err(bad(format!("link area {rect:?} has a non-finite value")));
                }
            }
            PageItem::Anchor { name, x, y } => {
                if !(x.is_finite() && y.is_finite()) {
                    return Err(bad(format!("anchor {name:?} has a non-finite position")));
                }
            }
            PageItem::Image { rect, image } => {
                if ![rect.x, rect.y, rect.w, rect.h]
                    .iter()
                    .all(|v| v.is_finite())
                {
                    return Err(bad(format!("image area {rect:?} has a non-finite value")));
                }
                let r = pdf_rect(rect, page.height);
                let (w, h) = (round3(r.x2 - r.x1), round3(r.y2 - r.y1));
                if w == 0.0 || h == 0.0 {
                    // A singular matrix draws nothing and upsets some readers.
                    continue;
                }
                let n = match known.get(image.key()) {
                    Some(&n) => n,
                    None => match new_images.iter().position(|i| i.key() == image.key()) {
                        Some(k) => known.len() + k,
                        None => {
                            new_images.push(Arc::clone(image));
                            known.len() + new_images.len() - 1
                        }
                    },
                };
                images.insert(n);
                // The image space is the unit square (§8.9.4): scale it onto the area.
                content
                    .save_state()
                    .transform([w, 0.0, 0.0, h, r.x1, r.y1])
                    .x_object(Name(image_name(n).as_bytes()))
                    .restore_state();
            }
        }
    }
    Ok(Built {
        bytes: content.finish().into_vec(),
        faces: used,
        images,
        new_images,
    })
}

/// Where the PDF text position is, relative to the run origin, and the rise in force.
struct Pen {
    /// Horizontal text position in points, as a reader computes it from what was written.
    x: f64,
    /// The text rise (Ts) in force.
    rise: f64,
}

/// Draws one glyph run in its own text object. Glyphs are shown with `TJ`; a gap between
/// where the font's advance puts the next glyph and where the page builder placed it
/// becomes a `TJ` adjustment, so the drawn x matches `PlacedGlyph::x`. A cluster whose
/// text the font's ToUnicode map cannot give back (a glyph seen before with other text,
/// a cluster of several glyphs, marks) is wrapped in an ActualText span (§14.9.4).
fn draw_run(
    content: &mut Content,
    run: &GlyphRun,
    face: &mut FaceState,
    page_height: f64,
) -> Result<(), PdfError> {
    let size = run.size as f32;
    let scale = run.size / 1000.0;
    // Glyphs seen before are looked up in the face's records; the font is parsed only
    // when a run brings a new glyph (its advance width is needed), which after the
    // first pages is rare. The parsed face borrows the font bytes: an Arc clone keeps
    // `face` free to record the glyphs.
    let mut placed = Vec::with_capacity(run.glyphs.len());
    let mut parsed = None;
    let (data, index) = face.source();
    for g in &run.glyphs {
        let known = face.known_glyph(g.id);
        let (cid, width) = match known {
            Some(k) => k,
            None => {
                let p = match parsed.take() {
                    Some(p) => p,
                    None => face.parse_bytes(&data, index)?,
                };
                let found = face.use_glyph(&p, g.id)?;
                parsed = Some(p);
                found
            }
        };
        placed.push((cid, width));
    }

    content.begin_text();
    content.set_font(Name(font_name(run.face.0 as usize).as_bytes()), size);
    content.set_text_matrix([
        1.0,
        0.0,
        0.0,
        1.0,
        round3(run.x as f32),
        round3((page_height - run.y) as f32),
    ]);
    let mut pen = Pen { x: 0.0, rise: 0.0 };

    // Split the run into clusters: a glyph with text starts one, glyphs with empty text
    // continue it. Consecutive clusters that the ToUnicode map renders exactly are shown
    // together (`plain_from..i`); any other cluster gets its own ActualText span.
    let mut plain_from = 0;
    let mut i = 0;
    while i < run.glyphs.len() {
        let mut end = i + 1;
        while end < run.glyphs.len() && run.glyphs[end].text.is_empty() {
            end += 1;
        }
        let text = run.glyph_text(&run.glyphs[i]);
        if end == i + 1 && face.claim_text(placed[i].0, text) {
            i = end;
            continue;
        }
        show_glyphs(content, run, &placed, plain_from, i, scale, &mut pen);
        content
            .begin_marked_content_with_properties(Name(b"Span"))
            .properties()
            .actual_text(TextStr(text));
        show_glyphs(content, run, &placed, i, end, scale, &mut pen);
        content.end_marked_content();
        i = end;
        plain_from = end;
    }
    show_glyphs(
        content,
        run,
        &placed,
        plain_from,
        run.glyphs.len(),
        scale,
        &mut pen,
    );
    if pen.rise != 0.0 {
        content.set_rise(0.0);
    }
    content.end_text();
    Ok(())
}

/// Shows glyphs `from..to` of `run` with `TJ`, starting a new `TJ` where the rise changes.
fn show_glyphs(
    content: &mut Content,
    run: &GlyphRun,
    placed: &[(u16, f32)],
    from: usize,
    to: usize,
    scale: f64,
    pen: &mut Pen,
) {
    let mut start = from;
    while start < to {
        let rise = run.glyphs[start].dy;
        let rounded = round3(rise as f32);
        if f64::from(rounded) != pen.rise {
            content.set_rise(rounded);
            pen.rise = f64::from(rounded);
        }
        let mut end = start + 1;
        while end < to && run.glyphs[end].dy == rise {
            end += 1;
        }
        let mut op = content.show_positioned();
        let mut items = op.items();
        let mut pending: Vec<u8> = Vec::new();
        for (glyph, &(cid, width)) in run.glyphs[start..end].iter().zip(&placed[start..end]) {
            let gap = glyph.x - pen.x;
            // An adjustment is in thousandths of the font size, positive to the left.
            let adjust = (-(gap / scale) as f32 * 100.0).round() / 100.0;
            if adjust != 0.0 {
                if !pending.is_empty() {
                    items.show(Str(&pending));
                    pending.clear();
                }
                items.adjust(adjust);
                pen.x -= f64::from(adjust) * scale;
            }
            pending.extend_from_slice(&cid.to_be_bytes());
            pen.x += f64::from(width) * scale;
        }
        if !pending.is_empty() {
            items.show(Str(&pending));
        }
        drop(items);
        drop(op);
        start = end;
    }
}
