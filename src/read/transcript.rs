//! The plain-text transcript reader: text extracted from a printed or PDF edition.
//!
//! The format, as the 1917 minutes in `examples/` show it:
//!
//! - The first line is the title when a blank line follows it.
//! - Paragraphs are separated by lines holding only whitespace; no-break spaces count as
//!   whitespace, so a line of U+00A0 is a separator.
//! - Lines are hard-wrapped; they are joined with one space, except after a line-end
//!   em dash (the source sets em dashes closed up), after a U+2010 hyphen (kept: a real
//!   hyphen that fell at a line end) and after a soft hyphen (removed). A line-end ASCII
//!   hyphen between letters is a guess: see `Vocabulary::join_hyphenated`.
//! - Whitespace, U+00A0 included, is normalised to one space, except before a spaced
//!   dash (`8 – hour`, `earlier – and`): there a no-break space is kept, as typographers
//!   keep a dash from starting a line.
//! - `....{n}`, `...{n}` or `…{n}` is a lacuna whose editorial note `n` the source does
//!   not give; the note text defaults to [`ReadOptions::gap_note`]. A trailing notes
//!   section of `{n} text` lines (optionally headed `Notes`) supplies real texts.
//! - A one-line paragraph such as `CHAPTER 12` or `Part IV.` is a heading.
//! - A parenthesised sentence standing between sentences, `(Applause.)`, is an incident
//!   (an audience reaction). Known reactions are taken silently; other sentences of that
//!   shape are taken with a warning.
//! - A final paragraph beginning `First published` is the colophon: it becomes
//!   `meta.source`, not body text.
//!
//! Problems that leave the text readable (numbering gaps, duplicate or unreferenced notes,
//! guessed hyphens and incidents) are warnings with line and column; a malformed lacuna
//! marker is an error.

use std::collections::{BTreeMap, HashSet};

use super::{ReadOptions, ReadResult};
use crate::diag::{ParseError, Pos, Warned, Warning};
use crate::ir::{
    Block, Document, Gap, GapReason, Incident, IncidentKind, Inline, Meta, Note, NoteId,
    NoteSeries, SourceDesc,
};

/// First words of parenthesised audience reactions recognised without a warning.
const REACTIONS: &[&str] = &[
    "applause",
    "prolonged",
    "stormy",
    "loud",
    "general",
    "laughter",
    "cheers",
    "cheering",
    "noise",
    "uproar",
    "commotion",
    "interruption",
    "interruptions",
    "shouts",
    "voices",
    "voice",
    "exclamations",
    "movement",
    "hubbub",
    "murmurs",
    "whistling",
    "whistles",
    "ovation",
    "tumult",
    "protests",
    "bell",
    "silence",
];

/// Longest parenthesised text, in words, that can be an incident.
const MAX_INCIDENT_WORDS: usize = 8;

