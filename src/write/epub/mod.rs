//! The EPUB 3 backend: a reflowable e-book with pop-up notes, an EPUB 2 NCX for old
//! readers, and accessibility metadata. EPUBCheck 5 reports no error and no warning.
//!
//! The package is written with the `zip` crate directly rather than with `epub-builder`:
//! that crate's pure-Rust zip back end stamps every entry with the wall-clock time and
//! offers no way to plug in another (its `Zip` trait is private), so two builds differ;
//! its fixed templates also leave `lang` off the nav document and cannot carry
//! `dc:source` or an identifier other than a UUID.
//!
//! Layout of the package:
//!
//! ```text
//! mimetype                 stored, first
//! META-INF/container.xml
//! META-INF/com.apple.ibooks.display-options.xml   when fonts are embedded
//! OEBPS/content.opf        metadata, manifest, spine
//! OEBPS/title.xhtml        title, authors, colophon (source description)
//! OEBPS/section-001.xhtml  one per level-1 section (long ones in parts), with its notes
//! OEBPS/nav.xhtml          EPUB 3 navigation: toc, landmarks, the source's page list
//! OEBPS/toc.ncx            EPUB 2 table of contents
//! OEBPS/style.css          from the style
//! OEBPS/fonts/…            the bundled fonts and their licence, when the style uses them
//! OEBPS/images/…           images found beside the input
//! ```

mod css;
mod fonts;
mod labels;
mod media;
mod package;
mod text;
mod xhtml;

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::{WriteContext, WriteResult};
use crate::diag::{Warning, WriteError};
use crate::ir::Document;

/// The title page's file name.
const TITLE_FILE: &str = "title.xhtml";

/// A file of the package, below `OEBPS/`.
struct Item {
    /// The manifest id.
    id: String,
    /// The path relative to `OEBPS/`.
    href: String,
    /// The media type.
    media_type: &'static str,
    /// Manifest `properties`, if any.
    properties: Option<&'static str>,
    /// Whether it is read in the spine (content documents), in order.
    spine: bool,
    /// The bytes.
    data: Vec<u8>,
}

/// Writes `doc` as an EPUB 3 file.
pub fn write(doc: &Document, ctx: &WriteContext<'_>, out: &mut dyn Write) -> WriteResult {
    use crate::transform::transcription::{Strike, convention, present};
    let doc = &*present(
        doc,
        convention(doc, ctx.style.transcription.convention),
        Strike::Markup,
    );
    let mut warnings = Vec::new();
    let items = package::build(doc, ctx, &mut warnings)?;
    let bytes = zip_package(&items, ctx.timestamp)
        .map_err(|e| WriteError::Unsupported(format!("cannot build the EPUB zip: {e}")))?;
    out.write_all(&bytes)?;
    Ok(warnings)
}

/// Zips the package: `mimetype` first and stored, every entry with the same time stamp
/// (the build's, clamped to what zip can record) and fixed permissions, so that equal
/// input gives equal bytes.
fn zip_package(items: &[Item], timestamp: i64) -> zip::result::ZipResult<Vec<u8>> {
    let when = zip_time(timestamp);
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(when)
        .unix_permissions(0o644);
    let deflated = stored.compression_method(CompressionMethod::Deflated);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("mimetype", stored)?;
    zip.write_all(b"application/epub+zip")?;
    zip.start_file("META-INF/container.xml", deflated)?;
    zip.write_all(package::CONTAINER_XML.as_bytes())?;
    if items.iter().any(|i| i.media_type == "font/otf") {
        // Apple Books shows embedded fonts only when the book asks for them here.
        zip.start_file("META-INF/com.apple.ibooks.display-options.xml", deflated)?;
        zip.write_all(package::IBOOKS_OPTIONS_XML.as_bytes())?;
    }
    for item in items {
        // The font subsets are stored: CFF outlines deflate to only about half, and
        // deflating them was most of the cost of a short book's EPUB.
        let method = if item.media_type == "font/otf" {
            stored
        } else {
            deflated
        };
        zip.start_file(format!("OEBPS/{}", item.href), method)?;
        zip.write_all(&item.data)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Converts a Unix time to a zip (MS-DOS) time stamp, which runs from 1980 to 2107.
fn zip_time(timestamp: i64) -> DateTime {
    let t = time::OffsetDateTime::from_unix_timestamp(timestamp)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let year = t.year().clamp(1980, 2107) as u16;
    if i32::from(year) != t.year() {
        return if year == 1980 {
            DateTime::default()
        } else {
            DateTime::from_date_and_time(2107, 12, 31, 23, 59, 58).unwrap_or_default()
        };
    }
    DateTime::from_date_and_time(
        year,
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .unwrap_or_default()
}

/// Adds a warning once if the document holds characters XML cannot carry.
fn check_chars(doc: &Document, warnings: &mut Vec<Warning>) {
    let Ok(value) = serde_json::to_value(doc) else {
        return;
    };
    let bad = text::count_bad_chars(&value);
    if bad > 0 {
        warnings.push(Warning::general(format!(
            "{bad} control character(s) cannot appear in XHTML; replaced by U+FFFD"
        )));
    }
}
