//! IR → TEI → IR gives the identical IR: for the seed, every test document, and
//! generated documents.

mod common;
mod tei_support;

use lacuna::ir::{
    App, Block, Change, Convention, Document, EditKind, Edited, Extent, Gap, GapReason, Incident,
    IncidentKind, Inline, LineBegin, Meta, Note, NoteId, NoteSeries, Reading, SourceDesc,
    SubstPart, TableRow, Witness,
};
use proptest::prelude::*;
use tei_support::{documents, from_tei, json, read_doc, to_tei};

#[test]
fn every_test_document_round_trips() {
    let docs = documents();
    assert!(
        docs.len() >= 5,
        "expected the seed and the TEI test documents: {docs:?}"
    );
    // A document the writer wrote without a warning must come back identical; one with
    // something TEI cannot hold (an id that is not an XML name, say) is written with a
    // warning and is exempt — the test documents of other backends include such cases.
    let mut strict = 0;
    for path in docs {
        let doc = read_doc(&path);
        let (tei, warnings) = tei_support::to_tei_warned(&doc);
        if !warnings.is_empty() {
            eprintln!(
                "{}: the TEI writer warned ({}); no lossless round trip expected",
                path.display(),
                warnings[0]
            );
            continue;
        }
        let back = from_tei(&tei);
        assert_eq!(
            json(&back),
            json(&doc),
            "{} does not round-trip",
            path.display()
        );
        strict += 1;
    }
    assert!(
        strict >= 5,
        "only {strict} documents round-tripped without warnings"
    );
}

#[test]
fn foreign_tei_round_trips_after_one_pass() {
    // TEI from elsewhere maps to the IR once; from then on IR → TEI → IR is the identity.
    for path in tei_support::foreign_tei() {
        let doc = read_doc(&path);
        let back = from_tei(&to_tei(&doc));
        assert_eq!(json(&back), json(&doc), "{}", path.display());
    }
}

#[test]
fn writing_is_deterministic() {
    let doc = read_doc(&common::seed());
    assert_eq!(to_tei(&doc), to_tei(&doc));
}

// ----- generated documents ---------------------------------------------------------------
//
// The generator makes IR the way readers make it: text normalised (words joined by single
// spaces, no space at the start or end of a block or inside an element's edges), notes
// numbered in their series and ordered by series then number.

fn word() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9<>&\"'.,;:!?()\\[\\]{}À-žЖжΩ\u{a0}—–…‘’“”*#/=%-]{1,7}"
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..4).prop_map(|w| w.join(" "))
}

/// Any string, white space as it comes (for header fields and descriptions, which keep
/// theirs with `xml:space="preserve"`).
fn raw() -> impl Strategy<Value = String> {
    "[ -~\u{a0}\n\t\rЖ…]{0,12}"
}

fn raw1() -> impl Strategy<Value = String> {
    "[ -~\u{a0}\n\t\rЖ…]{1,12}"
}

fn token() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,6}"
}

