//! The seed transcript through the JSON backend: structure, words, golden file.

mod common;

use lacuna::ir::{Block, Document, Inline, NoteSeries, blocks_text};
use lacuna::read::{ReadOptions, transcript};

fn seed_doc() -> lacuna::Warned<Document> {
    let text = lacuna::read::decode(&std::fs::read(common::seed()).unwrap()).unwrap();
    transcript::read(&text, &ReadOptions::default()).expect("the seed reads")
}

fn all_inlines(blocks: &[Block]) -> Vec<&Inline> {
    let mut out = Vec::new();
    lacuna::transform::walk_inlines(blocks, &mut |i| out.push(i));
    out
}

#[test]
fn seed_has_the_expected_structure() {
    let w = seed_doc();
    assert!(
        w.warnings.is_empty(),
        "unexpected warnings: {:?}",
        w.warnings
    );
    let doc = w.value;
    assert_eq!(doc.meta.title.as_deref(), Some("Minutes"));
    assert_eq!(doc.body.len(), 11);
    assert!(doc.body.iter().all(|b| matches!(b, Block::Paragraph(_))));
    let inlines = all_inlines(&doc.body);
    let gaps: Vec<_> = inlines
        .iter()
        .filter_map(|i| match i {
            Inline::Gap(g) => g.note.as_ref().map(|n| n.as_str().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(gaps, ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"]);
    let notes: Vec<_> = doc
        .notes
        .iter()
        .map(|n| (n.id.as_str(), n.n.as_str(), n.series))
        .collect();
    assert_eq!(notes.len(), 8);
    for (i, (id, n, series)) in notes.iter().enumerate() {
        assert_eq!(*id, format!("e{}", i + 1));
        assert_eq!(*n, (i + 1).to_string());
        assert_eq!(*series, NoteSeries::Editorial);
    }
    let incidents: Vec<_> = inlines
        .iter()
        .filter_map(|i| match i {
            Inline::Incident(x) => Some(x.desc.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(incidents, ["Applause."]);
    let bibl = &doc.meta.source.as_ref().expect("colophon").bibl;
    assert!(
        bibl.starts_with("First published in 1934 in the book Sedmaya"),
        "{bibl}"
    );
    assert!(bibl.ends_with("obshchegorodskaya konferentsii"), "{bibl}");
    assert!(!blocks_text(&doc.body).contains("First published"));
}

#[test]
fn seed_text_is_normalised() {
    let doc = seed_doc().value;
    for inline in all_inlines(&doc.body) {
        if let Inline::Text(t) = inline {
            assert!(!t.contains("  "), "double space in {t:?}");
            assert!(!t.contains('\n'), "line feed in {t:?}");
            for (i, c) in t.char_indices() {
                if c == '\u{a0}' {
                    let next = t[i + 2..].chars().next();
                    assert!(
                        matches!(next, Some('–' | '—')),
                        "no-break space between ordinary words in {t:?}"
                    );
                }
            }
        }
    }
    let text = blocks_text(&doc.body);
    assert!(
        text.contains("The 8\u{a0}– hour day"),
        "typographic no-break space kept"
    );
    assert!(text.contains("coal\u{2010}miner"), "U+2010 kept");
    assert!(
        text.contains("famine—that"),
        "line-end em dash joined closed"
    );
}

#[test]
fn every_seed_word_appears_in_order() {
    let doc = seed_doc().value;
    let mut ir_text = doc.meta.title.clone().unwrap_or_default();
    ir_text.push('\n');
    ir_text.push_str(&blocks_text(&doc.body));
    ir_text.push_str(&doc.meta.source.as_ref().unwrap().bibl);
    common::assert_words_in_order("IR", &ir_text, &common::seed_words());
}

#[test]
fn seed_json_matches_golden() {
    let out = common::lacuna()
        .args(["--json", "-o", "-"])
        .arg(common::seed())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let actual = String::from_utf8(out.stdout).unwrap();
    let golden = common::root().join("tests/golden/minutes-1917.json");
    if std::env::var_os("UPDATE").is_some() {
        std::fs::write(&golden, &actual).unwrap();
    }
    let expected = common::read(&golden);
    if actual != expected {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(5)
            .map(|(i, (e, a))| format!("line {}:\n- {e}\n+ {a}", i + 1))
            .collect();
        panic!(
            "JSON differs from {} (UPDATE=1 rewrites it):\n{}",
            golden.display(),
            diff.join("\n")
        );
    }
    // The golden reads back to the same document.
    let back: Document = serde_json::from_str(&expected).unwrap();
    assert_eq!(back, seed_doc().value);
}

#[test]
fn two_runs_give_identical_json() {
    let dir = common::temp_dir();
    let run = |sub: &str| {
        let out = dir.path().join(sub);
        let status = common::lacuna()
            .arg(common::seed())
            .args(["--json", "-o"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read(out.join("minutes-1917.json")).unwrap()
    };
    assert_eq!(run("a"), run("b"));
}
