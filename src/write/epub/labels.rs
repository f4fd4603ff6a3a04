//! The few words the e-book adds itself (navigation, accessible names), in the book's
//! language where lacuna knows them, in English otherwise.

/// Words the package writes around the text.
pub(super) struct Labels {
    /// The language these labels are in (a BCP 47 primary subtag).
    pub lang: &'static str,
    /// Heading of the table of contents.
    pub contents: &'static str,
    /// The title page, in the table of contents and landmarks.
    pub title_page: &'static str,
    /// Heading of the landmarks list (hidden).
    pub landmarks: &'static str,
    /// The start of the body text, in the landmarks.
    pub text: &'static str,
    /// Accessible name of a section's footnotes.
    pub notes: &'static str,
    /// Accessible name of the colophon.
    pub colophon: &'static str,
    /// A section without a heading, before its number.
    pub section: &'static str,
    /// The title of a document without one.
    pub untitled: &'static str,
    /// Heading of the list of the source's pages (hidden).
    pub pages: &'static str,
}

const LABELS: &[Labels] = &[
    Labels {
        lang: "en",
        contents: "Contents",
        title_page: "Title page",
        landmarks: "Landmarks",
        text: "Text",
        notes: "Notes",
        colophon: "Colophon",
        section: "Section",
        untitled: "Untitled",
        pages: "Pages",
    },
    Labels {
        lang: "ru",
        contents: "Содержание",
        title_page: "Титульный лист",
        landmarks: "Ориентиры",
        text: "Текст",
        notes: "Примечания",
        colophon: "Выходные данные",
        section: "Раздел",
        untitled: "Без названия",
        pages: "Страницы",
    },
    Labels {
        lang: "de",
        contents: "Inhalt",
        title_page: "Titelseite",
        landmarks: "Orientierungspunkte",
        text: "Text",
        notes: "Anmerkungen",
        colophon: "Impressum",
        section: "Abschnitt",
        untitled: "Ohne Titel",
        pages: "Seiten",
    },
    Labels {
        lang: "fr",
        contents: "Table des matières",
        title_page: "Page de titre",
        landmarks: "Repères",
        text: "Texte",
        notes: "Notes",
        colophon: "Colophon",
        section: "Section",
        untitled: "Sans titre",
        pages: "Pages",
    },
];

/// Returns the labels for a BCP 47 language tag, English when the language is not known.
pub(super) fn for_lang(tag: &str) -> &'static Labels {
    let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
    LABELS
        .iter()
        .find(|l| l.lang == primary)
        .unwrap_or(&LABELS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_primary_language() {
        assert_eq!(for_lang("ru-RU").contents, "Содержание");
        assert_eq!(for_lang("DE").notes, "Anmerkungen");
        assert_eq!(for_lang("en-GB").lang, "en");
        assert_eq!(for_lang("zz").lang, "en");
    }
}
