//! The Markdown reader on hostile input: it returns a document or an error, never
//! panics, and keeps its invariants (single spaces, no text at block edges, notes
//! consistent with their calls).

use lacuna::ir::{Block, Inline};
use lacuna::read::{ReadOptions, markdown};
use proptest::prelude::*;

/// Pieces that exercise the reader's own code: front matter, footnotes, lacunae,
/// raw HTML, nesting, escapes, non-ASCII text.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---\n".to_owned()),
        Just("+++\n".to_owned()),
        Just("title: x\n".to_owned()),
        Just("[^a]".to_owned()),
        Just("[^a]: note\n".to_owned()),
        Just("[^{1}]: ed\n".to_owned()),
        Just("....{1}".to_owned()),
        Just("...{2}".to_owned()),
        Just("…{3}".to_owned()),
        Just("\\".to_owned()),
        Just("<b>".to_owned()),
        Just("<!--".to_owned()),
        Just("-->".to_owned()),
        Just("&amp;".to_owned()),
        Just("> ".to_owned()),
        Just("- ".to_owned()),
        Just("1. ".to_owned()),
        Just("    ".to_owned()),
        Just("*".to_owned()),
        Just("`".to_owned()),
        Just("![i](x.png)".to_owned()),
        Just("| a | b |\n|---|---|\n".to_owned()),
        Just("\n".to_owned()),
        Just("  \n".to_owned()),
        "[a-zы ἐ.{}\\[\\]^]{0,8}",
    ]
}

fn check_text(inlines: &[Inline], text: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text(t) => {
                assert!(!t.contains('\n'), "line feed in text {t:?}");
                assert!(!t.contains("  "), "double space in {t:?}");
                text.push_str(t);
            }
            Inline::Emph(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
                check_text(c, text)
            }
            _ => text.push('\u{fffc}'),
        }
    }
}

fn check_blocks(blocks: &[Block]) {
    for block in blocks {
        match block {
            Block::Paragraph(c) | Block::Heading { content: c, .. } => {
                let mut text = String::new();
                check_text(c, &mut text);
                assert_eq!(text.trim_matches(' '), text, "spaces at a block edge");
                assert!(!text.is_empty(), "empty block");
                assert!(
                    !text.contains("  "),
                    "double space across elements: {text:?}"
                );
            }
            Block::Quote(b) => check_blocks(b),
            Block::List { items, .. } => items.iter().for_each(|i| check_blocks(i)),
            _ => {}
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn never_panics_and_keeps_its_invariants(pieces in prop::collection::vec(piece(), 0..40)) {
        let text = pieces.concat();
        if let Ok(doc) = markdown::read(&text, &ReadOptions::default()) {
            check_blocks(&doc.value.body);
            for note in &doc.value.notes {
                check_blocks(&note.content);
            }
            // Every note is called, from the body or from another note (a lacuna inside
            // an author's footnote), and every call has its note.
            let d = &doc.value;
            let mut called = std::collections::BTreeSet::new();
            let mut collect = |blocks: &[Block]| {
                lacuna::transform::walk_inlines(blocks, &mut |i| match i {
                    Inline::NoteRef(id) => { called.insert(id.clone()); }
                    Inline::Gap(g) => { called.extend(g.note.clone()); }
                    _ => {}
                });
            };
            collect(&d.body);
            for note in &d.notes {
                collect(&note.content);
            }
            let defined: std::collections::BTreeSet<_> = d.notes.iter().map(|n| n.id.clone()).collect();
            prop_assert_eq!(&called, &defined, "in {:?}", text);
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for text in [
        ">".repeat(100_000) + " x\n",
        "- ".repeat(50_000) + "x\n",
        "*a ".repeat(30_000) + "x" + &" b*".repeat(30_000),
    ] {
        let e = markdown::read(&text, &ReadOptions::default()).unwrap_err();
        assert!(e.message.contains("nested"), "{e}");
        assert_eq!(e.pos.line, 1);
    }
    let nested = "> ".repeat(20) + "fine\n";
    assert!(markdown::read(&nested, &ReadOptions::default()).is_ok());
}

/// Inputs that would take quadratic time in a careless scanner (each finishes in well
/// under a second when the scans are linear; a regression shows as a hanging test).
#[test]
fn pathological_inputs_finish() {
    let n = 100_000;
    let inputs = [
        "[^a ".repeat(n),
        format!("<div>{}", "<a".repeat(n)),
        format!("<div>{}", "&amp".repeat(n)),
        format!("a {}", "....{".repeat(n)),
        format!("x\n\n{}x", "<br>".repeat(n)),
        "\\".repeat(2 * n),
        ".".repeat(2 * n) + "{1}",
    ];
    for text in inputs {
        let started = std::time::Instant::now();
        let result = markdown::read(&text, &ReadOptions::default());
        assert!(result.is_ok(), "{:?}", result.err());
        eprintln!("{} bytes in {:?}", text.len(), started.elapsed());
    }
}
