//! The e-book's fonts: each bundled face cut down to the characters the book sets in it.

mod common;

use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::Path;

fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().unwrap().into_owned(), data)
        })
        .collect()
}

/// Returns the characters of the text of every page's body.
fn body_chars(entries: &[(String, Vec<u8>)]) -> BTreeSet<char> {
    let mut chars = BTreeSet::new();
    for (name, data) in entries.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let text = std::str::from_utf8(data).unwrap();
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(text, options)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let body = doc.descendants().find(|n| n.has_tag_name("body")).unwrap();
        for node in body.descendants().filter(|n| n.is_text()) {
            chars.extend(node.text().unwrap().chars().filter(|c| !c.is_whitespace()));
        }
    }
    chars
}

fn seed_epub(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let out = common::lacuna()
        .arg(common::root().join("examples/minutes-1917.txt"))
        .args(["--epub", "-q", "-o"])
        .arg(dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let epub = dir.join("minutes-1917.epub");
    let size = std::fs::metadata(&epub).unwrap().len();
    assert!(size <= 150_000, "the seed's EPUB has {size} bytes");
    unzip(&epub)
}

#[test]
fn seed_fonts_are_subsets_that_map_every_character_of_the_book() {
    let dir = common::temp_dir();
    let entries = seed_epub(dir.path());
    let chars = body_chars(&entries);
    assert!(chars.len() > 40, "{chars:?}");
    let font = |name: &str| {
        entries
            .iter()
            .find(|(n, _)| n == &format!("OEBPS/fonts/{name}"))
            .map(|(_, d)| d.clone())
    };
    let regular = font("LinLibertine_R.otf").expect("the regular face is embedded");
    let original = std::fs::read(common::root().join("fonts/LinLibertine_R.otf")).unwrap();
    assert!(
        regular.len() * 5 < original.len(),
        "subset {} bytes, whole face {}",
        regular.len(),
        original.len()
    );
    let whole = ttf_parser::Face::parse(&original, 0).unwrap();
    let faces: Vec<Vec<u8>> = ["R", "RI", "RB", "RBI"]
        .iter()
        .filter_map(|f| font(&format!("LinLibertine_{f}.otf")))
        .collect();
    let parsed: Vec<ttf_parser::Face<'_>> = faces
        .iter()
        .map(|d| ttf_parser::Face::parse(d, 0).expect("a subset is an OpenType font"))
        .collect();
    let face = &parsed[0];
    assert!(face.tables().cmap.is_some() && face.tables().os2.is_some());
    assert!(face.number_of_glyphs() < 200, "{}", face.number_of_glyphs());
    for c in &chars {
        let mapped = |f: &ttf_parser::Face<'_>| f.glyph_index(*c).is_some_and(|g| g.0 != 0);
        // Every character the family has and the book sets maps to a glyph in one of the
        // embedded faces; the seed's letters are all set upright somewhere.
        if whole.glyph_index(*c).is_some() {
            assert!(
                parsed.iter().any(mapped),
                "{c:?} (U+{:04X}) has no glyph in any subset",
                *c as u32
            );
        }
        if c.is_alphabetic() {
            assert!(mapped(face), "{c:?} has no upright glyph");
        }
    }
    // Nothing in the seed is bold upright: that face is not embedded, nor named in CSS.
    assert!(font("LinLibertine_RB.otf").is_none());
    let css = entries
        .iter()
        .find(|(n, _)| n == "OEBPS/style.css")
        .unwrap();
    let css = std::str::from_utf8(&css.1).unwrap();
    assert!(!css.contains("LinLibertine_RB.otf") && css.contains("LinLibertine_R.otf"));
    let opf = entries
        .iter()
        .find(|(n, _)| n == "OEBPS/content.opf")
        .unwrap();
    assert!(
        !std::str::from_utf8(&opf.1)
            .unwrap()
            .contains("LinLibertine_RB.otf")
    );
}

#[test]
fn seed_fonts_are_the_same_bytes_on_every_build() {
    let a = common::temp_dir();
    let b = common::temp_dir();
    let first = seed_epub(a.path());
    let second = seed_epub(b.path());
    assert_eq!(
        std::fs::read(a.path().join("minutes-1917.epub")).unwrap(),
        std::fs::read(b.path().join("minutes-1917.epub")).unwrap()
    );
    assert!(first.iter().any(|(n, _)| n.ends_with(".otf")));
    assert_eq!(first, second);
}
