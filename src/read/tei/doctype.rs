//! `<!DOCTYPE>` handling as a hardened XML parser does it (libxml2 without network
//! access and with its entity-amplification limits, Expat's billion-laughs protection):
//!
//! - an external DTD (`SYSTEM`/`PUBLIC` after the root name) is never fetched and never
//!   needed: TEI is read by element names, not by a content model;
//! - in the internal subset, parameter entities and their references, element, attribute
//!   list and notation declarations, comments and processing instructions are skipped
//!   (attribute defaults are not applied: a warning says so);
//! - internal general entities (`<!ENTITY mdash "&#x2014;">`) are expanded where they
//!   are referenced, within a budget for the whole document — [`MAX_EXPANSION`] bytes of
//!   replacement text and [`MAX_ENTITY_DEPTH`] levels of nesting — so that billion laughs
//!   and quadratic blow-up stop after a few microseconds with an error;
//! - a reference to an external general entity (`SYSTEM "file:///etc/passwd"`) is an
//!   error at the reference: lacuna never reads another file or URL;
//! - replacement text with markup (`<!ENTITY sig "<hi>x</hi>">`) is an error too: it would
//!   need a second parser, and TEI from elsewhere practically never does it.

use std::cell::Cell;
use std::collections::HashMap;

/// How many bytes of entity replacement text one document may expand in all.
pub const MAX_EXPANSION: usize = 1 << 20;

/// How deeply entity references may nest inside replacement texts.
pub const MAX_ENTITY_DEPTH: usize = 8;

/// A general entity declared in the internal subset.
#[derive(Debug)]
enum Entity {
    /// Replacement text, character references already resolved (XML 1.0 §4.5).
    Internal(String),
    /// An external entity: never read.
    External { system: String },
}

/// What a `<!DOCTYPE>` declared that matters for reading the document.
#[derive(Debug, Default)]
pub struct Doctype {
    entities: HashMap<String, Entity>,
    /// Bytes of replacement text expanded so far.
    used: Cell<usize>,
    /// What was skipped, as warnings: (byte offset in the document, message).
    pub skipped: Vec<(usize, String)>,
}

/// An error in a DOCTYPE or in an entity reference: byte offset and message.
pub type DtdError = (usize, String);

impl Doctype {
    /// Parses the content of a `<!DOCTYPE …>` declaration; `base` is the byte offset of
    /// that content in the document (for positions).
    pub fn parse(content: &str, base: usize) -> Result<Doctype, DtdError> {
        let mut dt = Doctype::default();
        let mut s = Scanner {
            text: content,
            at: 0,
            base,
        };
        s.skip_ws();
        s.name();
        s.skip_ws();
        if s.starts_with("SYSTEM") || s.starts_with("PUBLIC") {
            let start = s.at;
            let (_, system) = s.external_id()?;
            dt.skipped.push((
                base + start,
                format!("<!DOCTYPE>: the external DTD {system:?} is not read (never fetched)"),
            ));
            s.skip_ws();
        }
        if s.eat("[") {
            dt.internal_subset(&mut s)?;
        }
        Ok(dt)
    }

