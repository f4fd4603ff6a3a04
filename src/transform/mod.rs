//! IR → IR passes and consistency checks shared by every reader.

pub mod transcription;

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
        // Most elements hold one list: no allocation for them.
        match inline.children() {
            Some(children) => walk_list(children, f),
            None => inline.contents().into_iter().for_each(|c| walk_list(c, f)),
        }
    }
}

/// Visits every inline of `blocks` (depth first, in reading order) so that it can be
/// changed; notes excluded.
pub fn walk_inlines_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Inline)) {
    for block in blocks {
        walk_block_mut(block, f);
    }
}

/// Visits every inline of one block so that it can be changed.
pub fn walk_block_mut(block: &mut Block, f: &mut dyn FnMut(&mut Inline)) {
    match block {
        Block::Heading { content, .. } | Block::Paragraph(content) | Block::Stage(content) => {
            walk_list_mut(content, f)
        }
        Block::Speech {
            speaker, blocks, ..
        } => {
            if let Some(s) = speaker {
                walk_list_mut(s, f);
            }
            walk_inlines_mut(blocks, f);
        }
        Block::Quote(blocks) => walk_inlines_mut(blocks, f),
        Block::Verse(lines) => lines.iter_mut().for_each(|l| walk_list_mut(l, f)),
        Block::List { items, .. } => items.iter_mut().for_each(|i| walk_inlines_mut(i, f)),
        Block::Table(rows) => rows
            .iter_mut()
            .flat_map(|r| &mut r.cells)
            .for_each(|c| walk_list_mut(c, f)),
        Block::Verbatim { .. } | Block::ThematicBreak | Block::PageBreak => {}
    }
}

/// Visits a list of inlines and everything inside them so that it can be changed.
pub fn walk_list_mut(inlines: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
    for inline in inlines {
        f(inline);
        if inline.children().is_some() {
            if let Some(children) = inline.children_mut() {
                walk_list_mut(children, f);
            }
        } else {
            for children in inline.contents_mut() {
                walk_list_mut(children, f);
            }
        }
    }
}

/// Returns the note ids the body and the notes refer to, in order of first reference
/// (the body first, then calls from within notes, e.g. a lacuna inside a footnote).
pub fn referenced_notes(doc: &Document) -> Vec<NoteId> {
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    let mut visit = |inline: &Inline| {
        let id = match inline {
            Inline::NoteRef(id) => Some(id),
            Inline::Gap(gap) => gap.note.as_ref(),
            _ => None,
        };
        if let Some(id) = id
            && seen.insert(id.clone())
        {
            order.push(id.clone());
        }
    };
    walk_inlines(&doc.body, &mut visit);
    for note in &doc.notes {
        walk_inlines(&note.content, &mut visit);
    }
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
    let called: BTreeSet<NoteId> = referenced_notes(doc).into_iter().collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Gap, GapReason, Meta, Note, NoteSeries};

    fn note(id: &str, series: NoteSeries, content: Vec<Inline>) -> Note {
        Note {
            id: NoteId(id.into()),
            series,
            n: "1".into(),
            content: vec![Block::Paragraph(content)],
            resp: None,
        }
    }

    #[test]
    fn calls_from_notes_count_and_problems_are_reported() {
        let gap = Inline::Gap(Gap {
            reason: GapReason::Omitted,
            extent: None,
            shown: "...".into(),
            note: Some(NoteId("e1".into())),
        });
        let doc = Document {
            meta: Meta::default(),
            body: vec![Block::Paragraph(vec![
                Inline::NoteRef(NoteId("a1".into())),
                Inline::NoteRef(NoteId("a9".into())),
            ])],
            notes: vec![
                note("a1", NoteSeries::Author, vec![gap]),
                note(
                    "e1",
                    NoteSeries::Editorial,
                    vec![Inline::Text("Lost.".into())],
                ),
                note("a2", NoteSeries::Author, vec![]),
            ],
        };
        let ids: Vec<String> = referenced_notes(&doc)
            .iter()
            .map(|i| i.to_string())
            .collect();
        assert_eq!(ids, ["a1", "a9", "e1"]);
        let msgs: Vec<String> = check_notes(&doc).iter().map(|w| w.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "note a9 is called but not defined",
                "note a2 is never called"
            ]
        );
    }
}
