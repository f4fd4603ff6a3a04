//! Image files a document refers to, as every backend that embeds them finds them: only
//! relative paths inside the input's folder, recognised by their first bytes. The EPUB
//! copies the files; the PDF decodes PNG and passes JPEG through.

use std::path::{Component, Path, PathBuf};

/// An image file format, from the file's magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageFormat {
    /// Portable Network Graphics.
    Png,
    /// JPEG (JFIF or Exif).
    Jpeg,
    /// GIF 87a or 89a.
    Gif,
    /// WebP (RIFF container).
    WebP,
}

impl ImageFormat {
    /// Returns the format's media type.
    pub(crate) fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Gif => "image/gif",
            ImageFormat::WebP => "image/webp",
        }
    }

    /// Returns the usual file extension, without the dot.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Gif => "gif",
            ImageFormat::WebP => "webp",
        }
    }

    /// Returns the format's usual name, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Gif => "GIF",
            ImageFormat::WebP => "WebP",
        }
    }
}

/// Recognises the image types EPUB 3 readers must support by their first bytes.
pub(crate) fn sniff(data: &[u8]) -> Option<ImageFormat> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if data.starts_with(b"\xFF\xD8\xFF") {
        Some(ImageFormat::Jpeg)
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some(ImageFormat::WebP)
    } else {
        None
    }
}

/// Finds the file `src` names inside `base_dir`, or says why it may not be used. Refuses
/// URLs, absolute paths and `..`, and — after following symbolic links — anything that
/// lands outside the folder: a document must not make a writer copy arbitrary files of
/// the machine into its output.
pub(crate) fn resolve(base_dir: Option<&Path>, src: &str) -> Result<PathBuf, String> {
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
    let base = base_dir.ok_or_else(|| "the input's folder is not known".to_owned())?;
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

/// Reads the image file at `path` (found by [`resolve`]) and recognises its format, or
/// says why it cannot be used.
pub(crate) fn read_image(path: &Path) -> Result<(ImageFormat, Vec<u8>), String> {
    let data = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    let format =
        sniff(&data).ok_or_else(|| "it is not a PNG, JPEG, GIF or WebP image".to_owned())?;
    Ok((format, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_only_inside_the_base_folder() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("in");
        std::fs::create_dir_all(inner.join("sub")).unwrap();
        std::fs::write(dir.path().join("secret.png"), b"\x89PNG\r\n\x1a\nxx").unwrap();
        std::fs::write(inner.join("sub/ok.png"), b"\x89PNG\r\n\x1a\nxx").unwrap();
        let base = Some(inner.as_path());
        let ok = resolve(base, "sub/ok.png").unwrap();
        assert_eq!(ok, inner.join("sub/ok.png").canonicalize().unwrap());
        assert_eq!(resolve(base, "./sub/./ok.png").unwrap(), ok);
        for bad in ["../secret.png", "sub/../../secret.png", "", "/etc/passwd"] {
            assert!(resolve(base, bad).is_err(), "{bad:?}");
        }
        let absolute = dir.path().join("secret.png");
        assert!(resolve(base, &absolute.to_string_lossy()).is_err());
        assert!(resolve(base, "sub").unwrap_err().contains("not a file"));
        assert!(resolve(base, "file:///etc/passwd").is_err());
        assert!(resolve(base, "data:image/png;base64,AAAA").is_err());
        assert!(
            resolve(None, "sub/ok.png")
                .unwrap_err()
                .contains("not known")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.png"), inner.join("link.png"))
                .unwrap();
            assert!(resolve(base, "link.png").unwrap_err().contains("outside"));
        }
    }

    #[test]
    fn sniffs_formats_by_magic_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(ImageFormat::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0"), Some(ImageFormat::Jpeg));
        assert_eq!(sniff(b"GIF89a.."), Some(ImageFormat::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(ImageFormat::WebP));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(sniff(b"<svg"), None);
    }
}
