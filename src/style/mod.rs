//! Page and typography styles: the `styles/*.toml` files and their defaults.
//!
//! A style says how a document looks, never what it says. Every key has a default, so a
//! user style names only what it changes; an unknown key is an error with its position.

mod check;
mod length;
mod load;

use serde::{Deserialize, Serialize};

pub use length::Length;

use crate::diag::Result;

/// The built-in styles, by name, as shipped in `styles/`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("a5-book", include_str!("../../styles/a5-book.toml")),
    ("a4-report", include_str!("../../styles/a4-report.toml")),
];

/// A complete style.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Style {
    /// A short name for messages.
    pub name: String,
    /// The style this one starts from: a built-in name or a TOML file relative to this
    /// one. Its keys are overridden by this file's; `None` once the style is loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Page size and margins.
    pub page: Page,
    /// Body text.
    pub text: Text,
    /// Headings.
    pub headings: Headings,
    /// Footnotes.
    pub notes: Notes,
    /// Running heads and folios.
    pub running: Running,
    /// E-book settings.
    pub epub: Epub,
    /// How transcription markup (choice, add/del, lb, app …) is shown in PDF and EPUB.
    pub transcription: Transcription,
}

/// How transcription markup is shown (`[transcription]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Transcription {
    /// `reading` (corrections, expansions and additions in the text, deletions and the
    /// other alternatives in editorial notes), `diplomatic` (the source's forms,
    /// deletions struck through, additions superscript) or `leiden` (epigraphy's
    /// brackets); left out, the document's own: Leiden for an EpiDoc edition, else
    /// reading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub convention: Option<crate::ir::Convention>,
}

/// E-book (EPUB) settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Epub {
    /// Whether to embed the bundled fonts when `text.font` names them, each face cut to
    /// the characters the book sets in it; when off, the stylesheet only names the font
    /// and reading systems use their own.
    pub embed_fonts: bool,
}

impl Default for Epub {
    fn default() -> Self {
        Epub { embed_fonts: true }
    }
}

/// Page geometry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Page {
    /// Page width.
    pub width: Length,
    /// Page height.
    pub height: Length,
    /// Margin above the text block (the running head sits inside it).
    pub top: Length,
    /// Margin below the text block (the folio sits inside it).
    pub bottom: Length,
    /// Margin on the spine side.
    pub inner: Length,
    /// Margin on the fore-edge side.
    pub outer: Length,
}

/// How a paragraph's lines are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    /// Both edges flush (Knuth–Plass with stretchable spaces).
    Justify,
    /// Flush left, ragged right.
    Left,
    /// Centred lines.
    Center,
}

/// Body text settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Text {
    /// The font family, as named in `fonts/` (e.g. "Linux Libertine O").
    pub font: String,
    /// Font size.
    pub size: Length,
    /// Baseline-to-baseline distance.
    pub leading: Length,
    /// First-line indent of paragraphs that follow a paragraph.
    pub indent: Length,
    /// Alignment of body paragraphs.
    pub align: Align,
    /// Whether to hyphenate (with the patterns of the document's language).
    pub hyphenate: bool,
    /// Fewest letters before a hyphen.
    pub hyphen_min_left: usize,
    /// Fewest letters after a hyphen.
    pub hyphen_min_right: usize,
    /// OpenType features to switch on, e.g. `["onum"]` (kerning and standard ligatures are on).
    pub features: Vec<String>,
    /// Knuth–Plass tolerance (TeX's `\tolerance`): the worst badness a line may have.
    pub tolerance: f64,
    /// Demerits added for a line ending in a hyphen (TeX's `\hyphenpenalty` is a penalty; this is it).
    pub hyphen_penalty: f64,
    /// Extra demerits for two hyphenated lines in a row (TeX's `\doublehyphendemerits`).
    pub double_hyphen_demerits: f64,
    /// Extra demerits for adjacent lines of very different tightness (TeX's `\adjdemerits`).
    pub adj_demerits: f64,
    /// Fewest lines of a paragraph left alone at the foot or head of a page.
    pub widows_orphans: usize,
}

/// Heading settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Headings {
    /// Size of level-1 headings; lower levels step down towards the text size.
    pub size: Length,
    /// Space above a heading.
    pub space_before: Length,
    /// Space below a heading.
    pub space_after: Length,
    /// Whether a level-1 heading starts a new page.
    pub new_page: bool,
}

/// Footnote settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Notes {
    /// Font size of notes.
    pub size: Length,
    /// Baseline distance of notes.
    pub leading: Length,
    /// Length of the rule above the notes.
    pub rule: Length,
    /// Space between the text block's last line and the rule.
    pub space_before: Length,
}

/// Running heads and folios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Running {
    /// Whether to print the title at the head of pages after the first.
    pub head: bool,
    /// Whether to print page numbers.
    pub folio: bool,
    /// Font size of heads and folios.
    pub size: Length,
}

impl Default for Style {
    // Built from the parts' defaults (the a5-book values), not by parsing a5-book.toml:
    // parsing fills missing keys from `Style::default()`, which would recurse forever.
    fn default() -> Self {
        Style {
            name: "a5-book".to_owned(),
            extends: None,
            page: Page::default(),
            text: Text::default(),
            headings: Headings::default(),
            notes: Notes::default(),
            running: Running::default(),
            epub: Epub::default(),
            transcription: Transcription::default(),
        }
    }
}

