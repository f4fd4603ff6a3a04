//! The PDF is the same bytes whatever the number of threads that compress its pages and
//! fonts, and the same as the page-at-a-time writer.

mod common;

use lacuna::ir::Document;
use lacuna::read::{ReadOptions, transcript};
use lacuna::style::Style;
use lacuna::typeset::font::FontBook;
use lacuna::write::WriteContext;
use lacuna::write::pdf::{PdfMeta, PdfWriter, typeset_with_images};

/// The seed repeated: enough pages that several batches of pages are compressed.
fn long_doc() -> Document {
    let seed = common::read(&common::seed());
    let (title, body) = seed.split_once('\n').unwrap();
    let mut text = format!("{title}\n");
    for _ in 0..12 {
        text.push_str(body);
        text.push_str("\n\n");
    }
    transcript::read(&text, &ReadOptions::default())
        .unwrap()
        .value
}

fn pdf_with_threads(doc: &Document, style: &Style, threads: usize) -> Vec<u8> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let ctx = WriteContext {
        style,
        timestamp: 1_700_000_000,
        base_dir: None,
    };
    pool.install(|| {
        let mut out = Vec::new();
        lacuna::write::pdf::write(doc, &ctx, &mut out).unwrap();
        out
    })
}

/// Writes the PDF on the calling thread (the caches are this thread's).
fn pdf_here(doc: &Document, style: &Style) -> Vec<u8> {
    let ctx = WriteContext {
        style,
        timestamp: 1_700_000_000,
        base_dir: None,
    };
    let mut out = Vec::new();
    lacuna::write::pdf::write(doc, &ctx, &mut out).unwrap();
    out
}

/// Writes the PDF as `lacuna::write::pdf::write` does, but with the writer's default of
/// one page compressed and written at a time.
fn pdf_page_at_a_time(doc: &Document, style: &Style) -> Vec<u8> {
    let mut meta = PdfMeta::from_ir(&doc.meta, 1_700_000_000);
    if meta.subject.is_none() {
        meta.subject = doc.meta.source.as_ref().map(|s| s.bibl.clone());
    }
    let faces = FontBook::bundled().face_set();
    let mut writer = PdfWriter::new(Vec::new(), &faces, &meta).unwrap();
    let set = typeset_with_images(doc, style, None, &mut writer).unwrap();
    writer.finish(&set.value.outline).unwrap().value
}

#[test]
fn the_pdf_is_the_same_with_one_thread_and_several() {
    let doc = long_doc();
    let style = Style::builtin("a5-book").unwrap();
    let one = pdf_with_threads(&doc, &style, 1);
    let pages = lopdf::Document::load_mem(&one).unwrap().get_pages().len();
    assert!(
        pages > 32,
        "{pages} pages: too few for several batches of 16"
    );
    for threads in [2, 3, 4] {
        let many = pdf_with_threads(&doc, &style, threads);
        assert!(one == many, "{threads} threads give other bytes than one");
    }
    assert!(
        one == pdf_page_at_a_time(&doc, &style),
        "batched compression changed the bytes"
    );
}

/// Shaping and hyphenation caches outlive a document on its thread (a corpus's next
/// document starts with them): a document comes out the same after others as alone.
#[test]
fn the_pdf_is_the_same_after_other_documents_on_the_thread() {
    let style = Style::builtin("a5-book").unwrap();
    let seed = transcript::read(&common::read(&common::seed()), &ReadOptions::default())
        .unwrap()
        .value;
    let sample = lacuna::read_path(
        &common::root().join("examples/sample.md"),
        None,
        &ReadOptions::default(),
    )
    .unwrap()
    .value;
    let alone = {
        let (seed, style) = (seed.clone(), style.clone());
        std::thread::spawn(move || pdf_here(&seed, &style))
            .join()
            .unwrap()
    };
    let after = std::thread::spawn(move || {
        pdf_here(&sample, &style);
        pdf_here(&long_doc(), &style);
        pdf_here(&seed, &style)
    })
    .join()
    .unwrap();
    assert!(alone == after, "warm caches changed the PDF");
}
