//! The package documents: title page, navigation (EPUB 3 nav and EPUB 2 NCX), and the
//! OPF with its metadata, manifest and spine.

use std::fmt::Write as _;

use super::labels::{self, Labels};
use super::media::{BUNDLED_FACES, FONT_LICENCE, FontFace, Images, embeds_bundled_font};
use super::text::{esc, is_lang_tag};
use super::xhtml::{self, Renderer, Section};
use super::{Item, TITLE_FILE, WriteContext, check_chars, css, fonts};
use crate::diag::{Warning, WriteError};
use crate::ir::Document;

/// `META-INF/container.xml`: points reading systems at the OPF.
pub(super) const CONTAINER_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"#;

/// Apple Books' display options: use the embedded fonts.
pub(super) const IBOOKS_OPTIONS_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<display_options>
  <platform name="*">
    <option name="specified-fonts">true</option>
  </platform>
</display_options>
"#;

const NAV_FILE: &str = "nav.xhtml";
const CSS_FILE: &str = "style.css";
const LICENCE_FILE: &str = "fonts/OFL-LinLibertine.txt";

/// Everything the package documents share.
struct Book<'a> {
    doc: &'a Document,
    labels: &'static Labels,
    /// ` lang="en" xml:lang="en"` when the labels are not in the book's language, else empty.
    labels_lang: String,
    lang: String,
    title: String,
    identifier: String,
    modified: String,
    fonts: bool,
}

impl Book<'_> {
    /// Returns the authors' names, trimmed, without blank ones.
    fn authors(&self) -> Vec<&str> {
        self.doc
            .meta
            .authors
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .collect()
    }
}

