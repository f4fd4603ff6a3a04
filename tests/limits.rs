//! Pathological inputs (issue 12): each class is converted at two sizes, n and 8n, and
//! the time ratio must stay near linear (8); quadratic behaviour would give about 64.
//! Ratios, not absolute times, so the test holds on a slow or busy machine; each size is
//! timed three times and the fastest run counts, which takes out most scheduling noise.
//!
//! Where a limit is the right answer (a title longer than a page, a word longer than
//! 100,000 characters) the tests also check that the output is cut with a warning.

use std::time::{Duration, Instant};

use lacuna::Warning;
use lacuna::ir::Document;
use lacuna::read::{ReadOptions, tei, transcript};
use lacuna::style::Style;
use lacuna::typeset::frame::{Page, PageItem};
use lacuna::typeset::page::PageSink;
use lacuna::write::{self, WriteContext};

/// Growth factor between the two sizes.
const FACTOR: f64 = 8.0;
/// Largest accepted time ratio between the two sizes: linear is 8, quadratic 64.
const MAX_RATIO: f64 = 20.0;

fn style() -> Style {
    Style::builtin("a5-book").expect("built-in style")
}

/// Writes `doc` with the writer `name`; returns the output's size and the warnings.
fn write_with(doc: &Document, name: &str) -> (usize, Vec<Warning>) {
    let style = style();
    let ctx = WriteContext {
        style: &style,
        timestamp: 0,
        base_dir: None,
    };
    let writer = write::by_name(name).expect("writer");
    let mut out = Vec::new();
    let warnings = (writer.write)(doc, &ctx, &mut out).expect("conversion succeeds");
    (out.len(), warnings)
}

fn read_transcript(text: &str) -> Document {
    transcript::read(text, &ReadOptions::default())
        .expect("transcript reads")
        .value
}

fn timed(f: &dyn Fn()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

/// One timing at a time: the tests of this file run on parallel threads, and a run that
/// shares the machine with another looks slower than it is.
static TIMING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Times `run(n)` and `run(8n)` and asserts that the time grows about linearly. The
/// sizes are timed in turn, three times each, and the fastest of each counts, so that a
/// burst of load elsewhere on the machine does not fall on one size only.
fn assert_linear(what: &str, n: usize, run: &dyn Fn(usize)) {
    let _one_at_a_time = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    let (mut small, mut large) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        small = small.min(timed(&|| run(n)));
        large = large.min(timed(&|| run(n * FACTOR as usize)));
    }
    // Below a millisecond the ratio is noise; such a run is linear enough for us.
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-3);
    eprintln!("{what}: n={n}: {small:?}, 8n: {large:?}, ratio {ratio:.1}");
    assert!(
        ratio <= MAX_RATIO,
        "{what}: 8× the input took {ratio:.1}× the time ({small:?} → {large:?}): worse than linear"
    );
}

/// A transcript whose one paragraph is `calls` lacunae calling note 1.
fn dense_calls(calls: usize) -> String {
    format!("Title\n\n{}\n\n{{1}} A note.\n", "....{1}".repeat(calls))
}

#[test]
fn dense_calls_to_one_note_in_the_pdf() {
    assert_linear("one note called n times, PDF", 500, &|n| {
        write_with(&read_transcript(&dense_calls(n)), "pdf");
    });
}

/// Collects the pages the typesetter makes.
#[derive(Default)]
struct Pages(Vec<Page>);

impl PageSink for Pages {
    fn page(&mut self, _n: usize, page: Page) -> Result<(), lacuna::diag::WriteError> {
        self.0.push(page);
        Ok(())
    }
}

#[test]
fn dense_calls_print_the_shared_note_once() {
    let doc = read_transcript(&dense_calls(200));
    let mut pages = Pages::default();
    lacuna::write::pdf::typeset(&doc, &style(), &mut pages).expect("typesets");
    let anchors = pages
        .0
        .iter()
        .flat_map(|p| &p.items)
        .filter(|item| matches!(item, PageItem::Anchor { name, .. } if name == "note-e1"))
        .count();
    assert_eq!(anchors, 1, "the note shared by 200 calls is printed once");
}

