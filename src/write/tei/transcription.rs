//! TEI for the transcription phenomena (see [`crate::ir::transcription`]): `choice` and
//! its parts, `add`, `del`, `subst`, `lb[@n][@break]`, `w`, `g`, `num`, `name`,
//! `app`/`lem`/`rdg`, and the header's `listWit`.

use std::borrow::Cow;

use quick_xml::events::{BytesEnd, Event};

use super::{Attrs, TeiWriter, is_token};
use crate::ir::{App, Change, EditKind, Edited, Inline, LineBegin, Reading, SubstPart, Witness};

impl TeiWriter<'_> {
    /// Writes one transcription element; returns `false` for any other inline.
    pub(super) fn transcription(&mut self, inline: &Inline) -> bool {
        match inline {
            Inline::Choice(alts) => self.choice(alts),
            Inline::Edited(e) => {
                // Alone, these are read back as Inline::Unclear, Inline::Supplied or
                // (for seg) plain text: only inside a choice are they alternatives.
                if matches!(
                    e.kind,
                    EditKind::Unclear | EditKind::Supplied | EditKind::Seg
                ) {
                    self.warn(format!(
                        "a lone <{}> alternative outside a choice reads back as other markup",
                        e.kind.tei_name()
                    ));
                }
                self.edited(e)
            }
            Inline::Add(c) => self.change("add", c),
            Inline::Del(c) => self.change("del", c),
            Inline::Subst(parts) => self.subst(parts),
            Inline::LineBegin(lb) => self.line_begin(lb),
            Inline::Word { lemma, content } => {
                let attrs = self.plain_attr("lemma", lemma.as_deref(), "lemma");
                let content = self.restricted("w", content);
                self.inline_element("w", attrs, &content);
            }
            Inline::Glyph { glyph_ref, text } => {
                let attrs = self.uri_attr("ref", glyph_ref.as_deref(), "glyph reference");
                let content = super::text_inlines(text);
                self.inline_element("g", attrs, &content);
            }
            Inline::Num { value, content } => {
                let attrs = match value {
                    Some(v) if is_numeric(v) => vec![("value", v.as_str().into())],
                    Some(v) => {
                        self.warn(format!(
                            "number value {v:?} is not a TEI number: @value left out"
                        ));
                        vec![]
                    }
                    None => vec![],
                };
                self.inline_element("num", attrs, content);
            }
            Inline::Name {
                kind,
                name_ref,
                content,
            } => {
                let mut attrs = self.token_attr("type", kind.as_deref(), "name type");
                attrs.extend(self.uri_attr("ref", name_ref.as_deref(), "name reference"));
                self.inline_element("name", attrs, content);
            }
            Inline::App(app) => self.app(app),
            _ => return false,
        }
        true
    }

    fn choice(&mut self, alts: &[Edited]) {
        match alts {
            [] => self.warn("a choice without alternatives was left out".to_owned()),
            // A choice needs two alternatives; one is written as the element alone.
            [one] => {
                self.warn(format!(
                    "a choice with one alternative was written as a lone <{}>",
                    one.kind.tei_name()
                ));
                self.edited(one);
            }
            _ => {
                let start = self.start_tag("choice", &vec![]);
                self.event(Event::Start(start));
                for alt in alts {
                    self.edited(alt);
                }
                self.event(Event::End(BytesEnd::new("choice")));
            }
        }
    }

    /// Writes an alternative, or a lone editorial element (a lone `unclear` or
    /// `supplied` reads back as [`Inline::Unclear`] or [`Inline::Supplied`]).
    fn edited(&mut self, e: &Edited) {
        let name = e.kind.tei_name();
        let content = self.restricted(name, &e.content);
        self.inline_element(name, vec![], &content);
    }

    /// Returns `content` as `element` may hold it: `ex` holds only text and glyphs, `am`
    /// also transcriptional markup, `w` no emphasis, links, names or images. Content the
    /// schema does not allow there is flattened to its text, with a warning.
    fn restricted<'c>(&mut self, element: &str, content: &'c [Inline]) -> Cow<'c, [Inline]> {
        let allowed = |i: &Inline| match element {
            "ex" => matches!(i, Inline::Text(_) | Inline::Glyph { .. }),
            "am" => matches!(
                i,
                Inline::Text(_)
                    | Inline::Glyph { .. }
                    | Inline::Add(_)
                    | Inline::Del(_)
                    | Inline::Supplied { .. }
                    | Inline::Unclear { .. }
                    | Inline::Edited(Edited {
                        kind: EditKind::Corr | EditKind::Orig | EditKind::Reg | EditKind::Sic,
                        ..
                    })
            ),
            "w" => !matches!(
                i,
                Inline::Emph(_)
                    | Inline::Foreign { .. }
                    | Inline::Code(_)
                    | Inline::Link { .. }
                    | Inline::Image { .. }
                    | Inline::Name { .. }
                    | Inline::Num { .. }
                    | Inline::App(_)
                    | Inline::NoteRef(_)
                    | Inline::Incident(_)
            ),
            _ => true,
        };
        if content.iter().all(allowed) {
            return Cow::Borrowed(content);
        }
        self.warn(format!(
            "<{element}> cannot hold all of its content in TEI: written as its text"
        ));
        let text = crate::ir::inline_text(content);
        Cow::Owned(if text.is_empty() {
            Vec::new()
        } else {
            vec![Inline::Text(text)]
        })
    }

    fn change(&mut self, name: &'static str, c: &Change) {
        let mut attrs = self.token_attr("place", c.place.as_deref(), "place");
        attrs.extend(self.uri_attr("hand", c.hand.as_deref(), "hand"));
        attrs.extend(self.token_attr("rend", c.rend.as_deref(), "rendition"));
        self.inline_element(name, attrs, &c.content);
    }

    fn subst(&mut self, parts: &[SubstPart]) {
        if parts.is_empty() {
            self.warn("a substitution without parts was left out".to_owned());
            return;
        }
        let start = self.start_tag("subst", &vec![]);
        self.event(Event::Start(start));
        for part in parts {
            match part {
                SubstPart::Add(c) => self.change("add", c),
                SubstPart::Del(c) => self.change("del", c),
            }
        }
        self.event(Event::End(BytesEnd::new("subst")));
    }

    fn line_begin(&mut self, lb: &LineBegin) {
        let mut attrs: Attrs<'_> = Vec::new();
        if let Some(n) = &lb.n {
            attrs.push(("n", n.as_str().into()));
        }
        attrs.extend(self.token_attr("break", lb.word_break.as_deref(), "line break"));
        if attrs.is_empty() {
            // A bare <lb/> reads back as a forced line break.
            self.warn("a line beginning without number or break was written as <lb/>".into());
        }
        self.empty("lb", attrs);
    }

    fn app(&mut self, app: &App) {
        if app.lem.is_none() && app.rdgs.is_empty() {
            self.warn("an apparatus entry without readings was left out".to_owned());
            return;
        }
        let start = self.start_tag("app", &vec![]);
        self.event(Event::Start(start));
        if let Some(lem) = &app.lem {
            self.reading("lem", lem);
        }
        for rdg in &app.rdgs {
            self.reading("rdg", rdg);
        }
        self.event(Event::End(BytesEnd::new("app")));
    }

    fn reading(&mut self, name: &'static str, r: &Reading) {
        let attrs = self.uri_attr("wit", r.wit.as_deref(), "witness list");
        self.inline_element(name, attrs, &r.content);
    }

    /// Returns an attribute of free text (CDATA-like: `@lemma`), left out when empty.
    fn plain_attr<'s>(
        &mut self,
        name: &'static str,
        value: Option<&'s str>,
        what: &str,
    ) -> Attrs<'s> {
        match value {
            Some(v) if !v.is_empty() => vec![(name, v.into())],
            Some(_) => {
                self.warn(format!("an empty {what} cannot be a TEI @{name}: left out"));
                vec![]
            }
            None => vec![],
        }
    }

    /// Returns a pointer-list attribute (`@wit`, `@hand`, `@ref`): tokens without spaces
    /// inside them, at least one.
    fn uri_attr<'s>(
        &mut self,
        name: &'static str,
        value: Option<&'s str>,
        what: &str,
    ) -> Attrs<'s> {
        match value {
            Some(v)
                if v.split_whitespace().next().is_some() && v.split_whitespace().all(is_token) =>
            {
                vec![(name, v.into())]
            }
            Some(v) => {
                self.warn(format!("{what} {v:?} cannot be a TEI @{name}: left out"));
                vec![]
            }
            None => vec![],
        }
    }

    /// Writes the witnesses of a critical text (`sourceDesc/listWit`).
    pub(super) fn list_wit(&mut self, witnesses: &[Witness]) {
        if witnesses.is_empty() {
            return;
        }
        self.open_block("listWit", vec![]);
        for w in witnesses {
            let mut attrs = self.id_attr(Some(&w.id));
            super::preserve_space(&mut attrs, &w.desc);
            if w.desc.is_empty() {
                self.empty_block("witness", attrs);
            } else {
                self.line("witness", attrs, &[Inline::Text(w.desc.clone())]);
            }
        }
        self.close_block("listWit");
    }
}

/// Tells whether `s` is a TEI `teidata.numeric` value (a decimal, an exponent form, or a
/// fraction such as `1/2`).
fn is_numeric(s: &str) -> bool {
    let decimal = |t: &str| {
        let t = t.strip_prefix('-').unwrap_or(t);
        let (mantissa, exp) = match t.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
            None => (t, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        !(int.is_empty() && frac.is_empty())
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
            && exp.is_none_or(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()))
    };
    match s.split_once('/') {
        Some((a, b)) => {
            a.bytes().all(|x| x.is_ascii_digit())
                && !a.is_empty()
                && !b.is_empty()
                && b.bytes().all(|x| x.is_ascii_digit())
        }
        None => decimal(s),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_follow_the_schema() {
        for ok in ["1", "1.5", "-2", ".5", "3e10", "1/2"] {
            assert!(super::is_numeric(ok), "{ok}");
        }
        for bad in ["", "x", "1.2.3", "1/", "e5", "1e"] {
            assert!(!super::is_numeric(bad), "{bad}");
        }
    }
}
