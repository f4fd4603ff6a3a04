//! The TEI of the seed and of every test document validates against tei_all with jing
//! (skipped loudly without jing; required under LACUNA_REQUIRE_VALIDATORS=1).

mod common;
mod tei_support;

use tei_support::{documents, foreign_tei, jing, read_doc, to_tei};

#[test]
fn tei_of_every_test_document_is_valid() {
    let dir = common::temp_dir();
    let mut files = Vec::new();
    for path in documents() {
        let stem = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('.', "_");
        let out = dir.path().join(format!("{stem}.tei.xml"));
        std::fs::write(&out, to_tei(&read_doc(&path))).unwrap();
        files.push(out);
    }
    // The hand-written TEI documents themselves must be real TEI too.
    files.extend(foreign_tei());
    assert!(files.len() >= 8, "{files:?}");
    // One jing run for all files: the JVM and the schema load once.
    if let Some(result) = jing(&files, "tei_of_every_test_document_is_valid") {
        result.unwrap_or_else(|messages| panic!("invalid TEI:\n{messages}"));
    }
}

#[test]
fn jing_rejects_invalid_tei() {
    // The validation test above must be able to fail: jing must reject a broken document.
    let dir = common::temp_dir();
    let doc = read_doc(&common::seed());
    let bad = to_tei(&doc).replace("<sourceDesc>", "<sourceDesc><gap/><speaker/>");
    let path = dir.path().join("bad.tei.xml");
    std::fs::write(&path, bad).unwrap();
    if let Some(result) = jing(&[path], "jing_rejects_invalid_tei") {
        assert!(result.is_err(), "jing accepted invalid TEI");
    }
}

#[test]
fn vendored_schema_is_tei_all() {
    let schema = common::read(&common::root().join("schemas/tei_all.rng"));
    assert!(schema.contains("TEI Edition: P5 Version\u{a0}4.12.0"));
    assert!(schema.contains("<define name=\"TEI\">") || schema.contains("name=\"TEI\""));
    let readme = common::read(&common::root().join("schemas/README.md"));
    assert!(readme.contains("BSD-2-Clause") && readme.contains("4.12.0"));
}