#[test]
fn many_distinct_notes_in_one_paragraph_in_the_pdf() {
    // Notes of two or three lines each, all called from one paragraph: most of them are
    // carried from page to page.
    let text = |n: usize| {
        let calls: String = (1..=n).map(|i| format!("....{{{i}}}")).collect();
        let notes: String = (1..=n)
            .map(|i| {
                format!(
                    "{{{i}}} A note long enough to need two lines at the note size, or three \
                     when the measure is narrow enough for it to wrap more often than not.\n"
                )
            })
            .collect();
        format!("Title\n\n{calls}\n\n{notes}")
    };
    assert_linear("n distinct notes from one paragraph, PDF", 150, &|n| {
        write_with(&read_transcript(&text(n)), "pdf");
    });
}

#[test]
fn repeated_calls_to_one_note_in_the_epub() {
    let text = |n: usize| format!("Title\n\n{}\n\n{{1}} A note.\n", "....{1} ".repeat(n));
    assert_linear("one note called n times, EPUB", 500, &|n| {
        write_with(&read_transcript(&text(n)), "epub");
    });
}

#[test]
fn many_headings_in_the_epub() {
    let text = |n: usize| {
        let body: String = (1..=n).map(|i| format!("CHAPTER {i}\n\n")).collect();
        format!("Title\n\n{body}")
    };
    assert_linear("n headings, EPUB", 400, &|n| {
        write_with(&read_transcript(&text(n)), "epub");
    });
}

fn long_title(words: usize) -> String {
    format!("{}\n\nBody text.\n", vec!["word"; words].join(" "))
}

#[test]
fn long_title_line_in_the_pdf() {
    assert_linear("a title of n words, PDF", 600, &|n| {
        write_with(&read_transcript(&long_title(n)), "pdf");
    });
}

#[test]
fn a_title_longer_than_a_page_is_cut_with_a_warning() {
    let (_, warnings) = write_with(&read_transcript(&long_title(5_000)), "pdf");
    assert!(
        warnings
            .iter()
            .any(|w| w.message.contains("title") && w.message.contains("cut")),
        "{warnings:?}"
    );
}

fn long_word(chars: usize) -> String {
    format!("Title\n\nBefore {} after.\n", "a".repeat(chars))
}

#[test]
fn long_word_in_the_pdf() {
    assert_linear("a word of n characters, PDF", 12_000, &|n| {
        write_with(&read_transcript(&long_word(n)), "pdf");
    });
}

#[test]
fn a_word_longer_than_the_limit_is_cut_with_a_warning() {
    let (_, warnings) = write_with(&read_transcript(&long_word(150_000)), "pdf");
    assert!(
        warnings
            .iter()
            .any(|w| w.message.contains("100000 characters") && w.message.contains("cut")),
        "{warnings:?}"
    );
}

/// A TEI document of `n` paragraphs with a little of everything the mapper reads.
fn tei_text(n: usize) -> String {
    let mut body = String::new();
    for i in 0..n {
        body.push_str(&format!(
            "<p n=\"{i}\">Some <hi rend=\"italic\">text</hi> with a lacuna \
             <gap reason=\"illegible\" quantity=\"2\" unit=\"word\"/> and a \
             <note place=\"foot\">note {i}</note> &amp; more words.</p>\n"
        ));
    }
    format!(
        "<?xml version=\"1.0\"?>\n<TEI xmlns=\"http://www.tei-c.org/ns/1.0\"><teiHeader>\
         <fileDesc><titleStmt><title>T</title></titleStmt><publicationStmt><p/>\
         </publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader>\
         <text><body><div>{body}</div></body></text></TEI>\n"
    )
}

#[test]
fn large_tei_to_json_and_tei() {
    assert_linear("n TEI paragraphs → JSON + TEI", 500, &|n| {
        let doc = tei::read(&tei_text(n), &ReadOptions::default())
            .expect("TEI reads")
            .value;
        write_with(&doc, "json");
        write_with(&doc, "tei");
    });
}
