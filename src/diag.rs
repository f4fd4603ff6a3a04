//! Errors and warnings, with the source positions they concern.

use std::borrow::Cow;
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

/// Returns the candidate closest to `word` when one is close enough to be a likely typo
/// (`widht` → `width`, `pfd` → `pdf`) or a shortening (`a4` → `a4-report`): for "did you
/// mean" in messages. Jaro–Winkler alone misses transpositions in short words, so an
/// edit distance of one (a transposition counts once) is accepted too.
pub fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let score = |c: &str| {
        let similar = strsim::jaro_winkler(word, c);
        let one_edit = word.chars().count() >= 3 && strsim::osa_distance(word, c) <= 1;
        let prefix = !word.is_empty() && c.starts_with(word);
        if one_edit || prefix {
            similar.max(0.85)
        } else {
            similar
        }
    };
    candidates
        .map(|c| (score(c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
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
    /// The output folder cannot be used (it is a file, or cannot be created).
    #[error("{}: {message}", path.display())]
    OutDir {
        /// The folder given with `-o`.
        path: PathBuf,
        /// Why it cannot be used.
        message: String,
    },
    /// An output's destination exists and is not a file that can be replaced.
    #[error("{}: {message}; nothing written for {}", path.display(), input.display())]
    Destination {
        /// The destination.
        path: PathBuf,
        /// The input whose outputs were refused.
        input: PathBuf,
        /// What is in the way.
        message: String,
    },
    /// `SOURCE_DATE_EPOCH` is set but is not a usable time stamp.
    #[error(
        "SOURCE_DATE_EPOCH={value:?}: {reason}; it must be a whole number of seconds \
         since 1970, from 0 to 253402300799 (the end of the year 9999)"
    )]
    SourceDateEpoch {
        /// The variable's value.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// A reader or writer failed unexpectedly (a bug: please report it).
    #[error("{}: internal error, please report it: {message}", path.display())]
    Internal {
        /// The input being converted.
        path: PathBuf,
        /// The panic's message.
        message: String,
    },
}

impl Error {
    /// Tells whether the error is the user's input's fault (exit code 1) rather than a
    /// usage mistake (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::Format(_)
                | Error::Style { .. }
                | Error::OutDir { .. }
                | Error::SourceDateEpoch { .. }
                | Error::Usage(_)
        )
    }

    /// Returns the position in the input the error concerns, if any.
    pub fn pos(&self) -> Option<Pos> {
        match self {
            Error::InvalidUtf8 { pos, .. } => Some(*pos),
            Error::Parse { error, .. } => Some(error.pos),
            _ => None,
        }
    }
}

/// Renders an error with its chain of sources, as `outer: inner`, leaving out a source
/// whose text the message already ends with: lacuna's errors print their source in
/// their own text, and `anyhow`'s `{:#}` would print it twice.
pub fn render_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// Escapes C0 and C1 control characters (and DEL) as `\u{1b}`, so that a message
/// quoting a document or a file name cannot move the cursor, retitle or recolour the
/// terminal. The only function that prepares text for the terminal.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Lacuna's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_needs_a_close_match() {
        let names = ["a5-book", "a4-report"];
        assert_eq!(nearest("a5book", names.into_iter()), Some("a5-book"));
        assert_eq!(nearest("a4", names.into_iter()), Some("a4-report"));
        assert_eq!(nearest("garamond", names.into_iter()), None);
        let flags = ["json", "tei", "epub", "pdf"];
        assert_eq!(nearest("pfd", flags.into_iter()), Some("pdf"));
        assert_eq!(nearest("jsn", flags.into_iter()), Some("json"));
        assert_eq!(nearest("zzzzz", flags.into_iter()), None);
    }

    #[test]
    fn controls_are_escaped_and_plain_text_borrowed() {
        assert!(matches!(escape_controls("Grüße – ok"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("a\u{1b}]0;pwned\u{7}b\u{9b}31m\u{7f}\n"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{9b}31m\\u{7f}\\n"
        );
    }

    #[test]
    fn a_source_already_in_the_message_is_not_repeated() {
        let e = Error::Io {
            path: "nope.txt".into(),
            source: io::Error::from(io::ErrorKind::NotFound),
        };
        let text = render_error(&e);
        assert_eq!(text.matches("not found").count(), 1, "{text}");
        let wrapped = anyhow::Error::from(e).context("reading inputs");
        let text = render_error(wrapped.as_ref());
        assert_eq!(text.matches("not found").count(), 1, "{text}");
        assert!(text.starts_with("reading inputs: nope.txt: "), "{text}");
    }
}
