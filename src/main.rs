//! The `lacuna` command: parse arguments, run the library, print diagnostics once.

mod cli;
mod convert;
mod printer;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use lacuna::Error;
use lacuna::corpus::report;
use lacuna::style::Style;
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
        Err(mut e) => {
            suggest_flag(&mut e);
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
        Some(Command::Check { files }) => check_files(files, &mut printer),
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

/// Adds "a similar argument exists" to an unknown flag that clap took for a possible
/// file name (it only suggests when no positional argument could take the word).
fn suggest_flag(e: &mut clap::Error) {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() != ErrorKind::UnknownArgument || e.get(ContextKind::SuggestedArg).is_some() {
        return;
    }
    let Some(ContextValue::String(given)) = e.get(ContextKind::InvalidArg) else {
        return;
    };
    let Some(word) = given.strip_prefix("--") else {
        return;
    };
    let command = Cli::command();
    let longs = command.get_arguments().filter_map(|a| a.get_long());
    if let Some(long) = lacuna::diag::nearest(word, longs) {
        e.insert(
            ContextKind::SuggestedArg,
            ContextValue::String(format!("--{long}")),
        );
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

/// `lacuna check FILE…`: the validators on files already written.
fn check_files(files: &[PathBuf], printer: &mut Printer) -> Result<ExitCode, Error> {
    let mut checker = printer::Checker::new(write::WRITERS.iter().collect::<Vec<_>>().as_slice());
    for file in files {
        if !file.is_file() {
            return Err(Error::Usage(format!("{}: no such file", file.display())));
        }
        if checker.writer_of(file).is_none() {
            return Err(Error::Usage(format!(
                "{}: not a lacuna output (.json, .tei.xml, .epub or .pdf)",
                file.display()
            )));
        }
    }
    printer.checker = Some(checker);
    printer.check(files);
    checker = printer.checker.take().expect("the checker is put back");
    Ok(if checker.failed > 0 {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    })
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

/// Returns what the flags that print and exit ask for — formats, styles, a completion
/// script, the manual page — or `None` when the run converts. (Everything is built in
/// memory first, so that a closed pipe, as in `lacuna --man | head`, is not an error.)
pub fn info(cli: &Cli) -> Result<Option<Vec<u8>>, Error> {
    let mut out = Vec::new();
    if cli.list_formats {
        list_formats(&mut out);
    } else if cli.list_styles {
        for name in Style::builtin_names() {
            let text = Style::builtin_text(name)?;
            // The file's first line is a comment that describes it.
            let about = text.lines().next().unwrap_or("").trim_start_matches("# ");
            let _ = writeln!(out, "{name:<12} {about}");
        }
    } else if let Some(name) = &cli.print_style {
        out.extend_from_slice(Style::builtin_text(name)?.as_bytes());
    } else if let Some(shell) = cli.completions {
        clap_complete::generate(shell, &mut Cli::command(), "lacuna", &mut out);
    } else if cli.man {
        clap_mangen::Man::new(Cli::command())
            .render(&mut out)
            .map_err(|source| Error::Io {
                path: "-".into(),
                source,
            })?;
    } else {
        return Ok(None);
    }
    Ok(Some(out))
}

/// Lists the readers and writers.
fn list_formats(out: &mut Vec<u8>) {
    let _ = writeln!(out, "Input formats (--from):");
    for r in read::READERS {
        let exts: Vec<String> = r.extensions.iter().map(|e| format!(".{e}")).collect();
        let _ = writeln!(
            out,
            "  {:<12} {:<18} {}",
            r.name,
            exts.join(" "),
            r.description
        );
    }
    let _ = writeln!(out, "Output formats (flags):");
    for w in write::WRITERS {
        let _ = writeln!(
            out,
            "  --{:<10} .{:<17} {}",
            w.name, w.extension, w.description
        );
    }
}
