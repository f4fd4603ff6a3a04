//! lacuna among other tools: built-in styles to start from, shell completions, the
//! manual page, "did you mean", and `--check` / `lacuna check` with the validators.

mod common;

use common::{stderr, stdout};

use std::io::{Read, Write};
use std::path::Path;
use std::process::Output;

fn run(args: &[&str], dir: &Path) -> Output {
    common::lacuna()
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap()
}

#[test]
fn list_styles_names_and_describes_the_builtins() {
    let out = run(&["--list-styles"], Path::new("."));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("a5-book ") && lines[0].contains("148 × 210 mm"));
    assert!(lines[1].starts_with("a4-report ") && lines[1].contains("210 × 297 mm"));
}

/// The printed style is a complete style file: converting with it gives the same PDF,
/// byte for byte, as the built-in style of that name.
#[test]
fn a_printed_style_sets_the_same_pdf_as_the_builtin() {
    let dir = common::temp_dir();
    let out = run(&["--print-style", "a4-report"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("# Margin on the spine side."));
    std::fs::write(dir.path().join("mine.toml"), &out.stdout).unwrap();
    let seed = common::seed();
    let seed = seed.to_str().unwrap();
    for (style, folder) in [("a4-report", "builtin"), ("mine.toml", "printed")] {
        let out = run(&[seed, "--pdf", "--style", style, "-o", folder], dir.path());
        assert!(out.status.success(), "{style}: {}", stderr(&out));
    }
    let a = std::fs::read(dir.path().join("builtin/minutes-1917.pdf")).unwrap();
    let b = std::fs::read(dir.path().join("printed/minutes-1917.pdf")).unwrap();
    assert!(a == b, "the printed a4-report sets a different PDF");
}

#[test]
fn a_style_extends_a_builtin_and_changes_one_key() {
    let dir = common::temp_dir();
    std::fs::write(
        dir.path().join("big.toml"),
        "extends = \"a5-book\"\n[text]\nsize = \"12pt\"\nleading = \"15pt\"\n",
    )
    .unwrap();
    let seed = common::seed();
    let seed = seed.to_str().unwrap();
    for (style, folder) in [("a5-book", "a5"), ("big.toml", "big")] {
        let out = run(&[seed, "--pdf", "--style", style, "-o", folder], dir.path());
        assert!(out.status.success(), "{style}: {}", stderr(&out));
    }
    let pages = |folder: &str| {
        let path = dir.path().join(folder).join("minutes-1917.pdf");
        lopdf::Document::load(path).unwrap().get_pages().len()
    };
    let (small, big) = (pages("a5"), pages("big"));
    assert!(
        big > small,
        "12 pt text needs more pages than 10.5 pt ({big} vs {small})"
    );
    let a = std::fs::read(dir.path().join("a5/minutes-1917.pdf")).unwrap();
    let b = std::fs::read(dir.path().join("big/minutes-1917.pdf")).unwrap();
    assert_ne!(a, b, "the override must change the PDF");
}

#[test]
fn print_style_of_an_unknown_name_suggests_one() {
    let out = run(&["--print-style", "a5"], Path::new("."));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("did you mean a5-book?"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn completions_for_every_shell_name_the_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["--completions", shell], Path::new("."));
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let text = stdout(&out);
        for flag in ["pdf", "epub", "list-styles", "print-style"] {
            assert!(text.contains(flag), "{shell} completions lack {flag}");
        }
    }
    let out = run(&["--completions", "tcsh"], Path::new("."));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bash_completions_load() {
    let exe = env!("CARGO_BIN_EXE_lacuna");
    let script = format!("source <('{exe}' --completions bash) && complete -p lacuna");
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("lacuna"), "{}", stdout(&out));
}

#[test]
fn the_manual_page_is_roff_with_every_flag() {
    let out = run(&["--man"], Path::new("."));
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains(".TH lacuna 1"),
        "{}",
        &text[..200.min(text.len())]
    );
    for flag in [
        "\\-\\-pdf",
        "\\-\\-check",
        "\\-\\-print\\-style",
        "\\-\\-completions",
    ] {
        assert!(text.contains(flag), "man page lacks {flag}");
    }
    // man is not a validator: rendering is an extra check where it is installed.
    let man = std::process::Command::new("man").arg("--version").output();
    if man.is_ok_and(|o| o.status.success()) {
        let dir = common::temp_dir();
        let page = dir.path().join("lacuna.1");
        std::fs::write(&page, &out.stdout).unwrap();
        let rendered = std::process::Command::new("man")
            .arg("-l")
            .arg(&page)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        assert!(rendered.status.success(), "{}", stderr(&rendered));
        assert!(stdout(&rendered).contains("--pdf"));
    }
}

