//! Issue 12's checks that are not about time: control characters in the text are
//! reported once per document by every reader, and every backend applies the same image
//! checks.

mod common;

use lacuna::read::{ReadOptions, json, markdown, tei, transcript};

const ESC_TITLE: &str = "Title\u{1b}]0;retitled\u{7}";

fn control_warnings(warnings: &[lacuna::Warning]) -> Vec<String> {
    warnings
        .iter()
        .filter(|w| w.message.contains("control character"))
        .map(|w| w.to_string())
        .collect()
}

#[test]
fn every_reader_warns_once_about_control_characters() {
    let o = ReadOptions::default();
    let t = transcript::read(
        &format!("{ESC_TITLE}\n\nA \u{1b}[31mred\u{1b}[0m word.\n"),
        &o,
    );
    let m = markdown::read(&format!("# {ESC_TITLE}\n\nA \u{9b}31m word.\n"), &o);
    let x = tei::read(
        &format!(
            "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><teiHeader><fileDesc><titleStmt>\
             <title>T</title></titleStmt><publicationStmt><p/></publicationStmt>\
             <sourceDesc><p/></sourceDesc></fileDesc></teiHeader><text><body>\
             <p>A \u{85}b\u{9b}c</p></body></text></TEI>"
        ),
        &o,
    );
    let j = json::read(
        r#"{"meta": {"title": "T\u001b]0;x\u0007", "lang": "en"}, "body": []}"#,
        &o,
    );
    for (name, result, count) in [
        ("transcript", t, 4),
        ("markdown", m, 3),
        ("tei", x, 2),
        ("json", j, 2),
    ] {
        let warnings = result.unwrap_or_else(|e| panic!("{name}: {e}")).warnings;
        let found = control_warnings(&warnings);
        assert_eq!(found.len(), 1, "{name}: {warnings:?}");
        assert!(
            found[0].contains(&format!("{count} control characters")),
            "{name}: {found:?}"
        );
        assert!(
            !found[0].contains('\u{1b}'),
            "{name}: the character itself is echoed"
        );
    }
}

#[test]
fn control_warning_names_the_first_position() {
    let doc = transcript::read("Title\n\nPlain.\n\nA\u{7} bell.\n", &ReadOptions::default())
        .expect("reads");
    let found: Vec<_> = doc
        .warnings
        .iter()
        .filter(|w| w.message.contains("control character"))
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].pos, Some(lacuna::Pos::new(5, 2)));
    assert!(found[0].message.contains("U+0007"));
}
