//! Every Markdown test document, and `examples/sample.md`, through every writer in
//! `lacuna::write::WRITERS`, each output checked by its format's validator:
//!
//! - `json`: read back with the JSON reader, it must give the same document;
//! - `tei`: jing against `TEI_SCHEMA`, `schemas/tei_all.rng` or `../shared/schemas/tei_all.rng`;
//! - `epub`: EPUBCheck 5 with `--failonwarnings`;
//! - `pdf`: `qpdf --check` clean, every font embedded as a subset with a ToUnicode map,
//!   `pdftotext` silent and giving words (as `tools/validate.sh pdf` checks);
//! - any other writer: a non-empty output, and a loud note that it has no validator.
//!
//! Written against the registry, not against today's writers, so that a backend
//! merged later is covered without changing this file. A missing validator skips its
//! check loudly, or fails under `LACUNA_REQUIRE_VALIDATORS=1`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use lacuna::ir::Document;
use lacuna::read::ReadOptions;
use lacuna::style::Style;
use lacuna::write::{WRITERS, WriteContext};

const TEST: &str = "markdown_writers";

fn documents() -> Vec<PathBuf> {
    let dir = common::root().join("tests/data/markdown");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/data/markdown")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    paths.push(common::root().join("examples/sample.md"));
    paths
}

#[test]
fn every_markdown_document_converts_with_every_writer_and_validates() {
    let style = Style::default();
    let out = common::temp_dir();
    // Writer name → (input document, output file).
    let mut outputs: BTreeMap<&str, Vec<(Document, PathBuf)>> = BTreeMap::new();
    let mut failures = Vec::new();
    for input in documents() {
        let doc = lacuna::read_path(&input, None, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .value;
        let ctx = WriteContext {
            style: &style,
            timestamp: 0,
            base_dir: input.parent().map(Path::to_owned),
        };
        for writer in WRITERS {
            let dir = out.path().join(writer.name);
            std::fs::create_dir_all(&dir).expect("output folder");
            match lacuna::write_outputs(&doc, &input, &[writer], &ctx, &dir) {
                Ok((written, _warnings)) => {
                    for path in written {
                        outputs
                            .entry(writer.name)
                            .or_default()
                            .push((doc.clone(), path));
                    }
                }
                Err(e) => failures.push(format!("{} --{}: {e}", input.display(), writer.name)),
            }
        }
    }
    for (name, files) in &outputs {
        failures.extend(validate(name, files));
    }
    assert!(
        failures.is_empty(),
        "outputs that failed:\n{}",
        failures.join("\n")
    );
    assert!(outputs.contains_key("json"), "the JSON writer ran");
}

/// Checks the outputs of writer `name`; returns one message per failure.
fn validate(name: &str, files: &[(Document, PathBuf)]) -> Vec<String> {
    let paths: Vec<&Path> = files.iter().map(|(_, p)| p.as_path()).collect();
    match name {
        "json" => files
            .iter()
            .filter_map(|(doc, path)| check_json(doc, path).err())
            .collect(),
        "tei" => check_tei(&paths),
        "epub" => check_epub(&paths),
        "pdf" => check_pdf(&paths),
        other => {
            eprintln!(
                "NOTE {TEST}: no validator for --{other}; checked only that it wrote something"
            );
            paths
                .iter()
                .filter(|p| std::fs::metadata(p).map_or(true, |m| m.len() == 0))
                .map(|p| format!("{}: empty output", p.display()))
                .collect()
        }
    }
}

fn check_json(doc: &Document, path: &Path) -> Result<(), String> {
    let text = common::read(path);
    let back = lacuna::read::json::read(&text, &ReadOptions::default())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if back.value != *doc {
        return Err(format!(
            "{}: does not read back to the same IR",
            path.display()
        ));
    }
    Ok(())
}

fn tei_schema() -> Option<PathBuf> {
    let root = common::root();
    std::env::var_os("TEI_SCHEMA")
        .map(PathBuf::from)
        .into_iter()
        .chain([root.join("schemas/tei_all.rng")])
        .find(|p| p.is_file())
}

fn check_tei(paths: &[&Path]) -> Vec<String> {
    if !common::have_tool("jing", TEST) {
        return Vec::new();
    }
    let Some(schema) = tei_schema() else {
        if common::validators_required() {
            panic!("{TEST}: the TEI schema tei_all.rng is required but not found (set TEI_SCHEMA)");
        }
        eprintln!("SKIPPED {TEST}: TEI validation: tei_all.rng not found (set TEI_SCHEMA)");
        return Vec::new();
    };
    // One jing run for all files loads the schema once.
    let out = Command::new("jing")
        .arg(&schema)
        .args(paths)
        .output()
        .expect("jing runs");
    if out.status.success() {
        return Vec::new();
    }
    let report = String::from_utf8_lossy(&out.stdout);
    vec![format!(
        "TEI invalid against {}:\n{report}",
        schema.display()
    )]
}

fn check_epub(paths: &[&Path]) -> Vec<String> {
    let Some(jar) = common::epubcheck_jar(TEST) else {
        return Vec::new();
    };
    // EPUBCheck takes one file per JVM (several seconds each): run two at a time.
    let check = |path: &&Path| -> Option<String> {
        let out = Command::new("java")
            .arg("-jar")
            .arg(&jar)
            .arg("--failonwarnings")
            .arg(path)
            .output()
            .expect("java runs");
        (!out.status.success()).then(|| {
            let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
            let messages: Vec<&str> = text
                .lines()
                .filter(|l| {
                    ["ERROR", "WARNING", "FATAL"]
                        .iter()
                        .any(|s| l.starts_with(s))
                })
                .take(5)
                .collect();
            format!("{}: EPUBCheck: {}", path.display(), messages.join(" | "))
        })
    };
    let half = paths.len().div_ceil(2).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = paths
            .chunks(half)
            .map(|chunk| scope.spawn(move || chunk.iter().filter_map(check).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("EPUBCheck thread"))
            .collect()
    })
}

