//! TEI written by someone else: a sample text, a parliamentary transcript and an EpiDoc
//! inscription map to the IR, and writing them again keeps every word of their text.

mod common;
mod tei_support;

use lacuna::ir::{Block, GapReason, IncidentKind, Inline, NoteSeries};
use lacuna::read::ReadOptions;
use tei_support::{foreign_tei, read_doc, squeeze, to_tei, visible_text};

fn data(name: &str) -> std::path::PathBuf {
    common::root().join("tests/data/tei").join(name)
}

fn inlines_of(blocks: &[Block]) -> Vec<Inline> {
    let mut out = Vec::new();
    lacuna::transform::walk_inlines(blocks, &mut |i| out.push(i.clone()));
    out
}

#[test]
fn rewritten_foreign_tei_keeps_every_word_in_order() {
    for path in foreign_tei() {
        let original = common::read(&path);
        // Entities declared in a DOCTYPE are not text to this check's scanner; the drama
        // with a DOCTYPE has its words checked in tests/tei_transcription.rs.
        if original.contains("<!ENTITY") {
            continue;
        }
        let rewritten = to_tei(&read_doc(&path));
        let (before, after) = (
            squeeze(&visible_text(&original, true)),
            squeeze(&visible_text(&rewritten, true)),
        );
        assert!(
            before.len() > 100,
            "{}: too little text to test",
            path.display()
        );
        tei_support::assert_same_text(&path.display().to_string(), &before, &after);
    }
}

#[test]
fn sample_text_maps_header_divisions_notes_and_verse() {
    let doc = read_doc(&data("sample-text.xml"));
    let m = &doc.meta;
    assert_eq!(m.title.as_deref(), Some("The Lighthouse Keeper's Almanac"));
    assert_eq!(m.subtitle.as_deref(), Some("an electronic edition"));
    assert_eq!(m.authors, vec!["Mirela Vantongeren"]);
    assert_eq!(m.publisher.as_deref(), Some("Imaginary Press"));
    assert_eq!(m.identifier.as_deref(), Some("https://example.org/almanac"));
    assert_eq!(m.licence.as_deref(), Some("CC0 1.0"));
    assert_eq!(m.date.as_deref(), Some("1898"));
    // Header fields with no field of their own are kept in `extra`.
    assert_eq!(
        m.extra.get("pubPlace").map(String::as_str),
        Some("Harbourtown")
    );
    assert_eq!(m.extra.get("pubDate").map(String::as_str), Some("2026"));
    assert!(
        m.source
            .as_ref()
            .unwrap()
            .bibl
            .starts_with("The Lighthouse Keeper's Almanac, printed")
    );
    let headings: Vec<(u8, String)> = doc
        .body
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, content, .. } => {
                Some((*level, lacuna::ir::inline_text(content)))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        headings,
        vec![
            (1, "Of the Lamp".to_owned()),
            (2, "A Rhyme for Winter".to_owned()),
            (1, "Of Visitors".to_owned()),
            (1, "Errata".to_owned()),
        ]
    );
    assert_eq!(doc.notes.len(), 1);
    assert_eq!(doc.notes[0].series, NoteSeries::Author);
    assert_eq!(doc.notes[0].n, "*");
    assert_eq!(
        doc.body
            .iter()
            .filter(|b| matches!(b, Block::Verse(_)))
            .count(),
        2
    );
    assert!(
        doc.body
            .iter()
            .any(|b| matches!(b, Block::List { ordered: true, items, .. } if items.len() == 3))
    );
    assert!(
        doc.body
            .iter()
            .any(|b| matches!(b, Block::Table(rows) if rows.len() == 3 && rows[0].header))
    );
    assert!(doc.body.iter().any(|b| matches!(b, Block::Quote(_))));
    let inl = inlines_of(&doc.body);
    assert!(inl.iter().any(|i| matches!(i, Inline::Emph(_))));
    assert!(
        inl.iter()
            .any(|i| matches!(i, Inline::Foreign { lang, .. } if lang == "fr"))
    );
    assert!(inl.iter().any(|i| matches!(i, Inline::Image { src, alt } if src == "tower.png" && alt.starts_with("The tower"))));
    assert!(inl.iter().any(|i| matches!(i, Inline::Milestone { unit, n, .. } if unit == "page" && n.as_deref() == Some("3"))));
}

#[test]
fn sample_text_warns_once_per_unknown_element_with_position() {
    let w = lacuna::read_path(&data("sample-text.xml"), None, &ReadOptions::default()).unwrap();
    let messages: Vec<String> = w.warnings.iter().map(ToString::to_string).collect();
    let term: Vec<&String> = messages.iter().filter(|m| m.contains("<term>")).collect();
    assert_eq!(term.len(), 1, "{messages:?}");
    assert!(term[0].starts_with("50:30: "), "{term:?}");
}

