//! Loading styles: built-in names, TOML files, `extends` chains, and messages that say
//! where in which file something is wrong.
//!
//! A style file is read twice over: once into `toml::Table`s, which are merged down the
//! `extends` chain (a key the child names replaces the base's, tables merge key by key),
//! and once through `DeTable`, which keeps byte spans, so that an error found only after
//! merging (impossible geometry, say) can still name the file, line and column of the key
//! that caused it.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::{BUILTIN, Style, check};
use crate::diag::{Error, Pos, Result};

/// How deep an `extends` chain may go before it is taken for a cycle.
const MAX_EXTENDS: usize = 8;

/// One link of an `extends` chain: where its text came from, and the text.
pub(super) struct Source {
    /// The file, or the built-in style's name.
    pub origin: PathBuf,
    /// The TOML text.
    pub text: String,
}

impl Source {
    /// Returns the position of `[section] key` in this source, if it sets that key.
    pub(super) fn locate(&self, section: &str, key: &str) -> Option<Pos> {
        let doc = toml::de::DeTable::parse(&self.text).ok()?;
        let span = if section.is_empty() {
            find(doc.get_ref(), key)?.0
        } else {
            let (_, table) = find(doc.get_ref(), section)?;
            match table {
                toml::de::DeValue::Table(t) => find(t, key)?.0,
                _ => return None,
            }
        };
        Some(pos_at(&self.text, span.start))
    }
}

/// Finds `key` in a spanned table: the key's span and its value.
fn find<'a, 'i>(
    table: &'a toml::de::DeTable<'i>,
    key: &str,
) -> Option<(std::ops::Range<usize>, &'a toml::de::DeValue<'i>)> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(k, v)| (k.span(), v.get_ref()))
}

/// Converts a byte offset into a 1-based line and column (in characters).
fn pos_at(text: &str, offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Pos::new(line as u32, col as u32)
}

/// Loads a style: a built-in name, or a path to a TOML file (which may `extends` a
/// built-in style or another file, relative to itself).
pub fn load(name_or_path: &str) -> Result<Style> {
    if let Some((name, text)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
        let source = Source {
            origin: PathBuf::from(name),
            text: (*text).to_owned(),
        };
        let table = parse_checked(&source)?;
        return resolve(vec![(source, table)]);
    }
    let path = Path::new(name_or_path);
    if !path.exists() {
        return Err(unknown_style(name_or_path));
    }
    resolve(chain(path)?)
}

