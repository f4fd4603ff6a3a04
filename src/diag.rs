//! Errors and warnings, with the source positions they concern.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A position in an input file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Line number, from 1.
    pub line: u32,
    /// Column number in characters, from 1.
    pub col: u32,
}

impl Pos {
    /// Makes a position from a 1-based line and column.
    pub fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Something a reader or writer could do but that the user should know about:
/// a guess, a lossy mapping, a suspicious construct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where in the input it arose, if it concerns the input.
    pub pos: Option<Pos>,
    /// What happened, as a sentence fragment without a final period.
    pub message: String,
}

impl Warning {
    /// Makes a warning about the input at `pos`.
    pub fn at(pos: Pos, message: impl Into<String>) -> Self {
        Warning {
            pos: Some(pos),
            message: message.into(),
        }
    }

    /// Makes a warning that concerns no particular input position.
    pub fn general(message: impl Into<String>) -> Self {
        Warning {
            pos: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(pos) => write!(f, "{pos}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A value together with the warnings produced while computing it.
#[derive(Debug, Clone, PartialEq)]
pub struct Warned<T> {
    /// The result.
    pub value: T,
    /// What the user should be told about it.
    pub warnings: Vec<Warning>,
}

impl<T> Warned<T> {
    /// Wraps a value with its warnings.
    pub fn new(value: T, warnings: Vec<Warning>) -> Self {
        Warned { value, warnings }
    }
}

/// An input that a reader cannot make sense of, at a position within it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pos}: {message}")]
pub struct ParseError {
    /// Where the problem is.
    pub pos: Pos,
    /// What is wrong.
    pub message: String,
}

impl ParseError {
    /// Makes a parse error at `pos`.
    pub fn new(pos: Pos, message: impl Into<String>) -> Self {
        ParseError {
            pos,
            message: message.into(),
        }
    }
}

/// A failure while producing an output.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Writing the bytes failed.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The document cannot be expressed in the output format or the output could not be built.
    #[error("{0}")]
    Unsupported(String),
}

/// Every error lacuna reports. Its `Display` is the line the CLI prints after `lacuna: `.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        source: io::Error,
    },
    /// An input path names a directory.
    #[error("{}: is a directory, not a file", path.display())]
    IsDirectory {
        /// The directory.
        path: PathBuf,
    },
    /// An input is not valid UTF-8.
    #[error("{}:{pos}: invalid UTF-8 at byte offset {offset}", path.display())]
    InvalidUtf8 {
        /// The file concerned.
        path: PathBuf,
        /// The offset of the first invalid byte.
        offset: usize,
        /// The line and column of that byte.
        pos: Pos,
    },
    /// An input holds no text at all.
    #[error("{}: empty input: nothing to convert", path.display())]
    Empty {
        /// The file concerned.
        path: PathBuf,
    },
    /// An input does not follow its format.
    #[error("{}:{}", path.display(), error)]
    Parse {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong and where.
        error: ParseError,
    },
    /// No reader or writer of that name, or none could be chosen.
    #[error("{0}")]
    Format(String),
    /// A style file is not valid.
    #[error("{}:{}{message}", path.display(), pos.map(|p| format!("{p}: ")).unwrap_or_else(|| " ".into()))]
    Style {
        /// The style file (or the style name that was not found).
        path: PathBuf,
        /// Where in the file, when known.
        pos: Option<Pos>,
        /// What is wrong, with line and column where known.
        message: String,
    },
    /// An output could not be produced.
    #[error("{}: {source}", path.display())]
    Write {
        /// The output that was being written.
        path: PathBuf,
        /// Why it failed.
        source: WriteError,
    },
}

impl Error {
    /// Tells whether the error is the user's input's fault (exit code 1) rather than a
    /// usage mistake (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::Format(_) | Error::Style { .. })
    }
}

/// Lacuna's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
