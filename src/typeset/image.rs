//! Images as pages carry them ([`PageItem::Image`](super::frame::PageItem::Image)):
//! pixel size, colour model, resolution and samples in a form an output writer can embed
//! without decoding again.
//!
//! A JPEG is kept as it is (only its header is read: PDF and most outputs take the
//! compressed file unchanged); a PNG is decoded to 8-bit grey or RGB samples with the
//! alpha channel apart, each compressed with zlib. Both stay compressed in memory, so a
//! book with many pictures holds about the size of its files.
//!
//! ```
//! use lacuna::typeset::image::{ColorModel, ImageData};
//!
//! // A 2 × 1 RGB image: a red and a blue pixel.
//! let image = ImageData::from_samples(2, 1, ColorModel::Rgb, &[255, 0, 0, 0, 0, 255], None).unwrap();
//! assert_eq!((image.width(), image.height()), (2, 1));
//! assert_eq!(image.natural_size(), (1.5, 0.75)); // at 96 pixels per inch
//! ```

use std::io::Cursor;

use sha2::{Digest, Sha256};

/// The most pixels an image may have, in every backend (`write::media::check_image`):
/// decoding holds its samples in memory once, and a reader showing it does the same.
pub const MAX_PIXELS: u64 = 40_000_000;

/// The resolution assumed when a file gives none, in pixels per inch (as browsers and
/// pandoc do).
pub const DEFAULT_PPI: f64 = 96.0;

/// The colour model of an image's samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColorModel {
    /// One grey sample per pixel.
    Gray,
    /// Red, green and blue samples.
    Rgb,
    /// Cyan, magenta, yellow and black samples (JPEG only).
    Cmyk,
}

impl ColorModel {
    /// Returns the number of samples per pixel.
    pub fn components(self) -> usize {
        match self {
            ColorModel::Gray => 1,
            ColorModel::Rgb => 3,
            ColorModel::Cmyk => 4,
        }
    }
}

/// How an image's pixels are stored.
#[derive(Clone, PartialEq)]
pub enum Samples {
    /// A baseline or progressive JPEG file, unchanged.
    Jpeg {
        /// The file's bytes.
        data: Vec<u8>,
        /// Whether CMYK samples are stored inverted, as Adobe software writes them (the
        /// file has an Adobe APP14 segment).
        inverted: bool,
    },
    /// 8-bit samples, row after row, each row filtered with a PNG predictor and preceded
    /// by its filter type byte (RFC 2083 §6: what PDF calls `/Predictor 15`), compressed
    /// with zlib (RFC 1950).
    Deflated {
        /// The colour samples.
        data: Vec<u8>,
        /// The alpha channel, one 8-bit sample per pixel (255 = opaque), filtered and
        /// compressed the same way; `None` when the image is opaque.
        alpha: Option<Vec<u8>>,
    },
}

/// An image ready to be placed on pages. See the [module docs](self).
#[derive(Clone, PartialEq)]
pub struct ImageData {
    width: u32,
    height: u32,
    color: ColorModel,
    /// Pixels per inch, horizontally and vertically, when the file says.
    ppi: Option<(f64, f64)>,
    samples: Samples,
    key: [u8; 32],
}

impl std::fmt::Debug for ImageData {
    // The samples would flood any assertion message: show their size only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, bytes) = match &self.samples {
            Samples::Jpeg { data, .. } => ("JPEG", data.len()),
            Samples::Deflated { data, alpha } => {
                ("deflated", data.len() + alpha.as_ref().map_or(0, Vec::len))
            }
        };
        write!(
            f,
            "ImageData({} × {} {:?}, {kind}, {bytes} bytes)",
            self.width, self.height, self.color
        )
    }
}

