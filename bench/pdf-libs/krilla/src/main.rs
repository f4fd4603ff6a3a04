use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;

const TEXT: &str = "The first official report of the affluent delegates — “revolution” (революция), logos (λόγος) — was read aloud; the minutes record applause and difficult questions about the flow of supplies and the office of the chair.";

fn shape(data: &[u8], text: &str) -> Vec<KrillaGlyph> {
    let face = rustybuzz::Face::from_slice(data, 0).unwrap();
    let upem = face.units_per_em() as f32;
    let mut buf = rustybuzz::UnicodeBuffer::new();
    buf.push_str(text);
    let out = rustybuzz::shape(&face, &[], buf);
    let infos = out.glyph_infos();
    infos.iter().zip(out.glyph_positions()).enumerate().map(|(i, (info, pos))| {
        let start = info.cluster as usize;
        let end = infos[i..].iter().map(|g| g.cluster as usize).find(|&c| c != start).unwrap_or(text.len());
        KrillaGlyph {
            glyph_id: GlyphId::new(info.glyph_id),
            text_range: start..end,
            x_advance: pos.x_advance as f32 / upem,
            x_offset: pos.x_offset as f32 / upem,
            y_offset: pos.y_offset as f32 / upem,
            y_advance: 0.0,
            location: None,
        }
    }).collect()
}

fn main() {
    let n: usize = std::env::args().nth(1).map(|a| a.parse().unwrap()).unwrap_or(50);
    let reg = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../fonts/LinLibertine_R.otf")).unwrap();
    let ita = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../fonts/LinLibertine_RI.otf")).unwrap();
    let words: Vec<&str> = TEXT.split(' ').collect();
    let lines: Vec<(String, Vec<KrillaGlyph>)> = (0..36).map(|i| {
        let l: Vec<&str> = words.iter().cycle().skip(i * 3).take(9).copied().collect();
        let l = l.join(" ");
        let g = shape(&reg, &l);
        (l, g)
    }).collect();
    let start = std::time::Instant::now();
    let font = Font::new(reg.clone().into(), 0).unwrap();
    let ifont = Font::new(ita.clone().into(), 0).unwrap();
    let mut doc = Document::new();
    for p in 1..=n {
        let mut page = doc.start_page_with(PageSettings::from_wh(420.0, 595.0).unwrap());
        let mut s = page.surface();
        for (i, (text, glyphs)) in lines.iter().enumerate() {
            s.draw_glyphs(Point::from_xy(40.0, 60.0 + 13.0 * i as f32), glyphs, font.clone(), text, 10.5, false);
        }
        let note = format!("{p} Omitted in the minutes.");
        let g = shape(&ita, &note);
        s.draw_glyphs(Point::from_xy(40.0, 552.0), &g, ifont.clone(), &note, 8.0, false);
        s.finish();
        page.finish();
    }
    let bytes = doc.finish().unwrap();
    let el = start.elapsed();
    std::fs::write(std::env::temp_dir().join(format!("krilla-{n}.pdf")), &bytes).unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hwm = status.lines().find(|l| l.starts_with("VmHWM")).unwrap();
    println!("krilla {n} pages: {:.1} ms, {} bytes, {hwm}", el.as_secs_f64() * 1000.0, bytes.len());
}
