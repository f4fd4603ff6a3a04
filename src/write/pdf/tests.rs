use std::sync::Arc;

use super::*;
use crate::typeset::frame::{FaceData, FaceId, GlyphRun, Rect as FrameRect};

fn libertine() -> FaceSet {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/LinLibertine_R.otf");
    let data: Arc<[u8]> = std::fs::read(path).unwrap().into();
    FaceSet {
        faces: vec![FaceData {
            postscript_name: "LinLibertineO".into(),
            data,
            index: 0,
        }],
    }
}

/// A run of one glyph per character (looked up in the cmap, no shaping), 10 pt apart.
fn run_of(faces: &FaceSet, text: &str) -> GlyphRun {
    let face = ttf_parser::Face::parse(&faces.faces[0].data, 0).unwrap();
    let mut run = GlyphRun::new(FaceId(0), 12.0, 72.0, 100.0);
    for (i, c) in text.chars().enumerate() {
        let id = face.glyph_index(c).unwrap().0;
        run.push_glyph(id, 10.0 * i as f64, 0.0, c.encode_utf8(&mut [0; 4]));
    }
    run.width = 10.0 * text.chars().count() as f64;
    run
}

/// Returns `run` with glyph `i` standing for `text` instead.
fn retext(run: &GlyphRun, i: usize, text: &str) -> GlyphRun {
    let mut out = GlyphRun {
        glyphs: Vec::new(),
        text: String::new(),
        ..run.clone()
    };
    for (k, g) in run.glyphs.iter().enumerate() {
        let t = if k == i { text } else { run.glyph_text(g) };
        out.push_glyph(g.id, g.x, g.dy, t);
    }
    out
}

fn page(items: Vec<PageItem>) -> Page {
    Page {
        width: 300.0,
        height: 400.0,
        items,
    }
}

fn meta() -> PdfMeta {
    PdfMeta {
        title: Some("T".into()),
        timestamp: 0,
        ..PdfMeta::default()
    }
}

fn write_one(p: &Page) -> Result<Warned<Vec<u8>>, PdfError> {
    let faces = libertine();
    let mut w = PdfWriter::new(Vec::new(), &faces, &meta())?;
    w.write_page(p)?;
    w.finish(&[])
}

#[test]
fn rejects_fonts_it_cannot_read() {
    let faces = FaceSet {
        faces: vec![FaceData {
            postscript_name: "Broken".into(),
            data: Arc::from(&b"not a font"[..]),
            index: 0,
        }],
    };
    let err = PdfWriter::new(Vec::new(), &faces, &meta()).err().unwrap();
    assert!(
        matches!(err, PdfError::Font { ref face, .. } if face == "Broken"),
        "{err}"
    );
}