    fn internal_subset(&mut self, s: &mut Scanner<'_>) -> Result<(), DtdError> {
        let mut attlists = false;
        let mut params = Vec::new();
        loop {
            s.skip_ws();
            let start = s.at;
            if s.at >= s.text.len() {
                return Err(s.error(
                    start,
                    "<!DOCTYPE>: the internal subset is not closed by ']'",
                ));
            }
            if s.eat("]") {
                break;
            }
            if s.eat("<!--") {
                s.skip_past("-->", start)?;
            } else if s.eat("<?") {
                s.skip_past("?>", start)?;
            } else if s.eat("%") {
                let name = s.name();
                if !s.eat(";") {
                    return Err(s.error(start, "<!DOCTYPE>: malformed parameter-entity reference"));
                }
                params.push(name.to_owned());
            } else if s.eat("<!ENTITY") {
                self.entity(s, start, &mut params)?;
            } else if s.eat("<!ATTLIST") {
                attlists = true;
                s.skip_declaration(start)?;
            } else if s.eat("<!ELEMENT") || s.eat("<!NOTATION") {
                s.skip_declaration(start)?;
            } else {
                return Err(s.error(
                    start,
                    "<!DOCTYPE>: unexpected text in the internal subset (expected a declaration)",
                ));
            }
        }
        if !params.is_empty() {
            params.sort();
            params.dedup();
            self.skipped.push((
                s.base,
                format!(
                    "<!DOCTYPE>: parameter entities are not read ({})",
                    params
                        .iter()
                        .map(|p| format!("%{p};"))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            ));
        }
        if attlists {
            self.skipped.push((
                s.base,
                "<!DOCTYPE>: <!ATTLIST> declarations are skipped; their default values are not applied"
                    .into(),
            ));
        }
        Ok(())
    }

    fn entity(
        &mut self,
        s: &mut Scanner<'_>,
        start: usize,
        params: &mut Vec<String>,
    ) -> Result<(), DtdError> {
        s.skip_ws();
        let parameter = s.eat("%");
        s.skip_ws();
        let name = s.name().to_owned();
        if name.is_empty() {
            return Err(s.error(start, "<!DOCTYPE>: <!ENTITY> without a name"));
        }
        s.skip_ws();
        let entity = if s.starts_with("SYSTEM") || s.starts_with("PUBLIC") {
            let (_, system) = s.external_id()?;
            s.skip_ws();
            if s.eat("NDATA") {
                s.skip_ws();
                s.name();
            }
            Entity::External { system }
        } else {
            let literal = s.quoted(start)?;
            Entity::Internal(resolve_char_refs(literal).map_err(|m| s.error(start, &m))?)
        };
        s.skip_ws();
        if !s.eat(">") {
            return Err(s.error(start, "<!DOCTYPE>: <!ENTITY> is not closed by '>'"));
        }
        if parameter {
            params.push(name);
        } else {
            // The first declaration binds (XML 1.0 §4.2).
            self.entities.entry(name).or_insert(entity);
        }
        Ok(())
    }

    /// Expands the general entity `name` (referenced at byte `offset`) to its text,
    /// charging the document's budget.
    pub fn expand(&self, name: &str, offset: usize) -> Result<String, DtdError> {
        let mut out = String::new();
        self.expand_into(name, offset, 0, &mut out)?;
        Ok(out)
    }

    fn expand_into(
        &self,
        name: &str,
        offset: usize,
        depth: usize,
        out: &mut String,
    ) -> Result<(), DtdError> {
        if depth >= MAX_ENTITY_DEPTH {
            return Err((
                offset,
                format!(
                    "entity &{name}; nests entities more than {MAX_ENTITY_DEPTH} deep: refused \
                     (entity expansion attack?)"
                ),
            ));
        }
        let text = match self.entities.get(name) {
            Some(Entity::Internal(text)) => text.clone(),
            Some(Entity::External { system }) => {
                return Err((
                    offset,
                    format!(
                        "entity &{name}; is external (SYSTEM {system:?}): refused, external \
                         entities are never read"
                    ),
                ));
            }
            None => {
                return Err((
                    offset,
                    format!(
                        "undeclared entity &{name}; (entities other than XML's five and those \
                         the DOCTYPE declares are not supported)"
                    ),
                ));
            }
        };
        self.used.set(self.used.get() + text.len());
        if self.exhausted() {
            return Err((
                offset,
                format!(
                    "entity &{name};: the document expands more than {} bytes of entity text: \
                     refused (entity expansion attack?)",
                    MAX_EXPANSION
                ),
            ));
        }
        if text.contains('<') {
            return Err((
                offset,
                format!("entity &{name}; contains markup: not supported (only text entities are)"),
            ));
        }
        let mut rest = text.as_str();
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let after = &rest[amp + 1..];
            let Some(semi) = after.find(';') else {
                return Err((
                    offset,
                    format!("entity &{name}; has a '&' that starts no reference"),
                ));
            };
            let inner = &after[..semi];
            match predefined(inner) {
                Some(c) => out.push(c),
                None if inner.starts_with('#') => out.push_str(
                    &resolve_char_refs(&rest[amp..amp + semi + 2]).map_err(|m| (offset, m))?,
                ),
                None => self.expand_into(inner, offset, depth + 1, out)?,
            }
            rest = &after[semi + 1..];
        }
        out.push_str(rest);
        Ok(())
    }

    /// Resolves a name for quick-xml's attribute normalisation, charging the budget: its
    /// own expansion of nested references is bounded by the depth it is given, and the
    /// budget bounds the total, since every byte it produces is some replacement text.
    pub fn resolve_for_attribute(&self, name: &str) -> Option<&str> {
        if let Some(c) = predefined(name) {
            return Some(match c {
                '<' => "<",
                '>' => ">",
                '&' => "&",
                '\'' => "'",
                _ => "\"",
            });
        }
        match self.entities.get(name) {
            Some(Entity::Internal(text)) if !text.contains('<') => {
                self.used.set(self.used.get() + text.len());
                (!self.exhausted()).then_some(text.as_str())
            }
            _ => None,
        }
    }

    /// Tells whether the expansion budget is spent.
    pub fn exhausted(&self) -> bool {
        self.used.get() > MAX_EXPANSION
    }
}

fn predefined(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

/// Replaces the character references (`&#38;`, `&#x2014;`) in an entity value; other
/// references stay for expansion at use.
fn resolve_char_refs(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let semi = after
            .find(';')
            .ok_or_else(|| "unterminated character reference in an entity value".to_owned())?;
        let digits = &after[..semi];
        let code = match digits.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => digits.parse(),
        }
        .map_err(|_| format!("malformed character reference &#{digits};"))?;
        let c = char::from_u32(code)
            .filter(|&c| super::is_xml_char(c))
            .ok_or_else(|| format!("character U+{code:04X} is not allowed in XML"))?;
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A cursor over the DOCTYPE's text.
struct Scanner<'t> {
    text: &'t str,
    at: usize,
    base: usize,
}

