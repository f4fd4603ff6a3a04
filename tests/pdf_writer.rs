//! The PDF writer on pages built by hand from text shaped with rustybuzz: validity,
//! text extraction, links, outline, metadata, glyph positions, determinism, memory.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use lacuna::typeset::frame::{
    FaceData, FaceId, FaceSet, GlyphRun, OutlineEntry, Page, PageItem, Rect,
};
use lacuna::write::pdf::{PdfMeta, PdfWriter};
use lopdf::{Document, Object, ObjectId};

const REGULAR: FaceId = FaceId(0);
const ITALIC: FaceId = FaceId(1);
/// A TrueType-outline face (a Noto Serif subset vendored for the tests).
const TRUETYPE: FaceId = FaceId(2);
const WIDTH: f64 = 420.0;
const HEIGHT: f64 = 595.0;

fn faces() -> FaceSet {
    let load = |file: &str, name: &str| FaceData {
        postscript_name: name.to_owned(),
        data: std::fs::read(common::root().join(file)).unwrap().into(),
        index: 0,
    };
    FaceSet {
        faces: vec![
            load("fonts/LinLibertine_R.otf", "LinLibertineO"),
            load("fonts/LinLibertine_RI.otf", "LinLibertineOI"),
            load("tests/data/pdf/NotoSerif-Regular-subset.ttf", "NotoSerif"),
        ],
    }
}

/// Shapes `text` with rustybuzz (kerning and ligatures on) into a run at `(x, y)`.
fn shape(faces: &FaceSet, face: FaceId, text: &str, size: f64, x: f64, y: f64) -> GlyphRun {
    let data: &Arc<[u8]> = &faces.faces[face.0 as usize].data;
    let rb = rustybuzz::Face::from_slice(data, 0).expect("font");
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    let shaped = rustybuzz::shape(&rb, &[], buffer);
    let scale = size / f64::from(rb.units_per_em());
    let infos = shaped.glyph_infos();
    let positions = shaped.glyph_positions();
    let mut run = GlyphRun::new(face, size, x, y);
    let mut pen = 0.0;
    for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
        let start = info.cluster as usize;
        let first_of_cluster = i == 0 || infos[i - 1].cluster != info.cluster;
        let end = infos[i..]
            .iter()
            .map(|g| g.cluster as usize)
            .find(|&c| c != start)
            .unwrap_or(text.len());
        run.push_glyph(
            info.glyph_id as u16,
            pen + f64::from(pos.x_offset) * scale,
            f64::from(pos.y_offset) * scale,
            if first_of_cluster {
                &text[start..end]
            } else {
                ""
            },
        );
        pen += f64::from(pos.x_advance) * scale;
    }
    run.width = pen;
    run
}

/// Returns `run` with the glyphs standing for `texts` instead of their own text.
fn retext(run: &GlyphRun, texts: &[&str]) -> GlyphRun {
    assert_eq!(run.glyphs.len(), texts.len());
    let mut out = GlyphRun {
        glyphs: Vec::new(),
        text: String::new(),
        ..run.clone()
    };
    for (g, text) in run.glyphs.iter().zip(texts) {
        out.push_glyph(g.id, g.x, g.dy, text);
    }
    out
}

/// The lines of the sample, with their face.
const LINES: &[(FaceId, &str)] = &[
    (REGULAR, "The official affluent flow of first fine words."),
    (REGULAR, "Протокол: революция и «Правда»."),
    (ITALIC, "Ὁ λόγος — “quoted” and ‘single’ in italics…"),
    (REGULAR, "Waffles, baffled, difficult, AVAST."),
    (TRUETYPE, "TrueType: “Ἀρχή” — начало, office, WAVE."),
];

