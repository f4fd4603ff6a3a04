//! IR → XHTML content documents: sections, note calls and pop-up footnotes.
//!
//! Notes follow the EPUB 3 pattern that Apple Books, Kobo, Thorium and KOReader show as
//! pop-ups: the call is `<a epub:type="noteref">` pointing at an `<aside epub:type="footnote">`
//! in the same file, and the aside links back to the call. A note lives in the file of its
//! first call; calls from later files link across files.

use std::collections::{BTreeMap, BTreeSet};

use super::labels::Labels;
use super::media::Images;
use super::text::{class_token, esc, is_external_url, is_lang_tag, is_ncname, push_escaped};
use crate::diag::Warning;
use crate::ir::{
    Block, Document, Gap, Incident, IncidentKind, Inline, NoteId, NoteSeries, TableRow, inline_text,
};
use crate::transform::walk_inlines;

/// One content document: a top-level section of the body.
pub(super) struct Section<'a> {
    /// File name inside `OEBPS/`.
    pub file: String,
    /// The blocks, starting with the level-1 heading that opens the section, if any.
    pub blocks: &'a [Block],
    /// The label for the table of contents and `<title>`.
    pub label: String,
    /// The id of the opening heading, if the section has one.
    pub anchor: Option<String>,
    /// Level-2 headings: (href, label), for the table of contents; a continued section's
    /// are listed with the section it continues.
    pub subheads: Vec<(String, String)>,
    /// Whether this file continues the section before it (a long section split in parts).
    pub continued: bool,
}

/// The most text (in bytes) one content document gets before a long section is split
/// at a block boundary: older Kobo and Adobe readers slow down or fail on files much
/// above 300 KB of markup.
const MAX_FILE_TEXT: usize = 150_000;

/// Ids in use in the book: every XHTML id is unique book-wide, so `#id` links resolve to
/// one file.
#[derive(Default)]
pub(super) struct Ids {
    used: BTreeSet<String>,
    /// The last number [`Ids::fresh`] gave out per prefix: every lower one is taken
    /// already, so the search goes on from there instead of from 1 (which made a
    /// document with thousands of headings or note calls quadratic).
    last: BTreeMap<String, u64>,
}

impl Ids {
    /// Claims `id` if it is a valid, unused NCName.
    fn claim(&mut self, id: &str) -> bool {
        is_ncname(id) && self.used.insert(id.to_owned())
    }

    /// Returns a new id `prefix1`, `prefix2`, … that is not yet in use.
    fn fresh(&mut self, prefix: &str) -> String {
        let from = self.last.get(prefix).copied().unwrap_or(0) + 1;
        let (n, id) = (from..)
            .map(|n| (n, format!("{prefix}{n}")))
            .find(|(_, id)| self.used.insert(id.clone()))
            .unwrap_or_default();
        self.last.insert(prefix.to_owned(), n);
        id
    }
}

/// What the renderer must know before it writes the first file.
pub(super) struct Plan<'a> {
    /// The content documents, in reading order.
    pub sections: Vec<Section<'a>>,
    /// Every id in use.
    ids: Ids,
    /// The XHTML id of each note, by index in `Document::notes`.
    note_anchor: Vec<String>,
    /// The file each note is placed in, by index.
    note_file: Vec<String>,
    /// The first note with each id.
    note_index: BTreeMap<&'a NoteId, usize>,
    /// The XHTML id of each heading, by the heading's address in the document.
    heading_ids: BTreeMap<usize, String>,
    /// Where each `#id` link target lives: source id → (file, XHTML id).
    targets: BTreeMap<String, (String, String)>,
}

fn addr(block: &Block) -> usize {
    block as *const Block as usize
}

/// Visits every heading in `blocks`, nested ones included, in reading order.
fn for_each_heading<'a>(blocks: &'a [Block], f: &mut dyn FnMut(&'a Block)) {
    for block in blocks {
        match block {
            Block::Heading { .. } => f(block),
            Block::Speech { blocks, .. } | Block::Quote(blocks) => for_each_heading(blocks, f),
            Block::List { items, .. } => items.iter().for_each(|i| for_each_heading(i, f)),
            Block::Paragraph(_)
            | Block::Stage(_)
            | Block::Verse(_)
            | Block::Verbatim { .. }
            | Block::Table(_)
            | Block::ThematicBreak
            | Block::PageBreak => {}
        }
    }
}

/// Returns the notes `blocks` call, in order (gaps' notes and note references).
fn calls_in(blocks: &[Block]) -> Vec<&NoteId> {
    let mut ids = Vec::new();
    walk_inlines(blocks, &mut |inline| match inline {
        Inline::NoteRef(id) => ids.push(id),
        Inline::Gap(Gap { note: Some(id), .. }) => ids.push(id),
        _ => {}
    });
    ids
}

