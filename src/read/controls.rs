//! One warning per document about control characters in its text.
//!
//! C0 controls (U+0000–U+001F but tab and line ends), DEL and C1 controls
//! (U+0080–U+009F) have no place in a scholarly text; most come from a bad conversion,
//! and some (ESC, BEL, CSI) make a terminal retitle or recolour itself when echoed.
//! lacuna keeps them in the text (dropping characters silently would be worse) and says
//! so once, with the first one's position and the total count. The character itself is
//! never put in the message, only its code point.

use crate::diag::{Pos, Warning};
use crate::ir::Document;

/// Whether `c` is a C0 or C1 control other than tab and line ends.
pub fn is_control(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{b}'..='\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Scans an input's text (as decoded: `\n` line ends) for control characters; returns
/// the warning, at the first one's line and column, or `None` when there are none.
pub fn scan_text(text: &str) -> Option<Warning> {
    // Bytes, not chars: every C0 control and DEL is one byte below 0x80, every C1 control
    // is 0xC2 followed by 0x80–0x9F, and UTF-8 never has those bytes in another role.
    let bytes = text.as_bytes();
    let at = |i: usize| match bytes[i] {
        b'\t' | b'\n' | b'\r' => false,
        b if b < 0x20 || b == 0x7f => true,
        0xc2 => bytes.get(i + 1).is_some_and(|b| (0x80..=0x9f).contains(b)),
        _ => false,
    };
    let first = (0..bytes.len()).find(|&i| at(i))?;
    let count = 1 + (first + 1..bytes.len()).filter(|&i| at(i)).count();
    let c = text[first..].chars().next().unwrap_or('\0');
    let before = &text[..first];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
    Some(Warning::at(Pos::new(line, col), message(count, c)))
}

/// Checks every string of a document (for inputs such as JSON, where a control
/// character is written as an escape the text scan cannot see).
pub fn scan_document(doc: &Document) -> Option<Warning> {
    // The JSON form visits every string of the IR without a walker that would have to
    // follow each change to the IR; serde_json writes C0 controls as escapes and C1
    // controls as they are.
    let json = serde_json::to_string(doc).ok()?;
    let mut count = 0usize;
    let mut first = None;
    let mut chars = json.chars();
    while let Some(c) = chars.next() {
        let found = match c {
            '\\' => match chars.next() {
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .filter(|&c| is_control(c))
                }
                Some('b') => Some('\u{8}'),
                Some('f') => Some('\u{c}'),
                _ => None,
            },
            c if is_control(c) => Some(c),
            _ => None,
        };
        if let Some(c) = found {
            count += 1;
            first.get_or_insert(c);
        }
    }
    first.map(|c| Warning::general(message(count, c)))
}

fn message(count: usize, first: char) -> String {
    format!(
        "the text has {count} control character{} (C0/C1), the first U+{:04X}; kept as they \
         are, but they may disturb a terminal or viewer that shows the text",
        if count == 1 { "" } else { "s" },
        first as u32
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_c0_and_c1_controls_with_the_first_position() {
        let w = scan_text("Title\n\nab\u{1b}]0;pwned\u{7}c\u{9b}d\n").expect("warning");
        assert_eq!(w.pos, Some(Pos::new(3, 3)));
        assert!(w.message.contains("3 control characters"), "{}", w.message);
        assert!(w.message.contains("U+001B"));
        assert!(!w.message.contains('\u{1b}'));
    }

    #[test]
    fn tabs_line_ends_and_ordinary_text_pass() {
        assert_eq!(scan_text("a\tb\nc\r\nd é ü – ¡"), None);
    }

    #[test]
    fn escapes_in_the_ir_are_found() {
        let mut doc = Document::default();
        doc.meta.title = Some("a\u{7}b \\u001b".to_owned());
        let w = scan_document(&doc).expect("warning");
        assert!(w.message.contains("1 control character "), "{}", w.message);
        assert!(w.message.contains("U+0007"));
    }
}
