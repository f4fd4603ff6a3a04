//! A Markdown document with footnotes and lacunae keeps two separately numbered note
//! series through every backend: IR, TEI, EPUB and PDF.

mod common;

use std::io::Read;
use std::path::PathBuf;

fn convert(flag: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = common::temp_dir();
    let input = common::root().join("tests/data/markdown/lacunae.md");
    let out = common::lacuna()
        .arg(&input)
        .arg(flag)
        .arg("-o")
        .arg(dir.path())
        .env("SOURCE_DATE_EPOCH", "0")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ext = match flag {
        "--tei" => "tei.xml",
        other => other.trim_start_matches("--"),
    };
    let path = dir.path().join(format!("lacunae.{ext}"));
    (dir, path)
}

/// The values of `attr` on every element that has `marker` in its start tag.
fn attrs(text: &str, marker: &str, attr: &str) -> Vec<String> {
    text.split('<')
        .filter(|tag| tag.contains(marker))
        .filter_map(|tag| {
            let start = tag.find(&format!("{attr}=\""))? + attr.len() + 2;
            Some(tag[start..start + tag[start..].find('"')?].to_owned())
        })
        .collect()
}

#[test]
fn tei_types_the_two_series_and_numbers_each_from_one() {
    let (_dir, path) = convert("--tei");
    let tei = common::read(&path);
    assert_eq!(attrs(&tei, "type=\"author\"", "n"), ["1", "2"]);
    assert_eq!(attrs(&tei, "type=\"editorial\"", "n"), ["1", "2", "3", "4"]);
    assert!(tei.contains("Two lines are illegible in the manuscript."));
}

#[test]
fn epub_classes_the_two_series_and_numbers_each_from_one() {
    let (_dir, path) = convert("--epub");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut xhtml = String::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        if file.name().is_ok_and(|n| n.contains("section-")) {
            file.read_to_string(&mut xhtml).unwrap();
        }
    }
    let calls = |class: &str| -> Vec<String> {
        xhtml
            .split("<a ")
            .filter(|a| a.contains(&format!("class=\"noteref {class}\"")))
            .map(|a| a[a.find('>').unwrap() + 1..a.find("</a>").unwrap()].to_owned())
            .collect()
    };
    assert_eq!(calls("author"), ["1", "2"]);
    assert_eq!(calls("editorial"), ["1", "2", "3", "4"]);
    let asides = xhtml.matches("epub:type=\"footnote\"").count();
    assert_eq!(asides, 6);
}

#[test]
fn pdf_calls_editorial_notes_with_letters_beside_numbered_author_notes() {
    let (_dir, path) = convert("--pdf");
    if !common::have_tool("pdftotext", "pdf_calls_editorial_notes_with_letters") {
        return;
    }
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Notes at the foot: the author's numbered, the editor's lettered.
    for note in [
        "1 The author’s first footnote.",
        "2 The author’s second footnote.",
        "b Two lines are illegible in the manuscript.",
    ] {
        let note = note.replace('’', "'");
        assert!(
            squeezed.replace('’', "'").contains(&note),
            "{note:?} not in {squeezed}"
        );
    }
}
