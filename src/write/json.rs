//! The JSON backend: the IR as pretty-printed JSON.

use std::io::Write;

use super::{WriteContext, WriteResult};
use crate::ir::Document;

/// Writes `doc` as pretty-printed JSON followed by a newline.
pub fn write(doc: &Document, _ctx: &WriteContext<'_>, out: &mut dyn Write) -> WriteResult {
    serde_json::to_writer_pretty(&mut *out, doc).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(Vec::new())
}
