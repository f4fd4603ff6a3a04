//! Fuzzes the tei reader: any bytes, decoded as lacuna decodes files, must give a
//! document or an error, never a panic, and the document must write as JSON.
#![no_main]

use lacuna::read::{ReadOptions, tei};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = lacuna::read::decode(data) else {
        return;
    };
    if let Ok(doc) = tei::read(&text, &ReadOptions::default()) {
        let mut out = Vec::new();
        lacuna::write::json::write(&doc.value, &lacuna_fuzz_ctx(), &mut out).expect("JSON writes");
    }
});

fn lacuna_fuzz_ctx() -> lacuna::write::WriteContext<'static> {
    static STYLE: std::sync::OnceLock<lacuna::style::Style> = std::sync::OnceLock::new();
    lacuna::write::WriteContext {
        style: STYLE.get_or_init(lacuna::style::Style::default),
        timestamp: 0,
        base_dir: None,
    }
}
