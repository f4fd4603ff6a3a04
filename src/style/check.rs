//! Checks that a style can set a page at all, before any document is typeset with it.
//!
//! An impossible page used to be found word by word, as hundreds of overfull lines; here
//! it is one error naming the style file, line and column of the key to change.

use super::Style;
use super::load::Source;
use crate::diag::{Error, Result};

/// The narrowest text block lacuna sets: about a dozen characters of text.
const MIN_MEASURE_MM: f64 = 20.0;
/// The smallest font size that makes sense on paper.
const MIN_SIZE_PT: f64 = 2.0;

/// Returns an error when the style's geometry cannot hold text: a measure or text block
/// under 20 mm, margins wider or taller than the page, leading smaller than the size.
pub(super) fn geometry(style: &Style, sources: &[Source]) -> Result<()> {
    let mm = |pt: f64| pt * 25.4 / 72.0;
    let size = style.text.size.to_pt(10.0);
    let p = &style.page;
    let fail =
        |section: &str, keys: &[&str], message: String| fail_at(sources, section, keys, message);
    // The text block across and down: the page less its two margins.
    let spans = [
        (
            "wide",
            ["width", "inner", "outer"],
            [p.width, p.inner, p.outer],
        ),
        (
            "tall",
            ["height", "top", "bottom"],
            [p.height, p.top, p.bottom],
        ),
    ];
    for (what, keys, [page, a, b]) in spans {
        let extent = page.to_pt(size) - a.to_pt(size) - b.to_pt(size);
        if extent < mm_to_pt(MIN_MEASURE_MM) {
            return Err(fail(
                "page",
                &keys,
                format!(
                    "the text block is {:.1} mm {what} (page {page} minus margins {a} and {b}); \
                     it must be at least {MIN_MEASURE_MM} mm",
                    mm(extent)
                ),
            ));
        }
    }
    let block = p.height.to_pt(size) - p.top.to_pt(size) - p.bottom.to_pt(size);
    for (section, what, size_len, leading_len) in [
        ("text", "text", style.text.size, style.text.leading),
        ("notes", "note", style.notes.size, style.notes.leading),
    ] {
        let size = size_len.to_pt(size);
        if size < MIN_SIZE_PT {
            return Err(fail(
                section,
                &["size"],
                format!("{what} size {size_len} is under {MIN_SIZE_PT} pt"),
            ));
        }
        let leading = leading_len.to_pt(size);
        if leading < size {
            return Err(fail(
                section,
                &["leading", "size"],
                format!(
                    "{what} leading {leading_len} is smaller than the {what} size {size_len}: \
                     lines would overlap"
                ),
            ));
        }
        if leading > block {
            return Err(fail(
                section,
                &["leading"],
                format!("{what} leading {leading_len} is taller than the text block"),
            ));
        }
    }
    for (section, key, len) in [
        ("headings", "size", style.headings.size),
        ("running", "size", style.running.size),
    ] {
        if len.to_pt(size) < MIN_SIZE_PT {
            return Err(fail(
                section,
                &[key],
                format!("{section} size {len} is under {MIN_SIZE_PT} pt"),
            ));
        }
    }
    if style.text.tolerance <= 0.0 || !style.text.tolerance.is_finite() {
        return Err(fail(
            "text",
            &["tolerance"],
            format!(
                "tolerance {} must be a positive number (TeX uses 200)",
                style.text.tolerance
            ),
        ));
    }
    if style.text.hyphen_min_left == 0 || style.text.hyphen_min_right == 0 {
        return Err(fail(
            "text",
            &["hyphen_min_left", "hyphen_min_right"],
            "hyphen_min_left and hyphen_min_right must be at least 1".to_owned(),
        ));
    }
    Ok(())
}

fn mm_to_pt(mm: f64) -> f64 {
    mm * 72.0 / 25.4
}

/// Makes the error, placed at the first of `keys` that the nearest style in the chain
/// sets (the child before its bases), so the user is sent to the line to change.
fn fail_at(sources: &[Source], section: &str, keys: &[&str], message: String) -> Error {
    for source in sources {
        for key in keys {
            if let Some(pos) = source.locate(section, key) {
                return Error::Style {
                    path: source.origin.clone(),
                    pos: Some(pos),
                    message,
                };
            }
        }
    }
    Error::Style {
        path: sources[0].origin.clone(),
        pos: None,
        message,
    }
}

#[cfg(test)]
mod tests {
    use crate::style::load::load;

    fn load_text(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, text).unwrap();
        match load(path.to_str().unwrap()) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn an_impossible_page_is_an_error_at_its_key() {
        let err = load_text("[page]\nwidth = \"10mm\"\ninner = \"30mm\"\n");
        assert!(err.contains("s.toml:2:1:"), "{err}");
        assert!(err.contains("text block is"), "{err}");
    }

    #[test]
    fn a_short_text_block_is_an_error() {
        let err = load_text("[page]\nheight = \"50mm\"\ntop = \"20mm\"\n");
        assert!(err.contains("s.toml:2:1:") && err.contains("tall"), "{err}");
    }

    #[test]
    fn leading_under_the_size_is_an_error() {
        let err = load_text("[text]\nsize = \"12pt\"\nleading = \"10pt\"\n");
        assert!(
            err.contains("s.toml:3:1:") && err.contains("overlap"),
            "{err}"
        );
        let err = load_text("[notes]\nleading = \"5pt\"\n");
        assert!(
            err.contains("s.toml:2:1:") && err.contains("note leading"),
            "{err}"
        );
    }

    #[test]
    fn a_sane_style_passes() {
        assert_eq!(load_text("[page]\nwidth = \"120mm\"\n"), "");
    }

    #[test]
    fn the_error_points_into_the_base_when_the_child_does_not_set_the_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("base.toml"), "[page]\nouter = \"130mm\"\n").unwrap();
        let child = dir.path().join("child.toml");
        std::fs::write(&child, "extends = \"base.toml\"\nname = \"x\"\n").unwrap();
        let err = load(child.to_str().unwrap()).unwrap_err().to_string();
        assert!(err.contains("base.toml:2:1:"), "{err}");
    }
}
