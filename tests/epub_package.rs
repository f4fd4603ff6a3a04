//! The EPUB backend, through the binary: EPUBCheck, note links, words, reproducibility,
//! Unicode, and the safety rules for links and images.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

const EPOCH: &str = "1700000000";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
const OPS_NS: &str = "http://www.idpf.org/2007/ops";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

fn all_variants() -> PathBuf {
    common::root().join("tests/data/epub/all-variants.json")
}

/// Runs `lacuna INPUT --epub -o DIR` with SOURCE_DATE_EPOCH; returns the EPUB and stderr.
fn build(input: &Path, dir: &Path, epoch: &str) -> (PathBuf, String) {
    let out = common::lacuna()
        .arg(input)
        .arg("--epub")
        .arg("-o")
        .arg(dir)
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("run lacuna");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "lacuna failed: {stderr}");
    let stem = input.file_stem().unwrap().to_string_lossy().into_owned();
    (dir.join(format!("{stem}.epub")), stderr)
}

/// The entries of a zip, in archive order.
fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().unwrap().into_owned(), data)
        })
        .collect()
}

fn text_files(entries: &[(String, Vec<u8>)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .filter(|(name, _)| {
            [".xhtml", ".opf", ".ncx", ".css", ".xml"]
                .iter()
                .any(|e| name.ends_with(e))
        })
        .map(|(name, data)| {
            (
                name.clone(),
                String::from_utf8(data.clone()).expect("UTF-8 text file"),
            )
        })
        .collect()
}

/// Runs EPUBCheck 5 with --failonwarnings; skips loudly (or fails when required) without it.
fn epubcheck(epub: &Path, test: &str) {
    let Some(jar) = common::epubcheck_jar(test) else {
        return;
    };
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .arg("--failonwarnings")
        .arg(epub)
        .output()
        .expect("run EPUBCheck");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && report.contains("0 fatals / 0 errors / 0 warnings"),
        "EPUBCheck rejects {}:\n{report}",
        epub.display()
    );
}

/// Parses an XHTML file (they start with `<!DOCTYPE html>`).
fn parse(text: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options).expect("well-formed XHTML")
}

fn is_el<'a>(node: &roxmltree::Node<'a, 'a>, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node.tag_name().namespace() == Some(XHTML_NS)
}

fn epub_type<'a>(node: &roxmltree::Node<'a, 'a>) -> Option<&'a str> {
    node.attribute((OPS_NS, "type"))
}

