//! The bundled faces as the e-book embeds them: each cut down to the characters the
//! book sets in it, and a face the book never uses left out.
//!
//! Which face a character is set in follows from the stylesheet (`css.rs`): the walk
//! below keeps, per element, whether the text is bold, italic or in small capitals,
//! with the same rules the stylesheet and a reading system's default stylesheet give.
//!
//! The subsets are cut with allsorts, not with the `subsetter` crate the PDF writer
//! uses: `subsetter` makes programs for PDF embedding (no `cmap`, no `OS/2`), which a
//! reading system cannot use as a web font; allsorts writes a complete OpenType font
//! (`cmap`, `head`, `hhea`, `hmtx`, `maxp`, `name`, `OS/2`, `post`, `CFF `). It keeps
//! no layout tables (`GSUB`, `GPOS`): the e-book's text is set without the font's
//! kerning and ligatures, which reading systems do not all apply anyway; `klippa`
//! (fontations), which keeps them, cannot cut CFF outlines, and Libertine is CFF.

use std::collections::BTreeSet;

use allsorts::binary::read::ReadScope;
use allsorts::subset::{CmapTarget, SubsetProfile};
use allsorts::tables::OpenTypeFont;
use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use super::media::{BUNDLED_FACES, FontFace};

/// The characters set in each bundled face, indexed like [`BUNDLED_FACES`]
/// (regular, italic, bold, bold italic).
pub(super) type CharsByFace = [BTreeSet<char>; 4];

/// How an element's text is drawn.
#[derive(Clone, Copy, Default)]
struct Look {
    bold: bool,
    italic: bool,
    small_caps: bool,
    /// Inside an editorial note (`aside.footnote.editorial`).
    editorial_note: bool,
}

impl Look {
    fn face(self) -> usize {
        usize::from(self.italic) + 2 * usize::from(self.bold)
    }
}

/// Adds to `used` the characters each face sets in one XHTML page of the book.
/// Returns an error message when the page is not well-formed XML (the writer's own
/// output, so a defect, not an input error).
pub(super) fn collect_chars(page: &[u8], used: &mut CharsByFace) -> Result<(), String> {
    let mut reader = Reader::from_reader(page);
    let mut stack: Vec<Look> = Vec::new();
    let mut in_body = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("cannot read a page of the book: {e}"))?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let parent = stack.last().copied().unwrap_or_default();
                let (look, generated) = look_of(start, parent)?;
                if start.local_name().as_ref() == "body" {
                    in_body = true;
                }
                if in_body {
                    add(used, look, &generated);
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(look);
                }
            }
            Event::End(ref end) => {
                stack.pop();
                if end.local_name().as_ref() == "body" {
                    in_body = false;
                }
            }
            Event::Text(t) if in_body => {
                add(used, current(&stack), &t.xml10_content());
            }
            Event::CData(t) if in_body => {
                add(used, current(&stack), &t.xml10_content());
            }
            Event::GeneralRef(r) if in_body => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match &*r {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "apos" => "'".into(),
                        "quot" => "\"".into(),
                        _ => String::new(),
                    },
                };
                add(used, current(&stack), &text);
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

fn current(stack: &[Look]) -> Look {
    stack.last().copied().unwrap_or_default()
}

/// Records `text` as set in the face `look` selects; in small capitals a reading
/// system draws the capitals (the subset has no `smcp`), so those are recorded too.
fn add(used: &mut CharsByFace, look: Look, text: &str) {
    let set = &mut used[look.face()];
    for c in text.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            continue;
        }
        set.insert(c);
        if look.small_caps {
            set.extend(c.to_uppercase());
        }
    }
}

/// Returns how `start`'s text is drawn inside `parent`, and the text the stylesheet
/// generates for it (`::before`/`::after` content). Mirrors `css.rs`; the test
/// `the_walk_follows_the_stylesheet` checks that the two agree.
fn look_of(start: &BytesStart<'_>, parent: Look) -> Result<(Look, String), String> {
    let mut look = parent;
    let mut generated = String::new();
    let mut class = String::new();
    let mut title = String::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("cannot read a page of the book: {e}"))?;
        let value = || {
            attr.normalized_value(XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .map_err(|e| format!("cannot read a page of the book: {e}"))
        };
        match attr.key.as_ref() {
            "class" => class = value()?,
            "title" => title = value()?,
            _ => {}
        }
    }
    let has = |name: &str| class.split_ascii_whitespace().any(|c| c == name);
    match start.local_name().as_ref() {
        // The stylesheet sets levels 1 and 2 in the regular weight, the others bold.
        "h1" | "h2" => look.bold = false,
        "h3" | "h4" | "h5" | "h6" | "strong" | "b" | "th" => look.bold = true,
        "em" | "i" | "cite" | "var" | "dfn" => look.italic = true,
        _ => {}
    }
    if has("incident") || has("hi-italic") || has("image-alt") || has("stage") {
        look.italic = true;
    }
    if has("hi-bold") || has("note-back") {
        look.bold = true;
    }
    if has("smallcaps") || has("speaker") || has("authors") {
        look.small_caps = true;
    }
    if has("noteref") {
        generated.push('\u{2060}');
        if has("editorial") {
            look.italic = true;
            generated.push_str("[]");
        }
    }
    if has("footnote") && has("editorial") {
        look.editorial_note = true;
    }
    // `aside.footnote.editorial .note-back`: the editorial note's label, in brackets.
    if has("note-back") && look.editorial_note {
        look.italic = true;
        generated.push_str("[]");
    }
    if has("supplied") {
        generated.push_str("[]");
    }
    if has("milestone") {
        generated.push('|');
        generated.push_str(&title);
    }
    Ok((look, generated))
}