/// Splits the body into sections, assigns every id and places every note.
pub(super) fn plan<'a>(
    doc: &'a Document,
    labels: &Labels,
    warnings: &mut Vec<Warning>,
) -> Plan<'a> {
    let mut ids = Ids::default();
    // `#id` link targets among headings; notes' ids are added last and win a clash.
    let mut heading_targets = BTreeMap::new();

    // Notes first: their ids are the ones readers and tests look for.
    let mut note_anchor = Vec::with_capacity(doc.notes.len());
    let mut note_index = BTreeMap::new();
    for (i, note) in doc.notes.iter().enumerate() {
        let anchor = if ids.claim(note.id.as_str()) {
            note_index.insert(&note.id, i);
            note.id.as_str().to_owned()
        } else {
            if note_index.contains_key(&note.id) {
                warnings.push(Warning::general(format!(
                    "note id {} is used twice; the second note is shown uncalled",
                    note.id
                )));
            } else {
                warnings.push(Warning::general(format!(
                    "note id {:?} is not a valid XHTML id; renamed",
                    note.id.as_str()
                )));
                note_index.insert(&note.id, i);
            }
            ids.fresh("note-")
        };
        note_anchor.push(anchor);
    }

    // Split at level-1 headings.
    let mut bounds = Vec::new();
    for (i, block) in doc.body.iter().enumerate() {
        if matches!(block, Block::Heading { level, .. } if *level <= 1) || i == 0 {
            bounds.push(i);
        }
    }
    // Long sections are cut further, between top-level blocks.
    let mut parts: Vec<(usize, usize, bool)> = Vec::new();
    for (k, &start) in bounds.iter().enumerate() {
        let end = bounds.get(k + 1).copied().unwrap_or(doc.body.len());
        let (mut from, mut size) = (start, 0);
        for i in start..end {
            let len = crate::ir::blocks_text(std::slice::from_ref(&doc.body[i])).len();
            if size + len > MAX_FILE_TEXT && i > from {
                parts.push((from, i, from != start));
                (from, size) = (i, 0);
            }
            size += len;
        }
        parts.push((from, end, from != start));
    }
    let mut sections = Vec::new();
    for (k, &(start, end, continued)) in parts.iter().enumerate() {
        sections.push(Section {
            file: format!("section-{:03}.xhtml", k + 1),
            blocks: &doc.body[start..end],
            label: String::new(),
            anchor: None,
            subheads: Vec::new(),
            continued,
        });
    }

    // Heading ids: the source's where valid and unique, generated otherwise.
    let mut heading_ids = BTreeMap::new();
    for section in &sections {
        for_each_heading(section.blocks, &mut |h| {
            if let Block::Heading { id: Some(id), .. } = h
                && ids.claim(id)
            {
                heading_ids.insert(addr(h), id.clone());
                heading_targets.insert(id.clone(), (section.file.clone(), id.clone()));
            }
        });
    }
    for section in &mut sections {
        for_each_heading(section.blocks, &mut |h| {
            if heading_ids.contains_key(&addr(h)) {
                return;
            }
            let new = ids.fresh("h");
            if let Block::Heading { id: Some(id), .. } = h {
                warnings.push(Warning::general(format!(
                    "heading id {id:?} is not a valid XHTML id or is used twice; renamed {new}"
                )));
                heading_targets
                    .entry(id.clone())
                    .or_insert_with(|| (section.file.clone(), new.clone()));
            }
            heading_ids.insert(addr(h), new);
        });
        for block in section.blocks {
            if let Block::Heading { level, content, .. } = block {
                let label = inline_text(content).trim().to_owned();
                let id = heading_ids[&addr(block)].clone();
                if *level <= 1 && section.anchor.is_none() {
                    section.label = label;
                    section.anchor = Some(id);
                } else if *level == 2 && !label.is_empty() {
                    section
                        .subheads
                        .push((format!("{}#{id}", section.file), label));
                }
            }
        }
    }
    // A continued part takes its section's label; its subheadings join the section's.
    for k in 1..sections.len() {
        if sections[k].continued {
            let subheads = std::mem::take(&mut sections[k].subheads);
            let head = (0..k).rev().find(|&j| !sections[j].continued).unwrap_or(0);
            sections[head].subheads.extend(subheads);
        }
    }
    for (k, section) in sections.iter_mut().enumerate() {
        if section.continued {
            continue;
        }
        if section.label.is_empty() {
            // Text before the first heading is the book's opening: it carries its title.
            section.label = match &doc.meta.title {
                Some(t) if k == 0 && !t.trim().is_empty() => t.trim().to_owned(),
                _ => format!("{} {}", labels.section, k + 1),
            };
        }
    }

    // Each note goes to the file of its first call; notes called from notes follow them.
    let mut note_file: Vec<Option<String>> = vec![None; doc.notes.len()];
    for section in &sections {
        let mut queue: Vec<&NoteId> = calls_in(section.blocks);
        queue.reverse();
        while let Some(id) = queue.pop() {
            let Some(&i) = note_index.get(id) else {
                continue;
            };
            if note_file[i].is_none() {
                note_file[i] = Some(section.file.clone());
                let mut inner = calls_in(&doc.notes[i].content);
                inner.reverse();
                queue.extend(inner);
            }
        }
    }
    for k in 1..sections.len() {
        if sections[k].continued {
            sections[k].label = sections[k - 1].label.clone();
        }
    }
    let last_file = sections
        .last()
        .map(|s| s.file.clone())
        .unwrap_or_else(|| super::TITLE_FILE.to_owned());
    let note_file: Vec<String> = note_file
        .into_iter()
        .map(|f| f.unwrap_or_else(|| last_file.clone()))
        .collect();
    let mut targets = BTreeMap::new();
    for (i, note) in doc.notes.iter().enumerate() {
        targets
            .entry(note.id.as_str().to_owned())
            .or_insert_with(|| (note_file[i].clone(), note_anchor[i].clone()));
    }
    for (id, target) in heading_targets {
        targets.entry(id).or_insert(target);
    }

    Plan {
        sections,
        ids,
        note_anchor,
        note_file,
        note_index,
        heading_ids,
        targets,
    }
}

