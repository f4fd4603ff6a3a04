//! Front matter: a YAML (`---` … `---`) or TOML (`+++` … `+++`) block at the very start
//! of a Markdown file, mapped to [`Meta`].
//!
//! YAML is parsed with `yaml-rust2`: a maintained, pure-Rust YAML 1.2 parser whose scan
//! errors carry a line and column. (`serde_yaml` is deprecated and `serde_yml` is
//! deprecated too; `serde_norway` would do but wraps a C-to-Rust translation of libyaml
//! and we need no serde mapping: front matter is read as a tree and checked key by key.)

use serde_json::Value;

use super::LineIndex;
use crate::diag::{ParseError, Pos, Warning};
use crate::ir::{Meta, SourceDesc};

/// The notation of a front-matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Yaml,
    Toml,
}

/// What the front matter gives: metadata, reader settings and where the body starts.
#[derive(Debug, Default)]
pub(super) struct FrontMatter {
    /// The metadata, with `lang` left empty when the front matter does not set it.
    pub meta: Meta,
    /// The document's own default text for editorial notes on lacunae (`gap_note`).
    pub gap_note: Option<String>,
    /// The byte offset where the Markdown body starts.
    pub body_start: usize,
}

/// Splits off and parses the front matter of `text`, if it has one.
pub(super) fn parse(
    text: &str,
    lines: &LineIndex,
    warnings: &mut Vec<Warning>,
) -> Result<FrontMatter, ParseError> {
    let mut fm = FrontMatter {
        meta: Meta {
            lang: String::new(),
            ..Meta::default()
        },
        ..FrontMatter::default()
    };
    let Some((syntax, content_start, content_end, body_start)) = find(text)? else {
        return Ok(fm);
    };
    fm.body_start = body_start;
    let content = &text[content_start..content_end];
    let entries = match syntax {
        Syntax::Yaml => yaml_entries(content, lines.pos(content_start))?,
        Syntax::Toml => toml_entries(content, content_start, lines)?,
    };
    let at = |key: &str| key_pos(content, content_start, key, syntax, lines);
    let mut seen_author = None::<&str>;
    for (key, value) in &entries {
        let key = key.as_str();
        if value.is_null() {
            continue;
        }
        let meta = &mut fm.meta;
        match key {
            "title" => meta.title = scalar(key, value, at(key))?,
            "subtitle" => meta.subtitle = scalar(key, value, at(key))?,
            "date" => meta.date = scalar(key, value, at(key))?,
            "identifier" => meta.identifier = scalar(key, value, at(key))?,
            "publisher" => meta.publisher = scalar(key, value, at(key))?,
            "licence" | "license" => {
                if meta.licence.is_some() {
                    return Err(ParseError::new(
                        at(key),
                        "front matter gives both `licence` and `license`: keep one",
                    ));
                }
                meta.licence = scalar(key, value, at(key))?;
            }
            "lang" => {
                if let Some(lang) = scalar(key, value, at(key))? {
                    if !is_language_tag(&lang) {
                        return Err(ParseError::new(
                            at(key),
                            format!("front matter `lang: {lang}` is not a BCP 47 language tag"),
                        ));
                    }
                    meta.lang = lang;
                }
            }
            "author" | "authors" => {
                if let Some(first) = seen_author {
                    return Err(ParseError::new(
                        at(key),
                        format!("front matter gives both `{first}` and `{key}`: keep one"),
                    ));
                }
                seen_author = Some(if key == "author" { "author" } else { "authors" });
                meta.authors = authors(key, value, at(key))?;
            }
            "source" | "bibl" => {
                if meta.source.is_some() {
                    return Err(ParseError::new(
                        at(key),
                        "front matter gives both `source` and `bibl`: keep one",
                    ));
                }
                meta.source = source(key, value, at(key))?.map(|bibl| SourceDesc { bibl });
            }
            "gap_note" => fm.gap_note = scalar(key, value, at(key))?,
            _ => {
                warnings.push(Warning::at(
                    at(key),
                    format!("front matter key `{key}` has no metadata field: kept in meta.extra"),
                ));
                fm.meta.extra.insert(key.to_owned(), stringify(value));
            }
        }
    }
    Ok(fm)
}

