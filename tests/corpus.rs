//! Corpus runs through the binary: folders mirrored, collisions refused, outputs all or
//! nothing under every failure we can cause, streaming messages, progress, the report.

mod common;

use common::{run, stderr};

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn write(root: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Every file under `dir`, as sorted relative paths.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, rel: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd {
            let e = e.unwrap();
            let rel = rel.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                walk(&e.path(), &rel, out);
            } else {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, Path::new(""), &mut out);
    out.sort();
    out
}

fn temp_files(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_iter()
        .filter(|p| p.rsplit('/').next().unwrap().starts_with(".lacuna-"))
        .collect()
}

fn transcript(title: &str, body: &str) -> String {
    format!("{title}\n\n{body}\n")
}

#[test]
fn folders_mirror_their_tree_and_files_keep_flat_names() {
    let dir = common::temp_dir();
    let d = dir.path();
    write(
        d,
        "corpus/1917/apr/minutes.txt",
        transcript("April", "Text."),
    );
    write(d, "corpus/1917/may/minutes.txt", transcript("May", "Text."));
    write(d, "corpus/1917/may/notes.md", "# Notes\n\nSome.\n");
    write(d, "corpus/.cache/minutes.txt", transcript("Hidden", "No."));
    write(d, "corpus/scan.png", "not an input");
    write(d, "loose/minutes-1918.txt", transcript("1918", "Text."));
    let out = run(
        &["corpus", "loose/minutes-1918.txt", "--json", "-o", "out"],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        tree(&d.join("out")),
        [
            "1917/apr/minutes.json",
            "1917/may/minutes.json",
            "1917/may/notes.json",
            "minutes-1918.json"
        ]
    );
}

#[test]
fn same_stems_never_exit_0_and_never_leave_a_file() {
    let dir = common::temp_dir();
    let d = dir.path();
    write(d, "a/doc.md", "# A\n\nFrom a.\n");
    write(d, "b/doc.txt", transcript("B", "From b."));
    for attempt in 0..30 {
        let out = run(
            &["a/doc.md", "b/doc.txt", "--json", "--pdf", "-o", "out"],
            d,
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "run {attempt}: {}",
            stderr(&out)
        );
        assert!(!d.join("out").exists(), "run {attempt} wrote something");
        let err = stderr(&out);
        assert!(
            err.contains("lacuna: out/doc.json: both a/doc.md and b/doc.txt would write it"),
            "{err}"
        );
        assert!(err.contains("nothing written"), "{err}");
    }
    // The same two as a folder: a.md and a.txt side by side collide as well.
    write(d, "c/a.md", "# A\n\nOne.\n");
    write(d, "c/a.txt", transcript("A", "Two."));
    let out = run(&["c", "--json", "-o", "out"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("out/a.json: both c/a.md and c/a.txt would write it"));
    assert!(!d.join("out").exists());
}

#[test]
fn the_same_file_twice_is_converted_once_with_a_warning() {
    let dir = common::temp_dir();
    let d = dir.path();
    write(d, "doc.txt", transcript("T", "Text."));
    let out = run(&["doc.txt", "./doc.txt", "--json", "-o", "out", "-v"], d);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("lacuna: warning: ./doc.txt: same file as doc.txt: converted once"),
        "{err}"
    );
    assert_eq!(err.matches("wrote out/doc.json").count(), 1, "{err}");
}

#[test]
fn a_folder_in_the_way_refuses_the_input_and_keeps_the_previous_files() {
    let dir = common::temp_dir();
    let d = dir.path();
    write(d, "doc.txt", transcript("T", "New text."));
    write(d, "other.txt", transcript("O", "Other."));
    write(d, "out/doc.json", "previous json");
    write(d, "out/doc.pdf/keep", "a folder where the PDF would go");
    let out = run(
        &[
            "doc.txt",
            "other.txt",
            "--json",
            "--tei",
            "--pdf",
            "-o",
            "out",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "lacuna: out/doc.pdf: is a folder, not replacing it; nothing written for doc.txt"
        ),
        "{err}"
    );
    assert_eq!(common::read(&d.join("out/doc.json")), "previous json");
    assert_eq!(
        tree(&d.join("out")),
        [
            "doc.json",
            "doc.pdf/keep",
            "other.json",
            "other.pdf",
            "other.tei.xml"
        ]
    );
}

