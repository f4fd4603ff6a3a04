//! The page builder: cuts a stream of set lines into pages, with each footnote on the
//! page of its call.
//!
//! This follows TeX's page builder in spirit (The TeXbook, ch. 15; tex.web §980–§1028)
//! but not in cost model: TeX weighs every legal break by badness and penalties and
//! keeps the cheapest; lacuna fills a page greedily up to the last legal break that
//! fits, as TeX does in practice with `\raggedbottom` and no stretchable glue between
//! paragraphs. Legal breaks are decided by whoever sets the lines (widows, orphans,
//! headings kept with their text) through [`SetLine::break_after`].
//!
//! Footnotes follow TeX's insertion rules in simplified form (§1008–§1021): a line that
//! calls notes goes on a page only if its notes' first lines (two, or all when shorter)
//! fit below it; what does not fit is split and carried over to the next page, where
//! it comes before that page's own notes.

use std::collections::VecDeque;

use super::frame::{Page, PageItem, Rect};

/// A line ready to be placed: its content relative to the line's origin (x from the
/// text block's left edge, y from the line's baseline, downwards).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SetLine {
    /// Distance from the previous baseline to this one (the leading).
    pub advance: f64,
    /// What the line draws and marks, relative to its origin.
    pub items: Vec<PageItem>,
    /// The footnotes called on this line, each already set into lines.
    pub notes: Vec<Vec<SetLine>>,
    /// Whether a page may end after this line.
    pub break_after: bool,
}

/// An element of the vertical flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Flow {
    /// A line of text.
    Line(SetLine),
    /// Vertical space; dropped at the top of a page, as TeX discards glue after a break.
    Space(f64),
    /// Starts a new page (unless the current one is empty).
    NewPage,
}

/// Page geometry in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    /// Page width.
    pub width: f64,
    /// Page height.
    pub height: f64,
    /// Top of the text block from the top of the page.
    pub top: f64,
    /// Left edge of the text block on odd (recto) pages.
    pub left_recto: f64,
    /// Left edge of the text block on even (verso) pages.
    pub left_verso: f64,
    /// Height of the text block.
    pub block_height: f64,
    /// Width of the text block.
    pub block_width: f64,
    /// Distance from the top of the text block to the first baseline (TeX's `\topskip`).
    pub top_skip: f64,
    /// Space between the last body line and the footnote rule.
    pub note_skip: f64,
    /// Length of the footnote rule.
    pub note_rule: f64,
}

/// Receives finished pages, in order.
pub trait PageSink {
    /// Takes page `number` (from 1); the builder never touches it again.
    fn page(&mut self, number: usize, page: Page) -> Result<(), crate::diag::WriteError>;
}

/// Cuts the flow into pages as it comes, handing each finished page to a sink; only the
/// lines of the page being filled are held in memory.
pub struct PageBuilder<'a, S: PageSink> {
    geometry: Geometry,
    sink: &'a mut S,
    /// Body flow not yet committed to a page.
    pending: VecDeque<Flow>,
    /// Note lines carried over from the previous page.
    carried: VecDeque<SetLine>,
    /// Pages emitted so far.
    pages: usize,
    /// Lines placed on a page past the text block because nothing else was possible.
    overfull: usize,
}

/// A page-full chosen from the pending flow. It says what goes where by counts and
/// indices only: choosing a cut is done after every line pushed, and copying the
/// carried notes each time made a paragraph with thousands of note calls quadratic.
struct Cut {
    /// How many pending flow elements the page takes.
    take: usize,
    /// How many carried note lines go on the page (from the front).
    carried: usize,
    /// The notes of the taken lines, in order: (flow index, note index, how many of its
    /// lines go on this page); the rest of each is carried to the next.
    placed: Vec<(usize, usize, usize)>,
    /// Whether all of the pending flow fits on the page (so no page is final yet).
    complete: bool,
}

impl<'a, S: PageSink> PageBuilder<'a, S> {
    /// Starts a builder for pages of `geometry`, writing finished pages to `sink`.
    pub fn new(geometry: Geometry, sink: &'a mut S) -> Self {
        PageBuilder {
            geometry,
            sink,
            pending: VecDeque::new(),
            carried: VecDeque::new(),
            pages: 0,
            overfull: 0,
        }
    }

