//! Shows transcription markup by a convention: the pass the PDF and EPUB writers run
//! before setting a document (JSON and TEI keep the markup itself).
//!
//! | IR | reading text | diplomatic text | Leiden |
//! |----|--------------|-----------------|--------|
//! | choice | corr, reg, expan (first found) | sic, orig, abbr | like the reading text, a correction in `⟨ ⟩` |
//! | lone sic / corr | as is | as is | `text(!)` / `⟨text⟩` |
//! | ex / am | in / out | out / in | `(ex)` / out |
//! | add | in | superscript | `\add/` |
//! | del | out, in a note | struck through | `⟦del⟧` |
//! | subst | the additions, deletions in a note | each part, in order | each part, in order |
//! | lb with n or break | nothing | a line break | `|` (no spaces around it inside a word) |
//! | supplied / unclear | as the writer shows them | as the writer shows them | `[text]` (`⟨text⟩` when omitted) / dot below each letter |
//! | gap | as printed | as printed | `[...]` one dot a letter, `[- - -]`, `- - - - - -` for lines |
//! | app | the lemma (or first reading), the readings in a note: `lemma] reading A; om. B` | same | same |
//! | w, num, name, g | their text | their text | their text |
//!
//! Alternatives not shown go to editorial notes, called right after the shown text and
//! numbered after the document's own editorial notes.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::ir::{
    App, Block, Change, Convention, Document, EditKind, Edited, Gap, GapReason, Inline, LineBegin,
    Note, NoteId, NoteSeries, SubstPart,
};

/// How the PDF or EPUB shows struck-through text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strike {
    /// A combining long stroke overlay (U+0336) after each character (for the PDF,
    /// whose typesetter draws no rules through text).
    Combining,
    /// `Inline::Hi { rend: "strikethrough" }` (for the EPUB's CSS).
    Markup,
}

/// Returns the convention to show `doc` in: the style's, else the document's own
/// (Leiden for an EpiDoc edition), else a reading text.
pub fn convention(doc: &Document, style: Option<Convention>) -> Convention {
    style.or(doc.meta.convention).unwrap_or(Convention::Reading)
}

/// Returns `doc` with its transcription markup shown by `convention`: borrowed when
/// there is nothing to change.
pub fn present(doc: &Document, convention: Convention, strike: Strike) -> Cow<'_, Document> {
    if convention != Convention::Leiden && !has_markup(doc) {
        return Cow::Borrowed(doc);
    }
    let mut out = doc.clone();
    let ids: BTreeSet<String> = doc.notes.iter().map(|n| n.id.0.clone()).collect();
    let next_n = doc
        .notes
        .iter()
        .filter(|n| n.series == NoteSeries::Editorial)
        .filter_map(|n| n.n.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    let mut p = Presenter {
        convention,
        strike,
        ids,
        next_n,
        added: Vec::new(),
        at_start: true,
    };
    for b in &mut out.body {
        p.block(b);
    }
    for note in &mut out.notes {
        for b in &mut note.content {
            p.block(b);
        }
    }
    out.notes.append(&mut p.added);
    Cow::Owned(out)
}

/// Tells whether `doc` has any transcription markup to show.
fn has_markup(doc: &Document) -> bool {
    let mut found = false;
    let mut look = |i: &Inline| {
        found |= matches!(
            i,
            Inline::Choice(_)
                | Inline::Edited(_)
                | Inline::Add(_)
                | Inline::Del(_)
                | Inline::Subst(_)
                | Inline::LineBegin(_)
                | Inline::Word { .. }
                | Inline::Glyph { .. }
                | Inline::Num { .. }
                | Inline::Name { .. }
                | Inline::App(_)
        )
    };
    crate::transform::walk_inlines(&doc.body, &mut look);
    for n in &doc.notes {
        crate::transform::walk_inlines(&n.content, &mut look);
    }
    found
}

/// Returns the text of one transcription element as a reading text shows it, without
/// notes: for writers that meet the markup without [`present`] having run.
pub fn reading_fallback(inline: &Inline) -> Vec<Inline> {
    let mut p = Presenter {
        convention: Convention::Reading,
        strike: Strike::Markup,
        ids: BTreeSet::new(),
        next_n: 1,
        added: Vec::new(),
        at_start: false,
    };
    let mut out = Vec::new();
    p.inline(inline.clone(), &mut out);
    strip_calls(&mut out, &p.added);
    out
}

