//! Writing one input's outputs all or nothing, and cleaning up after killed runs.
//!
//! Each output is written to a temporary file beside its destination
//! (`.lacuna-<pid>.<host>.<random>.tmp`). Only when every writer has succeeded are they
//! moved into place, in three steps:
//!
//! 1. every destination is checked (a folder or a device in the way refuses the input
//!    before any file moves);
//! 2. an existing destination is kept aside as a hard link (a copy where links are not
//!    supported), so the destination never stops existing, and the temporary file is
//!    renamed over it — atomically, on one file system;
//! 3. if a rename fails, the renames already made for this input are undone: the files
//!    kept aside go back, new files are removed. Only then are the kept files deleted.
//!
//! A run killed with `kill -9` leaves its temporary files; the next run removes those
//! in the folders it writes to ([`clean_stale`]): files named by this host for a process
//! that no longer runs, and files from other hosts an hour older than the run (a
//! shard on another machine may still be writing newer ones).

use std::fs;
use std::io::{self, BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use tempfile::TempPath;

use super::Notice;
use crate::diag::{Error, Result, Warning};
use crate::ir::Document;
use crate::write::{WriteContext, WriterInfo};

/// The start of every temporary file name lacuna writes.
pub const TEMP_PREFIX: &str = ".lacuna-";
/// The end of every temporary file name lacuna writes.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Temporary files from another host are removed only when this much older than the run.
const FOREIGN_AGE: Duration = Duration::from_secs(3600);

/// Writes `doc` with each writer to the matching destination in `dests`, all or
/// nothing: after an error no destination exists that did not before, and those that
/// did are as they were. Creates the destinations' folders.
pub fn write_all(
    doc: &Document,
    input: &Path,
    writers: &[&WriterInfo],
    dests: &[PathBuf],
    ctx: &WriteContext<'_>,
) -> Result<(Vec<PathBuf>, Vec<Warning>)> {
    for dest in dests {
        if let Some(parent) = folder_of(dest) {
            fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
    }
    // Checked before the (possibly long) writing, and again before the renames.
    check_destinations(dests, input)?;
    let mut staged = Vec::with_capacity(writers.len());
    let mut warnings = Vec::new();
    for (writer, dest) in writers.iter().zip(dests) {
        let (tmp, more) = stage(doc, writer, dest, ctx)?;
        warnings.extend(more);
        staged.push((tmp, dest.clone()));
    }
    check_destinations(dests, input)?;
    let written = commit_with(staged, input, &mut |from, to| fs::rename(from, to))?;
    Ok((written, warnings))
}

/// The folder a destination goes in (`.` for a bare file name).
fn folder_of(dest: &Path) -> Option<&Path> {
    match dest.parent() {
        Some(p) if p.as_os_str().is_empty() => Some(Path::new(".")),
        other => other,
    }
}

/// Refuses the input if a destination exists and is not a file a rename can replace.
fn check_destinations(dests: &[PathBuf], input: &Path) -> Result<()> {
    for dest in dests {
        let refuse = |message: &str| Error::Destination {
            path: dest.clone(),
            input: input.to_owned(),
            message: message.to_owned(),
        };
        match fs::symlink_metadata(dest) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(Error::Io {
                    path: dest.clone(),
                    source,
                });
            }
            Ok(m) if m.is_dir() => return Err(refuse("is a folder, not replacing it")),
            Ok(m) if m.is_file() || m.file_type().is_symlink() => {}
            Ok(_) => return Err(refuse("is not a regular file, not replacing it")),
        }
    }
    Ok(())
}

