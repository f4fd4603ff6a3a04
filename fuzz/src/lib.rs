//! What every fuzz target does, so that each target names only its reader or writer.

use std::sync::OnceLock;

use lacuna::ir::Document;
use lacuna::read::{self, ReadOptions};
use lacuna::style::Style;
use lacuna::write::{self, WriteContext};

/// The context every target writes with: the default style, a fixed date.
fn context() -> WriteContext<'static> {
    static STYLE: OnceLock<Style> = OnceLock::new();
    WriteContext {
        style: STYLE.get_or_init(Style::default),
        timestamp: 0,
        base_dir: None,
    }
}

/// Any bytes, decoded as lacuna decodes files, must give the reader `name` a document
/// or an error, never a panic, and the document must write as JSON.
pub fn read_bytes(name: &str, data: &[u8]) {
    let reader = read::by_name(name).expect("a registered reader");
    let Ok(text) = read::decode(data) else {
        return;
    };
    if let Ok(doc) = (reader.read)(&text, &ReadOptions::default()) {
        let mut out = Vec::new();
        write::json::write(&doc.value, &context(), &mut out).expect("JSON writes");
    }
}

/// The writer `name` must write any document or return an error, never panic. With
/// `LACUNA_FUZZ_DUMP=FILE` the document is saved as JSON first, which is how `run.sh`
/// turns a crash into a regression input.
pub fn write_document(name: &str, doc: &Document) {
    let writer = write::by_name(name).expect("a registered writer");
    if let Some(path) = std::env::var_os("LACUNA_FUZZ_DUMP") {
        let json = serde_json::to_string_pretty(doc).expect("IR serialises");
        std::fs::write(path, json).expect("dump written");
    }
    let mut out = Vec::new();
    let _ = (writer.write)(doc, &context(), &mut out);
}
