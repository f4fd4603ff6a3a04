//! The one place that prints to the terminal: messages on standard error, escaped,
//! with the progress bar kept below them, and the run report fed alongside.

use std::collections::BTreeSet;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use lacuna::Warning;
use lacuna::check::{Validators, Verdict};
use lacuna::corpus::report::ReportWriter;
use lacuna::corpus::run::{Outcome, Sink};
use lacuna::corpus::{Input, Notice};
use lacuna::diag::{escape_controls, render_error};
use lacuna::write::WriterInfo;

/// Prints messages, in input order, and keeps the progress bar and the report.
pub struct Printer {
    quiet: bool,
    verbose: bool,
    bar: Option<ProgressBar>,
    /// The `--report` being written, if any.
    pub report: Option<ReportWriter>,
    /// Inputs that failed so far.
    pub failed: usize,
    /// The validators `--check` runs on every output, if asked for.
    pub checker: Option<Checker>,
}

/// What `--check` needs: the validators and the writers' extensions.
pub struct Checker {
    validators: Validators,
    /// (extension, writer name), longest extension first (`tei.xml` before `xml`).
    writers: Vec<(&'static str, &'static str)>,
    /// Validators already reported missing.
    missing: BTreeSet<String>,
    /// Outputs a validator rejected.
    pub failed: usize,
}

impl Checker {
    /// Finds the validators for the writers of the run.
    pub fn new(writers: &[&WriterInfo]) -> Checker {
        let mut writers: Vec<_> = writers.iter().map(|w| (w.extension, w.name)).collect();
        writers.sort_by_key(|(ext, _)| std::cmp::Reverse(ext.len()));
        Checker {
            validators: Validators::find(),
            writers,
            missing: BTreeSet::new(),
            failed: 0,
        }
    }

    /// Returns the writer whose extension `path` has.
    pub fn writer_of(&self, path: &Path) -> Option<&'static str> {
        let name = path.file_name()?.to_string_lossy();
        self.writers
            .iter()
            .find(|(ext, _)| name.ends_with(&format!(".{ext}")))
            .map(|(_, w)| *w)
    }
}

impl Printer {
    /// Makes a printer; `quiet` drops warnings and notices, `verbose` adds the files written.
    pub fn new(quiet: bool, verbose: bool) -> Printer {
        Printer {
            quiet,
            verbose,
            bar: None,
            report: None,
            failed: 0,
            checker: None,
        }
    }

    /// Shows a progress bar for `total` inputs when standard error is a terminal, there
    /// is more than one input, and the run is not quiet.
    pub fn start_progress(&mut self, total: usize) {
        if self.quiet || total < 2 || !io::stderr().is_terminal() {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{bar:30} {pos}/{len} files, {msg} failed, {rate} files/s, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.1}", state.per_sec());
            },
        );
        bar.set_style(style);
        bar.set_message("0");
        bar.enable_steady_tick(Duration::from_millis(250));
        self.bar = Some(bar);
    }

    /// Removes the progress bar.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    /// Prints `lacuna: <text>` on standard error, control characters escaped.
    pub fn line(&self, text: &str) {
        let line = format!("lacuna: {}\n", escape_controls(text));
        let print = || {
            // A closed standard error is nothing to report to.
            let _ = io::stderr().lock().write_all(line.as_bytes());
        };
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// Prints text of several lines (clap's usage errors) on standard error, each line's
    /// control characters escaped.
    pub fn raw_lines(text: &str) {
        let mut err = io::stderr().lock();
        for line in text.lines() {
            let _ = writeln!(err, "{}", escape_controls(line));
        }
    }

    /// Prints an error with its causes, each said once.
    pub fn error(&self, error: &(dyn std::error::Error + 'static)) {
        self.line(&render_error(error));
    }

    /// Prints a warning about an input (unless quiet).
    pub fn warning(&self, input: &Path, warning: &Warning) {
        if self.quiet {
            return;
        }
        match warning.pos {
            Some(pos) => self.line(&format!(
                "warning: {}:{pos}: {}",
                input.display(),
                warning.message
            )),
            None => self.line(&format!(
                "warning: {}: {}",
                input.display(),
                warning.message
            )),
        }
    }

    /// Prints a notice about the run (unless quiet) and records it in the report.
    pub fn notice(&mut self, notice: &Notice) {
        if let Some(report) = &mut self.report {
            report.notice(notice);
        }
        if !self.quiet {
            self.line(&format!("warning: {notice}"));
        }
    }
}

impl Printer {
    /// Runs `--check` on the files just written and says what each validator found.
    pub fn check(&mut self, outputs: &[std::path::PathBuf]) {
        let Some(mut checker) = self.checker.take() else {
            return;
        };
        for path in outputs {
            let Some(writer) = checker.writer_of(path) else {
                continue;
            };
            match checker.validators.check(writer, path) {
                Verdict::Passed(by) => {
                    if !self.quiet {
                        self.line(&format!("checked {}: valid ({by})", path.display()));
                    }
                }
                Verdict::Failed(by, detail) => {
                    checker.failed += 1;
                    self.line(&format!("check failed: {}: {by}: {detail}", path.display()));
                }
                Verdict::Unavailable(what) => {
                    if checker.missing.insert(what.clone()) {
                        self.line(&format!(
                            "warning: --check: {what} is not installed: {writer} outputs \
                             are not checked"
                        ));
                    }
                }
            }
        }
        self.checker = Some(checker);
    }
}

impl Sink for Printer {
    fn done(&mut self, _index: usize, input: &Input, outcome: Outcome) -> io::Result<()> {
        for w in &outcome.warnings {
            self.warning(&input.path, w);
        }
        if let Some(e) = &outcome.error {
            self.error(e);
            self.failed += 1;
        } else if self.verbose {
            for path in &outcome.outputs {
                self.line(&format!("wrote {}", path.display()));
            }
        }
        self.check(&outcome.outputs);
        if let Some(report) = &mut self.report {
            report.input(input, &outcome)?;
        }
        if let Some(bar) = &self.bar {
            bar.set_message(self.failed.to_string());
            bar.inc(1);
        }
        Ok(())
    }
}
