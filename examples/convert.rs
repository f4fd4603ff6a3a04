//! A program that uses lacuna as a library: converts one file to PDF, EPUB and TEI in
//! a folder, with the built-in A5 book style, and prints the warnings.
//!
//!     cargo run --example convert -- examples/minutes-1917.txt out/

use std::path::PathBuf;
use std::process::ExitCode;

use lacuna::style::Style;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [input, out_dir] = args.as_slice() else {
        eprintln!("usage: convert INPUT OUT_DIR");
        return ExitCode::from(2);
    };
    let result = Style::load("a5-book")
        .and_then(|style| lacuna::convert(input, None, &["pdf", "epub", "tei"], &style, out_dir));
    match result {
        Ok(done) => {
            for warning in &done.warnings {
                eprintln!("warning: {}: {warning}", input.display());
            }
            for path in &done.value {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