/// Writes the XHTML of every section, keeping book-wide state between files.
pub(super) struct Renderer<'a, 'p> {
    doc: &'a Document,
    labels: &'static Labels,
    plan: &'p mut Plan<'a>,
    /// Images embedded so far.
    pub images: &'p mut Images,
    warnings: &'p mut Vec<Warning>,
    /// The file being written.
    file: String,
    /// The id of each note's first call, by note index.
    first_call: BTreeMap<usize, String>,
    /// How many `<a>` elements enclose the current position (links may not nest).
    link_depth: usize,
    /// Note calls met inside a link, written after it closes.
    deferred: Vec<String>,
    /// Whether headings get ids (not inside notes, whose headings are not planned).
    in_note: bool,
    /// Source pages met in the body: (href, page number), for the page list.
    pub pages: Vec<(String, String)>,
}

impl<'a, 'p> Renderer<'a, 'p> {
    /// Makes a renderer for `doc` following `plan`.
    pub fn new(
        doc: &'a Document,
        labels: &'static Labels,
        plan: &'p mut Plan<'a>,
        images: &'p mut Images,
        warnings: &'p mut Vec<Warning>,
    ) -> Self {
        Renderer {
            doc,
            labels,
            plan,
            images,
            warnings,
            file: String::new(),
            first_call: BTreeMap::new(),
            link_depth: 0,
            deferred: Vec::new(),
            in_note: false,
            pages: Vec::new(),
        }
    }

    /// Returns the `<body>` content of section `k`: its blocks, then the notes placed in it.
    pub fn section_body(&mut self, k: usize) -> String {
        let section = &self.plan.sections[k];
        self.file = section.file.clone();
        let blocks = section.blocks;
        let mut out = String::new();
        out.push_str("<section epub:type=\"chapter\" role=\"doc-chapter\"");
        if let Some(anchor) = &section.anchor {
            out.push_str(" aria-labelledby=\"");
            out.push_str(anchor);
            out.push('"');
        } else {
            out.push_str(" aria-label=\"");
            push_escaped(&mut out, &section.label);
            out.push('"');
        }
        out.push_str(">\n");
        let mut prev_para = false;
        // A page break that ends a section changes nothing (the next section starts a new
        // file) but would push the section's notes onto a page of their own.
        let blocks = match blocks.split_last() {
            Some((Block::PageBreak, rest)) => rest,
            _ => blocks,
        };
        for block in blocks {
            self.block(&mut out, block, &mut prev_para);
        }
        out.push_str("</section>\n");
        let file = self.file.clone();
        out.push_str(&self.notes_in(&file));
        out
    }