/// Cuts `face` down to the glyphs of `chars` (those it has), `.notdef` first, with a
/// Unicode `cmap` for them. The same characters always give the same bytes.
pub(super) fn subset(face: &FontFace, chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    let parsed = ttf_parser::Face::parse(face.data, 0)
        .map_err(|e| format!("cannot read the bundled font {}: {e}", face.file))?;
    let mut glyphs: Vec<u16> = chars
        .iter()
        .filter_map(|&c| parsed.glyph_index(c))
        .map(|g| g.0)
        .filter(|&g| g != 0)
        .collect();
    glyphs.sort_unstable();
    glyphs.dedup();
    glyphs.insert(0, 0);
    let font = ReadScope::new(face.data)
        .read::<OpenTypeFont<'_>>()
        .map_err(|e| format!("cannot read the bundled font {}: {e}", face.file))?;
    let provider = font
        .table_provider(0)
        .map_err(|e| format!("cannot read the bundled font {}: {e}", face.file))?;
    allsorts::subset::subset(
        &provider,
        &glyphs,
        &SubsetProfile::Minimal,
        CmapTarget::Unicode,
    )
    .map_err(|e| format!("cannot subset the bundled font {}: {e}", face.file))
}

/// Returns the faces to embed, in [`BUNDLED_FACES`] order, each with its subset: those
/// that set at least one character of the book.
pub(super) fn embedded_faces(
    used: &CharsByFace,
) -> Result<Vec<(&'static FontFace, Vec<u8>)>, String> {
    BUNDLED_FACES
        .iter()
        .zip(used)
        .filter(|(_, chars)| !chars.is_empty())
        .map(|(face, chars)| Ok((face, subset(face, chars)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> BTreeSet<char> {
        s.chars().collect()
    }

    #[test]
    fn faces_follow_the_markup() {
        let page = br##"<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Title only</title></head>
<body><h1>Ab</h1><p>cd <em>ef <strong>gh</strong></em> <span class="incident">ij</span>
<span class="smallcaps">kl</span> &amp;&#x416;<a class="noteref editorial" href="#e1">a</a></p>
<h3>mn</h3><aside class="footnote editorial"><p><a class="note-back" href="#r">1</a></p></aside></body></html>"##;
        let mut used = CharsByFace::default();
        collect_chars(page, &mut used).unwrap();
        assert_eq!(used[0], chars("AbcdklKL&Ж"));
        assert_eq!(used[1], chars("efija[]\u{2060}"));
        assert_eq!(used[2], chars("mn"));
        assert_eq!(used[3], chars("gh1[]"));
    }

    #[test]
    fn the_walk_follows_the_stylesheet() {
        let css = super::super::css::stylesheet(
            &crate::style::Style::builtin("a5-book").unwrap(),
            &BUNDLED_FACES.iter().collect::<Vec<_>>(),
        );
        for class in ["incident", "hi-italic", "image-alt", "stage"] {
            let rule = css.lines().find(|l| l.contains(&format!(".{class} {{")));
            assert!(
                rule.is_some_and(|r| r.contains("font-style: italic")),
                "{class}: {rule:?}"
            );
        }
        for class in ["hi-bold", "note-back"] {
            let rule = css.lines().find(|l| l.starts_with(&format!(".{class} {{")));
            assert!(
                rule.is_some_and(|r| r.contains("font-weight: bold")),
                "{class}: {rule:?}"
            );
        }
        assert!(css.contains("h2 { font-size: 1.") && css.contains("font-weight: normal"));
        for level in 3..=6 {
            let rule = css.lines().find(|l| l.starts_with(&format!("h{level} {{")));
            assert!(rule.is_some_and(|r| r.contains("font-weight: bold")));
        }
        for sel in [".smallcaps {", "p.speaker {", ".titlepage .authors {"] {
            let rule = css.lines().find(|l| l.starts_with(sel));
            assert!(rule.is_some_and(|r| r.contains("font-variant: small-caps")));
        }
    }

    #[test]
    fn a_subset_maps_every_character_and_is_small() {
        let text = chars("The meeting began at ten o’clock — «Жизнь» and Ωμέγα. 1917!");
        let face = &BUNDLED_FACES[0];
        let data = subset(face, &text).unwrap();
        assert!(
            data.len() * 10 < face.data.len(),
            "{} of {} bytes",
            data.len(),
            face.data.len()
        );
        let parsed = ttf_parser::Face::parse(&data, 0).expect("the subset is a font");
        for c in text.iter().filter(|c| !c.is_whitespace()) {
            let gid = parsed.glyph_index(*c);
            assert!(gid.is_some_and(|g| g.0 != 0), "{c:?} has no glyph");
            assert!(parsed.glyph_hor_advance(gid.unwrap()).unwrap_or(0) > 0);
        }
        assert!(parsed.glyph_index('Q').is_none(), "Q is not in the text");
        assert!(parsed.tables().cff.is_some() && parsed.tables().os2.is_some());
        assert_eq!(subset(face, &text).unwrap(), data, "same input, same bytes");
    }
}
