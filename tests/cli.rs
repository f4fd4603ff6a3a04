//! The command line: exit codes, error messages, outputs written all or nothing.

mod common;

use common::{run, stderr};

use std::path::Path;

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn converts_the_seed_into_the_out_dir() {
    let dir = common::temp_dir();
    let seed = common::seed();
    let out = run(
        &[seed.to_str().unwrap(), "--json", "-o", "out", "-v"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(files_in(&dir.path().join("out")), ["minutes-1917.json"]);
    assert!(
        stderr(&out).contains("wrote out/minutes-1917.json"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_file_is_named_with_exit_1() {
    let dir = common::temp_dir();
    let out = run(&["nope.txt", "--json", "-o", "out"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("lacuna: nope.txt: "), "{err}");
    assert!(err.contains("No such file"), "{err}");
    assert_eq!(err.lines().count(), 1, "printed once: {err}");
    assert!(files_in(&dir.path().join("out")).is_empty());
}

#[test]
fn a_folder_with_no_input_is_reported() {
    let dir = common::temp_dir();
    std::fs::create_dir(dir.path().join("in.txt")).unwrap();
    let out = run(&["in.txt", "--json", "-o", "out"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "lacuna: warning: in.txt: no input in this folder \
         (files ending .txt, .json, .md, .markdown, .xml, .tei)\nlacuna: nothing to convert\n"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn invalid_utf8_gives_offset_and_position() {
    let dir = common::temp_dir();
    std::fs::write(
        dir.path().join("bad.txt"),
        b"Title\n\nGood text \xff here\n",
    )
    .unwrap();
    let out = run(&["bad.txt", "--json", "-o", "out"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "lacuna: bad.txt:3:11: invalid UTF-8 at byte offset 17\n"
    );
    assert!(files_in(&dir.path().join("out")).is_empty());
}

#[test]
fn empty_and_blank_files_are_errors() {
    let dir = common::temp_dir();
    std::fs::write(dir.path().join("empty.txt"), b"").unwrap();
    std::fs::write(
        dir.path().join("blank.txt"),
        "\u{feff} \u{a0}\r\n\t\n".as_bytes(),
    )
    .unwrap();
    for name in ["empty.txt", "blank.txt"] {
        let out = run(&[name, "--json", "-o", "out"], dir.path());
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert_eq!(
            stderr(&out),
            format!("lacuna: {name}: empty input: nothing to convert\n")
        );
    }
    assert!(files_in(&dir.path().join("out")).is_empty());
}

#[test]
fn malformed_marker_is_reported_with_line_and_column() {
    let dir = common::temp_dir();
    std::fs::write(
        dir.path().join("m.txt"),
        "Title\n\nSome text....{3 and more\n",
    )
    .unwrap();
    let out = run(&["m.txt", "--json", "-o", "out"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "lacuna: m.txt:3:14: unterminated lacuna marker: missing '}'\n"
    );
    assert!(files_in(&dir.path().join("out")).is_empty());
}

#[test]
fn bad_input_does_not_stop_good_inputs() {
    let dir = common::temp_dir();
    std::fs::write(dir.path().join("good.txt"), "Title\n\nText....{1}\n").unwrap();
    let out = run(
        &["missing.txt", "good.txt", "--json", "-o", "out"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(files_in(&dir.path().join("out")), ["good.json"]);
}

#[test]
fn unusable_output_dir_is_named() {
    let dir = common::temp_dir();
    std::fs::write(dir.path().join("file"), "x").unwrap();
    let seed = common::seed();
    let out = run(
        &[seed.to_str().unwrap(), "--json", "-o", "file/sub"],
        dir.path(),
    );
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.starts_with("lacuna: file/sub: "), "{err}");
}

#[test]
fn warnings_name_file_line_and_column() {
    let dir = common::temp_dir();
    std::fs::write(dir.path().join("w.txt"), "Title\n\nA....{1} B....{3}\n").unwrap();
    let out = run(&["w.txt", "--json", "-o", "out"], dir.path());
    assert!(out.status.success());
    assert_eq!(
        stderr(&out),
        "lacuna: warning: w.txt:3:11: note {3} follows {1}: {2} is missing\n"
    );
    let quiet = run(&["w.txt", "--json", "-o", "out", "-q"], dir.path());
    assert!(quiet.status.success());
    assert!(quiet.stderr.is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let dir = common::temp_dir();
    let seed = common::seed();
    let seed = seed.to_str().unwrap();
    for args in [
        vec![seed],
        vec![seed, "--json", "--from", "docx"],
        vec![seed, "--json", "--style", "nonexistent.toml"],
        vec!["--bogus"],
    ] {
        let out = run(&args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
    }
}

#[test]
fn style_errors_give_line_and_column() {
    let dir = common::temp_dir();
    std::fs::write(dir.path().join("s.toml"), "[page]\nwidth = \"12px\"\n").unwrap();
    let seed = common::seed();
    let out = run(
        &[seed.to_str().unwrap(), "--json", "--style", "s.toml"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("lacuna: s.toml:2:9: "), "{err}");
    assert!(err.contains("unknown unit"), "{err}");
}

#[test]
fn an_impossible_page_is_one_usage_error_not_hundreds_of_warnings() {
    let dir = common::temp_dir();
    let style = "extends = \"a5-book\"\n[page]\nwidth = \"10mm\"\ninner = \"30mm\"\n";
    std::fs::write(dir.path().join("tiny.toml"), style).unwrap();
    let seed = common::seed();
    let out = run(
        &[seed.to_str().unwrap(), "--pdf", "--style", "tiny.toml"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("lacuna: tiny.toml:3:1: the text block is"),
        "{err}"
    );
    assert!(!dir.path().join("minutes-1917.pdf").exists());
}

#[test]
fn an_unknown_style_name_lists_the_builtins() {
    let dir = common::temp_dir();
    let seed = common::seed();
    let out = run(
        &[seed.to_str().unwrap(), "--json", "--style", "a4"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("a5-book, a4-report"), "{err}");
    assert!(err.contains("did you mean a4-report?"), "{err}");
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn list_formats_names_every_reader_and_writer() {
    let out = run(&["--list-formats"], Path::new("."));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for r in lacuna::read::READERS {
        assert!(text.contains(r.name), "{text}");
    }
    for w in lacuna::write::WRITERS {
        assert!(text.contains(&format!("--{}", w.name)), "{text}");
    }
}

#[test]
fn json_reads_back_and_from_overrides_detection() {
    let dir = common::temp_dir();
    let seed = common::seed();
    let first = run(&[seed.to_str().unwrap(), "--json", "-o", "-"], dir.path());
    assert!(first.status.success());
    std::fs::write(dir.path().join("ir.data"), &first.stdout).unwrap();
    let second = run(
        &["ir.data", "--from", "json", "--json", "-o", "-"],
        dir.path(),
    );
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn crlf_bom_and_tabs_read_like_lf() {
    let dir = common::temp_dir();
    std::fs::write(
        dir.path().join("lf.txt"),
        "Title\n\nOne\ttwo\nthree....{1}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("crlf.txt"),
        "\u{feff}Title\r\n\r\nOne two\r\nthree....{1}\r\n",
    )
    .unwrap();
    let a = run(&["lf.txt", "--json", "-o", "-"], dir.path());
    let b = run(&["crlf.txt", "--json", "-o", "-"], dir.path());
    assert!(a.status.success() && b.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    // Standard output is a pipe whose reader has already gone (`lacuna … | head -0`):
    // every write fails with EPIPE; lacuna must neither panic nor report an error.
    let seed = common::seed();
    for args in [
        vec!["--list-formats"],
        vec![seed.to_str().unwrap(), "--json", "-o", "-"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = common::lacuna()
            .args(&args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {err}", out.status);
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn shards_split_the_inputs_and_parallel_runs_match_serial_ones() {
    let dir = common::temp_dir();
    let names: Vec<String> = (1..=5).map(|i| format!("doc{i}.txt")).collect();
    for (i, name) in names.iter().enumerate() {
        // Each document warns once, so the order of the warnings can be checked.
        let text = format!("Title {i}\n\nText....{{1}} more....{{3}}\n");
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut args: Vec<&str> = names.iter().map(String::as_str).collect();
    args.extend(["--json", "--tei", "--pdf"]);
    let with = |extra: &[&str]| {
        let mut a = args.clone();
        a.extend_from_slice(extra);
        run(&a, dir.path())
    };
    // Shards 1/2 and 2/2 split the inputs: together every output, none twice.
    let mut both = Vec::new();
    for k in ["1/2", "2/2"] {
        let out = with(&["--shard", k, "-o", "shard"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let names = files_in(&dir.path().join("shard"));
        assert!(!names.is_empty() && names.len() < 15, "{k}: {names:?}");
        both.extend(names);
        std::fs::remove_dir_all(dir.path().join("shard")).unwrap();
    }
    both.sort();
    assert_eq!(both.len(), 15);
    both.dedup();
    assert_eq!(both.len(), 15, "an output written by both shards");
    // Two workers give the same files and the same messages, in input order, as one.
    let serial = with(&["-j", "1", "-o", "serial"]);
    let parallel = with(&["-j", "2", "-o", "parallel"]);
    assert!(serial.status.success() && parallel.status.success());
    assert_eq!(stderr(&serial), stderr(&parallel));
    let order: Vec<String> = stderr(&parallel)
        .lines()
        .map(|l| l.split(':').nth(2).unwrap().trim().to_owned())
        .collect();
    assert_eq!(order, names);
    for name in files_in(&dir.path().join("serial")) {
        if name.ends_with(".pdf") {
            continue; // PDF dates follow the clock without SOURCE_DATE_EPOCH
        }
        let a = std::fs::read(dir.path().join("serial").join(&name)).unwrap();
        let b = std::fs::read(dir.path().join("parallel").join(&name)).unwrap();
        assert_eq!(a, b, "{name}");
    }
    assert_eq!(files_in(&dir.path().join("parallel")).len(), 15);
    // A bad shard is a usage error.
    assert_eq!(with(&["--shard", "3/2"]).status.code(), Some(2));
}