    /// Returns the footnote asides of the notes placed in `file` (empty if none).
    pub fn notes_in(&mut self, file: &str) -> String {
        self.file = file.to_owned();
        let placed: Vec<usize> = (0..self.doc.notes.len())
            .filter(|&i| self.plan.note_file[i] == file)
            .collect();
        if placed.is_empty() {
            return String::new();
        }
        // Render every note's content first: calls inside notes get their ids here, and
        // the back-links below need them.
        self.in_note = true;
        let mut bodies = Vec::with_capacity(placed.len());
        for &i in &placed {
            let note = &self.doc.notes[i];
            let (lead, rest) = match note.content.split_first() {
                Some((Block::Paragraph(first), rest)) => {
                    let mut lead = String::new();
                    self.inlines(&mut lead, first);
                    (lead, rest)
                }
                _ => (String::new(), note.content.as_slice()),
            };
            let mut body = String::new();
            let mut prev_para = true;
            for block in rest {
                self.block(&mut body, block, &mut prev_para);
            }
            bodies.push((lead, body));
        }
        self.in_note = false;

        let mut out = format!(
            "<section class=\"footnotes\" aria-label=\"{}\">\n",
            esc(self.labels.notes)
        );
        for (&i, (lead, body)) in placed.iter().zip(bodies) {
            let note = &self.doc.notes[i];
            let series = series_class(note.series);
            out.push_str(&format!(
                "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"{}\" class=\"footnote {series}\">\n<p>",
                self.plan.note_anchor[i]
            ));
            let mark = note_mark(note.n.as_str(), note.id.as_str());
            match self.first_call.get(&i) {
                Some(call) => {
                    out.push_str(&format!(
                        "<a class=\"note-back\" role=\"doc-backlink\" href=\"#{call}\">"
                    ));
                    push_escaped(&mut out, &mark);
                    out.push_str("</a>");
                }
                None => {
                    out.push_str("<span class=\"note-back\">");
                    push_escaped(&mut out, &mark);
                    out.push_str("</span>");
                }
            }
            if !lead.is_empty() {
                out.push(' ');
                out.push_str(&lead);
            }
            out.push_str("</p>\n");
            out.push_str(&body);
            out.push_str("</aside>\n");
        }
        out.push_str("</section>\n");
        out
    }

    fn block(&mut self, out: &mut String, block: &Block, prev_para: &mut bool) {
        let was_para = std::mem::replace(prev_para, false);
        match block {
            Block::Heading { level, content, .. } => {
                let h = (*level).clamp(1, 6);
                out.push_str(&format!("<h{h}"));
                if !self.in_note
                    && let Some(id) = self.plan.heading_ids.get(&addr(block))
                {
                    out.push_str(&format!(" id=\"{id}\""));
                }
                out.push('>');
                self.inlines(out, content);
                out.push_str(&format!("</h{h}>\n"));
            }
            Block::Paragraph(content) => {
                out.push_str(if was_para {
                    "<p>"
                } else {
                    "<p class=\"first\">"
                });
                self.inlines(out, content);
                out.push_str("</p>\n");
                *prev_para = true;
            }
            Block::Speech {
                who: _,
                speaker,
                blocks,
            } => {
                out.push_str("<div class=\"speech\">\n");
                if let Some(speaker) = speaker {
                    out.push_str("<p class=\"speaker\">");
                    self.inlines(out, speaker);
                    out.push_str("</p>\n");
                }
                let mut inner = false;
                for b in blocks {
                    self.block(out, b, &mut inner);
                }
                out.push_str("</div>\n");
            }
            Block::Stage(content) => {
                out.push_str("<p class=\"stage\">");
                self.inlines(out, content);
                out.push_str("</p>\n");
            }
            Block::Quote(blocks) => {
                out.push_str("<blockquote>\n");
                let mut inner = false;
                for b in blocks {
                    self.block(out, b, &mut inner);
                }
                out.push_str("</blockquote>\n");
            }
            Block::Verse(lines) => {
                out.push_str("<div class=\"verse\">\n");
                // An empty line separates stanzas: the next line gets space above it.
                let mut new_stanza = false;
                for line in lines {
                    if line.is_empty() {
                        new_stanza = true;
                        continue;
                    }
                    out.push_str(if std::mem::take(&mut new_stanza) {
                        "<p class=\"line stanza\">"
                    } else {
                        "<p class=\"line\">"
                    });
                    self.inlines(out, line);
                    out.push_str("</p>\n");
                }
                out.push_str("</div>\n");
            }
            Block::List {
                ordered,
                start,
                items,
            } => {
                let tag = if *ordered { "ol" } else { "ul" };
                out.push('<');
                out.push_str(tag);
                if let (true, Some(start)) = (*ordered, start) {
                    out.push_str(&format!(" start=\"{start}\""));
                }
                out.push_str(">\n");
                for item in items {
                    out.push_str("<li>");
                    let mut inner = true;
                    for b in item {
                        self.block(out, b, &mut inner);
                    }
                    out.push_str("</li>\n");
                }
                out.push_str(&format!("</{tag}>\n"));
            }
            Block::Verbatim { lang, text } => {
                out.push_str("<pre class=\"verbatim\"><code");
                if let Some(lang) = lang {
                    out.push_str(&format!(" class=\"language-{}\"", class_token(lang)));
                }
                out.push('>');
                push_escaped_text(out, text);
                out.push_str("</code></pre>\n");
            }
            Block::Table(rows) => self.table(out, rows),
            Block::ThematicBreak => out.push_str("<hr class=\"thematic-break\"/>\n"),
            Block::PageBreak => out.push_str("<div class=\"page-break\"></div>\n"),
        }
    }

