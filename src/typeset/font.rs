//! The bundled fonts: Linux Libertine O in four styles and DejaVu Serif as the fallback
//! for characters Libertine lacks. The files are embedded in the binary, parsed once
//! and shared by every typesetter (see `fonts/README.md` for their licences).

use std::sync::{Arc, OnceLock};

use rustybuzz::Face;

use super::frame::{FaceData, FaceId, FaceSet};

/// The name of the default family, as styles name it in `text.font`.
pub const DEFAULT_FAMILY: &str = "Linux Libertine O";

pub(crate) static LIBERTINE_R: &[u8] = include_bytes!("../../fonts/LinLibertine_R.otf");
pub(crate) static LIBERTINE_RI: &[u8] = include_bytes!("../../fonts/LinLibertine_RI.otf");
pub(crate) static LIBERTINE_RB: &[u8] = include_bytes!("../../fonts/LinLibertine_RB.otf");
pub(crate) static LIBERTINE_RBI: &[u8] = include_bytes!("../../fonts/LinLibertine_RBI.otf");
static DEJAVU_SERIF: &[u8] = include_bytes!("../../fonts/DejaVuSerif.ttf");

/// One parsed font face.
pub struct Font {
    /// The face's PostScript name.
    pub postscript_name: String,
    /// A human-readable name for messages ("Linux Libertine O Italic").
    pub display_name: String,
    /// The font file.
    pub data: &'static [u8],
    /// The parsed face, ready for shaping.
    pub face: Face<'static>,
    /// Font units per em.
    pub units_per_em: f64,
}

impl Font {
    fn parse(data: &'static [u8], display_name: &str) -> Option<Font> {
        let face = Face::from_slice(data, 0)?;
        let postscript_name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == rustybuzz::ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| display_name.replace(' ', ""));
        let units_per_em = f64::from(face.units_per_em());
        Some(Font {
            postscript_name,
            display_name: display_name.to_owned(),
            data,
            face,
            units_per_em,
        })
    }

    /// Tells whether the face has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }
}

/// The four styles of a family, by face id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Family {
    /// Upright.
    pub regular: FaceId,
    /// Italic.
    pub italic: FaceId,
    /// Bold.
    pub bold: FaceId,
    /// Bold italic.
    pub bold_italic: FaceId,
}

impl Family {
    /// Returns the face for a combination of weight and slope.
    pub fn select(&self, bold: bool, italic: bool) -> FaceId {
        match (bold, italic) {
            (false, false) => self.regular,
            (false, true) => self.italic,
            (true, false) => self.bold,
            (true, true) => self.bold_italic,
        }
    }
}

/// All faces the engine can use, parsed once. `FaceId(i)` is `fonts[i]`, the same
/// numbering as the [`FaceSet`] a writer embeds.
pub struct FontBook {
    fonts: Vec<Font>,
    family: Family,
    fallback: Vec<FaceId>,
}

impl FontBook {
    /// Returns the bundled fonts, parsed on first use and shared afterwards.
    pub fn bundled() -> &'static FontBook {
        static BOOK: OnceLock<FontBook> = OnceLock::new();
        BOOK.get_or_init(|| {
            let specs: [(&'static [u8], &str); 5] = [
                (LIBERTINE_R, "Linux Libertine O"),
                (LIBERTINE_RI, "Linux Libertine O Italic"),
                (LIBERTINE_RB, "Linux Libertine O Bold"),
                (LIBERTINE_RBI, "Linux Libertine O Bold Italic"),
                (DEJAVU_SERIF, "DejaVu Serif"),
            ];
            // The bundled files are checked by a test; a parse failure here would be a
            // build defect, not an input error.
            let fonts = specs
                .iter()
                .map(|(data, name)| Font::parse(data, name).expect("bundled fonts parse"))
                .collect();
            FontBook {
                fonts,
                family: Family {
                    regular: FaceId(0),
                    italic: FaceId(1),
                    bold: FaceId(2),
                    bold_italic: FaceId(3),
                },
                fallback: vec![FaceId(4)],
            }
        })
    }

    /// Returns the family a style's `text.font` names, or `None` when no bundled family
    /// has that name (matching ignores case, spaces and a trailing " O").
    pub fn family(&self, name: &str) -> Option<Family> {
        let norm: String = name
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
            .flat_map(char::to_lowercase)
            .collect();
        matches!(
            norm.as_str(),
            "linuxlibertineo" | "linuxlibertine" | "libertine" | "linlibertine" | "serif"
        )
        .then_some(self.family)
    }

    /// Returns the default family.
    pub fn default_family(&self) -> Family {
        self.family
    }

    /// Returns the faces tried, in order, for characters a family lacks.
    pub fn fallback(&self) -> &[FaceId] {
        &self.fallback
    }

    /// Returns the faces to try, in order, for a character `face` lacks: the nearest
    /// styles of its own family first (Libertine's bold italic has no Cyrillic, so
    /// bold, then italic, then regular stand in), then the fallback faces.
    pub fn fallback_for(&self, face: FaceId) -> Vec<FaceId> {
        let f = self.family;
        let mut chain = if face == f.bold_italic {
            vec![f.bold, f.italic, f.regular]
        } else if face == f.bold || face == f.italic {
            vec![f.regular]
        } else {
            Vec::new()
        };
        chain.extend(self.fallback.iter().copied());
        chain
    }

    /// Returns a face by id.
    pub fn font(&self, id: FaceId) -> &Font {
        &self.fonts[id.0 as usize]
    }

    /// Returns the faces as a writer needs them, numbered like [`FaceId`]s.
    pub fn face_set(&self) -> FaceSet {
        FaceSet {
            faces: self
                .fonts
                .iter()
                .map(|f| FaceData {
                    postscript_name: f.postscript_name.clone(),
                    data: Arc::from(f.data),
                    index: 0,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fonts_load_and_cover_latin_greek_cyrillic() {
        let book = FontBook::bundled();
        let fam = book.family("Linux Libertine O").unwrap();
        for id in [fam.regular, fam.italic, fam.bold, fam.bold_italic] {
            let f = book.font(id);
            assert!(
                f.postscript_name.starts_with("LinuxLibertineO"),
                "{}",
                f.postscript_name
            );
            // Libertine's bold italic has Latin only; the others Greek and Cyrillic too.
            let text = if id == fam.bold_italic {
                "AzéßŒ –—‘’“”…"
            } else {
                "AzéßŒ Жжя Ωωά –—‘’“”…"
            };
            for c in text.chars() {
                assert!(f.covers(c), "{} lacks {c:?}", f.display_name);
            }
        }
        assert!(!book.font(fam.bold_italic).covers('Ж'));
        assert_eq!(book.fallback_for(fam.bold_italic)[0], fam.bold);
        assert_ne!(
            book.font(fam.italic).postscript_name,
            book.font(fam.regular).postscript_name
        );
        // The fallback has what Libertine lacks, e.g. some arrows and box drawing.
        let fb = book.font(book.fallback()[0]);
        assert!(!book.font(fam.regular).covers('⇶') && fb.covers('⇶'));
        assert_eq!(book.face_set().faces.len(), 5);
        assert!(book.family("Comic Sans").is_none());
        assert_eq!(book.family("linux libertine"), Some(fam));
    }
}
