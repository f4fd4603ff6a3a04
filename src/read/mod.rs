//! Readers: one module per input format, and the table the CLI consults.

pub mod controls;
pub mod json;
pub mod markdown;
pub mod tei;
pub mod transcript;

use crate::diag::{ParseError, Pos, Warned};
use crate::ir::Document;

/// Options every reader accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    /// The text of an editorial note on a lacuna whose note the source does not give.
    pub gap_note: String,
    /// The document's language when the input does not say (BCP 47).
    pub lang: String,
    /// The folder of the input file, for checking that images it refers to exist;
    /// `None` skips the check. [`read_path`](crate::read_path) sets it.
    pub base_dir: Option<std::path::PathBuf>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            gap_note: "Omitted in the minutes.".to_owned(),
            lang: "en".to_owned(),
            base_dir: None,
        }
    }
}

/// What a reader returns: a document with warnings, or the first fatal problem.
pub type ReadResult = Result<Warned<Document>, ParseError>;

/// An input format lacuna can read.
pub struct ReaderInfo {
    /// The name used with `--from`.
    pub name: &'static str,
    /// File name extensions (without the dot) that select this reader.
    pub extensions: &'static [&'static str],
    /// One line for `--list-formats`.
    pub description: &'static str,
    /// Parses decoded text (no BOM, `\n` line ends) into the IR.
    pub read: fn(&str, &ReadOptions) -> ReadResult,
}

/// Every reader, in the order `--list-formats` shows them.
pub static READERS: &[ReaderInfo] = &[
    ReaderInfo {
        name: "transcript",
        extensions: &["txt"],
        description: "plain-text transcript: title line, blank-line paragraphs, lacunae ....{n}",
        read: transcript::read,
    },
    ReaderInfo {
        name: "json",
        extensions: &["json"],
        description: "lacuna's IR as JSON (what --json writes)",
        read: json::read,
    },
    ReaderInfo {
        name: "markdown",
        extensions: &["md", "markdown"],
        description: "Markdown (CommonMark) with front matter, footnotes [^a] and lacunae ....{n}",
        read: markdown::read,
    },
    ReaderInfo {
        name: "tei",
        extensions: &["xml", "tei"],
        description: "TEI P5 XML: lacuna's own, sample texts, spoken corpora, EpiDoc",
        read: tei::read,
    },
];

/// Finds a reader by its `--from` name.
pub fn by_name(name: &str) -> Option<&'static ReaderInfo> {
    READERS.iter().find(|r| r.name == name)
}

/// Chooses a reader from a file's extension, or failing that from its first characters.
pub fn detect(path: &std::path::Path, text: &str) -> &'static ReaderInfo {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if let Some(ext) = ext
        && let Some(r) = READERS
            .iter()
            .find(|r| r.extensions.contains(&ext.as_str()))
    {
        return r;
    }
    let head = text.trim_start();
    let sniffed = if head.starts_with('{') {
        "json"
    } else if head.starts_with('<') {
        "tei"
    } else {
        "transcript"
    };
    by_name(sniffed).unwrap_or(&READERS[0])
}

/// Decodes input bytes: UTF-8 only, without a byte-order mark, with line ends made `\n`.
///
/// On invalid UTF-8, returns the byte offset of the first bad byte and its position.
pub fn decode(bytes: &[u8]) -> Result<String, (usize, Pos)> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let skipped = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    let text = match std::str::from_utf8(&bytes[skipped..]) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.valid_up_to();
            let good = std::str::from_utf8(&bytes[skipped..skipped + valid]).unwrap_or_default();
            return Err((skipped + valid, pos_of_offset(good, good.len())));
        }
    };
    if !text.contains('\r') {
        return Ok(text.to_owned());
    }
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Computes the 1-based line and column of byte `offset` in `text`.
pub fn pos_of_offset(text: &str, offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
    Pos::new(line, col)
}
