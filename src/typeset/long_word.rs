//! The one limit on words: a word longer than [`MAX_WORD_CHARS`] characters is cut.
//!
//! Such a "word" is never text a reader can read on a page (it would run off the page
//! for hundreds of lines), but shaping it whole costs memory in proportion to its
//! length times the shaper's per-glyph state: a 5 MB word once took half a gigabyte.
//! Cutting it keeps the typesetter's memory bounded per word.

use super::paragraph::Span;
use crate::diag::Warning;

/// The longest word the typesetter sets, in characters.
pub const MAX_WORD_CHARS: usize = 100_000;

/// Returns `spans` with every word (a run without white space, across spans) longer
/// than [`MAX_WORD_CHARS`] cut to that length, and a warning for each; `None` when no
/// word is that long (the common case, found in one pass without copying).
pub fn cut_long_words(spans: &[Span]) -> Option<(Vec<Span>, Vec<Warning>)> {
    let mut run = 0usize;
    let too_long = spans.iter().any(|s| {
        s.text.chars().any(|c| {
            run = if c.is_whitespace() { 0 } else { run + 1 };
            run > MAX_WORD_CHARS
        })
    });
    if !too_long {
        return None;
    }
    let mut out = Vec::with_capacity(spans.len());
    let mut warnings = Vec::new();
    // Length of the current word, where it starts (characters into the paragraph).
    let (mut run, mut start, mut at) = (0usize, 0usize, 0usize);
    let warn = |run: usize, start: usize, warnings: &mut Vec<Warning>| {
        if run > MAX_WORD_CHARS {
            warnings.push(Warning::general(format!(
                "a word of {run} characters at character {} of a paragraph is longer than \
                 {MAX_WORD_CHARS} characters; cut to its first {MAX_WORD_CHARS} in the PDF",
                start + 1
            )));
        }
    };
    for span in spans {
        let mut text = String::with_capacity(span.text.len().min(4 * MAX_WORD_CHARS));
        for c in span.text.chars() {
            if c.is_whitespace() {
                warn(run, start, &mut warnings);
                run = 0;
                text.push(c);
            } else {
                if run == 0 {
                    start = at;
                }
                run += 1;
                if run <= MAX_WORD_CHARS {
                    text.push(c);
                }
            }
            at += 1;
        }
        out.push(Span {
            text,
            ..span.clone()
        });
    }
    warn(run, start, &mut warnings);
    Some((out, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::paragraph::SpanStyle;

    #[test]
    fn short_words_are_left_alone() {
        let spans = [Span::new("a few words", SpanStyle::regular(10.0))];
        assert!(cut_long_words(&spans).is_none());
    }

    #[test]
    fn a_word_across_spans_is_cut_at_the_limit() {
        let style = SpanStyle::regular(10.0);
        let half = "x".repeat(MAX_WORD_CHARS / 2 + 10);
        let spans = [
            Span::new(format!("ab {half}"), style),
            Span::new(format!("{half} cd"), style),
        ];
        let (cut, warnings) = cut_long_words(&spans).expect("cut");
        let text: String = cut.iter().map(|s| s.text.as_str()).collect();
        let longest = text.split(' ').map(|w| w.chars().count()).max();
        assert_eq!(longest, Some(MAX_WORD_CHARS));
        assert!(text.starts_with("ab ") && text.ends_with(" cd"));
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].message.contains("at character 4"),
            "{warnings:?}"
        );
    }
}
