//! Golden IR tests for the Markdown reader: every `tests/data/markdown/X.md` is read and
//! written with the JSON backend; the output must equal `X.json` and the warnings
//! `X.warnings` (one `line:col: message` per line; no file means no warnings).
//! `UPDATE=1 cargo test --test markdown_golden` rewrites the golden files.
//! The files under `errors/` must fail, at the line and column asserted here.

mod common;

use std::path::{Path, PathBuf};

use lacuna::ir::{Block, Document, Inline, NoteSeries};
use lacuna::read::{self, ReadOptions};
use lacuna::style::Style;
use lacuna::write::{self, WriteContext};
use lacuna::{Pos, Warned};

fn data_dir() -> PathBuf {
    common::root().join("tests/data/markdown")
}

/// The Markdown test documents (not the error cases), sorted by name.
fn cases() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("tests/data/markdown")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 7, "Markdown test documents missing");
    paths
}

fn read_md(path: &Path) -> Warned<Document> {
    lacuna::read_path(path, None, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_of(doc: &Document) -> String {
    let style = Style::default();
    let ctx = WriteContext {
        style: &style,
        timestamp: 0,
        base_dir: None,
    };
    let mut out = Vec::new();
    let json = write::by_name("json").expect("the JSON writer");
    lacuna::write_to(doc, json, &ctx, &mut out).expect("JSON output");
    String::from_utf8(out).expect("UTF-8 JSON")
}

fn warnings_of(w: &Warned<Document>) -> String {
    w.warnings.iter().map(|w| format!("{w}\n")).collect()
}

/// Compares `actual` with the golden file, or rewrites it under `UPDATE=1`. An empty
/// `actual` means the file must not exist. Returns a readable diff on mismatch.
fn check_golden(path: &Path, actual: &str) -> Option<String> {
    let update = std::env::var("UPDATE").is_ok_and(|v| v == "1");
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if update {
        if actual.is_empty() {
            let _ = std::fs::remove_file(path);
        } else {
            std::fs::write(path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        return None;
    }
    if expected == actual {
        return None;
    }
    let diff = similar::TextDiff::from_lines(&expected, actual)
        .unified_diff()
        .header(&format!("{} (expected)", path.display()), "actual")
        .to_string();
    Some(diff)
}

#[test]
fn every_markdown_document_matches_its_golden_ir() {
    let mut failures = Vec::new();
    for path in cases() {
        let doc = read_md(&path);
        let json = json_of(&doc.value);
        failures.extend(check_golden(&path.with_extension("json"), &json));
        failures.extend(check_golden(
            &path.with_extension("warnings"),
            &warnings_of(&doc),
        ));
    }
    assert!(
        failures.is_empty(),
        "golden files differ (UPDATE=1 rewrites them after review):\n{}",
        failures.join("\n")
    );
}

#[test]
fn golden_json_reads_back_to_the_same_document() {
    if std::env::var("UPDATE").is_ok_and(|v| v == "1") {
        return; // the golden files are being rewritten by the test above
    }
    for path in cases() {
        let golden = path.with_extension("json");
        let Ok(text) = std::fs::read_to_string(&golden) else {
            continue;
        };
        let back = read::json::read(&text, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
        assert_eq!(back.value, read_md(&path).value, "{}", golden.display());
        assert!(
            back.warnings.is_empty(),
            "{}: note checks: {:?}",
            golden.display(),
            back.warnings
        );
    }
}

#[test]
fn markdown_is_chosen_by_extension_and_by_name() {
    let md = read::detect(Path::new("a.md"), "x");
    assert_eq!(md.name, "markdown");
    assert_eq!(read::detect(Path::new("a.MARKDOWN"), "x").name, "markdown");
    assert_eq!(read::by_name("markdown").map(|r| r.name), Some("markdown"));
}

fn note_series(doc: &Document) -> Vec<(String, String, NoteSeries)> {
    doc.notes
        .iter()
        .map(|n| (n.id.0.clone(), n.n.clone(), n.series))
        .collect()
}

#[test]
fn footnotes_and_lacunae_give_two_separately_numbered_series() {
    let doc = read_md(&data_dir().join("lacunae.md")).value;
    let mut calls = Vec::new();
    lacuna::transform::walk_inlines(&doc.body, &mut |i| match i {
        Inline::NoteRef(id) => calls.push(id.0.clone()),
        Inline::Gap(g) => calls.push(g.note.as_ref().expect("gap note").0.clone()),
        _ => {}
    });
    assert_eq!(calls, ["e1", "a1", "e2", "e3", "a2", "e4"]);
    let want = |id: &str, n: &str, s| (id.to_owned(), n.to_owned(), s);
    assert_eq!(
        note_series(&doc),
        [
            want("a1", "1", NoteSeries::Author),
            want("a2", "2", NoteSeries::Author),
            want("e1", "1", NoteSeries::Editorial),
            want("e2", "2", NoteSeries::Editorial),
            want("e3", "3", NoteSeries::Editorial),
            want("e4", "4", NoteSeries::Editorial),
        ]
    );
    // e2's text is the document's own `[^{2}]:` definition; the others the default.
    let text = |id: &str| {
        lacuna::ir::blocks_text(&doc.note(&lacuna::ir::NoteId(id.into())).unwrap().content)
    };
    assert_eq!(text("e2"), "Two lines are illegible in the manuscript.\n");
    assert_eq!(text("e1"), format!("{}\n", ReadOptions::default().gap_note));
}

#[test]
fn footnotes_are_numbered_by_first_call_and_hold_blocks() {
    let w = read_md(&data_dir().join("footnotes.md"));
    let doc = &w.value;
    let first = |id: &str| doc.note(&lacuna::ir::NoteId(id.into())).unwrap();
    // `[^later]` is called first, so it is a1 although defined second.
    assert!(lacuna::ir::blocks_text(&first("a1").content).starts_with("A note with two"));
    assert!(matches!(
        first("a1").content.as_slice(),
        [
            Block::Paragraph(_),
            Block::Paragraph(_),
            Block::List { ordered: false, .. },
            Block::List { ordered: true, .. }
        ]
    ));
    assert!(matches!(
        first("a3").content.as_slice(),
        [Block::List { .. }]
    ));
    // The defined but unused note: a warning at its definition's line and column.
    let text = common::read(&data_dir().join("footnotes.md"));
    let unused = pos_of(&text, "[^spare]:");
    let warning = w
        .warnings
        .iter()
        .find(|w| w.message.contains("[^spare]"))
        .expect("a warning on the unused footnote");
    assert_eq!(warning.pos, Some(unused));
    assert!(warning.message.contains("never used"), "{warning}");
    assert_eq!(doc.notes.len(), 3);
}

#[test]
fn a_missing_image_is_reported_with_its_position() {
    let path = data_dir().join("images.md");
    let w = read_md(&path);
    let text = common::read(&path);
    let missing: Vec<_> = w
        .warnings
        .iter()
        .filter(|w| w.message.contains("not found"))
        .collect();
    assert_eq!(missing.len(), 1, "{:?}", w.warnings);
    assert_eq!(missing[0].pos, Some(pos_of(&text, "![missing")));
    // Read from a string there is no folder to look in: no warning.
    let alone = read::markdown::read(&text, &ReadOptions::default()).unwrap();
    assert!(
        alone
            .warnings
            .iter()
            .all(|w| !w.message.contains("not found"))
    );
}

/// The 1-based line and column of the first occurrence of `needle` in `text`.
fn pos_of(text: &str, needle: &str) -> Pos {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    read::pos_of_offset(text, offset)
}

fn error_of(name: &str) -> lacuna::ParseError {
    let path = data_dir().join("errors").join(name);
    match lacuna::read_path(&path, None, &ReadOptions::default()) {
        Err(lacuna::Error::Parse { error, .. }) => error,
        Err(other) => panic!("{name}: not a parse error: {other}"),
        Ok(doc) => panic!("{name}: read without error: {:?}", doc.value.body),
    }
}

#[test]
fn a_footnote_used_but_not_defined_is_an_error_at_the_call() {
    let e = error_of("undefined-footnote.md");
    let text = common::read(&data_dir().join("errors/undefined-footnote.md"));
    assert_eq!(e.pos, pos_of(&text, "[^missing]"));
    assert!(
        e.message.contains("[^missing] is used but not defined"),
        "{e}"
    );
}

#[test]
fn front_matter_errors_point_into_the_markdown_file() {
    // YAML: the flow list opened on line 3 runs into `lang: en` on line 4, where the
    // scanner stops at the `:` (column 5).
    let e = error_of("yaml-syntax.md");
    assert_eq!(e.pos, Pos::new(4, 5), "{e}");
    assert!(e.message.contains("not valid YAML"), "{e}");
    // TOML: the bare word `en` on line 3 is not a value.
    let e = error_of("toml-syntax.md");
    let text = common::read(&data_dir().join("errors/toml-syntax.md"));
    assert_eq!(e.pos, pos_of(&text, "en\n"), "{e}");
    assert!(e.message.contains("not valid TOML"), "{e}");
    let e = error_of("unclosed-front-matter.md");
    assert_eq!(e.pos, Pos::new(1, 1), "{e}");
    assert!(e.message.contains("never closed"), "{e}");
    let e = error_of("bad-field.md");
    assert_eq!(e.pos, Pos::new(3, 1), "{e}");
    assert!(e.message.contains("`lang`"), "{e}");
}

#[test]
fn an_editorial_note_called_as_a_footnote_is_an_error() {
    let e = error_of("editorial-called-as-footnote.md");
    let text = common::read(&data_dir().join("errors/editorial-called-as-footnote.md"));
    assert_eq!(e.pos, pos_of(&text, "[^{1}]"));
}

#[test]
fn the_cli_reads_markdown_by_extension_and_with_from() {
    let dir = common::temp_dir();
    let input = dir.path().join("doc.txt");
    std::fs::copy(data_dir().join("lacunae.md"), &input).unwrap();
    let out = common::lacuna()
        .args(["--from", "markdown", "--json", "-o", "-"])
        .arg(&input)
        .output()
        .expect("lacuna runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Document = serde_json::from_slice(&out.stdout).expect("IR JSON");
    assert_eq!(doc.meta.title.as_deref(), Some("Two note series"));
    let out = common::lacuna()
        .args(["--json", "-o", "-"])
        .arg(data_dir().join("errors/undefined-footnote.md"))
        .output()
        .expect("lacuna runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("undefined-footnote.md:5:14:"), "{stderr}");
}

#[test]
fn the_sample_edition_reads_cleanly_with_both_note_series() {
    let path = common::root().join("examples/sample.md");
    let w = read_md(&path);
    assert!(w.warnings.is_empty(), "{:?}", w.warnings);
    let doc = w.value;
    let series: Vec<_> = note_series(&doc).into_iter().map(|(id, ..)| id).collect();
    assert_eq!(series, ["a1", "a2", "a3", "e1", "e2"]);
    let text = lacuna::ir::blocks_text(&doc.body);
    for word in ["Волга", "протяжные", "ἐφύμνιον", "дубравушка"] {
        assert!(text.contains(word), "{word} missing");
    }
    let e1 = lacuna::ir::blocks_text(&doc.notes[3].content);
    assert!(e1.starts_with("Leaf torn"), "front-matter gap_note: {e1}");
    assert!(doc.body.iter().any(|b| matches!(b, Block::Quote(q) if matches!(q.as_slice(), [Block::Paragraph(p)] if p.contains(&Inline::LineBreak)))));
}
