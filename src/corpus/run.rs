//! Converting the inputs on worker threads, reporting each in input order as soon as
//! it and every input before it are done.
//!
//! As in ripgrep's parallel search, workers send `(index, result)` over a channel and
//! the receiving thread keeps a reorder buffer, handing input *i* to the [`Sink`] once
//! inputs 0…*i* have all arrived. Workers may run at most [`IN_FLIGHT`] inputs ahead of
//! the last one reported, so a slow input holds back at most that many results and
//! memory stays flat however long the list is.

use std::collections::BTreeMap;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, mpsc};
use std::time::Instant;

use super::Input;
use crate::diag::{Error, Warning};
use crate::read::{ReadOptions, ReaderInfo};
use crate::style::Style;
use crate::write::{WriteContext, WriterInfo};

/// How far workers may run ahead of the last input reported.
pub const IN_FLIGHT: usize = 1024;

/// What every input of a run is converted with.
#[derive(Clone)]
pub struct Job<'a> {
    /// The reader for every input (`--from`), or `None` to choose by extension.
    pub from: Option<&'static ReaderInfo>,
    /// The readers' options.
    pub read_options: ReadOptions,
    /// The backends, in the order their outputs are written.
    pub writers: Vec<&'static WriterInfo>,
    /// The style the PDF and EPUB are set in.
    pub style: &'a Style,
    /// The outputs' time stamp (seconds since 1970).
    pub timestamp: i64,
    /// The output folder.
    pub out_dir: PathBuf,
}

/// What converting one input gave.
#[derive(Debug)]
pub struct Outcome {
    /// The files written (none if the input failed).
    pub outputs: Vec<PathBuf>,
    /// The reader's and writers' warnings, in that order.
    pub warnings: Vec<Warning>,
    /// Why the input failed, if it did.
    pub error: Option<Error>,
    /// Seconds spent on it.
    pub seconds: f64,
}

/// Receives each input's outcome, in input order.
pub trait Sink {
    /// Takes the outcome of input number `index` (from 0). An error stops the run.
    fn done(&mut self, index: usize, input: &Input, outcome: Outcome) -> io::Result<()>;
}

/// Returns the destinations of an input's outputs, one per writer.
pub fn destinations(input: &Input, job: &Job<'_>) -> Vec<PathBuf> {
    job.writers
        .iter()
        .map(|w| job.out_dir.join(input.output(w.extension)))
        .collect()
}

/// Converts one input with every writer, all or nothing. A panic in a reader or
/// writer fails this input only.
pub fn convert_one(input: &Input, job: &Job<'_>) -> Outcome {
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| convert(input, job))).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Error::Internal {
            path: input.path.clone(),
            message: what,
        })
    });
    let seconds = start.elapsed().as_secs_f64();
    match result {
        Ok((outputs, warnings)) => Outcome {
            outputs,
            warnings,
            error: None,
            seconds,
        },
        Err(error) => Outcome {
            outputs: Vec::new(),
            warnings: Vec::new(),
            error: Some(error),
            seconds,
        },
    }
}

fn convert(input: &Input, job: &Job<'_>) -> Result<(Vec<PathBuf>, Vec<Warning>), Error> {
    let base_dir = if input.stdin {
        PathBuf::from(".")
    } else {
        match input.path.parent() {
            Some(p) if p.as_os_str().is_empty() => PathBuf::from("."),
            Some(p) => p.to_owned(),
            None => PathBuf::from("."),
        }
    };
    let doc = if input.stdin {
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut io::stdin().lock(), &mut bytes).map_err(|source| Error::Io {
            path: input.path.clone(),
            source,
        })?;
        let options = ReadOptions {
            base_dir: Some(base_dir.clone()),
            ..job.read_options.clone()
        };
        crate::read_bytes(&bytes, Path::new("-"), job.from, &options)?
    } else {
        crate::read_path(&input.path, job.from, &job.read_options)?
    };
    let mut warnings = doc.warnings;
    let ctx = WriteContext {
        style: job.style,
        timestamp: job.timestamp,
        base_dir: Some(base_dir),
    };
    let dests = destinations(input, job);
    let (written, more) =
        super::commit::write_all(&doc.value, &input.path, &job.writers, &dests, &ctx)?;
    warnings.extend(more);
    Ok((written, warnings))
}

