use printpdf::*;

const TEXT: &str = "The first official report of the affluent delegates — “revolution” (революция), logos (λόγος) — was read aloud; the minutes record applause and difficult questions about the flow of supplies and the office of the chair.";

fn shape(data: &[u8], text: &str) -> Vec<Codepoint> {
    let face = rustybuzz::Face::from_slice(data, 0).unwrap();
    let upem = face.units_per_em() as f32;
    let mut buf = rustybuzz::UnicodeBuffer::new();
    buf.push_str(text);
    let out = rustybuzz::shape(&face, &[], buf);
    let infos = out.glyph_infos();
    infos.iter().zip(out.glyph_positions()).enumerate().map(|(i, (info, pos))| {
        let start = info.cluster as usize;
        let end = infos[i..].iter().map(|g| g.cluster as usize).find(|&c| c != start).unwrap_or(text.len());
        let adv = face.glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(info.glyph_id as u16)).unwrap_or(0) as f32;
        Codepoint { gid: info.glyph_id as u16, offset: (adv - pos.x_advance as f32) * 1000.0 / upem, cid: Some(text[start..end].to_string()) }
    }).collect()
}

fn main() {
    let n: usize = std::env::args().nth(1).map(|a| a.parse().unwrap()).unwrap_or(50);
    let reg = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../fonts/LinLibertine_R.otf")).unwrap();
    let ita = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../fonts/LinLibertine_RI.otf")).unwrap();
    let words: Vec<&str> = TEXT.split(' ').collect();
    let lines: Vec<Vec<Codepoint>> = (0..36).map(|i| {
        let l: Vec<&str> = words.iter().cycle().skip(i * 3).take(9).copied().collect();
        shape(&reg, &l.join(" "))
    }).collect();
    let start = std::time::Instant::now();
    let mut doc = PdfDocument::new("bench");
    let mut w = Vec::new();
    let f = doc.add_font(&ParsedFont::from_bytes(&reg, 0, &mut w).unwrap());
    let fi = doc.add_font(&ParsedFont::from_bytes(&ita, 0, &mut w).unwrap());
    let mut pages = Vec::new();
    for p in 1..=n {
        let mut ops = vec![Op::StartTextSection];
        for (i, glyphs) in lines.iter().enumerate() {
            ops.push(Op::SetFont { font: PdfFontHandle::External(f.clone()), size: Pt(10.5) });
            ops.push(Op::SetTextCursor { pos: Point { x: Pt(40.0), y: Pt(595.0 - 60.0 - 13.0 * i as f32) } });
            ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(glyphs.clone())] });
        }
        ops.push(Op::SetFont { font: PdfFontHandle::External(fi.clone()), size: Pt(8.0) });
        ops.push(Op::SetTextCursor { pos: Point { x: Pt(40.0), y: Pt(43.0) } });
        ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(shape(&ita, &format!("{p} Omitted in the minutes.")))] });
        ops.push(Op::EndTextSection);
        pages.push(PdfPage::new(Mm(148.17), Mm(209.9), ops));
    }
    let mut warnings = Vec::new();
    let bytes = doc.with_pages(pages).save(&PdfSaveOptions::default(), &mut warnings);
    let el = start.elapsed();
    std::fs::write(std::env::temp_dir().join(format!("printpdf-{n}.pdf")), &bytes).unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hwm = status.lines().find(|l| l.starts_with("VmHWM")).unwrap();
    println!("printpdf {n} pages: {:.1} ms, {} bytes, {hwm}", el.as_secs_f64() * 1000.0, bytes.len());
}
