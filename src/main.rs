//! The `lacuna` command: parse arguments, run the library, print diagnostics once.

mod cli;
mod convert;
mod printer;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use lacuna::Error;
use lacuna::corpus::report;
use lacuna::{read, write};

use cli::{Cli, Command};
use printer::Printer;

/// Exit status for bad input (a file that could not be read or converted).
pub const EXIT_INPUT: u8 = 1;
/// Exit status for a usage mistake (bad flags, unknown format or style).
pub const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if !e.use_stderr() {
                // --help and --version: text of our own, to standard output.
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // clap quotes the offending argument, which may hold control characters.
            Printer::raw_lines(&e.render().to_string());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut printer = Printer::new(cli.quiet, cli.verbose);
    let result = match &cli.command {
        Some(Command::MergeReports { reports }) => merge_reports(reports, &printer),
        None => convert::run(&cli, &mut printer),
    };
    printer.finish();
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            printer.error(&e);
            ExitCode::from(if e.is_usage() { EXIT_USAGE } else { EXIT_INPUT })
        }
    }
}

/// Tells whether the error is a closed pipe (`lacuna … -o - | head`), which is no error.
pub fn is_broken_pipe(e: &Error) -> bool {
    match e {
        Error::Write {
            source: lacuna::diag::WriteError::Io(io),
            ..
        }
        | Error::Io { source: io, .. } => io.kind() == std::io::ErrorKind::BrokenPipe,
        _ => false,
    }
}

/// `lacuna merge-reports`: totals and failures of several shards' reports.
fn merge_reports(paths: &[PathBuf], printer: &Printer) -> Result<ExitCode, Error> {
    let merged = report::merge(paths)?;
    for (input, message) in &merged.failed {
        let _ = input;
        printer.line(&format!("failed: {message}"));
    }
    for input in &merged.duplicates {
        printer.line(&format!("{input}: converted by more than one shard"));
    }
    for shard in &merged.missing_shards {
        printer.line(&format!("shard {shard}: no report"));
    }
    let t = &merged.totals;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{} reports: {} inputs, {} converted, {} failed, {} warnings, {} outputs, {:.1} s",
        merged.reports, t.inputs, t.converted, t.failed, t.warnings, t.outputs, t.seconds
    );
    Ok(if merged.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INPUT)
    })
}

/// Prints the formats; a closed pipe (`lacuna --list-formats | head -1`) is not an error.
pub fn list_formats() -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "Input formats (--from):")?;
    for r in read::READERS {
        let exts: Vec<String> = r.extensions.iter().map(|e| format!(".{e}")).collect();
        writeln!(
            out,
            "  {:<12} {:<18} {}",
            r.name,
            exts.join(" "),
            r.description
        )?;
    }
    writeln!(out, "Output formats (flags):")?;
    for w in write::WRITERS {
        writeln!(
            out,
            "  --{:<10} .{:<17} {}",
            w.name, w.extension, w.description
        )?;
    }
    out.flush()
}
