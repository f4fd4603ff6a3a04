//! The seed's TEI: 8 gaps each tied to its editorial note, one incident, the colophon in
//! sourceDesc, and every word of the transcript in order.

mod common;
mod tei_support;

use quick_xml::events::Event;
use tei_support::{read_doc, squeeze, to_tei, visible_text};

fn seed_tei() -> String {
    to_tei(&read_doc(&common::seed()))
}

/// An element start in document order, with its depth (so "the next tag at the same
/// depth" is the next sibling).
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    depth: usize,
}

fn tags(xml: &str) -> Vec<Tag> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut depth = 0;
    loop {
        let (e, empty) = match reader.read_event().unwrap() {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                depth -= 1;
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        out.push(Tag {
            name: e.local_name().as_ref().to_owned(),
            attrs: e
                .attributes()
                .map(|a| {
                    let a = a.unwrap();
                    (
                        a.key.as_ref().to_owned(),
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned(),
                    )
                })
                .collect(),
            depth,
        });
        if !empty {
            depth += 1;
        }
    }
    out
}

fn attr<'t>(t: &'t Tag, name: &str) -> Option<&'t str> {
    t.attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn seed_has_eight_gaps_each_tied_to_its_note() {
    let xml = seed_tei();
    let tags = tags(&xml);
    let gaps: Vec<usize> = (0..tags.len()).filter(|&i| tags[i].name == "gap").collect();
    assert_eq!(gaps.len(), 8);
    for (k, &i) in gaps.iter().enumerate() {
        let id = format!("e{}", k + 1);
        let gap = &tags[i];
        assert_eq!(attr(gap, "reason"), Some("omitted"));
        assert_eq!(attr(gap, "corresp"), Some(format!("#{id}").as_str()));
        // The note follows the gap immediately, as its next sibling.
        let next = &tags[i + 1];
        assert_eq!(next.name, "note", "gap {id} is not followed by its note");
        assert_eq!(next.depth, gap.depth);
        assert_eq!(attr(next, "xml:id"), Some(id.as_str()));
        assert_eq!(attr(next, "type"), Some("editorial"));
        assert_eq!(attr(next, "place"), Some("foot"));
        assert_eq!(attr(next, "n"), Some((k + 1).to_string().as_str()));
        assert!(xml.contains(&format!(
            "corresp=\"#{id}\"/><note xml:id=\"{id}\" type=\"editorial\" place=\"foot\" n=\"{}\"><p>Omitted in the minutes.</p></note>",
            k + 1
        )));
    }
}

#[test]
fn seed_has_one_incident_and_the_colophon_in_source_desc() {
    let xml = seed_tei();
    assert_eq!(xml.matches("<incident>").count(), 1);
    assert!(xml.contains("<incident><desc>Applause.</desc></incident>"));
    let source = xml
        .split("<sourceDesc>")
        .nth(1)
        .and_then(|s| s.split("</sourceDesc>").next())
        .expect("a sourceDesc");
    assert!(
        source.contains("<bibl>First published in 1934 in the book Sedmaya (Aprelskaya)"),
        "{source}"
    );
    assert!(xml.contains("<title>Minutes</title>"));
    assert!(xml.contains("<application ident=\"lacuna\" version=\""));
    assert!(xml.contains(concat!("version=\"", env!("CARGO_PKG_VERSION"), "\"")));
}

#[test]
fn seed_tei_has_every_word_in_order() {
    // The transcript's characters, white space and the `{n}` note markers aside, must be
    // the TEI's title, body text (lacunae as printed, the incident in parentheses,
    // editorial notes left out) and colophon, in that order.
    let expected = common::strip_note_markers(&common::read(&common::seed()));

    let xml = seed_tei();
    let doc = tei_support::from_tei(&xml);
    let mut actual = doc.meta.title.clone().unwrap();
    actual.push_str(&visible_text(&xml, false));
    actual.push_str(&doc.meta.source.unwrap().bibl);
    let (expected, actual) = (squeeze(&expected), squeeze(&actual));
    tei_support::assert_same_text("the seed's TEI", &expected, &actual);
}

#[test]
fn seed_through_the_binary() {
    let dir = common::temp_dir();
    let out = common::lacuna()
        .arg(common::seed())
        .arg("--tei")
        .arg("-o")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = common::read(&dir.path().join("minutes-1917.tei.xml"));
    assert_eq!(written, seed_tei());
}