/// The reading text of an XHTML file: every text node outside note calls and footnotes,
/// with whitespace collapsed.
fn reading_text(xhtml: &str) -> String {
    let doc = parse(xhtml);
    let mut out = String::new();
    for node in doc.descendants().filter(|n| n.is_text()) {
        let hidden = node.ancestors().any(|a| {
            matches!(epub_type(&a), Some("noteref") | Some("footnote"))
                || (is_el(&a, "section") && a.attribute("class") == Some("footnotes"))
                || is_el(&a, "head")
        });
        if !hidden {
            out.push_str(node.text().unwrap_or(""));
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of the first `<tag class="class">` of an XHTML file.
fn element_text(xhtml: &str, tag: &str, class: &str) -> String {
    let doc = parse(xhtml);
    let node = doc
        .descendants()
        .find(|n| is_el(n, tag) && n.attribute("class") == Some(class))
        .unwrap_or_else(|| panic!("no <{tag} class={class}>"));
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// Note calls and footnotes of one XHTML file: call id → href, aside id → back-link href.
struct Notes {
    calls: Vec<(String, String)>,
    asides: Vec<(String, Option<String>)>,
}

fn notes(xhtml: &str) -> Notes {
    let doc = parse(xhtml);
    let mut calls = Vec::new();
    let mut asides = Vec::new();
    for node in doc.descendants() {
        if is_el(&node, "a") && epub_type(&node) == Some("noteref") {
            assert_eq!(node.attribute("role"), Some("doc-noteref"));
            calls.push((
                node.attribute("id").expect("call id").to_owned(),
                node.attribute("href").expect("call href").to_owned(),
            ));
        }
        if is_el(&node, "aside") && epub_type(&node) == Some("footnote") {
            assert_eq!(node.attribute("role"), Some("doc-footnote"));
            let back = node
                .descendants()
                .find(|d| is_el(d, "a") && d.attribute("role") == Some("doc-backlink"))
                .and_then(|a| a.attribute("href"))
                .map(str::to_owned);
            asides.push((node.attribute("id").expect("aside id").to_owned(), back));
        }
    }
    Notes { calls, asides }
}

/// Checks every `href` of every XHTML file points at a file of the package and, with a
/// fragment, at an id in it; returns the number of links checked.
fn check_internal_links(files: &BTreeMap<String, String>) -> usize {
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let doc = parse(text);
        let set = doc
            .descendants()
            .filter_map(|n| n.attribute("id").map(str::to_owned))
            .collect::<BTreeSet<_>>();
        ids.insert(name.clone(), set);
    }
    let mut checked = 0;
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let doc = parse(text);
        for a in doc.descendants().filter(|n| is_el(n, "a")) {
            let Some(href) = a.attribute("href") else {
                continue;
            };
            if href.starts_with("https://") || href.starts_with("mailto:") {
                continue;
            }
            let (file, frag) = href.split_once('#').unwrap_or((href, ""));
            let target = if file.is_empty() {
                name.clone()
            } else {
                format!("OEBPS/{file}")
            };
            let target_ids = ids
                .get(&target)
                .unwrap_or_else(|| panic!("{name}: link {href} to a missing file"));
            assert!(
                frag.is_empty() || target_ids.contains(frag),
                "{name}: link {href} to a missing id"
            );
            checked += 1;
        }
    }
    checked
}

/// The all-variants test book, built once per test.
struct Book {
    /// The output folder, removed when the book is dropped.
    _dir: tempfile::TempDir,
    /// The EPUB file.
    epub: PathBuf,
    /// Its zip entries, in archive order.
    entries: Vec<(String, Vec<u8>)>,
    /// Its text files by name.
    files: BTreeMap<String, String>,
    /// lacuna's warnings.
    stderr: String,
}

fn all_variants_book() -> Book {
    let dir = common::temp_dir();
    let (epub, stderr) = build(&all_variants(), dir.path(), EPOCH);
    let entries = unzip(&epub);
    let files = text_files(&entries);
    Book {
        _dir: dir,
        epub,
        entries,
        files,
        stderr,
    }
}

#[test]
fn all_variants_epub_passes_epubcheck() {
    // `_keep` holds the output folder until EPUBCheck has run.
    let Book {
        _dir: _keep,
        epub,
        entries,
        files,
        ..
    } = all_variants_book();
    // The container: mimetype first, stored; nothing outside the package folders.
    assert_eq!(entries[0].0, "mimetype");
    assert_eq!(entries[0].1, b"application/epub+zip");
    let raw = std::fs::read(&epub).unwrap();
    assert_eq!(
        &raw[30..38],
        b"mimetype",
        "mimetype is the first local entry"
    );
    assert_eq!(&raw[8..10], &[0, 0], "mimetype is stored, not deflated");
    for (name, _) in &entries {
        assert!(
            name == "mimetype" || name.starts_with("META-INF/") || name.starts_with("OEBPS/"),
            "{name}"
        );
        assert!(!name.contains(".."), "{name}");
    }

    // Every XHTML root carries the language twice; the ids are NCNames.
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let doc = parse(text);
        let root = doc.root_element();
        assert_eq!(root.attribute("lang"), Some("en-GB"), "{name}");
        assert_eq!(root.attribute((XML_NS, "lang")), Some("en-GB"), "{name}");
    }
    let sections: Vec<&String> = files
        .keys()
        .filter(|n| n.starts_with("OEBPS/section-"))
        .collect();
    assert_eq!(
        sections.len(),
        3,
        "preface + two level-1 sections: {sections:?}"
    );
    assert!(check_internal_links(&files) > 10);
    epubcheck(&epub, "all_variants_epub_passes_epubcheck");
}

#[test]
fn all_variants_notes_link_both_ways_in_two_series() {
    let Book { files, .. } = all_variants_book();
    let sections: Vec<&String> = files
        .keys()
        .filter(|n| n.starts_with("OEBPS/section-"))
        .collect();
    // Notes: both series, every call linked to its aside and back.
    let mut asides = BTreeMap::new();
    let mut calls = Vec::new();
    for name in &sections {
        let n = notes(&files[*name]);
        for (id, back) in n.asides {
            asides.insert(id, ((*name).clone(), back));
        }
        calls.extend(n.calls.into_iter().map(|c| ((*name).clone(), c)));
    }
    let ids: Vec<&str> = asides.keys().map(String::as_str).collect();
    assert_eq!(ids, ["a1", "a2", "e1", "e2", "e3", "e4"]);
    for (file, (call_id, href)) in &calls {
        let (target_file, target) = match href.split_once('#') {
            Some(("", id)) => (file.clone(), id.to_owned()),
            Some((f, id)) => (format!("OEBPS/{f}"), id.to_owned()),
            None => panic!("call without fragment: {href}"),
        };
        assert_eq!(asides[&target].0, target_file, "{call_id} → {href}");
        assert!(call_id.starts_with(&format!("ref-{target}")), "{call_id}");
    }
    for (id, (_, back)) in &asides {
        if id == "e4" {
            assert_eq!(back, &None, "a note nobody calls has no back-link");
            continue;
        }
        let back = back
            .as_deref()
            .unwrap_or_else(|| panic!("{id} has no back-link"));
        assert_eq!(
            back,
            format!("#ref-{id}"),
            "back-link of {id} goes to the first call"
        );
    }
    assert_eq!(
        calls
            .iter()
            .filter(|(_, (_, h))| h.ends_with("#a1"))
            .count(),
        2,
        "a1 is called twice"
    );
    let text = &files["OEBPS/section-002.xhtml"];
    assert!(text.contains("class=\"noteref editorial\""));
    assert!(
        text.contains("class=\"footnote author\"")
            || files["OEBPS/section-001.xhtml"].contains("class=\"footnote author\"")
    );
    assert!(
        text.contains("<span class=\"incident\">(Applause.)</span>"),
        "incident"
    );
    assert!(text.contains("<span class=\"gap\" title=\"lacuna: illegible, 3 word\">[…]</span>"));
}

#[test]
fn unicode_beyond_latin1_survives() {
    let Book { files, .. } = all_variants_book();
    let text = &files["OEBPS/section-002.xhtml"];
    // Unicode beyond Latin-1 survives as characters.
    for s in [
        "Вся власть Советам!",
        "λόγος καὶ ἔργον",
        "Hyphen‐U+2010, en – dash, em — dash, ellipsis …",
        "“Speeches” –",
        "Мой дядя самых честных правил,",
        "Нижний Новгород",
    ] {
        assert!(text.contains(s), "lost: {s}");
    }
    assert!(text.contains("lang=\"ru\" xml:lang=\"ru\""));
    assert!(
        text.contains("1 &lt; 2 &gt; 0 &amp;")
            || files["OEBPS/section-001.xhtml"].contains("1 &lt; 2 &gt; 0 &amp;")
    );
    let title = &files["OEBPS/title.xhtml"];
    assert!(
        title.contains("Борис Пастернак")
            && title.contains("Every &lt;IR&gt; variant &amp; “curly” ‘quotes’")
    );
    assert!(title.contains(
        "First published in 1934 in the book Седьмая (Апрельская) конференция, p. 23–25."
    ));
}

#[test]
fn only_safe_links_and_images_from_the_input_folder_get_in() {
    let Book {
        entries,
        files,
        stderr,
        ..
    } = all_variants_book();
    // Links: only http(s), mailto and resolvable #ids become links; the rest is text, with a warning.
    let part2 = &files["OEBPS/section-003.xhtml"];
    assert!(part2.contains("href=\"https://example.org/a?b=1&amp;c=2\""));
    assert!(part2.contains("href=\"mailto:editor@example.org\""));
    assert!(part2.contains("href=\"section-002.xhtml#part-one\""));
    assert!(part2.contains("href=\"section-001.xhtml#e1\""));
    assert!(!part2.contains("ftp:") && !part2.contains("javascript:"));
    assert!(part2.contains("an ftp link") && part2.contains("a script link"));
    for w in [
        "\"ftp://example.org/file\"",
        "\"javascript:alert(1)\"",
        "\"#nowhere\"",
    ] {
        assert!(stderr.contains(w), "no warning for {w}: {stderr}");
    }

    // Images: the one inside the folder is embedded once; the rest fall back to alt text.
    let images: Vec<&String> = entries
        .iter()
        .map(|(n, _)| n)
        .filter(|n| n.starts_with("OEBPS/images/"))
        .collect();
    assert_eq!(images, ["OEBPS/images/image-1.png"]);
    assert_eq!(part2.matches("src=\"images/image-1.png\"").count(), 2);
    for alt in ["[Outside]", "[image]", "[Missing]", "[Fake]", "[Remote]"] {
        assert!(part2.contains(alt), "no fallback {alt}");
    }
    for src in [
        "../../../Cargo.toml",
        "/etc/hostname",
        "missing.png",
        "not-an-image.png",
        "https://example.org/x.png",
    ] {
        assert!(
            stderr.contains(&format!("image \"{src}\" not embedded")),
            "{src}: {stderr}"
        );
    }
}

#[test]
fn metadata_and_navigation_are_complete() {
    let Book { files, .. } = all_variants_book();
    // Metadata.
    let opf = &files["OEBPS/content.opf"];
    for s in [
        "<dc:title>Every &lt;IR&gt; variant &amp; “curly” ‘quotes’</dc:title>",
        "<dc:creator id=\"creator-2\">Борис Пастернак</dc:creator>",
        "<dc:language>en-GB</dc:language>",
        "<dc:date>1917-04-24</dc:date>",
        "<dc:source id=\"source\">First published in 1934",
        "<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>",
        "<meta property=\"schema:accessMode\">textual</meta>",
        "<meta property=\"schema:accessMode\">visual</meta>",
        "<meta property=\"schema:accessModeSufficient\">textual</meta>",
        "<meta property=\"schema:accessibilityFeature\">alternativeText</meta>",
        "<meta property=\"schema:accessibilitySummary\" xml:lang=\"en\">",
        "properties=\"nav\"",
        "<spine toc=\"ncx\">",
        "media-type=\"font/otf\"",
    ] {
        assert!(opf.contains(s), "OPF lacks {s}:\n{opf}");
    }
    let uid = opf
        .split("<dc:identifier id=\"pub-id\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap();
    assert!(uid.starts_with("urn:uuid:"), "{uid}");
    assert!(
        files["OEBPS/toc.ncx"].contains(&format!("<meta name=\"dtb:uid\" content=\"{uid}\"/>"))
    );
    let nav = &files["OEBPS/nav.xhtml"];
    assert!(nav.contains("epub:type=\"toc\"") && nav.contains("epub:type=\"landmarks\""));
    assert!(nav.contains("href=\"section-003.xhtml#h") && nav.contains(">Links</a>"));
    // The source's page 24 is in the page list; the unnumbered column break is not.
    assert!(nav.contains("epub:type=\"page-list\""));
    assert!(
        nav.contains("<li><a href=\"section-002.xhtml#page-1\">24</a></li>"),
        "{nav}"
    );
    assert!(
        files["OEBPS/content.opf"]
            .contains("<meta refines=\"#source\" property=\"source-of\">pagination</meta>")
    );
}

#[test]
fn fonts_are_left_out_when_the_style_says_so() {
    let dir = common::temp_dir();
    let style = dir.path().join("no-fonts.toml");
    std::fs::write(&style, "[epub]\nembed_fonts = false\n").unwrap();
    let out = common::lacuna()
        .arg(all_variants())
        .args(["--epub", "--style"])
        .arg(&style)
        .arg("-o")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries = unzip(&dir.path().join("all-variants.epub"));
    assert!(
        entries
            .iter()
            .all(|(n, _)| !n.contains("fonts/") && !n.contains("ibooks"))
    );
    let files = text_files(&entries);
    assert!(!files["OEBPS/style.css"].contains("@font-face"));
    assert!(files["OEBPS/style.css"].contains("font-family: \"Linux Libertine O\", serif"));
    assert!(!files["OEBPS/content.opf"].contains("font/otf"));
    let with_fonts = all_variants_book().entries;
    for name in [
        "OEBPS/fonts/LinLibertine_R.otf",
        "OEBPS/fonts/OFL-LinLibertine.txt",
        "META-INF/com.apple.ibooks.display-options.xml",
    ] {
        assert!(with_fonts.iter().any(|(n, _)| n == name), "{name} missing");
    }
}

#[test]
fn two_builds_with_source_date_epoch_are_byte_identical() {
    let a = common::temp_dir();
    let b = common::temp_dir();
    let (first, _) = build(&all_variants(), a.path(), EPOCH);
    // Zip times have a two-second grain: wait so that a wall-clock leak would show.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let (second, _) = build(&all_variants(), b.path(), EPOCH);
    let (first, second) = (
        std::fs::read(first).unwrap(),
        std::fs::read(second).unwrap(),
    );
    assert!(first == second, "two builds differ");
    let c = common::temp_dir();
    let (other, _) = build(&all_variants(), c.path(), "1800000000");
    assert_ne!(
        first,
        std::fs::read(other).unwrap(),
        "the time stamp is not used"
    );
}

#[test]
fn seed_epub_has_linked_notes_all_words_and_passes_epubcheck() {
    let dir = common::temp_dir();
    let (epub, _) = build(&common::seed(), dir.path(), EPOCH);
    let files = text_files(&unzip(&epub));

    // 8 calls and 8 asides, linked both ways.
    let mut calls = Vec::new();
    let mut asides = BTreeMap::new();
    let mut body = String::new();
    for (name, text) in files
        .iter()
        .filter(|(n, _)| n.starts_with("OEBPS/section-"))
    {
        let n = notes(text);
        calls.extend(n.calls);
        asides.extend(n.asides);
        body.push_str(&reading_text(text));
        body.push(' ');
        assert!(name.ends_with(".xhtml"));
    }
    assert_eq!(calls.len(), 8, "{calls:?}");
    assert_eq!(asides.len(), 8, "{asides:?}");
    for (call_id, href) in &calls {
        let target = href
            .strip_prefix('#')
            .expect("the note is in the call's file");
        let back = asides
            .get(target)
            .unwrap_or_else(|| panic!("no aside {target}"));
        assert_eq!(back.as_deref(), Some(format!("#{call_id}").as_str()));
    }

    // Every word of the seed, in order: the title and the colophon on the title page, the
    // rest in the sections.
    let title_page = &files["OEBPS/title.xhtml"];
    let book_text = format!(
        "{} {body} {}",
        element_text(title_page, "h1", "title"),
        element_text(title_page, "p", "source")
    );
    common::assert_words_in_order("EPUB", &book_text, &common::seed_words());

    epubcheck(
        &epub,
        "seed_epub_has_linked_notes_all_words_and_passes_epubcheck",
    );
}

#[test]
fn untitled_russian_book_with_odd_input_speaks_russian_and_passes_epubcheck() {
    let dir = common::temp_dir();
    let input = common::root().join("tests/data/epub/edge-cases-ru.json");
    let (epub, stderr) = build(&input, dir.path(), EPOCH);
    for w in [
        "no title",
        "control character",
        "note id \"n 1\" is not a valid XHTML id",
        "note id n 1 is used twice",
        "heading id \"x\"",
    ] {
        assert!(stderr.contains(w), "no warning {w:?}: {stderr}");
    }
    let files = text_files(&unzip(&epub));
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let doc = parse(text);
        assert_eq!(doc.root_element().attribute("lang"), Some("ru"), "{name}");
    }
    let nav = &files["OEBPS/nav.xhtml"];
    assert!(
        nav.contains("<h1 id=\"toc-title\">Содержание</h1>"),
        "{nav}"
    );
    let title = &files["OEBPS/title.xhtml"];
    assert!(title.contains("<h1 class=\"title\">Без названия</h1>"));
    assert!(
        title.contains("<p class=\"authors\">В. И. Ленин</p>"),
        "blank authors dropped"
    );
    assert!(title.contains("<p class=\"fonts\" lang=\"en\" xml:lang=\"en\">"));
    let section = &files["OEBPS/section-001.xhtml"];
    assert!(section.contains("aria-label=\"Примечания\""));
    assert!(section.contains("— «в провинции»."));
    assert!(section.contains("Управляющий\u{FFFD}символ."));
    assert_eq!(notes(section).calls.len(), 1);
    let all: String = files.values().map(String::as_str).collect();
    assert!(all.contains("href=\"https://ru.wikipedia.org/wiki/Ленин#Ранние_годы\""));
    assert!(!all.contains("a%20b"), "a URL with a quote stays text");
    assert!(stderr.contains("HTTPS://example.org/a%20b"), "{stderr}");
    let opf = &files["OEBPS/content.opf"];
    assert_eq!(opf.matches("<dc:creator").count(), 1);
    assert!(!opf.contains("<dc:date>") && !opf.contains("<dc:source>"));
    assert!(opf.contains("<dc:identifier id=\"pub-id\">urn:x-lacuna:test edge</dc:identifier>"));
    assert!(files["OEBPS/content.opf"].contains("<dc:language>ru</dc:language>"));
    epubcheck(
        &epub,
        "untitled_russian_book_with_odd_input_speaks_russian_and_passes_epubcheck",
    );
}
