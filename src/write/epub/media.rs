//! Resources besides the XHTML: embedded images and the bundled fonts.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

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
        let path = self.resolve(src)?;
        if let Some(&i) = self.by_path.get(&path) {
            return Ok(self.list[i].href.clone());
        }
        let data = std::fs::read(&path).map_err(|e| format!("cannot read it: {e}"))?;
        let (media_type, ext) =
            sniff(&data).ok_or_else(|| "it is not a PNG, JPEG, GIF or WebP image".to_owned())?;
        let href = format!("images/image-{}.{ext}", self.list.len() + 1);
        self.by_path.insert(path, self.list.len());
        self.list.push(Image {
            href: href.clone(),
            media_type,
            data,
        });
        Ok(href)
    }

    /// Finds the file `src` names inside the base folder. Refuses URLs, absolute paths and
    /// `..`, and — after following symbolic links — anything that lands outside the folder.
    fn resolve(&self, src: &str) -> Result<PathBuf, String> {
        if src.contains("://") || src.starts_with("data:") {
            return Err("remote and data: images are not embedded".to_owned());
        }
        let rel = Path::new(src);
        if src.is_empty()
            || !rel
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err("only relative paths inside the input's folder are embedded".to_owned());
        }
        let base = self
            .base_dir
            .as_deref()
            .ok_or_else(|| "the input's folder is not known".to_owned())?;
        let base = if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            base
        };
        let base = base
            .canonicalize()
            .map_err(|e| format!("the input's folder cannot be resolved: {e}"))?;
        let path = base
            .join(rel)
            .canonicalize()
            .map_err(|_| "no such file".to_owned())?;
        if !path.starts_with(&base) {
            return Err("it lies outside the input's folder".to_owned());
        }
        if !path.is_file() {
            return Err("it is not a file".to_owned());
        }
        Ok(path)
    }
}

/// Recognises the image types EPUB 3 readers must support by their first bytes.
fn sniff(data: &[u8]) -> Option<(&'static str, &'static str)> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if data.starts_with(b"\xFF\xD8\xFF") {
        Some(("image/jpeg", "jpg"))
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some(("image/gif", "gif"))
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else {
        None
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
        std::fs::write(inner.join("ok.png"), b"\x89PNG\r\n\x1a\nxx").unwrap();
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