/// Finds a front-matter block: returns its notation, the byte range of its content and
/// the offset of the body after it.
///
/// A YAML block opens with `---` on the first line, not followed by a blank line (which
/// makes it a thematic break, as in pandoc), and closes with `---` or `...`; a TOML
/// block opens and closes with `+++`. An opened block that never closes is an error.
fn find(text: &str) -> Result<Option<(Syntax, usize, usize, usize)>, ParseError> {
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let first = text[..first_end].trim_end();
    let syntax = match first {
        "---" => Syntax::Yaml,
        "+++" => Syntax::Toml,
        _ => return Ok(None),
    };
    let rest = &text[first_end..];
    if syntax == Syntax::Yaml && rest.lines().next().is_none_or(|l| l.trim().is_empty()) {
        return Ok(None);
    }
    let mut offset = first_end;
    for line in rest.split_inclusive('\n') {
        let t = line.trim_end();
        let closes = match syntax {
            Syntax::Yaml => t == "---" || t == "...",
            Syntax::Toml => t == "+++",
        };
        if closes {
            return Ok(Some((syntax, first_end, offset, offset + line.len())));
        }
        offset += line.len();
    }
    Err(ParseError::new(
        Pos::new(1, 1),
        format!(
            "front matter opened with `{first}` is never closed (a line `{first}` must end it)"
        ),
    ))
}

/// Parses YAML front matter into key–value pairs in document order.
fn yaml_entries(content: &str, start: Pos) -> Result<Vec<(String, Value)>, ParseError> {
    use yaml_rust2::{Yaml, YamlLoader};
    let docs = YamlLoader::load_from_str(content).map_err(|e| {
        // The marker's line counts from 1 within the block, its column from 0.
        let m = e.marker();
        let pos = Pos::new(
            start.line + m.line().saturating_sub(1) as u32,
            m.col() as u32 + 1,
        );
        ParseError::new(pos, format!("front matter is not valid YAML: {}", e.info()))
    })?;
    match docs.into_iter().next() {
        None | Some(Yaml::Null) => Ok(Vec::new()),
        Some(Yaml::Hash(hash)) => Ok(hash
            .into_iter()
            .map(|(k, v)| (yaml_key(&k), yaml_value(v)))
            .collect()),
        Some(_) => Err(ParseError::new(
            start,
            "front matter is not a YAML mapping of keys to values (to start with a thematic \
             break instead, follow the first `---` with a blank line)",
        )),
    }
}

fn yaml_key(key: &yaml_rust2::Yaml) -> String {
    match yaml_value(key.clone()) {
        Value::String(s) => s,
        other => stringify(&other),
    }
}

fn yaml_value(y: yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::String(s), Value::Number),
        Yaml::Integer(i) => Value::from(i),
        Yaml::String(s) => Value::String(s),
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Array(a) => Value::Array(a.into_iter().map(yaml_value).collect()),
        Yaml::Hash(h) => Value::Object(
            h.into_iter()
                .map(|(k, v)| (yaml_key(&k), yaml_value(v)))
                .collect(),
        ),
        Yaml::Alias(_) | Yaml::Null | Yaml::BadValue => Value::Null,
    }
}

/// Parses TOML front matter into key–value pairs (TOML tables are sorted by key).
fn toml_entries(
    content: &str,
    start: usize,
    lines: &LineIndex,
) -> Result<Vec<(String, Value)>, ParseError> {
    let table: toml::Table = content.parse().map_err(|e: toml::de::Error| {
        let offset = e.span().map_or(0, |s| s.start);
        ParseError::new(
            lines.pos(start + offset),
            format!("front matter is not valid TOML: {}", e.message().trim_end()),
        )
    })?;
    Ok(table.into_iter().map(|(k, v)| (k, toml_value(v))).collect())
}

fn toml_value(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map_or_else(|| Value::String(f.to_string()), Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_value).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_value(v))).collect())
        }
    }
}

/// Finds the line that sets `key` at the top level of the block, for error positions;
/// falls back to the block's first line.
fn key_pos(content: &str, start: usize, key: &str, syntax: Syntax, lines: &LineIndex) -> Pos {
    let mut offset = start;
    for line in content.split_inclusive('\n') {
        if syntax == Syntax::Toml && line.trim_end() == format!("[{key}]") {
            return lines.pos(offset);
        }
        let rest = line
            .strip_prefix(key)
            .or_else(|| line.strip_prefix(&format!("\"{key}\"")))
            .or_else(|| line.strip_prefix(&format!("'{key}'")));
        if let Some(rest) = rest {
            let rest = rest.trim_start();
            let sep = if syntax == Syntax::Yaml { ':' } else { '=' };
            if rest.starts_with(sep) {
                return lines.pos(offset);
            }
        }
        offset += line.len();
    }
    lines.pos(start)
}

/// Reads a single-line text field: a string, number, boolean or date. Runs of
/// whitespace (a folded YAML string's line ends) become single spaces.
fn scalar(key: &str, value: &Value, pos: Pos) -> Result<Option<String>, ParseError> {
    let s = match value {
        Value::Null => return Ok(None),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(_) | Value::Object(_) => {
            return Err(ParseError::new(
                pos,
                format!("front matter `{key}` must be a single text value, not a list or table"),
            ));
        }
    };
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok((!s.is_empty()).then_some(s))
}