fn check_pdf(paths: &[&Path]) -> Vec<String> {
    if !["qpdf", "pdffonts", "pdftotext"]
        .iter()
        .all(|t| common::have_tool(t, TEST))
    {
        return Vec::new();
    }
    let mut failures = Vec::new();
    for path in paths {
        let shown = path.display();
        let run = |tool: &str, args: &[&str]| {
            Command::new(tool)
                .args(args)
                .arg(path)
                .args(if tool == "pdftotext" {
                    &["-"][..]
                } else {
                    &[][..]
                })
                .output()
                .expect("tool runs")
        };
        let qpdf = run("qpdf", &["--check"]);
        if !qpdf.status.success() {
            failures.push(format!(
                "{shown}: qpdf --check: {}",
                String::from_utf8_lossy(&qpdf.stdout)
            ));
            continue;
        }
        let fonts = run("pdffonts", &[]);
        let listing = String::from_utf8_lossy(&fonts.stdout);
        let rows: Vec<Vec<&str>> = listing
            .lines()
            .skip(2)
            .map(|l| l.split_whitespace().collect())
            .filter(|f: &Vec<&str>| f.len() >= 6)
            .collect();
        // Columns end with: emb sub uni object-number generation.
        let bad: Vec<&str> = rows
            .iter()
            .filter(|f| {
                let n = f.len();
                f[n - 5] != "yes" || f[n - 4] != "yes" || f[n - 3] != "yes"
            })
            .map(|f| f[0])
            .collect();
        if !fonts.status.success() || rows.is_empty() || !bad.is_empty() {
            failures.push(format!(
                "{shown}: fonts not all embedded as subsets with ToUnicode: {listing}"
            ));
            continue;
        }
        let text = run("pdftotext", &["-enc", "UTF-8"]);
        let stderr = String::from_utf8_lossy(&text.stderr);
        let words = String::from_utf8_lossy(&text.stdout)
            .split_whitespace()
            .count();
        if !text.status.success() || !stderr.trim().is_empty() || words == 0 {
            failures.push(format!("{shown}: pdftotext: {words} words, {stderr}"));
        }
    }
    failures
}
