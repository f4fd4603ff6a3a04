//! Issue 12's checks that are not about time: control characters in the text are
//! reported once per document by every reader, and every backend applies the same image
//! checks.

mod common;

use lacuna::read::{ReadOptions, json, markdown, tei, transcript};

const ESC_TITLE: &str = "Title\u{1b}]0;retitled\u{7}";

fn control_warnings(warnings: &[lacuna::Warning]) -> Vec<String> {
    warnings
        .iter()
        .filter(|w| w.message.contains("control character"))
        .map(|w| w.to_string())
        .collect()
}

#[test]
fn every_reader_warns_once_about_control_characters() {
    let o = ReadOptions::default();
    let t = transcript::read(
        &format!("{ESC_TITLE}\n\nA \u{1b}[31mred\u{1b}[0m word.\n"),
        &o,
    );
    let m = markdown::read(&format!("# {ESC_TITLE}\n\nA \u{9b}31m word.\n"), &o);
    let x = tei::read(
        "<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><teiHeader><fileDesc><titleStmt>\
             <title>T</title></titleStmt><publicationStmt><p/></publicationStmt>\
             <sourceDesc><p/></sourceDesc></fileDesc></teiHeader><text><body>\
             <p>A \u{85}b\u{9b}c</p></body></text></TEI>",
        &o,
    );
    let j = json::read(
        r#"{"meta": {"title": "T\u001b]0;x\u0007", "lang": "en"}, "body": []}"#,
        &o,
    );
    for (name, result, count) in [
        ("transcript", t, 4),
        ("markdown", m, 3),
        ("tei", x, 2),
        ("json", j, 2),
    ] {
        let warnings = result.unwrap_or_else(|e| panic!("{name}: {e}")).warnings;
        let found = control_warnings(&warnings);
        assert_eq!(found.len(), 1, "{name}: {warnings:?}");
        assert!(
            found[0].contains(&format!("{count} control characters")),
            "{name}: {found:?}"
        );
        assert!(
            !found[0].contains('\u{1b}'),
            "{name}: the character itself is echoed"
        );
    }
}

#[test]
fn control_warning_names_the_first_position() {
    let doc = transcript::read("Title\n\nPlain.\n\nA\u{7} bell.\n", &ReadOptions::default())
        .expect("reads");
    let found: Vec<_> = doc
        .warnings
        .iter()
        .filter(|w| w.message.contains("control character"))
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].pos, Some(lacuna::Pos::new(5, 2)));
    assert!(found[0].message.contains("U+0007"));
}

/// CRC-32 (ISO 3309, as PNG uses it) of `bytes`.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG chunk with its length and CRC.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A PNG whose header claims `width` × `height` 8-bit grey pixels, with `idat` as its
/// (compressed) data.
fn png_claiming(width: u32, height: u32, idat: &[u8]) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", idat));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// A JPEG with a baseline frame header of `width` × `height` and nothing after it.
fn jpeg_header_only(width: u16, height: u16) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 8];
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&[1, 1, 0x11, 0]);
    out
}

#[test]
fn epub_and_pdf_refuse_the_same_bad_images() {
    let dir = common::temp_dir();
    let good = std::fs::read(common::root().join("tests/data/epub/red-square.png")).unwrap();
    // A bomb: 20000 × 20000 grey pixels of zeros compress to a few hundred kilobytes.
    let zeros = {
        use std::io::Write as _;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let row = vec![0u8; 20_001];
        for _ in 0..200 {
            z.write_all(&row).unwrap();
        }
        z.finish().unwrap()
    };
    let files: [(&str, Vec<u8>); 6] = [
        ("huge-header.png", png_claiming(100_000, 100_000, &zeros)),
        ("truncated.png", good[..good.len() / 2].to_vec()),
        ("bad.jpg", b"\xFF\xD8\xFF\xE0garbage".to_vec()),
        ("empty.jpg", jpeg_header_only(0, 0)),
        ("bomb.png", png_claiming(20_000, 20_000, &zeros)),
        ("zero.png", png_claiming(0, 0, &zeros)),
    ];
    let mut md = String::from("# Images\n\n");
    for (name, data) in &files {
        std::fs::write(dir.path().join(name), data).unwrap();
        md.push_str(&format!("![{name}]({name})\n\n"));
    }
    std::fs::write(dir.path().join("good.png"), &good).unwrap();
    md.push_str("![good](good.png)\n");
    let input = dir.path().join("images.md");
    std::fs::write(&input, md).unwrap();
    let out = common::lacuna()
        .arg(&input)
        .args(["--epub", "--pdf", "-o"])
        .arg(dir.path())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for (name, _) in &files {
        let lines: Vec<_> = stderr.lines().filter(|l| l.contains(name)).collect();
        // One warning from the EPUB and one from the PDF, each saying why.
        assert!(
            lines.len() >= 2,
            "{name} is not refused by both backends:\n{stderr}"
        );
    }
    let epub = std::fs::read(dir.path().join("images.epub")).unwrap();
    let names = String::from_utf8_lossy(&epub);
    // Zip entry names are stored uncompressed: only the good image is in the book.
    assert!(names.contains("images/image-1.png"));
    assert!(
        !names.contains("images/image-2"),
        "a bad image went into the EPUB"
    );
}
