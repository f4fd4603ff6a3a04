//! The typesetting engine on the seed transcript: Knuth–Plass against first fit at the
//! A5 book's measure (105 mm, 10.5 pt Linux Libertine).

mod common;

use lacuna::ir::{Block, Document};
use lacuna::read::{ReadOptions, transcript};
use lacuna::style::{Align, Length, Style};
use lacuna::typeset::paragraph::{
    Breaker, Line, Measure, SpanStyle, Typesetter, spans_from_inlines,
};

fn seed() -> Document {
    let text = common::read(&common::seed());
    transcript::read(&text, &ReadOptions::default())
        .expect("the seed reads")
        .value
}

/// Sets every body paragraph; returns the lines per paragraph and the warnings.
fn set(doc: &Document, breaker: Breaker) -> (Vec<Vec<Line>>, Vec<String>) {
    let style = Style::builtin("a5-book").unwrap();
    let size = style.text.size.to_pt(10.0);
    let measure = Measure::new(
        Length::mm(105.0).to_pt(size),
        style.text.indent.to_pt(size),
        Align::Justify,
    );
    let mut ts = Typesetter::new(&style, &doc.meta.lang);
    ts.set_breaker(breaker);
    let label = |id: &lacuna::ir::NoteId| {
        doc.notes
            .iter()
            .find(|n| &n.id == id)
            .map(|n| n.n.clone())
            .unwrap_or_default()
    };
    let mut paras = Vec::new();
    let mut warnings = Vec::new();
    for block in &doc.body {
        if let Block::Paragraph(inlines) = block {
            let spans = spans_from_inlines(inlines, SpanStyle::regular(size), &label);
            warnings.extend(spans.warnings.iter().map(|w| w.to_string()));
            let lines = ts.set_paragraph(&spans.value, &measure);
            warnings.extend(lines.warnings.iter().map(|w| w.to_string()));
            paras.push(lines.value);
        }
    }
    (paras, warnings)
}

/// Sum of squared adjustment ratios of all lines but each paragraph's last.
fn quality(paras: &[Vec<Line>]) -> f64 {
    paras
        .iter()
        .flat_map(|p| p.iter().take(p.len().saturating_sub(1)))
        .map(|l| l.ratio * l.ratio)
        .sum()
}

#[test]
fn knuth_plass_beats_first_fit_on_the_seed() {
    let doc = seed();
    let (kp, kp_warn) = set(&doc, Breaker::TotalFit);
    let (ff, _) = set(&doc, Breaker::FirstFit);
    assert_eq!(kp.len(), 11, "the seed has 11 paragraphs");
    assert!(kp_warn.is_empty(), "{kp_warn:#?}");
    let (q_kp, q_ff) = (quality(&kp), quality(&ff));
    let lines_kp: usize = kp.iter().map(Vec::len).sum();
    let lines_ff: usize = ff.iter().map(Vec::len).sum();
    let hyph_kp = kp.iter().flatten().filter(|l| l.hyphenated).count();
    let hyph_ff = ff.iter().flatten().filter(|l| l.hyphenated).count();
    let worst = |p: &[Vec<Line>]| {
        p.iter()
            .flat_map(|p| p.iter().take(p.len().saturating_sub(1)))
            .map(|l| l.ratio.abs())
            .fold(0.0, f64::max)
    };
    println!(
        "seed at 105 mm, 10.5 pt: Knuth–Plass Σr² = {q_kp:.3} (max |r| {:.3}, {lines_kp} lines, {hyph_kp} hyphens); first fit Σr² = {q_ff:.3} (max |r| {:.3}, {lines_ff} lines, {hyph_ff} hyphens)",
        worst(&kp),
        worst(&ff)
    );
    for (name, p) in [("kp", &kp), ("ff", &ff)] {
        for (i, par) in p.iter().enumerate() {
            for l in par.iter().take(par.len() - 1) {
                if l.ratio.abs() > 0.8 {
                    println!("{name} {i} {:+.3} {}", l.ratio, l.text);
                }
            }
        }
    }
    assert!(q_kp < q_ff, "total fit {q_kp} must beat first fit {q_ff}");
    for line in kp.iter().flatten() {
        assert!(
            !line.overfull && line.set_width <= line.width + 0.01,
            "{line:?}"
        );
    }
    // No more than two hyphenated lines in a row.
    for p in &kp {
        let mut run = 0;
        for l in p {
            run = if l.hyphenated { run + 1 } else { 0 };
            assert!(run <= 2, "three hyphens in a row ending at {:?}", l.text);
        }
    }
    for (i, p) in kp.iter().enumerate().take(2) {
        for l in p {
            println!("{i:2} {:+.3} {}", l.ratio, l.text);
        }
    }
    // Every word of the seed's body is on some line, in order.
    let set_text: String = kp
        .iter()
        .flatten()
        .map(|l| {
            if l.hyphenated {
                l.text.trim_end_matches('-').to_owned()
            } else {
                format!("{} ", l.text)
            }
        })
        .collect();
    let body: String = doc
        .body
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(i) => Some(lacuna::ir::inline_text(i)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ");
    let strip = |s: &str| s.chars().filter(|c| c.is_alphabetic()).collect::<String>();
    assert_eq!(strip(&set_text), strip(&body));
}

#[test]
fn the_seed_sets_the_same_twice() {
    let doc = seed();
    let (a, _) = set(&doc, Breaker::TotalFit);
    let (b, _) = set(&doc, Breaker::TotalFit);
    assert_eq!(a, b);
}