/// Reads a style file and the files or built-in styles it extends, child first, each
/// with its parsed table.
fn chain(path: &Path) -> Result<Vec<(Source, Table)>> {
    let mut sources = Vec::new();
    let mut next = Some((path.to_owned(), None::<&'static str>));
    while let Some((origin, builtin)) = next.take() {
        if sources.len() == MAX_EXTENDS {
            return Err(Error::Style {
                path: path.to_owned(),
                pos: None,
                message: format!(
                    "`extends` goes more than {MAX_EXTENDS} styles deep (is there a cycle?)"
                ),
            });
        }
        let text = match builtin {
            Some(text) => text.to_owned(),
            None => std::fs::read_to_string(&origin).map_err(|source| Error::Io {
                path: origin.clone(),
                source,
            })?,
        };
        let source = Source { origin, text };
        let table = parse_checked(&source)?;
        if let Some(base) = table.get("extends") {
            let pos = source.locate("", "extends");
            let Value::String(base) = base else {
                return Err(Error::Style {
                    path: source.origin.clone(),
                    pos,
                    message: "`extends` must be a string: a built-in style or a file".into(),
                });
            };
            next = Some(match BUILTIN.iter().find(|(n, _)| n == base) {
                Some((name, text)) => (PathBuf::from(name), Some(*text)),
                None => {
                    let dir = source.origin.parent().unwrap_or(Path::new(""));
                    let file = dir.join(base);
                    if !file.is_file() {
                        let mut err = unknown_style(base);
                        if let Error::Style { path, pos: p, .. } = &mut err {
                            *path = source.origin.clone();
                            *p = pos;
                        }
                        return Err(err);
                    }
                    (file, None)
                }
            });
        }
        sources.push((source, table));
    }
    Ok(sources)
}

/// Parses one source, checking its keys against the style's fields (with "did you
/// mean") before any merging, so that an unknown key is reported in its own file.
fn parse_checked(source: &Source) -> Result<Table> {
    let at = |e: &toml::de::Error| e.span().map(|s| pos_at(&source.text, s.start));
    if let Err(e) = toml::from_str::<Style>(&source.text) {
        return Err(Error::Style {
            path: source.origin.clone(),
            pos: at(&e),
            message: with_suggestion(e.message()),
        });
    }
    toml::from_str::<Table>(&source.text).map_err(|e| Error::Style {
        path: source.origin.clone(),
        pos: at(&e),
        message: e.message().to_owned(),
    })
}

/// Merges a chain of parsed sources (child first) and checks the result.
fn resolve(chain: Vec<(Source, Table)>) -> Result<Style> {
    let (sources, tables): (Vec<Source>, Vec<Table>) = chain.into_iter().unzip();
    let mut merged = Table::new();
    for table in tables.into_iter().rev() {
        merge(&mut merged, table);
    }
    merged.remove("extends");
    let child = &sources[0];
    let style: Style = Value::Table(merged)
        .try_into()
        .map_err(|e: toml::de::Error| Error::Style {
            path: child.origin.clone(),
            pos: None,
            message: e.message().to_owned(),
        })?;
    check::geometry(&style, &sources)?;
    Ok(style)
}

/// Overlays `over` on `base`: tables merge key by key, anything else replaces.
fn merge(base: &mut Table, over: Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// The error for a style that is neither built in nor a file, with the built-in names
/// and the nearest one.
pub(super) fn unknown_style(name: &str) -> Error {
    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
    let mut message = format!(
        "no such style: not a built-in style ({}) nor a style file",
        names.join(", ")
    );
    if let Some(best) = crate::diag::nearest(name, names.iter().copied()) {
        message.push_str(&format!("; did you mean {best}?"));
    }
    Error::Style {
        path: PathBuf::from(name),
        pos: None,
        message,
    }
}

/// Adds "did you mean" to serde's "unknown field `x`, expected one of `a`, `b`".
fn with_suggestion(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let Some((field, expected)) = rest.split_once('`') else {
        return message.to_owned();
    };
    let candidates = expected.split('`').skip(1).step_by(2);
    match crate::diag::nearest(field, candidates) {
        Some(best) => format!("{message}; did you mean `{best}`?"),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn extends_overrides_a_few_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "mine.toml",
            "extends = \"a4-report\"\nname = \"mine\"\n[text]\nsize = \"12pt\"\nleading = \"15pt\"\n",
        );
        let style = load(path.to_str().unwrap()).unwrap();
        let a4 = Style::builtin("a4-report").unwrap();
        assert_eq!(style.name, "mine");
        assert_eq!(style.text.size, super::super::Length::pt(12.0));
        assert_eq!(style.page, a4.page, "the rest comes from the base");
        assert_eq!(style.notes, a4.notes);
    }

    #[test]
    fn extends_a_file_relative_to_the_style() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "base.toml",
            "extends = \"a5-book\"\n[page]\nouter = \"30mm\"\n",
        );
        let path = write(
            dir.path(),
            "child.toml",
            "extends = \"base.toml\"\n[page]\ninner = \"20mm\"\n",
        );
        let style = load(path.to_str().unwrap()).unwrap();
        assert_eq!(style.page.outer, super::super::Length::mm(30.0));
        assert_eq!(style.page.inner, super::super::Length::mm(20.0));
        assert_eq!(style.page.width, super::super::Length::mm(148.0));
    }

    #[test]
    fn an_extends_cycle_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.toml", "extends = \"b.toml\"\n");
        let path = write(dir.path(), "b.toml", "extends = \"a.toml\"\n");
        let err = load(path.to_str().unwrap()).unwrap_err().to_string();
        assert!(err.contains("cycle"), "{err}");
    }

    #[test]
    fn unknown_base_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "c.toml", "name = \"c\"\nextends = \"a5-bok\"\n");
        let err = load(path.to_str().unwrap()).unwrap_err().to_string();
        assert!(err.contains("c.toml:2:1:"), "{err}");
        assert!(err.contains("did you mean a5-book?"), "{err}");
    }

    #[test]
    fn unknown_name_lists_the_builtins_and_suggests() {
        let err = load("a4").unwrap_err().to_string();
        assert!(err.contains("a5-book, a4-report"), "{err}");
        assert!(err.contains("did you mean a4-report?"), "{err}");
        assert!(!err.contains("os error"), "{err}");
    }

    #[test]
    fn unknown_key_suggests_the_nearest_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "k.toml", "[page]\nwidht = \"100mm\"\n");
        let err = load(path.to_str().unwrap()).unwrap_err().to_string();
        assert!(err.contains("k.toml:2:1:"), "{err}");
        assert!(err.contains("did you mean `width`?"), "{err}");
    }
}
