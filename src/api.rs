//! The one-call entry points for programs that use lacuna as a library: a file to files,
//! or text to bytes in memory. Both read, transform and write exactly as the `lacuna`
//! command does.

use std::path::{Path, PathBuf};

use crate::diag::{Error, Result, Warned};
use crate::read::{self, ReadOptions, ReaderInfo};
use crate::style::Style;
use crate::write::{self, WriteContext, WriterInfo};

/// Converts the file `input` into each format of `outputs` (`"json"`, `"tei"`, `"epub"`,
/// `"pdf"`), written into `out_dir` as `<stem>.<extension>` all or nothing: after an error
/// no output exists that was not there before. `format` names the input's reader
/// (`"transcript"`, `"markdown"`, `"tei"`, `"json"`); `None` chooses by extension and
/// content. Returns the files written and every warning.
///
/// Dates in the outputs come from `SOURCE_DATE_EPOCH` when it is set, else the clock.
///
/// ```no_run
/// use std::path::Path;
/// use lacuna::style::Style;
///
/// let style = Style::load("a5-book")?;
/// let done = lacuna::convert(
///     Path::new("minutes.txt"),
///     None,
///     &["pdf", "epub", "tei"],
///     &style,
///     Path::new("out"),
/// )?;
/// for w in &done.warnings {
///     eprintln!("warning: {w}");
/// }
/// println!("wrote {:?}", done.value);
/// # Ok::<(), lacuna::Error>(())
/// ```
pub fn convert(
    input: &Path,
    format: Option<&str>,
    outputs: &[&str],
    style: &Style,
    out_dir: &Path,
) -> Result<Warned<Vec<PathBuf>>> {
    let reader = reader(format)?;
    let writers = writers(outputs)?;
    let doc = crate::read_path(input, reader, &ReadOptions::default())?;
    let mut warnings = doc.warnings;
    let ctx = WriteContext {
        style,
        timestamp: crate::timestamp_from_env()?,
        base_dir: input.parent().map(Path::to_owned),
    };
    std::fs::create_dir_all(out_dir).map_err(|source| Error::Io {
        path: out_dir.to_owned(),
        source,
    })?;
    let (written, more) = crate::write_outputs(&doc.value, input, &writers, &ctx, out_dir)?;
    warnings.extend(more);
    Ok(Warned::new(written, warnings))
}

/// Converts `text` in the input format `from` into the output format `to`, in memory,
/// with `timestamp` (seconds since 1970) as the output's date.
///
/// ```
/// use lacuna::style::Style;
///
/// let text = " Minutes\n\nThe meeting began....{1} It ended.\n";
/// let tei = lacuna::convert_text(text, "transcript", "tei", &Style::default(), 0)?;
/// let xml = String::from_utf8(tei.value).unwrap();
/// assert!(xml.contains("<gap"));
/// assert!(xml.contains("<title>Minutes</title>"));
/// # Ok::<(), lacuna::Error>(())
/// ```
pub fn convert_text(
    text: &str,
    from: &str,
    to: &str,
    style: &Style,
    timestamp: i64,
) -> Result<Warned<Vec<u8>>> {
    let reader = reader(Some(from))?.expect("a format was named");
    let writer = writers(&[to])?[0];
    let name = Path::new("-");
    let doc = crate::read_bytes(text.as_bytes(), name, Some(reader), &ReadOptions::default())?;
    let mut warnings = doc.warnings;
    let ctx = WriteContext {
        style,
        timestamp,
        base_dir: None,
    };
    let mut out = Vec::new();
    warnings.extend(crate::write_to(&doc.value, writer, &ctx, &mut out)?);
    Ok(Warned::new(out, warnings))
}

fn reader(format: Option<&str>) -> Result<Option<&'static ReaderInfo>> {
    format
        .map(|name| {
            read::by_name(name).ok_or_else(|| {
                let names = read::READERS.iter().map(|r| r.name);
                Error::Format(unknown("input format", name, names))
            })
        })
        .transpose()
}

fn writers(names: &[&str]) -> Result<Vec<&'static WriterInfo>> {
    if names.is_empty() {
        return Err(Error::Format("no output format named".into()));
    }
    names
        .iter()
        .map(|name| {
            write::by_name(name).ok_or_else(|| {
                let names = write::WRITERS.iter().map(|w| w.name);
                Error::Format(unknown("output format", name, names))
            })
        })
        .collect()
}

fn unknown<'a>(what: &str, name: &str, names: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut message = format!(
        "unknown {what} {name:?} (one of: {})",
        names.clone().collect::<Vec<_>>().join(", ")
    );
    if let Some(best) = crate::diag::nearest(name, names) {
        message.push_str(&format!("; did you mean {best}?"));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn convert_writes_every_output_and_convert_text_matches_it() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("m.txt");
        std::fs::write(&input, " Minutes\n\nThe meeting began....{1} It ended.\n").unwrap();
        let style = Style::default();
        let out = dir.path().join("out");
        let done = convert(&input, None, &["json", "tei"], &style, &out).unwrap();
        assert_eq!(done.value, [out.join("m.json"), out.join("m.tei.xml")]);
        let text = std::fs::read_to_string(&input).unwrap();
        let json = convert_text(&text, "transcript", "json", &style, 0).unwrap();
        assert_eq!(json.value, std::fs::read(out.join("m.json")).unwrap());
    }

    #[test]
    fn unknown_formats_are_named_with_a_suggestion() {
        let style = Style::default();
        let err = convert_text("x", "markdwn", "json", &style, 0).unwrap_err();
        assert!(err.to_string().contains("did you mean markdown?"), "{err}");
        let err = convert_text("x", "markdown", "pfd", &style, 0).unwrap_err();
        assert!(err.to_string().contains("did you mean pdf?"), "{err}");
    }
}