/// Builds every file of the package below `OEBPS/`, the OPF first.
pub(super) fn build(
    doc: &Document,
    ctx: &WriteContext<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Item>, WriteError> {
    check_chars(doc, warnings);
    let lang = if is_lang_tag(&doc.meta.lang) {
        doc.meta.lang.clone()
    } else {
        warnings.push(Warning::general(format!(
            "document language {:?} is not a BCP 47 tag; the e-book says \"und\" (undetermined)",
            doc.meta.lang
        )));
        "und".to_owned()
    };
    let labels = labels::for_lang(&lang);
    let labels_lang = if lang.split('-').next() == Some(labels.lang) {
        String::new()
    } else {
        format!(" lang=\"{0}\" xml:lang=\"{0}\"", labels.lang)
    };
    let title = match doc.meta.title.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => {
            warnings.push(Warning::general(format!(
                "document has no title; the e-book is titled {:?}",
                labels.untitled
            )));
            labels.untitled.to_owned()
        }
    };
    let book = Book {
        doc,
        labels,
        labels_lang,
        lang,
        title,
        identifier: identifier(doc)?,
        modified: w3c_datetime(ctx.timestamp),
        fonts: ctx.style.epub.embed_fonts && embeds_bundled_font(&ctx.style.text.font),
    };
    if ctx.style.epub.embed_fonts && !book.fonts {
        warnings.push(Warning::general(format!(
            "font {:?} is not bundled and is not embedded; reading systems choose a font",
            ctx.style.text.font
        )));
    }

    let mut plan = xhtml::plan(doc, labels, warnings);
    let mut images = Images::new(ctx.base_dir.as_deref());
    let mut bodies = Vec::new();
    let title_notes;
    let pages;
    {
        let n = plan.sections.len();
        let mut renderer = Renderer::new(doc, labels, &mut plan, &mut images, warnings);
        for k in 0..n {
            bodies.push(renderer.section_body(k));
        }
        // Notes called nowhere land in the last file; with no body at all, on the title page.
        title_notes = if n == 0 {
            renderer.notes_in(TITLE_FILE)
        } else {
            String::new()
        };
        pages = std::mem::take(&mut renderer.pages);
    }
    let sections = &plan.sections;

    let mut items = Vec::new();
    let title_page = xhtml_page(
        &book,
        &book.title,
        "",
        &(title_page_body(&book) + &title_notes),
    );
    items.push(content_item("title", TITLE_FILE, title_page, None, true));
    for (section, body) in sections.iter().zip(&bodies) {
        let page = xhtml_page(&book, &section.label, " epub:type=\"bodymatter\"", body);
        let id = section.file.trim_end_matches(".xhtml").to_owned();
        items.push(content_item(&id, &section.file, page, None, true));
    }
    items.push(content_item(
        "nav",
        NAV_FILE,
        nav_document(&book, sections, &pages),
        Some("nav"),
        false,
    ));
    items.push(Item {
        id: "ncx".to_owned(),
        href: "toc.ncx".to_owned(),
        media_type: "application/x-dtbncx+xml",
        properties: None,
        spine: false,
        data: ncx(&book, sections).into_bytes(),
    });
    // Each face cut down to the characters the pages set in it; a face no page uses
    // is left out (and so is its @font-face rule).
    let faces = if book.fonts {
        let mut used = fonts::CharsByFace::default();
        for item in items
            .iter()
            .filter(|i| i.media_type == "application/xhtml+xml")
        {
            fonts::collect_chars(&item.data, &mut used).map_err(WriteError::Unsupported)?;
        }
        fonts::embedded_faces(&used).map_err(WriteError::Unsupported)?
    } else {
        Vec::new()
    };
    let face_list: Vec<&FontFace> = faces.iter().map(|(face, _)| *face).collect();
    items.push(Item {
        id: "css".to_owned(),
        href: CSS_FILE.to_owned(),
        media_type: "text/css",
        properties: None,
        spine: false,
        data: css::stylesheet(ctx.style, &face_list).into_bytes(),
    });
    if book.fonts {
        for (face, data) in faces {
            // Ids follow the face's place in the family, whichever faces are embedded.
            let k = BUNDLED_FACES
                .iter()
                .position(|f| f.file == face.file)
                .unwrap_or(0);
            items.push(Item {
                id: format!("font-{}", k + 1),
                href: format!("fonts/{}", face.file),
                media_type: "font/otf",
                properties: None,
                spine: false,
                data,
            });
        }
        items.push(Item {
            id: "font-licence".to_owned(),
            href: LICENCE_FILE.to_owned(),
            media_type: "text/plain",
            properties: None,
            spine: false,
            data: FONT_LICENCE.as_bytes().to_vec(),
        });
    }
    let has_images = !images.list.is_empty();
    for (k, image) in images.list.into_iter().enumerate() {
        items.push(Item {
            id: format!("image-{}", k + 1),
            href: image.href,
            media_type: image.media_type,
            properties: None,
            spine: false,
            data: image.data,
        });
    }
    let opf = opf(&book, &items, has_images, !pages.is_empty());
    items.insert(
        0,
        Item {
            id: String::new(),
            href: "content.opf".to_owned(),
            media_type: "application/oebps-package+xml",
            properties: None,
            spine: false,
            data: opf.into_bytes(),
        },
    );
    Ok(items)
}

fn content_item(
    id: &str,
    href: &str,
    page: String,
    properties: Option<&'static str>,
    spine: bool,
) -> Item {
    Item {
        id: id.to_owned(),
        href: href.to_owned(),
        media_type: "application/xhtml+xml",
        properties,
        spine,
        data: page.into_bytes(),
    }
}

/// Returns `meta.identifier`, or a `urn:uuid:` derived from the document's content: a
/// name-based (SHA-1, version 5) UUID of its JSON, so the same text keeps its identifier
/// across builds and machines.
fn identifier(doc: &Document) -> Result<String, WriteError> {
    if let Some(id) = doc.meta.identifier.as_deref().map(str::trim)
        && !id.is_empty()
    {
        return Ok(id.to_owned());
    }
    let json = serde_json::to_vec(doc).map_err(std::io::Error::from)?;
    let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, &json);
    Ok(uuid.urn().to_string())
}

/// Formats a Unix time as `dcterms:modified` wants it: `YYYY-MM-DDThh:mm:ssZ`.
fn w3c_datetime(timestamp: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(timestamp)
        .ok()
        .filter(|t| t.year() >= 1)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Tells whether a date can go into `dc:date` without an EPUBCheck warning
/// (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
fn is_w3c_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    }
}

