//! The run report (`--report FILE.json`) and the merging of several shards' reports.
//!
//! The report is streamed: each input's entry is written when the input is reported, so
//! a run of a million inputs holds none of them in memory; the file goes to a temporary
//! name and is renamed into place when the run ends, so a report that exists is whole.
//!
//! ```json
//! { "lacuna_report": 1, "lacuna": "0.1.0", "shard": { "k": 1, "n": 4 },
//!   "inputs": [ { "input": "corpus/a.txt", "outputs": ["out/a.json"],
//!                 "warnings": [ { "line": 3, "col": 11, "message": "…" } ],
//!                 "error": null, "seconds": 0.004 } ],
//!   "errors": [ { "path": "corpus/locked", "message": "…" } ],
//!   "notices": [ { "path": "a/doc.txt", "message": "same file as …" } ],
//!   "totals": { "inputs": 1, "converted": 1, "failed": 0, "warnings": 1,
//!               "outputs": 1, "seconds": 0.01 } }
//! ```

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tempfile::NamedTempFile;

use super::run::Outcome;
use super::{Input, Notice};
use crate::diag::{Error, render_error};

/// The report format's version, the value of its `lacuna_report` key.
pub const FORMAT: u32 = 1;

/// A shard of an array job: number `k` (from 1) of `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardId {
    /// This shard, from 1.
    pub k: usize,
    /// How many shards there are.
    pub n: usize,
}

/// A warning or error with its position in the input, as the report gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The line, if the message concerns a place in the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The column (in characters), with the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub col: Option<u32>,
    /// The text (for an error, the whole line lacuna prints, file name included).
    pub message: String,
}

/// One input's entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The input's path.
    pub input: String,
    /// The files written for it.
    pub outputs: Vec<String>,
    /// Its warnings.
    pub warnings: Vec<Message>,
    /// Why it failed, if it did.
    pub error: Option<Message>,
    /// Seconds spent on it.
    pub seconds: f64,
}

/// A problem that concerns no one input: a folder that could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathMessage {
    /// The file or folder concerned.
    pub path: String,
    /// What happened.
    pub message: String,
}

/// The counts at the end of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Inputs reported.
    pub inputs: usize,
    /// Inputs converted.
    pub converted: usize,
    /// Inputs that failed, and folders that could not be read.
    pub failed: usize,
    /// Warnings about the inputs.
    pub warnings: usize,
    /// Files written.
    pub outputs: usize,
    /// Seconds: the run's wall time (summed over reports when merged).
    pub seconds: f64,
}

/// Writes a report as the run goes.
pub struct ReportWriter {
    out: BufWriter<NamedTempFile>,
    dest: PathBuf,
    first: bool,
    totals: Totals,
    errors: Vec<PathMessage>,
    notices: Vec<PathMessage>,
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

impl ReportWriter {
    /// Starts a report to be written to `dest` (its folder is created).
    pub fn create(dest: &Path, shard: Option<ShardId>) -> Result<ReportWriter, Error> {
        let folder = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        fs::create_dir_all(folder).map_err(io_error(folder))?;
        let tmp = tempfile::Builder::new()
            .prefix(&super::commit::temp_prefix())
            .suffix(super::commit::TEMP_SUFFIX)
            .tempfile_in(folder)
            .map_err(io_error(folder))?;
        let mut out = BufWriter::new(tmp);
        let shard = serde_json::to_string(&shard).map_err(|e| io_error(dest)(e.into()))?;
        write!(
            out,
            "{{\"lacuna_report\": {FORMAT}, \"lacuna\": \"{}\", \"shard\": {shard},\n\"inputs\": [",
            env!("CARGO_PKG_VERSION")
        )
        .map_err(io_error(dest))?;
        Ok(ReportWriter {
            out,
            dest: dest.to_owned(),
            first: true,
            totals: Totals::default(),
            errors: Vec::new(),
            notices: Vec::new(),
        })
    }

