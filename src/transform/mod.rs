//! IR → IR passes and consistency checks shared by every reader.

use std::collections::BTreeSet;

use crate::diag::Warning;
use crate::ir::{Block, Document, Inline, NoteId};

/// Visits every inline of `blocks` (depth first, in reading order), notes excluded.
pub fn walk_inlines<'a>(blocks: &'a [Block], f: &mut dyn FnMut(&'a Inline)) {
    for block in blocks {
        walk_block(block, f);
    }
}

fn walk_block<'a>(block: &'a Block, f: &mut dyn FnMut(&'a Inline)) {
    match block {
        Block::Heading { content, .. } | Block::Paragraph(content) | Block::Stage(content) => {
            walk_list(content, f)
        }
        Block::Speech {
            speaker, blocks, ..
        } => {
            if let Some(s) = speaker {
                walk_list(s, f);
            }
            walk_inlines(blocks, f);
        }
        Block::Quote(blocks) => walk_inlines(blocks, f),
        Block::Verse(lines) => lines.iter().for_each(|l| walk_list(l, f)),
        Block::List { items, .. } => items.iter().for_each(|i| walk_inlines(i, f)),
        Block::Table(rows) => rows
            .iter()
            .flat_map(|r| &r.cells)
            .for_each(|c| walk_list(c, f)),
        Block::Verbatim { .. } | Block::ThematicBreak | Block::PageBreak => {}
    }
}

fn walk_list<'a>(inlines: &'a [Inline], f: &mut dyn FnMut(&'a Inline)) {
    for inline in inlines {
        f(inline);
        match inline {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::SmallCaps(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::Hi { content: c, .. }
            | Inline::Foreign { content: c, .. }
            | Inline::Unclear { content: c, .. }
            | Inline::Supplied { content: c, .. }
            | Inline::Link { content: c, .. } => walk_list(c, f),
            _ => {}
        }
    }
}

/// Returns the note ids the body refers to, in order of first reference.
pub fn referenced_notes(doc: &Document) -> Vec<&NoteId> {
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    walk_inlines(&doc.body, &mut |inline| {
        let id = match inline {
            Inline::NoteRef(id) => Some(id),
            Inline::Gap(gap) => gap.note.as_ref(),
            _ => None,
        };
        if let Some(id) = id
            && seen.insert(id)
        {
            order.push(id);
        }
    });
    order
}

/// Checks that every note call has its note, that note ids are unique, and that every
/// note is called; returns a warning for each problem.
pub fn check_notes(doc: &Document) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut ids = BTreeSet::new();
    for note in &doc.notes {
        if !ids.insert(&note.id) {
            warnings.push(Warning::general(format!(
                "note id {} is used twice",
                note.id
            )));
        }
    }
    let called: BTreeSet<_> = referenced_notes(doc).into_iter().collect();
    for id in &called {
        if !ids.contains(id) {
            warnings.push(Warning::general(format!(
                "note {id} is called but not defined"
            )));
        }
    }
    for id in ids {
        if !called.contains(id) {
            warnings.push(Warning::general(format!("note {id} is never called")));
        }
    }
    warnings
}