/// How far the workers have got.
struct Window {
    /// The next input a worker will take.
    next: usize,
    /// How many inputs the sink has received.
    reported: usize,
    /// Set when the sink failed: workers take no more inputs.
    stop: bool,
}

/// Converts `inputs` on `jobs` threads and hands each outcome to `sink` in input order.
pub fn convert_all(
    inputs: &[Input],
    job: &Job<'_>,
    jobs: usize,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let jobs = jobs.max(1).min(inputs.len().max(1));
    if jobs == 1 {
        for (i, input) in inputs.iter().enumerate() {
            sink.done(i, input, convert_one(input, job))?;
        }
        return Ok(());
    }
    let window = Mutex::new(Window {
        next: 0,
        reported: 0,
        stop: false,
    });
    let moved = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (window, moved) = (&window, &moved);
            scope.spawn(move || {
                loop {
                    let i = {
                        let mut w = window.lock().unwrap_or_else(|p| p.into_inner());
                        while !w.stop && w.next < inputs.len() && w.next >= w.reported + IN_FLIGHT {
                            w = moved.wait(w).unwrap_or_else(|p| p.into_inner());
                        }
                        if w.stop || w.next >= inputs.len() {
                            return;
                        }
                        w.next += 1;
                        w.next - 1
                    };
                    if tx.send((i, convert_one(&inputs[i], job))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Outcome> = BTreeMap::new();
        let mut reported = 0;
        let mut result = Ok(());
        for (i, outcome) in rx.iter() {
            pending.insert(i, outcome);
            while let Some(outcome) = pending.remove(&reported) {
                result = sink.done(reported, &inputs[reported], outcome);
                reported += 1;
                if result.is_err() {
                    break;
                }
            }
            let mut w = window.lock().unwrap_or_else(|p| p.into_inner());
            w.reported = reported;
            w.stop = result.is_err();
            moved.notify_all();
            if w.stop {
                break;
            }
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<(usize, PathBuf, bool)>);

    impl Sink for Collect {
        fn done(&mut self, index: usize, input: &Input, outcome: Outcome) -> io::Result<()> {
            self.0
                .push((index, input.path.clone(), outcome.error.is_none()));
            Ok(())
        }
    }

    #[test]
    fn outcomes_arrive_in_input_order_with_any_number_of_workers() {
        let dir = tempfile::tempdir().unwrap();
        let mut inputs = Vec::new();
        for i in 0..40 {
            let path = dir.path().join(format!("d{i}.txt"));
            // Every seventh input is missing, so failures interleave with successes.
            if i % 7 != 3 {
                std::fs::write(&path, format!("Title {i}\n\nText {i}.\n")).unwrap();
            }
            inputs.push(Input {
                rel: path.clone(),
                out_stem: format!("d{i}").into(),
                path,
                stdin: false,
            });
        }
        let style = Style::default();
        let job = Job {
            from: None,
            read_options: ReadOptions::default(),
            writers: vec![crate::write::by_name("json").unwrap()],
            style: &style,
            timestamp: 0,
            out_dir: dir.path().join("out"),
        };
        for jobs in [1, 3] {
            let mut sink = Collect(Vec::new());
            convert_all(&inputs, &job, jobs, &mut sink).unwrap();
            let order: Vec<usize> = sink.0.iter().map(|(i, _, _)| *i).collect();
            assert_eq!(order, (0..40).collect::<Vec<_>>());
            let failed = sink.0.iter().filter(|(_, _, ok)| !ok).count();
            assert_eq!(failed, 6, "jobs {jobs}");
        }
    }
}
