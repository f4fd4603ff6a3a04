//! The book's stylesheet, generated from the style.
//!
//! E-readers let the reader choose the text size and margins, so sizes here are relative:
//! the body is `1em`, and every other length is the style's length divided by the body
//! size (a 14 pt heading over 10.5 pt text becomes `1.333em`). Page geometry is left to
//! the reading system.

use std::fmt::Write as _;

use super::media::FontFace;
use crate::style::{Align, Length, Style};

/// Returns the CSS for `style`, with an `@font-face` rule for each embedded face.
pub(super) fn stylesheet(style: &Style, fonts: &[&FontFace]) -> String {
    let base = style.text.size.to_pt(10.0).max(1.0);
    let em = |l: Length| format!("{}em", round(l.to_pt(base) / base));
    let ratio = |l: Length, of: f64| round(l.to_pt(base) / of.max(1.0));
    let family = css_string(style.text.font.trim());
    let mut css = String::new();
    css.push_str("@charset \"UTF-8\";\n");
    for FontFace {
        file,
        weight,
        style: font_style,
        ..
    } in fonts
    {
        let _ = writeln!(
            css,
            "@font-face {{ font-family: {family}; font-weight: {weight}; font-style: {font_style}; src: url(\"fonts/{file}\"); }}"
        );
    }
    let align = match style.text.align {
        Align::Justify => "justify",
        Align::Left => "left",
        Align::Center => "center",
    };
    let hyphens = if style.text.hyphenate {
        "auto"
    } else {
        "manual"
    };
    let features: Vec<String> = style
        .text
        .features
        .iter()
        .filter(|f| f.len() == 4 && f.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(|f| format!("\"{f}\" 1"))
        .collect();
    let _ = writeln!(
        css,
        "body {{ font-family: {family}, serif; line-height: {}; margin: 0 {}; }}",
        ratio(style.text.leading, base),
        em(Length::em(0.5)),
    );
    let _ = writeln!(
        css,
        "p {{ margin: 0; text-indent: {}; text-align: {align}; -webkit-hyphens: {hyphens}; hyphens: {hyphens}; widows: {w}; orphans: {w}; }}",
        em(style.text.indent),
        w = style.text.widows_orphans.max(1),
    );
    if !features.is_empty() {
        let _ = writeln!(
            css,
            "body {{ font-feature-settings: {}; }}",
            features.join(", ")
        );
    }
    css.push_str("p.first, h1 + p, h2 + p, h3 + p, h4 + p, h5 + p, h6 + p { text-indent: 0; }\n");
    let h = style.headings.size.to_pt(base);
    for level in 1..=6u32 {
        // Lower levels step down evenly from the level-1 size towards the text size.
        let size = base + (h - base) * f64::from(6 - level) / 5.0;
        let _ = writeln!(
            css,
            "h{level} {{ font-size: {}em; font-weight: {}; margin: {}em 0 {}em 0; text-align: left; line-height: 1.2; -webkit-hyphens: manual; hyphens: manual; page-break-after: avoid; break-after: avoid; }}",
            round(size / base),
            if level <= 2 { "normal" } else { "bold" },
            ratio(style.headings.space_before, size),
            ratio(style.headings.space_after, size),
        );
    }
    if style.headings.new_page {
        css.push_str(
            "section > h1:first-child { page-break-before: always; break-before: page; }\n",
        );
    }
    let note_size = round(style.notes.size.to_pt(base) / base);
    let _ = writeln!(
        css,
        "section.footnotes {{ margin-top: {}; font-size: {note_size}em; line-height: {}; }}",
        em(style.notes.space_before),
        ratio(style.notes.leading, style.notes.size.to_pt(base)),
    );
    let _ = writeln!(
        css,
        "section.footnotes::before {{ content: \"\"; display: block; width: {}em; border-top: 1px solid currentColor; margin-bottom: 0.5em; }}",
        ratio(style.notes.rule, style.notes.size.to_pt(base)),
    );
    css.push_str(STATIC_CSS);
    css
}

/// Rules that do not depend on the style. A note call starts with U+2060 WORD JOINER
/// (generated, so not in the text) so that no line breaks between a word and its call.
const STATIC_CSS: &str = r#"aside.footnote { margin: 0 0 0.4em 0; }
aside.footnote p { text-indent: 0; text-align: left; }
a.noteref { vertical-align: super; font-size: 0.7em; line-height: 0; text-decoration: none; padding-left: 0.1em; }
a.noteref.editorial, aside.footnote.editorial .note-back { font-style: italic; }
a.noteref::before { content: "\2060"; }
a.noteref.editorial::before { content: "\2060["; }
aside.footnote.editorial .note-back::before { content: "["; }
a.noteref.editorial::after, aside.footnote.editorial .note-back::after { content: "]"; }
.note-back { font-weight: bold; padding-right: 0.3em; text-decoration: none; }
.noteref-missing { font-size: 0.7em; }
.gap { letter-spacing: 0.05em; }
.incident { font-style: italic; }
.unclear { text-decoration: underline dotted; }
.supplied::before { content: "["; }
.supplied::after { content: "]"; }
.smallcaps { font-variant: small-caps; }
.hi-underline { text-decoration: underline; }
.hi-italic { font-style: italic; }
.hi-bold { font-weight: bold; }
.hi-spaced { letter-spacing: 0.15em; }
.hi-strike, .hi-strikethrough { text-decoration: line-through; }
.milestone::before { content: "|" attr(title) "|"; font-size: 0.7em; color: gray; }
.image-alt { font-style: italic; }
img.image { max-width: 100%; }
.speech { margin: 0.5em 0; }
p.speaker { text-indent: 0; font-variant: small-caps; margin-top: 0.5em; }
p.stage { text-indent: 0; font-style: italic; margin: 0.5em 0 0.5em 2em; }
blockquote { margin: 0.5em 1.5em; }
.verse { margin: 0.5em 0 0.5em 2em; }
.verse p.line { text-indent: -1em; padding-left: 1em; text-align: left; }
.verse p.stanza { margin-top: 1em; }
pre.verbatim { white-space: pre-wrap; font-size: 0.85em; margin: 0.5em 0; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid gray; padding: 0.2em 0.4em; vertical-align: top; }
hr.thematic-break { border: none; border-top: 1px solid gray; width: 30%; margin: 1em auto; }
div.page-break { page-break-after: always; break-after: page; }
li p { text-indent: 0; }
.titlepage { text-align: center; margin-top: 3em; }
.titlepage p { text-align: center; text-indent: 0; }
.titlepage h1 { text-align: center; font-size: 2em; }
.titlepage .subtitle { font-size: 1.2em; margin-bottom: 1em; }
.titlepage .authors { font-variant: small-caps; font-size: 1.1em; margin: 1em 0; }
.titlepage .colophon { margin-top: 3em; font-size: 0.9em; }
nav ol { list-style: none; padding-left: 1em; }
"#;

/// Quotes a font family name for CSS.
fn css_string(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    if clean.is_empty() {
        "serif".to_owned()
    } else {
        format!("\"{clean}\"")
    }
}

/// Rounds to three decimals, for stable, short CSS.
fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_style() {
        let mut style = Style::default();
        style.text.size = Length::pt(10.0);
        style.headings.size = Length::pt(15.0);
        style.notes.size = Length::pt(8.0);
        style.text.align = Align::Left;
        let faces: Vec<&FontFace> = super::super::media::BUNDLED_FACES.iter().collect();
        let css = stylesheet(&style, &faces);
        assert!(css.contains("h1 { font-size: 1.5em;"), "{css}");
        assert!(css.contains("font-size: 0.8em"), "{css}");
        assert!(css.contains("text-align: left"));
        assert!(css.contains("@font-face"));
        assert_eq!(css.matches("@font-face").count(), 4);
        assert!(!stylesheet(&style, &[]).contains("@font-face"));
    }
}
