//! Images in the PDF: PNG and JPEG figures from a Markdown document, embedded once each,
//! placed inside the text block with their caption, and refused (with a warning) when
//! missing, unsafe or of another format.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use lacuna::ir::Document;
use lacuna::read::{ReadOptions, markdown};
use lacuna::style::Style;
use lacuna::typeset::frame::{FaceData, FaceSet, Page, PageItem, Rect};
use lacuna::typeset::image::{ColorModel, ImageData};
use lacuna::typeset::page::{Geometry, PageSink};
use lacuna::write::pdf::{PdfMeta, PdfWriter, typeset_with_images};
use lopdf::Object;

/// The test document and its pictures.
fn data() -> PathBuf {
    common::root().join("tests/data/pdf/images")
}

/// Collects the pages the typesetter makes.
#[derive(Default)]
struct Pages(Vec<Page>);

impl PageSink for Pages {
    fn page(&mut self, _n: usize, page: Page) -> Result<(), lacuna::diag::WriteError> {
        self.0.push(page);
        Ok(())
    }
}

/// Converts `input` to PDF with the binary into `dir`; returns the PDF path and stderr.
fn convert(dir: &Path, input: &Path) -> (PathBuf, String) {
    common::convert_pdf(dir, input, &[])
}

fn run(cmd: &str, args: &[&str], path: &Path) -> String {
    let out = Command::new(cmd).args(args).arg(path).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{cmd} failed:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// Reads a Markdown file and sets it, with images looked up beside it.
fn set_markdown(path: &Path, style: &Style) -> (Vec<Page>, Geometry, Vec<String>) {
    let options = ReadOptions {
        base_dir: path.parent().map(Path::to_owned),
        ..ReadOptions::default()
    };
    let doc: Document = markdown::read(&common::read(path), &options).unwrap().value;
    let mut pages = Pages::default();
    let set = typeset_with_images(&doc, style, path.parent(), &mut pages).unwrap();
    let warnings = set.warnings.iter().map(|w| w.to_string()).collect();
    (pages.0, set.value.geometry, warnings)
}

/// Every image on `page`, with its area.
fn images(page: &Page) -> Vec<(Rect, Arc<ImageData>)> {
    page.items
        .iter()
        .filter_map(|i| match i {
            PageItem::Image { rect, image } => Some((*rect, Arc::clone(image))),
            _ => None,
        })
        .collect()
}

/// The image XObjects of a PDF: (width, height, filter, colour space, has a soft mask,
/// stream bytes).
fn xobjects(pdf: &[u8]) -> Vec<(i64, i64, String, String, bool, Vec<u8>)> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let name = |o: Option<&Object>| match o {
        Some(Object::Name(n)) => String::from_utf8_lossy(n).into_owned(),
        other => format!("{other:?}"),
    };
    let mut out = Vec::new();
    for object in doc.objects.values() {
        let Object::Stream(s) = object else { continue };
        if name(s.dict.get(b"Subtype").ok()) != "Image" {
            continue;
        }
        let int = |k: &[u8]| s.dict.get(k).unwrap().as_i64().unwrap();
        out.push((
            int(b"Width"),
            int(b"Height"),
            name(s.dict.get(b"Filter").ok()),
            name(s.dict.get(b"ColorSpace").ok()),
            s.dict.get(b"SMask").is_ok(),
            s.content.clone(),
        ));
    }
    out.sort_by_key(|x| (x.0, x.1, x.4));
    out
}

