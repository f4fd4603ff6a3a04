//! Shapes, hyphenates and breaks a book's worth of prose on one core.
//!
//! Usage: `cargo bench --bench typeset -- BOOK.txt` (paragraphs separated by lines
//! of only whitespace, as `gen_book.py DIR` writes `book.txt`). Without
//! an argument it sets the seed transcript's paragraphs repeated to 2.5 million
//! characters. Prints characters, paragraphs, lines and the time taken; run it under
//! `/usr/bin/time -v` for the peak memory.

use std::time::Instant;

use lacuna::style::{Align, Length, Style};
use lacuna::typeset::paragraph::{Measure, Span, SpanStyle, Typesetter};

fn main() {
    let path = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let text = match &path {
        Some(p) => std::fs::read_to_string(p).expect("the book file is readable"),
        None => {
            let seed = include_str!("../examples/minutes-1917.txt");
            let mut s = String::new();
            while s.len() < 2_500_000 {
                s.push_str(seed);
                s.push_str("\n\n");
            }
            s
        }
    };
    // A line of only whitespace (the transcript format's NBSP + space) ends a paragraph.
    let mut paragraphs: Vec<String> = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                paragraphs.push(std::mem::take(&mut cur));
            }
        } else {
            for w in line.split_whitespace() {
                if !cur.is_empty() {
                    cur.push(' ');
                }
                cur.push_str(w);
            }
        }
    }
    if !cur.is_empty() {
        paragraphs.push(cur);
    }
    let chars: usize = paragraphs.iter().map(|p| p.chars().count()).sum();
    let style = Style::builtin("a5-book").expect("built-in style");
    let size = style.text.size.to_pt(10.0);
    let measure = Measure::new(
        Length::mm(105.0).to_pt(size),
        style.text.indent.to_pt(size),
        Align::Justify,
    );
    let start = Instant::now();
    let mut ts = Typesetter::new(&style, "en-GB");
    let mut lines = 0usize;
    let mut hyphens = 0usize;
    let mut warnings = 0usize;
    for p in &paragraphs {
        let spans = [Span::new(p.as_str(), SpanStyle::regular(size))];
        let out = ts.set_paragraph(&spans, &measure);
        lines += out.value.len();
        hyphens += out.value.iter().filter(|l| l.hyphenated).count();
        warnings += out.warnings.len();
    }
    let elapsed = start.elapsed();
    println!(
        "{chars} characters, {} paragraphs, {lines} lines ({} A5 pages at 36 lines), {hyphens} hyphenated, {warnings} warnings, {} distinct words shaped: {:.3} s",
        paragraphs.len(),
        lines / 36,
        ts.shaped_words(),
        elapsed.as_secs_f64()
    );
}
