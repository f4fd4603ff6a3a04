//! The `lacuna` command: parse arguments, run the library, print diagnostics once.

mod cli;
mod printer;

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime};

use clap::{CommandFactory, Parser};
use lacuna::corpus::report::{self, ReportWriter};
use lacuna::corpus::run::{self, Job};
use lacuna::corpus::walk::{self, WalkOptions};
use lacuna::corpus::{Input, commit, plan};
use lacuna::read::{self, ReadOptions};
use lacuna::style::Style;
use lacuna::write::{self, WriteContext, WriterInfo};
use lacuna::{Error, Warning};

use cli::{Cli, Command};
use printer::Printer;

/// Exit status for bad input (a file that could not be read or converted).
const EXIT_INPUT: u8 = 1;
/// Exit status for a usage mistake (bad flags, unknown format or style).
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(mut e) => {
            suggest_flag(&mut e);
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let mut printer = Printer::new(cli.quiet, cli.verbose);
    let result = match &cli.command {
        Some(Command::MergeReports { reports }) => merge_reports(reports, &printer),
        Some(Command::Check { files }) => check_files(files, &mut printer),
        None => run(&cli, &mut printer),
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

fn is_broken_pipe(e: &Error) -> bool {
    match e {
        Error::Write {
            source: lacuna::diag::WriteError::Io(io),
            ..
        }
        | Error::Io { source: io, .. } => io.kind() == std::io::ErrorKind::BrokenPipe,
        _ => false,
    }
}

/// Runs the conversion; usage errors come back as `Err`, input errors are printed
/// per input and give exit status 1 once all inputs are done.
fn run(cli: &Cli, printer: &mut Printer) -> Result<ExitCode, Error> {
    if let Some(text) = info(cli)? {
        return match std::io::stdout().lock().write_all(&text) {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
            Err(source) => Err(Error::Io {
                path: "-".into(),
                source,
            }),
        };
    }
    let style = load_style(cli)?;
    let job = job(cli, &style)?;
    let stdin_count = cli.inputs.iter().filter(|p| p.as_os_str() == "-").count();
    if stdin_count > 1 {
        return Err(Error::Usage(
            "standard input (-) can be read once only".into(),
        ));
    }
    if stdin_count == 1 && job.from.is_none() {
        return Err(Error::Usage(
            "reading standard input (-) needs --from FORMAT (see --list-formats)".into(),
        ));
    }
    if cli.out_dir == Path::new("-") {
        if cli.check {
            return Err(Error::Usage(
                "--check checks files: give an output folder, not -o -".into(),
            ));
        }
        return to_standard_output(cli, &job, printer);
    }
    check_out_dir(&cli.out_dir)?;

    // Plan everything before writing anything.
    let started = (Instant::now(), SystemTime::now());
    let walked = walk::expand(
        &cli.inputs,
        &WalkOptions {
            any_extension: job.from.is_some(),
            skip: std::fs::canonicalize(&cli.out_dir).ok(),
            stdin_stem: cli.stem.clone(),
        },
    );
    let plan = match plan::plan(walked.inputs, &job.writers, &cli.out_dir) {
        Ok(plan) => plan,
        Err(collisions) => {
            const SHOWN: usize = 20;
            for c in collisions.iter().take(SHOWN) {
                printer.line(&c.to_string());
            }
            if collisions.len() > SHOWN {
                printer.line(&format!("… and {} more", collisions.len() - SHOWN));
            }
            return Err(Error::Usage(format!(
                "{} output path{} claimed twice: nothing written (give the inputs in a \
                 folder to mirror its tree, or convert them separately)",
                collisions.len(),
                if collisions.len() == 1 { "" } else { "s" }
            )));
        }
    };
    let inputs: Vec<Input> = match cli.shard {
        Some(shard) => (plan.inputs.into_iter().enumerate())
            .filter(|(i, _)| shard.takes(*i))
            .map(|(_, input)| input)
            .collect(),
        None => plan.inputs,
    };
    if inputs.is_empty() && walked.errors.is_empty() && cli.shard.is_none() {
        for n in &walked.notices {
            printer.notice(n);
        }
        printer.line("nothing to convert");
        return Ok(ExitCode::from(EXIT_INPUT));
    }

    std::fs::create_dir_all(&cli.out_dir).map_err(|e| Error::OutDir {
        path: cli.out_dir.clone(),
        message: format!("cannot create the output folder: {e}"),
    })?;
    if let Some(path) = &cli.report {
        printer.report = Some(ReportWriter::create(
            path,
            cli.shard.map(|s| report::ShardId { k: s.k, n: s.n }),
        )?);
    }
    let folders: BTreeSet<PathBuf> = inputs
        .iter()
        .filter_map(|i| {
            let dest = job.out_dir.join(i.output("x"));
            dest.parent().map(Path::to_owned)
        })
        .collect();
    let stale = commit::clean_stale(folders.iter().map(PathBuf::as_path), started.1);
    for notice in walked.notices.iter().chain(&plan.notices).chain(&stale) {
        printer.notice(notice);
    }
    for e in &walked.errors {
        printer.error(e);
        if let Some(report) = &mut printer.report {
            report.error(e_path(e), e);
        }
    }

    if cli.check {
        printer.checker = Some(printer::Checker::new(&job.writers));
    }
    printer.start_progress(inputs.len());
    let jobs = cli
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let streamed = run::convert_all(&inputs, &job, jobs, printer);
    printer.finish();
    let failed =
        printer.failed + walked.errors.len() + printer.checker.as_ref().map_or(0, |c| c.failed);
    if let Err(source) = streamed {
        return Err(Error::Io {
            path: cli.report.clone().unwrap_or_else(|| "-".into()),
            source,
        });
    }
    if let Some(report) = printer.report.take() {
        report.finish(started.0.elapsed().as_secs_f64())?;
    }
    Ok(if failed > 0 {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}

/// The path an error concerns, for the report.
fn e_path(e: &Error) -> &Path {
    match e {
        Error::Io { path, .. } => path,
        _ => Path::new(""),
    }
}

/// Builds what every input is converted with from the flags and the environment.
fn job<'a>(cli: &Cli, style: &'a Style) -> Result<Job<'a>, Error> {
    let from = match &cli.from {
        Some(name) => Some(read::by_name(name).ok_or_else(|| {
            Error::Format(format!(
                "unknown input format {name:?} (see --list-formats)"
            ))
        })?),
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
        return Err(Error::Usage(format!(
            "no output chosen: add one or more of {} (see --help)",
            flags.join(", ")
        )));
    }
    let timestamp = lacuna::timestamp_from_env()?;
    Ok(Job {
        from,
        read_options: ReadOptions {
            gap_note: cli.gap_note.clone(),
            lang: cli.lang.clone(),
            ..ReadOptions::default()
        },
        writers,
        style,
        timestamp,
        out_dir: cli.out_dir.clone(),
    })
}

/// Loads the style, after the checks of the flags that cost nothing.
fn load_style(cli: &Cli) -> Result<Style, Error> {
    if cli.backends().is_empty() {
        // Let `job` name the missing output flags first.
        return Ok(Style::default());
    }
    // A style file that cannot be read is a mistake in the command line, not the input.
    Style::load(&cli.style).map_err(|e| match e {
        Error::Io { path, source } => Error::Style {
            path,
            pos: None,
            message: source.to_string(),
        },
        e => e,
    })
}

/// Refuses an output folder that is a file, or lies under one, before anything is done.
fn check_out_dir(out_dir: &Path) -> Result<(), Error> {
    for ancestor in out_dir.ancestors() {
        if ancestor.as_os_str().is_empty() {
            break;
        }
        match std::fs::metadata(ancestor) {
            Ok(m) if m.is_dir() => return Ok(()),
            Ok(_) if ancestor == out_dir => {
                return Err(Error::OutDir {
                    path: out_dir.to_owned(),
                    message: "the output folder is a file".into(),
                });
            }
            Ok(_) => {
                return Err(Error::OutDir {
                    path: out_dir.to_owned(),
                    message: format!(
                        "cannot be the output folder: {} is a file",
                        ancestor.display()
                    ),
                });
            }
            Err(_) => {}
        }
    }
    Ok(())
}

/// `-o -`: one output of one input to standard output.
fn to_standard_output(cli: &Cli, job: &Job<'_>, printer: &Printer) -> Result<ExitCode, Error> {
    if job.writers.len() != 1 || cli.inputs.len() != 1 || cli.inputs[0].is_dir() {
        return Err(Error::Usage(
            "-o - writes one output of one input file to standard output".into(),
        ));
    }
    let writer = job.writers[0];
    if writer.binary && std::io::stdout().is_terminal() {
        return Err(Error::Usage(format!(
            "--{} is binary: not writing it to a terminal",
            writer.name
        )));
    }
    let input = &cli.inputs[0];
    let stdin = input.as_os_str() == "-";
    let base_dir = match input.parent() {
        Some(p) if !stdin && !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let ctx = WriteContext {
        style: job.style,
        timestamp: job.timestamp,
        base_dir: Some(base_dir),
    };
    let result = (|| -> Result<Vec<Warning>, Error> {
        let doc = if stdin {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes).map_err(
                |source| Error::Io {
                    path: input.clone(),
                    source,
                },
            )?;
            lacuna::read_bytes(&bytes, input, job.from, &job.read_options)?
        } else {
            lacuna::read_path(input, job.from, &job.read_options)?
        };
        let mut warnings = doc.warnings;
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        warnings.extend(lacuna::write_to(&doc.value, writer, &ctx, &mut lock)?);
        lock.flush().map_err(|source| Error::Io {
            path: "-".into(),
            source,
        })?;
        Ok(warnings)
    })();
    match result {
        Ok(warnings) => {
            for w in &warnings {
                printer.warning(input, w);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.is_usage() => Err(e),
        Err(e) if is_broken_pipe(&e) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            printer.error(&e);
            Ok(ExitCode::from(EXIT_INPUT))
        }
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
fn info(cli: &Cli) -> Result<Option<Vec<u8>>, Error> {
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
