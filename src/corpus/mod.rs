//! Corpus runs: whole archives converted in one go without losing a file.
//!
//! The stages, in the order a run takes them:
//!
//! 1. [`walk`] expands the command line's inputs — files, folders (walked recursively in
//!    a fixed order), `-` for standard input — into a list of [`Input`]s;
//! 2. [`plan`] drops inputs given twice and refuses, before anything is written, two
//!    inputs that would write the same output;
//!    [`shard`] keeps this task's share when an array job splits the run;
//! 3. [`run`] converts the inputs on worker threads and hands each result to a
//!    [`run::Sink`] in input order, as soon as every earlier input is done;
//! 4. [`commit`] writes one input's outputs all or nothing;
//! 5. [`report`] records every input's outputs, warnings and error as JSON, and merges
//!    the reports of several shards.

pub mod commit;
pub mod plan;
pub mod report;
pub mod run;
pub mod shard;
pub mod walk;

use std::fmt;
use std::path::PathBuf;

/// One input of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path messages give and the file read (`-` for standard input).
    pub path: PathBuf,
    /// Whether the input is standard input rather than a file.
    pub stdin: bool,
    /// The input's path relative to the folder argument it was found in (for a file
    /// given directly, the path as given).
    pub rel: PathBuf,
    /// Where its outputs go, relative to the output folder and without extension:
    /// `1917/apr/minutes` for `corpus/1917/apr/minutes.txt` found in `corpus/`.
    pub out_stem: PathBuf,
}

impl Input {
    /// Returns the output path, relative to the output folder, for a writer's extension.
    pub fn output(&self, extension: &str) -> PathBuf {
        let mut name = self.out_stem.clone().into_os_string();
        name.push(".");
        name.push(extension);
        PathBuf::from(name)
    }
}

/// Something about the run the user should know that is not a warning about a
/// document's content: an input given twice, a stale temporary file removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The file or folder concerned.
    pub path: PathBuf,
    /// What happened, as a sentence fragment.
    pub message: String,
}

impl Notice {
    /// Makes a notice about `path`.
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Notice {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}
