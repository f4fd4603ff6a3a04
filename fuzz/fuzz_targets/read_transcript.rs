//! Fuzzes the transcript reader (see `lacuna_fuzz::read_bytes`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lacuna_fuzz::read_bytes("transcript", data));