/// Why an image cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImageError {
    /// The PNG data is damaged or uses a feature the decoder lacks.
    #[error("its PNG data cannot be decoded: {0}")]
    Png(String),
    /// The JPEG file's header cannot be read.
    #[error("its JPEG header cannot be read: {0}")]
    Jpeg(String),
    /// The image is valid but of a kind that is not embedded.
    #[error("{0}")]
    Unsupported(String),
    /// The image has more pixels than [`MAX_PIXELS`].
    #[error("it is too large ({width} × {height} pixels)")]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// Samples given to [`ImageData::from_samples`] do not match the size.
    #[error("{0}")]
    BadSamples(String),
}

impl ImageData {
    /// Takes raw 8-bit samples (row after row, `color.components()` per pixel) and an
    /// optional alpha channel (one sample per pixel) and compresses them.
    pub fn from_samples(
        width: u32,
        height: u32,
        color: ColorModel,
        samples: &[u8],
        alpha: Option<&[u8]>,
    ) -> Result<ImageData, ImageError> {
        let pixels = u64::from(width) * u64::from(height);
        if pixels == 0 {
            return Err(ImageError::BadSamples(format!(
                "an image of {width} × {height} pixels has no area"
            )));
        }
        if pixels > MAX_PIXELS {
            return Err(ImageError::TooLarge { width, height });
        }
        let expected = pixels as usize * color.components();
        if samples.len() != expected {
            return Err(ImageError::BadSamples(format!(
                "{} samples for {width} × {height} {color:?} pixels (expected {expected})",
                samples.len()
            )));
        }
        if let Some(a) = alpha
            && a.len() != pixels as usize
        {
            return Err(ImageError::BadSamples(format!(
                "{} alpha samples for {pixels} pixels",
                a.len()
            )));
        }
        // An alpha channel that is opaque everywhere is dropped: it would only cost a mask.
        let alpha = alpha
            .filter(|a| a.iter().any(|&v| v != 255))
            .map(|a| deflate_rows(a, width as usize, 1));
        Ok(ImageData::new(
            width,
            height,
            color,
            None,
            Samples::Deflated {
                data: deflate_rows(samples, width as usize, color.components()),
                alpha,
            },
        ))
    }