/// A leaf inline; `ids` are the notes that calls and gaps may refer to.
fn leaf(ids: Vec<String>, editorial: Vec<String>) -> BoxedStrategy<Inline> {
    let reason = prop_oneof![
        Just(GapReason::Omitted),
        Just(GapReason::Lost),
        Just(GapReason::Illegible),
        Just(GapReason::Inaudible),
        Just(GapReason::Other("cancelled".into())),
    ];
    // An extent with nothing in it is not something a reader makes.
    let extent = prop::option::of(
        (
            prop::option::of(0u64..1000),
            prop::option::of(prop::sample::select(vec!["character", "word", "line"])),
            prop::option::of(text()),
        )
            .prop_map(|(quantity, unit, description)| Extent {
                quantity,
                unit: unit.map(str::to_owned),
                description,
            }),
    )
    .prop_map(|e| {
        e.filter(|e| e.quantity.is_some() || e.unit.is_some() || e.description.is_some())
    });
    let shown = prop::sample::select(vec!["....", "...", "…", "[...]", "", "- - -"]);
    let gap_note = if editorial.is_empty() {
        Just(None).boxed()
    } else {
        prop::option::of(prop::sample::select(editorial)).boxed()
    };
    let gap = (reason, extent, shown, gap_note).prop_map(|(reason, extent, shown, note)| {
        Inline::Gap(Gap {
            reason,
            extent,
            shown: shown.to_owned(),
            note: note.map(NoteId),
        })
    });
    let incident = (
        prop::sample::select(vec![
            IncidentKind::Incident,
            IncidentKind::Kinesic,
            IncidentKind::Vocal,
        ]),
        prop::option::of(token()),
        prop_oneof![text(), Just(String::new()), raw()],
    )
        .prop_map(|(kind, category, desc)| {
            Inline::Incident(Incident {
                kind,
                category,
                desc,
            })
        });
    let mut leaves = vec![
        text().prop_map(Inline::Text).boxed(),
        text().prop_map(Inline::Text).boxed(),
        "[ a-z<&>\t]{0,6}".prop_map(Inline::Code).boxed(),
        gap.boxed(),
        incident.boxed(),
        Just(Inline::LineBreak).boxed(),
        // A line beginning has a number or a break (a bare <lb/> is a LineBreak).
        (
            prop::option::of("[0-9]{1,2}a?"),
            prop::sample::select(vec!["no", "yes", "maybe"]),
            any::<bool>(),
        )
            .prop_map(|(n, b, with_break)| {
                let word_break = (with_break || n.is_none()).then(|| b.to_owned());
                Inline::LineBegin(LineBegin { n, word_break })
            })
            .boxed(),
        (prop::option::of("#[a-z]{1,5}"), "[a-zſꝑ]{0,1}")
            .prop_map(|(glyph_ref, text)| Inline::Glyph { glyph_ref, text })
            .boxed(),
        (
            prop::sample::select(vec!["page", "column", "line"]),
            prop::option::of("[0-9a-z]{1,3}"),
            prop::option::of(prop::sample::select(vec!["no", "yes"])),
        )
            .prop_map(|(unit, n, word_break)| Inline::Milestone {
                unit: unit.to_owned(),
                n,
                word_break: word_break.map(str::to_owned),
            })
            .boxed(),
        (
            "[a-z]{1,6}\\.png",
            prop_oneof![text(), Just(String::new()), raw()],
        )
            .prop_map(|(src, alt)| Inline::Image { src, alt })
            .boxed(),
    ];
    if !ids.is_empty() {
        leaves.push(
            prop::sample::select(ids)
                .prop_map(|id| Inline::NoteRef(NoteId(id)))
                .boxed(),
        );
    }
    prop::strategy::Union::new(leaves).boxed()
}

/// Joins generated items into normalised inline content: one space or none between
/// items, adjacent texts merged.
fn join(items: Vec<(Inline, bool)>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::new();
    let n = items.len();
    // White space next to a line beginning inside a word is layout (readers drop it).
    let glued: Vec<bool> = items
        .iter()
        .map(|(i, _)| match i {
            Inline::LineBegin(lb) => lb.inside_word(),
            Inline::Milestone { word_break, .. } => word_break.as_deref() == Some("no"),
            _ => false,
        })
        .collect();
    for (i, (item, space)) in items.into_iter().enumerate() {
        push(&mut out, item);
        if space && i + 1 < n && !glued[i] && !glued[i + 1] {
            push(&mut out, Inline::Text(" ".into()));
        }
    }
    out
}

fn push(out: &mut Vec<Inline>, item: Inline) {
    if let (Some(Inline::Text(a)), Inline::Text(b)) = (out.last_mut(), &item) {
        a.push_str(b);
        return;
    }
    out.push(item);
}