fn strip_calls(out: &mut Vec<Inline>, added: &[Note]) {
    out.retain(|i| !matches!(i, Inline::NoteRef(id) if added.iter().any(|n| &n.id == id)));
}

struct Presenter {
    convention: Convention,
    strike: Strike,
    /// Note ids in use.
    ids: BTreeSet<String>,
    /// The number of the next editorial note.
    next_n: u64,
    /// The notes made for alternatives.
    added: Vec<Note>,
    /// Whether nothing of the current block has been shown yet (a line beginning there
    /// needs no mark).
    at_start: bool,
}

impl Presenter {
    fn block(&mut self, block: &mut Block) {
        match block {
            Block::Heading { content, .. } | Block::Paragraph(content) | Block::Stage(content) => {
                self.list(content)
            }
            Block::Speech {
                speaker, blocks, ..
            } => {
                if let Some(s) = speaker {
                    self.list(s);
                }
                blocks.iter_mut().for_each(|b| self.block(b));
            }
            Block::Quote(blocks) => blocks.iter_mut().for_each(|b| self.block(b)),
            Block::Verse(lines) => lines.iter_mut().for_each(|l| self.list(l)),
            Block::List { items, .. } => items.iter_mut().flatten().for_each(|b| self.block(b)),
            Block::Table(rows) => rows
                .iter_mut()
                .flat_map(|r| &mut r.cells)
                .for_each(|c| self.list(c)),
            Block::Verbatim { .. } | Block::ThematicBreak | Block::PageBreak => {}
        }
    }

    /// Shows one block's inline content.
    fn list(&mut self, inlines: &mut Vec<Inline>) {
        self.at_start = true;
        let old = std::mem::take(inlines);
        *inlines = self.map(old);
        tidy(inlines);
    }

    fn map(&mut self, inlines: Vec<Inline>) -> Vec<Inline> {
        let mut out = Vec::with_capacity(inlines.len());
        for i in inlines {
            self.inline(i, &mut out);
        }
        out
    }

    fn text(&mut self, out: &mut Vec<Inline>, s: &str) {
        if !s.is_empty() {
            self.at_start = false;
            out.push(Inline::Text(s.to_owned()));
        }
    }

    /// Appends `content` between `open` and `close`.
    fn wrapped(&mut self, out: &mut Vec<Inline>, open: &str, content: Vec<Inline>, close: &str) {
        self.text(out, open);
        let shown = self.map(content);
        out.extend(shown);
        self.text(out, close);
    }

    fn inline(&mut self, inline: Inline, out: &mut Vec<Inline>) {
        let leiden = self.convention == Convention::Leiden;
        match inline {
            Inline::Choice(alts) => self.choice(alts, out),
            Inline::Edited(e) => self.edited(e, out),
            Inline::Add(c) => self.add(c, out),
            Inline::Del(c) => {
                if self.convention == Convention::Reading {
                    let text = self.plain(c.content.clone());
                    self.note(out, format!("{} {text}", change_label("del.", &c)));
                } else {
                    self.del(c, out);
                }
            }
            Inline::Subst(parts) => self.subst(parts, out),
            Inline::LineBegin(lb) => self.line_begin(&lb, out),
            Inline::Word { content, .. }
            | Inline::Num { content, .. }
            | Inline::Name { content, .. } => {
                let shown = self.map(content);
                out.extend(shown);
            }
            Inline::Glyph { glyph_ref, text } => {
                if text.is_empty() {
                    let name = glyph_ref.as_deref().unwrap_or("glyph");
                    self.text(out, &format!("[{}]", name.trim_start_matches('#')));
                } else {
                    self.text(out, &text);
                }
            }
            Inline::App(app) => self.app(app, out),
            Inline::Supplied { reason, content } if leiden => {
                let (open, close) = if reason.as_deref() == Some("omitted") {
                    ("\u{27E8}", "\u{27E9}")
                } else {
                    ("[", "]")
                };
                self.wrapped(out, open, content, close);
            }
            Inline::Unclear { content, .. } if leiden => {
                let mut shown = self.map(content);
                dot_below(&mut shown);
                self.at_start = false;
                out.extend(shown);
            }
            Inline::Gap(gap) if leiden => {
                self.at_start = false;
                out.push(Inline::Gap(Gap {
                    shown: leiden_gap(&gap),
                    ..gap
                }));
            }
            Inline::Text(t) => {
                if !t.trim().is_empty() {
                    self.at_start = false;
                }
                out.push(Inline::Text(t));
            }
            Inline::LineBreak => {
                self.at_start = true;
                out.push(Inline::LineBreak);
            }
            Inline::Milestone { .. } | Inline::NoteRef(_) => out.push(inline),
            // Wrappers show their content (which decides whether the block has begun);
            // other leaves have begun it.
            mut other => {
                match other.children_mut() {
                    Some(children) => {
                        let old = std::mem::take(children);
                        *children = self.map(old);
                    }
                    None => self.at_start = false,
                }
                out.push(other);
            }
        }
    }