#[test]
fn figures_embed_png_and_jpeg_once_each() {
    let dir = common::temp_dir();
    let (pdf, stderr) = convert(dir.path(), &data().join("figures.md"));
    for expected in [
        r#"image "../README.txt" not embedded (only relative paths inside the input's folder are embedded)"#,
        r#"image "/etc/hostname" not embedded (only relative paths inside the input's folder are embedded)"#,
        r#"image "missing.png" not embedded (no such file)"#,
        r#"image "dot.gif" not embedded (it is a GIF image; only PNG and JPEG are embedded in PDF)"#,
        r#"image "https://example.org/remote.png" not embedded (remote and data: images are not embedded)"#,
        "image photo.jpg cannot be typeset inline; its alternative text is shown",
    ] {
        assert!(
            stderr.contains(expected),
            "no warning {expected:?} in:\n{stderr}"
        );
    }
    let bytes = std::fs::read(&pdf).unwrap();

    // Without poppler: the XObjects themselves. The gradient (used twice) and its mask
    // are written once; the JPEG is the file's bytes unchanged.
    let x = xobjects(&bytes);
    let summary: Vec<_> = x
        .iter()
        .map(|(w, h, f, c, m, _)| (*w, *h, f.as_str(), c.as_str(), *m))
        .collect();
    assert_eq!(
        summary,
        [
            (120, 80, "DCTDecode", "DeviceRGB", false),
            (160, 100, "FlateDecode", "DeviceGray", false),
            (160, 100, "FlateDecode", "DeviceRGB", true),
        ]
    );
    assert_eq!(x[0].5, std::fs::read(data().join("photo.jpg")).unwrap());

    // The refused images and the inline one are their alternative text.
    if common::have_tool("pdftotext", "figures_embed_png_and_jpeg_once_each") {
        let out = Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
        for shown in [
            "[a small photograph]",
            "[outside the folder]",
            "[an absolute path]",
            "[a missing file]",
            "[a GIF image]",
            "[image]",
            "A gradient with a red disc, from a PNG with transparency",
            "A plasma cloud, from a JPEG",
        ] {
            assert!(text.contains(shown), "{shown:?} not in:\n{text}");
        }
    }
    if common::have_tool("qpdf", "figures_embed_png_and_jpeg_once_each") {
        let check = run("qpdf", &["--check"], &pdf);
        assert!(
            check.contains("No syntax or stream encoding errors"),
            "{check}"
        );
    }
    if common::have_tool("pdfimages", "figures_embed_png_and_jpeg_once_each") {
        // page num type width height color comp bpc enc interp object ID x-ppi y-ppi …
        let list = run("pdfimages", &["-list"], &pdf);
        let rows: Vec<Vec<&str>> = list
            .lines()
            .skip(2)
            .map(|l| l.split_whitespace().collect())
            .collect();
        let shown: Vec<_> = rows
            .iter()
            .map(|r| (r[2], r[3], r[4], r[5], r[8], r[12], r[13]))
            .collect();
        // Each image at its own resolution: 96 ppi from the PNG, 72 from the JFIF header.
        assert_eq!(
            shown,
            [
                ("image", "160", "100", "rgb", "image", "96", "96"),
                ("smask", "160", "100", "gray", "image", "96", "96"),
                ("image", "120", "80", "rgb", "jpeg", "72", "72"),
                ("image", "160", "100", "rgb", "image", "96", "96"),
                ("smask", "160", "100", "gray", "image", "96", "96"),
            ],
            "{list}"
        );
        // The gradient's second use is the same object.
        assert_eq!(rows[0][10], rows[3][10], "{list}");
        assert_ne!(rows[0][10], rows[2][10], "{list}");

        // What a reader decodes (predictors undone) is the PNG's pixels, exactly.
        let prefix = dir.path().join("extracted");
        let out = Command::new("pdfimages")
            .args(["-png", "-f", "1", "-l", "1"])
            .arg(&pdf)
            .arg(&prefix)
            .output()
            .unwrap();
        assert!(out.status.success());
        let source = decode_png(&std::fs::read(data().join("gradient.png")).unwrap());
        assert_eq!(source.1, png::ColorType::Rgba);
        let rgb: Vec<u8> = source
            .0
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        let alpha: Vec<u8> = source.0.chunks_exact(4).map(|p| p[3]).collect();
        let extracted = |n: usize| {
            decode_png(&std::fs::read(dir.path().join(format!("extracted-{n:03}.png"))).unwrap())
        };
        assert!(extracted(0).0 == rgb, "the colour samples differ");
        assert!(extracted(1).0 == alpha, "the soft mask differs");
    }

    // Same input, same bytes.
    let again = common::temp_dir();
    let (pdf2, _) = convert(again.path(), &data().join("figures.md"));
    assert!(bytes == std::fs::read(pdf2).unwrap(), "two runs differ");
}

#[test]
fn rendered_page_shows_the_picture() {
    let test = "rendered_page_shows_the_picture";
    if !common::have_tool("pdftoppm", test) {
        return;
    }
    let dir = common::temp_dir();
    let (pdf, _) = convert(dir.path(), &data().join("figures.md"));
    let prefix = dir.path().join("page");
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "40", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rendered = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .expect("pdftoppm wrote no page");
    let (buf, color) = decode_png(&std::fs::read(rendered).unwrap());
    assert_eq!(color, png::ColorType::Rgb);
    let pixels: Vec<&[u8]> = buf.chunks_exact(3).collect();
    // The red disc of the PNG (r ≈ 200, g and b ≤ 100), about 26 pt across: some 500
    // pixels at 40 dpi. Text is black and the page white, so nothing else is red.
    let red = pixels
        .iter()
        .filter(|p| p[0] > 150 && p[1] < 110 && p[2] < 110)
        .count();
    assert!(red > 250, "{red} red pixels: the PNG is not drawn");
    // The JPEG's white rectangle sits in a colourful cloud: many saturated pixels.
    let colourful = pixels
        .iter()
        .filter(|p| p.iter().max().unwrap() - p.iter().min().unwrap() > 60)
        .count();
    assert!(colourful > red + 500, "{colourful} colourful pixels");
}

