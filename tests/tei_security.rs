//! Hostile and broken TEI: entity bombs, external entities, deep nesting, truncation,
//! wrong roots and namespaces all end quickly with a clear error and no output.

mod common;

use std::time::{Duration, Instant};

use lacuna::ParseError;
use lacuna::read::{ReadOptions, tei};

const TEI: &str = "http://www.tei-c.org/ns/1.0";

fn read_err(xml: &str) -> ParseError {
    match tei::read(xml, &ReadOptions::default()) {
        Ok(doc) => panic!("expected an error, got {:?}", doc.value),
        Err(e) => e,
    }
}

fn billion_laughs() -> String {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE TEI [\n  <!ENTITY lol \"lol\">\n");
    s.push_str("  <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..=9 {
        let p = i - 1;
        s.push_str(&format!(
            "  <!ENTITY lol{i} \"{}\">\n",
            format!("&lol{p};").repeat(10)
        ));
    }
    s.push_str(&format!(
        "]>\n<TEI xmlns=\"{TEI}\"><text><body><p>&lol9;</p></body></text></TEI>\n"
    ));
    s
}

/// Returns the process's peak resident memory in kB (Linux), if known.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Returns the line and column of the first occurrence of `needle` in `text`.
fn pos_of(text: &str, needle: &str) -> lacuna::Pos {
    let at = text.find(needle).expect("needle in text");
    let line = text[..at].matches('\n').count() + 1;
    let col = text[..at].rsplit('\n').next().unwrap().chars().count() + 1;
    lacuna::Pos::new(line as u32, col as u32)
}

/// Reads `xml`, expecting an error, within 1 s and 50 MB of extra peak memory.
fn read_err_quickly(xml: &str) -> ParseError {
    let before = peak_rss_kb();
    let start = Instant::now();
    let e = read_err(xml);
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    if let (Some(before), Some(after)) = (before, peak_rss_kb()) {
        assert!(
            after - before < 50_000,
            "peak memory grew by {} kB",
            after - before
        );
    }
    e
}

#[test]
fn billion_laughs_ends_quickly_with_a_clear_error() {
    let xml = billion_laughs();
    let e = read_err_quickly(&xml);
    // The error is at the reference that would blow up, not at the declarations.
    assert_eq!(e.pos, pos_of(&xml, "&lol9;</p>"));
    assert!(e.message.contains("entity expansion attack"), "{e}");
    // The same bomb in an attribute value.
    let xml = xml.replace("<p>&lol9;</p>", "<p rend=\"&lol9;\">x</p>");
    let e = read_err_quickly(&xml);
    assert!(e.message.contains("entity expansion attack"), "{e}");
}

#[test]
fn quadratic_blow_up_ends_quickly_with_a_clear_error() {
    // One 50 kB entity referenced 10,000 times: 500 MB if expanded.
    let xml = format!(
        "<!DOCTYPE TEI [<!ENTITY big \"{}\">]>\n<TEI xmlns=\"{TEI}\"><text><body><p>{}</p></body></text></TEI>",
        "a".repeat(50_000),
        "&big;".repeat(10_000)
    );
    let e = read_err_quickly(&xml);
    assert!(e.message.contains("bytes of entity text"), "{e}");
    assert_eq!(e.pos.line, 2);
}