    fn choice(&mut self, alts: Vec<Edited>, out: &mut Vec<Inline>) {
        let preference: &[EditKind] = match self.convention {
            Convention::Diplomatic => &[EditKind::Sic, EditKind::Orig, EditKind::Abbr],
            Convention::Reading | Convention::Leiden => {
                &[EditKind::Corr, EditKind::Reg, EditKind::Expan]
            }
        };
        let shown = preference
            .iter()
            .find_map(|k| alts.iter().position(|a| a.kind == *k))
            .unwrap_or(0);
        // Leiden's `man(ibus)` already shows what the stone has: an abbreviation needs no
        // note beside an expansion whose expanded part (`ex`) is in parentheses.
        let leiden_expansion = self.convention == Convention::Leiden
            && alts.get(shown).is_some_and(|a| {
                a.kind == EditKind::Expan
                    && a.content
                        .iter()
                        .any(|i| matches!(i, Inline::Edited(e) if e.kind == EditKind::Ex))
            });
        let mut others = Vec::new();
        for (i, alt) in alts.into_iter().enumerate() {
            if i == shown {
                self.edited(alt, out);
            } else if leiden_expansion && alt.kind == EditKind::Abbr {
                continue;
            } else {
                let kind = alt.kind;
                let text = self.plain(alt.content);
                others.push(format!("{} {text}", kind_label(kind)));
            }
        }
        if !others.is_empty() {
            self.note(out, others.join("; "));
        }
    }

    fn edited(&mut self, e: Edited, out: &mut Vec<Inline>) {
        use Convention::*;
        match (e.kind, self.convention) {
            (EditKind::Ex, Diplomatic) | (EditKind::Am, Reading | Leiden) => {}
            (EditKind::Ex, Leiden) => self.wrapped(out, "(", e.content, ")"),
            (EditKind::Sic, Leiden) => self.wrapped(out, "", e.content, "(!)"),
            (EditKind::Corr, Leiden) => self.wrapped(out, "\u{27E8}", e.content, "\u{27E9}"),
            (EditKind::Supplied, Leiden) => self.wrapped(out, "[", e.content, "]"),
            (EditKind::Unclear, Leiden) => {
                let mut shown = self.map(e.content);
                dot_below(&mut shown);
                out.extend(shown);
            }
            _ => self.wrapped(out, "", e.content, ""),
        }
    }

    fn add(&mut self, c: Change, out: &mut Vec<Inline>) {
        match self.convention {
            Convention::Reading => self.wrapped(out, "", c.content, ""),
            Convention::Diplomatic => {
                let shown = self.map(c.content);
                self.at_start = false;
                out.push(Inline::Sup(shown));
            }
            Convention::Leiden => self.wrapped(out, "\\", c.content, "/"),
        }
    }