#[test]
fn symlink_out_of_the_folder_is_refused() {
    let dir = common::temp_dir();
    let inner = dir.path().join("book");
    std::fs::create_dir(&inner).unwrap();
    std::fs::copy(data().join("gradient.png"), dir.path().join("secret.png")).unwrap();
    std::fs::copy(data().join("photo.jpg"), inner.join("photo.jpg")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("secret.png"), inner.join("link.png")).unwrap();
    let md = inner.join("book.md");
    std::fs::write(
        &md,
        "# Links\n\n![through a link](link.png)\n\n![a photograph](photo.jpg)\n",
    )
    .unwrap();
    let (pdf, stderr) = convert(dir.path(), &md);
    #[cfg(unix)]
    assert!(
        stderr.contains(r#"image "link.png" not embedded (it lies outside the input's folder)"#),
        "{stderr}"
    );
    let x = xobjects(&std::fs::read(pdf).unwrap());
    assert_eq!(
        x.len(),
        1,
        "only the JPEG: {:?}",
        x.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>()
    );
    assert_eq!((x[0].0, x[0].1), (120, 80));
}

/// Decodes a PNG to 8-bit samples and their colour type.
fn decode_png(data: &[u8]) -> (Vec<u8>, png::ColorType) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(data));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buf).unwrap();
    buf.truncate(frame.buffer_size());
    (buf, frame.color_type)
}

/// Writes a grey PNG of `width` × `height` pixels with no resolution (so 96 ppi).
fn grey_png(path: &Path, width: u32, height: u32) {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Grayscale);
    let mut w = enc.write_header().unwrap();
    let data: Vec<u8> = (0..width * height).map(|i| (i % 251) as u8).collect();
    w.write_image_data(&data).unwrap();
    w.finish().unwrap();
    std::fs::write(path, out).unwrap();
}

fn assert_inside(rect: &Rect, g: &Geometry, page: usize, what: &str) {
    let left = if page % 2 == 1 {
        g.left_recto
    } else {
        g.left_verso
    };
    let eps = 1e-6;
    assert!(
        rect.y >= g.top - eps && rect.y + rect.h <= g.top + g.block_height + eps,
        "{what} on page {page} is not inside the block vertically: {rect:?} {g:?}"
    );
    assert!(
        rect.x >= left - eps && rect.x + rect.w <= left + g.block_width + eps,
        "{what} on page {page} is not inside the block horizontally: {rect:?}"
    );
    // Centred on the block.
    let (l, r) = (rect.x - left, left + g.block_width - rect.x - rect.w);
    assert!((l - r).abs() < 1e-6, "{what} is not centred: {l} {r}");
}

#[test]
fn figures_are_scaled_into_the_block() {
    let dir = common::temp_dir();
    grey_png(&dir.path().join("wide.png"), 3000, 100);
    grey_png(&dir.path().join("tall.png"), 200, 3000);
    grey_png(&dir.path().join("small.png"), 160, 100);
    let md = dir.path().join("sizes.md");
    std::fs::write(
        &md,
        "Text.\n\n![Wide](wide.png)\n\n![Tall](tall.png)\n\n![Small](small.png)\n",
    )
    .unwrap();
    let (pages, g, warnings) = set_markdown(&md, &Style::default());
    assert!(warnings.is_empty(), "{warnings:?}");
    let placed: Vec<(usize, Rect)> = pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| images(p).into_iter().map(move |(r, _)| (i + 1, r)))
        .collect();
    assert_eq!(placed.len(), 3);
    for (page, rect) in &placed {
        assert_inside(rect, &g, *page, "image");
    }
    let (wide, tall, small) = (placed[0].1, placed[1].1, placed[2].1);
    // As wide as the block, the shape kept.
    assert!((wide.w - g.block_width).abs() < 1e-6, "{wide:?}");
    assert!((wide.w / wide.h - 30.0).abs() < 1e-6, "{wide:?}");
    // 60 % of the block's height.
    assert!((tall.h - 0.6 * g.block_height).abs() < 1e-6, "{tall:?}");
    assert!((tall.h / tall.w - 15.0).abs() < 1e-6, "{tall:?}");
    // Never enlarged: 160 × 100 pixels at 96 ppi.
    assert!(
        (small.w - 120.0).abs() < 1e-6 && (small.h - 75.0).abs() < 1e-6,
        "{small:?}"
    );
}