/// Writes one output to a temporary file beside `dest`.
fn stage(
    doc: &Document,
    writer: &WriterInfo,
    dest: &Path,
    ctx: &WriteContext<'_>,
) -> Result<(TempPath, Vec<Warning>)> {
    let folder = folder_of(dest).unwrap_or(Path::new("."));
    let io_err = |source| Error::Io {
        path: dest.to_owned(),
        source,
    };
    let tmp = tempfile::Builder::new()
        .prefix(&temp_prefix())
        .suffix(TEMP_SUFFIX)
        .tempfile_in(folder)
        .map_err(|source| Error::Io {
            path: folder.to_owned(),
            source,
        })?;
    let mut out = BufWriter::new(tmp);
    let warnings = (writer.write)(doc, ctx, &mut out).map_err(|source| Error::Write {
        path: dest.to_owned(),
        source,
    })?;
    out.flush().map_err(io_err)?;
    let tmp = out.into_inner().map_err(|e| io_err(e.into_error()))?;
    // Temporary files are private (0600); an output is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .map_err(io_err)?;
    }
    Ok((tmp.into_temp_path(), warnings))
}

/// Moves staged temporary files onto their destinations with `rename`, undoing the
/// moves already made if one fails. `rename` is a parameter so that tests can make
/// it fail.
pub fn commit_with(
    staged: Vec<(TempPath, PathBuf)>,
    input: &Path,
    rename: &mut dyn FnMut(&Path, &Path) -> io::Result<()>,
) -> Result<Vec<PathBuf>> {
    // (destination, the previous file kept aside) for every rename made.
    let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::with_capacity(staged.len());
    let mut failure = None;
    for (tmp, dest) in staged {
        let kept = match keep_aside(&tmp, &dest) {
            Ok(kept) => kept,
            Err(e) => {
                failure = Some((dest, e));
                break;
            }
        };
        match rename(&tmp, &dest) {
            Ok(()) => {
                // The file is at its destination now; nothing to delete on drop.
                let _ = tmp.keep();
                done.push((dest, kept));
            }
            Err(e) => {
                if let Some(kept) = kept {
                    let _ = fs::remove_file(kept);
                }
                failure = Some((dest, e));
                break;
            }
        }
    }
    let Some((dest, error)) = failure else {
        for (_, kept) in &done {
            if let Some(kept) = kept {
                let _ = fs::remove_file(kept);
            }
        }
        return Ok(done.into_iter().map(|(dest, _)| dest).collect());
    };
    let mut message = format!("cannot be replaced ({error})");
    let mut unrestored = Vec::new();
    for (done_dest, kept) in done.iter().rev() {
        let undone = match kept {
            Some(kept) => fs::rename(kept, done_dest),
            None => fs::remove_file(done_dest),
        };
        if let Err(e) = undone {
            unrestored.push(format!("{}: {e}", done_dest.display()));
        }
    }
    if unrestored.is_empty() {
        if !done.is_empty() {
            message.push_str("; the outputs already moved were restored");
        }
    } else {
        message.push_str(&format!("; could not restore {}", unrestored.join(", ")));
    }
    Err(Error::Destination {
        path: dest,
        input: input.to_owned(),
        message,
    })
}

/// Keeps an existing destination aside under a temporary name beside it, as a hard
/// link (or a copy), so the rename can be undone. Returns `None` if there is none.
fn keep_aside(tmp: &Path, dest: &Path) -> io::Result<Option<PathBuf>> {
    match fs::symlink_metadata(dest) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    let mut name = tmp.as_os_str().to_owned();
    name.push(".old");
    name.push(TEMP_SUFFIX);
    let kept = PathBuf::from(name);
    if fs::hard_link(dest, &kept).is_err() {
        fs::copy(dest, &kept)?;
    }
    Ok(Some(kept))
}

/// The prefix of this process's temporary files: `.lacuna-<pid>.<host>.`.
pub fn temp_prefix() -> String {
    format!("{TEMP_PREFIX}{}.{}.", std::process::id(), host())
}

/// This machine's name, with everything but ASCII letters, digits and `-` made `_`, so
/// it cannot contain the `.` that separates the parts of a temporary file's name.
fn host() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        let name = fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .unwrap_or_default();
        let name: String = name
            .trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if name.is_empty() {
            "unknown".into()
        } else {
            name
        }
    })
}

