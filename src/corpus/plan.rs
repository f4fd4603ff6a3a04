//! Planning a run before anything is written: inputs given twice are converted once,
//! and two inputs that would write the same output refuse the whole run.
//!
//! Collisions must be found up front, over the whole list and before sharding: found
//! later, one input's files would overwrite the other's in an order that changes from
//! run to run, and could leave a mix of both.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::{Input, Notice};
use crate::write::WriterInfo;

/// Two inputs that would write the same output path, or an output that would
/// overwrite an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    /// The output path both would write (under the output folder).
    pub output: PathBuf,
    /// The input that claims it first (or that the output would overwrite).
    pub first: PathBuf,
    /// The input that claims it second.
    pub second: PathBuf,
    /// Whether `output` is the input `first` itself.
    pub overwrites_input: bool,
}

impl fmt::Display for Collision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.overwrites_input {
            write!(
                f,
                "{}: the output of {} would overwrite the input {}",
                self.output.display(),
                self.second.display(),
                self.first.display()
            )
        } else {
            write!(
                f,
                "{}: both {} and {} would write it",
                self.output.display(),
                self.first.display(),
                self.second.display()
            )
        }
    }
}

/// The inputs to convert, each once, with no two writing the same path.
#[derive(Debug)]
pub struct Plan {
    /// The inputs, in order, duplicates removed.
    pub inputs: Vec<Input>,
    /// One notice per input dropped as a duplicate.
    pub notices: Vec<Notice>,
}

/// Removes inputs given twice (the same file by another path or link counts) and checks
/// that no two inputs write the same output under `out_dir`, nor any output an input.
///
/// The tables hold 64-bit hashes of paths, not the paths, so a million inputs cost a
/// few dozen megabytes; a hash that matches is checked against the real paths.
pub fn plan(
    inputs: Vec<Input>,
    writers: &[&WriterInfo],
    out_dir: &Path,
) -> Result<Plan, Vec<Collision>> {
    let identity =
        |input: &Input| std::fs::canonicalize(&input.path).unwrap_or_else(|_| resolve(&input.path));
    let mut seen = PathTable::default();
    let mut kept: Vec<Input> = Vec::with_capacity(inputs.len());
    let mut notices = Vec::new();
    for input in inputs {
        if input.stdin {
            kept.push(input);
            continue;
        }
        let key = identity(&input);
        match seen.find(&key, |j| vec![identity(&kept[j])]) {
            Some(first) => notices.push(Notice::new(
                &input.path,
                format!(
                    "same file as {}: converted once",
                    kept[first].path.display()
                ),
            )),
            None => {
                seen.insert(&key, kept.len());
                kept.push(input);
            }
        }
    }

    let out_abs = resolve(out_dir);
    let outputs_of = |j: usize| -> Vec<PathBuf> {
        writers
            .iter()
            .map(|w| kept[j].output(w.extension))
            .collect()
    };
    let mut claimed = PathTable::default();
    let mut collisions = Vec::new();
    for (i, input) in kept.iter().enumerate() {
        for writer in writers {
            let rel = input.output(writer.extension);
            let abs = out_abs.join(&rel);
            if let Some(first) = seen.find(&abs, |j| vec![identity(&kept[j])]) {
                collisions.push(Collision {
                    output: out_dir.join(&rel),
                    first: kept[first].path.clone(),
                    second: input.path.clone(),
                    overwrites_input: true,
                });
            }
            match claimed.find(&rel, outputs_of) {
                Some(first) => collisions.push(Collision {
                    output: out_dir.join(&rel),
                    first: kept[first].path.clone(),
                    second: input.path.clone(),
                    overwrites_input: false,
                }),
                None => claimed.insert(&rel, i),
            }
        }
    }
    if collisions.is_empty() {
        Ok(Plan {
            inputs: kept,
            notices,
        })
    } else {
        Err(collisions)
    }
}

/// A set of paths, each standing for an input, stored as hashes: the paths themselves
/// are recomputed from the input when a hash matches.
#[derive(Default)]
struct PathTable {
    /// Path hash → input number.
    by_hash: HashMap<u64, usize>,
    /// The rare paths whose hash another path already has.
    overflow: HashMap<PathBuf, usize>,
}

