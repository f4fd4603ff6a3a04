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
pub fn plan(
    inputs: Vec<Input>,
    writers: &[&WriterInfo],
    out_dir: &Path,
) -> Result<Plan, Vec<Collision>> {
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut kept = Vec::with_capacity(inputs.len());
    let mut notices = Vec::new();
    for input in inputs {
        if input.stdin {
            kept.push(input);
            continue;
        }
        let key = std::fs::canonicalize(&input.path).unwrap_or_else(|_| resolve(&input.path));
        match seen.entry(key) {
            Entry::Occupied(first) => notices.push(Notice::new(
                &input.path,
                format!("same file as {}: converted once", first.get().display()),
            )),
            Entry::Vacant(slot) => {
                slot.insert(input.path.clone());
                kept.push(input);
            }
        }
    }

    let out_abs = resolve(out_dir);
    let mut claimed: HashMap<PathBuf, usize> = HashMap::new();
    let mut collisions = Vec::new();
    for (i, input) in kept.iter().enumerate() {
        for writer in writers {
            let rel = input.output(writer.extension);
            if let Some(first) = seen.get(&out_abs.join(&rel)) {
                collisions.push(Collision {
                    output: out_dir.join(&rel),
                    first: first.clone(),
                    second: input.path.clone(),
                    overwrites_input: true,
                });
            }
            match claimed.entry(rel) {
                Entry::Occupied(first) => collisions.push(Collision {
                    output: out_dir.join(first.key()),
                    first: kept[*first.get()].path.clone(),
                    second: input.path.clone(),
                    overwrites_input: false,
                }),
                Entry::Vacant(slot) => {
                    slot.insert(i);
                }
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