#[test]
fn external_entities_are_never_read() {
    for uri in ["file:///etc/passwd", "http://127.0.0.1:9/evil"] {
        let xml = format!(
            "<!DOCTYPE TEI [<!ENTITY xxe SYSTEM \"{uri}\">]>\n<TEI xmlns=\"{TEI}\"><text><body><p>&xxe;</p></body></text></TEI>"
        );
        let e = read_err_quickly(&xml);
        assert_eq!(e.pos, pos_of(&xml, "&xxe;"));
        assert!(
            e.message.contains("external entities are never read"),
            "{e}"
        );
        assert!(!e.message.contains("root:"), "{e}");
        // In an attribute too.
        let xml = xml.replace("<p>&xxe;</p>", "<p n=\"&xxe;\"/>");
        assert!(read_err_quickly(&xml).message.contains("xxe"));
    }
    // Without a declaration the reference is an error too, not a lookup.
    let xml = format!(
        "<!DOCTYPE TEI SYSTEM \"file:///etc/passwd\">\n<TEI xmlns=\"{TEI}\"><text><body>\n<p>&xxe;</p></body></text></TEI>"
    );
    let e = read_err(&xml);
    assert_eq!(e.pos, lacuna::Pos::new(3, 4));
    assert!(e.message.contains("undeclared entity &xxe;"), "{e}");
    // A parameter entity is never read: the document reads, with a warning, and the
    // general entity it would have declared stays undeclared.
    let xml = format!(
        "<!DOCTYPE TEI [<!ENTITY % ext SYSTEM \"http://127.0.0.1:9/evil.dtd\"> %ext;]>\n<TEI xmlns=\"{TEI}\"><text><body><p>ok</p></body></text></TEI>"
    );
    let w = tei::read(&xml, &ReadOptions::default()).unwrap();
    assert!(
        w.warnings.iter().any(|w| w
            .message
            .contains("parameter entities are not read (%ext;)")),
        "{:?}",
        w.warnings
    );
    let e = read_err(&xml.replace("<p>ok", "<p>&fromext;"));
    assert!(e.message.contains("undeclared entity &fromext;"), "{e}");
}

#[test]
fn a_doctype_without_entities_is_ignored_with_a_warning() {
    let xml = format!(
        "<!DOCTYPE TEI SYSTEM \"tei_all.dtd\">\n<TEI xmlns=\"{TEI}\"><text><body><p>ok &amp; &#x263A;</p></body></text></TEI>"
    );
    let w = tei::read(&xml, &ReadOptions::default()).unwrap();
    assert!(w.warnings.iter().any(|w| w.message.contains("DOCTYPE")));
    assert_eq!(lacuna::ir::blocks_text(&w.value.body), "ok & ☺\n");
}

#[test]
fn an_internal_subset_with_parameter_entities_and_text_entities_reads() {
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE TEI PUBLIC \"-//TEI P5//DTD Main Document Type//EN\" \"tei_all.dtd\" [\n  <!ENTITY % TEI.drama \"INCLUDE\">\n  <!ENTITY % TEI.linking 'INCLUDE'>\n  %TEI.drama;\n  <!-- a comment with a > in it -->\n  <!ATTLIST sp who CDATA #IMPLIED>\n  <!ENTITY mdash \"&#x2014;\">\n  <!ENTITY who \"the &mdash; Chorus\">\n]>\n<TEI xmlns=\"{TEI}\"><text><body><p n=\"&who;\">Enter &who;.</p></body></text></TEI>"
    );
    let w = tei::read(&xml, &ReadOptions::default()).unwrap();
    assert_eq!(
        lacuna::ir::blocks_text(&w.value.body),
        "Enter the \u{2014} Chorus.\n"
    );
    let messages: Vec<String> = w.warnings.iter().map(ToString::to_string).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("2:") && m.contains("tei_all.dtd")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("%TEI.drama; %TEI.linking;")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("ATTLIST")),
        "{messages:?}"
    );
    // Markup in an entity is refused with the reference's position.
    let e = read_err(&xml.replace("\"&#x2014;\"", "\"<hi>-</hi>\""));
    assert!(e.message.contains("contains markup"), "{e}");
    assert_eq!(e.pos.line, 11);
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 100_000;
    let xml = format!(
        "<TEI xmlns=\"{TEI}\"><text><body><p>{}x{}</p></body></text></TEI>",
        "<hi>".repeat(depth),
        "</hi>".repeat(depth)
    );
    let start = Instant::now();
    let e = read_err(&xml);
    assert!(start.elapsed() < Duration::from_secs(1));
    assert!(e.message.contains("nest more than"), "{e}");
    assert_eq!(e.pos.line, 1);
    // Nesting just within the limit is fine, and the mapping's recursion fits in a
    // test thread's stack, for inline and block nesting alike; so does writing it again.
    let n = tei::MAX_DEPTH - 6;
    for (open, close) in [
        ("<hi>", "</hi>"),
        ("<quote>", "</quote>"),
        ("<list><item>", "</item></list>"),
        ("<sp>", "</sp>"),
    ] {
        // An item is two elements deep; a speech within a speech is written inside a
        // quote, two elements too.
        let n = if open.contains("item") || open == "<sp>" {
            n / 2
        } else {
            n
        };
        let ok = format!(
            "<TEI xmlns=\"{TEI}\"><text><body>{}<p>x</p>{}</body></text></TEI>",
            open.repeat(n),
            close.repeat(n)
        );
        let doc = tei::read(&ok, &ReadOptions::default()).unwrap().value;
        let again = to_tei_warned(&doc).0;
        assert_eq!(
            tei::read(&again, &ReadOptions::default()).unwrap().value,
            doc
        );
    }
}