#[test]
fn parliamentary_transcript_maps_utterances_and_events() {
    let doc = read_doc(&data("parliament.xml"));
    let speeches: Vec<&Block> = doc
        .body
        .iter()
        .filter(|b| matches!(b, Block::Speech { .. }))
        .collect();
    assert_eq!(speeches.len(), 4);
    let Block::Speech { who, blocks, .. } = speeches[1] else {
        unreachable!()
    };
    assert_eq!(who.as_deref(), Some("#Okafor"));
    assert_eq!(blocks.len(), 3);
    let inl = inlines_of(&doc.body);
    assert!(inl.iter().any(|i| matches!(i, Inline::Gap(g) if g.reason == GapReason::Inaudible
        && g.shown == "inaudible"
        && g.extent.as_ref().is_some_and(|e| e.quantity == Some(2) && e.unit.as_deref() == Some("word")))));
    let incidents: Vec<_> = inl
        .iter()
        .filter_map(|i| match i {
            Inline::Incident(i) => Some((i.kind, i.category.clone(), i.desc.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        incidents,
        vec![
            (
                IncidentKind::Kinesic,
                Some("applause".into()),
                "Applause from the harbour benches".into()
            ),
            (
                IncidentKind::Vocal,
                Some("interruption".into()),
                "Shouts: Not by Friday!".into()
            ),
            (
                IncidentKind::Incident,
                None,
                "The Chair rings the bell.".into()
            ),
        ]
    );
    // Notes between utterances are the transcriber's comments: stage directions.
    assert!(doc.notes.is_empty());
    assert_eq!(
        doc.body.last(),
        Some(&Block::Stage(vec![Inline::Text(
            "The sitting was suspended from 10:40 to 10:55.".into()
        )]))
    );
}

#[test]
fn epidoc_inscription_maps_lacunae_supplements_and_lines() {
    let doc = read_doc(&data("epidoc.xml"));
    // The edition is in Latin, the document in English: the edition's text is foreign.
    let Block::Paragraph(p) = &doc.body[0] else {
        panic!("{:?}", doc.body[0])
    };
    let [
        Inline::Foreign {
            lang,
            content: edition,
        },
    ] = p.as_slice()
    else {
        panic!("{p:?}")
    };
    assert_eq!(lang, "la");
    let gaps: Vec<_> = edition
        .iter()
        .filter_map(|i| match i {
            Inline::Gap(g) => Some(g.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(gaps.len(), 2);
    assert_eq!(gaps[0].reason, GapReason::Lost);
    let e0 = gaps[0].extent.as_ref().unwrap();
    assert_eq!(
        (e0.quantity, e0.unit.as_deref()),
        (Some(3), Some("character"))
    );
    let e1 = gaps[1].extent.as_ref().unwrap();
    assert_eq!(
        (e1.description.as_deref(), e1.unit.as_deref()),
        (Some("unknown"), Some("line"))
    );
    // Source lines keep their numbers and whether they break a word.
    let lines: Vec<(Option<&str>, bool)> = edition
        .iter()
        .filter_map(|i| match i {
            Inline::LineBegin(lb) => Some((lb.n.as_deref(), lb.inside_word())),
            _ => None,
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (Some("1"), false),
            (Some("2"), false),
            (Some("3"), false),
            (Some("3a"), true),
            (Some("4"), false),
            (Some("5"), false)
        ]
    );
    assert_eq!(doc.meta.convention, Some(lacuna::ir::Convention::Leiden));
    assert!(
        edition
            .iter()
            .any(|i| matches!(i, Inline::Supplied { reason: Some(r), .. } if r == "lost"))
    );
    assert!(edition.iter().any(|i| matches!(i, Inline::Unclear { .. })));
    let text = lacuna::ir::inline_text(edition);
    // A line break inside a word (break="no") leaves no space in the text around it.
    assert!(text.contains("Deis portuensibus"), "{text}");
    assert!(text.contains("solvit libens merito"), "{text}");
    assert!(edition.windows(3).any(|w| matches!(w, [Inline::Text(a), Inline::LineBegin(_), Inline::Text(b)] if a.ends_with("nau") && b.starts_with("ta "))));
    let m = &doc.meta;
    assert_eq!(
        m.source.as_ref().unwrap().bibl,
        "Harbour Museum inv. 17 Limestone altar, broken at the top right."
    );
    assert_eq!(m.extra.get("editor").map(String::as_str), Some("A. Test"));
    assert_eq!(m.publisher.as_deref(), Some("lacuna tests"));
    assert_eq!(m.licence.as_deref(), Some("Free to use for any purpose."));
}

#[test]
fn gap_quantities_that_are_no_small_whole_number_are_kept() {
    let tei = |gap: &str| {
        format!(
            r#"<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader><text><body><p>a {gap} b</p></body></text></TEI>"#
        )
    };
    let gap_of = |gap: &str| {
        let w = lacuna::read::tei::read(&tei(gap), &ReadOptions::default()).unwrap();
        let Block::Paragraph(p) = &w.value.body[0] else {
            panic!()
        };
        let Inline::Gap(g) = &p[1] else {
            panic!("{p:?}")
        };
        let messages: Vec<String> = w.warnings.iter().map(|w| w.message.clone()).collect();
        (g.extent.clone().unwrap(), messages)
    };
    // Beside an @extent, a fractional quantity is kept too, as the warning says.
    let (e, w) = gap_of(
        r#"<gap reason="lost" quantity="2.5" unit="line" extent="about two and a half lines"/>"#,
    );
    assert_eq!(e.quantity, None);
    assert_eq!(e.unit.as_deref(), Some("line"));
    assert_eq!(
        e.description.as_deref(),
        Some("about two and a half lines, quantity 2.5")
    );
    assert!(w[0].contains("not a whole number is kept"), "{w:?}");
    let (e, _) = gap_of(r#"<gap quantity="2.5" unit="line"/>"#);
    assert_eq!(e.description.as_deref(), Some("2.5"));
    // A large whole number is a whole number.
    let (e, w) = gap_of(r#"<gap reason="lost" quantity="5000000000" unit="character"/>"#);
    assert_eq!(e.quantity, Some(5_000_000_000));
    assert!(w.is_empty(), "{w:?}");
    let (e, w) = gap_of(r#"<gap quantity="99999999999999999999999"/>"#);
    assert_eq!(e.description.as_deref(), Some("99999999999999999999999"));
    assert!(w[0].contains("too large to count"), "{w:?}");
    assert!(!w[0].contains("whole number"), "{w:?}");
}