    /// Adds flow; emits every page that is complete.
    pub fn push(&mut self, flow: Flow) -> Result<(), crate::diag::WriteError> {
        if flow == Flow::NewPage {
            // Everything before the break fills pages now.
            self.drop_trailing_space();
            while !self.pending.is_empty() || !self.carried.is_empty() {
                self.emit_page(true)?;
            }
            return Ok(());
        }
        self.pending.push_back(flow);
        // Emit while what is pending overflows a page: the cut is then final.
        while !self.choose_cut(false).complete {
            self.emit_page(false)?;
        }
        Ok(())
    }

    /// Emits the remaining pages; returns how many pages were made and how many lines
    /// had to be placed past the text block.
    pub fn finish(mut self) -> Result<(usize, usize), crate::diag::WriteError> {
        self.drop_trailing_space();
        while !self.pending.is_empty() || !self.carried.is_empty() {
            self.emit_page(true)?;
        }
        Ok((self.pages, self.overfull))
    }

    /// Drops space at the end of the flow, as TeX discards glue at a page break: it would
    /// otherwise be cut off after the last legal break and make a blank page of its own.
    fn drop_trailing_space(&mut self) {
        while matches!(self.pending.back(), Some(Flow::Space(_))) {
            self.pending.pop_back();
        }
    }

    fn emit_page(&mut self, at_end: bool) -> Result<(), crate::diag::WriteError> {
        let cut = self.choose_cut(at_end);
        let mut body: Vec<Flow> = self.pending.drain(..cut.take).collect();
        let mut notes: Vec<SetLine> = self.carried.drain(..cut.carried).collect();
        for (flow, note, k) in cut.placed {
            if let Some(Flow::Line(line)) = body.get_mut(flow)
                && let Some(lines) = line.notes.get_mut(note)
            {
                let mut lines = std::mem::take(lines);
                let rest = lines.split_off(k.min(lines.len()));
                notes.extend(lines);
                self.carried.extend(rest);
            }
        }
        self.pages += 1;
        let page = self.compose(self.pages, body, notes);
        self.sink.page(self.pages, page)
    }