impl<'t> Scanner<'t> {
    fn rest(&self) -> &'t str {
        &self.text[self.at..]
    }

    fn starts_with(&self, p: &str) -> bool {
        self.rest().starts_with(p)
    }

    fn eat(&mut self, p: &str) -> bool {
        let ok = self.starts_with(p);
        if ok {
            self.at += p.len();
        }
        ok
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start_matches(super::is_xml_space).len();
    }

    fn name(&mut self) -> &'t str {
        let rest = self.rest();
        let end = rest
            .find(|c: char| {
                super::is_xml_space(c) || matches!(c, ';' | '>' | '[' | '"' | '\'' | '%')
            })
            .unwrap_or(rest.len());
        self.at += end;
        &rest[..end]
    }

    fn error(&self, at: usize, message: &str) -> DtdError {
        (self.base + at, message.to_owned())
    }

    /// Reads a quoted literal.
    fn quoted(&mut self, start: usize) -> Result<&'t str, DtdError> {
        let rest = self.rest();
        let Some(q) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
            return Err(self.error(start, "<!DOCTYPE>: expected a quoted value"));
        };
        let Some(end) = rest[1..].find(q) else {
            return Err(self.error(start, "<!DOCTYPE>: unterminated quoted value"));
        };
        self.at += end + 2;
        Ok(&rest[1..end + 1])
    }

    /// Reads `SYSTEM "uri"` or `PUBLIC "id" "uri"`; returns (public id, system id).
    fn external_id(&mut self) -> Result<(Option<String>, String), DtdError> {
        let start = self.at;
        let public = if self.eat("PUBLIC") {
            self.skip_ws();
            Some(self.quoted(start)?.to_owned())
        } else {
            self.eat("SYSTEM");
            None
        };
        self.skip_ws();
        // A PUBLIC id in a DOCTYPE may come without a system id.
        let system = if public.is_some() && !self.starts_with("\"") && !self.starts_with("'") {
            String::new()
        } else {
            self.quoted(start)?.to_owned()
        };
        Ok((public, system))
    }

    fn skip_past(&mut self, end: &str, start: usize) -> Result<(), DtdError> {
        match self.rest().find(end) {
            Some(i) => {
                self.at += i + end.len();
                Ok(())
            }
            None => Err(self.error(start, &format!("<!DOCTYPE>: {end:?} missing"))),
        }
    }

    /// Skips a markup declaration to its `>`, quoted literals included.
    fn skip_declaration(&mut self, start: usize) -> Result<(), DtdError> {
        while let Some(c) = self.rest().chars().next() {
            match c {
                '"' | '\'' => {
                    self.quoted(start)?;
                }
                '>' => {
                    self.at += 1;
                    return Ok(());
                }
                c => self.at += c.len_utf8(),
            }
        }
        Err(self.error(start, "<!DOCTYPE>: a declaration is not closed by '>'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_parameter_entities_and_an_external_dtd() {
        let dt = Doctype::parse(
            " TEI.2 SYSTEM \"tei2.dtd\" [\n<!ENTITY % TEI.drama 'INCLUDE'> %TEI.drama;\n<!-- c > -->\n<!ELEMENT x (#PCDATA)>\n<!ATTLIST x a CDATA \"v>\">\n<!ENTITY mdash \"&#x2014;\">]",
            10,
        )
        .unwrap();
        assert_eq!(dt.skipped.len(), 3, "{:?}", dt.skipped);
        assert!(dt.skipped[1].1.contains("%TEI.drama;"));
        assert_eq!(dt.expand("mdash", 0).unwrap(), "\u{2014}");
    }

    #[test]
    fn expands_nested_entities_with_a_budget() {
        let dt = Doctype::parse(
            " x [<!ENTITY a \"A&amp;&#38;#38;\"><!ENTITY b \"[&a;&a;]\">]",
            0,
        )
        .unwrap();
        assert_eq!(dt.expand("b", 0).unwrap(), "[A&&A&&]");
        let mut lol = String::from(" x [<!ENTITY l0 \"lol\">");
        for i in 1..8 {
            lol.push_str(&format!(
                "<!ENTITY l{i} \"{}\">",
                format!("&l{};", i - 1).repeat(10)
            ));
        }
        lol.push(']');
        let dt = Doctype::parse(&lol, 0).unwrap();
        let e = dt.expand("l7", 42).unwrap_err();
        assert_eq!(e.0, 42);
        assert!(e.1.contains("bytes of entity text"), "{e:?}");
    }

    #[test]
    fn refuses_external_and_recursive_entities_at_the_reference() {
        let dt = Doctype::parse(
            " x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\"><!ENTITY r \"&r;\">]",
            0,
        )
        .unwrap();
        assert!(dt.expand("xxe", 5).unwrap_err().1.contains("never read"));
        assert!(dt.expand("r", 5).unwrap_err().1.contains("deep"));
        assert!(dt.expand("nope", 5).unwrap_err().1.contains("undeclared"));
    }
}
