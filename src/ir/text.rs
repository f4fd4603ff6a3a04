//! Plain-text views of IR content, for word checks, search and metadata.

use super::{Block, Inline};

/// Returns the text a reader sees in `inlines`: lacunae as printed, incidents in
/// parentheses, note calls and images left out, line breaks as spaces.
pub fn inline_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_inlines(&mut out, inlines);
    out
}

/// Returns the text of `blocks`, one block per line.
pub fn blocks_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        push_block(&mut out, block);
    }
    out
}

/// Tells whether `s` holds nothing but whitespace (no-break spaces included).
pub fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

fn push_block(out: &mut String, block: &Block) {
    match block {
        Block::Heading { content, .. } | Block::Paragraph(content) | Block::Stage(content) => {
            push_inlines(out, content);
            out.push('\n');
        }
        Block::Speech {
            speaker, blocks, ..
        } => {
            if let Some(speaker) = speaker {
                push_inlines(out, speaker);
                out.push('\n');
            }
            for b in blocks {
                push_block(out, b);
            }
        }
        Block::Quote(blocks) => {
            for b in blocks {
                push_block(out, b);
            }
        }
        Block::Verse(lines) => {
            for line in lines {
                push_inlines(out, line);
                out.push('\n');
            }
        }
        Block::List { items, .. } => {
            for item in items {
                for b in item {
                    push_block(out, b);
                }
            }
        }
        Block::Verbatim { text, .. } => {
            out.push_str(text);
            out.push('\n');
        }
        Block::Table(rows) => {
            for row in rows {
                for cell in &row.cells {
                    push_inlines(out, cell);
                    out.push(' ');
                }
                out.push('\n');
            }
        }
        Block::ThematicBreak | Block::PageBreak => {}
    }
}

fn push_inlines(out: &mut String, inlines: &[Inline]) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Gap(gap) => out.push_str(&gap.shown),
            Inline::Incident(incident) => {
                out.push('(');
                out.push_str(&incident.desc);
                out.push(')');
            }
            Inline::LineBreak => out.push(' '),
            Inline::NoteRef(_) | Inline::Image { .. } | Inline::Milestone { .. } => {}
            // Alternatives, deletions and readings: the reading text, each word once.
            Inline::Choice(_)
            | Inline::Edited(_)
            | Inline::Del(_)
            | Inline::Subst(_)
            | Inline::LineBegin(_)
            | Inline::Glyph { .. }
            | Inline::App(_) => push_inlines(
                out,
                &crate::transform::transcription::reading_fallback(inline),
            ),
            wrapper => push_inlines(out, wrapper.children().unwrap_or_default()),
        }
    }
}
