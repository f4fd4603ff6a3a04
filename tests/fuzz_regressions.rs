//! Replays the inputs in `tests/data/fuzz/` (what the fuzz targets in `fuzz/` found, and
//! hand-made edge cases): each must be read and written, or refused with an error —
//! never a panic. A reader folder's files go through that reader and then every writer;
//! a writer folder's files are IR as JSON, written by that writer.

mod common;

use std::path::Path;

use lacuna::ir::Document;
use lacuna::read::{self, ReadOptions};
use lacuna::style::Style;
use lacuna::write::{self, WriteContext};

fn write_all(doc: &Document, writers: &[&str], what: &str) {
    let style = Style::builtin("a5-book").expect("style");
    let ctx = WriteContext {
        style: &style,
        timestamp: 0,
        base_dir: None,
    };
    for name in writers {
        let writer = write::by_name(name).expect("writer");
        let mut out = Vec::new();
        if let Err(e) = (writer.write)(doc, &ctx, &mut out) {
            eprintln!("{what}: {name}: refused: {e}");
        }
    }
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn fuzz_inputs_convert_or_fail_cleanly() {
    let root = common::root().join("tests/data/fuzz");
    let mut replayed = 0;
    for dir in files(&root).into_iter().filter(|p| p.is_dir()) {
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        for file in files(&dir) {
            let what = file.display().to_string();
            let bytes = std::fs::read(&file).unwrap();
            if let Some(format) = target.strip_prefix("read_") {
                let reader = read::by_name(format).unwrap_or_else(|| panic!("{target}"));
                let Ok(text) = read::decode(&bytes) else {
                    continue;
                };
                match (reader.read)(&text, &ReadOptions::default()) {
                    Ok(doc) => write_all(&doc.value, &["json", "tei", "epub", "pdf"], &what),
                    Err(e) => eprintln!("{what}: refused: {e}"),
                }
            } else if let Some(format) = target.strip_prefix("write_") {
                let text = String::from_utf8(bytes).expect("IR as JSON");
                let doc: Document = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{what}: not IR JSON: {e}"));
                write_all(&doc, &[format], &what);
            } else {
                continue;
            }
            replayed += 1;
        }
    }
    assert!(
        replayed > 0,
        "no regression inputs found in {}",
        root.display()
    );
}