    /// Decodes a PNG file: any bit depth, palette or transparency becomes 8-bit grey or
    /// RGB samples and an 8-bit alpha channel; an animated PNG gives its first frame.
    pub fn from_png(data: &[u8]) -> Result<ImageData, ImageError> {
        let png_err = |e: png::DecodingError| ImageError::Png(e.to_string());
        let mut decoder = png::Decoder::new(Cursor::new(data));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        decoder.set_limits(png::Limits {
            bytes: MAX_PIXELS as usize * 8,
        });
        let header = decoder.read_header_info().map_err(png_err)?;
        let (width, height) = (header.width, header.height);
        if u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(ImageError::TooLarge { width, height });
        }
        let mut reader = decoder.read_info().map_err(png_err)?;
        let ppi = reader.info().pixel_dims.and_then(|d| match d.unit {
            // Pixels per metre to pixels per inch.
            png::Unit::Meter => Some((f64::from(d.xppu) * 0.0254, f64::from(d.yppu) * 0.0254)),
            png::Unit::Unspecified => None,
        });
        let size = reader
            .output_buffer_size()
            .ok_or(ImageError::TooLarge { width, height })?;
        let mut buf = vec![0; size];
        let frame = reader.next_frame(&mut buf).map_err(png_err)?;
        buf.truncate(frame.buffer_size());
        let (color, has_alpha) = match frame.color_type {
            png::ColorType::Grayscale => (ColorModel::Gray, false),
            png::ColorType::GrayscaleAlpha => (ColorModel::Gray, true),
            png::ColorType::Rgb => (ColorModel::Rgb, false),
            png::ColorType::Rgba => (ColorModel::Rgb, true),
            png::ColorType::Indexed => {
                return Err(ImageError::Png("palette was not expanded".to_owned()));
            }
        };
        if frame.bit_depth != png::BitDepth::Eight
            || frame.line_size != width as usize * (color.components() + usize::from(has_alpha))
        {
            return Err(ImageError::Png(format!(
                "unexpected {:?}-bit rows of {} bytes",
                frame.bit_depth, frame.line_size
            )));
        }
        let mut image = if has_alpha {
            let n = color.components();
            let mut samples = Vec::with_capacity(buf.len() / (n + 1) * n);
            let mut alpha = Vec::with_capacity(buf.len() / (n + 1));
            for pixel in buf.chunks_exact(n + 1) {
                samples.extend_from_slice(&pixel[..n]);
                alpha.push(pixel[n]);
            }
            ImageData::from_samples(width, height, color, &samples, Some(&alpha))?
        } else {
            ImageData::from_samples(width, height, color, &buf, None)?
        };
        image.ppi = ppi.filter(|&(x, y)| x > 0.0 && y > 0.0);
        Ok(image)
    }

    /// Reads a JPEG file's header (size, components, resolution) and keeps the file as it
    /// is. Baseline and progressive 8-bit JPEGs with 1, 3 or 4 components are accepted;
    /// lossless, hierarchical and arithmetic-coded ones, which PDF readers cannot show,
    /// are refused.
    pub fn from_jpeg(data: &[u8]) -> Result<ImageData, ImageError> {
        let header = jpeg_header(data)?;
        Ok(ImageData::new(
            header.width,
            header.height,
            header.color,
            header.ppi,
            Samples::Jpeg {
                data: data.to_vec(),
                inverted: header.adobe && header.color == ColorModel::Cmyk,
            },
        ))
    }

    fn new(
        width: u32,
        height: u32,
        color: ColorModel,
        ppi: Option<(f64, f64)>,
        samples: Samples,
    ) -> ImageData {
        let mut hash = Sha256::new();
        hash.update(width.to_be_bytes());
        hash.update(height.to_be_bytes());
        hash.update([color.components() as u8]);
        match &samples {
            Samples::Jpeg { data, inverted } => {
                hash.update([b'J', u8::from(*inverted)]);
                hash.update(data);
            }
            Samples::Deflated { data, alpha } => {
                hash.update(b"D");
                hash.update((data.len() as u64).to_be_bytes());
                hash.update(data);
                if let Some(a) = alpha {
                    hash.update(b"A");
                    hash.update(a);
                }
            }
        }
        ImageData {
            width,
            height,
            color,
            ppi,
            samples,
            key: hash.finalize().into(),
        }
    }

    /// Returns the width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Returns the height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Returns the colour model of the samples.
    pub fn color(&self) -> ColorModel {
        self.color
    }

    /// Returns the samples.
    pub fn samples(&self) -> &Samples {
        &self.samples
    }

    /// Returns a SHA-256 of the size, colour model and samples: two images with the same
    /// key are the same image, so a writer can embed it once.
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// Returns the size in points at the file's resolution, or [`DEFAULT_PPI`] when the
    /// file gives none.
    pub fn natural_size(&self) -> (f64, f64) {
        let (x, y) = self.ppi.unwrap_or((DEFAULT_PPI, DEFAULT_PPI));
        (
            f64::from(self.width) * 72.0 / x,
            f64::from(self.height) * 72.0 / y,
        )
    }
}