    /// Records one input's outcome.
    pub fn input(&mut self, input: &Input, outcome: &Outcome) -> std::io::Result<()> {
        let entry = Entry {
            input: input.path.to_string_lossy().into_owned(),
            outputs: (outcome.outputs.iter())
                .map(|p| p.to_string_lossy().into_owned())
                .collect(),
            warnings: (outcome.warnings.iter())
                .map(|w| Message {
                    line: w.pos.map(|p| p.line),
                    col: w.pos.map(|p| p.col),
                    message: w.message.clone(),
                })
                .collect(),
            error: outcome.error.as_ref().map(|e| Message {
                line: e.pos().map(|p| p.line),
                col: e.pos().map(|p| p.col),
                message: render_error(e),
            }),
            seconds: outcome.seconds,
        };
        let t = &mut self.totals;
        t.inputs += 1;
        t.warnings += entry.warnings.len();
        t.outputs += entry.outputs.len();
        if entry.error.is_some() {
            t.failed += 1;
        } else {
            t.converted += 1;
        }
        self.out
            .write_all(if self.first { b"\n  " } else { b",\n  " })?;
        self.first = false;
        serde_json::to_writer(&mut self.out, &entry)?;
        Ok(())
    }

    /// Records an error that concerns no one input (it counts as a failure).
    pub fn error(&mut self, path: &Path, error: &Error) {
        self.totals.failed += 1;
        self.errors.push(PathMessage {
            path: path.to_string_lossy().into_owned(),
            message: render_error(error),
        });
    }

    /// Records a notice about the run.
    pub fn notice(&mut self, notice: &Notice) {
        self.notices.push(PathMessage {
            path: notice.path.to_string_lossy().into_owned(),
            message: notice.message.clone(),
        });
    }