/// Builds three pages: text on each, a rule, links forward (page 1 → 3) and backward
/// (page 3 → 1), anchors for the outline.
fn sample_pages(faces: &FaceSet) -> Vec<Page> {
    let mut pages = Vec::new();
    for p in 0..3 {
        let mut items = Vec::new();
        items.push(PageItem::Anchor {
            name: format!("page{}", p + 1),
            x: 50.0,
            y: 40.0,
        });
        for (i, (face, text)) in LINES.iter().enumerate() {
            let y = 80.0 + 20.0 * i as f64;
            items.push(PageItem::Text(shape(faces, *face, text, 11.0, 50.0, y)));
        }
        items.push(PageItem::Rule(Rect {
            x: 50.0,
            y: 500.0,
            w: 100.0,
            h: 0.4,
        }));
        items.push(PageItem::Text(shape(
            faces,
            REGULAR,
            &format!("Note {} at the foot.", p + 1),
            8.0,
            50.0,
            515.0,
        )));
        pages.push(Page {
            width: WIDTH,
            height: HEIGHT,
            items,
        });
    }
    pages[0].items.push(PageItem::Link {
        rect: Rect {
            x: 50.0,
            y: 70.0,
            w: 30.0,
            h: 12.0,
        },
        target: "e1".into(),
    });
    pages[2].items.push(PageItem::Anchor {
        name: "e1".into(),
        x: 50.0,
        y: 505.0,
    });
    pages[2].items.push(PageItem::Link {
        rect: Rect {
            x: 50.0,
            y: 507.0,
            w: 10.0,
            h: 9.0,
        },
        target: "page1".into(),
    });
    pages
}

fn outline() -> Vec<OutlineEntry> {
    let e = |title: &str, level, anchor: &str| OutlineEntry {
        title: title.into(),
        level,
        anchor: anchor.into(),
    };
    vec![
        e("Протокол", 1, "page1"),
        e("Section two", 2, "page2"),
        e("Notes", 1, "page3"),
    ]
}

fn meta() -> PdfMeta {
    PdfMeta {
        title: Some("Протокол — Minutes".into()),
        authors: vec!["A. Scribe".into(), "B. Clerk".into()],
        lang: Some("ru".into()),
        subject: None,
        timestamp: 1_700_000_000,
    }
}

fn write_pdf(faces: &FaceSet, pages: &[Page]) -> (Vec<u8>, Vec<lacuna::Warning>) {
    let mut w = PdfWriter::new(Vec::new(), faces, &meta()).unwrap();
    for p in pages {
        w.write_page(p).unwrap();
    }
    let done = w.finish(&outline()).unwrap();
    (done.value, done.warnings)
}

fn sample_file(name: &str) -> (tempfile::TempDir, std::path::PathBuf, Vec<Page>) {
    let faces = faces();
    let pages = sample_pages(&faces);
    let (bytes, warnings) = write_pdf(&faces, &pages);
    assert!(warnings.is_empty(), "{warnings:?}");
    let dir = common::temp_dir();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path, pages)
}

fn run(cmd: &str, args: &[&str], path: &Path) -> (bool, String, String) {
    let out = Command::new(cmd).args(args).arg(path).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "pdftotext complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn passes_the_pdf_validators() {
    let test = "passes_the_pdf_validators";
    if !(common::have_tool("qpdf", test)
        && common::have_tool("pdffonts", test)
        && common::have_tool("pdftotext", test))
    {
        return;
    }
    let (_dir, path, _) = sample_file("sample.pdf");
    // qpdf --check: 0 clean, 3 warnings, 2 errors: only 0 passes.
    let (ok, out, err) = run("qpdf", &["--check"], &path);
    assert!(ok, "qpdf --check failed:\n{out}\n{err}");
    assert!(out.contains("No syntax or stream encoding errors"), "{out}");

    let (ok, out, err) = run("pdffonts", &[], &path);
    assert!(ok, "pdffonts failed: {err}");
    let rows: Vec<&str> = out
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 3, "three faces used:\n{out}");
    assert!(
        out.contains("CID Type 0C"),
        "CFF outlines as CIDFontType0C:\n{out}"
    );
    assert!(
        out.contains("CID TrueType"),
        "glyf outlines as CIDFontType2:\n{out}"
    );
    for row in rows {
        let f: Vec<&str> = row.split_whitespace().collect();
        let n = f.len();
        // name type encoding emb sub uni object ID: emb, sub, uni are 5th, 4th, 3rd from the end
        assert_eq!(
            (f[n - 5], f[n - 4], f[n - 3]),
            ("yes", "yes", "yes"),
            "font not embedded as a subset with ToUnicode: {row}"
        );
        assert!(
            f[0].len() > 7 && f[0].as_bytes()[6] == b'+',
            "subset tag: {row}"
        );
    }
    let text = pdftotext(&path);
    assert!(text.split_whitespace().count() > 20, "{text}");

    // "sub yes" only means the name has a tag: check that the programs are really cut.
    let doc = Document::load_mem(&std::fs::read(&path).unwrap()).unwrap();
    let mut programs = 0;
    for obj in doc.objects.values() {
        let Ok(stream) = obj.as_stream() else {
            continue;
        };
        let is_font = stream
            .dict
            .get(b"Subtype")
            .is_ok_and(|s| s.as_name().is_ok_and(|n| n == b"CIDFontType0C"))
            || stream.dict.has(b"Length1");
        if is_font {
            programs += 1;
            let len = stream.decompressed_content().unwrap().len();
            assert!(len < 40_000, "font program of {len} bytes is no subset");
        }
    }
    assert_eq!(programs, 3);
}