impl PathTable {
    /// Finds the input that holds `path`; `paths_of(j)` gives input j's paths.
    fn find(&self, path: &Path, paths_of: impl Fn(usize) -> Vec<PathBuf>) -> Option<usize> {
        if let Some(&j) = self.by_hash.get(&hash(path))
            && paths_of(j).iter().any(|p| p == path)
        {
            return Some(j);
        }
        self.overflow.get(path).copied()
    }

    /// Records that input `j` holds `path` (which [`find`](Self::find) did not find).
    fn insert(&mut self, path: &Path, j: usize) {
        match self.by_hash.entry(hash(path)) {
            Entry::Vacant(slot) => {
                slot.insert(j);
            }
            Entry::Occupied(_) => {
                self.overflow.insert(path.to_owned(), j);
            }
        }
    }
}

fn hash(path: &Path) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(path)
}

/// Makes a path absolute and resolves links in the part of it that exists, so that
/// a folder not yet created compares equal however it is spelt.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(existing) {
            let mut out = canonical;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return normalise(&out);
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return normalise(&absolute),
        }
    }
}

/// Removes `.` and resolves `..` lexically (for the part of a path that does not exist).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::by_name;

    fn input(path: &str, out_stem: &str) -> Input {
        Input {
            path: path.into(),
            stdin: false,
            rel: path.into(),
            out_stem: out_stem.into(),
        }
    }

    #[test]
    fn same_stems_collide_and_name_both_inputs() {
        let writers = [by_name("json").unwrap(), by_name("pdf").unwrap()];
        let inputs = vec![input("a/doc.md", "doc"), input("b/doc.txt", "doc")];
        let collisions = plan(inputs, &writers, Path::new("out")).unwrap_err();
        assert_eq!(collisions.len(), 2);
        assert_eq!(
            collisions[0].to_string(),
            "out/doc.json: both a/doc.md and b/doc.txt would write it"
        );
        let mirrored = vec![input("a/doc.md", "a/doc"), input("b/doc.txt", "b/doc")];
        assert!(plan(mirrored, &writers, Path::new("out")).is_ok());
    }

    #[test]
    fn the_same_file_twice_is_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("doc.txt");
        std::fs::write(&file, "x").unwrap();
        let again = dir.path().join(".").join("doc.txt");
        let inputs = vec![
            input(file.to_str().unwrap(), "doc"),
            input(again.to_str().unwrap(), "doc"),
        ];
        let plan = plan(inputs, &[by_name("json").unwrap()], dir.path()).unwrap();
        assert_eq!(plan.inputs.len(), 1);
        assert_eq!(plan.notices.len(), 1);
        assert!(plan.notices[0].message.starts_with("same file as"));
    }

    #[test]
    fn a_hash_shared_by_two_paths_keeps_both_apart() {
        let mut table = PathTable::default();
        let (a, b) = (Path::new("out/a.json"), Path::new("out/b.json"));
        // Input 7's slot takes b's hash, as a hash collision would.
        table.by_hash.insert(hash(b), 7);
        let paths_of = |j: usize| match j {
            7 => vec![PathBuf::from("out/other.json")],
            1 => vec![b.to_owned()],
            _ => vec![a.to_owned()],
        };
        assert_eq!(table.find(b, paths_of), None);
        table.insert(b, 1);
        table.insert(a, 0);
        assert_eq!(table.find(b, paths_of), Some(1));
        assert_eq!(table.find(a, paths_of), Some(0));
        assert_eq!(table.overflow.len(), 1);
    }

    #[test]
    fn an_output_may_not_overwrite_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("doc.json");
        std::fs::write(&json, "{}").unwrap();
        let txt = dir.path().join("doc.txt");
        let inputs = vec![
            input(json.to_str().unwrap(), "doc"),
            input(txt.to_str().unwrap(), "other"),
        ];
        let writers = [by_name("json").unwrap()];
        let collisions = plan(inputs, &writers, dir.path()).unwrap_err();
        assert!(collisions[0].overwrites_input, "{collisions:?}");
    }
}