    /// Ends the report with the totals and moves it into place.
    pub fn finish(mut self, seconds: f64) -> Result<Totals, Error> {
        self.totals.seconds = seconds;
        let tail = serde_json::json!({
            "errors": self.errors,
            "notices": self.notices,
            "totals": self.totals,
        });
        let tail =
            serde_json::to_string_pretty(&tail).map_err(|e| io_error(&self.dest)(e.into()))?;
        // The tail is an object; splice its members after the inputs array.
        let members = tail.trim_start_matches('{');
        write!(self.out, "\n],{members}\n").map_err(io_error(&self.dest))?;
        let tmp = self
            .out
            .into_inner()
            .map_err(|e| io_error(&self.dest)(e.into_error()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(fs::Permissions::from_mode(0o644))
                .map_err(io_error(&self.dest))?;
        }
        tmp.persist(&self.dest)
            .map_err(|e| io_error(&self.dest)(e.error))?;
        Ok(self.totals)
    }
}

/// A report as read back.
#[derive(Debug, Deserialize)]
struct ReportFile {
    lacuna_report: u32,
    #[serde(default)]
    shard: Option<ShardId>,
    inputs: Vec<Entry>,
    #[serde(default)]
    errors: Vec<PathMessage>,
    totals: Totals,
}

/// Several reports taken together.
#[derive(Debug, Default)]
pub struct Merged {
    /// How many reports were read.
    pub reports: usize,
    /// The sums of their totals.
    pub totals: Totals,
    /// Every failed input, and every folder that could not be read: (path, message).
    pub failed: Vec<(String, String)>,
    /// Inputs that appear in more than one report (or twice in one).
    pub duplicates: Vec<String>,
    /// Shards of the array job with no report, as `K/N`.
    pub missing_shards: Vec<String>,
}

impl Merged {
    /// Tells whether the reports show a complete run with no failure.
    pub fn ok(&self) -> bool {
        self.failed.is_empty() && self.duplicates.is_empty() && self.missing_shards.is_empty()
    }
}

/// Reads and merges reports: sums the totals, lists failures, and checks that no
/// input was converted twice and, for shards, that every shard reported.
pub fn merge(paths: &[PathBuf]) -> Result<Merged, Error> {
    let mut merged = Merged::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut shards: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for path in paths {
        let file = fs::File::open(path).map_err(io_error(path))?;
        let report: ReportFile = serde_json::from_reader(std::io::BufReader::new(file))
            .map_err(|e| Error::Format(format!("{}: not a lacuna report: {e}", path.display())))?;
        if report.lacuna_report != FORMAT {
            return Err(Error::Format(format!(
                "{}: report format {} (this lacuna reads {FORMAT})",
                path.display(),
                report.lacuna_report
            )));
        }
        merged.reports += 1;
        if let Some(s) = report.shard {
            shards.entry(s.n).or_default().push(s.k);
        }
        let (t, r) = (&mut merged.totals, &report.totals);
        t.inputs += r.inputs;
        t.converted += r.converted;
        t.failed += r.failed;
        t.warnings += r.warnings;
        t.outputs += r.outputs;
        t.seconds += r.seconds;
        for entry in report.inputs {
            if let Some(error) = entry.error {
                merged.failed.push((entry.input.clone(), error.message));
            }
            if !seen.insert(entry.input.clone()) {
                merged.duplicates.push(entry.input);
            }
        }
        for e in report.errors {
            merged.failed.push((e.path, e.message));
        }
    }
    if shards.len() > 1 {
        let counts: Vec<String> = shards.keys().map(|n| format!("/{n}")).collect();
        return Err(Error::Format(format!(
            "the reports come from different splits ({})",
            counts.join(", ")
        )));
    }
    if let Some((n, ks)) = shards.into_iter().next() {
        for k in 1..=n {
            if !ks.contains(&k) {
                merged.missing_shards.push(format!("{k}/{n}"));
            }
        }
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Warning;

    fn outcome(ok: bool) -> Outcome {
        Outcome {
            outputs: if ok {
                vec!["out/a.json".into()]
            } else {
                vec![]
            },
            warnings: vec![Warning::at(crate::Pos::new(3, 11), "odd")],
            error: (!ok).then(|| Error::Empty {
                path: "b.txt".into(),
            }),
            seconds: 0.5,
        }
    }

    fn input(path: &str) -> Input {
        Input {
            path: path.into(),
            stdin: false,
            rel: path.into(),
            out_stem: "x".into(),
        }
    }

    fn write(path: &Path, shard: Option<ShardId>, inputs: &[(&str, bool)]) {
        let mut w = ReportWriter::create(path, shard).unwrap();
        for (name, ok) in inputs {
            w.input(&input(name), &outcome(*ok)).unwrap();
        }
        w.finish(1.0).unwrap();
    }

    #[test]
    fn reports_are_json_and_merge_with_their_failures() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("r/a.json");
        let b = dir.path().join("r/b.json");
        write(
            &a,
            Some(ShardId { k: 1, n: 2 }),
            &[("a.txt", true), ("b.txt", false)],
        );
        write(&b, Some(ShardId { k: 2, n: 2 }), &[("c.txt", true)]);
        let value: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&a).unwrap()).unwrap();
        assert_eq!(value["inputs"][0]["warnings"][0]["line"], 3);
        assert_eq!(
            value["inputs"][1]["error"]["message"],
            "b.txt: empty input: nothing to convert"
        );
        assert_eq!(value["totals"]["failed"], 1);
        let merged = merge(&[a.clone(), b]).unwrap();
        assert_eq!(merged.totals.inputs, 3);
        assert_eq!(merged.totals.converted, 2);
        assert_eq!(merged.failed.len(), 1);
        assert!(!merged.ok());
        let alone = merge(&[a]).unwrap();
        assert_eq!(alone.missing_shards, ["2/2"]);
    }

    #[test]
    fn an_input_in_two_reports_is_a_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        write(&a, None, &[("a.txt", true)]);
        write(&b, None, &[("a.txt", true)]);
        let merged = merge(&[a, b]).unwrap();
        assert_eq!(merged.duplicates, ["a.txt"]);
        assert!(!merged.ok());
    }
}