/// Tells whether a process with this id runs on this machine.
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: kill with signal 0 sends nothing; it only checks the process exists.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Tells whether a temporary file (by its name and age) was left by a run that ended.
fn is_stale(name: &str, modified: Option<SystemTime>, run_start: SystemTime) -> bool {
    let Some(middle) = name
        .strip_prefix(TEMP_PREFIX)
        .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
    else {
        return false;
    };
    let mut parts = middle.split('.');
    if let (Some(pid), Some(h)) = (parts.next(), parts.next())
        && h == host()
        && let Ok(pid) = pid.parse::<u32>()
    {
        return pid != std::process::id() && !process_alive(pid);
    }
    modified.is_some_and(|m| m + FOREIGN_AGE < run_start)
}

/// Removes temporary files left by interrupted runs in `folders`, returning a notice
/// for each file removed (or that could not be).
pub fn clean_stale<'a>(
    folders: impl IntoIterator<Item = &'a Path>,
    run_start: SystemTime,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    for folder in folders {
        let Ok(entries) = fs::read_dir(folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() || !is_stale(name, meta.modified().ok(), run_start) {
                continue;
            }
            let path = entry.path();
            match fs::remove_file(&path) {
                Ok(()) => notices.push(Notice::new(
                    path,
                    "removed a temporary file left by an interrupted run",
                )),
                Err(e) => notices.push(Notice::new(
                    path,
                    format!("cannot remove a temporary file left by an interrupted run: {e}"),
                )),
            }
        }
    }
    notices
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staged(dir: &Path, name: &str, text: &str) -> (TempPath, PathBuf) {
        let mut tmp = tempfile::Builder::new()
            .prefix(&temp_prefix())
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir)
            .unwrap();
        tmp.write_all(text.as_bytes()).unwrap();
        (tmp.into_temp_path(), dir.join(name))
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_failed_rename_restores_the_previous_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("a.json"), "old a").unwrap();
        let batch = vec![
            staged(d, "a.json", "new a"),
            staged(d, "a.tei.xml", "new tei"),
            staged(d, "a.pdf", "new pdf"),
        ];
        let mut calls = 0;
        let mut rename = |from: &Path, to: &Path| {
            calls += 1;
            if calls == 3 {
                return Err(io::Error::other("injected failure"));
            }
            fs::rename(from, to)
        };
        let err = commit_with(batch, Path::new("a.txt"), &mut rename).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("a.pdf: cannot be replaced (injected failure)"),
            "{text}"
        );
        assert!(text.contains("restored"), "{text}");
        assert_eq!(names(d), ["a.json"], "no new file, no temporary file left");
        assert_eq!(fs::read_to_string(d.join("a.json")).unwrap(), "old a");
    }

    #[test]
    fn a_successful_commit_replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("a.json"), "old a").unwrap();
        let batch = vec![staged(d, "a.json", "new a"), staged(d, "a.pdf", "pdf")];
        let written = commit_with(batch, Path::new("a.txt"), &mut |f, t| fs::rename(f, t));
        assert_eq!(written.unwrap().len(), 2);
        assert_eq!(names(d), ["a.json", "a.pdf"]);
        assert_eq!(fs::read_to_string(d.join("a.json")).unwrap(), "new a");
    }

    #[test]
    fn stale_means_a_dead_process_here_or_an_old_file_elsewhere() {
        let now = SystemTime::now();
        let me = format!(
            "{}{}.{}.abc{}",
            TEMP_PREFIX,
            std::process::id(),
            host(),
            ".tmp"
        );
        assert!(
            !is_stale(&me, Some(now), now),
            "our own files are not stale"
        );
        // Process ids are below 2^22 on Linux; this one cannot be running.
        let dead = format!("{TEMP_PREFIX}4294967.{}.abc.tmp", host());
        assert!(is_stale(&dead, Some(now), now));
        let foreign = format!("{TEMP_PREFIX}1.other-host.abc.tmp");
        assert!(!is_stale(&foreign, Some(now), now));
        let old = now - FOREIGN_AGE - Duration::from_secs(1);
        assert!(is_stale(&foreign, Some(old), now));
        assert!(!is_stale("notes.tmp", Some(old), now));
    }
}