/// Wraps a body in an XHTML content document with the book's language and stylesheet.
fn xhtml_page(book: &Book<'_>, title: &str, body_attrs: &str, body: &str) -> String {
    let title = if title.trim().is_empty() {
        &book.title
    } else {
        title
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n\
<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{lang}\" xml:lang=\"{lang}\">\n\
<head>\n<meta charset=\"utf-8\"/>\n<title>{title}</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"{CSS_FILE}\"/>\n</head>\n\
<body{body_attrs}>\n{body}</body>\n</html>\n",
        lang = book.lang,
        title = esc(title),
    )
}

fn title_page_body(book: &Book<'_>) -> String {
    let meta = &book.doc.meta;
    let mut out = format!(
        "<section epub:type=\"titlepage\" class=\"titlepage\" aria-label=\"{}\">\n",
        esc(book.labels.title_page)
    );
    let _ = writeln!(out, "<h1 class=\"title\">{}</h1>", esc(&book.title));
    if let Some(subtitle) = meta.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", esc(subtitle));
    }
    let authors = book.authors();
    if !authors.is_empty() {
        let _ = writeln!(out, "<p class=\"authors\">{}</p>", esc(&authors.join(", ")));
    }
    if let Some(date) = meta.date.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(out, "<p class=\"date\">{}</p>", esc(date));
    }
    if let Some(publisher) = meta.publisher.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(out, "<p class=\"publisher\">{}</p>", esc(publisher));
    }
    let source = meta
        .source
        .as_ref()
        .map(|s| s.bibl.trim())
        .filter(|s| !s.is_empty());
    if source.is_some() || meta.licence.is_some() || book.fonts {
        out.push_str(
            &format!("<section epub:type=\"colophon\" role=\"doc-colophon\" class=\"colophon\" aria-label=\"{}\">\n", esc(book.labels.colophon)),
        );
        if let Some(bibl) = source {
            let _ = writeln!(out, "<p class=\"source\">{}</p>", esc(bibl));
        }
        if let Some(licence) = meta.licence.as_deref().filter(|s| !s.trim().is_empty()) {
            let _ = writeln!(out, "<p class=\"licence\">{}</p>", esc(licence));
        }
        if book.fonts {
            let _ = writeln!(
                out,
                "<p class=\"fonts\"{}>Set in Linux Libertine by Philipp H. Poll, embedded under the SIL Open Font License 1.1 (its text is in {LICENCE_FILE} inside this file).</p>",
                if book.lang.split('-').next() == Some("en") {
                    ""
                } else {
                    " lang=\"en\" xml:lang=\"en\""
                }
            );
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
    out
}

fn nav_document(book: &Book<'_>, sections: &[Section<'_>], pages: &[(String, String)]) -> String {
    let (l, ll) = (book.labels, &book.labels_lang);
    let mut body = format!(
        "<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\" aria-labelledby=\"toc-title\">\n<h1 id=\"toc-title\"{ll}>{}</h1>\n<ol>\n",
        esc(l.contents)
    );
    let _ = writeln!(
        body,
        "<li><a href=\"{TITLE_FILE}\"{ll}>{}</a></li>",
        esc(l.title_page)
    );
    for section in sections.iter().filter(|s| !s.continued) {
        let _ = write!(
            body,
            "<li><a href=\"{}\">{}</a>",
            section.file,
            esc(&section.label)
        );
        if !section.subheads.is_empty() {
            body.push_str("\n<ol>\n");
            for (href, label) in &section.subheads {
                let _ = writeln!(body, "<li><a href=\"{href}\">{}</a></li>", esc(label));
            }
            body.push_str("</ol>\n");
        }
        body.push_str("</li>\n");
    }
    body.push_str("</ol>\n</nav>\n");
    let _ = write!(
        body,
        "<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\" aria-labelledby=\"landmarks-title\">\n<h2 id=\"landmarks-title\"{ll}>{}</h2>\n<ol>\n",
        esc(l.landmarks)
    );
    let _ = writeln!(
        body,
        "<li><a epub:type=\"titlepage\" href=\"{TITLE_FILE}\"{ll}>{}</a></li>",
        esc(l.title_page)
    );
    if let Some(first) = sections.first() {
        let _ = writeln!(
            body,
            "<li><a epub:type=\"bodymatter\" href=\"{}\"{ll}>{}</a></li>",
            first.file,
            esc(l.text)
        );
    }
    body.push_str("</ol>\n</nav>\n");
    if !pages.is_empty() {
        // The source's page numbers, so that readers can go to and cite a printed page.
        let _ = write!(
            body,
            "<nav epub:type=\"page-list\" id=\"page-list\" hidden=\"hidden\" aria-labelledby=\"page-list-title\">\n<h2 id=\"page-list-title\"{ll}>{}</h2>\n<ol>\n",
            esc(l.pages)
        );
        for (href, n) in pages {
            let _ = writeln!(body, "<li><a href=\"{href}\">{}</a></li>", esc(n));
        }
        body.push_str("</ol>\n</nav>\n");
    }
    xhtml_page(book, l.contents, "", &body)
}

