//! The typesetting engine's lines through the page builder and the PDF writer: the seed
//! set in Linux Libertine at the A5 book's measure comes back from `pdftotext` word for
//! word, with the bundled faces embedded.

mod common;

use std::process::Command;

use lacuna::ir::Block;
use lacuna::read::{ReadOptions, transcript};
use lacuna::style::{Align, Style};
use lacuna::typeset::page::{Flow, Geometry, PageBuilder, SetLine, widow_orphan_breaks};
use lacuna::typeset::paragraph::{Measure, SpanStyle, Typesetter, spans_from_inlines};
use lacuna::write::pdf::{PdfMeta, PdfWriter};

#[test]
fn seed_typeset_into_a_pdf_reads_back() {
    let doc = transcript::read(&common::read(&common::seed()), &ReadOptions::default())
        .unwrap()
        .value;
    let style = Style::builtin("a5-book").unwrap();
    let size = style.text.size.to_pt(10.0);
    let pt = |l: lacuna::style::Length| l.to_pt(size);
    let width = pt(style.page.width) - pt(style.page.inner) - pt(style.page.outer);
    let geometry = Geometry {
        width: pt(style.page.width),
        height: pt(style.page.height),
        top: pt(style.page.top),
        left_recto: pt(style.page.inner),
        left_verso: pt(style.page.outer),
        block_height: pt(style.page.height) - pt(style.page.top) - pt(style.page.bottom),
        block_width: width,
        top_skip: size,
        note_skip: 9.0,
        note_rule: 60.0,
    };
    let mut ts = Typesetter::new(&style, &doc.meta.lang);
    let faces = ts.faces();
    let label = |id: &lacuna::ir::NoteId| {
        doc.notes
            .iter()
            .find(|n| &n.id == id)
            .map(|n| n.n.clone())
            .unwrap_or_default()
    };
    let mut flows = Vec::new();
    let mut words = Vec::new();
    for block in &doc.body {
        let Block::Paragraph(inlines) = block else {
            continue;
        };
        words.extend(
            lacuna::ir::inline_text(inlines)
                .split_whitespace()
                .map(str::to_owned),
        );
        let spans = spans_from_inlines(inlines, SpanStyle::regular(size), &label).value;
        let measure = Measure::new(width, pt(style.text.indent), Align::Justify);
        let out = ts.set_paragraph(&spans, &measure);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let breaks = widow_orphan_breaks(out.value.len(), 2);
        for (line, brk) in out.value.iter().zip(breaks) {
            flows.push(Flow::Line(SetLine {
                advance: pt(style.text.leading),
                items: line.to_items(0.0, 0.0),
                notes: Vec::new(),
                break_after: brk,
            }));
        }
    }
    let meta = PdfMeta::from_ir(&doc.meta, 0);
    let mut pdf = PdfWriter::new(Vec::new(), &faces, &meta).unwrap();
    let mut builder = PageBuilder::new(geometry, &mut pdf);
    for f in flows {
        builder.push(f).unwrap();
    }
    builder.finish().unwrap();
    let bytes = pdf.finish(&[]).unwrap().value;
    let dir = common::temp_dir();
    let path = dir.path().join("seed.pdf");
    std::fs::write(&path, &bytes).unwrap();
    // For a look at the result: TYPESET_PDF_OUT=/tmp/seed.pdf cargo test --test typeset_pdf
    if let Some(out) = std::env::var_os("TYPESET_PDF_OUT") {
        std::fs::write(out, &bytes).unwrap();
    }

    if !common::have_tool("pdftotext", "seed_typeset_into_a_pdf_reads_back") {
        return;
    }
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // Join words hyphenated at line ends, then compare the letters in order.
    let joined = text.replace("-\n", "");
    let letters = |s: &str| s.chars().filter(|c| c.is_alphabetic()).collect::<String>();
    let expected = letters(&words.join(" "));
    let got = letters(&joined);
    assert!(
        got.contains(&expected[..200]) && got.len() >= expected.len(),
        "pdftotext gives back the seed's text"
    );
    // Every word of the body, in order (note labels are digits and drop out).
    assert_eq!(got, expected);

    if common::have_tool("pdffonts", "seed_typeset_into_a_pdf_reads_back") {
        let fonts = Command::new("pdffonts").arg(&path).output().unwrap();
        let list = String::from_utf8_lossy(&fonts.stdout);
        assert!(list.contains("LinuxLibertineO"), "{list}");
    }
}
