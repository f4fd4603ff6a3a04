//! lacuna: document conversion and typesetting for scholarly texts.
//!
//! One intermediate representation ([`ir::Document`]) is produced by the readers in
//! [`read`] and consumed by the writers in [`write`]:
//!
//! ```text
//! input ──read──▶ IR ──transform──▶ IR ──write──▶ JSON / TEI / EPUB / PDF
//! ```
//!
//! ```
//! use lacuna::read::{transcript, ReadOptions};
//!
//! let text = " Minutes\n\nThe meeting began....{1} It ended.\n";
//! let doc = transcript::read(text, &ReadOptions::default()).unwrap().value;
//! assert_eq!(doc.meta.title.as_deref(), Some("Minutes"));
//! assert_eq!(doc.notes.len(), 1);
//! ```
#![deny(missing_docs)]

pub mod check;
pub mod diag;
pub mod ir;
pub mod read;
pub mod style;
pub mod transform;
pub mod typeset;
pub mod write;

use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

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
    let text = read::decode(&bytes).map_err(|(offset, pos)| Error::InvalidUtf8 {
        path: path.to_owned(),
        offset,
        pos,
    })?;
    if ir::is_blank(&text) {
        return Err(Error::Empty {
            path: path.to_owned(),
        });
    }
    let reader = from.unwrap_or_else(|| read::detect(path, &text));
    let options = &ReadOptions {
        base_dir: (options.base_dir.clone()).or_else(|| path.parent().map(Path::to_owned)),
        ..options.clone()
    };
    (reader.read)(&text, options).map_err(|error| Error::Parse {
        path: path.to_owned(),
        error,
    })
}

/// Returns the output timestamp: `SOURCE_DATE_EPOCH` when set and valid, else now.
pub fn timestamp_from_env() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        })
}

/// Returns the output path `<out_dir>/<stem>.<extension>` for an input.
pub fn output_path(out_dir: &Path, input: &Path, writer: &WriterInfo) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_owned());
    out_dir.join(format!("{stem}.{}", writer.extension))
}

/// Writes `doc` with every writer in `writers` into `out_dir`, all or nothing: each
/// output goes to a temporary file beside its destination, and only when every writer
/// has succeeded are they renamed into place. After an error no output file exists
/// that was not there before.
pub fn write_outputs(
    doc: &Document,
    input: &Path,
    writers: &[&WriterInfo],
    ctx: &WriteContext<'_>,
    out_dir: &Path,
) -> Result<(Vec<PathBuf>, Vec<Warning>)> {
    let mut pending = Vec::with_capacity(writers.len());
    let mut warnings = Vec::new();
    for writer in writers {
        let dest = output_path(out_dir, input, writer);
        let io_err = |source| Error::Io {
            path: dest.clone(),
            source,
        };
        let tmp = tempfile::Builder::new()
            .prefix(".lacuna-")
            .suffix(".tmp")
            .tempfile_in(out_dir)
            .map_err(|source| Error::Io {
                path: out_dir.to_owned(),
                source,
            })?;
        let mut out = BufWriter::new(tmp);
        let w = (writer.write)(doc, ctx, &mut out).map_err(|source| Error::Write {
            path: dest.clone(),
            source,
        })?;
        warnings.extend(w);
        out.flush().map_err(io_err)?;
        let tmp = out.into_inner().map_err(|e| io_err(e.into_error()))?;
        pending.push((tmp, dest));
    }
    let mut written = Vec::with_capacity(pending.len());
    for (tmp, dest) in pending {
        // Temporary files are private (0600); an output is an ordinary file.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::Permissions::from_mode(0o644);
            tmp.as_file()
                .set_permissions(mode)
                .map_err(|source| Error::Io {
                    path: dest.clone(),
                    source,
                })?;
        }
        tmp.persist(&dest).map_err(|e| Error::Io {
            path: dest.clone(),
            source: e.error,
        })?;
        written.push(dest);
    }
    Ok((written, warnings))
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