/// Parses a transcript into a document.
pub fn read(text: &str, options: &ReadOptions) -> ReadResult {
    let lines: Vec<Line<'_>> = text
        .split('\n')
        .enumerate()
        .map(|(i, text)| Line {
            no: i as u32 + 1,
            text,
        })
        .collect();
    let blocks = split_blocks(&lines);
    if blocks.is_empty() {
        return Err(ParseError::new(Pos::new(1, 1), "empty input: no text"));
    }
    let vocab = Vocabulary::new(text);
    let mut reader = Reader {
        options,
        vocab: &vocab,
        warnings: Vec::new(),
    };
    let mut meta = Meta {
        lang: options.lang.clone(),
        ..Meta::default()
    };

    let mut rest: &[Vec<Line<'_>>] = &blocks;
    if rest.len() > 1 && rest[0].len() == 1 {
        let title = reader.join(&rest[0]);
        meta.title = Some(title.to_string());
        rest = &rest[1..];
    } else {
        let first = &rest[0][0];
        reader.warnings.push(Warning::at(
            first.start(),
            "no title line (a title is a first line followed by a blank line)",
        ));
    }

    // The end of the file may hold the colophon and a notes section, in either order.
    let mut note_blocks: Vec<&[Line<'_>]> = Vec::new();
    while let Some((last, before)) = rest.split_last() {
        if meta.source.is_none() && is_colophon(last) {
            let bibl = reader.join(last).to_string();
            meta.source = Some(SourceDesc { bibl });
            rest = before;
        } else if is_note_block(last) {
            note_blocks.push(last);
            rest = before;
            if let Some((heading, before)) = rest.split_last()
                && heading.len() == 1
                && heading[0]
                    .text
                    .trim()
                    .trim_end_matches(':')
                    .eq_ignore_ascii_case("notes")
            {
                rest = before;
            }
        } else {
            break;
        }
    }
    // Found from the end, so in reverse (pushed, not inserted at the front: linear).
    note_blocks.reverse();
    let note_texts = reader.parse_notes(&note_blocks);

    let mut body = Vec::with_capacity(rest.len());
    let mut refs = NoteRefs::default();
    for block in rest {
        let chars = reader.join(block);
        if block.len() == 1 && is_heading(&chars.to_string()) {
            body.push(Block::Heading {
                level: 1,
                content: vec![Inline::Text(chars.to_string())],
                id: None,
            });
            continue;
        }
        let inlines = reader.parse_inlines(&chars, &mut refs)?;
        if !inlines.is_empty() {
            body.push(Block::Paragraph(inlines));
        }
    }

    let notes = reader.make_notes(&refs, note_texts);
    reader.warnings.extend(super::controls::scan_text(text));
    Ok(Warned::new(Document { meta, body, notes }, reader.warnings))
}

/// One line of the input with its 1-based number.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    no: u32,
    text: &'a str,
}

impl Line<'_> {
    /// Returns the position of the line's first non-blank character.
    fn start(&self) -> Pos {
        let lead = self.text.chars().take_while(|c| c.is_whitespace()).count();
        Pos::new(self.no, lead as u32 + 1)
    }
}

