//! Image files a document refers to, as every backend that embeds them finds them: only
//! relative paths inside the input's folder, recognised by their first bytes. The EPUB
//! copies the files; the PDF decodes PNG and passes JPEG through.

use std::path::{Component, Path, PathBuf};

use crate::typeset::image::{ImageError, MAX_PIXELS, jpeg_dimensions};

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
    check_image(format, &data)?;
    Ok((format, data))
}

/// The one image check every backend relies on (through [`read_image`]): the header
/// can be read, the image has an area, no more than [`MAX_PIXELS`] pixels (a small
/// file may claim a huge canvas: a decompression bomb for whoever shows it) and the
/// file is complete. A PNG is decoded row by row to find damage in its data, in memory
/// for one row; the other formats are checked by their headers and end markers.
/// Returns the width and height.
pub(crate) fn check_image(format: ImageFormat, data: &[u8]) -> Result<(u32, u32), String> {
    let (width, height) = match format {
        ImageFormat::Png => check_png(data)?,
        ImageFormat::Jpeg => {
            let size = jpeg_dimensions(data).map_err(|e| e.to_string())?;
            // The last scan must be followed by the end-of-image marker; a file cut short
            // has none (0xFF 0xD9 cannot occur inside entropy-coded data).
            let last_scan = data.windows(2).rposition(|w| w == [0xFF, 0xDA]);
            let end = data.windows(2).rposition(|w| w == [0xFF, 0xD9]);
            if !matches!((last_scan, end), (Some(s), Some(e)) if e > s) {
                return Err("its JPEG data is truncated (no end-of-image marker)".to_owned());
            }
            size
        }
        ImageFormat::Gif => {
            let size = data
                .get(6..10)
                .map(|b| {
                    (
                        u32::from(u16::from_le_bytes([b[0], b[1]])),
                        u32::from(u16::from_le_bytes([b[2], b[3]])),
                    )
                })
                .ok_or("its GIF header is truncated")?;
            if data.last() != Some(&0x3B) {
                return Err("its GIF data is truncated (no trailer)".to_owned());
            }
            size
        }
        ImageFormat::WebP => check_webp(data)?,
    };
    if width == 0 || height == 0 {
        return Err(format!("it has no area ({width} × {height} pixels)"));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooLarge { width, height }.to_string());
    }
    Ok((width, height))
}

fn check_png(data: &[u8]) -> Result<(u32, u32), String> {
    let png_err = |e: png::DecodingError| ImageError::Png(e.to_string()).to_string();
    let mut decoder = png::Decoder::new(std::io::Cursor::new(data));
    decoder.set_limits(png::Limits {
        bytes: MAX_PIXELS as usize * 8,
    });
    let header = decoder.read_header_info().map_err(png_err)?;
    let (width, height) = (header.width, header.height);
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_PIXELS {
        // Reported by the caller, before any row is inflated.
        return Ok((width, height));
    }
    let mut reader = decoder.read_info().map_err(png_err)?;
    while reader.next_row().map_err(png_err)?.is_some() {}
    reader.finish().map_err(png_err)?;
    Ok((width, height))
}

/// Reads a WebP's canvas size from its first chunk (lossy `VP8 `, lossless `VP8L` or
/// extended `VP8X`) and checks the RIFF size against the file's.
fn check_webp(data: &[u8]) -> Result<(u32, u32), String> {
    let truncated = || "its WebP data is truncated".to_owned();
    let riff = data.get(4..8).ok_or_else(truncated)?;
    let riff = u32::from_le_bytes([riff[0], riff[1], riff[2], riff[3]]) as usize;
    if riff.saturating_add(8) > data.len() {
        return Err(truncated());
    }
    let b = |i: usize| data.get(i).copied().map(u32::from).ok_or_else(truncated);
    match data.get(12..16) {
        Some(b"VP8X") => Ok((
            1 + (b(24)? | b(25)? << 8 | b(26)? << 16),
            1 + (b(27)? | b(28)? << 8 | b(29)? << 16),
        )),
        Some(b"VP8L") => {
            if b(20)? != 0x2F {
                return Err("its lossless WebP header is damaged".to_owned());
            }
            let (b1, b2, b3, b4) = (b(21)?, b(22)?, b(23)?, b(24)?);
            Ok((
                1 + (b1 | (b2 & 0x3F) << 8),
                1 + (b2 >> 6 | b3 << 2 | (b4 & 0x0F) << 10),
            ))
        }
        Some(b"VP8 ") => {
            if data.get(23..26) != Some(&[0x9D, 0x01, 0x2A][..]) {
                return Err("its lossy WebP header is damaged".to_owned());
            }
            Ok((
                (b(26)? | b(27)? << 8) & 0x3FFF,
                (b(28)? | b(29)? << 8) & 0x3FFF,
            ))
        }
        _ => Err("its WebP data has no image chunk".to_owned()),
    }
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
    fn one_check_for_every_format() {
        let jpg = include_bytes!("../../tests/data/pdf/images/photo.jpg");
        let gif = include_bytes!("../../tests/data/pdf/images/dot.gif");
        let png = include_bytes!("../../tests/data/pdf/images/gradient.png");
        for (format, data) in [
            (ImageFormat::Jpeg, &jpg[..]),
            (ImageFormat::Gif, &gif[..]),
            (ImageFormat::Png, &png[..]),
        ] {
            assert!(check_image(format, data).is_ok(), "{format:?}");
            let cut = &data[..data.len() - 3];
            assert!(check_image(format, cut).is_err(), "truncated {format:?}");
        }
        // A lossless WebP of 2 × 3 pixels (header only), and the same claiming 16384².
        let mut webp = b"RIFF\x12\0\0\0WEBPVP8L\x09\0\0\0\x2f\x01\x80\x00\x00\0".to_vec();
        assert_eq!(check_image(ImageFormat::WebP, &webp), Ok((2, 3)));
        webp[21..25].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0x0F]);
        assert!(
            check_image(ImageFormat::WebP, &webp)
                .unwrap_err()
                .contains("too large")
        );
        assert!(check_image(ImageFormat::WebP, &webp[..16]).is_err());
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
