//! TEI transcription markup (choice, add/del/subst, lb, w, g, num, name, app) in the
//! hand-written documents of `tests/data/tei/`: golden IR (JSON), golden PDF text (via
//! pdftotext) and golden EPUB XHTML in each convention (reading, diplomatic, Leiden),
//! the words of the reading text, and TEI round trips.
//! `UPDATE=1 cargo test --test tei_transcription` rewrites the golden files.

mod common;
mod tei_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use lacuna::ir::{Block, Convention, Document, Inline};
use lacuna::style::Style;
use lacuna::write::{self, WriteContext};
use quick_xml::events::Event;
use tei_support::{from_tei, json, read_doc, to_tei};

/// The documents with transcription markup, in the shapes of third-party TEI.
const CASES: &[&str] = &[
    "transcription",
    "drama",
    "epidoc-leiden",
    "parliament-sitting",
    "critical",
];

const CONVENTIONS: &[(Convention, &str)] = &[
    (Convention::Reading, "reading"),
    (Convention::Diplomatic, "diplomatic"),
    (Convention::Leiden, "leiden"),
];

fn data(name: &str) -> PathBuf {
    common::root()
        .join("tests/data/tei")
        .join(format!("{name}.xml"))
}

fn golden(name: &str) -> PathBuf {
    common::root().join("tests/data/tei/golden").join(name)
}

/// Compares `actual` with the golden file, or rewrites it under `UPDATE=1`.
fn check(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var("UPDATE").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        failures.push(format!(
            "{} differs from line {}:\n expected: {:?}\n   actual: {:?}",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        ));
    }
}

fn style(convention: Convention) -> Style {
    let mut style = Style::default();
    style.transcription.convention = Some(convention);
    style
}

fn write_with(doc: &Document, writer: &str, style: &Style) -> (Vec<u8>, Vec<lacuna::Warning>) {
    let ctx = WriteContext {
        style,
        timestamp: 0,
        base_dir: None,
    };
    let mut out = Vec::new();
    let w = write::by_name(writer).unwrap();
    let warnings = (w.write)(doc, &ctx, &mut out).unwrap();
    (out, warnings)
}