/// Groups lines into blocks separated by whitespace-only lines.
fn split_blocks<'a>(lines: &[Line<'a>]) -> Vec<Vec<Line<'a>>> {
    let mut blocks = Vec::new();
    let mut current = Vec::new();
    for line in lines {
        if crate::ir::is_blank(line.text) {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else {
            current.push(*line);
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

fn is_colophon(block: &[Line<'_>]) -> bool {
    let first = block[0].text.trim_start_matches(char::is_whitespace);
    first.strip_prefix("First").is_some_and(|r| {
        r.trim_start_matches(char::is_whitespace)
            .starts_with("published")
    })
}

fn is_note_block(block: &[Line<'_>]) -> bool {
    parse_note_start(block[0].text).is_some()
}

/// Parses `{n} text` at the start of a line, giving `n` and the text's char offset.
fn parse_note_start(line: &str) -> Option<(u32, usize)> {
    let lead = line.chars().take_while(|c| c.is_whitespace()).count();
    let rest: String = line.chars().skip(lead).collect();
    let inner = rest.strip_prefix('{')?;
    let close = inner.find('}')?;
    let n: u32 = inner[..close].parse().ok()?;
    if !inner[..close].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let after = &inner[close + 1..];
    if !after.is_empty() && !after.starts_with(char::is_whitespace) {
        return None;
    }
    Some((n, lead + 1 + inner[..close].chars().count() + 1))
}

/// Tells whether a one-line paragraph is a chapter-like heading (`CHAPTER 3`, `Part IV.`).
fn is_heading(text: &str) -> bool {
    let mut words = text.split(' ');
    let (Some(kind), Some(number), None) = (words.next(), words.next(), words.next()) else {
        return false;
    };
    let kind_ok = [
        "CHAPTER", "Chapter", "BOOK", "Book", "PART", "Part", "VOLUME", "Volume",
    ]
    .contains(&kind);
    let number = number.strip_suffix('.').unwrap_or(number);
    let arabic = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
    let roman = !number.is_empty() && number.chars().all(|c| "IVXLCDM".contains(c));
    kind_ok && (arabic || roman)
}

/// Characters of a joined block with the source position of each.
#[derive(Debug, Default)]
struct Chars {
    chars: Vec<char>,
    pos: Vec<Pos>,
}

impl Chars {
    fn push(&mut self, c: char, pos: Pos) {
        self.chars.push(c);
        self.pos.push(pos);
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    fn slice(&self, from: usize, to: usize) -> String {
        self.chars[from..to].iter().collect()
    }
}

impl std::fmt::Display for Chars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        self.chars.iter().try_for_each(|&c| f.write_char(c))
    }
}

/// The words of the whole input, to decide what a line-end hyphen means.
struct Vocabulary {
    /// Lower-cased words as they occur within lines (hyphenated compounds whole).
    words: HashSet<String>,
    /// Whether the text writes its compounds with U+2010 and never with an ASCII
    /// hyphen inside a line: then a line-end ASCII hyphen can only be a break.
    uses_true_hyphens: bool,
}

impl Vocabulary {
    fn new(text: &str) -> Self {
        let mut words = HashSet::new();
        let mut ascii_compounds = false;
        let mut true_hyphens = false;
        for line in text.lines() {
            let line = line.trim_end_matches(char::is_whitespace);
            let tokens: Vec<&str> = line.split(char::is_whitespace).collect();
            for (i, token) in tokens.iter().enumerate() {
                let word = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
                if word.is_empty() {
                    continue;
                }
                true_hyphens |= word.contains('\u{2010}');
                let line_end = i + 1 == tokens.len() && word.ends_with('-');
                if line_end {
                    continue;
                }
                ascii_compounds |= word.contains('-');
                words.insert(word.to_lowercase());
            }
        }
        Vocabulary {
            words,
            uses_true_hyphens: true_hyphens && !ascii_compounds,
        }
    }

    /// Decides whether `left-` at a line end followed by `right` is one word broken by
    /// the typesetter (`Some(true)`: drop the hyphen) or a compound (`Some(false)`: keep
    /// it). The text's own usage decides: the joined word or the hyphenated compound
    /// elsewhere in the text, or a text that writes all its compounds with U+2010.
    /// `None` means the text gives no evidence.
    fn join_hyphenated(&self, left: &str, right: &str) -> Option<bool> {
        let joined = format!("{left}{right}").to_lowercase();
        let compound = format!("{left}-{right}").to_lowercase();
        if self.words.contains(&joined) {
            Some(true)
        } else if self.words.contains(&compound) {
            Some(false)
        } else if self.uses_true_hyphens {
            Some(true)
        } else {
            None
        }
    }
}

/// Which notes the body references, in order, with the first position of each.
#[derive(Debug, Default)]
struct NoteRefs {
    first: BTreeMap<u32, Pos>,
    highest: u32,
}

/// Note texts from the notes section: number → (position, text).
type NoteTexts = BTreeMap<u32, (Pos, String)>;

struct Reader<'a> {
    options: &'a ReadOptions,
    vocab: &'a Vocabulary,
    warnings: Vec<Warning>,
}

impl Reader<'_> {
    /// Joins a block's lines into one normalised run of characters (see the module docs).
    fn join(&mut self, lines: &[Line<'_>]) -> Chars {
        let mut raw = Chars::default();
        for line in lines {
            let mut col = 0u32;
            let mut started = false;
            let trimmed_len = line.text.trim_end_matches(char::is_whitespace).len();
            let mut first = true;
            for c in line.text[..trimmed_len].chars() {
                col += 1;
                if !started && c.is_whitespace() {
                    continue;
                }
                if first && raw.len() > 0 {
                    self.push_line_join(&mut raw, line, c);
                }
                first = false;
                started = true;
                raw.push(if c == '\t' { ' ' } else { c }, Pos::new(line.no, col));
            }
        }
        normalise_spaces(&raw)
    }

    /// Pushes what goes between the previous line's last character and `next`, the first
    /// character of `line`; may remove a line-end hyphen.
    fn push_line_join(&mut self, raw: &mut Chars, line: &Line<'_>, next: char) {
        let last = *raw.chars.last().expect("called after the first line");
        let join_pos = *raw.pos.last().expect("non-empty");
        match last {
            '\u{AD}' => {
                raw.chars.pop();
                raw.pos.pop();
            }
            '\u{2010}' | '\u{2014}' => {}
            _ if next == '\u{2014}' => {}
            '-' if next.is_lowercase()
                && raw.chars.len() >= 2
                && raw.chars[raw.chars.len() - 2].is_alphabetic() =>
            {
                let start = raw.chars[..raw.chars.len() - 1]
                    .iter()
                    .rposition(|c| !(c.is_alphanumeric() || *c == '-'))
                    .map_or(0, |i| i + 1);
                let left: String = raw.chars[start..raw.chars.len() - 1].iter().collect();
                let right: String = line
                    .text
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric())
                    .collect();
                match self.vocab.join_hyphenated(&left, &right) {
                    Some(true) => {
                        raw.chars.pop();
                        raw.pos.pop();
                    }
                    Some(false) => {}
                    None => self.warnings.push(Warning::at(
                        join_pos,
                        format!(
                            "line-end hyphen kept in \"{left}-{right}\": the text does not tell \
                             a compound from a broken word"
                        ),
                    )),
                }
            }
            _ => raw.push(' ', join_pos),
        }
    }

    /// Splits a paragraph into text, lacunae, note calls and incidents.
    fn parse_inlines(&mut self, p: &Chars, refs: &mut NoteRefs) -> Result<Vec<Inline>, ParseError> {
        let mut out = Vec::new();
        let mut text_start = 0;
        let mut i = 0;
        let c = &p.chars;
        while i < c.len() {
            let dots = if c[i] == '…' {
                1
            } else {
                c[i..].iter().take_while(|&&d| d == '.').count()
            };
            let is_ellipsis = c[i] == '…' || dots >= 3;
            if is_ellipsis && c.get(i + dots) == Some(&'{') {
                let brace = i + dots;
                let (n, end) = self.parse_marker(p, brace)?;
                flush_text(&mut out, p, text_start, i);
                out.push(Inline::Gap(Gap {
                    reason: GapReason::Omitted,
                    extent: None,
                    shown: p.slice(i, brace),
                    note: Some(note_id(n)),
                }));
                self.reference(refs, n, p.pos[i]);
                i = end;
                text_start = i;
                continue;
            }
            if is_ellipsis {
                i += dots;
                continue;
            }
            if c[i] == '{'
                && c.get(i + 1).is_some_and(|d| d.is_ascii_digit())
                && let Ok((n, end)) = self.parse_marker(p, i)
            {
                self.warnings.push(Warning::at(
                    p.pos[i],
                    format!("note marker {{{n}}} without an ellipsis: read as a note call"),
                ));
                flush_text(&mut out, p, text_start, i);
                out.push(Inline::NoteRef(note_id(n)));
                self.reference(refs, n, p.pos[i]);
                i = end;
                text_start = i;
                continue;
            }
            if c[i] == '('
                && let Some((incident, end)) = self.incident_at(p, i)
            {
                flush_text(&mut out, p, text_start, i);
                out.push(Inline::Incident(incident));
                i = end;
                text_start = i;
                continue;
            }
            i += 1;
        }
        flush_text(&mut out, p, text_start, c.len());
        Ok(out)
    }

    /// Parses `{n}` at `brace`; returns `n` and the index after the closing brace.
    fn parse_marker(&self, p: &Chars, brace: usize) -> Result<(u32, usize), ParseError> {
        let c = &p.chars;
        let digits = c[brace + 1..]
            .iter()
            .take_while(|d| d.is_ascii_digit())
            .count();
        let close = brace + 1 + digits;
        if c.get(close) != Some(&'}') {
            let what = if digits == 0 {
                "lacuna marker needs a note number: ....{1}"
            } else {
                "unterminated lacuna marker: missing '}'"
            };
            return Err(ParseError::new(p.pos[brace], what));
        }
        let number: String = c[brace + 1..close].iter().collect();
        let n = number.parse::<u32>().map_err(|_| {
            ParseError::new(p.pos[brace], format!("note number {number} is too large"))
        })?;
        Ok((n, close + 1))
    }

    /// Records a reference to note `n`, warning about duplicates and numbering gaps.
    fn reference(&mut self, refs: &mut NoteRefs, n: u32, pos: Pos) {
        if let Some(first) = refs.first.get(&n) {
            self.warnings.push(Warning::at(
                pos,
                format!(
                    "note {{{n}}} is referenced again (first at {first}); both calls share the note"
                ),
            ));
            return;
        }
        let expected = refs.highest + 1;
        if n > expected {
            let missing = if n == expected + 1 {
                format!("{{{expected}}} is missing")
            } else {
                format!("{{{expected}}}–{{{}}} are missing", n - 1)
            };
            self.warnings.push(Warning::at(
                pos,
                format!("note {{{n}}} follows {{{}}}: {missing}", refs.highest),
            ));
        } else if n < expected {
            self.warnings.push(Warning::at(
                pos,
                format!(
                    "note {{{n}}} is out of order: it comes after {{{}}}",
                    refs.highest
                ),
            ));
        }
        refs.highest = refs.highest.max(n);
        refs.first.insert(n, pos);
    }

    /// Recognises `(Applause.)` at `open`: a parenthesised sentence of a few words that
    /// stands between sentences. Returns the incident and the index after `)`.
    fn incident_at(&mut self, p: &Chars, open: usize) -> Option<(Incident, usize)> {
        let c = &p.chars;
        let close = open + c[open..].iter().take(120).position(|&d| d == ')')?;
        let inner: String = c[open + 1..close].iter().collect();
        if inner.contains(['(', '{']) {
            return None;
        }
        let starts_upper = inner.chars().next().is_some_and(char::is_uppercase);
        let ends_sentence = inner.ends_with(['.', '!']);
        let words = inner.split(' ').count();
        if !starts_upper || !ends_sentence || words > MAX_INCIDENT_WORDS {
            return None;
        }
        let before = c[..open].iter().rev().find(|d| !d.is_whitespace());
        let after = c.get(close + 1);
        let stands_alone = before.is_none_or(|b| ".!?…”’\")»}".contains(*b))
            && after.is_none_or(|a| a.is_whitespace());
        if !stands_alone {
            return None;
        }
        let first_word = inner
            .split(|ch: char| !ch.is_alphabetic())
            .next()
            .unwrap_or("")
            .to_lowercase();
        if !REACTIONS.contains(&first_word.as_str()) {
            self.warnings.push(Warning::at(
                p.pos[open],
                format!("read \"({inner})\" as an incident (an audience reaction)"),
            ));
        }
        let incident = Incident {
            kind: IncidentKind::Incident,
            category: None,
            desc: inner,
        };
        Some((incident, close + 1))
    }

    /// Reads the notes section: `{n} text` lines, continued by lines without a marker.
    fn parse_notes(&mut self, blocks: &[&[Line<'_>]]) -> NoteTexts {
        let mut notes = NoteTexts::new();
        let mut current: Option<(u32, Pos, Vec<Line<'_>>)> = None;
        let mut finish = |reader: &mut Self, current: Option<(u32, Pos, Vec<Line<'_>>)>| {
            if let Some((n, pos, lines)) = current {
                let text = reader.join(&lines).to_string();
                if let Some((first, _)) = notes.get(&n) {
                    reader.warnings.push(Warning::at(
                        pos,
                        format!("note {{{n}}} is defined again (first at {first}); the first text is kept"),
                    ));
                } else {
                    notes.insert(n, (pos, text));
                }
            }
        };
        for block in blocks {
            for line in block.iter() {
                if let Some((n, offset)) = parse_note_start(line.text) {
                    finish(self, current.take());
                    let rest = line
                        .text
                        .char_indices()
                        .nth(offset)
                        .map_or("", |(b, _)| &line.text[b..]);
                    let lead = line.text.chars().take_while(|c| c.is_whitespace()).count();
                    let pos = Pos::new(line.no, lead as u32 + 1);
                    current = Some((
                        n,
                        pos,
                        vec![Line {
                            no: line.no,
                            text: rest,
                        }],
                    ));
                } else if let Some((_, _, lines)) = current.as_mut() {
                    lines.push(*line);
                }
            }
        }
        finish(self, current.take());
        notes
    }

    /// Builds the editorial notes: one per referenced number, with the notes section's
    /// text or the default sentence. Unreferenced notes are reported and left out.
    fn make_notes(&mut self, refs: &NoteRefs, mut texts: NoteTexts) -> Vec<Note> {
        let mut notes = Vec::with_capacity(refs.first.len());
        for &n in refs.first.keys() {
            let text = texts
                .remove(&n)
                .map(|(_, t)| t)
                .unwrap_or_else(|| self.options.gap_note.clone());
            notes.push(Note {
                id: note_id(n),
                series: NoteSeries::Editorial,
                n: n.to_string(),
                content: vec![Block::Paragraph(vec![Inline::Text(text)])],
                resp: None,
            });
        }
        for (n, (pos, _)) in texts {
            self.warnings.push(Warning::at(
                pos,
                format!("note {{{n}}} is never referenced in the text; left out"),
            ));
        }
        notes
    }
}

/// The id of editorial note `n`.
fn note_id(n: u32) -> NoteId {
    NoteId(format!("e{n}"))
}

/// Appends `p[from..to]` as text, unless empty.
fn flush_text(out: &mut Vec<Inline>, p: &Chars, from: usize, to: usize) {
    if from < to {
        out.push(Inline::Text(p.slice(from, to)));
    }
}

/// Collapses each run of whitespace to one space, or to one no-break space before a
/// spaced dash; drops leading and trailing whitespace.
fn normalise_spaces(raw: &Chars) -> Chars {
    let c = &raw.chars;
    let mut out = Chars::default();
    let mut i = 0;
    while i < c.len() {
        if !c[i].is_whitespace() {
            out.push(c[i], raw.pos[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < c.len() && c[i].is_whitespace() {
            i += 1;
        }
        if start == 0 || i == c.len() {
            continue;
        }
        let spaced_dash =
            matches!(c[i], '–' | '—') && c.get(i + 1).is_none_or(|n| n.is_whitespace());
        out.push(if spaced_dash { '\u{A0}' } else { ' ' }, raw.pos[start]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_ok(text: &str) -> Warned<Document> {
        read(text, &ReadOptions::default()).expect("reads")
    }

    fn para(doc: &Document, i: usize) -> &[Inline] {
        match &doc.body[i] {
            Block::Paragraph(p) => p,
            other => panic!("block {i} is not a paragraph: {other:?}"),
        }
    }

    fn messages(w: &Warned<Document>) -> Vec<String> {
        w.warnings.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn title_and_paragraphs_split_on_nbsp_lines() {
        let doc =
            read_ok(" Minutes\u{a0} \n\u{a0} \nOne\u{a0}two \nthree. \n\u{a0} \nFour.\n").value;
        assert_eq!(doc.meta.title.as_deref(), Some("Minutes"));
        assert_eq!(doc.body.len(), 2);
        assert_eq!(para(&doc, 0), [Inline::Text("One two three.".into())]);
    }

    #[test]
    fn missing_title_is_a_warning() {
        let w = read_ok("First line\nsecond line\n\nNext.\n");
        assert_eq!(w.value.meta.title, None);
        assert!(
            messages(&w)[0].starts_with("1:1: no title line"),
            "{:?}",
            messages(&w)
        );
    }

    #[test]
    fn spaces_normalised_and_nbsp_kept_before_spaced_dash() {
        let doc = read_ok("T\n\nThe 8\u{a0}–\u{a0}hour  day,\u{a0}\u{a0} later –\nand.\n").value;
        assert_eq!(
            para(&doc, 0),
            [Inline::Text(
                "The 8\u{a0}– hour day, later\u{a0}– and.".into()
            )]
        );
    }

    #[test]
    fn em_dash_and_true_hyphen_at_line_end_join_closed() {
        let doc = read_ok("T\n\nthe famine—\nthat coal\u{2010}\nminer\n").value;
        assert_eq!(
            para(&doc, 0),
            [Inline::Text("the famine—that coal\u{2010}miner".into())]
        );
    }

    #[test]
    fn soft_hyphen_removed() {
        let doc = read_ok("T\n\nrevo\u{ad}\nlution\n").value;
        assert_eq!(para(&doc, 0), [Inline::Text("revolution".into())]);
    }

    #[test]
    fn line_end_hyphen_follows_the_texts_own_usage() {
        let doc = read_ok(
            "T\n\nA revolution and a revo-\nlution; a well-known and a well-\nknown thing.\n",
        )
        .value;
        assert_eq!(
            para(&doc, 0),
            [Inline::Text(
                "A revolution and a revolution; a well-known and a well-known thing.".into()
            )]
        );
    }

    #[test]
    fn line_end_hyphen_in_a_text_with_true_hyphens_is_a_break() {
        let doc = read_ok("T\n\ncoal\u{2010}miner and prole-\ntariat\n").value;
        assert_eq!(
            para(&doc, 0),
            [Inline::Text("coal\u{2010}miner and proletariat".into())]
        );
    }

    #[test]
    fn unknown_line_end_hyphen_is_kept_with_a_warning() {
        let w = read_ok("T\n\nthe blue-\ngreen sea\n");
        assert_eq!(
            para(&w.value, 0),
            [Inline::Text("the blue-green sea".into())]
        );
        assert!(
            messages(&w)[0].starts_with("3:9: line-end hyphen kept in \"blue-green\""),
            "{:?}",
            messages(&w)
        );
    }

    #[test]
    fn lacunae_become_gaps_with_default_notes() {
        let doc = read_ok("T\n\nnot....{1} and grain ...{2} now…{3}\n").value;
        let p = para(&doc, 0);
        assert_eq!(p.len(), 6);
        assert_eq!(p[0], Inline::Text("not".into()));
        let Inline::Gap(g) = &p[1] else {
            panic!("{p:?}")
        };
        assert_eq!(
            (g.shown.as_str(), g.note.as_ref().unwrap().as_str()),
            ("....", "e1")
        );
        assert_eq!(p[2], Inline::Text(" and grain ".into()));
        let Inline::Gap(g) = &p[3] else {
            panic!("{p:?}")
        };
        assert_eq!(g.shown, "...");
        let Inline::Gap(g) = &p[5] else {
            panic!("{p:?}")
        };
        assert_eq!(g.shown, "…");
        assert_eq!(doc.notes.len(), 3);
        assert_eq!(doc.notes[0].n, "1");
        assert_eq!(doc.notes[0].series, NoteSeries::Editorial);
        assert_eq!(
            doc.notes[2].content,
            [Block::Paragraph(vec![Inline::Text(
                "Omitted in the minutes.".into()
            )])]
        );
    }

    #[test]
    fn gap_note_text_is_configurable() {
        let options = ReadOptions {
            gap_note: "Not transcribed.".into(),
            ..ReadOptions::default()
        };
        let doc = read("T\n\nx....{1}\n", &options).unwrap().value;
        assert_eq!(
            doc.notes[0].content,
            [Block::Paragraph(vec![Inline::Text(
                "Not transcribed.".into()
            )])]
        );
    }

    #[test]
    fn dots_without_marker_stay_text() {
        let doc = read_ok("T\n\nto go for grain.... It is\n").value;
        assert_eq!(
            para(&doc, 0),
            [Inline::Text("to go for grain.... It is".into())]
        );
        assert!(doc.notes.is_empty());
    }

    #[test]
    fn numbering_gap_duplicate_and_order_warnings() {
        let w = read_ok("T\n\na....{1} b....{3} c....{3} d....{2}\n");
        let m = messages(&w);
        assert_eq!(m.len(), 3, "{m:?}");
        assert_eq!(m[0], "3:11: note {3} follows {1}: {2} is missing");
        assert_eq!(
            m[1],
            "3:20: note {3} is referenced again (first at 3:11); both calls share the note"
        );
        assert_eq!(m[2], "3:29: note {2} is out of order: it comes after {3}");
        assert_eq!(w.value.notes.len(), 3);
    }

    #[test]
    fn notes_section_supplies_texts_and_reports_unreferenced() {
        let text = "T\n\nText....{1} more....{2}\n\nNotes\n\n{1} The secretary left\nthe room.\n{2} Illegible.\n{3} Spare.\n\nFirst published in 1934.\n";
        let w = read_ok(text);
        let doc = &w.value;
        assert_eq!(doc.body.len(), 1);
        assert_eq!(
            doc.notes[0].content,
            [Block::Paragraph(vec![Inline::Text(
                "The secretary left the room.".into()
            )])]
        );
        assert_eq!(
            doc.notes[1].content,
            [Block::Paragraph(vec![Inline::Text("Illegible.".into())])]
        );
        assert_eq!(
            doc.meta.source.as_ref().unwrap().bibl,
            "First published in 1934."
        );
        assert_eq!(
            messages(&w),
            ["10:1: note {3} is never referenced in the text; left out"]
        );
    }

    #[test]
    fn duplicate_note_definition_warns() {
        let w = read_ok("T\n\nA....{1}\n\n{1} One.\n{1} Two.\n");
        assert_eq!(
            messages(&w),
            ["6:1: note {1} is defined again (first at 5:1); the first text is kept"]
        );
    }

    #[test]
    fn malformed_markers_are_errors_with_position() {
        let e = read("T\n\nok\nbad....{12 here\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "4:8: unterminated lacuna marker: missing '}'"
        );
        let e = read("T\n\nbad....{x}\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(e.pos, Pos::new(3, 8));
    }

    #[test]
    fn bare_marker_is_a_note_call_with_warning() {
        let w = read_ok("T\n\nword{1} more\n");
        assert_eq!(para(&w.value, 0)[1], Inline::NoteRef(NoteId("e1".into())));
        assert_eq!(
            messages(&w),
            ["3:5: note marker {1} without an ellipsis: read as a note call"]
        );
    }

    #[test]
    fn applause_is_an_incident_but_asides_are_not() {
        let w = read_ok(
            "T\n\nthey (Narodniks, Mensheviks) are. Win out.\n(Applause.) Then on. (Laughter and noise.)\n",
        );
        let p = para(&w.value, 0);
        assert_eq!(
            p[0],
            Inline::Text("they (Narodniks, Mensheviks) are. Win out. ".into())
        );
        assert_eq!(
            p[1],
            Inline::Incident(Incident {
                kind: IncidentKind::Incident,
                category: None,
                desc: "Applause.".into()
            })
        );
        assert!(matches!(&p[3], Inline::Incident(i) if i.desc == "Laughter and noise."));
        assert!(w.warnings.is_empty(), "{:?}", messages(&w));
    }

    #[test]
    fn unknown_parenthesised_sentence_is_a_guessed_incident() {
        let w = read_ok("T\n\nHe spoke. (The chairman rings.) On.\n");
        assert!(matches!(&para(&w.value, 0)[1], Inline::Incident(_)));
        assert_eq!(
            messages(&w),
            ["3:11: read \"(The chairman rings.)\" as an incident (an audience reaction)"]
        );
    }

    #[test]
    fn chapter_lines_are_headings() {
        let doc = read_ok(" Book\u{a0} \n\u{a0} \nCHAPTER\u{a0}1\u{a0} \n\u{a0} \nText.\n").value;
        assert!(
            matches!(&doc.body[0], Block::Heading { level: 1, content, .. } if content == &[Inline::Text("CHAPTER 1".into())])
        );
        assert!(is_heading("Part IV."));
        assert!(!is_heading("Chapter one"));
    }

    #[test]
    fn tabs_and_whitespace_only_input() {
        let doc = read_ok("T\n\na\tb\n").value;
        assert_eq!(para(&doc, 0), [Inline::Text("a b".into())]);
        assert!(read(" \u{a0}\n\t\n", &ReadOptions::default()).is_err());
    }
}
