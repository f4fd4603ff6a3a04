//! Raw HTML in Markdown: never passed on, only its text kept.

/// Strips tags and comments from raw HTML and decodes the common character
/// references; returns the text and the number of comments dropped.
pub(super) fn strip_html(html: &str) -> (String, usize) {
    let mut out = String::new();
    let mut comments = 0;
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            comments += 1;
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
        } else if rest.starts_with('<')
            && rest[1..]
                .starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?')
        {
            let Some(end) = rest.find('>').map(|e| e + 1) else {
                // No tag closes any more: the rest is text (and the scan stays linear).
                out.push_str(rest);
                break;
            };
            let name = rest[1..end]
                .trim_start_matches('/')
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            // Block-level tags separate words; inline ones (b, i, span) do not.
            if !matches!(
                name.as_str(),
                "a" | "b"
                    | "i"
                    | "em"
                    | "strong"
                    | "span"
                    | "sup"
                    | "sub"
                    | "small"
                    | "u"
                    | "code"
                    | "abbr"
                    | "cite"
                    | "q"
                    | "s"
                    | "mark"
            ) {
                out.push(' ');
            }
            rest = &rest[end..];
        } else if rest.starts_with('&')
            && let Some((ch, len)) = char_reference(rest)
        {
            out.push(ch);
            rest = &rest[len..];
        } else {
            let ch = rest.chars().next().unwrap_or(' ');
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    (out, comments)
}

/// Decodes a character reference at the start of `s`: numeric, or one of the few named
/// ones common in hand-written HTML. Returns the character and the reference's length.
fn char_reference(s: &str) -> Option<(char, usize)> {
    // Look at a few bytes only: a reference is short, and `&&&&…` must stay linear.
    let end = s.bytes().take(12).position(|b| b == b';')?;
    let name = &s[1..end];
    let ch = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
    } else if let Some(dec) = name.strip_prefix('#') {
        char::from_u32(dec.parse().ok()?)?
    } else {
        match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => '\u{a0}',
            "mdash" => '—',
            "ndash" => '–',
            "hellip" => '…',
            _ => return None,
        }
    };
    Some((ch, end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_and_comments_and_decodes_references() {
        assert_eq!(
            strip_html("<p>a &amp; <b>b</b></p><!-- c -->d&#x4E;&#78;&bogus;"),
            (" a & b dNN&bogus;".to_owned(), 1)
        );
    }
}