/// Reads `author`/`authors`: a string, or a list of strings or of tables with a `name`.
fn authors(key: &str, value: &Value, pos: Pos) -> Result<Vec<String>, ParseError> {
    let one = |v: &Value| -> Result<Option<String>, ParseError> {
        match v {
            Value::Object(map) => match map.get("name") {
                Some(name) => scalar(key, name, pos),
                None => Err(ParseError::new(
                    pos,
                    format!("front matter `{key}`: an author given as a table needs a `name`"),
                )),
            },
            other => scalar(key, other, pos),
        }
    };
    match value {
        Value::Array(list) => Ok(list
            .iter()
            .map(one)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect()),
        other => Ok(one(other)?.into_iter().collect()),
    }
}

/// Reads `source`/`bibl`: a string, or a table with a `bibl`.
fn source(key: &str, value: &Value, pos: Pos) -> Result<Option<String>, ParseError> {
    match value {
        Value::Object(map) => match map.get("bibl") {
            Some(bibl) => scalar(key, bibl, pos),
            None => Err(ParseError::new(
                pos,
                format!("front matter `{key}` given as a table needs a `bibl`"),
            )),
        },
        other => scalar(key, other, pos),
    }
}

/// Turns any value into the one-line text kept in `meta.extra`: scalars as written,
/// lists and tables as compact JSON.
fn stringify(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Tells whether `s` has the shape of a BCP 47 tag: subtags of 1–8 letters or digits
/// joined by hyphens, the first made of 2–8 letters (or the private-use `x`/`i`).
fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or_default();
    let first_ok = (2..=8).contains(&first.len()) && first.chars().all(|c| c.is_ascii_alphabetic())
        || matches!(first, "x" | "i");
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(text: &str) -> Result<(FrontMatter, Vec<Warning>), ParseError> {
        let lines = LineIndex::new(text);
        let mut w = Vec::new();
        parse(text, &lines, &mut w).map(|f| (f, w))
    }

    #[test]
    fn reads_yaml_fields_and_keeps_unknown_keys() {
        let (f, w) = fm("---\ntitle: A  title\nauthor: [Ann, {name: Bob}]\nlang: ru\nkeywords: [a, b]\nlicense: CC0\n---\nBody\n").unwrap();
        assert_eq!(f.meta.title.as_deref(), Some("A title"));
        assert_eq!(f.meta.authors, ["Ann", "Bob"]);
        assert_eq!(f.meta.lang, "ru");
        assert_eq!(f.meta.licence.as_deref(), Some("CC0"));
        assert_eq!(f.meta.extra["keywords"], r#"["a","b"]"#);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].pos, Some(Pos::new(5, 1)));
        assert_eq!(
            &"---\ntitle: A  title\nauthor: [Ann, {name: Bob}]\nlang: ru\nkeywords: [a, b]\nlicense: CC0\n---\nBody\n"
                [f.body_start..],
            "Body\n"
        );
    }

    #[test]
    fn reads_toml_fields() {
        let (f, w) = fm("+++\ntitle = \"T\"\nauthors = [\"A\", \"B\"]\ndate = 1917-03-02\n[source]\nbibl = \"Printed 1934.\"\n+++\n").unwrap();
        assert_eq!(f.meta.title.as_deref(), Some("T"));
        assert_eq!(f.meta.authors, ["A", "B"]);
        assert_eq!(f.meta.date.as_deref(), Some("1917-03-02"));
        assert_eq!(f.meta.source.unwrap().bibl, "Printed 1934.");
        assert!(w.is_empty());
    }

    #[test]
    fn gives_positions_of_syntax_errors_in_the_file() {
        let e = fm("---\ntitle: x\nauthors: [a, b\nfoo: 1\n---\n").unwrap_err();
        assert_eq!(e.pos.line, 4, "{e}");
        let e = fm("+++\ntitle = \"x\"\nauthors = [\n+++\n").unwrap_err();
        assert!(e.pos.line >= 3, "{e}");
        let e = fm("---\ntitle: x\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(1, 1));
    }

    #[test]
    fn rejects_wrong_shapes() {
        let e = fm("---\ntitle: x\nlang: [en]\n---\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(3, 1));
        let e = fm("---\nlang: not a tag\n---\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(2, 1));
        let e = fm("---\njust text\n---\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(2, 1));
    }

    #[test]
    fn finds_toml_tables_for_positions() {
        let e = fm("+++\ntitle = \"x\"\n[source]\nname = \"no bibl\"\n+++\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(3, 1), "{e}");
    }

    #[test]
    fn leaves_a_thematic_break_alone() {
        let (f, _) = fm("---\n\nText\n").unwrap();
        assert_eq!(f.body_start, 0);
    }
}