fn inlines(ids: Vec<String>, editorial: Vec<String>) -> BoxedStrategy<Vec<Inline>> {
    let leaf = leaf(ids, editorial);
    let inline = leaf.prop_recursive(3, 24, 4, |inner| {
        let content = prop::collection::vec((inner, any::<bool>()), 0..4)
            .prop_map(join)
            .boxed();
        prop_oneof![
            content.clone().prop_map(Inline::Emph),
            content.clone().prop_map(Inline::Strong),
            content.clone().prop_map(Inline::SmallCaps),
            content.clone().prop_map(Inline::Sup),
            content.clone().prop_map(Inline::Sub),
            (
                prop::sample::select(vec!["underline", "spaced", "strike", ""]),
                content.clone()
            )
                .prop_map(|(rend, content)| Inline::Hi {
                    rend: rend.to_owned(),
                    content
                }),
            (
                prop::sample::select(vec!["la", "fr", "ru", ""]),
                content.clone()
            )
                .prop_map(|(lang, content)| Inline::Foreign {
                    lang: lang.to_owned(),
                    content
                }),
            (prop::option::of(token()), content.clone())
                .prop_map(|(reason, content)| Inline::Unclear { reason, content }),
            (prop::option::of(token()), content.clone())
                .prop_map(|(reason, content)| Inline::Supplied { reason, content }),
            (
                "(https://example\\.org/[a-z]{0,5}|#[a-z]{1,4}|)",
                content.clone()
            )
                .prop_map(|(target, content)| Inline::Link { target, content }),
            prop::collection::vec((edit_kind(), content.clone()), 2..4).prop_map(|alts| {
                Inline::Choice(
                    alts.into_iter()
                        .map(|(kind, content)| Edited {
                            kind,
                            content: fit(kind, content),
                        })
                        .collect(),
                )
            }),
            (lone_kind(), content.clone()).prop_map(|(kind, content)| Inline::Edited(Edited {
                kind,
                content: fit(kind, content)
            })),
            (change(), content.clone())
                .prop_map(|(c, content)| Inline::Add(Change { content, ..c })),
            (change(), content.clone())
                .prop_map(|(c, content)| Inline::Del(Change { content, ..c })),
            prop::collection::vec((any::<bool>(), change(), content.clone()), 1..3).prop_map(
                |parts| Inline::Subst(
                    parts
                        .into_iter()
                        .map(|(add, c, content)| {
                            let c = Change { content, ..c };
                            if add {
                                SubstPart::Add(c)
                            } else {
                                SubstPart::Del(c)
                            }
                        })
                        .collect()
                )
            ),
            (prop::option::of("[a-z]{1,6}"), content.clone()).prop_map(|(lemma, content)| {
                Inline::Word {
                    lemma,
                    content: flat(&content),
                }
            }),
            (prop::option::of("[0-9]{1,3}(\\.[0-9])?"), content.clone())
                .prop_map(|(value, content)| Inline::Num { value, content }),
            (
                prop::option::of(token()),
                prop::option::of("#[a-z]{1,5}"),
                content.clone()
            )
                .prop_map(|(kind, name_ref, content)| Inline::Name {
                    kind,
                    name_ref,
                    content
                }),
            (
                prop::option::of(reading(content.clone())),
                prop::collection::vec(reading(content), 0..3)
            )
                .prop_filter("an apparatus entry has a reading", |(l, r)| {
                    l.is_some() || !r.is_empty()
                })
                .prop_map(|(lem, rdgs)| Inline::App(App { lem, rdgs })),
        ]
    });
    prop::collection::vec((inline, any::<bool>()), 0..5)
        .prop_map(join)
        .boxed()
}

/// Keeps only text where the schema allows only text (`ex`, `am`), as readers make it.
fn fit(kind: EditKind, content: Vec<Inline>) -> Vec<Inline> {
    match kind {
        EditKind::Ex | EditKind::Am => flat(&content),
        _ => content,
    }
}

/// Returns the normalised text of `content`.
fn flat(content: &[Inline]) -> Vec<Inline> {
    let text = lacuna::ir::inline_text(content)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        vec![]
    } else {
        vec![Inline::Text(text)]
    }
}

fn edit_kind() -> impl Strategy<Value = EditKind> {
    prop::sample::select(vec![
        EditKind::Sic,
        EditKind::Corr,
        EditKind::Orig,
        EditKind::Reg,
        EditKind::Abbr,
        EditKind::Expan,
        EditKind::Ex,
        EditKind::Am,
        EditKind::Unclear,
        EditKind::Supplied,
        EditKind::Seg,
    ])
}