#[test]
fn golden_ir() {
    let mut failures = Vec::new();
    for name in CASES {
        let doc = read_doc(&data(name));
        check(
            &golden(&format!("{name}.json")),
            &(json(&doc) + "\n"),
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn golden_epub_xhtml_in_each_convention() {
    let mut failures = Vec::new();
    for name in CASES {
        let doc = read_doc(&data(name));
        for (convention, label) in CONVENTIONS {
            let (epub, _) = write_with(&doc, "epub", &style(*convention));
            let xhtml = sections(&epub);
            check(
                &golden(&format!("{name}.{label}.xhtml")),
                &xhtml,
                &mut failures,
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Returns the `<section>`s of the EPUB's text documents, in spine order.
fn sections(epub: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let mut files: Vec<(String, String)> = (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut text = String::new();
            let name = entry.name().unwrap().into_owned();
            std::io::Read::read_to_string(&mut entry, &mut text).unwrap_or_default();
            (name, text)
        })
        .filter(|(n, _)| n.contains("section-") && n.ends_with(".xhtml"))
        .collect();
    files.sort();
    let mut out = String::new();
    for (_, text) in files {
        let body = text
            .split_once("<body")
            .and_then(|(_, b)| b.split_once('>'))
            .map(|(_, b)| b.split("</body>").next().unwrap_or(""))
            .unwrap_or("");
        out.push_str(body.trim());
        out.push('\n');
    }
    out
}

#[test]
fn golden_pdf_text_in_each_convention() {
    if !common::have_tool("pdftotext", "golden_pdf_text_in_each_convention") {
        return;
    }
    let dir = common::temp_dir();
    let mut failures = Vec::new();
    for name in CASES {
        let doc = read_doc(&data(name));
        for (convention, label) in CONVENTIONS {
            let (pdf, warnings) = write_with(&doc, "pdf", &style(*convention));
            // Every mark the conventions use is in the bundled fonts.
            assert!(
                !warnings.iter().any(|w| w.message.contains("glyph")),
                "{name} {label}: {warnings:?}"
            );
            let path = dir.path().join(format!("{name}.{label}.pdf"));
            std::fs::write(&path, pdf).unwrap();
            let out = Command::new("pdftotext")
                .arg(&path)
                .arg("-")
                .output()
                .unwrap();
            assert!(out.status.success());
            check(
                &golden(&format!("{name}.{label}.pdf-text")),
                &String::from_utf8(out.stdout).unwrap(),
                &mut failures,
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Returns the text of the body as the reading text shows it.
fn reading_text(doc: &Document) -> String {
    let shown = lacuna::transform::transcription::present(
        doc,
        Convention::Reading,
        lacuna::transform::transcription::Strike::Markup,
    );
    lacuna::ir::blocks_text(&shown.body)
}

#[test]
fn alternatives_are_never_glued_and_every_word_comes_once() {
    let doc = read_doc(&data("transcription"));
    let text = reading_text(&doc);
    for expected in [
        "μὴ ἐπιτρέψῃ τοῖς",
        "ἀρχόντων τῶν λιμένος",
        " πράσσειν δραχμὰς ιβ",
        "The scribe wrote received and harbour; the clerk signed William Marsh",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    for glued in ["ἐπιτρέψῃἐπετρέψῃ", "τῶνα", "recievedreceived", "Wm William"]
    {
        assert!(!text.contains(glued), "{glued:?} in {text}");
    }
    // The deleted word is not in the reading text but is in the IR, with its rendition.
    assert!(!text.contains("οὐ"), "{text}");
    let mut dels = Vec::new();
    lacuna::transform::walk_inlines(&doc.body, &mut |i| {
        if let Inline::Del(c) = i {
            dels.push((lacuna::ir::inline_text(&c.content), c.rend.clone()));
        }
    });
    assert!(
        dels.contains(&("οὐ".to_owned(), Some("erased".to_owned()))),
        "{dels:?}"
    );

    let critical = read_doc(&data("critical"));
    let text = reading_text(&critical);
    assert!(text.contains("the tide is high"), "{text}");
    assert!(text.contains("And every ship"), "{text}");
    assert!(
        !text.contains("tidewind") && !text.contains("wind"),
        "{text}"
    );
    let sigla: Vec<&str> = critical
        .meta
        .witnesses
        .iter()
        .map(|w| w.id.as_str())
        .collect();
    assert_eq!(sigla, ["A", "B", "C"]);
}

#[test]
fn epidoc_line_numbers_and_breaks_are_kept_and_shown_in_leiden() {
    let doc = read_doc(&data("epidoc-leiden"));
    assert_eq!(doc.meta.convention, Some(Convention::Leiden));
    let shown = lacuna::transform::transcription::present(
        &doc,
        Convention::Leiden,
        lacuna::transform::transcription::Strike::Combining,
    );
    let Block::Paragraph(p) = &shown.body[0] else {
        panic!("{:?}", shown.body[0])
    };
    let text = lacuna::ir::inline_text(p);
    for expected in [
        "D(is) M(anibus) | [....]ius Portu[nus] | magister port|us man(ibus)",
        "fecit e\u{323}t\u{323} \u{27E6}sibi\u{27E7} \\suis/ | - - - - - -",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
}

#[test]
fn page_beginnings_keep_their_number_and_break() {
    let doc = read_doc(&data("parliament-sitting"));
    let mut pages = Vec::new();
    lacuna::transform::walk_inlines(&doc.body, &mut |i| {
        if let Inline::Milestone {
            unit,
            n,
            word_break,
        } = i
        {
            pages.push((unit.clone(), n.clone(), word_break.clone()));
        }
    });
    let page =
        |n: &str, b: Option<&str>| ("page".to_owned(), Some(n.to_owned()), b.map(str::to_owned));
    assert_eq!(
        pages,
        [page("17", None), page("18", None), page("19", Some("no"))]
    );
    assert!(reading_text(&doc).contains("taken on Tuesday."));
}

#[test]
fn drama_with_a_doctype_reads_with_its_entities() {
    let w = lacuna::read_path(&data("drama"), None, &lacuna::read::ReadOptions::default()).unwrap();
    let text = reading_text(&w.value);
    assert!(
        text.contains("Who pays for stone\u{2014}the town, or the Harbour Board?"),
        "{text}"
    );
    assert!(
        text.contains("Sir, \u{2018}the board\u{2019} has"),
        "{text}"
    );
    assert!(text.contains("I shall not sign."), "{text}");
    let messages: Vec<String> = w.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
}

#[test]
fn ir_to_tei_to_ir_is_the_identity_and_tei_writing_is_stable() {
    for name in CASES {
        let doc = read_doc(&data(name));
        let (tei, warnings) = tei_support::to_tei_warned(&doc);
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        let back = from_tei(&tei);
        assert_eq!(json(&back), json(&doc), "{name}");
        // TEI → IR → TEI gives the same TEI, modulo white space and attribute order.
        assert_eq!(canonical(&to_tei(&back)), canonical(&tei), "{name}");
    }
}

#[test]
fn transcription_markup_is_written_back_as_the_source_has_it() {
    // Each transcription element of the hand-written file comes back in lacuna's TEI,
    // equal modulo white space and attribute order, in the same order.
    const MARKUP: &[&str] = &[
        "choice", "sic", "corr", "orig", "reg", "abbr", "expan", "ex", "am", "subst", "add", "del",
        "lb", "pb", "w", "g", "num", "name", "lem", "rdg", "unclear", "supplied", "gap",
    ];
    for name in CASES {
        let original = common::read(&data(name));
        let written = to_tei(&read_doc(&data(name)));
        let (a, b) = (
            subtrees(&canonical(&original), MARKUP),
            subtrees(&canonical(&written), MARKUP),
        );
        assert!(a.len() >= 5, "{name}: {a:?}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "{name}");
        }
        assert_eq!(a.len(), b.len(), "{name}");
    }
}

/// Returns the canonical subtrees (see [`canonical`]) of the elements named in `names`,
/// in document order.
fn subtrees(canonical: &str, names: &[&str]) -> Vec<String> {
    let lines: Vec<&str> = canonical.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = line.strip_prefix('<').and_then(|l| l.split(' ').next()) else {
            continue;
        };
        if !names.contains(&name) {
            continue;
        }
        let mut depth = 0;
        let mut tree = String::new();
        for l in &lines[i..] {
            tree.push_str(l);
            tree.push('\n');
            if l.starts_with("</") {
                depth -= 1;
            } else if l.starts_with('<') {
                depth += 1;
            }
            if depth == 0 {
                break;
            }
        }
        out.push(tree);
    }
    out
}

#[test]
fn canonical_form_ignores_only_white_space_and_attribute_order() {
    assert_eq!(
        canonical("<a x=\"1\" y=\"2\">b  c\n<d/></a>"),
        canonical("<a y=\"2\" x=\"1\">b c <d></d></a>")
    );
    assert_ne!(canonical("<a x=\"1\"/>"), canonical("<a x=\"2\"/>"));
    assert_ne!(canonical("<a>bc</a>"), canonical("<a>b c</a>"));
}

/// Returns an XML document as one line per event: elements with sorted attributes
/// (an empty element as a start and an end tag), text with white space collapsed
/// (white-space-only text left out).
fn canonical(xml: &str) -> String {
    fn flush(text: &mut String, out: &mut String) {
        let words: Vec<&str> = text.split_whitespace().collect();
        if !words.is_empty() {
            out.push_str(&words.join(" "));
            out.push('\n');
        }
        text.clear();
    }
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut text = String::new();
    loop {
        let event = reader.read_event().unwrap();
        if !matches!(event, Event::Text(_) | Event::GeneralRef(_)) {
            flush(&mut text, &mut out);
        }
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let mut attrs: Vec<String> = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        format!(
                            "{}={:?}",
                            a.key.as_ref(),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                        )
                    })
                    .collect();
                attrs.sort();
                let name = e.name().as_ref().to_owned();
                out.push_str(&format!("<{name} {}>\n", attrs.join(" ")));
                if matches!(event, Event::Empty(_)) {
                    out.push_str(&format!("</{name}>\n"));
                }
            }
            Event::End(e) => out.push_str(&format!("</{}>\n", e.name().as_ref())),
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match &*r {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    name => match r.resolve_char_ref().unwrap() {
                        Some(c) => c,
                        // A DOCTYPE's entity: kept as written.
                        None => {
                            text.push_str(&format!("&{name};"));
                            continue;
                        }
                    },
                };
                text.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn attributes_the_ir_does_not_keep_are_named_once() {
    let xml = r##"<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt><publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader><text><body>
<p><choice><sic>a</sic><corr resp="#ed">b</corr></choice> <choice><sic>c</sic><corr resp="#ed">d</corr></choice>
<app><lem wit="#A">x</lem><rdg wit="#B" cause="homeoteleuton">y</rdg></app> <add place="above" hand="#h2">z</add></p></body></text></TEI>"##;
    let w = lacuna::read::tei::read(xml, &lacuna::read::ReadOptions::default()).unwrap();
    let messages: Vec<String> = w.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "2:24: <corr>: @resp is not kept",
            "3:27: <rdg>: @cause is not kept"
        ]
    );
}

#[test]
fn the_convention_is_a_style_key() {
    let s = Style::parse("[transcription]\nconvention = \"leiden\"\n").unwrap();
    assert_eq!(s.transcription.convention, Some(Convention::Leiden));
    assert_eq!(Style::default().transcription.convention, None);
    let e = Style::parse("[transcription]\nconvention = \"fancy\"\n").unwrap_err();
    assert!(e.contains("fancy") || e.contains("unknown variant"), "{e}");
    // Left out, the document decides: Leiden for an EpiDoc edition, else reading.
    let epidoc = read_doc(&data("epidoc-leiden"));
    let letter = read_doc(&data("transcription"));
    use lacuna::transform::transcription::convention;
    assert_eq!(convention(&epidoc, None), Convention::Leiden);
    assert_eq!(convention(&letter, None), Convention::Reading);
    assert_eq!(
        convention(&epidoc, Some(Convention::Diplomatic)),
        Convention::Diplomatic
    );
}