#[test]
fn a_mistyped_flag_gets_did_you_mean() {
    for (typo, flag) in [
        ("--pfd", "--pdf"),
        ("--jsn", "--json"),
        ("--epbu", "--epub"),
    ] {
        let out = run(&[typo, "x.txt"], Path::new("."));
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("a similar argument exists: '{flag}'")),
            "{typo}: {err}"
        );
    }
}

/// `--check` runs every installed validator on what it wrote and says so per output.
#[test]
fn check_after_converting_passes_on_good_outputs() {
    let test = "check_after_converting_passes_on_good_outputs";
    let have_all = common::have_tool("jing", test)
        && common::have_tool("qpdf", test)
        && common::epubcheck_jar(test).is_some();
    let dir = common::temp_dir();
    let seed = common::seed();
    let out = run(
        &[
            seed.to_str().unwrap(),
            "--json",
            "--tei",
            "--epub",
            "--pdf",
            "--check",
            "-o",
            "out",
        ],
        dir.path(),
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("checked out/minutes-1917.json: valid"),
        "{err}"
    );
    if have_all {
        for file in ["tei.xml", "epub", "pdf"] {
            assert!(
                err.contains(&format!("checked out/minutes-1917.{file}: valid")),
                "{file}: {err}"
            );
        }
    }
}

/// Rewrites the EPUB at `path` with one chapter's XHTML made ill-formed.
fn break_epub(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut broke = false;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        if !broke && name.ends_with(".xhtml") && !name.contains("nav") {
            let text = String::from_utf8(data).unwrap();
            data = text.replacen("</body>", "", 1).into_bytes();
            broke = true;
        }
        out.start_file(name, options).unwrap();
        out.write_all(&data).unwrap();
    }
    assert!(broke, "no chapter to break");
    std::fs::write(path, out.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn check_fails_on_a_broken_epub_tei_and_pdf() {
    let test = "check_fails_on_a_broken_epub_tei_and_pdf";
    let dir = common::temp_dir();
    let seed = common::seed();
    let out = run(
        &[
            seed.to_str().unwrap(),
            "--tei",
            "--epub",
            "--pdf",
            "-o",
            "out",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out_dir = dir.path().join("out");
    let mut broken = Vec::new();
    if common::epubcheck_jar(test).is_some() {
        break_epub(&out_dir.join("minutes-1917.epub"));
        broken.push("out/minutes-1917.epub");
    }
    if common::have_tool("jing", test) {
        let tei = out_dir.join("minutes-1917.tei.xml");
        let text = common::read(&tei).replacen("<p>", "<p><bogus/>", 1);
        std::fs::write(&tei, text).unwrap();
        broken.push("out/minutes-1917.tei.xml");
    }
    if common::have_tool("qpdf", test) {
        let pdf = out_dir.join("minutes-1917.pdf");
        let bytes = std::fs::read(&pdf).unwrap();
        std::fs::write(&pdf, &bytes[..bytes.len() / 2]).unwrap();
        broken.push("out/minutes-1917.pdf");
    }
    for file in broken {
        let out = run(&["check", file], dir.path());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{file}: {err}");
        assert!(
            err.contains(&format!("check failed: {file}:")),
            "{file}: {err}"
        );
    }
}

#[test]
fn check_refuses_what_lacuna_does_not_write() {
    let dir = common::temp_dir();
    std::fs::write(dir.path().join("notes.txt"), "text").unwrap();
    let out = run(&["check", "notes.txt"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a lacuna output"),
        "{}",
        stderr(&out)
    );
    let out = run(&["check", "missing.pdf"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

/// The README's usage block is `lacuna --help`, word for word; `UPDATE=1` rewrites it.
#[test]
fn readme_usage_is_the_help_text() {
    let out = run(&["--help"], Path::new("."));
    assert!(out.status.success());
    let help = stdout(&out);
    let readme_path = common::root().join("README.md");
    let readme = common::read(&readme_path);
    let marker = "tests/ecosystem.rs keeps the two equal";
    let at = readme.find(marker).expect("README marks its usage block");
    let open = at + readme[at..].find("```text\n").expect("a text block") + "```text\n".len();
    let close = open + readme[open..].find("\n```").expect("the block ends");
    let block = &readme[open..close];
    if std::env::var("UPDATE").is_ok_and(|v| v == "1") {
        let updated = format!("{}{}{}", &readme[..open], help.trim_end(), &readme[close..]);
        std::fs::write(&readme_path, updated).unwrap();
        return;
    }
    assert_eq!(
        block,
        help.trim_end(),
        "README usage differs from --help (run with UPDATE=1 to rewrite it)"
    );
}