/// A file system mounted for one test, unmounted when dropped (root only).
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path, options: &str, test: &str) -> Option<Mount> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("SKIPPED {test}: needs root to mount a tmpfs");
            return None;
        }
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("SKIPPED {test}: cannot mount a tmpfs here");
            return None;
        }
        Some(Mount(at.to_owned()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_read_only_folder_fails_the_input_and_writes_nothing() {
    let dir = common::temp_dir();
    let d = dir.path();
    write(d, "doc.txt", transcript("T", "Text."));
    // Root ignores permission bits, so for root a read-only mount stands for a
    // read-only folder; anyone else gets a folder without write permission.
    // SAFETY: geteuid has no preconditions.
    let _mount = if unsafe { libc::geteuid() } == 0 {
        let Some(mount) = Mount::tmpfs(&d.join("out"), "ro,size=64k", "read_only_folder") else {
            return;
        };
        Some(mount)
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir(d.join("out")).unwrap();
        let mode = std::fs::Permissions::from_mode(0o555);
        std::fs::set_permissions(d.join("out"), mode).unwrap();
        None
    };
    let out = run(&["doc.txt", "--json", "--pdf", "-o", "out"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("lacuna: out: ") && err.contains("Read-only"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(tree(&d.join("out")).is_empty());
}

#[test]
fn a_full_disk_fails_the_input_and_keeps_the_previous_files() {
    let dir = common::temp_dir();
    let d = dir.path();
    let seed = common::seed();
    // 32 KiB: room for the seed's JSON (11 KB) but not for its PDF (36 KB).
    let Some(_mount) = Mount::tmpfs(&d.join("out"), "size=32k", "full_disk") else {
        return;
    };
    write(d, "out/minutes-1917.json", "previous json");
    let out = run(&[seed.to_str().unwrap(), "--json", "--pdf", "-o", "out"], d);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(tree(&d.join("out")), ["minutes-1917.json"]);
    assert_eq!(
        common::read(&d.join("out/minutes-1917.json")),
        "previous json"
    );
}

/// A transcript long enough that setting it as a PDF takes a while.
fn long_transcript(paragraphs: usize) -> String {
    let words: Vec<String> = common::seed_words();
    let mut text = String::from("A long document\n\n");
    for i in 0..paragraphs {
        text.push_str(&format!("Paragraph {i}. "));
        text.push_str(&words[..words.len().min(150)].join(" "));
        text.push_str("\n\n");
    }
    text
}

#[test]
fn a_killed_run_leaves_no_output_and_the_next_run_cleans_up() {
    let dir = common::temp_dir();
    let d = dir.path();
    write(d, "big.txt", long_transcript(300));
    write(d, "out/big.pdf", "previous pdf");
    let mut child = common::lacuna()
        .args(["big.txt", "--pdf", "-o", "out", "-q"])
        .current_dir(d)
        .spawn()
        .unwrap();
    // Wait until the PDF is being written, then kill the process outright.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let started = temp_files(&d.join("out"))
            .iter()
            .any(|t| std::fs::metadata(d.join("out").join(t)).is_ok_and(|m| m.len() > 0));
        if started {
            break;
        }
        if child.try_wait().unwrap().is_some() {
            panic!("lacuna finished before it could be killed: make the input longer");
        }
        assert!(Instant::now() < deadline, "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let left = temp_files(&d.join("out"));
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(common::read(&d.join("out/big.pdf")), "previous pdf");
    // The next run into the folder removes it, and says so.
    write(d, "small.txt", transcript("S", "Small."));
    let out = run(&["small.txt", "--json", "-o", "out"], d);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "lacuna: warning: out/{}: removed a temporary file left by an interrupted run\n",
            left[0]
        )
    );
    assert!(temp_files(&d.join("out")).is_empty());
}

#[test]
fn messages_stream_before_later_inputs_are_done() {
    // The second input is standard input, held open: the first input's warning must
    // be printed while lacuna still waits for it.
    let dir = common::temp_dir();
    let d = dir.path();
    write(d, "w.txt", transcript("W", "A....{1} B....{3}"));
    let mut child = common::lacuna()
        .args(["w.txt", "-", "--from", "transcript", "--json", "-o", "out"])
        .current_dir(d)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    assert_eq!(
        first,
        "lacuna: warning: w.txt:3:11: note {3} follows {1}: {2} is missing\n"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "still waiting for stdin"
    );
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"From stdin\n\nPiped text.\n").unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    assert_eq!(tree(&d.join("out")), ["stdin.json", "w.json"]);
}

#[test]
fn standard_input_needs_from_and_takes_a_stem() {
    let dir = common::temp_dir();
    let d = dir.path();
    let with_stdin = |args: &[&str], input: &str| {
        let mut child = common::lacuna()
            .args(args)
            .current_dir(d)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
        child.wait_with_output().unwrap()
    };
    let text = transcript("Piped", "Text....{1}");
    let out = with_stdin(&["-", "--json", "-o", "out"], &text);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("needs --from"), "{}", stderr(&out));
    let out = with_stdin(
        &[
            "-",
            "--from",
            "transcript",
            "--stem",
            "piped",
            "--json",
            "--tei",
            "-o",
            "out",
        ],
        &text,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(tree(&d.join("out")), ["piped.json", "piped.tei.xml"]);
    for bad in ["../up", "a/b", ""] {
        let out = with_stdin(
            &["-", "--from", "transcript", "--stem", bad, "--json"],
            &text,
        );
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(stderr(&out).contains("a file name without folders"));
    }
    let out = with_stdin(&["-", "--from", "transcript", "--json", "-o", "-"], &text);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"Piped\""));
}

#[test]
fn the_progress_bar_shows_on_a_terminal_only() {
    let dir = common::temp_dir();
    let d = dir.path();
    for i in 0..3 {
        write(d, &format!("in/d{i}.txt"), transcript("T", "Text."));
    }
    let piped = run(&["in", "--json", "-o", "out"], d);
    assert!(piped.status.success());
    assert!(piped.stderr.is_empty(), "{}", stderr(&piped));
    // `script` runs the command on a pseudo-terminal.
    if !common::have_tool("script", "progress_bar") {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_lacuna");
    let on_tty = |extra: &str| {
        let cmd = format!("{bin} in --json -o out {extra} 2>&1");
        let out = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(d)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_tty("");
    // The bar is redrawn at most a few times a second: the last state may not show.
    assert!(shown.contains("/3 files, 0 failed, "), "{shown:?}");
    assert!(shown.contains(" files/s, ETA "), "{shown:?}");
    let quiet = on_tty("-q");
    assert!(!quiet.contains("files"), "{quiet:?}");
}

#[test]
fn the_report_lists_every_input_and_merges() {
    let dir = common::temp_dir();
    let d = dir.path();
    write(d, "in/good.txt", transcript("G", "A....{1} B....{3}"));
    write(d, "in/bad.txt", b"Title\n\nBad \xff byte\n");
    let out = run(
        &[
            "in",
            "--json",
            "-o",
            "out",
            "--report",
            "out/reports/run.json",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_str(&common::read(&d.join("out/reports/run.json"))).unwrap();
    let inputs = report["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    assert_eq!(inputs[0]["input"], "in/bad.txt");
    assert_eq!(
        inputs[0]["error"]["message"],
        "in/bad.txt:3:5: invalid UTF-8 at byte offset 11"
    );
    assert_eq!(inputs[0]["error"]["line"], 3);
    assert_eq!(inputs[1]["outputs"][0], "out/good.json");
    assert_eq!(inputs[1]["warnings"][0]["col"], 11);
    assert!(inputs[1]["seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(report["totals"]["failed"], 1);
    assert_eq!(report["totals"]["converted"], 1);
    let merged = run(&["merge-reports", "out/reports/run.json"], d);
    assert_eq!(merged.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&merged.stdout),
        "1 reports: 2 inputs, 1 converted, 1 failed, 1 warnings, 1 outputs, 0.0 s\n".replace(
            "0.0 s",
            &format!("{:.1} s", report["totals"]["seconds"].as_f64().unwrap())
        )
    );
    assert_eq!(
        stderr(&merged),
        "lacuna: failed: in/bad.txt:3:5: invalid UTF-8 at byte offset 11\n"
    );
}

#[test]
fn control_characters_in_messages_are_escaped() {
    let dir = common::temp_dir();
    let name = "evil\u{1b}]0;pwned\u{7}\u{9b}31m.txt";
    let out = run(&[name, "--json", "-o", "out"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("lacuna: evil\\u{1b}]0;pwned\\u{7}\\u{9b}31m.txt: "),
        "{err:?}"
    );
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
    // clap's own usage errors quote the argument: escaped as well.
    let out = run(&["x.txt", "--json", "--jobs", "\u{7}\u{9b}2J"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    // (clap itself drops ESC and BEL sequences; the C1 CSI is left to us.)
    assert!(err.contains("\\u{9b}2J'"), "{err:?}");
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
}

#[test]
fn errors_are_said_once_and_an_output_file_is_named() {
    let dir = common::temp_dir();
    let d = dir.path();
    let out = run(&["nope.txt", "--json", "--style", "nope.toml"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "lacuna: nope.toml: no such style: not a built-in style (a5-book, a4-report) \
         nor a style file\n"
    );
    write(d, "file", "x");
    write(d, "doc.txt", transcript("T", "Text."));
    let out = run(&["doc.txt", "--json", "-o", "file"], d);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "lacuna: file: the output folder is a file\n");
}

#[test]
fn source_date_epoch_must_be_a_whole_number_in_range() {
    let dir = common::temp_dir();
    let d = dir.path();
    write(d, "doc.txt", transcript("T", "Text."));
    for bad in [
        "abc",
        "1e9",
        "-1",
        " 5",
        "253402300800",
        "99999999999999999999",
    ] {
        let out = common::lacuna()
            .args(["doc.txt", "--json", "-o", "out"])
            .env("SOURCE_DATE_EPOCH", bad)
            .current_dir(d)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let err = stderr(&out);
        assert!(err.starts_with("lacuna: SOURCE_DATE_EPOCH="), "{err}");
        assert!(err.contains("whole number of seconds since 1970"), "{err}");
    }
    assert!(!d.join("out").exists());
}

#[test]
fn pdf_and_epub_agree_on_the_date_at_both_ends_of_the_range() {
    let dir = common::temp_dir();
    let d = dir.path();
    let seed = common::seed();
    for (epoch, date) in [
        ("0", ("19700101000000", "1970-01-01T00:00:00Z")),
        ("253402300799", ("99991231235959", "9999-12-31T23:59:59Z")),
    ] {
        let out = common::lacuna()
            .args([seed.to_str().unwrap(), "--pdf", "--epub", "-o", epoch])
            .env("SOURCE_DATE_EPOCH", epoch)
            .current_dir(d)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let pdf = std::fs::read(d.join(epoch).join("minutes-1917.pdf")).unwrap();
        let pdf = String::from_utf8_lossy(&pdf);
        assert!(pdf.contains(&format!("D:{}", date.0)), "{epoch}: PDF date");
        let epub = std::fs::File::open(d.join(epoch).join("minutes-1917.epub")).unwrap();
        let mut zip = zip::ZipArchive::new(epub).unwrap();
        let opf = (0..zip.len())
            .find(|&i| zip.by_index(i).unwrap().name().unwrap().ends_with(".opf"))
            .unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_index(opf).unwrap(), &mut text).unwrap();
        assert!(
            text.contains(&format!(">{}</meta>", date.1)),
            "{epoch}: EPUB date in {text}"
        );
    }
}
