//! The `lacuna` command: parse arguments, run the library, print diagnostics once.

mod cli;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Parser;
use lacuna::read::{self, ReadOptions};
use lacuna::style::Style;
use lacuna::write::{self, WriteContext, WriterInfo};
use lacuna::{Error, Warning};
use rayon::prelude::*;

use cli::Cli;

/// Exit status for bad input (a file that could not be read or converted).
const EXIT_INPUT: u8 = 1;
/// Exit status for a usage mistake (bad flags, unknown format or style).
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("lacuna: {e:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Runs the conversion; usage errors come back as `Err`, input errors are printed
/// per input and give exit status 1 once all inputs are done.
fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    if cli.list_formats {
        list_formats()?;
        return Ok(ExitCode::SUCCESS);
    }
    let from = match &cli.from {
        Some(name) => Some(
            read::by_name(name)
                .with_context(|| format!("unknown input format {name:?} (see --list-formats)"))?,
        ),
        None => None,
    };
    let writers: Vec<&WriterInfo> = cli
        .backends()
        .into_iter()
        .map(|n| write::by_name(n).expect("every CLI backend is registered"))
        .collect();
    if writers.is_empty() {
        let flags: Vec<String> = write::WRITERS
            .iter()
            .map(|w| format!("--{}", w.name))
            .collect();
        bail!(
            "no output chosen: add one or more of {} (see --help)",
            flags.join(", ")
        );
    }
    let to_stdout = cli.out_dir == Path::new("-");
    if to_stdout {
        if writers.len() != 1 || cli.inputs.len() != 1 {
            bail!("-o - writes one output of one input to standard output");
        }
        if writers[0].binary && std::io::stdout().is_terminal() {
            bail!(
                "--{} is binary: not writing it to a terminal",
                writers[0].name
            );
        }
    } else if !cli.out_dir.is_dir() {
        std::fs::create_dir_all(&cli.out_dir).map_err(|source| Error::Io {
            path: cli.out_dir.clone(),
            source,
        })?;
    }
    let style = Style::load(&cli.style)?;
    let options = ReadOptions {
        gap_note: cli.gap_note.clone(),
        lang: cli.lang.clone(),
        ..ReadOptions::default()
    };
    let ctx = WriteContext {
        style: &style,
        timestamp: lacuna::timestamp_from_env(),
        base_dir: None,
    };
    if to_stdout {
        let input = &cli.inputs[0];
        let ctx = WriteContext {
            base_dir: input.parent().map(Path::to_owned),
            ..ctx
        };
        return match to_standard_output(input, from, &options, writers[0], &ctx) {
            Ok(warnings) => {
                report(cli, input, &warnings);
                Ok(ExitCode::SUCCESS)
            }
            Err(e) if e.is_usage() => Err(e.into()),
            Err(e) if is_broken_pipe_error(&e) => Ok(ExitCode::SUCCESS),
            Err(e) => {
                eprintln!("lacuna: {e}");
                Ok(ExitCode::from(EXIT_INPUT))
            }
        };
    }

    // Corpus mode: this shard's inputs, converted in parallel; what each one gives is
    // reported in input order once all are done, so output is the same on any machine.
    let inputs: Vec<&PathBuf> = match cli.shard {
        Some(shard) => cli
            .inputs
            .iter()
            .enumerate()
            .filter(|(i, _)| shard.takes(*i))
            .map(|(_, p)| p)
            .collect(),
        None => cli.inputs.iter().collect(),
    };
    let convert = |input: &&PathBuf| {
        let ctx = WriteContext {
            base_dir: input.parent().map(Path::to_owned),
            ..ctx.clone()
        };
        convert_one(input, from, &options, &writers, &ctx, &cli.out_dir)
    };
    let results: Vec<Result<Converted, Error>> = if inputs.len() > 1 {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(cli.jobs.unwrap_or(0))
            .build()
            .context("cannot start worker threads")?;
        pool.install(|| inputs.par_iter().map(convert).collect())
    } else {
        inputs.iter().map(convert).collect()
    };
    let mut failed = false;
    for (input, result) in inputs.iter().zip(results) {
        match result {
            Ok(done) => {
                report(cli, input, &done.warnings);
                if cli.verbose {
                    for path in done.written {
                        eprintln!("lacuna: wrote {}", path.display());
                    }
                }
            }
            Err(e) if e.is_usage() => return Err(e.into()),
            Err(e) => {
                eprintln!("lacuna: {e}");
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}

fn is_broken_pipe_error(e: &Error) -> bool {
    match e {
        Error::Write {
            source: lacuna::diag::WriteError::Io(io),
            ..
        }
        | Error::Io { source: io, .. } => io.kind() == std::io::ErrorKind::BrokenPipe,
        _ => false,
    }
}

/// What converting one input gave.
struct Converted {
    /// The reader's and writers' warnings, in that order.
    warnings: Vec<Warning>,
    /// The files written.
    written: Vec<PathBuf>,
}

fn convert_one(
    input: &Path,
    from: Option<&'static read::ReaderInfo>,
    options: &ReadOptions,
    writers: &[&WriterInfo],
    ctx: &WriteContext<'_>,
    out_dir: &Path,
) -> Result<Converted, Error> {
    let doc = lacuna::read_path(input, from, options)?;
    let mut warnings = doc.warnings;
    let (written, more) = lacuna::write_outputs(&doc.value, input, writers, ctx, out_dir)?;
    warnings.extend(more);
    Ok(Converted { warnings, written })
}

fn to_standard_output(
    input: &Path,
    from: Option<&'static read::ReaderInfo>,
    options: &ReadOptions,
    writer: &WriterInfo,
    ctx: &WriteContext<'_>,
) -> Result<Vec<Warning>, Error> {
    let doc = lacuna::read_path(input, from, options)?;
    let mut warnings = doc.warnings;
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    warnings.extend(lacuna::write_to(&doc.value, writer, ctx, &mut lock)?);
    lock.flush().map_err(|source| Error::Io {
        path: "-".into(),
        source,
    })?;
    Ok(warnings)
}

fn report(cli: &Cli, input: &Path, warnings: &[Warning]) {
    if cli.quiet {
        return;
    }
    for w in warnings {
        match w.pos {
            Some(pos) => eprintln!("lacuna: warning: {}:{pos}: {}", input.display(), w.message),
            None => eprintln!("lacuna: warning: {}: {}", input.display(), w.message),
        }
    }
}

/// Prints the formats; a closed pipe (`lacuna --list-formats | head -1`) is not an error.
fn list_formats() -> std::io::Result<()> {
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
