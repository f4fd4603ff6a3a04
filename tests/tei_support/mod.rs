//! Helpers shared by the TEI tests: documents to test, TEI writing, text extraction, jing.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use lacuna::ir::Document;
use lacuna::read::{self, ReadOptions};
use lacuna::style::Style;
use lacuna::write::{self, WriteContext};
use quick_xml::events::Event;

use crate::common;

/// Every test document the TEI backend must round-trip and validate: the seed, the TEI
/// test documents, and every other document under `tests/data` and `examples` that
/// lacuna reads.
pub fn documents() -> Vec<PathBuf> {
    let mut docs = vec![common::seed()];
    let mut stack = vec![
        common::root().join("tests/data"),
        common::root().join("examples"),
    ];
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p != common::seed()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("txt" | "json" | "xml" | "md")
                )
                && !p.components().any(|c| c.as_os_str() == "bad")
            {
                found.push(p);
            }
        }
    }
    found.sort();
    for p in found {
        match lacuna::read_path(&p, None, &ReadOptions::default()) {
            Ok(_) => docs.push(p),
            Err(e) => eprintln!("not a TEI round-trip document (it does not read): {e}"),
        }
    }
    docs
}

/// The hand-written TEI documents from elsewhere (not written by lacuna).
pub fn foreign_tei() -> Vec<PathBuf> {
    [
        "sample-text.xml",
        "parliament.xml",
        "epidoc.xml",
        "transcription.xml",
        "drama.xml",
        "epidoc-leiden.xml",
        "parliament-sitting.xml",
        "critical.xml",
    ]
    .iter()
    .map(|f| common::root().join("tests/data/tei").join(f))
    .collect()
}

/// Reads a document file into the IR.
pub fn read_doc(path: &Path) -> Document {
    lacuna::read_path(path, None, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .value
}

/// Writes `doc` as TEI.
pub fn to_tei(doc: &Document) -> String {
    to_tei_warned(doc).0
}

/// Writes `doc` as TEI, with the writer's warnings (what TEI could not hold).
pub fn to_tei_warned(doc: &Document) -> (String, Vec<lacuna::Warning>) {
    let style = Style::default();
    let ctx = WriteContext {
        style: &style,
        timestamp: 0,
        base_dir: None,
    };
    let mut out = Vec::new();
    let w = write::by_name("tei").expect("the TEI writer is registered");
    let warnings = (w.write)(doc, &ctx, &mut out).expect("TEI is written");
    (String::from_utf8(out).expect("TEI is UTF-8"), warnings)
}

/// Reads TEI text into the IR.
pub fn from_tei(xml: &str) -> Document {
    let r = read::by_name("tei").expect("the TEI reader is registered");
    (r.read)(xml, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{e}\n{xml}"))
        .value
}

/// Returns the IR as pretty JSON, for comparisons that print readable diffs.
pub fn json(doc: &Document) -> String {
    serde_json::to_string_pretty(doc).unwrap()
}

/// Returns the text a reader sees in the `<text>` of a TEI document, element by element:
/// text nodes, a gap's `@rend` (the lacuna as printed), incidents in parentheses. Notes
/// are left out unless `notes` is true.
pub fn visible_text(xml: &str, notes: bool) -> String {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = 0usize;
    let mut skip = 0usize;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                if name == "text" {
                    in_text += 1;
                }
                if in_text == 0 {
                    continue;
                }
                if skip > 0 || (!notes && name == "note") {
                    skip += 1;
                    continue;
                }
                if matches!(name.as_str(), "incident" | "kinesic" | "vocal") {
                    out.push('(');
                }
                if name == "gap" {
                    push_rend(&e, &mut out);
                }
            }
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_owned();
                if in_text > 0 && skip == 0 && name == "gap" {
                    push_rend(&e, &mut out);
                }
            }
            Event::End(e) => {
                let name = e.local_name().as_ref().to_owned();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                if in_text > 0 && matches!(name.as_str(), "incident" | "kinesic" | "vocal") {
                    out.push(')');
                }
                if name == "text" {
                    in_text -= 1;
                }
                out.push(' ');
            }
            Event::Text(t) if in_text > 0 && skip == 0 => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text > 0 && skip == 0 => {
                let s = match &*r {
                    "lt" => "<".to_owned(),
                    "gt" => ">".to_owned(),
                    "amp" => "&".to_owned(),
                    "quot" => "\"".to_owned(),
                    "apos" => "'".to_owned(),
                    _ => r.resolve_char_ref().unwrap().unwrap().to_string(),
                };
                out.push_str(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn push_rend(e: &quick_xml::events::BytesStart<'_>, out: &mut String) {
    if let Some(rend) = e.try_get_attribute("rend").unwrap().map(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .unwrap()
            .into_owned()
    }) {
        out.push_str(&rend);
    }
}

/// Removes every white-space character: what is left is the text's characters in order.
pub fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that two squeezed texts are equal; on failure shows where they part.
pub fn assert_same_text(what: &str, expected: &str, actual: &str) {
    if expected == actual {
        return;
    }
    let at = expected
        .chars()
        .zip(actual.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let show = |s: &str| {
        s.chars()
            .skip(at.saturating_sub(30))
            .take(80)
            .collect::<String>()
    };
    panic!(
        "{what}: the texts differ after {at} characters:\n expected: {}\n   actual: {}",
        show(expected),
        show(actual)
    );
}

/// Returns the TEI schema: `TEI_SCHEMA`, or the copy vendored in `schemas/`.
pub fn schema() -> PathBuf {
    std::env::var_os("TEI_SCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::root().join("schemas/tei_all.rng"))
}

/// Validates files with one jing run; returns jing's messages when any file is invalid.
/// Returns `None` (after a loud SKIPPED line) when jing is not installed.
pub fn jing(files: &[PathBuf], test: &str) -> Option<Result<(), String>> {
    if !common::have_tool("jing", test) {
        return None;
    }
    let out = Command::new("jing")
        .arg(schema())
        .args(files)
        .output()
        .expect("jing runs");
    if out.status.success() {
        return Some(Ok(()));
    }
    let messages: String = String::from_utf8_lossy(&out.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&out.stderr).lines())
        .filter(|l| !l.contains("Unable to locate"))
        .collect::<Vec<_>>()
        .join("\n");
    Some(Err(messages))
}