/// The kinds that stand alone as [`Inline::Edited`] (a lone unclear, supplied or seg
/// has IR variants of its own).
fn lone_kind() -> impl Strategy<Value = EditKind> {
    prop::sample::select(vec![
        EditKind::Sic,
        EditKind::Corr,
        EditKind::Orig,
        EditKind::Reg,
        EditKind::Abbr,
        EditKind::Expan,
        EditKind::Ex,
        EditKind::Am,
    ])
}

fn change() -> impl Strategy<Value = Change> {
    (
        prop::option::of(prop::sample::select(vec![
            "above", "below", "margin", "inline",
        ])),
        prop::option::of("#h[0-9]"),
        prop::option::of(prop::sample::select(vec![
            "strikethrough",
            "overwritten",
            "erased",
        ])),
    )
        .prop_map(|(place, hand, rend)| Change {
            place: place.map(str::to_owned),
            hand,
            rend: rend.map(str::to_owned),
            content: Vec::new(),
        })
}

fn reading(content: BoxedStrategy<Vec<Inline>>) -> impl Strategy<Value = Reading> {
    (prop::option::of("#[A-Z]( #[A-Z]){0,2}"), content)
        .prop_map(|(wit, content)| Reading { wit, content })
}

fn blocks(ids: Vec<String>, editorial: Vec<String>, max: usize) -> BoxedStrategy<Vec<Block>> {
    let il = inlines(ids, editorial);
    let leaf = prop_oneof![
        il.clone().prop_map(Block::Paragraph),
        il.clone().prop_map(Block::Paragraph),
        (1u8..5, il.clone(), prop::option::of("h[0-9]{1,3}"))
            .prop_map(|(level, content, id)| { Block::Heading { level, content, id } }),
        il.clone().prop_map(Block::Stage),
        prop::collection::vec(il.clone(), 1..3).prop_map(Block::Verse),
        (prop::option::of("[a-z]{1,5}"), "[ -~\n\t]{0,20}")
            .prop_map(|(lang, text)| Block::Verbatim { lang, text }),
        prop::collection::vec(
            (any::<bool>(), prop::collection::vec(il.clone(), 1..3))
                .prop_map(|(header, cells)| TableRow { header, cells }),
            1..3
        )
        .prop_map(Block::Table),
        Just(Block::ThematicBreak),
        Just(Block::PageBreak),
    ];
    let il2 = il.clone();
    let block = leaf.prop_recursive(2, 12, 3, move |inner| {
        let list = prop::collection::vec(inner.clone(), 0..3);
        prop_oneof![
            (
                prop::option::of("#[a-z]{1,5}"),
                prop::option::of(il2.clone()),
                list.clone()
            )
                .prop_map(|(who, speaker, blocks)| Block::Speech {
                    who,
                    speaker,
                    blocks
                }),
            list.clone().prop_map(Block::Quote),
            (
                any::<bool>(),
                prop::option::of(0u64..20),
                prop::collection::vec(list, 1..3)
            )
                .prop_map(|(ordered, start, items)| Block::List {
                    ordered,
                    start,
                    items
                }),
        ]
    });
    prop::collection::vec(block, 0..max).boxed()
}