    fn table(&mut self, out: &mut String, rows: &[TableRow]) {
        out.push_str("<table>\n");
        let heads = rows.iter().take_while(|r| r.header).count();
        let (head, body) = rows.split_at(heads);
        if !head.is_empty() {
            out.push_str("<thead>\n");
            for row in head {
                self.row(out, row);
            }
            out.push_str("</thead>\n");
        }
        if !body.is_empty() {
            out.push_str("<tbody>\n");
            for row in body {
                self.row(out, row);
            }
            out.push_str("</tbody>\n");
        }
        out.push_str("</table>\n");
    }

    fn row(&mut self, out: &mut String, row: &TableRow) {
        out.push_str("<tr>");
        let cell = if row.header { "th" } else { "td" };
        for content in &row.cells {
            out.push_str(&format!("<{cell}>"));
            self.inlines(out, content);
            out.push_str(&format!("</{cell}>"));
        }
        out.push_str("</tr>\n");
    }

    fn inlines(&mut self, out: &mut String, inlines: &[Inline]) {
        for inline in inlines {
            self.inline(out, inline);
        }
    }

    fn wrap(&mut self, out: &mut String, open: &str, close: &str, content: &[Inline]) {
        out.push_str(open);
        self.inlines(out, content);
        out.push_str(close);
    }

    fn inline(&mut self, out: &mut String, inline: &Inline) {
        match inline {
            Inline::Text(t) => push_escaped_text(out, t),
            Inline::Emph(c) => self.wrap(out, "<em>", "</em>", c),
            Inline::Strong(c) => self.wrap(out, "<strong>", "</strong>", c),
            Inline::SmallCaps(c) => self.wrap(out, "<span class=\"smallcaps\">", "</span>", c),
            Inline::Sup(c) => self.wrap(out, "<sup>", "</sup>", c),
            Inline::Sub(c) => self.wrap(out, "<sub>", "</sub>", c),
            Inline::Hi { rend, content } => {
                let open = format!("<span class=\"hi hi-{}\">", class_token(rend));
                self.wrap(out, &open, "</span>", content);
            }
            Inline::Code(t) => {
                out.push_str("<code>");
                push_escaped_text(out, t);
                out.push_str("</code>");
            }
            Inline::Foreign { lang, content } => {
                if is_lang_tag(lang) {
                    let open = format!(
                        "<span class=\"foreign\" lang=\"{0}\" xml:lang=\"{0}\">",
                        esc(lang)
                    );
                    self.wrap(out, &open, "</span>", content);
                } else {
                    self.warnings.push(Warning::general(format!(
                        "foreign text has an invalid language tag {lang:?}; shown without it"
                    )));
                    self.wrap(out, "<span class=\"foreign\">", "</span>", content);
                }
            }
            Inline::NoteRef(id) => self.call(out, id),
            Inline::Gap(gap) => self.gap(out, gap),
            Inline::Unclear { reason, content } => {
                let open = editorial_span("unclear", reason.as_deref());
                self.wrap(out, &open, "</span>", content);
            }
            Inline::Supplied { reason, content } => {
                let open = editorial_span("supplied", reason.as_deref());
                self.wrap(out, &open, "</span>", content);
            }
            Inline::Incident(incident) => incident_span(out, incident),
            Inline::Link { target, content } => self.link(out, target, content),
            Inline::Image { src, alt } => self.image(out, src, alt),
            Inline::LineBreak => out.push_str("<br/>"),
            Inline::Milestone { unit, n, .. } => self.milestone(out, unit, n.as_deref()),
            // The EPUB writer shows transcription markup by the style's convention first
            // (transform::transcription); met here, it is written as a reading text.
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
            | Inline::App(_) => {
                for shown in crate::transform::transcription::reading_fallback(inline) {
                    self.inline(out, &shown);
                }
            }
        }
    }