    /// Finds how much of the pending flow goes on the next page: the longest prefix
    /// ending at a legal break whose lines and notes fit the text block. With `at_end`,
    /// the whole remaining flow may end the page.
    fn choose_cut(&self, at_end: bool) -> Cut {
        let g = &self.geometry;
        // Carried notes take at most the page less two body lines, when there is body.
        let mut carried_h = 0.0;
        let reserve = if self.pending.is_empty() {
            0.0
        } else {
            2.0 * self.first_advance().max(1.0)
        };
        let mut n_carried = 0;
        for line in &self.carried {
            if carried_h + line.advance > g.block_height - reserve - g.note_skip && n_carried > 0 {
                break;
            }
            carried_h += line.advance;
            n_carried += 1;
        }
        let carried_rest = n_carried < self.carried.len();

        let mut body_h = 0.0;
        let mut notes_h = carried_h;
        // (flow elements taken, placements, whether anything is carried) at the last
        // legal break that fits.
        let mut best: Option<(usize, usize, bool)> = None;
        let mut placed: Vec<(usize, usize, usize)> = Vec::new();
        let mut any_carry = carried_rest;
        let mut any_line = false;
        let mut complete = true;
        for (i, flow) in self.pending.iter().enumerate() {
            match flow {
                Flow::Space(h) => {
                    if any_line {
                        body_h += h;
                    }
                }
                Flow::NewPage => break,
                Flow::Line(line) => {
                    // A note continued on the next page must not be overtaken by a later
                    // one (TeX holds such insertions over too): the line waits.
                    if any_line && !line.notes.is_empty() && any_carry {
                        complete = false;
                        break;
                    }
                    let advance = if any_line { line.advance } else { g.top_skip };
                    // The notes this line calls: whole if they fit, else their first lines.
                    let mut add_h = 0.0;
                    let mut add_placed = Vec::new();
                    let mut add_carry = false;
                    let room = g.block_height
                        - (body_h + advance)
                        - notes_h
                        - skip_if(notes_h + 1.0, g.note_skip);
                    let mut room_left = room;
                    for (n, note) in line.notes.iter().enumerate() {
                        let total: f64 = note.iter().map(|l| l.advance).sum();
                        if !add_carry && total <= room_left - skip_if(add_h + notes_h, g.note_skip)
                        {
                            add_h += total;
                            room_left -= total;
                            add_placed.push((i, n, note.len()));
                        } else {
                            // Split: as many lines as fit, at least two (or all if shorter).
                            let min = note.len().min(2);
                            let mut k = 0;
                            let mut h = 0.0;
                            while k < note.len() && !add_carry && h + note[k].advance <= room_left {
                                h += note[k].advance;
                                k += 1;
                            }
                            let k = if k < min { min } else { k };
                            let k = k.min(note.len());
                            let h: f64 = note[..k].iter().map(|l| l.advance).sum();
                            add_h += h;
                            room_left -= h;
                            add_placed.push((i, n, k));
                            add_carry |= k < note.len();
                        }
                    }
                    let total =
                        body_h + advance + notes_h + add_h + skip_if(notes_h + add_h, g.note_skip);
                    if total > g.block_height + 1e-6 && any_line {
                        complete = false;
                        break;
                    }
                    body_h += advance;
                    notes_h += add_h;
                    placed.extend(add_placed);
                    any_carry |= add_carry;
                    any_line = true;
                    let last = i + 1 == self.pending.len();
                    if line.break_after || (at_end && last) {
                        best = Some((i + 1, placed.len(), any_carry));
                    }
                }
            }
        }
        if at_end && (self.pending.is_empty() || !any_line) {
            // Only spaces (or nothing) left: they end with the notes.
            return Cut {
                take: self.pending.len(),
                carried: n_carried,
                placed,
                complete,
            };
        }
        match best {
            Some((take, n_placed, _)) => {
                placed.truncate(n_placed);
                Cut {
                    take,
                    carried: n_carried,
                    placed,
                    complete,
                }
            }
            None => {
                // No legal break fits: break after as many lines as fit (at least one),
                // as TeX does when every break is infeasible (§1005: the best of bad ones).
                Cut {
                    complete,
                    ..self.forced_cut(n_carried, carried_h, carried_rest)
                }
            }
        }
    }

    /// A cut ignoring legal breaks: as many lines as fit, at least one line, below the
    /// first `n_carried` carried note lines (of height `carried_h`).
    fn forced_cut(&self, n_carried: usize, carried_h: f64, carried_rest: bool) -> Cut {
        let g = &self.geometry;
        let mut h = carried_h;
        let mut placed = Vec::new();
        let mut any_carry = carried_rest;
        let mut take = 0;
        let mut lines = 0;
        for (i, flow) in self.pending.iter().enumerate() {
            match flow {
                Flow::Space(s) => {
                    if lines > 0 {
                        h += s;
                    }
                }
                Flow::NewPage => break,
                Flow::Line(line) => {
                    let adv = if lines == 0 { g.top_skip } else { line.advance };
                    let note_h: f64 = line.notes.iter().flatten().map(|l| l.advance).sum();
                    if lines > 0 && h + adv + note_h.min(2.0 * adv) > g.block_height {
                        break;
                    }
                    h += adv;
                    for (n, note) in line.notes.iter().enumerate() {
                        let room = (g.block_height - h).max(0.0);
                        let mut k = 0;
                        let mut nh = 0.0;
                        while k < note.len() && !any_carry && nh + note[k].advance <= room {
                            nh += note[k].advance;
                            k += 1;
                        }
                        h += nh;
                        placed.push((i, n, k));
                        any_carry |= k < note.len();
                    }
                    lines += 1;
                }
            }
            take += 1;
        }
        Cut {
            take: take.max(1).min(self.pending.len()),
            carried: n_carried,
            placed,
            complete: false,
        }
    }

    fn first_advance(&self) -> f64 {
        self.pending
            .iter()
            .find_map(|f| match f {
                Flow::Line(l) => Some(l.advance),
                _ => None,
            })
            .unwrap_or(0.0)
    }