    fn del(&mut self, c: Change, out: &mut Vec<Inline>) {
        match self.convention {
            Convention::Leiden => self.wrapped(out, "\u{27E6}", c.content, "\u{27E7}"),
            _ => {
                let mut shown = self.map(c.content);
                self.at_start = false;
                match self.strike {
                    Strike::Combining => {
                        overlay(&mut shown, '\u{0336}');
                        out.extend(shown);
                    }
                    Strike::Markup => out.push(Inline::Hi {
                        rend: "strikethrough".to_owned(),
                        content: shown,
                    }),
                }
            }
        }
    }

    fn subst(&mut self, parts: Vec<SubstPart>, out: &mut Vec<Inline>) {
        if self.convention != Convention::Reading {
            for part in parts {
                match part {
                    SubstPart::Add(c) => self.add(c, out),
                    SubstPart::Del(c) => self.del(c, out),
                }
            }
            return;
        }
        let mut deleted = Vec::new();
        for part in parts {
            match part {
                SubstPart::Add(c) => self.wrapped(out, "", c.content, ""),
                SubstPart::Del(c) => {
                    let label = change_label("del.", &c);
                    let text = self.plain(c.content);
                    deleted.push(format!("{label} {text}"));
                }
            }
        }
        if !deleted.is_empty() {
            self.note(out, deleted.join("; "));
        }
    }

    fn line_begin(&mut self, lb: &LineBegin, out: &mut Vec<Inline>) {
        if self.at_start {
            return;
        }
        match self.convention {
            Convention::Reading => {}
            Convention::Diplomatic => {
                out.push(Inline::LineBreak);
                self.at_start = true;
            }
            Convention::Leiden => {
                let mark = if lb.inside_word() { "|" } else { " | " };
                out.push(Inline::Text(mark.to_owned()));
            }
        }
    }

    fn app(&mut self, app: App, out: &mut Vec<Inline>) {
        let App { lem, rdgs } = app;
        let mut readings = rdgs.into_iter();
        let base = lem.or_else(|| readings.next());
        let mut entry = String::new();
        if let Some(base) = base {
            let text = self.plain(base.content.clone());
            entry.push_str(&text);
            if let Some(w) = &base.wit {
                entry.push(' ');
                entry.push_str(&sigla(w));
            }
            entry.push(']');
            self.wrapped(out, "", base.content, "");
        }
        let mut parts = Vec::new();
        for r in readings {
            let text = self.plain(r.content);
            let text = if text.is_empty() {
                "om.".to_owned()
            } else {
                text
            };
            parts.push(match &r.wit {
                Some(w) => format!("{text} {}", sigla(w)),
                None => text,
            });
        }
        if !parts.is_empty() {
            if !entry.is_empty() {
                entry.push(' ');
            }
            entry.push_str(&parts.join("; "));
            self.note(out, entry);
        }
    }

    /// Returns the text of `content` for a note.
    /// Alternatives are the editor's forms: they are given as a reading text shows them
    /// (a diplomatic text's note on `man` gives the expansion `manibus`).
    fn plain(&mut self, content: Vec<Inline>) -> String {
        let at_start = self.at_start;
        let notes = self.added.len();
        let convention = std::mem::replace(&mut self.convention, Convention::Reading);
        let mut shown = self.map(content);
        self.convention = convention;
        // Notes about alternatives inside alternatives are folded into the text.
        let inner: Vec<Note> = self.added.drain(notes..).collect();
        strip_calls(&mut shown, &inner);
        self.at_start = at_start;
        crate::ir::inline_text(&shown)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Makes an editorial note with `text` and calls it here.
    fn note(&mut self, out: &mut Vec<Inline>, text: String) {
        let mut k = self.next_n;
        let id = loop {
            let id = format!("tn{k}");
            if self.ids.insert(id.clone()) {
                break id;
            }
            k += 1;
        };
        let n = self.next_n.to_string();
        self.next_n += 1;
        self.added.push(Note {
            id: NoteId(id.clone()),
            series: NoteSeries::Editorial,
            n,
            content: vec![Block::Paragraph(vec![Inline::Text(text)])],
            resp: None,
        });
        out.push(Inline::NoteRef(NoteId(id)));
    }
}

fn kind_label(kind: EditKind) -> &'static str {
    match kind {
        EditKind::Sic => "sic:",
        EditKind::Corr => "corr.:",
        EditKind::Orig => "orig.:",
        EditKind::Reg => "reg.:",
        EditKind::Abbr => "abbr.:",
        EditKind::Expan => "expan.:",
        EditKind::Ex => "ex.:",
        EditKind::Am => "am.:",
        EditKind::Unclear => "or:",
        EditKind::Supplied => "or:",
        EditKind::Seg => "or:",
    }
}