    /// Writes a note call, or defers it while inside a link.
    fn call(&mut self, out: &mut String, id: &NoteId) {
        let Some(&i) = self.plan.note_index.get(id) else {
            self.warnings.push(Warning::general(format!(
                "note {id} is called but not defined; the call is shown as plain text"
            )));
            out.push_str("<sup class=\"noteref-missing\">");
            push_escaped(out, id.as_str());
            out.push_str("</sup>");
            return;
        };
        let note = &self.doc.notes[i];
        let call_id = if self.first_call.contains_key(&i) {
            self.plan
                .ids
                .fresh(&format!("ref-{}-", self.plan.note_anchor[i]))
        } else {
            let wanted = format!("ref-{}", self.plan.note_anchor[i]);
            let id = if self.plan.ids.claim(&wanted) {
                wanted
            } else {
                self.plan.ids.fresh(&format!("{wanted}-"))
            };
            self.first_call.insert(i, id.clone());
            id
        };
        let file = &self.plan.note_file[i];
        let href = if *file == self.file {
            format!("#{}", self.plan.note_anchor[i])
        } else {
            format!("{file}#{}", self.plan.note_anchor[i])
        };
        let mut a = format!(
            "<a epub:type=\"noteref\" role=\"doc-noteref\" id=\"{call_id}\" class=\"noteref {}\" href=\"{href}\">",
            series_class(note.series)
        );
        push_escaped(&mut a, &note_mark(&note.n, note.id.as_str()));
        a.push_str("</a>");
        if self.link_depth > 0 {
            self.deferred.push(a);
        } else {
            out.push_str(&a);
        }
    }

    fn gap(&mut self, out: &mut String, gap: &Gap) {
        let mut title = format!("lacuna: {}", gap.reason);
        if let Some(extent) = &gap.extent {
            let mut parts = Vec::new();
            if let Some(q) = extent.quantity {
                parts.push(q.to_string());
            }
            if let Some(u) = &extent.unit {
                parts.push(u.clone());
            }
            if let Some(d) = &extent.description {
                parts.push(d.clone());
            }
            if !parts.is_empty() {
                title.push_str(", ");
                title.push_str(&parts.join(" "));
            }
        }
        out.push_str("<span class=\"gap\" title=\"");
        push_escaped(out, &title);
        out.push_str("\">");
        push_escaped_text(out, &gap.shown);
        out.push_str("</span>");
        if let Some(id) = &gap.note {
            self.call(out, id);
        }
    }

    fn link(&mut self, out: &mut String, target: &str, content: &[Inline]) {
        let href = if self.link_depth > 0 {
            None
        } else if is_external_url(target) {
            Some(esc(target))
        } else if let Some(id) = target.strip_prefix('#') {
            match self.plan.targets.get(id) {
                Some((file, anchor)) if *file == self.file => Some(format!("#{anchor}")),
                Some((file, anchor)) => Some(format!("{file}#{anchor}")),
                None => {
                    self.warnings.push(Warning::general(format!(
                        "link target {target:?} names no heading or note; shown as plain text"
                    )));
                    None
                }
            }
        } else {
            self.warnings.push(Warning::general(format!(
                "link target {target:?} is not an http(s) or mailto URL or a #id; shown as plain text"
            )));
            None
        };
        let Some(href) = href else {
            self.inlines(out, content);
            return;
        };
        let class = if target.starts_with('#') {
            "internal"
        } else {
            "external"
        };
        out.push_str(&format!("<a class=\"{class}\" href=\"{href}\">"));
        self.link_depth += 1;
        self.inlines(out, content);
        self.link_depth -= 1;
        out.push_str("</a>");
        if self.link_depth == 0 {
            for call in std::mem::take(&mut self.deferred) {
                out.push_str(&call);
            }
        }
    }

    fn image(&mut self, out: &mut String, src: &str, alt: &str) {
        match self.images.embed(src) {
            Ok(href) => {
                out.push_str(&format!(
                    "<img class=\"image\" src=\"{}\" alt=\"",
                    esc(&href)
                ));
                push_escaped(out, alt);
                out.push_str("\"/>");
            }
            Err(why) => {
                self.warnings.push(Warning::general(format!(
                    "image {src:?} not embedded ({why}); its alternative text is shown instead"
                )));
                out.push_str("<span class=\"image-alt\">[");
                push_escaped_text(out, if alt.trim().is_empty() { "image" } else { alt });
                out.push_str("]</span>");
            }
        }
    }

    fn milestone(&mut self, out: &mut String, unit: &str, n: Option<&str>) {
        let label = match n {
            Some(n) => format!("{unit} {n}"),
            None => unit.to_owned(),
        };
        let label = esc(&label);
        if unit == "page" {
            let wanted = format!("page-{}", self.pages.len() + 1);
            let id = if self.plan.ids.claim(&wanted) {
                wanted
            } else {
                self.plan.ids.fresh("page-")
            };
            if let Some(n) = n.map(str::trim).filter(|n| !n.is_empty())
                && !self.in_note
            {
                self.pages
                    .push((format!("{}#{id}", self.file), n.to_owned()));
            }
            out.push_str(&format!(
                "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"{id}\" class=\"milestone page\" title=\"{label}\" aria-label=\"{label}\"></span>"
            ));
        } else {
            out.push_str(&format!(
                "<span class=\"milestone {}\" title=\"{label}\"></span>",
                class_token(unit)
            ));
        }
    }
}