#[test]
fn truncated_file_is_an_error_at_its_end() {
    let xml = format!("<TEI xmlns=\"{TEI}\">\n<text><body>\n<p>unfinished");
    let e = read_err(&xml);
    assert_eq!(e.pos, lacuna::Pos::new(3, 14));
    assert!(e.message.contains("<p> opened at 3:1 is not closed"), "{e}");
    // Cut in the middle of a tag.
    let e = read_err(&format!("<TEI xmlns=\"{TEI}\">\n<text><bo"));
    assert_eq!(e.pos.line, 2, "{e}");
}

#[test]
fn malformed_xml_gives_line_and_column() {
    let e = read_err(&format!(
        "<TEI xmlns=\"{TEI}\">\n<text>\n  <body></text></TEI>"
    ));
    assert_eq!(e.pos.line, 3, "{e}");
    assert!(e.message.starts_with("malformed XML"), "{e}");
    let e = read_err(&format!("<TEI xmlns=\"{TEI}\"><p a=\"1\" a=\"2\"/></TEI>"));
    assert!(e.message.starts_with("malformed XML"), "{e}");
    let e = read_err(&format!("<TEI xmlns=\"{TEI}\"><p>&#1;</p></TEI>"));
    assert!(e.message.contains("U+0001"), "{e}");
    let e = read_err(&format!("<TEI xmlns=\"{TEI}\"/><TEI xmlns=\"{TEI}\"/>"));
    assert!(e.message.contains("second root"), "{e}");
}

#[test]
fn wrong_root_element_is_refused() {
    let e = read_err(
        "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>",
    );
    assert_eq!(e.pos, lacuna::Pos::new(2, 1));
    assert!(e.message.contains("root element is <html>"), "{e}");
}

#[test]
fn non_tei_namespace_is_refused() {
    let e = read_err("<TEI xmlns=\"http://example.org/not-tei\"><text/></TEI>");
    assert!(e.message.contains("http://example.org/not-tei"), "{e}");
    assert!(e.message.contains("not the TEI namespace"), "{e}");
    let e = read_err("<t:TEI xmlns:t=\"urn:other\"/>");
    assert!(e.message.contains("urn:other"), "{e}");
    // A prefixed TEI root is TEI.
    let ok =
        format!("<t:TEI xmlns:t=\"{TEI}\"><t:text><t:body><t:p>ok</t:p></t:body></t:text></t:TEI>");
    assert_eq!(
        lacuna::ir::blocks_text(&tei::read(&ok, &ReadOptions::default()).unwrap().value.body),
        "ok\n"
    );
}