/// Returns `del.:` with the hand and place when the source gives them.
fn change_label(what: &str, c: &Change) -> String {
    let mut details = Vec::new();
    if let Some(h) = &c.hand {
        details.push(format!("hand {}", h.trim_start_matches('#')));
    }
    if let Some(p) = &c.place {
        details.push(p.clone());
    }
    if details.is_empty() {
        format!("{what}:")
    } else {
        format!("{what} ({}):", details.join(", "))
    }
}

/// Turns `#A #B` into `A B`.
fn sigla(wit: &str) -> String {
    wit.split_whitespace()
        .map(|w| w.trim_start_matches('#'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Returns the Leiden siglum of a lacuna: `[...]` with one dot a letter when the number
/// of letters is known (up to 20), `[- - -]` otherwise, `- - - - - -` for lost lines;
/// illegible letters are dots without brackets.
fn leiden_gap(gap: &Gap) -> String {
    let extent = gap.extent.as_ref();
    let unit = extent.and_then(|e| e.unit.as_deref());
    let quantity = extent.and_then(|e| e.quantity);
    let lost = !matches!(gap.reason, GapReason::Illegible);
    match (unit, quantity) {
        (Some("line"), _) => "- - - - - -".to_owned(),
        (Some("character") | None, Some(q)) if (1..=20).contains(&q) => {
            let dots = ".".repeat(q as usize);
            if lost { format!("[{dots}]") } else { dots }
        }
        _ if lost => "[- - -]".to_owned(),
        _ => "+ + +".to_owned(),
    }
}

/// Puts a dot below each letter (Leiden's mark for an uncertain letter).
fn dot_below(inlines: &mut [Inline]) {
    overlay_list(inlines, '\u{0323}');
}

/// Puts a struck-through overlay on each character.
fn overlay(inlines: &mut [Inline], mark: char) {
    overlay_list(inlines, mark);
}

fn overlay_list(inlines: &mut [Inline], mark: char) {
    for i in inlines {
        match i {
            Inline::Text(t) => {
                let mut s = String::with_capacity(t.len() * 3);
                for c in t.chars() {
                    s.push(c);
                    if !c.is_whitespace() {
                        s.push(mark);
                    }
                }
                *t = s;
            }
            other => {
                if let Some(c) = other.children_mut() {
                    overlay_list(c, mark);
                }
            }
        }
    }
}

/// Merges adjacent texts and collapses the double spaces that marks and removed
/// deletions leave, also across element boundaries; trims the block's ends.
fn tidy(inlines: &mut Vec<Inline>) {
    let mut space = true;
    collapse(inlines, &mut space);
    if let Some(Inline::Text(t)) = inlines.last_mut() {
        *t = t.trim_end().to_owned();
    }
    inlines.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
}

/// Collapses runs of spaces; `space` tells whether the text so far ends in one.
fn collapse(inlines: &mut Vec<Inline>, space: &mut bool) {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for mut i in std::mem::take(inlines) {
        match &mut i {
            Inline::Text(t) => {
                let mut s = String::with_capacity(t.len());
                for c in t.chars() {
                    if c == ' ' {
                        if *space {
                            continue;
                        }
                        *space = true;
                    } else {
                        *space = false;
                    }
                    s.push(c);
                }
                match out.last_mut() {
                    Some(Inline::Text(a)) => a.push_str(&s),
                    _ if s.is_empty() => {}
                    _ => out.push(Inline::Text(s)),
                }
                continue;
            }
            Inline::NoteRef(_) | Inline::Milestone { .. } => {}
            Inline::LineBreak => *space = true,
            other => match other.children_mut() {
                Some(c) => collapse(c, space),
                None => *space = false,
            },
        }
        out.push(i);
    }
    *inlines = out;
}