#[test]
fn pdftotext_gives_back_the_exact_words() {
    if !common::have_tool("pdftotext", "pdftotext_gives_back_the_exact_words") {
        return;
    }
    let (_dir, path, pages) = sample_file("words.pdf");
    // The ligatures are really there, or the test would prove nothing about them.
    let faces = faces();
    let line = shape(&faces, REGULAR, LINES[0].1, 11.0, 0.0, 0.0);
    let texts: Vec<&str> = line.glyphs.iter().map(|g| line.glyph_text(g)).collect();
    assert!(texts.contains(&"ffl"), "{texts:?}");
    assert!(texts.contains(&"fi"), "{texts:?}");

    let text = pdftotext(&path);
    let words: Vec<&str> = text.split_whitespace().collect();
    let joined = words.join(" ");
    for (_, line) in LINES {
        assert!(joined.contains(line), "missing line {line:?} in:\n{text}");
    }
    for w in [
        "official",
        "affluent",
        "first",
        "fine",
        "революция",
        "λόγος",
        "“quoted”",
        "‘single’",
    ] {
        assert!(
            words
                .iter()
                .any(|x| x.trim_matches(|c: char| c.is_ascii_punctuation()) == w || *x == w),
            "word {w:?} not extracted:\n{text}"
        );
    }
    assert_eq!(
        text.matches('\u{c}').count(),
        pages.len(),
        "one form feed a page"
    );
}