#[test]
fn figure_moves_to_the_next_page_whole() {
    let dir = common::temp_dir();
    std::fs::copy(data().join("gradient.png"), dir.path().join("gradient.png")).unwrap();
    let style = Style::default();
    let paragraph = "Words of a paragraph that fills the page line by line. ".repeat(6);
    let mut moved = 0;
    for n in 1..14 {
        let mut md = String::new();
        for _ in 0..n {
            md.push_str(&paragraph);
            md.push_str("\n\n");
        }
        md.push_str("![The caption of the figure](gradient.png)\n\nAfter the figure.\n");
        let path = dir.path().join("move.md");
        std::fs::write(&path, &md).unwrap();
        let (pages, g, warnings) = set_markdown(&path, &style);
        assert!(warnings.is_empty(), "{warnings:?}");
        let (page, rect) = pages
            .iter()
            .enumerate()
            .find_map(|(i, p)| images(p).first().map(|(r, _)| (i + 1, *r)))
            .expect("the figure is placed");
        assert_inside(&rect, &g, page, "figure");
        // Its caption is on the same page, just below it, inside the block.
        let bottom = rect.y + rect.h;
        let caption = pages[page - 1].items.iter().any(|i| {
            matches!(i, PageItem::Text(run)
                if run.y > bottom && run.y < bottom + 2.0 * 13.5
                    && run.y <= g.top + g.block_height + 1e-6)
        });
        assert!(
            caption,
            "n = {n}: no caption below the figure on page {page}"
        );
        if page > 1 && (rect.y - g.top).abs() < 1e-6 {
            // At the top of a page: the previous page ended with text, and the figure
            // did not fit below it.
            let last_text = pages[page - 2]
                .items
                .iter()
                .filter_map(|i| match i {
                    PageItem::Text(run) if run.y < g.top + g.block_height + 1e-6 => Some(run.y),
                    _ => None,
                })
                .fold(0.0, f64::max);
            // The figure needs its height, the space above it and the caption line
            // (together less than two lines more).
            assert!(
                g.top + g.block_height - last_text < rect.h + 2.0 * 13.5,
                "n = {n}: the figure would have fitted on page {}",
                page - 1
            );
            moved += 1;
        }
    }
    assert!(moved > 0, "no case moved the figure to a new page");
}

#[test]
fn an_image_on_many_pages_is_written_once() {
    let data: Arc<[u8]> = std::fs::read(common::root().join("fonts/LinLibertine_R.otf"))
        .unwrap()
        .into();
    let faces = FaceSet {
        faces: vec![FaceData {
            postscript_name: "LinLibertineO".into(),
            data,
            index: 0,
        }],
    };
    let samples: Vec<u8> = (0..=255).collect();
    let alpha: Vec<u8> = (0..=255).rev().collect();
    let image = || {
        Arc::new(ImageData::from_samples(16, 16, ColorModel::Gray, &samples, Some(&alpha)).unwrap())
    };
    let (a, b) = (image(), image());
    let other = Arc::new(
        ImageData::from_samples(2, 1, ColorModel::Rgb, &[1, 2, 3, 4, 5, 6], None).unwrap(),
    );
    let place = |image: &Arc<ImageData>, y: f64| PageItem::Image {
        rect: Rect {
            x: 50.0,
            y,
            w: 100.0,
            h: 100.0,
        },
        image: Arc::clone(image),
    };
    let meta = PdfMeta::default();
    let mut pdf = PdfWriter::new(Vec::new(), &faces, &meta).unwrap();
    for items in [
        vec![place(&a, 50.0), place(&other, 200.0)],
        vec![place(&b, 50.0)],
        vec![place(&a, 50.0), place(&a, 200.0)],
    ] {
        pdf.write_page(&Page {
            width: 300.0,
            height: 400.0,
            items,
        })
        .unwrap();
    }
    let bytes = pdf.finish(&[]).unwrap().value;
    let x = xobjects(&bytes);
    // `a` and `b` are equal: one image and one mask; `other` once.
    assert_eq!(
        x.len(),
        3,
        "{:?}",
        x.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>()
    );
    let mask = x.iter().find(|x| x.0 == 16 && !x.4).unwrap();
    assert_eq!(
        lacuna::typeset::image::inflate_rows(&mask.5, 16, 1).unwrap(),
        alpha
    );
    // Every page names its images in its resources and draws them.
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    for (n, id) in doc.get_pages() {
        let content = String::from_utf8_lossy(&doc.get_page_content(id)).into_owned();
        let draws = content.matches(" Do").count();
        assert_eq!(draws, if n == 2 { 1 } else { 2 }, "page {n}: {content}");
    }
}
