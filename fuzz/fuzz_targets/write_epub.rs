//! Fuzzes the epub writer with documents built from the fuzzer's bytes (the IR derives
//! `arbitrary::Arbitrary` under the `arbitrary` feature): it must write them or
//! return an error, never panic. With `LACUNA_FUZZ_DUMP=FILE` the document is saved
//! as JSON first, which is how `run.sh` turns a crash into a regression input.
#![no_main]

use lacuna::ir::Document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|doc: Document| {
    if let Some(path) = std::env::var_os("LACUNA_FUZZ_DUMP") {
        let json = serde_json::to_string_pretty(&doc).expect("IR serialises");
        std::fs::write(path, json).expect("dump written");
    }
    static STYLE: std::sync::OnceLock<lacuna::style::Style> = std::sync::OnceLock::new();
    let ctx = lacuna::write::WriteContext {
        style: STYLE.get_or_init(lacuna::style::Style::default),
        timestamp: 0,
        base_dir: None,
    };
    let mut out = Vec::new();
    let _ = lacuna::write::epub::write(&doc, &ctx, &mut out);
});
