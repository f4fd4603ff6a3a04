//! Resources besides the XHTML: embedded images and the bundled fonts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::write::media;

/// An image copied into the package.
pub(super) struct Image {
    /// Path inside `OEBPS/`, e.g. `images/image-1.png`.
    pub href: String,
    /// Its media type, from the file's magic bytes.
    pub media_type: &'static str,
    /// The file's bytes.
    pub data: Vec<u8>,
}

/// Collects the images a book embeds, each file once.
pub(super) struct Images {
    base_dir: Option<PathBuf>,
    by_path: BTreeMap<PathBuf, usize>,
    /// The embedded images, in order of first use.
    pub list: Vec<Image>,
}

impl Images {
    /// Makes an empty collection that resolves paths against `base_dir`.
    pub fn new(base_dir: Option<&Path>) -> Self {
        Images {
            base_dir: base_dir.map(Path::to_owned),
            by_path: BTreeMap::new(),
            list: Vec::new(),
        }
    }

    /// Returns the package path of the image `src`, embedding it on first use, or why it
    /// cannot be embedded.
    pub fn embed(&mut self, src: &str) -> Result<String, String> {
        let path = media::resolve(self.base_dir.as_deref(), src)?;
        if let Some(&i) = self.by_path.get(&path) {
            return Ok(self.list[i].href.clone());
        }
        let (format, data) = media::read_image(&path)?;
        let href = format!(
            "images/image-{}.{}",
            self.list.len() + 1,
            format.extension()
        );
        self.by_path.insert(path, self.list.len());
        self.list.push(Image {
            href: href.clone(),
            media_type: format.media_type(),
            data,
        });
        Ok(href)
    }
}

/// One face of the bundled font family.
pub(super) struct FontFace {
    /// File name inside `OEBPS/fonts/`.
    pub file: &'static str,
    /// CSS `font-weight`.
    pub weight: &'static str,
    /// CSS `font-style`.
    pub style: &'static str,
    /// The OpenType file.
    pub data: &'static [u8],
}

/// The family the binary carries, as styles name it.
pub(super) const BUNDLED_FAMILY: &str = "Linux Libertine O";

/// The four faces of Linux Libertine: the typesetter's bundled data, not a second copy.
pub(super) static BUNDLED_FACES: [FontFace; 4] = [
    FontFace {
        file: "LinLibertine_R.otf",
        weight: "normal",
        style: "normal",
        data: crate::typeset::font::LIBERTINE_R,
    },
    FontFace {
        file: "LinLibertine_RI.otf",
        weight: "normal",
        style: "italic",
        data: crate::typeset::font::LIBERTINE_RI,
    },
    FontFace {
        file: "LinLibertine_RB.otf",
        weight: "bold",
        style: "normal",
        data: crate::typeset::font::LIBERTINE_RB,
    },
    FontFace {
        file: "LinLibertine_RBI.otf",
        weight: "bold",
        style: "italic",
        data: crate::typeset::font::LIBERTINE_RBI,
    },
];

/// The fonts' licence (SIL Open Font License 1.1), shipped beside them in the book.
pub(super) const FONT_LICENCE: &str = include_str!("../../../fonts/OFL-LinLibertine.txt");

/// Tells whether the style's font is the bundled family, which is then embedded.
pub(super) fn embeds_bundled_font(font: &str) -> bool {
    font.trim().eq_ignore_ascii_case(BUNDLED_FAMILY)
        || font.trim().eq_ignore_ascii_case("Linux Libertine")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_outside_the_base_folder() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("in");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(dir.path().join("secret.png"), b"\x89PNG\r\n\x1a\nxx").unwrap();
        let png = include_bytes!("../../../tests/data/epub/red-square.png");
        std::fs::write(inner.join("ok.png"), png).unwrap();
        std::fs::write(inner.join("text.png"), b"not an image").unwrap();
        let mut images = Images::new(Some(&inner));
        assert!(images.embed("../secret.png").is_err());
        assert!(
            images
                .embed(&dir.path().join("secret.png").to_string_lossy())
                .is_err()
        );
        assert!(images.embed("https://example.org/a.png").is_err());
        assert!(images.embed("missing.png").is_err());
        assert!(images.embed("text.png").unwrap_err().contains("not a PNG"));
        assert_eq!(images.embed("ok.png").unwrap(), "images/image-1.png");
        assert_eq!(images.embed("./ok.png").unwrap(), "images/image-1.png");
        assert_eq!(images.list.len(), 1);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.png"), inner.join("link.png"))
                .unwrap();
            assert!(images.embed("link.png").unwrap_err().contains("outside"));
        }
        assert!(Images::new(None).embed("ok.png").is_err());
    }

    #[test]
    fn bundled_fonts_are_opentype() {
        for face in &BUNDLED_FACES {
            assert!(face.data.starts_with(b"OTTO"), "{}", face.file);
        }
        assert!(FONT_LICENCE.contains("SIL OPEN FONT LICENSE"));
    }
}