fn meta() -> impl Strategy<Value = Meta> {
    // Title, publisher and authors are never empty strings: an empty <title/> or
    // <publisher/> means "none".
    (
        prop::option::of(prop_oneof![text(), raw1()]),
        prop::option::of(prop_oneof![text(), raw()]),
        prop::collection::vec(prop_oneof![text(), raw1()], 0..3),
        prop::sample::select(vec!["en", "en-GB", "ru", "la", ""]),
        prop::option::of(prop_oneof![text(), raw()]),
        prop::option::of(prop_oneof![text(), raw()]),
        (
            prop::option::of(prop_oneof![text(), raw()]),
            prop::option::of(prop_oneof![text(), raw1()]),
            prop::option::of(prop_oneof![text(), raw()]),
            prop::collection::btree_map("[a-z ]{0,6}", raw(), 0..3),
        ),
        (
            prop::collection::btree_map("w[A-Z]", prop_oneof![text(), raw()], 0..3),
            prop::option::of(prop::sample::select(vec![
                Convention::Reading,
                Convention::Diplomatic,
                Convention::Leiden,
            ])),
        ),
    )
        .prop_map(
            |(
                title,
                subtitle,
                authors,
                lang,
                date,
                source,
                (identifier, publisher, licence, extra),
                (witnesses, convention),
            )| Meta {
                title,
                subtitle,
                authors,
                lang: lang.to_owned(),
                date,
                source: source.map(|bibl| SourceDesc { bibl }),
                identifier,
                publisher,
                licence,
                extra,
                witnesses: witnesses
                    .into_iter()
                    .map(|(id, desc)| Witness { id, desc })
                    .collect(),
                convention,
            },
        )
}

fn document() -> impl Strategy<Value = Document> {
    (0usize..3, 0usize..3)
        .prop_flat_map(|(na, ne)| {
            let author: Vec<String> = (1..=na).map(|i| format!("a{i}")).collect();
            let editorial: Vec<String> = (1..=ne).map(|i| format!("e{i}")).collect();
            let ids: Vec<String> = author.iter().chain(&editorial).cloned().collect();
            let notes = prop::collection::vec(
                (
                    blocks(ids.clone(), editorial.clone(), 3),
                    prop::option::of(Just("#ed".to_owned())),
                ),
                na + ne,
            );
            (meta(), blocks(ids, editorial, 8), notes, Just((na, ne)))
        })
        .prop_map(|(meta, body, contents, (na, _))| {
            let notes = contents
                .into_iter()
                .enumerate()
                .map(|(i, (content, resp))| {
                    let (series, prefix, n) = if i < na {
                        (NoteSeries::Author, "a", i + 1)
                    } else {
                        (NoteSeries::Editorial, "e", i + 1 - na)
                    };
                    Note {
                        id: NoteId(format!("{prefix}{n}")),
                        series,
                        n: n.to_string(),
                        content,
                        resp,
                    }
                })
                .collect();
            let mut doc = Document { meta, body, notes };
            unique_heading_ids(&mut doc);
            doc
        })
}

/// Drops repeated heading ids: ids are unique in a document (they become xml:id).
fn unique_heading_ids(doc: &mut Document) {
    fn walk(blocks: &mut [Block], seen: &mut std::collections::BTreeSet<String>) {
        for b in blocks {
            match b {
                Block::Heading { id, .. } => {
                    if let Some(i) = id
                        && !seen.insert(i.clone())
                    {
                        *id = None;
                    }
                }
                Block::Speech { blocks, .. } | Block::Quote(blocks) => walk(blocks, seen),
                Block::List { items, .. } => items.iter_mut().for_each(|i| walk(i, seen)),
                _ => {}
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    walk(&mut doc.body, &mut seen);
    for note in &mut doc.notes {
        walk(&mut note.content, &mut seen);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn generated_documents_round_trip(doc in document()) {
        let xml = to_tei(&doc);
        let back = from_tei(&xml);
        prop_assert_eq!(json(&back), json(&doc), "TEI was:\n{}", xml);
    }
}

#[test]
fn generated_documents_are_valid_tei() {
    // One jing run over many generated documents: the writer's output is valid whatever
    // the nesting (speeches in quotes in list items in notes …).
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let dir = common::temp_dir();
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = document();
    let mut files = Vec::new();
    for i in 0..60 {
        let doc = strategy.new_tree(&mut runner).unwrap().current();
        let path = dir.path().join(format!("generated-{i}.tei.xml"));
        std::fs::write(&path, to_tei(&doc)).unwrap();
        files.push(path);
    }
    if let Some(result) = tei_support::jing(&files, "generated_documents_are_valid_tei") {
        result.unwrap_or_else(|messages| panic!("invalid TEI:\n{messages}"));
    }
}
