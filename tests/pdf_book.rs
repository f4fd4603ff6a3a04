//! The PDF backend on whole documents: validators, text, note links on the call's page,
//! the text block, scripts, and stress cases.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use lacuna::ir::Document;
use lacuna::read::{ReadOptions, transcript};
use lacuna::style::Style;
use lacuna::typeset::frame::{Page, PageItem};
use lacuna::typeset::page::PageSink;
use lacuna::write::pdf::typeset;
use lopdf::{Object, ObjectId};

/// Collects the pages the typesetter makes.
#[derive(Default)]
struct Pages(Vec<Page>);

impl PageSink for Pages {
    fn page(&mut self, _n: usize, page: Page) -> Result<(), lacuna::diag::WriteError> {
        self.0.push(page);
        Ok(())
    }
}

fn read_transcript(text: &str) -> Document {
    transcript::read(text, &ReadOptions::default())
        .unwrap()
        .value
}

fn seed_doc() -> Document {
    read_transcript(&common::read(&common::seed()))
}

/// Converts `input` to PDF with the binary; returns the PDF path and stderr.
fn convert(dir: &Path, input: &Path, extra: &[&str]) -> (PathBuf, String) {
    common::convert_pdf(dir, input, extra)
}

fn tool_output(cmd: &str, args: &[&str], path: &Path) -> (bool, String, String) {
    let out = Command::new(cmd).args(args).arg(path).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The checks of `validate.sh pdf`: qpdf clean, every font an embedded subset with
/// ToUnicode, pdftotext silent and non-empty. Returns the extracted text.
fn validate(path: &Path, test: &str) -> Option<String> {
    if !(common::have_tool("qpdf", test)
        && common::have_tool("pdffonts", test)
        && common::have_tool("pdftotext", test))
    {
        return None;
    }
    let (ok, out, err) = tool_output("qpdf", &["--check"], path);
    assert!(ok, "qpdf --check failed:\n{out}{err}");
    let (ok, fonts, err) = tool_output("pdffonts", &[], path);
    assert!(ok, "{err}");
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no fonts");
    for row in rows {
        let f: Vec<&str> = row.split_whitespace().collect();
        let n = f.len();
        assert_eq!(
            (f[n - 5], f[n - 4], f[n - 3]),
            ("yes", "yes", "yes"),
            "font not an embedded subset with ToUnicode: {row}"
        );
    }
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && err.is_empty(), "pdftotext: {err}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.split_whitespace().count() > 0, "no text");
    Some(text)
}

/// Words of extracted text with line-end hyphens rejoined.
fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut carry = String::new();
    for line in text.lines() {
        let mut ws: Vec<&str> = line.split_whitespace().collect();
        if ws.is_empty() {
            continue;
        }
        let last = ws.pop().unwrap();
        for w in ws {
            out.push(format!("{carry}{w}"));
            carry.clear();
        }
        if let Some(stem) = last
            .strip_suffix('-')
            .filter(|s| s.chars().last().is_some_and(char::is_alphabetic))
        {
            carry.push_str(stem);
        } else {
            out.push(format!("{carry}{last}"));
            carry.clear();
        }
    }
    out
}

#[test]
fn seed_pdf_validates_and_gives_back_every_word() {
    let dir = common::temp_dir();
    let (pdf, stderr) = convert(dir.path(), &common::seed(), &[]);
    assert!(stderr.is_empty(), "warnings: {stderr}");
    let Some(text) = validate(&pdf, "seed_pdf_validates_and_gives_back_every_word") else {
        return;
    };
    let got = words(&text).join(" ");
    // Every word of the document, in order (note numbers and folios may come between).
    let doc = seed_doc();
    let mut expected = doc.meta.title.clone().unwrap();
    expected.push(' ');
    expected.push_str(&lacuna::ir::blocks_text(&doc.body));
    expected.push(' ');
    expected.push_str(&doc.meta.source.as_ref().unwrap().bibl);
    let mut rest = got.as_str();
    for w in expected.split_whitespace() {
        // A word may carry a note number glued to it ("not....1").
        match rest.find(w) {
            Some(i) => rest = &rest[i + w.len()..],
            None => panic!(
                "word {w:?} missing or out of order; text continues: {:?}",
                &rest[..rest.len().min(200)]
            ),
        }
    }
}

