//! Fuzzes the json writer with documents built from the fuzzer's bytes (the IR derives
//! `arbitrary::Arbitrary` under the `arbitrary` feature; see
//! `lacuna_fuzz::write_document`).
#![no_main]

use lacuna::ir::Document;

libfuzzer_sys::fuzz_target!(|doc: Document| lacuna_fuzz::write_document("json", &doc));