/// Writes text content: like [`push_escaped`] but keeps line feeds (for `pre`).
fn push_escaped_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push('\t'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            _ => push_escaped(out, c.encode_utf8(&mut [0; 4])),
        }
    }
}

fn series_class(series: NoteSeries) -> &'static str {
    match series {
        NoteSeries::Author => "author",
        NoteSeries::Editorial => "editorial",
    }
}

fn note_mark(n: &str, id: &str) -> String {
    if n.trim().is_empty() {
        id.to_owned()
    } else {
        n.trim().to_owned()
    }
}

fn editorial_span(kind: &str, reason: Option<&str>) -> String {
    let mut s = format!("<span class=\"{kind}\"");
    if let Some(reason) = reason {
        s.push_str(" title=\"");
        s.push_str(&esc(&format!("{kind}: {reason}")));
        s.push('"');
    }
    s.push('>');
    s
}

fn incident_span(out: &mut String, incident: &Incident) {
    let kind = match incident.kind {
        IncidentKind::Incident => "incident",
        IncidentKind::Kinesic => "incident kinesic",
        IncidentKind::Vocal => "incident vocal",
    };
    out.push_str(&format!("<span class=\"{kind}\""));
    if let Some(category) = &incident.category {
        out.push_str(" title=\"");
        push_escaped(out, category);
        out.push('"');
    }
    out.push_str(">(");
    push_escaped_text(out, &incident.desc);
    out.push_str(")</span>");
}

