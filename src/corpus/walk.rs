//! Expanding the command line's inputs: files as given, folders walked recursively.
//!
//! A folder is walked depth first with each folder's entries sorted by name (bytewise),
//! so every run — and every shard of an array job — sees the same list in the same
//! order. Hidden entries (names starting with `.`) are skipped; a symbolic link is
//! followed only to a file inside the folder argument, never to a folder (no cycles)
//! and never out of the tree; the output folder is skipped when it lies inside.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use super::{Input, Notice};
use crate::diag::Error;
use crate::read::READERS;

/// How to expand the inputs.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Take every file in a folder, not only those whose extension a reader claims
    /// (`--from` names the reader for all of them).
    pub any_extension: bool,
    /// A folder never to walk into: the output folder, canonicalised.
    pub skip: Option<PathBuf>,
    /// The output stem of standard input (`stdin` unless `--stem` says otherwise).
    pub stdin_stem: String,
}

/// The inputs found, and what went wrong finding them.
#[derive(Debug, Default)]
pub struct Walked {
    /// Every input, in order: the arguments' order, each folder's files sorted.
    pub inputs: Vec<Input>,
    /// Links not followed, folders with no input.
    pub notices: Vec<Notice>,
    /// Folders that could not be read.
    pub errors: Vec<Error>,
}

/// Expands `args` (files, folders and `-`) into the run's inputs.
pub fn expand(args: &[PathBuf], options: &WalkOptions) -> Walked {
    let mut walked = Walked::default();
    for arg in args {
        if arg.as_os_str() == "-" {
            walked.inputs.push(Input {
                path: arg.clone(),
                stdin: true,
                rel: PathBuf::from(&options.stdin_stem),
                out_stem: PathBuf::from(&options.stdin_stem),
            });
        } else if arg.is_dir() {
            let before = walked.inputs.len();
            let root = fs::canonicalize(arg).unwrap_or_else(|_| arg.clone());
            walk_folder(arg, &root, Path::new(""), options, &mut walked);
            if walked.inputs.len() == before {
                walked.notices.push(Notice::new(
                    arg,
                    format!("no input in this folder (files ending {})", extensions()),
                ));
            }
        } else {
            // A file, or a path that does not exist: converting it names the problem.
            let stem = arg.file_stem().unwrap_or(OsStr::new("out"));
            walked.inputs.push(Input {
                path: arg.clone(),
                stdin: false,
                rel: arg.clone(),
                out_stem: PathBuf::from(stem),
            });
        }
    }
    walked
}

/// The extensions readers claim, for messages: `.txt, .json, .md, …`.
fn extensions() -> String {
    let all: Vec<String> = READERS
        .iter()
        .flat_map(|r| r.extensions.iter().map(|e| format!(".{e}")))
        .collect();
    all.join(", ")
}

/// Tells whether a reader claims the file's extension.
pub fn claimed(path: &Path) -> bool {
    let Some(ext) = path.extension().and_then(OsStr::to_str) else {
        return false;
    };
    let ext = ext.to_ascii_lowercase();
    READERS.iter().any(|r| r.extensions.contains(&ext.as_str()))
}

fn walk_folder(dir: &Path, root: &Path, rel: &Path, options: &WalkOptions, walked: &mut Walked) {
    let entries = match fs::read_dir(dir) {
        Ok(rd) => rd.collect::<Result<Vec<_>, _>>(),
        Err(e) => Err(e),
    };
    let mut entries = match entries {
        Ok(entries) => entries,
        Err(source) => {
            walked.errors.push(Error::Io {
                path: dir.to_owned(),
                source,
            });
            return;
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let path = entry.path();
        let rel = rel.join(&name);
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let is_dir = if kind.is_symlink() {
            match fs::canonicalize(&path) {
                Err(_) => {
                    walked
                        .notices
                        .push(Notice::new(&path, "broken symbolic link, skipped"));
                    continue;
                }
                Ok(target) if !target.starts_with(root) => {
                    walked.notices.push(Notice::new(
                        &path,
                        "symbolic link out of the folder, not followed",
                    ));
                    continue;
                }
                Ok(target) if target.is_dir() => {
                    walked.notices.push(Notice::new(
                        &path,
                        "symbolic link to a folder, not followed",
                    ));
                    continue;
                }
                Ok(_) => false,
            }
        } else {
            kind.is_dir()
        };
        if is_dir {
            let skip = options.skip.as_deref().is_some_and(|skip| {
                fs::canonicalize(&path).is_ok_and(|canonical| canonical == skip)
            });
            if !skip {
                walk_folder(&path, root, &rel, options, walked);
            }
        } else if options.any_extension || claimed(&path) {
            let out_stem = rel.with_extension("");
            walked.inputs.push(Input {
                path,
                stdin: false,
                rel,
                out_stem,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(root: &Path, rel: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, "Title\n\nText.\n").unwrap();
    }

    #[test]
    fn folders_are_walked_sorted_skipping_hidden_and_unclaimed_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        for rel in [
            "b/2.md",
            "b/10.xml",
            "a.txt",
            "a/z.txt",
            ".git/x.txt",
            "a/.hidden.txt",
            "a/image.png",
            "README",
        ] {
            touch(&root, rel);
        }
        let walked = expand(std::slice::from_ref(&root), &WalkOptions::default());
        let rels: Vec<String> = walked
            .inputs
            .iter()
            .map(|i| i.rel.to_string_lossy().into_owned())
            .collect();
        assert_eq!(rels, ["a/z.txt", "a.txt", "b/10.xml", "b/2.md"]);
        assert_eq!(walked.inputs[0].out_stem, Path::new("a/z"));
        assert_eq!(walked.inputs[0].path, root.join("a/z.txt"));
        let all = WalkOptions {
            any_extension: true,
            ..WalkOptions::default()
        };
        assert_eq!(expand(&[root], &all).inputs.len(), 6);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_only_to_files_inside_the_tree() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        touch(&root, "in.txt");
        touch(dir.path(), "outside.txt");
        symlink(root.join("in.txt"), root.join("link-in.txt")).unwrap();
        symlink(dir.path().join("outside.txt"), root.join("link-out.txt")).unwrap();
        symlink(&root, root.join("loop")).unwrap();
        let walked = expand(std::slice::from_ref(&root), &WalkOptions::default());
        let rels: Vec<_> = walked.inputs.iter().map(|i| i.rel.clone()).collect();
        assert_eq!(
            rels,
            [PathBuf::from("in.txt"), PathBuf::from("link-in.txt")]
        );
        let notes: Vec<String> = walked.notices.iter().map(|n| n.message.clone()).collect();
        assert_eq!(
            notes,
            [
                "symbolic link out of the folder, not followed",
                "symbolic link to a folder, not followed"
            ]
        );
    }

    #[test]
    fn files_keep_flat_names_and_the_output_folder_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        touch(&root, "x/doc.txt");
        touch(&root, "out/doc.json");
        let options = WalkOptions {
            skip: Some(fs::canonicalize(root.join("out")).unwrap()),
            stdin_stem: "stdin".into(),
            ..WalkOptions::default()
        };
        let args = [root.join("x/doc.txt"), root.clone(), PathBuf::from("-")];
        let walked = expand(&args, &options);
        let stems: Vec<_> = walked.inputs.iter().map(|i| i.out_stem.clone()).collect();
        assert_eq!(
            stems,
            [
                PathBuf::from("doc"),
                PathBuf::from("x/doc"),
                PathBuf::from("stdin")
            ]
        );
        assert!(walked.inputs[2].stdin);
    }
}