fn ncx(book: &Book<'_>, sections: &[Section<'_>]) -> String {
    let mut points = String::new();
    let mut order = 0;
    let mut point = |points: &mut String, label: &str, src: &str, close: bool| {
        order += 1;
        let _ = write!(
            points,
            "<navPoint id=\"np-{order}\" playOrder=\"{order}\"><navLabel><text>{}</text></navLabel><content src=\"{src}\"/>",
            esc(label)
        );
        if close {
            points.push_str("</navPoint>\n");
        } else {
            points.push('\n');
        }
    };
    point(&mut points, book.labels.title_page, TITLE_FILE, true);
    let mut depth = 1;
    for section in sections.iter().filter(|s| !s.continued) {
        point(&mut points, &section.label, &section.file, false);
        for (href, label) in &section.subheads {
            depth = 2;
            point(&mut points, label, href, true);
        }
        points.push_str("</navPoint>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{lang}\">\n\
<head>\n<meta name=\"dtb:uid\" content=\"{uid}\"/>\n<meta name=\"dtb:depth\" content=\"{depth}\"/>\n\
<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n\
<docTitle><text>{title}</text></docTitle>\n<navMap>\n{points}</navMap>\n</ncx>\n",
        lang = book.lang,
        uid = esc(&book.identifier),
        title = esc(&book.title),
    )
}

fn opf(book: &Book<'_>, items: &[Item], has_images: bool, has_pages: bool) -> String {
    let meta = &book.doc.meta;
    let mut m = String::new();
    let _ = writeln!(
        m,
        "<dc:identifier id=\"pub-id\">{}</dc:identifier>",
        esc(&book.identifier)
    );
    let _ = writeln!(m, "<dc:title>{}</dc:title>", esc(&book.title));
    for (k, author) in book.authors().iter().enumerate() {
        let _ = writeln!(
            m,
            "<dc:creator id=\"creator-{n}\">{}</dc:creator>\n<meta refines=\"#creator-{n}\" property=\"role\" scheme=\"marc:relators\">aut</meta>",
            esc(author),
            n = k + 1
        );
    }
    let _ = writeln!(m, "<dc:language>{}</dc:language>", book.lang);
    if let Some(date) = meta
        .date
        .as_deref()
        .map(str::trim)
        .filter(|d| is_w3c_date(d))
    {
        let _ = writeln!(m, "<dc:date>{date}</dc:date>");
    }
    if let Some(source) = &meta.source
        && !source.bibl.trim().is_empty()
    {
        let _ = writeln!(
            m,
            "<dc:source id=\"source\">{}</dc:source>",
            esc(source.bibl.trim())
        );
        if has_pages {
            // The page list follows this source's pages (EPUB 3.3 `source-of`).
            m.push_str("<meta refines=\"#source\" property=\"source-of\">pagination</meta>\n");
        }
    }
    if let Some(publisher) = meta.publisher.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(m, "<dc:publisher>{}</dc:publisher>", esc(publisher));
    }
    if let Some(licence) = meta.licence.as_deref().filter(|s| !s.trim().is_empty()) {
        let _ = writeln!(m, "<dc:rights>{}</dc:rights>", esc(licence));
    }
    let _ = writeln!(
        m,
        "<meta property=\"dcterms:modified\">{}</meta>",
        book.modified
    );
    let mut a11y = vec![("accessMode", "textual")];
    if has_images {
        a11y.push(("accessMode", "visual"));
    }
    a11y.extend([
        ("accessModeSufficient", "textual"),
        ("accessibilityFeature", "structuralNavigation"),
        ("accessibilityFeature", "tableOfContents"),
        ("accessibilityFeature", "readingOrder"),
    ]);
    if has_images {
        a11y.push(("accessibilityFeature", "alternativeText"));
    }
    if has_pages {
        a11y.push(("accessibilityFeature", "pageBreakMarkers"));
        a11y.push(("accessibilityFeature", "pageNavigation"));
    }
    a11y.push(("accessibilityHazard", "none"));
    for (property, value) in a11y {
        let _ = writeln!(m, "<meta property=\"schema:{property}\">{value}</meta>");
    }
    let _ = writeln!(
        m,
        "<meta property=\"schema:accessibilitySummary\" xml:lang=\"en\">A reflowable text with a table of contents and structured headings. Lacunae are shown as printed in the source, each followed by a link to an editorial note; every note links back to its call.{}</meta>",
        if has_images {
            " Images carry alternative text from the source."
        } else {
            ""
        }
    );

    let mut manifest = String::new();
    let mut spine = String::new();
    for item in items {
        let _ = write!(
            manifest,
            "<item id=\"{}\" href=\"{}\" media-type=\"{}\"",
            item.id,
            esc(&item.href),
            item.media_type
        );
        if let Some(p) = item.properties {
            let _ = write!(manifest, " properties=\"{p}\"");
        }
        manifest.push_str("/>\n");
        if item.spine {
            let _ = writeln!(spine, "<itemref idref=\"{}\"/>", item.id);
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"pub-id\" xml:lang=\"{lang}\">\n\
<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n{m}</metadata>\n\
<manifest>\n{manifest}</manifest>\n<spine toc=\"ncx\">\n{spine}</spine>\n</package>\n",
        lang = book.lang,
    )
}

#[cfg(test)]
// Tests build documents field by field, which reads better than one nested literal.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        assert_eq!(w3c_datetime(0), "1970-01-01T00:00:00Z");
        assert_eq!(w3c_datetime(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(w3c_datetime(i64::MAX), "1970-01-01T00:00:00Z");
        assert!(is_w3c_date("1917") && is_w3c_date("1917-04") && is_w3c_date("1917-04-24"));
        assert!(!is_w3c_date("24 April 1917") && !is_w3c_date("1917-4"));
    }

    #[test]
    fn notes_of_an_empty_body_go_on_the_title_page() {
        let mut doc = Document::default();
        doc.notes = vec![crate::ir::Note {
            id: crate::ir::NoteId("e1".into()),
            series: crate::ir::NoteSeries::Editorial,
            n: "1".into(),
            content: Vec::new(),
            resp: None,
        }];
        let style = crate::style::Style::default();
        let ctx = WriteContext {
            style: &style,
            timestamp: 0,
            base_dir: None,
        };
        let mut warnings = Vec::new();
        let items = build(&doc, &ctx, &mut warnings).unwrap();
        let title = items.iter().find(|i| i.href == TITLE_FILE).unwrap();
        let title = String::from_utf8(title.data.clone()).unwrap();
        assert!(title.contains("<aside epub:type=\"footnote\""), "{title}");
        assert!(title.contains("<h1 class=\"title\">Untitled</h1>"));
        assert!(warnings.iter().any(|w| w.message.contains("no title")));
        let spine: Vec<&str> = items
            .iter()
            .filter(|i| i.spine)
            .map(|i| i.href.as_str())
            .collect();
        assert_eq!(spine, [TITLE_FILE]);
    }

    #[test]
    fn identifier_is_derived_from_content_unless_given() {
        let mut doc = Document::default();
        doc.meta.title = Some("A".into());
        let a = identifier(&doc).unwrap();
        assert!(a.starts_with("urn:uuid:"), "{a}");
        assert_eq!(a, identifier(&doc.clone()).unwrap());
        doc.meta.title = Some("B".into());
        assert_ne!(a, identifier(&doc).unwrap());
        doc.meta.identifier = Some("doi:10.1000/1".into());
        assert_eq!(identifier(&doc).unwrap(), "doi:10.1000/1");
    }
}
