//! The plain-text transcript reader (work in progress).

use super::{ReadOptions, ReadResult};
use crate::diag::{ParseError, Pos};

/// Parses a transcript.
pub fn read(_text: &str, _options: &ReadOptions) -> ReadResult {
    Err(ParseError::new(
        Pos::new(1, 1),
        "transcript reader in progress",
    ))
}