#[test]
fn rejects_unknown_faces_and_glyphs() {
    let faces = libertine();
    let mut run = run_of(&faces, "ab");
    run.face = FaceId(3);
    let err = write_one(&page(vec![PageItem::Text(run)])).err().unwrap();
    assert!(
        matches!(
            err,
            PdfError::UnknownFace {
                page: 1,
                face: 3,
                count: 1
            }
        ),
        "{err}"
    );

    let mut run = run_of(&faces, "ab");
    run.glyphs[1].id = u16::MAX;
    let err = write_one(&page(vec![PageItem::Text(run)])).err().unwrap();
    assert!(
        matches!(
            err,
            PdfError::GlyphOutOfRange {
                glyph: u16::MAX,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn rejects_non_finite_geometry() {
    let faces = libertine();
    let mut run = run_of(&faces, "ab");
    run.glyphs[0].x = f64::NAN;
    let err = write_one(&page(vec![PageItem::Text(run)])).err().unwrap();
    assert!(
        matches!(err, PdfError::BadGeometry { page: 1, .. }),
        "{err}"
    );

    let rule = PageItem::Rule(FrameRect {
        x: 0.0,
        y: f64::INFINITY,
        w: 1.0,
        h: 1.0,
    });
    assert!(write_one(&page(vec![rule])).is_err());

    let mut huge = page(vec![]);
    huge.height = 1e30;
    assert!(write_one(&huge).is_err());
    let mut p = page(vec![]);
    p.width = 0.0;
    let err = write_one(&p).err().unwrap();
    assert!(err.to_string().contains("page size"), "{err}");
    // It converts to the crate's write error with the message.
    let e: WriteError = err.into();
    assert!(matches!(e, WriteError::Unsupported(ref m) if m.contains("page 1")));
}

#[test]
fn rejects_glyph_text_outside_the_run_text() {
    let faces = libertine();
    // Past the end, backwards, and through the middle of "é".
    for (a, b) in [(1, 9), (2, 1), (1, 2)] {
        let range = a..b;
        let mut run = run_of(&faces, "aé");
        run.glyphs[1].text = range.clone();
        let err = write_one(&page(vec![PageItem::Text(run)])).err().unwrap();
        assert!(
            matches!(err, PdfError::BadGeometry { page: 1, ref what } if what.contains("text range")),
            "{range:?}: {err}"
        );
    }
    // The run as made is fine.
    assert!(write_one(&page(vec![PageItem::Text(run_of(&faces, "aé"))])).is_ok());
}

#[test]
fn an_empty_document_gets_one_blank_page() {
    let faces = libertine();
    let w = PdfWriter::new(Vec::new(), &faces, &meta()).unwrap();
    let bytes = w.finish(&[]).unwrap().value;
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/Count 1"), "{text}");
    // No font is used, so none is embedded.
    assert!(!text.contains("/FontFile"), "{text}");
    assert!(text.ends_with("%%EOF\n"));
}

#[test]
fn warns_about_a_duplicate_anchor() {
    let a = || PageItem::Anchor {
        name: "x".into(),
        x: 1.0,
        y: 2.0,
    };
    let done = write_one(&page(vec![a(), a()])).unwrap();
    assert_eq!(done.warnings.len(), 1);
    assert!(done.warnings[0].message.contains("twice"));
}

#[test]
fn records_each_glyph_once_with_its_first_text() {
    let faces = libertine();
    let mut w = PdfWriter::new(Vec::new(), &faces, &meta()).unwrap();
    // The same glyph as "a" standing for other text: ActualText.
    let run = retext(&run_of(&faces, "abab"), 2, "A");
    w.write_page(&page(vec![PageItem::Text(run.clone())]))
        .unwrap();
    let used = font::used_glyphs(&w.faces[0]);
    // .notdef, a, b
    assert_eq!(used.len(), 3);
    assert_eq!(used[&1].1.as_deref(), Some("a"));
    assert_eq!(used[&2].1.as_deref(), Some("b"));
    // Writing the same glyphs again adds nothing.
    let before = w.buffered().retained_bytes;
    w.write_page(&page(vec![PageItem::Text(run)])).unwrap();
    assert_eq!(
        w.buffered().retained_bytes,
        before + 2 * 8 + 4,
        "page and content object offsets, one page id"
    );
    let bytes = w.finish(&[]).unwrap().value;
    assert!(
        bytes.len() < 40_000,
        "subset, not the whole font: {} bytes",
        bytes.len()
    );
}

#[test]
fn content_shows_runs_with_adjustments_and_actual_text() {
    let faces = libertine();
    let run = retext(&run_of(&faces, "aba"), 2, "à");
    let mut state: Vec<FaceState> = faces
        .faces
        .iter()
        .map(|f| FaceState::new(f).unwrap())
        .collect();
    let built = content::build(
        &page(vec![PageItem::Text(run)]),
        1,
        &mut state,
        &Default::default(),
    )
    .unwrap();
    let text = String::from_utf8(built.bytes).unwrap();
    assert!(text.contains("/F0 12 Tf"), "{text}");
    assert!(text.contains("1 0 0 1 72 300 Tm"), "{text}");
    assert!(
        text.contains("/ActualText<FEFF00E0>") && text.contains("BDC"),
        "{text}"
    );
    assert_eq!(text.matches("TJ").count(), 2, "{text}");
    assert_eq!(built.faces.into_iter().collect::<Vec<_>>(), vec![0]);
}

#[test]
fn takes_metadata_from_the_ir() {
    let mut meta = crate::ir::Meta {
        title: Some("Minutes".into()),
        subtitle: Some("of the meeting".into()),
        authors: vec!["Clerk".into()],
        lang: "ru".into(),
        ..Default::default()
    };
    let m = PdfMeta::from_ir(&meta, 42);
    assert_eq!(m.title.as_deref(), Some("Minutes"));
    assert_eq!(m.subject.as_deref(), Some("of the meeting"));
    assert_eq!(m.authors, ["Clerk"]);
    assert_eq!(m.lang.as_deref(), Some("ru"));
    assert_eq!(m.timestamp, 42);
    meta.lang = String::new();
    assert_eq!(PdfMeta::from_ir(&meta, 0).lang, None);
}

#[test]
fn stays_usable_after_a_rejected_page() {
    let faces = libertine();
    let mut w = PdfWriter::new(Vec::new(), &faces, &meta()).unwrap();
    let mut bad = run_of(&faces, "ab");
    bad.size = -1.0;
    assert!(w.write_page(&page(vec![PageItem::Text(bad)])).is_err());
    w.write_page(&page(vec![PageItem::Text(run_of(&faces, "ab"))]))
        .unwrap();
    let done = w.finish(&[]).unwrap();
    let text = String::from_utf8_lossy(&done.value);
    assert!(text.contains("/Count 1"), "{text}");
}