/// Filters each row of `width` pixels of `bpp` 8-bit samples with the PNG predictor that
/// gives the smallest sum of absolute differences (libpng's heuristic; Paeth, Up or Sub
/// usually halve a photograph's size against no filter), then compresses with zlib.
fn deflate_rows(samples: &[u8], width: usize, bpp: usize) -> Vec<u8> {
    let row_len = width * bpp;
    let mut out = Vec::with_capacity(samples.len() + samples.len() / row_len.max(1));
    let zero = vec![0u8; row_len];
    // Candidates: None (0), Sub (1), Up (2), Paeth (4).
    let mut candidates = [
        vec![0u8; row_len],
        vec![0; row_len],
        vec![0; row_len],
        vec![0; row_len],
    ];
    let mut prev: &[u8] = &zero;
    for row in samples.chunks_exact(row_len) {
        for i in 0..row_len {
            let a = if i >= bpp { row[i - bpp] } else { 0 };
            let b = prev[i];
            let c = if i >= bpp { prev[i - bpp] } else { 0 };
            candidates[0][i] = row[i];
            candidates[1][i] = row[i].wrapping_sub(a);
            candidates[2][i] = row[i].wrapping_sub(b);
            candidates[3][i] = row[i].wrapping_sub(paeth(a, b, c));
        }
        let cost = |c: &[u8]| {
            c.iter()
                .map(|&v| u64::from((v as i8).unsigned_abs()))
                .sum::<u64>()
        };
        let best = (0..4).min_by_key(|&k| cost(&candidates[k])).unwrap_or(0);
        out.push([0, 1, 2, 4][best]);
        out.extend_from_slice(&candidates[best]);
        prev = row;
    }
    // miniz_oxide's output depends only on its input and level: same bytes everywhere.
    miniz_oxide::deflate::compress_to_vec_zlib(&out, 6)
}

/// The Paeth predictor (RFC 2083 §6.6): whichever neighbour is closest to a + b − c.
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Undoes `deflate_rows`: inflates and unfilters, for checking what a reader gets back.
/// Returns `None` for data that is not zlib or not whole filtered rows.
pub fn inflate_rows(data: &[u8], width: usize, bpp: usize) -> Option<Vec<u8>> {
    let filtered = miniz_oxide::inflate::decompress_to_vec_zlib(data).ok()?;
    let row_len = width * bpp;
    if row_len == 0 || filtered.len() % (row_len + 1) != 0 {
        return None;
    }
    let mut out: Vec<u8> = Vec::with_capacity(filtered.len());
    for (r, row) in filtered.chunks_exact(row_len + 1).enumerate() {
        let start = out.len();
        for i in 0..row_len {
            let a = if i >= bpp { out[start + i - bpp] } else { 0 };
            let b = if r > 0 { out[start + i - row_len] } else { 0 };
            let c = if r > 0 && i >= bpp {
                out[start + i - bpp - row_len]
            } else {
                0
            };
            let x = row[i + 1];
            out.push(match row[0] {
                0 => x,
                1 => x.wrapping_add(a),
                2 => x.wrapping_add(b),
                3 => x.wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                4 => x.wrapping_add(paeth(a, b, c)),
                _ => return None,
            });
        }
    }
    Some(out)
}

/// What the writer needs from a JPEG's header.
struct JpegHeader {
    width: u32,
    height: u32,
    color: ColorModel,
    ppi: Option<(f64, f64)>,
    adobe: bool,
}

/// Returns a JPEG's width and height from its frame header, or why it cannot be shown.
pub(crate) fn jpeg_dimensions(data: &[u8]) -> Result<(u32, u32), ImageError> {
    jpeg_header(data).map(|h| (h.width, h.height))
}