#[cfg(test)]
// Tests build documents field by field, which reads better than one nested literal.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::ir::{Note, NoteSeries};

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_owned())
    }

    fn heading(level: u8, s: &str, id: Option<&str>) -> Block {
        Block::Heading {
            level,
            content: vec![text(s)],
            id: id.map(str::to_owned),
        }
    }

    fn note(id: &str, series: NoteSeries, n: &str) -> Note {
        Note {
            id: NoteId(id.to_owned()),
            series,
            n: n.to_owned(),
            content: vec![Block::Paragraph(vec![text("Note text.")])],
            resp: None,
        }
    }

    fn call(id: &str) -> Inline {
        Inline::NoteRef(NoteId(id.to_owned()))
    }

    /// Renders every section; returns their bodies and the warnings.
    fn render(doc: &Document) -> (Vec<String>, Vec<Warning>) {
        let mut warnings = Vec::new();
        let labels = super::super::labels::for_lang("en");
        let mut plan = plan(doc, labels, &mut warnings);
        let mut images = Images::new(None);
        let n = plan.sections.len();
        let mut renderer = Renderer::new(doc, labels, &mut plan, &mut images, &mut warnings);
        let bodies = (0..n).map(|k| renderer.section_body(k)).collect();
        (bodies, warnings)
    }

    #[test]
    fn notes_live_with_their_first_call_and_are_linked_across_files() {
        let mut doc = Document::default();
        doc.body = vec![
            Block::Paragraph(vec![text("Before"), call("a1")]),
            heading(1, "Two", Some("two")),
            Block::Paragraph(vec![text("Again"), call("a1"), text(" and"), call("e1")]),
        ];
        doc.notes = vec![
            note("a1", NoteSeries::Author, "1"),
            note("e1", NoteSeries::Editorial, "1"),
        ];
        let (bodies, warnings) = render(&doc);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(bodies.len(), 2);
        assert!(bodies[0].contains("id=\"ref-a1\" class=\"noteref author\" href=\"#a1\">1</a>"));
        assert!(bodies[0].contains("id=\"a1\" class=\"footnote author\""));
        assert!(bodies[0].contains("href=\"#ref-a1\">1</a> Note text.</p>"));
        assert!(
            bodies[1]
                .contains("id=\"ref-a1-1\" class=\"noteref author\" href=\"section-001.xhtml#a1\"")
        );
        assert!(!bodies[1].contains("id=\"a1\""));
        assert!(bodies[1].contains("id=\"e1\" class=\"footnote editorial\""));
        assert!(bodies[1].contains("<h1 id=\"two\">Two</h1>"));
    }

    #[test]
    fn long_sections_are_cut_into_parts_listed_once() {
        let mut doc = Document::default();
        doc.meta.title = Some("Long".into());
        let para = Block::Paragraph(vec![text(&"word ".repeat(200))]);
        doc.body = vec![para; 400];
        doc.body.insert(350, heading(2, "Late", Some("late")));
        doc.body
            .push(Block::Paragraph(vec![text("end"), call("e1")]));
        doc.notes = vec![note("e1", NoteSeries::Editorial, "1")];
        let mut warnings = Vec::new();
        let labels = super::super::labels::for_lang("en");
        let plan = plan(&doc, labels, &mut warnings);
        let parts: Vec<(&str, bool, &str)> = plan
            .sections
            .iter()
            .map(|s| (s.file.as_str(), s.continued, s.label.as_str()))
            .collect();
        assert_eq!(
            parts,
            [
                ("section-001.xhtml", false, "Long"),
                ("section-002.xhtml", true, "Long"),
                ("section-003.xhtml", true, "Long"),
            ]
        );
        assert_eq!(
            plan.sections[0].subheads,
            [("section-003.xhtml#late".to_owned(), "Late".to_owned())]
        );
        assert_eq!(plan.note_file, ["section-003.xhtml"]);
        let sizes: Vec<usize> = plan
            .sections
            .iter()
            .map(|s| crate::ir::blocks_text(s.blocks).len())
            .collect();
        assert!(sizes.iter().all(|&n| n <= MAX_FILE_TEXT), "{sizes:?}");
        assert_eq!(
            sizes.iter().sum::<usize>(),
            crate::ir::blocks_text(&doc.body).len()
        );
    }

    #[test]
    fn calls_inside_links_follow_the_link() {
        let mut doc = Document::default();
        doc.body = vec![Block::Paragraph(vec![Inline::Link {
            target: "https://example.org/".into(),
            content: vec![
                text("site"),
                call("a1"),
                Inline::Link {
                    target: "https://example.org/inner".into(),
                    content: vec![text(" inner")],
                },
            ],
        }])];
        doc.notes = vec![note("a1", NoteSeries::Author, "1")];
        let (bodies, _) = render(&doc);
        assert!(
            bodies[0]
                .contains("href=\"https://example.org/\">site inner</a><a epub:type=\"noteref\""),
            "{}",
            bodies[0]
        );
    }

    #[test]
    fn clashing_ids_are_renamed_and_links_prefer_notes() {
        let mut doc = Document::default();
        doc.body = vec![
            heading(1, "Clash", Some("e1")),
            Block::Paragraph(vec![
                Inline::Gap(Gap {
                    reason: crate::ir::GapReason::Omitted,
                    extent: None,
                    shown: "....".into(),
                    note: Some(NoteId("e1".into())),
                }),
                Inline::Link {
                    target: "#e1".into(),
                    content: vec![text("to the note")],
                },
                call("missing"),
            ]),
        ];
        doc.notes = vec![note("e1", NoteSeries::Editorial, "1")];
        let (bodies, warnings) = render(&doc);
        let body = &bodies[0];
        assert!(body.contains("<h1 id=\"h1\">Clash</h1>"), "{body}");
        assert!(
            body.contains("<a class=\"internal\" href=\"#e1\">to the note</a>"),
            "{body}"
        );
        assert!(body.contains(
            "<span class=\"gap\" title=\"lacuna: omitted\">....</span><a epub:type=\"noteref\""
        ));
        assert!(body.contains("<sup class=\"noteref-missing\">missing</sup>"));
        let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(
            messages.iter().any(|m| m.contains("heading id \"e1\"")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("note missing is called but not defined"))
        );
    }

    #[test]
    fn every_block_renders_well_formed() {
        let mut doc = Document::default();
        doc.body = vec![
            Block::Speech {
                who: Some("#a".into()),
                speaker: Some(vec![text("A")]),
                blocks: vec![Block::Paragraph(vec![text("x")])],
            },
            Block::Stage(vec![text("s")]),
            Block::Quote(vec![Block::Paragraph(vec![text("q")])]),
            Block::Verse(vec![vec![text("l1")], vec![], vec![text("l2")]]),
            Block::List {
                ordered: true,
                start: Some(4),
                items: vec![vec![Block::Paragraph(vec![text("i")])]],
            },
            Block::Verbatim {
                lang: None,
                text: "a <b>\n c".into(),
            },
            Block::Table(vec![TableRow {
                header: false,
                cells: vec![vec![text("c")]],
            }]),
            Block::ThematicBreak,
            Block::PageBreak,
            Block::PageBreak,
        ];
        let (bodies, _) = render(&doc);
        let body = &bodies[0];
        for s in [
            "<p class=\"speaker\">A</p>",
            "<p class=\"stage\">s</p>",
            "<blockquote>",
            "<p class=\"line stanza\">l2</p>",
            "<ol start=\"4\">",
            "<pre class=\"verbatim\"><code>a &lt;b&gt;\n c</code></pre>",
            "<tbody>\n<tr><td>c</td></tr>",
            "<hr class=\"thematic-break\"/>",
        ] {
            assert!(body.contains(s), "{s} missing in {body}");
        }
        assert_eq!(
            body.matches("page-break").count(),
            1,
            "a final page break is dropped"
        );
        let wrapped = format!(
            "<body xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">{body}</body>"
        );
        roxmltree::Document::parse(&wrapped).expect("well-formed");
    }
}
