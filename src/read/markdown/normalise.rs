//! Whitespace normalisation of a block's inlines: one space between words, none at the
//! block's edges, whatever the element boundaries.

use crate::ir::Inline;

/// Collapses runs of ASCII whitespace to one space and trims the ends (no-break and
/// other typographic spaces are kept).
pub(super) fn collapse_spaces(s: &str) -> String {
    s.split([' ', '\t', '\n'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Normalises the inlines of one block: merges adjacent text, collapses runs of
/// whitespace (also across element boundaries) to one space, drops spaces at the
/// block's ends and around line breaks, and drops what is left empty.
pub(super) fn normalise(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut inlines = merge_text(inlines);
    let mut space_before = true;
    collapse(&mut inlines, &mut space_before);
    trim_end(&mut inlines);
    prune(inlines)
}

fn merge_text(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        match (out.last_mut(), inline) {
            (Some(Inline::Text(a)), Inline::Text(b)) => a.push_str(&b),
            (_, Inline::Emph(c)) => out.push(Inline::Emph(merge_text(c))),
            (_, Inline::Strong(c)) => out.push(Inline::Strong(merge_text(c))),
            (_, Inline::Link { target, content }) => out.push(Inline::Link {
                target,
                content: merge_text(content),
            }),
            (_, other) => out.push(other),
        }
    }
    out
}

fn collapse(inlines: &mut [Inline], space_before: &mut bool) {
    for i in 0..inlines.len() {
        match &mut inlines[i] {
            Inline::Text(t) => {
                let mut out = String::with_capacity(t.len());
                for c in t.chars() {
                    if matches!(c, ' ' | '\t' | '\n' | '\r') {
                        if !*space_before {
                            out.push(' ');
                            *space_before = true;
                        }
                    } else {
                        out.push(c);
                        *space_before = false;
                    }
                }
                *t = out;
            }
            Inline::Emph(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
                collapse(c, space_before)
            }
            Inline::LineBreak => {
                if i > 0 {
                    trim_end(&mut inlines[..i]);
                }
                *space_before = true;
            }
            _ => *space_before = false,
        }
    }
}

/// Removes trailing whitespace from the last text of `inlines` (looking into
/// containers), and trailing line breaks.
fn trim_end(inlines: &mut [Inline]) {
    for inline in inlines.iter_mut().rev() {
        match inline {
            Inline::Text(t) => {
                let trimmed = t.trim_end_matches([' ', '\t', '\n']).len();
                t.truncate(trimmed);
                if !t.is_empty() {
                    return;
                }
            }
            Inline::Emph(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
                trim_end(c);
                if !is_empty_content(c) {
                    return;
                }
            }
            _ => return,
        }
    }
}

fn is_empty_content(inlines: &[Inline]) -> bool {
    inlines.iter().all(|i| match i {
        Inline::Text(t) => t.is_empty(),
        Inline::Emph(c) | Inline::Strong(c) => is_empty_content(c),
        _ => false,
    })
}

/// Drops empty text, empty emphasis and trailing line breaks.
fn prune(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = inlines
        .into_iter()
        .filter_map(|inline| match inline {
            Inline::Text(t) if t.is_empty() => None,
            Inline::Emph(c) => Some(Inline::Emph(prune(c))).filter(|i| !is_empty_inline(i)),
            Inline::Strong(c) => Some(Inline::Strong(prune(c))).filter(|i| !is_empty_inline(i)),
            Inline::Link { target, content } => Some(Inline::Link {
                target,
                content: prune(content),
            }),
            other => Some(other),
        })
        .collect();
    while matches!(out.last(), Some(Inline::LineBreak)) {
        out.pop();
    }
    let leading = out
        .iter()
        .take_while(|i| matches!(i, Inline::LineBreak))
        .count();
    out.drain(..leading);
    out
}

fn is_empty_inline(inline: &Inline) -> bool {
    matches!(inline, Inline::Emph(c) | Inline::Strong(c) if c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_owned())
    }

    #[test]
    fn collapses_spaces_across_element_boundaries() {
        let got = normalise(vec![
            text("  a "),
            Inline::Emph(vec![text(" b  "), text("\tc ")]),
            text(" d "),
            Inline::LineBreak,
            text(" e "),
            Inline::Strong(vec![text("  ")]),
        ]);
        assert_eq!(
            got,
            [
                text("a "),
                Inline::Emph(vec![text("b c ")]),
                text("d"),
                Inline::LineBreak,
                text("e"),
            ]
        );
    }

    #[test]
    fn keeps_no_break_spaces() {
        assert_eq!(
            normalise(vec![text("8\u{a0}–\u{a0}hour")]),
            [text("8\u{a0}–\u{a0}hour")]
        );
        assert_eq!(collapse_spaces(" a \u{a0} b "), "a \u{a0} b");
    }
}
