//! Reads lacuna's own JSON dump of the IR back, so that a dump can be edited and converted.

use super::{ReadOptions, ReadResult};
use crate::diag::{ParseError, Pos, Warned};
use crate::ir::Document;

/// Parses a JSON document written by the JSON backend.
pub fn read(text: &str, _options: &ReadOptions) -> ReadResult {
    let doc: Document = serde_json::from_str(text).map_err(|e| {
        ParseError::new(
            Pos::new(e.line() as u32, e.column() as u32),
            format!("not a lacuna IR document: {e}"),
        )
    })?;
    let mut warnings = crate::transform::check_notes(&doc);
    warnings.extend(super::controls::scan_document(&doc));
    Ok(Warned::new(doc, warnings))
}
