//! Escaping and the small syntax checks (ids, language tags, URLs) the package needs.

/// Tells whether XML 1.0 allows `c`, and HTML does not forbid it as a control character.
pub(super) fn is_allowed_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{7E}'
        | '\u{A0}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
        && !('\u{FDD0}'..='\u{FDEF}').contains(&c)
}

/// Appends `s` to `out` escaped for XML text and attribute values (`&`, `<`, `>`, `"`, `'`).
/// Characters XML cannot carry become U+FFFD; the document check warns about them once.
pub(super) fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Kept as references so that attribute-value normalisation cannot turn them into spaces.
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_allowed_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
}

/// Returns `s` escaped for XML (see [`push_escaped`]).
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

/// Counts the characters in every string of `value` that XML cannot carry.
pub(super) fn count_bad_chars(value: &serde_json::Value) -> usize {
    let bad = |s: &str| s.chars().filter(|&c| !is_allowed_char(c)).count();
    match value {
        serde_json::Value::String(s) => bad(s),
        serde_json::Value::Array(items) => items.iter().map(count_bad_chars).sum(),
        serde_json::Value::Object(map) => {
            map.iter().map(|(k, v)| bad(k) + count_bad_chars(v)).sum()
        }
        _ => 0,
    }
}

/// Tells whether `s` can serve as an XHTML `id` and an XML NCName: a letter or `_`, then
/// letters, digits, `-`, `.` or `_`.
pub(super) fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// Tells whether `tag` is a well-formed BCP 47 language tag, as far as EPUBCheck looks:
/// a 2–8 letter primary subtag, then 1–8 character alphanumeric subtags.
pub(super) fn is_lang_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=8).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Tells whether a link target may leave the book: an `http`, `https` or `mailto` URL
/// without spaces, controls or characters a URL may not hold unescaped.
pub(super) fn is_external_url(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    let scheme_ok = ["http://", "https://"]
        .iter()
        .any(|p| lower.starts_with(p) && lower.len() > p.len())
        || (lower.starts_with("mailto:") && lower.len() > "mailto:".len());
    scheme_ok
        && target.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(c, '<' | '>' | '"' | '\\' | '^' | '`' | '{' | '|' | '}')
        })
}

/// Makes a CSS class fragment from free text: lower-case ASCII letters, digits and `-`.
pub(super) fn class_token(s: &str) -> String {
    let token: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let token = token.trim_matches('-').to_owned();
    if token.is_empty() {
        "other".to_owned()
    } else {
        token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_replaces_forbidden_characters() {
        assert_eq!(esc("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(esc("x\u{1}y\u{85}z"), "x\u{FFFD}y\u{FFFD}z");
        assert_eq!(esc("Привет — “λόγος” ‐"), "Привет — “λόγος” ‐");
        assert_eq!(
            count_bad_chars(&serde_json::json!({"a": ["ok\u{2}", "\u{7f}"]})),
            2
        );
    }

    #[test]
    fn checks_ids_languages_and_urls() {
        assert!(is_ncname("e1") && is_ncname("_x.y-z") && is_ncname("глава1"));
        assert!(!is_ncname("1e") && !is_ncname("a b") && !is_ncname("") && !is_ncname("a:b"));
        assert!(is_lang_tag("en") && is_lang_tag("en-GB") && is_lang_tag("sr-Latn-RS"));
        assert!(
            !is_lang_tag("e") && !is_lang_tag("en_GB") && !is_lang_tag("en-") && !is_lang_tag("")
        );
        assert!(
            is_external_url("https://example.org/a?b=c#d") && is_external_url("mailto:a@b.org")
        );
        assert!(!is_external_url("ftp://x.org") && !is_external_url("javascript:alert(1)"));
        assert!(
            !is_external_url("http://a b")
                && !is_external_url("http://")
                && !is_external_url("file:///etc/passwd")
        );
    }

    #[test]
    fn makes_class_tokens() {
        assert_eq!(class_token("Under Line"), "under-line");
        assert_eq!(class_token("***"), "other");
    }
}