#[test]
fn binary_reports_file_line_col_and_writes_nothing() {
    let dir = common::temp_dir();
    let input = dir.path().join("broken.xml");
    std::fs::write(
        &input,
        format!("<TEI xmlns=\"{TEI}\">\n<text><body>\n<p>unfinished"),
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = common::lacuna()
        .arg(&input)
        .args(["--tei", "--json", "-o"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:3:14: malformed XML", input.display())),
        "{stderr}"
    );
    let written: Vec<_> = std::fs::read_dir(&out_dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(written.is_empty(), "{written:?}");
}

#[test]
fn binary_stops_billion_laughs_quickly() {
    let dir = common::temp_dir();
    let input = dir.path().join("lol.tei");
    std::fs::write(&input, billion_laughs()).unwrap();
    let start = Instant::now();
    let out = common::lacuna()
        .arg(&input)
        .args(["--tei", "-o"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let at = pos_of(&billion_laughs(), "&lol9;");
    assert!(
        stderr.contains(&format!("{}:{at}: ", input.display())),
        "{stderr}"
    );
    assert!(!dir.path().join("lol.tei.xml").exists());
}

mod mutations {
    //! Damaged TEI never makes the reader panic; what it does read writes and reads back
    //! to the same IR unless the writer warned that something had no valid TEI form.

    use super::*;
    use proptest::prelude::*;

    fn sources() -> Vec<String> {
        let data = common::root().join("tests/data/tei");
        ["sample-text.xml", "parliament.xml", "epidoc.xml"]
            .iter()
            .map(|f| common::read(&data.join(f)))
            .collect()
    }

    const PIECES: &[&str] = &[
        "<",
        ">",
        "&",
        "\"",
        "'",
        "/",
        "</p>",
        "<p>",
        "<hi>",
        "</hi>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<gap/>",
        "<note>",
        "</note>",
        "<lb/>",
        "<div><head>x</head>",
        "</div>",
        "&amp;",
        "&#0;",
        "&#x10FFFF;",
        "&nope;",
        "\u{0}",
        "\u{FFFE}",
        " xml:id=\"a1\"",
        " corresp=\"#a1\"",
        "<!DOCTYPE x>",
        "<?pi x?>",
        "\n",
        "  ",
        "<u who=\"#a\">",
        "</u>",
        "<lg>",
        "<l>",
        "<list>",
        "<item>",
        "<table><row><cell>",
        "<ptr target=\"#a1\"/>",
        "<milestone type=\"page-break\"/>",
    ];

    #[derive(Debug, Clone)]
    enum Edit {
        Delete(usize, usize),
        Insert(usize, usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (any::<usize>(), 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
            (any::<usize>(), 0..PIECES.len()).prop_map(|(at, p)| Edit::Insert(at, p)),
        ]
    }

    fn apply(mut s: String, edits: &[Edit]) -> String {
        for e in edits {
            let at = |i: usize, s: &str| {
                let mut i = i % (s.len() + 1);
                while !s.is_char_boundary(i) {
                    i -= 1;
                }
                i
            };
            match *e {
                Edit::Delete(i, n) => {
                    let start = at(i, &s);
                    let mut end = (start + n).min(s.len());
                    while !s.is_char_boundary(end) {
                        end -= 1;
                    }
                    s.replace_range(start..end, "");
                }
                Edit::Insert(i, p) => {
                    let i = at(i, &s);
                    s.insert_str(i, PIECES[p]);
                }
            }
        }
        s
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn damaged_tei_never_panics(which in 0usize..3, edits in prop::collection::vec(edit(), 1..6)) {
            let xml = apply(sources()[which].clone(), &edits);
            if let Ok(doc) = tei::read(&xml, &ReadOptions::default()) {
                let (tei, lossy) = super::to_tei_warned(&doc.value);
                let back = tei::read(&tei, &ReadOptions::default())
                    .unwrap_or_else(|e| panic!("lacuna's own TEI does not read: {e}\n{tei}"))
                    .value;
                // The writer warns when the schema leaves a value no valid home (a
                // reason with a private-use character, say); otherwise nothing is lost.
                if lossy.is_empty() && back != doc.value {
                    let a = serde_json::to_string_pretty(&doc.value).unwrap();
                    let b = serde_json::to_string_pretty(&back).unwrap();
                    let diff: Vec<String> = a.lines().zip(b.lines()).enumerate().filter(|(_, (x, y))| x != y).take(5).map(|(i, (x, y))| format!("{i}: {x} | {y}")).collect();
                    prop_assert!(false, "round trip differs: {:?}\nsource:\n{}", diff, xml);
                }
            }
        }
    }
}

fn to_tei_warned(doc: &lacuna::ir::Document) -> (String, Vec<lacuna::Warning>) {
    let style = lacuna::style::Style::default();
    let ctx = lacuna::write::WriteContext {
        style: &style,
        timestamp: 0,
        base_dir: None,
    };
    let mut out = Vec::new();
    let warnings = lacuna::write::tei::write(doc, &ctx, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), warnings)
}
