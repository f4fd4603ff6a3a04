//! A generated archive of 2,000 files in three levels of folders, with 50 files named
//! alike and 10 corrupt ones: every good file converted into the mirrored tree with no
//! word lost, the failures named in the report, the same bytes with one worker or two.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::time::Instant;

const FILES: usize = 2000;

/// The words of good file `n`: unique to it, so a word from elsewhere cannot pass.
fn words(n: usize) -> Vec<String> {
    (0..12).map(|k| format!("w{n}x{k}")).collect()
}

/// Writes the archive; returns the relative paths of the corrupt files.
fn generate(root: &Path) -> BTreeSet<String> {
    let mut corrupt = BTreeSet::new();
    for n in 0..FILES {
        let leaf = n / 4;
        let folder = format!("y{}/m{}/d{}", leaf / 100, leaf / 10 % 10, leaf % 10);
        let ext = ["txt", "md", "xml"][n % 3];
        // The first file of the first 50 folders is `index.*`: 50 files named alike.
        let name = if n % 4 == 0 && leaf < 50 {
            format!("index.{ext}")
        } else {
            format!("doc-{n}.{ext}")
        };
        let rel = format!("{folder}/{name}");
        let body = words(n).join(" ");
        let text: Vec<u8> = match (n % 200 == 7, ext) {
            // Ten corrupt files, one in every 200: bad UTF-8, bad XML, a missing note.
            (true, "txt") => [format!("Doc {n}\n\n{body} ").as_bytes(), b"\xff\n"].concat(),
            (true, "md") => format!("---\ntitle: Doc {n}\n---\n\n{body}[^missing]\n").into_bytes(),
            (true, _) => format!("<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><text><body><p>{body}</body></text></TEI>").into_bytes(),
            (false, "txt") => format!("Doc {n}\n\n{body}\n").into_bytes(),
            (false, "md") => format!("---\ntitle: Doc {n}\n---\n\n{body}\n").into_bytes(),
            (false, _) => format!(
                "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><teiHeader><fileDesc><titleStmt>\
                 <title>Doc {n}</title></titleStmt></fileDesc></teiHeader>\
                 <text><body><p>{body}</p></body></text></TEI>\n"
            )
            .into_bytes(),
        };
        if n % 200 == 7 {
            corrupt.insert(rel.clone());
        }
        let path = root.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    corrupt
}

/// Every file under `dir` with its bytes, by relative path.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let rel = format!("{rel}{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                walk(&e.path(), &format!("{rel}/"), out);
            } else {
                out.push((rel, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out);
    out.sort();
    out
}

/// The text strings of a JSON document's body, in order.
fn body_text(json: &serde_json::Value, out: &mut String) {
    match json {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("text", serde_json::Value::String(s)) => {
                        out.push_str(s);
                        out.push(' ');
                    }
                    _ => body_text(value, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| body_text(v, out)),
        _ => {}
    }
}

fn convert(root: &Path, jobs: &str, out: &str, formats: &[&str], input: &str) -> Output {
    common::lacuna()
        .args([input, "-o", out, "-j", jobs, "-q"])
        .args(formats)
        .args(["--report", &format!("{out}.report.json")])
        .env("SOURCE_DATE_EPOCH", "1000000000")
        .current_dir(root)
        .output()
        .unwrap()
}

#[test]
fn an_archive_converts_whole_with_its_failures_reported() {
    let dir = common::temp_dir();
    let d = dir.path();
    let corrupt = generate(&d.join("archive"));
    assert_eq!(corrupt.len(), 10);

    let start = Instant::now();
    let one = convert(d, "1", "one", &["--json", "--tei"], "archive");
    let serial = start.elapsed();
    let two = convert(d, "2", "two", &["--json", "--tei"], "archive");
    eprintln!(
        "archive of {FILES} files to JSON and TEI: {:.1} s with -j 1, {:.1} s in all",
        serial.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    assert_eq!(one.status.code(), Some(1));
    assert_eq!(two.status.code(), Some(1));
    assert!(
        one.stderr == two.stderr,
        "messages differ between -j 1 and -j 2"
    );
    assert_eq!(String::from_utf8_lossy(&one.stderr).lines().count(), 10);

    // The report names exactly the ten corrupt files.
    let report: serde_json::Value =
        serde_json::from_str(&common::read(&d.join("one.report.json"))).unwrap();
    let failed: BTreeSet<String> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["error"].is_null())
        .map(|e| {
            e["input"]
                .as_str()
                .unwrap()
                .trim_start_matches("archive/")
                .to_owned()
        })
        .collect();
    assert_eq!(failed, corrupt);
    assert_eq!(report["totals"]["inputs"], FILES);
    assert_eq!(report["totals"]["failed"], 10);
    assert_eq!(report["totals"]["outputs"], 2 * (FILES - 10));

    // Byte for byte the same with one worker or two.
    let files = contents(&d.join("one"));
    assert_eq!(files.len(), 2 * (FILES - 10));
    assert!(files == contents(&d.join("two")), "-j 1 and -j 2 differ");

    // Every good file in the mirrored tree, every word there, in order.
    for n in 0..FILES {
        let leaf = n / 4;
        let folder = format!("y{}/m{}/d{}", leaf / 100, leaf / 10 % 10, leaf % 10);
        let stem = if n % 4 == 0 && leaf < 50 {
            "index".to_owned()
        } else {
            format!("doc-{n}")
        };
        let rel = format!("{folder}/{stem}");
        if n % 200 == 7 {
            assert!(!d.join("one").join(format!("{rel}.json")).exists());
            continue;
        }
        let json = common::read(&d.join("one").join(format!("{rel}.json")));
        let mut text = String::new();
        body_text(&serde_json::from_str(&json).unwrap(), &mut text);
        common::assert_words_in_order(&rel, &text, &words(n));
        let tei = common::read(&d.join("one").join(format!("{rel}.tei.xml")));
        assert!(tei.contains(&words(n).join(" ")), "{rel}.tei.xml");
    }

    // PDF and EPUB on one folder of the archive.
    let a = convert(d, "1", "pdf1", &["--pdf", "--epub"], "archive/y0/m0/d0");
    let b = convert(d, "2", "pdf2", &["--pdf", "--epub"], "archive/y0/m0/d0");
    assert!(a.status.success() && b.status.success());
    let (a, b) = (contents(&d.join("pdf1")), contents(&d.join("pdf2")));
    assert_eq!(a.len(), 8);
    assert!(a == b, "PDF and EPUB differ between -j 1 and -j 2");
}
