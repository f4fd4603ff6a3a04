//! lacuna: document conversion and typesetting for scholarly texts.
//!
//! One intermediate representation ([`ir::Document`]) is produced by the readers in
//! [`read`] and consumed by the writers in [`write`](mod@write):
//!
//! ```text
//! input ──read──▶ IR ──transform──▶ IR ──write──▶ JSON / TEI / EPUB / PDF
//! ```
//!
//! The shortest way in is [`convert`] (a file to files, as the command does) or
//! [`convert_text`] (text to bytes, in memory):
//!
//! ```
//! use lacuna::style::Style;
//!
//! let text = " Minutes\n\nThe meeting began....{1} It ended.\n";
//! let style = Style::load("a5-book")?;
//! let pdf = lacuna::convert_text(text, "transcript", "pdf", &style, 0)?;
//! assert!(pdf.value.starts_with(b"%PDF-"));
//! # Ok::<(), lacuna::Error>(())
//! ```
//!
//! The stages can also be used one by one — read into the IR, look at it, write it:
//!
//! ```
//! use lacuna::read::{transcript, ReadOptions};
//!
//! let text = " Minutes\n\nThe meeting began....{1} It ended.\n";
//! let doc = transcript::read(text, &ReadOptions::default()).unwrap().value;
//! assert_eq!(doc.meta.title.as_deref(), Some("Minutes"));
//! assert_eq!(doc.notes.len(), 1);
//! ```
//!
//! `examples/convert.rs` is a small program built on this API
//! (`cargo run --example convert -- examples/minutes-1917.txt out/`).
#![deny(missing_docs)]

mod api;
pub mod check;
pub mod corpus;
pub mod diag;
pub mod ir;
pub mod read;
pub mod style;
pub mod transform;
pub mod typeset;
pub mod write;

use std::path::{Path, PathBuf};

pub use api::{convert, convert_text};
pub use diag::{Error, ParseError, Pos, Result, Warned, Warning};

use ir::Document;
use read::{ReadOptions, ReaderInfo};
use write::{WriteContext, WriterInfo};

/// Reads an input file into the IR with the reader named by `from`, or the one its
/// extension and content suggest.
pub fn read_path(
    path: &Path,
    from: Option<&ReaderInfo>,
    options: &ReadOptions,
) -> Result<Warned<Document>> {
    if path.is_dir() {
        return Err(Error::IsDirectory {
            path: path.to_owned(),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let options = &ReadOptions {
        base_dir: (options.base_dir.clone()).or_else(|| path.parent().map(Path::to_owned)),
        ..options.clone()
    };
    read_bytes(&bytes, path, from, options)
}

/// Reads the bytes of an input (a file's, or standard input's) into the IR; `name` is
/// the path that messages give and whose extension may choose the reader.
pub fn read_bytes(
    bytes: &[u8],
    name: &Path,
    from: Option<&ReaderInfo>,
    options: &ReadOptions,
) -> Result<Warned<Document>> {
    let text = read::decode(bytes).map_err(|(offset, pos)| Error::InvalidUtf8 {
        path: name.to_owned(),
        offset,
        pos,
    })?;
    if ir::is_blank(&text) {
        return Err(Error::Empty {
            path: name.to_owned(),
        });
    }
    let reader = from.unwrap_or_else(|| read::detect(name, &text));
    (reader.read)(&text, options).map_err(|error| Error::Parse {
        path: name.to_owned(),
        error,
    })
}

/// The latest time a PDF date can hold (9999-12-31T23:59:59Z), as a Unix time.
pub const MAX_TIMESTAMP: i64 = 253_402_300_799;

/// Returns the output timestamp: `SOURCE_DATE_EPOCH` when set, else now.
///
/// A value that is not a whole number of seconds from 0 to [`MAX_TIMESTAMP`] is an
/// error (as the reproducible-builds specification asks), never silently the clock.
pub fn timestamp_from_env() -> Result<i64> {
    match std::env::var_os("SOURCE_DATE_EPOCH") {
        Some(value) => parse_source_date_epoch(&value.to_string_lossy()),
        None => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| (d.as_secs() as i64).min(MAX_TIMESTAMP))
            .unwrap_or(0)),
    }
}

/// Parses a `SOURCE_DATE_EPOCH` value: ASCII digits only, at most [`MAX_TIMESTAMP`].
pub fn parse_source_date_epoch(value: &str) -> Result<i64> {
    let error = |reason| Error::SourceDateEpoch {
        value: value.to_owned(),
        reason,
    };
    let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    if let Some(negative) = value.strip_prefix('-')
        && digits(negative)
    {
        return Err(error("before 1970"));
    }
    if !digits(value) {
        return Err(error("not a whole number"));
    }
    match value.parse::<i64>() {
        Ok(t) if t <= MAX_TIMESTAMP => Ok(t),
        _ => Err(error("after the year 9999")),
    }
}

/// Returns the output path `<out_dir>/<stem>.<extension>` for an input.
pub fn output_path(out_dir: &Path, input: &Path, writer: &WriterInfo) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_owned());
    out_dir.join(format!("{stem}.{}", writer.extension))
}

/// Writes `doc` with every writer in `writers` into `out_dir`, all or nothing (see
/// [`corpus::commit`]): after an error no output file exists that was not there
/// before, and every file that was there is as it was.
pub fn write_outputs(
    doc: &Document,
    input: &Path,
    writers: &[&WriterInfo],
    ctx: &WriteContext<'_>,
    out_dir: &Path,
) -> Result<(Vec<PathBuf>, Vec<Warning>)> {
    let dests: Vec<PathBuf> = writers
        .iter()
        .map(|w| output_path(out_dir, input, w))
        .collect();
    corpus::commit::write_all(doc, input, writers, &dests, ctx)
}

/// Writes `doc` with one writer to `out` (standard output, say).
pub fn write_to(
    doc: &Document,
    writer: &WriterInfo,
    ctx: &WriteContext<'_>,
    out: &mut dyn std::io::Write,
) -> Result<Vec<Warning>> {
    (writer.write)(doc, ctx, out).map_err(|source| Error::Write {
        path: PathBuf::from("-"),
        source,
    })
}
