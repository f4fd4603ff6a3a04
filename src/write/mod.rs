//! Writers: one module per output format, and the table the CLI consults.

pub mod epub;
pub mod json;
mod media;
pub mod pdf;
pub mod tei;

use std::io::Write;
use std::path::PathBuf;

use crate::diag::{Warning, WriteError};
use crate::ir::Document;
use crate::style::Style;

/// Everything a writer may need besides the document.
#[derive(Debug, Clone)]
pub struct WriteContext<'a> {
    /// How the output should look.
    pub style: &'a Style,
    /// The time stamp to record as the output's modification date, in seconds since the
    /// Unix epoch: `SOURCE_DATE_EPOCH` when set, for reproducible builds.
    pub timestamp: i64,
    /// The folder of the input file, for resolving relative paths such as images.
    pub base_dir: Option<PathBuf>,
}

/// What a writer returns: the warnings it produced, or why it failed.
pub type WriteResult = Result<Vec<Warning>, WriteError>;

/// An output format lacuna can write.
pub struct WriterInfo {
    /// The name of the CLI flag (`--json`) and of `--list-formats`.
    pub name: &'static str,
    /// The output file's extension, appended to the input's stem.
    pub extension: &'static str,
    /// Whether the output is binary (and so cannot go to a terminal with `-o -`).
    pub binary: bool,
    /// One line for `--list-formats`.
    pub description: &'static str,
    /// Writes the document.
    pub write: fn(&Document, &WriteContext<'_>, &mut dyn Write) -> WriteResult,
}

/// Every writer, in the order outputs are produced.
pub static WRITERS: &[WriterInfo] = &[
    WriterInfo {
        name: "json",
        extension: "json",
        binary: false,
        description: "the IR as pretty-printed JSON, for scripts and golden tests",
        write: json::write,
    },
    WriterInfo {
        name: "tei",
        extension: "tei.xml",
        binary: false,
        description: "TEI P5 XML (valid against tei_all), read back losslessly by --from tei",
        write: tei::write,
    },
    WriterInfo {
        name: "epub",
        extension: "epub",
        binary: true,
        description: "EPUB 3 e-book with pop-up notes and an EPUB 2 NCX (EPUBCheck-clean)",
        write: epub::write,
    },
    WriterInfo {
        name: "pdf",
        extension: "pdf",
        binary: true,
        description: "print-ready PDF: Knuth–Plass paragraphs, footnotes on their page, subset fonts",
        write: pdf::write,
    },
];

/// Finds a writer by name.
pub fn by_name(name: &str) -> Option<&'static WriterInfo> {
    WRITERS.iter().find(|w| w.name == name)
}