    /// Places body lines from the top of the text block and notes from its bottom.
    fn compose(&mut self, number: usize, body: Vec<Flow>, notes: Vec<SetLine>) -> Page {
        let g = self.geometry;
        let left = if number % 2 == 1 {
            g.left_recto
        } else {
            g.left_verso
        };
        let mut page = Page {
            width: g.width,
            height: g.height,
            items: Vec::new(),
        };
        let mut y = g.top;
        let mut any_line = false;
        for flow in body {
            match flow {
                Flow::Space(h) => {
                    if any_line {
                        y += h;
                    }
                }
                Flow::NewPage => {}
                Flow::Line(line) => {
                    y += if any_line { line.advance } else { g.top_skip };
                    any_line = true;
                    if y > g.top + g.block_height + 1e-6 {
                        self.overfull += 1;
                    }
                    page.items
                        .extend(line.items.into_iter().map(|item| translate(item, left, y)));
                }
            }
        }
        if !notes.is_empty() {
            let notes_h: f64 = notes.iter().map(|l| l.advance).sum();
            let bottom = g.top + g.block_height;
            // The last note baseline sits on the bottom of the text block.
            let first_baseline = bottom - notes_h + notes[0].advance;
            let rule_y = first_baseline - notes[0].advance - g.note_skip / 2.0;
            page.items.push(PageItem::Rule(Rect {
                x: left,
                y: rule_y,
                w: g.note_rule,
                h: 0.4,
            }));
            let mut y = bottom - notes_h;
            for line in notes {
                y += line.advance;
                page.items
                    .extend(line.items.into_iter().map(|item| translate(item, left, y)));
            }
        }
        page
    }
}

fn skip_if(h: f64, skip: f64) -> f64 {
    if h > 0.0 { skip } else { 0.0 }
}

/// Moves an item given relative to a line origin to the page point `(x, y)`.
pub fn translate(item: PageItem, x: f64, y: f64) -> PageItem {
    match item {
        PageItem::Text(mut run) => {
            run.x += x;
            run.y += y;
            PageItem::Text(run)
        }
        PageItem::Rule(r) => PageItem::Rule(Rect {
            x: r.x + x,
            y: r.y + y,
            ..r
        }),
        PageItem::Link { rect, target } => PageItem::Link {
            rect: Rect {
                x: rect.x + x,
                y: rect.y + y,
                ..rect
            },
            target,
        },
        PageItem::Anchor { name, x: ax, y: ay } => PageItem::Anchor {
            name,
            x: ax + x,
            y: ay + y,
        },
        PageItem::Image { rect, image } => PageItem::Image {
            rect: Rect {
                x: rect.x + x,
                y: rect.y + y,
                ..rect
            },
            image,
        },
    }
}