impl Default for Page {
    fn default() -> Self {
        Page {
            width: Length::mm(148.0),
            height: Length::mm(210.0),
            top: Length::mm(18.0),
            bottom: Length::mm(22.0),
            inner: Length::mm(18.0),
            outer: Length::mm(25.0),
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Text {
            font: "Linux Libertine O".to_owned(),
            size: Length::pt(10.5),
            leading: Length::pt(13.5),
            indent: Length::em(1.0),
            align: Align::Justify,
            hyphenate: true,
            hyphen_min_left: 2,
            hyphen_min_right: 3,
            features: Vec::new(),
            tolerance: 200.0,
            hyphen_penalty: 50.0,
            double_hyphen_demerits: 10_000.0,
            adj_demerits: 10_000.0,
            widows_orphans: 2,
        }
    }
}

impl Default for Headings {
    fn default() -> Self {
        Headings {
            size: Length::pt(14.0),
            space_before: Length::pt(18.0),
            space_after: Length::pt(9.0),
            new_page: false,
        }
    }
}

impl Default for Notes {
    fn default() -> Self {
        Notes {
            size: Length::pt(8.5),
            leading: Length::pt(10.5),
            rule: Length::mm(25.0),
            space_before: Length::pt(9.0),
        }
    }
}

impl Default for Running {
    fn default() -> Self {
        Running {
            head: true,
            folio: true,
            size: Length::pt(8.5),
        }
    }
}

impl Style {
    /// Returns the built-in style of that name (`a5-book`, `a4-report`).
    pub fn builtin(name: &str) -> Option<Style> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        Some(Style::parse(text).expect("built-in styles are valid"))
    }

    /// Parses a style from TOML text; missing keys take their defaults.
    pub fn parse(text: &str) -> std::result::Result<Style, String> {
        toml::from_str(text).map_err(|e| {
            let mut msg = e.message().to_owned();
            if let Some(span) = e.span() {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                msg = format!("{line}:{col}: {msg}");
            }
            msg
        })
    }

    /// Loads a style: a built-in name, or a path to a TOML file, which may `extends` a
    /// built-in style or another file and override a few keys. Unknown names and keys get
    /// "did you mean"; a page that cannot hold text is an error at the key to change.
    pub fn load(name_or_path: &str) -> Result<Style> {
        load::load(name_or_path)
    }

    /// Returns the names of the built-in styles.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(name, _)| *name)
    }

    /// Returns the TOML text of a built-in style, every key commented: a file to start
    /// from. An unknown name is an error that lists the built-in names.
    pub fn builtin_text(name: &str) -> Result<&'static str> {
        BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| load::unknown_style(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_styles_parse_and_differ() {
        let a5 = Style::builtin("a5-book").unwrap();
        let a4 = Style::builtin("a4-report").unwrap();
        assert_eq!(a5.name, "a5-book");
        assert_eq!(a4.name, "a4-report");
        assert!((a5.page.width.to_pt(10.0) - 419.53).abs() < 0.01);
        assert!((a4.page.width.to_pt(10.0) - 595.28).abs() < 0.01);
    }

    #[test]
    fn defaults_are_the_a5_book_file() {
        assert_eq!(Style::builtin("a5-book").unwrap(), Style::default());
    }

    #[test]
    fn unknown_key_is_an_error_with_position() {
        let err = Style::parse("[page]\nwidht = \"10mm\"\n").unwrap_err();
        assert!(err.starts_with("2:1:"), "{err}");
        assert!(err.contains("widht"), "{err}");
    }

    /// `--print-style` hands these files to users as the place to start: each must set
    /// every key there is, and say in a comment what it does.
    #[test]
    fn builtin_styles_name_and_explain_every_key() {
        let all = toml::Table::try_from(Style::default()).unwrap();
        for (name, text) in BUILTIN {
            let file: toml::Table = toml::from_str(text).unwrap();
            for (section, value) in &all {
                match value {
                    toml::Value::Table(keys) => {
                        let got = file[section].as_table().unwrap();
                        for key in keys.keys() {
                            assert!(got.contains_key(key), "{name}: [{section}] {key} missing");
                        }
                    }
                    _ => assert!(file.contains_key(section), "{name}: {section} missing"),
                }
            }
            let mut prev = "";
            for line in text.lines() {
                let is_key = line.contains(" = ") && !line.starts_with('#');
                if is_key && !prev.starts_with('#') && !prev.contains(" = ") {
                    panic!("{name}: no comment above {line:?}");
                }
                prev = line;
            }
            assert_eq!(Style::builtin_text(name).unwrap(), *text);
        }
        let names: Vec<&str> = Style::builtin_names().collect();
        assert_eq!(names, ["a5-book", "a4-report"]);
    }

    #[test]
    fn partial_style_keeps_defaults() {
        let s = Style::parse("[text]\nsize = \"12pt\"\n").unwrap();
        assert_eq!(s.text.size, Length::pt(12.0));
        assert_eq!(s.page, Page::default());
    }
}
