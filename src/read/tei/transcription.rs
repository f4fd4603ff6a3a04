//! Reads the transcription phenomena of TEI's "Representation of Primary Sources" and
//! "Critical Apparatus" chapters into [`crate::ir::transcription`]: `choice` and its
//! parts, lone `sic`/`corr`/`orig`/`reg`/`abbr`/`expan`/`ex`/`am`, `add`, `del`,
//! `subst`, `lb` with `@n` or `@break`, `w`, `g`, `num`, `name`, `app` with `lem` and
//! `rdg`; and, from the header, `listWit` and the transcription convention (an EpiDoc
//! `div[@type="edition"]` asks for Leiden).
//!
//! Every attribute that changes what a reader sees is kept: `@place`, `@hand`, `@rend`
//! of additions and deletions, `@n` and `@break` of line beginnings, `@wit` of
//! readings, `@lemma`, `@ref`, `@value`, `@type`.

use super::{El, Mapper, Node, is_blank_node, plain};
use crate::ir::{
    App, Change, Convention, EditKind, Edited, Inline, LineBegin, Meta, Reading, SubstPart, Witness,
};

impl Mapper<'_> {
    /// Maps a transcription element into `out`; returns `false` when `name` is none.
    pub(super) fn transcription(&mut self, el: &El, name: &str, out: &mut Vec<Inline>) -> bool {
        let kept: &[&str] = match name {
            "add" | "del" => &["place", "hand", "rend"],
            "lb" => &["n", "break"],
            "w" => &["lemma"],
            "g" => &["ref"],
            "num" => &["value"],
            "name" => &["type", "ref"],
            "choice" | "sic" | "corr" | "orig" | "reg" | "abbr" | "expan" | "ex" | "am"
            | "subst" | "app" => &[],
            _ => return false,
        };
        self.dropped_attributes(el, kept);
        match name {
            "choice" => self.choice(el, out),
            "sic" | "corr" | "orig" | "reg" | "abbr" | "expan" | "ex" | "am" => {
                let kind = EditKind::from_tei_name(name).expect("an editorial element");
                let content = self.inline_children(el);
                out.push(Inline::Edited(Edited { kind, content }));
            }
            "add" => {
                let c = self.change(el);
                out.push(Inline::Add(c));
            }
            "del" => {
                let c = self.change(el);
                out.push(Inline::Del(c));
            }
            "subst" => self.subst(el, out),
            "lb" => {
                let n = el.attr("n").map(str::to_owned);
                let word_break = el.attr("break").map(str::to_owned);
                out.push(if n.is_none() && word_break.is_none() {
                    Inline::LineBreak
                } else {
                    Inline::LineBegin(LineBegin { n, word_break })
                });
            }
            "w" => {
                let content = self.inline_children(el);
                out.push(Inline::Word {
                    lemma: el.attr("lemma").map(str::to_owned),
                    content,
                });
            }
            "g" => out.push(Inline::Glyph {
                glyph_ref: el.attr("ref").map(str::to_owned),
                text: super::raw_text(el),
            }),
            "num" => {
                let content = self.inline_children(el);
                out.push(Inline::Num {
                    value: el.attr("value").map(str::to_owned),
                    content,
                });
            }
            "name" => {
                let content = self.inline_children(el);
                out.push(Inline::Name {
                    kind: el.attr("type").map(str::to_owned),
                    name_ref: el.attr("ref").map(str::to_owned),
                    content,
                });
            }
            "app" => self.app(el, out),
            _ => return false,
        }
        true
    }

    /// Warns once per element and attribute about attributes the IR does not keep (a
    /// corrector's `@resp`, a reading's `@cause`…); `xml:lang` is read as a language.
    fn dropped_attributes(&mut self, el: &El, kept: &[&str]) {
        for (key, _) in &el.attrs {
            if kept.contains(&key.as_str()) || key == "xml:lang" {
                continue;
            }
            if self.warned.insert(format!("{}@{key}", el.qname)) {
                let pos = self.lines.pos(el.offset);
                self.warnings.push(crate::diag::Warning::at(
                    pos,
                    format!("<{}>: @{key} is not kept", el.qname),
                ));
            }
        }
    }

    fn change(&mut self, el: &El) -> Change {
        Change {
            place: el.attr("place").map(str::to_owned),
            hand: el.attr("hand").map(str::to_owned),
            rend: el.attr("rend").map(str::to_owned),
            content: self.inline_children(el),
        }
    }

    fn choice(&mut self, el: &El, out: &mut Vec<Inline>) {
        let mut alts = Vec::new();
        for node in &el.children {
            match node {
                Node::El(e) => match self.name(e) {
                    Some("choice") => {
                        // A choice within a choice: one alternative made of the inner one.
                        let mut inner = Vec::new();
                        self.choice(e, &mut inner);
                        alts.push(Edited {
                            kind: EditKind::Seg,
                            content: inner,
                        });
                    }
                    Some(n) if EditKind::from_tei_name(n).is_some() => {
                        let kind = EditKind::from_tei_name(n).expect("checked");
                        // An alternative's @reason (unclear, supplied) is not kept.
                        self.dropped_attributes(e, &[]);
                        let content = self.inline_children(e);
                        alts.push(Edited { kind, content });
                    }
                    _ => {
                        self.unknown(e, "kept as an alternative of its <choice>");
                        let mut content = Vec::new();
                        self.inline_el(e, &mut content, None);
                        alts.push(Edited {
                            kind: EditKind::Seg,
                            content,
                        });
                    }
                },
                n if is_blank_node(n) => {}
                Node::Text(t) => {
                    self.unknown(el, "text between its alternatives is kept as one");
                    alts.push(Edited {
                        kind: EditKind::Seg,
                        content: vec![Inline::Text(t.clone())],
                    });
                }
            }
        }
        match alts.len() {
            0 => {}
            1 => out.push(Inline::Edited(alts.remove(0))),
            _ => out.push(Inline::Choice(alts)),
        }
    }

    fn subst(&mut self, el: &El, out: &mut Vec<Inline>) {
        let mut parts = Vec::new();
        for node in &el.children {
            match node {
                Node::El(e) if self.is(e, "add") => parts.push(SubstPart::Add(self.change(e))),
                Node::El(e) if self.is(e, "del") => parts.push(SubstPart::Del(self.change(e))),
                n if is_blank_node(n) => {}
                n => {
                    if let Node::El(e) = n {
                        self.unknown(e, "kept as an addition of its <subst>");
                    }
                    let content = self.inlines(&[n]);
                    parts.push(SubstPart::Add(Change {
                        place: None,
                        hand: None,
                        rend: None,
                        content,
                    }));
                }
            }
        }
        if !parts.is_empty() {
            out.push(Inline::Subst(parts));
        }
    }

    fn app(&mut self, el: &El, out: &mut Vec<Inline>) {
        let mut app = App {
            lem: None,
            rdgs: Vec::new(),
        };
        let mut notes = Vec::new();
        self.readings(el, &mut app, &mut notes);
        if app.lem.is_some() || !app.rdgs.is_empty() {
            out.push(Inline::App(app));
        }
        out.extend(notes);
    }

    fn readings(&mut self, el: &El, app: &mut App, notes: &mut Vec<Inline>) {
        for e in el.elements() {
            match self.name(e) {
                Some(kind @ ("lem" | "rdg")) => {
                    self.dropped_attributes(e, &["wit"]);
                    let reading = Reading {
                        wit: e.attr("wit").map(str::to_owned),
                        content: self.inline_children(e),
                    };
                    if kind == "lem" && app.lem.is_none() {
                        app.lem = Some(reading);
                    } else {
                        app.rdgs.push(reading);
                    }
                }
                Some("rdgGrp") => {
                    self.unknown(e, "its readings are kept, the grouping is not");
                    self.readings(e, app, notes);
                }
                // A note on the entry stands after it.
                Some("note") => {
                    let id = self.note(e);
                    notes.push(Inline::NoteRef(id));
                }
                _ => self.unknown(e, "left out of its apparatus entry"),
            }
        }
    }

    /// Reads the header's witnesses (`sourceDesc/listWit`, nested lists flattened) and
    /// the transcription convention an `editorialDecl/p[@n="transcription"]` names.
    pub(super) fn transcription_header(&mut self, header: &El, meta: &mut Meta) {
        if let Some(sd) = self
            .child(header, "fileDesc")
            .and_then(|fd| self.child(fd, "sourceDesc"))
        {
            let lists: Vec<&El> = self.children(sd, "listWit").collect();
            for list in lists {
                self.witnesses(list, &mut meta.witnesses);
            }
        }
        let decl = self
            .child(header, "encodingDesc")
            .and_then(|ed| self.child(ed, "editorialDecl"));
        if let Some(p) = decl.and_then(|d| {
            self.children(d, "p")
                .find(|p| p.attr("n") == Some("transcription"))
        }) {
            meta.convention = match plain(p).as_str() {
                "reading" => Some(Convention::Reading),
                "diplomatic" => Some(Convention::Diplomatic),
                "leiden" => Some(Convention::Leiden),
                _ => None,
            };
        }
    }

    fn witnesses(&mut self, list: &El, out: &mut Vec<Witness>) {
        for e in list.elements() {
            match self.name(e) {
                Some("witness") => out.push(Witness {
                    id: e.attr("xml:id").unwrap_or_default().to_owned(),
                    desc: plain(e),
                }),
                Some("listWit") => self.witnesses(e, out),
                _ => {}
            }
        }
    }

    /// Tells whether the text holds an EpiDoc edition (`div[@type="edition"]`), whose
    /// transcription is shown in Leiden conventions unless the style says otherwise.
    pub(super) fn has_edition(&self, el: &El) -> bool {
        el.elements().any(|e| {
            (self.is(e, "div") && e.attr("type") == Some("edition")) || self.has_edition(e)
        })
    }
}

/// Returns the text of a structured source description (msDesc, biblStruct …) as one
/// line — its fields are separate elements, so each element boundary counts as a space —
/// with its `listWit`s left out (they are read as witnesses).
pub(super) fn source_text(sd: &El, is_list_wit: &dyn Fn(&El) -> bool) -> String {
    fn go(el: &El, out: &mut String, skip: &dyn Fn(&El) -> bool) {
        for n in &el.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::El(e) if skip(e) => {}
                Node::El(e) => {
                    out.push(' ');
                    go(e, out, skip);
                    out.push(' ');
                }
            }
        }
    }
    let mut out = String::new();
    go(sd, &mut out, is_list_wit);
    super::collapse(&out)
}