/// Marks which lines of a paragraph of `n` lines a page may follow, so that at least
/// `k` lines stay together at its start (no orphan) and at its end (no widow).
pub fn widow_orphan_breaks(n: usize, k: usize) -> Vec<bool> {
    (1..=n).map(|i| i == n || (i >= k && n - i >= k)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records pages, and which anchors (named "call:N" / "note:N") each holds.
    #[derive(Default)]
    struct Collect(Vec<Page>);

    impl PageSink for Collect {
        fn page(&mut self, _n: usize, page: Page) -> Result<(), crate::diag::WriteError> {
            self.0.push(page);
            Ok(())
        }
    }

    fn geometry() -> Geometry {
        Geometry {
            width: 300.0,
            height: 400.0,
            top: 30.0,
            left_recto: 20.0,
            left_verso: 30.0,
            block_height: 120.0,
            block_width: 250.0,
            top_skip: 10.0,
            note_skip: 6.0,
            note_rule: 40.0,
        }
    }

    fn anchor(name: String) -> PageItem {
        PageItem::Anchor {
            name,
            x: 0.0,
            y: 0.0,
        }
    }

    fn line(name: String, advance: f64, notes: Vec<Vec<SetLine>>, break_after: bool) -> SetLine {
        SetLine {
            advance,
            items: vec![anchor(name)],
            notes,
            break_after,
        }
    }

    fn note(id: usize, lines: usize) -> Vec<SetLine> {
        (0..lines)
            .map(|i| line(format!("note:{id}:{i}"), 8.0, Vec::new(), true))
            .collect()
    }

    /// A paragraph of `n` lines; `calls` maps a line index to note ids and lengths.
    fn paragraph(p: usize, n: usize, calls: &[(usize, usize, usize)]) -> Vec<Flow> {
        let breaks = widow_orphan_breaks(n, 2);
        (0..n)
            .map(|i| {
                let notes = calls
                    .iter()
                    .filter(|(at, _, _)| *at == i)
                    .map(|(_, id, len)| note(*id, *len))
                    .collect();
                Flow::Line(line(format!("body:{p}:{i}"), 12.0, notes, breaks[i]))
            })
            .collect()
    }

    fn build(flow: Vec<Flow>) -> Vec<Page> {
        let mut sink = Collect::default();
        let mut b = PageBuilder::new(geometry(), &mut sink);
        for f in flow {
            b.push(f).unwrap();
        }
        let (pages, overfull) = b.finish().unwrap();
        assert_eq!(overfull, 0);
        assert_eq!(pages, sink.0.len());
        sink.0
    }

    fn names(page: &Page) -> Vec<(String, f64)> {
        page.items
            .iter()
            .filter_map(|i| match i {
                PageItem::Anchor { name, y, .. } => Some((name.clone(), *y)),
                _ => None,
            })
            .collect()
    }

    fn check_fits(pages: &[Page]) {
        let g = geometry();
        for (i, p) in pages.iter().enumerate() {
            for (name, y) in names(p) {
                assert!(
                    y <= g.top + g.block_height + 1e-6,
                    "page {i}: {name} at {y} below the block"
                );
                assert!(y >= g.top, "page {i}: {name} above the block");
            }
        }
    }

    #[test]
    fn breaks_respect_widows_and_orphans() {
        assert_eq!(widow_orphan_breaks(5, 2), [false, true, true, false, true]);
        assert_eq!(widow_orphan_breaks(3, 2), [false, false, true]);
        assert_eq!(widow_orphan_breaks(1, 2), [true]);
    }

    #[test]
    fn fills_pages_without_widows_or_orphans() {
        // 120pt block, 10 topskip + 12 per line: 10 lines per page.
        let mut flow = paragraph(0, 7, &[]);
        flow.extend(paragraph(1, 5, &[]));
        let pages = build(flow);
        assert_eq!(pages.len(), 2);
        let first = names(&pages[0]);
        // Page 1 holds paragraph 0 and 3 lines of paragraph 1: after its 3rd of 5 lines
        // is a legal break (2 lines stay together on page 2), and 7 + 3 = 10 lines fit.
        assert_eq!(first.len(), 10);
        assert_eq!(first.last().unwrap().0, "body:1:2");
        check_fits(&pages);
    }

    #[test]
    fn avoids_an_orphan_by_moving_the_paragraph() {
        let mut flow = paragraph(0, 9, &[]);
        flow.extend(paragraph(1, 4, &[]));
        let pages = build(flow);
        // Only one line of paragraph 1 would fit on page 1: it moves whole.
        assert_eq!(names(&pages[0]).len(), 9);
        assert_eq!(names(&pages[1])[0].0, "body:1:0");
    }

    #[test]
    fn notes_sit_on_the_page_of_their_call() {
        let mut flow = Vec::new();
        for p in 0..12 {
            flow.extend(paragraph(p, 4, &[(2, p, 2)]));
        }
        let pages = build(flow);
        check_fits(&pages);
        for page in &pages {
            let ns = names(page);
            for p in 0..12 {
                let call = ns.iter().any(|(n, _)| n == &format!("body:{p}:2"));
                let first = ns.iter().any(|(n, _)| n == &format!("note:{p}:0"));
                assert_eq!(call, first, "note {p}");
            }
        }
    }

    #[test]
    fn long_note_is_split_and_continued() {
        // A 30-line note (240pt) is longer than a page.
        let mut flow = paragraph(0, 3, &[(0, 7, 30)]);
        flow.extend(paragraph(1, 20, &[]));
        let pages = build(flow);
        check_fits(&pages);
        let all: Vec<Vec<String>> = pages
            .iter()
            .map(|p| names(p).into_iter().map(|(n, _)| n).collect())
            .collect();
        assert!(all[0].contains(&"body:0:0".to_owned()));
        assert!(all[0].contains(&"note:7:0".to_owned()));
        assert!(all[0].contains(&"note:7:1".to_owned()));
        // Every note line appears exactly once, in order across pages.
        let order: Vec<&String> = all
            .iter()
            .flatten()
            .filter(|n| n.starts_with("note:7:"))
            .collect();
        let expected: Vec<String> = (0..30).map(|i| format!("note:7:{i}")).collect();
        assert_eq!(order, expected.iter().collect::<Vec<_>>());
        // Every body line appears once.
        let body = all
            .iter()
            .flatten()
            .filter(|n| n.starts_with("body:"))
            .count();
        assert_eq!(body, 23);
    }

    #[test]
    fn thirty_notes_on_one_paragraph() {
        let calls: Vec<(usize, usize, usize)> = (0..30).map(|i| (i % 6, i, 1)).collect();
        let pages = build(paragraph(0, 6, &calls));
        check_fits(&pages);
        let all: Vec<String> = pages.iter().flat_map(names).map(|(n, _)| n).collect();
        for i in 0..30 {
            assert!(all.contains(&format!("note:{i}:0")), "note {i} lost");
        }
        // Each note starts on the page of its call.
        for page in &pages {
            let ns: Vec<String> = names(page).into_iter().map(|(n, _)| n).collect();
            for (at, id, _) in &calls {
                if ns.contains(&format!("note:{id}:0")) {
                    assert!(
                        ns.contains(&format!("body:0:{at}")),
                        "note {id} away from its call"
                    );
                }
            }
        }
    }

    #[test]
    fn forced_page_break_and_spaces_at_page_top() {
        let mut flow = paragraph(0, 2, &[]);
        flow.push(Flow::NewPage);
        flow.push(Flow::Space(30.0));
        flow.extend(paragraph(1, 2, &[]));
        let pages = build(flow);
        assert_eq!(pages.len(), 2);
        // The space at the top of page 2 is dropped: the first baseline is at top + topskip.
        let first = &names(&pages[1])[0];
        assert_eq!(first.0, "body:1:0");
        assert!((first.1 - 40.0).abs() < 1e-9);
        // Verso pages use the verso margin.
        let PageItem::Anchor { x, .. } = &pages[1].items[0] else {
            panic!()
        };
        assert_eq!(*x, 30.0);
    }

    #[test]
    fn a_later_note_never_overtakes_a_continued_one() {
        // Line 2 calls a 14-line note that must be split; line 3 calls a short note.
        let mut flow = paragraph(0, 6, &[]);
        flow.extend(paragraph(1, 4, &[(1, 1, 14), (2, 2, 1)]));
        let pages = build(flow);
        check_fits(&pages);
        let order: Vec<String> = pages
            .iter()
            .flat_map(names)
            .map(|(n, _)| n)
            .filter(|n| n.starts_with("note:"))
            .collect();
        let expected: Vec<String> = (0..14)
            .map(|i| format!("note:1:{i}"))
            .chain(["note:2:0".to_owned()])
            .collect();
        assert_eq!(order, expected);
    }

    #[test]
    fn space_after_a_full_page_makes_no_blank_page() {
        // Ten lines fill the block (10 + 9 × 12 = 118 of 120); the space after them is
        // discarded at the page break, before a forced break and at the end.
        let mut flow = paragraph(0, 10, &[]);
        flow.push(Flow::Space(6.0));
        flow.push(Flow::NewPage);
        flow.extend(paragraph(1, 10, &[]));
        flow.push(Flow::Space(6.0));
        let pages = build(flow);
        assert_eq!(pages.len(), 2);
        assert!(pages.iter().all(|p| names(p).len() == 10));
    }

    #[test]
    fn empty_flow_makes_no_pages() {
        assert!(build(Vec::new()).is_empty());
    }

    #[test]
    fn unbreakable_paragraph_longer_than_a_page_is_cut_anyway() {
        let flow: Vec<Flow> = (0..25)
            .map(|i| Flow::Line(line(format!("body:0:{i}"), 12.0, Vec::new(), i == 24)))
            .collect();
        let pages = build(flow);
        check_fits(&pages);
        assert_eq!(pages.iter().map(|p| names(p).len()).sum::<usize>(), 25);
    }
}