/// Returns the names of named destinations with their (page, x, y).
fn named_dests(doc: &lopdf::Document) -> BTreeMap<String, (ObjectId, f64, f64)> {
    let catalog = doc.catalog().unwrap();
    let names = doc
        .dereference(catalog.get(b"Names").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap();
    let dests = doc
        .dereference(names.get(b"Dests").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap();
    let list = dests.get(b"Names").unwrap().as_array().unwrap();
    list.chunks(2)
        .map(|kv| {
            let name = String::from_utf8_lossy(kv[0].as_str().unwrap()).into_owned();
            (name, dest(doc, &kv[1]))
        })
        .collect()
}

fn dest(doc: &lopdf::Document, obj: &Object) -> (ObjectId, f64, f64) {
    let arr = doc.dereference(obj).unwrap().1.as_array().unwrap();
    (
        arr[0].as_reference().unwrap(),
        arr[2].as_float().unwrap() as f64,
        arr[3].as_float().unwrap() as f64,
    )
}

#[test]
fn each_note_call_links_to_its_note_on_the_same_page_and_back() {
    let dir = common::temp_dir();
    let (pdf, _) = convert(dir.path(), &common::seed(), &[]);
    let doc = lopdf::Document::load(&pdf).unwrap();
    let dests = named_dests(&doc);
    let pages: Vec<ObjectId> = doc.get_pages().values().copied().collect();
    let mut calls = 0;
    let mut backs = 0;
    for &page in &pages {
        let dict = doc.get_dictionary(page).unwrap();
        let Ok(annots) = dict.get(b"Annots") else {
            continue;
        };
        for annot in doc
            .dereference(annots)
            .unwrap()
            .1
            .as_array()
            .unwrap()
            .clone()
        {
            let a = doc.dereference(&annot).unwrap().1.as_dict().unwrap();
            assert_eq!(a.get(b"Subtype").unwrap().as_name().unwrap(), b"Link");
            let target = dest(&doc, a.get(b"Dest").unwrap());
            let name = dests
                .iter()
                .find(|(_, d)| **d == target)
                .map(|(n, _)| n.clone())
                .expect("every link goes to a named anchor");
            assert_eq!(target.0, page, "{name} is on another page than its link");
            if name.starts_with("note-e") {
                calls += 1;
            } else if name.starts_with("noteref-e") {
                backs += 1;
            }
        }
    }
    assert_eq!((calls, backs), (8, 8));
    for n in 1..=8 {
        assert!(dests.contains_key(&format!("note-e{n}")), "note {n}");
        assert_eq!(
            dests[&format!("note-e{n}")].0,
            dests[&format!("noteref-e{n}")].0,
            "note {n} away from its call"
        );
    }
}

#[test]
fn justified_lines_share_one_right_edge_and_nothing_leaves_the_text_block() {
    for style_name in ["a5-book", "a4-report"] {
        let style = Style::builtin(style_name).unwrap();
        let mut pages = Pages::default();
        let set = typeset(&seed_doc(), &style, &mut pages).unwrap();
        let g = set.value.geometry;
        let body_size = style.text.size.to_pt(10.0);
        let mut at_edge = 0;
        for (i, page) in pages.0.iter().enumerate() {
            let left = if i % 2 == 0 {
                g.left_recto
            } else {
                g.left_verso
            };
            let right = left + g.block_width;
            // Lines by baseline: their right edge is the last run's end.
            let mut lines: BTreeMap<i64, (f64, f64, f64)> = BTreeMap::new();
            for item in &page.items {
                if let PageItem::Text(run) = item {
                    assert!(
                        run.x >= left - 0.01,
                        "{style_name} page {}: run starts left of the block at {}",
                        i + 1,
                        run.x
                    );
                    assert!(
                        run.x + run.width <= right + 0.01,
                        "{style_name} page {}: run ends past the block at {}",
                        i + 1,
                        run.x + run.width
                    );
                    let in_block = run.y >= g.top - 0.01 && run.y <= g.top + g.block_height + 0.01;
                    let head_or_folio = run.y < g.top || run.y > g.top + g.block_height;
                    assert!(in_block || head_or_folio);
                    if in_block && (run.size - body_size).abs() < 0.01 {
                        let e = lines.entry((run.y * 100.0) as i64).or_insert((
                            f64::MAX,
                            0.0,
                            run.size,
                        ));
                        e.0 = e.0.min(run.x);
                        e.1 = e.1.max(run.x + run.width);
                    }
                }
            }
            for (_, (_, end, _)) in lines {
                // A justified line ends exactly at the right edge; a paragraph's last line
                // ends well short of it. Nothing ends a little short or a little past.
                let short = right - end;
                assert!(
                    short.abs() < 0.05 || short > 1.0,
                    "{style_name} page {}: a line ends {short:.3} pt from the edge",
                    i + 1
                );
                if short.abs() < 0.05 {
                    at_edge += 1;
                }
            }
        }
        assert!(at_edge > 20, "{style_name}: only {at_edge} justified lines");
    }
}

#[test]
fn cyrillic_and_mixed_scripts_render_without_missing_glyphs() {
    let dir = common::temp_dir();
    let ru = dir.path().join("ru.txt");
    std::fs::write(
        &ru,
        " Протокол\n\nРеволюция в провинции идёт вперёд гигантскими шагами....{1} Товарищ шахтёр\nсказал, что их первая задача — пойти за хлебом. «Осторожность», — говорят они.\n",
    )
    .unwrap();
    let mixed = dir.path().join("mixed.txt");
    std::fs::write(
        &mixed,
        " Logos\n\nThe word λόγος (logos) is rendered «слово» in Russian; Ἀριστοτέλης wrote\n“on the soul” — Περὶ ψυχῆς — and the coal\u{2010}miner said “хлеб”....{1}\n",
    )
    .unwrap();
    for (input, lang, want) in [(&ru, "ru", "Революция"), (&mixed, "en", "Ἀριστοτέλης")]
    {
        let (pdf, stderr) = convert(dir.path(), input, &["--lang", lang]);
        assert!(
            stderr.is_empty(),
            "a character needed a fallback face or went missing: {stderr}"
        );
        let Some(text) = validate(
            &pdf,
            "cyrillic_and_mixed_scripts_render_without_missing_glyphs",
        ) else {
            return;
        };
        assert!(text.contains(want), "{text}");
        for w in ["λόγος", "слово", "хлеб", "шахтёр", "Περὶ"] {
            if common::read(input).contains(w) {
                assert!(
                    words(&text).join(" ").contains(w),
                    "{w} missing from {text}"
                );
            }
        }
    }
}

/// Writes a transcript and converts it; returns the PDF's pages and the warnings.
fn stress(name: &str, text: &str) -> (usize, String) {
    let dir = common::temp_dir();
    let input = dir.path().join(format!("{name}.txt"));
    std::fs::write(&input, text).unwrap();
    let (pdf, stderr) = convert(dir.path(), &input, &[]);
    let doc = lopdf::Document::load(&pdf).unwrap();
    validate(&pdf, name);
    (doc.get_pages().len(), stderr)
}

#[test]
fn a_note_longer_than_a_page_is_split_and_continued() {
    let long: String = (0..120)
        .map(|i| format!("Sentence {i} of a very long editorial note. "))
        .collect();
    let text = format!(
        "Title\n\nA short paragraph with a lacuna....{{1}} and more text after it.\n\n{{1}} {long}\n"
    );
    let doc = read_transcript(&text);
    let mut pages = Pages::default();
    let style = Style::default();
    typeset(&doc, &style, &mut pages).unwrap();
    assert!(pages.0.len() >= 2, "the note continues on a second page");
    // The note's anchor is on the page of the call.
    let anchors = |p: &Page| -> Vec<String> {
        p.items
            .iter()
            .filter_map(|i| match i {
                PageItem::Anchor { name, .. } => Some(name.clone()),
                _ => None,
            })
            .collect()
    };
    let first = anchors(&pages.0[0]);
    assert!(
        first.contains(&"noteref-e1".to_owned()) && first.contains(&"note-e1".to_owned()),
        "{first:?}"
    );
    let (n, _) = stress("longnote", &text);
    assert!(n >= 2);
}

#[test]
fn thirty_notes_on_one_paragraph() {
    let body: String = (1..=30)
        .map(|i| format!("Clause {i} is incomplete....{{{i}}} "))
        .collect();
    let (pages, stderr) = stress("thirty", &format!("Title\n\n{body}\n"));
    assert!(pages >= 1);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn a_three_hundred_page_document() {
    let para = "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. However little known the feelings or views of such a man may be on his first entering a neighbourhood, this truth is so well fixed in the minds of the surrounding families, that he is considered as the rightful property of some one or other of their daughters.";
    let mut text = String::from("Title\n\n");
    for i in 0..1700 {
        if i % 60 == 0 {
            text.push_str(&format!("CHAPTER {}\n\n", i / 60 + 1));
        }
        text.push_str(para);
        if i % 7 == 0 {
            text.push_str(&format!("....{{{}}}", i / 7 + 1));
        }
        text.push_str("\n\n");
    }
    let (pages, stderr) = stress("long", &text);
    assert!(pages >= 300, "{pages} pages");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn an_empty_body_gives_a_valid_one_page_pdf() {
    let dir = common::temp_dir();
    let input = dir.path().join("empty.json");
    std::fs::write(
        &input,
        r#"{"meta": {"lang": "en", "title": "Nothing here"}, "body": []}"#,
    )
    .unwrap();
    let (pdf, _) = convert(dir.path(), &input, &[]);
    let doc = lopdf::Document::load(&pdf).unwrap();
    assert_eq!(doc.get_pages().len(), 1);
    if let Some(text) = validate(&pdf, "an_empty_body_gives_a_valid_one_page_pdf") {
        assert!(text.contains("Nothing here"));
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = common::temp_dir();
    let (a, _) = convert(&dir.path().join("a"), &common::seed(), &[]);
    let (b, _) = convert(&dir.path().join("b"), &common::seed(), &[]);
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}

#[test]
fn a_two_line_title_is_balanced_and_centred() {
    let path = common::root().join("examples/sample.md");
    let doc = lacuna::read_path(&path, None, &ReadOptions::default())
        .unwrap()
        .value;
    let style = Style::default();
    let mut pages = Pages::default();
    let set = typeset(&doc, &style, &mut pages).unwrap().value;
    let g = set.geometry;
    let title_size = style.headings.size.to_pt(10.0) * 1.4;
    let mut lines: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
    for item in &pages.0[0].items {
        if let PageItem::Text(run) = item
            && (run.size - title_size).abs() < 0.01
        {
            let e = lines
                .entry((run.y * 100.0) as i64)
                .or_insert((f64::MAX, 0.0));
            e.0 = e.0.min(run.x);
            e.1 = e.1.max(run.x + run.width);
        }
    }
    assert_eq!(lines.len(), 2, "the sample's title takes two lines");
    let widths: Vec<f64> = lines.values().map(|(a, b)| b - a).collect();
    let (short, long) = (widths[0].min(widths[1]), widths[0].max(widths[1]));
    assert!(short > 0.6 * long, "unbalanced title lines: {widths:?}");
    for (a, b) in lines.values() {
        let centre = (a + b) / 2.0;
        assert!(
            (centre - (g.left_recto + g.block_width / 2.0)).abs() < 0.5,
            "off centre"
        );
    }
}