#[test]
fn actual_text_covers_what_tounicode_cannot() {
    if !common::have_tool("pdftotext", "actual_text_covers_what_tounicode_cannot") {
        return;
    }
    let faces = faces();
    // "a Tea" where the page builder says: "T" and "e" form one cluster "Te" (two
    // glyphs), and the last "a" glyph stands for "à" (the same glyph as the first "a"):
    // neither can come from a ToUnicode map, which has one text per glyph.
    let run = shape(&faces, REGULAR, "a Tea", 12.0, 50.0, 100.0);
    assert_eq!(run.glyphs.len(), 5);
    let run = retext(&run, &["a", " ", "Te", "", "à"]);
    // A hyphen the line breaker added is no part of the text: the engine gives it empty
    // text, so it joins the cluster before it and extraction leaves it out.
    let hyphenated = shape(&faces, REGULAR, "revolu-", 12.0, 50.0, 130.0);
    let mut texts: Vec<&str> = hyphenated
        .glyphs
        .iter()
        .map(|g| hyphenated.glyph_text(g))
        .collect();
    *texts.last_mut().unwrap() = "";
    let hyphenated = retext(&hyphenated, &texts);
    let page = Page {
        width: WIDTH,
        height: HEIGHT,
        items: vec![PageItem::Text(run), PageItem::Text(hyphenated)],
    };
    let (bytes, _) = write_pdf(&faces, &[page]);
    let dir = common::temp_dir();
    let path = dir.path().join("actual.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let text = pdftotext(&path);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines, ["a Teà", "revolu"], "{text:?}");
}

/// Decodes a PDF text string (UTF-16BE with BOM, or PDFDocEncoding's ASCII part).
fn text_string(obj: &Object) -> String {
    let bytes = obj.as_str().expect("a string");
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).unwrap()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

fn resolve<'a>(doc: &'a Document, obj: &'a Object) -> &'a Object {
    doc.dereference(obj).unwrap().1
}

/// Returns the (page id, x, y) of an `[page /XYZ x y zoom]` destination.
fn dest_of(doc: &Document, dest: &Object) -> (ObjectId, f64, f64) {
    let arr = resolve(doc, dest).as_array().unwrap();
    assert_eq!(arr[1].as_name().unwrap(), b"XYZ");
    (
        arr[0].as_reference().unwrap(),
        arr[2].as_float().unwrap() as f64,
        arr[3].as_float().unwrap() as f64,
    )
}

#[test]
fn links_outline_and_metadata_read_back() {
    let faces = faces();
    let pages = sample_pages(&faces);
    let (bytes, _) = write_pdf(&faces, &pages);
    let doc = Document::load_mem(&bytes).unwrap();
    let page_ids: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    assert_eq!(page_ids.len(), 3);

    // Where each anchor is, from the input pages.
    let mut anchors = BTreeMap::new();
    for (i, page) in pages.iter().enumerate() {
        for item in &page.items {
            if let PageItem::Anchor { name, x, y } = item {
                anchors.insert(name.clone(), (page_ids[i], *x, page.height - y));
            }
        }
    }
    let mut seen = 0;
    for (i, page) in pages.iter().enumerate() {
        let links: Vec<(&Rect, &String)> = page
            .items
            .iter()
            .filter_map(|it| match it {
                PageItem::Link { rect, target } => Some((rect, target)),
                _ => None,
            })
            .collect();
        let dict = doc.get_dictionary(page_ids[i]).unwrap();
        let annots = match dict.get(b"Annots") {
            Ok(a) => resolve(&doc, a).as_array().unwrap().clone(),
            Err(_) => Vec::new(),
        };
        assert_eq!(annots.len(), links.len(), "page {}", i + 1);
        for (annot, (rect, target)) in annots.iter().zip(links) {
            let a = resolve(&doc, annot).as_dict().unwrap();
            assert_eq!(a.get(b"Subtype").unwrap().as_name().unwrap(), b"Link");
            let r: Vec<f64> = a
                .get(b"Rect")
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_float().unwrap() as f64)
                .collect();
            let want = [
                rect.x,
                page.height - rect.y - rect.h,
                rect.x + rect.w,
                page.height - rect.y,
            ];
            for (got, want) in r.iter().zip(want) {
                assert!((got - want).abs() < 0.01, "rect {r:?} vs {want:?}");
            }
            let (pid, x, y) = dest_of(&doc, a.get(b"Dest").unwrap());
            let (apid, ax, ay) = anchors[target];
            assert_eq!(pid, apid, "link to {target} goes to the anchor's page");
            assert!(
                (x - ax).abs() < 0.01 && (y - ay).abs() < 0.01,
                "{target}: {x},{y}"
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 2);

    // Outline: Протокол > Section two, then Notes.
    let catalog = doc.catalog().unwrap();
    let outlines = resolve(&doc, catalog.get(b"Outlines").unwrap())
        .as_dict()
        .unwrap();
    let first = resolve(&doc, outlines.get(b"First").unwrap())
        .as_dict()
        .unwrap();
    assert_eq!(text_string(first.get(b"Title").unwrap()), "Протокол");
    assert_eq!(dest_of(&doc, first.get(b"Dest").unwrap()).0, page_ids[0]);
    let child = resolve(&doc, first.get(b"First").unwrap())
        .as_dict()
        .unwrap();
    assert_eq!(text_string(child.get(b"Title").unwrap()), "Section two");
    assert_eq!(dest_of(&doc, child.get(b"Dest").unwrap()).0, page_ids[1]);
    let next = resolve(&doc, first.get(b"Next").unwrap())
        .as_dict()
        .unwrap();
    assert_eq!(text_string(next.get(b"Title").unwrap()), "Notes");
    assert_eq!(dest_of(&doc, next.get(b"Dest").unwrap()).0, page_ids[2]);
    assert!(next.get(b"Next").is_err());

    // Named destinations for every anchor.
    let names = resolve(&doc, catalog.get(b"Names").unwrap())
        .as_dict()
        .unwrap();
    let dests = resolve(&doc, names.get(b"Dests").unwrap())
        .as_dict()
        .unwrap();
    let list = dests.get(b"Names").unwrap().as_array().unwrap();
    let keys: Vec<String> = list.iter().step_by(2).map(text_string).collect();
    assert_eq!(keys, ["e1", "page1", "page2", "page3"]);
    assert_eq!(dest_of(&doc, &list[1]).0, page_ids[2]);

    // Info and XMP.
    assert_eq!(text_string(catalog.get(b"Lang").unwrap()), "ru");
    let info = resolve(&doc, doc.trailer.get(b"Info").unwrap())
        .as_dict()
        .unwrap();
    assert_eq!(
        text_string(info.get(b"Title").unwrap()),
        "Протокол — Minutes"
    );
    assert_eq!(
        text_string(info.get(b"Author").unwrap()),
        "A. Scribe, B. Clerk"
    );
    let creator = format!("lacuna {}", env!("CARGO_PKG_VERSION"));
    assert_eq!(text_string(info.get(b"Creator").unwrap()), creator);
    // 1_700_000_000 is 2023-11-14T22:13:20Z.
    assert!(text_string(info.get(b"CreationDate").unwrap()).starts_with("D:20231114221320"));
    let xmp = resolve(&doc, catalog.get(b"Metadata").unwrap())
        .as_stream()
        .unwrap();
    let xmp = String::from_utf8(xmp.content.clone()).unwrap();
    for want in [
        "Протокол — Minutes",
        "<rdf:li>ru</rdf:li>",
        &format!("<xmp:CreatorTool>{creator}</xmp:CreatorTool>"),
        "A. Scribe",
        "2023-11-14T22:13:20Z",
    ] {
        assert!(xmp.contains(want), "XMP lacks {want:?}:\n{xmp}");
    }
    assert_eq!(xmp.matches("<dc:title>").count(), 1, "{xmp}");
    assert!(
        xmp.contains(r#"<rdf:li xml:lang="ru">Протокол — Minutes</rdf:li>"#),
        "{xmp}"
    );
    // The file id is derived from the content and the XMP document id agrees.
    let id = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
    let hex: String = id[0]
        .as_str()
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hex.len(), 32);
    assert!(xmp.contains(&format!("uuid:{}", &hex[..8])), "{xmp}");
}

/// Returns each shown glyph's absolute x position (points, from the left edge) and the
/// text-space y, per `BT … ET` text object of the page, by interpreting the operators.
fn glyph_positions(doc: &Document, page: ObjectId) -> Vec<Vec<(f64, f64)>> {
    let content = lopdf::content::Content::decode(&doc.get_page_content(page)).unwrap();
    let fonts = doc.get_page_fonts(page).unwrap();
    // /W arrays of the form [0 [w0 w1 …]] as the writer writes them.
    let widths = |name: &[u8]| -> Vec<f64> {
        let type0 = fonts[name];
        let desc = type0.get(b"DescendantFonts").unwrap().as_array().unwrap();
        let cid = resolve(doc, &desc[0]).as_dict().unwrap();
        let w = resolve(doc, cid.get(b"W").unwrap()).as_array().unwrap();
        assert_eq!(w[0].as_i64().unwrap(), 0);
        w[1].as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_float().unwrap() as f64)
            .collect()
    };
    let mut runs = Vec::new();
    let (mut size, mut w, mut x, mut y, mut rise) = (0.0, Vec::new(), 0.0, 0.0, 0.0);
    for op in &content.operations {
        let num = |i: usize| op.operands[i].as_float().unwrap() as f64;
        match op.operator.as_str() {
            "BT" => runs.push(Vec::new()),
            "Tf" => {
                w = widths(op.operands[0].as_name().unwrap());
                size = num(1);
            }
            "Tm" => {
                assert_eq!((num(0), num(1), num(2), num(3)), (1.0, 0.0, 0.0, 1.0));
                x = num(4);
                y = num(5);
            }
            "Ts" => rise = num(0),
            "TJ" => {
                for item in op.operands[0].as_array().unwrap() {
                    match item {
                        Object::String(bytes, _) => {
                            for c in bytes.chunks(2) {
                                let cid = u16::from_be_bytes([c[0], c[1]]) as usize;
                                runs.last_mut().unwrap().push((x, y + rise));
                                x += w[cid] / 1000.0 * size;
                            }
                        }
                        other => x -= other.as_float().unwrap() as f64 / 1000.0 * size,
                    }
                }
            }
            _ => {}
        }
    }
    runs
}

#[test]
fn glyphs_are_drawn_where_the_page_builder_put_them() {
    let faces = faces();
    let mut pages = sample_pages(&faces);
    // A run with a raised glyph and a stretched space, as justification would make.
    let mut run = shape(&faces, REGULAR, "x2 wide  gap", 10.0, 60.0, 300.0);
    run.glyphs[1].dy = 3.5;
    for g in &mut run.glyphs[3..] {
        g.x += 7.25;
    }
    pages[0].items.push(PageItem::Text(run));
    let (bytes, _) = write_pdf(&faces, &pages);
    let doc = Document::load_mem(&bytes).unwrap();
    let page_id = doc.get_pages()[&1];
    let drawn = glyph_positions(&doc, page_id);
    let runs: Vec<&GlyphRun> = pages[0]
        .items
        .iter()
        .filter_map(|it| match it {
            PageItem::Text(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(drawn.len(), runs.len());
    for (run, got) in runs.iter().zip(&drawn) {
        assert_eq!(got.len(), run.glyphs.len());
        for (g, &(x, y)) in run.glyphs.iter().zip(got) {
            let want_x = run.x + g.x;
            let want_y = HEIGHT - run.y + g.dy;
            assert!(
                (x - want_x).abs() < 0.01 && (y - want_y).abs() < 0.01,
                "glyph {} {:?}: drawn at ({x:.3}, {y:.3}), placed at ({want_x:.3}, {want_y:.3})",
                g.id,
                run.glyph_text(g)
            );
        }
    }
}

#[test]
fn same_pages_give_the_same_bytes() {
    let faces = faces();
    let pages = sample_pages(&faces);
    let (a, _) = write_pdf(&faces, &pages);
    let (b, _) = write_pdf(&faces, &pages);
    assert!(a == b, "two writes differ");
    // …and a different page gives a different file id.
    let mut other = pages.clone();
    other[1].items.pop();
    let (c, _) = write_pdf(&faces, &other);
    let id = |bytes: &[u8]| {
        let doc = Document::load_mem(bytes).unwrap();
        doc.trailer.get(b"ID").unwrap().as_array().unwrap()[0]
            .as_str()
            .unwrap()
            .to_vec()
    };
    assert_ne!(id(&a), id(&c));
}

/// A page of book text: 36 shaped lines, a footnote rule, a link and an anchor.
fn book_page(faces: &FaceSet, n: usize, lines: &[GlyphRun]) -> Page {
    let mut items = vec![PageItem::Anchor {
        name: format!("p{n}"),
        x: 40.0,
        y: 40.0,
    }];
    for (i, line) in lines.iter().enumerate() {
        let mut line = line.clone();
        line.y = 60.0 + 13.0 * i as f64;
        items.push(PageItem::Text(line));
    }
    items.push(PageItem::Rule(Rect {
        x: 40.0,
        y: 540.0,
        w: 80.0,
        h: 0.4,
    }));
    items.push(PageItem::Text(shape(
        faces,
        ITALIC,
        &format!("{n} Omitted in the minutes."),
        8.0,
        40.0,
        552.0,
    )));
    items.push(PageItem::Link {
        rect: Rect {
            x: 40.0,
            y: 50.0,
            w: 10.0,
            h: 10.0,
        },
        target: format!("p{}", n.saturating_sub(1).max(1)),
    });
    Page {
        width: WIDTH,
        height: HEIGHT,
        items,
    }
}

fn book_lines(faces: &FaceSet) -> Vec<GlyphRun> {
    let words = "The first official report of the affluent delegates — “revolution” (революция), \
                 logos (λόγος) — was read aloud; the minutes record applause and difficult \
                 questions about the flow of supplies and the office of the chair.";
    let words: Vec<&str> = words.split(' ').collect();
    (0..36)
        .map(|i| {
            let line: Vec<&str> = words.iter().cycle().skip(i * 3).take(9).copied().collect();
            shape(faces, REGULAR, &line.join(" "), 10.5, 40.0, 0.0)
        })
        .collect()
}

#[test]
fn a_long_book_is_streamed_with_bounded_memory() {
    let faces = faces();
    let lines = book_lines(&faces);
    let mut w = PdfWriter::new(Vec::new(), &faces, &meta()).unwrap();
    let mut content_bytes = 0usize;
    let mut last_written = w.buffered().bytes_written;
    for n in 1..=300 {
        let page = book_page(&faces, n, &lines);
        content_bytes += page
            .items
            .iter()
            .map(|it| match it {
                PageItem::Text(r) => r.glyphs.len() * 6,
                _ => 0,
            })
            .sum::<usize>();
        w.write_page(&page).unwrap();
        let b = w.buffered();
        // Each page's content went out at once…
        assert!(
            b.bytes_written > last_written + 500,
            "page {n} was not written out"
        );
        last_written = b.bytes_written;
    }
    let b = w.buffered();
    assert_eq!(b.pages, 300);
    // …and what stays is small per page (ids, offsets, a link and an anchor), plus the
    // glyph records, which do not grow with the page count.
    let per_page = b.retained_bytes / 300;
    assert!(
        per_page < 200,
        "writer keeps {} bytes for 300 pages ({per_page} a page; content was {content_bytes})",
        b.retained_bytes
    );
    let done = w.finish(&[]).unwrap();
    assert!(done.warnings.is_empty(), "{:?}", done.warnings);
    let doc = Document::load_mem(&done.value).unwrap();
    assert_eq!(doc.get_pages().len(), 300);
}

#[test]
fn missing_anchors_are_reported() {
    let faces = faces();
    let mut pages = sample_pages(&faces);
    pages[2]
        .items
        .retain(|it| !matches!(it, PageItem::Anchor { name, .. } if name == "e1"));
    let mut w = PdfWriter::new(Vec::new(), &faces, &meta()).unwrap();
    for p in &pages {
        w.write_page(p).unwrap();
    }
    let mut entries = outline();
    entries.push(OutlineEntry {
        title: "Lost".into(),
        level: 1,
        anchor: "nowhere".into(),
    });
    let done = w.finish(&entries).unwrap();
    let messages: Vec<String> = done.warnings.iter().map(|w| w.message.clone()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("\"e1\""), "{messages:?}");
    assert!(messages[1].contains("\"nowhere\""), "{messages:?}");
    // The file is still sound.
    Document::load_mem(&done.value).unwrap();
}

/// Renders the sample at 80 dpi for a person to look at (`LACUNA_KEEP_RENDER=DIR`
/// keeps the PNGs). Needs pdftoppm.
#[test]
fn renders_with_poppler() {
    if !common::have_tool("pdftoppm", "renders_with_poppler") {
        return;
    }
    let (dir, path, _) = sample_file("render.pdf");
    let out_dir = std::env::var_os("LACUNA_KEEP_RENDER")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().to_owned());
    if out_dir != dir.path() {
        std::fs::copy(&path, out_dir.join("render.pdf")).unwrap();
    }
    let prefix = out_dir.join("render");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1"])
        .arg(&path)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    let png = std::fs::read_dir(&out_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("render-"))
        .expect("a PNG");
    let len = png.metadata().unwrap().len();
    // A blank A5 page at 80 dpi compresses to about 1 kB; text makes it several.
    assert!(len > 3000, "page 1 looks blank ({len} bytes)");
}

#[test]
fn pages_from_the_page_builder_stream_into_the_pdf() {
    use lacuna::typeset::page::{Flow, Geometry, PageBuilder, SetLine, translate};
    let faces = faces();
    let g = Geometry {
        width: WIDTH,
        height: HEIGHT,
        top: 50.0,
        left_recto: 50.0,
        left_verso: 40.0,
        block_height: 470.0,
        block_width: 320.0,
        top_skip: 11.0,
        note_skip: 12.0,
        note_rule: 60.0,
    };
    let line = |text: &str, face, size| {
        let mut run = shape(&faces, face, text, size, 0.0, 0.0);
        run.x = 0.0;
        PageItem::Text(run)
    };
    let mut w = PdfWriter::new(Vec::new(), &faces, &meta()).unwrap();
    let mut builder = PageBuilder::new(g, &mut w);
    for i in 1..=90 {
        let mut items = vec![line(
            LINES[i % LINES.len()].1,
            LINES[i % LINES.len()].0,
            10.0,
        )];
        let mut notes = Vec::new();
        if i % 15 == 0 {
            // A call with a link to its note, and the note with an anchor back.
            let n = i / 15;
            items.push(PageItem::Link {
                rect: Rect {
                    x: 300.0,
                    y: -8.0,
                    w: 8.0,
                    h: 10.0,
                },
                target: format!("e{n}"),
            });
            items.push(PageItem::Anchor {
                name: format!("c{n}"),
                x: 0.0,
                y: -10.0,
            });
            notes.push(vec![SetLine {
                advance: 10.0,
                items: vec![
                    translate(
                        line(&format!("{n} Omitted in the minutes."), ITALIC, 8.0),
                        0.0,
                        0.0,
                    ),
                    PageItem::Anchor {
                        name: format!("e{n}"),
                        x: 0.0,
                        y: -8.0,
                    },
                    PageItem::Link {
                        rect: Rect {
                            x: 0.0,
                            y: -7.0,
                            w: 6.0,
                            h: 8.0,
                        },
                        target: format!("c{n}"),
                    },
                ],
                notes: Vec::new(),
                break_after: true,
            }]);
        }
        builder
            .push(Flow::Line(SetLine {
                advance: 13.0,
                items,
                notes,
                break_after: true,
            }))
            .unwrap();
    }
    let (pages, overfull) = builder.finish().unwrap();
    assert!(pages >= 3, "{pages} pages");
    assert_eq!(overfull, 0);
    assert_eq!(w.buffered().pages, pages);
    let done = w.finish(&[]).unwrap();
    // Every call links to its note and back: no anchor is missing.
    assert!(done.warnings.is_empty(), "{:?}", done.warnings);
    let doc = Document::load_mem(&done.value).unwrap();
    assert_eq!(doc.get_pages().len(), pages);
    if common::have_tool(
        "pdftotext",
        "pages_from_the_page_builder_stream_into_the_pdf",
    ) {
        let dir = common::temp_dir();
        let path = dir.path().join("built.pdf");
        std::fs::write(&path, &done.value).unwrap();
        if let Ok(keep) = std::env::var("LACUNA_KEEP_RENDER") {
            std::fs::copy(&path, Path::new(&keep).join("built.pdf")).unwrap();
        }
        let text = pdftotext(&path);
        for n in 1..=6 {
            assert!(
                text.contains(&format!("{n} Omitted in the minutes.")),
                "note {n}:\n{text}"
            );
        }
    }
}

/// Measures speed, size and peak memory: `cargo test --release --test pdf_writer -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_pages() {
    for n in [50usize, 1000] {
        let faces = faces();
        let lines = book_lines(&faces);
        let pages: Vec<Page> = (1..=n.min(50))
            .map(|i| book_page(&faces, i, &lines))
            .collect();
        let start = std::time::Instant::now();
        let sink =
            std::fs::File::create(std::env::temp_dir().join(format!("lacuna-bench-{n}.pdf")))
                .unwrap();
        let mut w = PdfWriter::new(std::io::BufWriter::new(sink), &faces, &meta()).unwrap();
        for i in 0..n {
            w.write_page(&pages[i % pages.len()]).unwrap();
        }
        let retained = w.buffered().retained_bytes;
        let done = w.finish(&[]).unwrap();
        let elapsed = start.elapsed();
        drop(done);
        let size = std::fs::metadata(std::env::temp_dir().join(format!("lacuna-bench-{n}.pdf")))
            .unwrap()
            .len();
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let hwm = status
            .lines()
            .find(|l| l.starts_with("VmHWM"))
            .unwrap_or("VmHWM: ?");
        println!(
            "{n} pages: {:.1} ms, {size} bytes, retained {retained} bytes before finish, {hwm}",
            elapsed.as_secs_f64() * 1000.0
        );
    }
}

mod arbitrary_pages {
    use super::*;
    use proptest::prelude::*;

    fn coordinate() -> impl Strategy<Value = f64> {
        prop_oneof![
            8 => -100.0..700.0f64,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
        ]
    }

    fn item() -> impl Strategy<Value = PageItem> {
        // Now and then a glyph's text range is set to anything, in bounds or not.
        let glyph = (
            0u16..3000,
            coordinate(),
            -5.0..5.0f64,
            "[a-zλж ]{0,3}",
            proptest::option::weighted(0.05, (0u32..12, 0u32..12)),
        );
        let rect =
            || {
                (coordinate(), coordinate(), 0.0..50.0f64, 0.0..50.0f64)
                    .prop_map(|(x, y, w, h)| Rect { x, y, w, h })
            };
        prop_oneof![
            (
                0u32..3,
                0.5..40.0f64,
                coordinate(),
                coordinate(),
                proptest::collection::vec(glyph, 0..12)
            )
                .prop_map(|(face, size, x, y, glyphs)| {
                    let mut run = GlyphRun::new(FaceId(face), size, x, y);
                    for (id, x, dy, text, range) in glyphs {
                        run.push_glyph(id, x, dy, &text);
                        if let Some((a, b)) = range {
                            run.glyphs.last_mut().unwrap().text = a..b;
                        }
                    }
                    PageItem::Text(run)
                }),
            rect().prop_map(PageItem::Rule),
            (rect(), "[a-c]").prop_map(|(rect, target)| PageItem::Link { rect, target }),
            ("[a-c]", coordinate(), coordinate()).prop_map(|(name, x, y)| PageItem::Anchor {
                name,
                x,
                y
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the pages hold, the writer returns an error or a PDF that reads back.
        #[test]
        fn writes_a_readable_pdf_or_fails_cleanly(
            pages in proptest::collection::vec(proptest::collection::vec(item(), 0..8), 1..4)
        ) {
            let faces = faces();
            let mut w = PdfWriter::new(Vec::new(), &faces, &meta()).unwrap();
            let mut written = 0;
            for items in pages {
                if w.write_page(&Page { width: WIDTH, height: HEIGHT, items }).is_ok() {
                    written += 1;
                }
            }
            let done = w.finish(&outline()).unwrap();
            let doc = Document::load_mem(&done.value).unwrap();
            prop_assert_eq!(doc.get_pages().len(), written.max(1));
        }
    }
}