/// Walks a JPEG's marker segments (ITU T.81 §B.1.1) up to the frame header.
fn jpeg_header(data: &[u8]) -> Result<JpegHeader, ImageError> {
    let bad = |what: &str| ImageError::Jpeg(what.to_owned());
    if !data.starts_with(&[0xFF, 0xD8]) {
        return Err(bad("it does not start with a JPEG marker"));
    }
    let mut i = 2;
    let mut ppi = None;
    let mut adobe = false;
    loop {
        if data.get(i) != Some(&0xFF) {
            return Err(bad(
                "a segment is truncated or damaged before the frame header",
            ));
        }
        // Any number of 0xFF fill bytes may precede a marker (§B.1.1.2).
        while data.get(i) == Some(&0xFF) {
            i += 1;
        }
        let Some(&marker) = data.get(i) else {
            return Err(bad("it ends before the frame header"));
        };
        i += 1;
        match marker {
            // Markers without a segment: TEM, RSTn, another SOI.
            0x01 | 0xD0..=0xD8 => continue,
            0xD9 | 0xDA => return Err(bad("the image data starts before any frame header")),
            _ => {}
        }
        let len = match data.get(i..i + 2) {
            Some(b) => usize::from(u16::from_be_bytes([b[0], b[1]])),
            None => return Err(bad("it ends inside a segment")),
        };
        let Some(seg) = data.get(i + 2..i + len).filter(|_| len >= 2) else {
            return Err(bad("a segment is longer than the file"));
        };
        match marker {
            // Baseline, extended sequential and progressive Huffman-coded frames.
            0xC0..=0xC2 => {
                if seg.len() < 6 {
                    return Err(bad("the frame header is too short"));
                }
                let precision = seg[0];
                let height = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
                let width = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
                let color = match seg[5] {
                    1 => ColorModel::Gray,
                    3 => ColorModel::Rgb,
                    4 => ColorModel::Cmyk,
                    n => {
                        return Err(ImageError::Unsupported(format!(
                            "it is a JPEG with {n} colour components"
                        )));
                    }
                };
                if precision != 8 {
                    return Err(ImageError::Unsupported(format!(
                        "it is a {precision}-bit JPEG; only 8-bit JPEGs are embedded"
                    )));
                }
                if width == 0 || height == 0 {
                    // A height of 0 defers it to a DNL segment, which PDF readers need not support.
                    return Err(bad("the frame header gives no width or height"));
                }
                return Ok(JpegHeader {
                    width,
                    height,
                    color,
                    ppi,
                    adobe,
                });
            }
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(ImageError::Unsupported(
                    "it is a lossless, hierarchical or arithmetic-coded JPEG, which PDF readers cannot show"
                        .to_owned(),
                ));
            }
            // JFIF APP0: units (1 = per inch, 2 = per cm), then x and y density.
            0xE0 if seg.len() >= 12 && seg.starts_with(b"JFIF\0") => {
                let x = f64::from(u16::from_be_bytes([seg[8], seg[9]]));
                let y = f64::from(u16::from_be_bytes([seg[10], seg[11]]));
                let scale = match seg[7] {
                    1 => Some(1.0),
                    2 => Some(2.54),
                    _ => None,
                };
                ppi = scale
                    .map(|s| (x * s, y * s))
                    .filter(|&(x, y)| x > 0.0 && y > 0.0);
            }
            0xEE if seg.starts_with(b"Adobe") => adobe = true,
            _ => {}
        }
        i += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes a PNG with the `png` crate.
    fn png(
        width: u32,
        height: u32,
        color: png::ColorType,
        depth: png::BitDepth,
        data: &[u8],
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(color);
        enc.set_depth(depth);
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: 5906, // 150 ppi
            yppu: 5906,
            unit: png::Unit::Meter,
        }));
        let mut w = enc.write_header().unwrap();
        w.write_image_data(data).unwrap();
        w.finish().unwrap();
        out
    }

    fn inflate(data: &[u8], width: usize, bpp: usize) -> Vec<u8> {
        inflate_rows(data, width, bpp).unwrap()
    }

    #[test]
    fn predicted_rows_come_back_exactly() {
        // A gradient, noise and flat areas: each filter wins somewhere.
        let (w, h) = (37, 23);
        let mut samples = Vec::new();
        let mut seed = 12345u32;
        for y in 0..h {
            for x in 0..w {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let noise = (seed >> 24) as u8;
                samples.extend([
                    (x * 7) as u8,
                    if y % 3 == 0 { noise } else { 9 },
                    (x * y) as u8,
                ]);
            }
        }
        let packed = deflate_rows(&samples, w, 3);
        assert_eq!(inflate(&packed, w, 3), samples);
        let filters: std::collections::BTreeSet<u8> =
            miniz_oxide::inflate::decompress_to_vec_zlib(&packed)
                .unwrap()
                .chunks_exact(w * 3 + 1)
                .map(|r| r[0])
                .collect();
        assert!(filters.len() > 1, "{filters:?}");
    }

    #[test]
    fn png_rgba_splits_alpha() {
        let rgba = [255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 9, 9, 9, 255];
        let file = png(2, 2, png::ColorType::Rgba, png::BitDepth::Eight, &rgba);
        let image = ImageData::from_png(&file).unwrap();
        assert_eq!(
            (image.width(), image.height(), image.color()),
            (2, 2, ColorModel::Rgb)
        );
        let Samples::Deflated { data, alpha } = image.samples() else {
            panic!("not deflated");
        };
        assert_eq!(
            inflate(data, 2, 3),
            [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]
        );
        assert_eq!(inflate(alpha.as_ref().unwrap(), 2, 1), [255, 128, 0, 255]);
        let (w, h) = image.natural_size();
        assert!(
            (w - 2.0 * 72.0 / 150.0).abs() < 0.01 && (h - w).abs() < 1e-9,
            "{w} {h}"
        );
    }

    #[test]
    fn png_palette_and_low_depth_become_8_bit() {
        // 1-bit grey: 8 pixels in one byte per row.
        let file = png(
            8,
            1,
            png::ColorType::Grayscale,
            png::BitDepth::One,
            &[0b1010_0000],
        );
        let image = ImageData::from_png(&file).unwrap();
        assert_eq!(image.color(), ColorModel::Gray);
        let Samples::Deflated { data, alpha: None } = image.samples() else {
            panic!("expected opaque grey");
        };
        assert_eq!(inflate(data, 8, 1), [255, 0, 255, 0, 0, 0, 0, 0]);

        // 16-bit RGB is cut to 8 bits.
        let file = png(
            1,
            1,
            png::ColorType::Rgb,
            png::BitDepth::Sixteen,
            &[0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC],
        );
        let image = ImageData::from_png(&file).unwrap();
        let Samples::Deflated { data, .. } = image.samples() else {
            panic!("not deflated");
        };
        assert_eq!(inflate(data, 1, 3), [0x12, 0x56, 0x9A]);
    }

    #[test]
    fn opaque_alpha_is_dropped() {
        let file = png(
            1,
            2,
            png::ColorType::GrayscaleAlpha,
            png::BitDepth::Eight,
            &[7, 255, 8, 255],
        );
        let image = ImageData::from_png(&file).unwrap();
        assert!(matches!(
            image.samples(),
            Samples::Deflated { alpha: None, .. }
        ));
    }

    #[test]
    fn damaged_png_is_an_error() {
        let mut file = png(
            2,
            1,
            png::ColorType::Grayscale,
            png::BitDepth::Eight,
            &[1, 2],
        );
        file.truncate(file.len() - 20);
        assert!(matches!(
            ImageData::from_png(&file),
            Err(ImageError::Png(_))
        ));
        assert!(ImageData::from_png(b"\x89PNG\r\n\x1a\n").is_err());
    }

    #[test]
    fn huge_png_is_refused_before_decoding() {
        // A header claiming 100,000 × 100,000 pixels, with no data behind it.
        let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(100_000u32.to_be_bytes());
        ihdr.extend(100_000u32.to_be_bytes());
        ihdr.extend([8, 0, 0, 0, 0]);
        file.extend(13u32.to_be_bytes());
        file.extend(&ihdr);
        let mut crc = crc32(&ihdr).to_be_bytes().to_vec();
        file.append(&mut crc);
        let err = ImageData::from_png(&file).unwrap_err();
        assert!(matches!(err, ImageError::TooLarge { .. }), "{err:?}");
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A JPEG made of the segments the header reader looks at (no scan data).
    fn jpeg(segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        for (marker, body) in segments {
            out.extend([0xFF, *marker]);
            out.extend(((body.len() + 2) as u16).to_be_bytes());
            out.extend(body);
        }
        out.extend([0xFF, 0xD9]);
        out
    }

    fn sof(precision: u8, width: u16, height: u16, components: u8) -> Vec<u8> {
        let mut s = vec![precision];
        s.extend(height.to_be_bytes());
        s.extend(width.to_be_bytes());
        s.push(components);
        for c in 0..components {
            s.extend([c + 1, 0x11, 0]);
        }
        s
    }

    #[test]
    fn jpeg_header_gives_size_colour_and_resolution() {
        let mut jfif = b"JFIF\0\x01\x02\x01".to_vec();
        jfif.extend(300u16.to_be_bytes());
        jfif.extend(300u16.to_be_bytes());
        jfif.extend([0, 0]);
        let file = jpeg(&[
            (0xE0, jfif),
            (0xDB, vec![0; 65]),
            (0xC2, sof(8, 640, 480, 3)),
        ]);
        let image = ImageData::from_jpeg(&file).unwrap();
        assert_eq!(
            (image.width(), image.height(), image.color()),
            (640, 480, ColorModel::Rgb)
        );
        assert_eq!(
            image.natural_size(),
            (640.0 * 72.0 / 300.0, 480.0 * 72.0 / 300.0)
        );
        assert!(
            matches!(image.samples(), Samples::Jpeg { inverted: false, data } if *data == file)
        );

        let adobe = b"Adobe\0\x64\0\0\0\0\x02".to_vec();
        let file = jpeg(&[(0xEE, adobe), (0xC0, sof(8, 10, 20, 4))]);
        let image = ImageData::from_jpeg(&file).unwrap();
        assert_eq!(image.color(), ColorModel::Cmyk);
        assert!(matches!(
            image.samples(),
            Samples::Jpeg { inverted: true, .. }
        ));
        assert_eq!(image.natural_size(), (7.5, 15.0));
    }

    #[test]
    fn unsupported_and_damaged_jpegs_are_errors() {
        let twelve = jpeg(&[(0xC1, sof(12, 10, 10, 1))]);
        assert!(
            ImageData::from_jpeg(&twelve)
                .unwrap_err()
                .to_string()
                .contains("12-bit")
        );
        let arithmetic = jpeg(&[(0xC9, sof(8, 10, 10, 1))]);
        assert!(matches!(
            ImageData::from_jpeg(&arithmetic),
            Err(ImageError::Unsupported(_))
        ));
        let no_frame = jpeg(&[(0xDB, vec![0; 65])]);
        assert!(matches!(
            ImageData::from_jpeg(&no_frame),
            Err(ImageError::Jpeg(_))
        ));
        let mut cut = jpeg(&[(0xC0, sof(8, 10, 10, 3))]);
        cut.truncate(8);
        assert!(ImageData::from_jpeg(&cut).is_err());
        assert!(ImageData::from_jpeg(&[0xFF, 0xD8, 0xFF]).is_err());
        assert!(ImageData::from_jpeg(b"").is_err());
    }

    #[test]
    fn samples_must_match_the_size() {
        assert!(ImageData::from_samples(2, 2, ColorModel::Gray, &[0; 3], None).is_err());
        assert!(ImageData::from_samples(2, 2, ColorModel::Gray, &[0; 4], Some(&[0; 3])).is_err());
        assert!(ImageData::from_samples(0, 2, ColorModel::Gray, &[], None).is_err());
        let a = ImageData::from_samples(2, 2, ColorModel::Gray, &[0; 4], None).unwrap();
        let b = ImageData::from_samples(2, 2, ColorModel::Gray, &[0; 4], None).unwrap();
        let c = ImageData::from_samples(4, 1, ColorModel::Gray, &[0; 4], None).unwrap();
        assert_eq!(a.key(), b.key());
        assert_ne!(a.key(), c.key());
    }
}
