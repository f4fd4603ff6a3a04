//! Converting: the flags made into a job, the inputs planned, sharded and run.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime};

use lacuna::corpus::report::{self, ReportWriter};
use lacuna::corpus::run::{self, Job};
use lacuna::corpus::shard::{self, Shard};
use lacuna::corpus::walk::{self, WalkOptions};
use lacuna::corpus::{Input, Notice, commit, plan};
use lacuna::read::{self, ReadOptions};
use lacuna::style::Style;
use lacuna::write::{self, WriteContext, WriterInfo};
use lacuna::{Error, Warning};

use crate::cli::Cli;
use crate::printer::Printer;
use crate::{EXIT_INPUT, info, is_broken_pipe};

/// Runs the conversion; usage errors come back as `Err`, input errors are printed
/// per input and give exit status 1 once all inputs are done.
pub fn run(cli: &Cli, printer: &mut Printer) -> Result<ExitCode, Error> {
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
    check_standard_input(cli, &job)?;
    if cli.out_dir == Path::new("-") {
        if cli.check {
            return Err(Error::Usage(
                "--check checks files: give an output folder, not -o -".into(),
            ));
        }
        return to_standard_output(cli, &job, printer);
    }
    check_out_dir(&cli.out_dir)?;
    let (shard, shard_source) = choose_shard(cli, printer)?;

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
        Err(collisions) => return Err(refuse(&collisions, printer)),
    };
    let total = plan.inputs.len();
    let inputs: Vec<Input> = match shard {
        Some(shard) => (plan.inputs.into_iter())
            .filter(|input| shard.takes(&input.rel))
            .collect(),
        None => plan.inputs,
    };
    if cli.verbose
        && let Some(shard) = shard
    {
        printer.line(&format!(
            "shard {shard} ({shard_source}): {} of {total} inputs",
            inputs.len()
        ));
    }
    if inputs.is_empty() && walked.errors.is_empty() && shard.is_none() {
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
            shard.map(|s| report::ShardId { k: s.k, n: s.n }),
        )?);
    }
    let folders = output_folders(&inputs, &job, cli.report.as_deref());
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
        printer.checker = Some(crate::printer::Checker::new(&job.writers));
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

/// Checks the flags about standard input: read once, with --from, a plain --stem.
fn check_standard_input(cli: &Cli, job: &Job<'_>) -> Result<(), Error> {
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
    let mut stem = Path::new(&cli.stem).components();
    if !matches!(
        (stem.next(), stem.next()),
        (Some(std::path::Component::Normal(_)), None)
    ) {
        return Err(Error::Usage(format!(
            "--stem {:?}: a file name without folders, please",
            cli.stem
        )));
    }
    Ok(())
}

/// Names every collision (the first 20) and returns the usage error that ends the run.
fn refuse(collisions: &[plan::Collision], printer: &Printer) -> Error {
    const SHOWN: usize = 20;
    for c in collisions.iter().take(SHOWN) {
        printer.line(&c.to_string());
    }
    if collisions.len() > SHOWN {
        printer.line(&format!("… and {} more", collisions.len() - SHOWN));
    }
    Error::Usage(format!(
        "{} output path{} claimed twice: nothing written (give the inputs in a \
         folder to mirror its tree, or convert them separately)",
        collisions.len(),
        if collisions.len() == 1 { "" } else { "s" }
    ))
}

/// The folders this run writes to, the report's included.
fn output_folders(inputs: &[Input], job: &Job<'_>, report: Option<&Path>) -> BTreeSet<PathBuf> {
    (inputs.iter())
        .map(|i| job.out_dir.join(i.output("x")))
        .chain(report.map(Path::to_owned))
        .filter_map(|dest| dest.parent().map(Path::to_owned))
        .map(|p| {
            if p.as_os_str().is_empty() {
                ".".into()
            } else {
                p
            }
        })
        .collect()
}

/// Takes the shard from `--shard`, or from the environment of an array job.
fn choose_shard(cli: &Cli, printer: &mut Printer) -> Result<(Option<Shard>, String), Error> {
    if let Some(shard) = cli.shard {
        return Ok((Some(shard), "--shard".into()));
    }
    let var = |name: &str| std::env::var(name).ok();
    if cli.shard_count.is_none() && var("JOB_COMPLETION_INDEX").is_some() {
        printer.notice(&Notice::new(
            "JOB_COMPLETION_INDEX",
            "set, but --shard-count is not: converting every input",
        ));
    }
    match shard::from_env(var, cli.shard_count) {
        Ok(Some(found)) => Ok((Some(found.shard), found.source)),
        Ok(None) => Ok((None, String::new())),
        Err(message) => Err(Error::Usage(message)),
    }
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
