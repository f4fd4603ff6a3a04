//! Hyphenation with Liang's patterns (the TeX patterns, embedded by the `hyphenation`
//! crate), chosen by the document's BCP 47 language, with the rules a book needs on
//! top: left/right minima from the style, no hyphenation of acronyms, of words with
//! digits, or of words holding other non-letters.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, Mutex};

use compact_str::CompactString;
use hyphenation::{Hyphenator as _, Language, Load, Standard};
use rustc_hash::FxHashMap;

/// Maps a BCP 47 tag to the patterns to use, or `None` when none are bundled.
/// A bare `en` means American English, `de` the 1996 orthography.
pub fn language_for(tag: &str) -> Option<Language> {
    let lower = tag.trim().to_ascii_lowercase().replace('_', "-");
    let primary = lower.split('-').next().unwrap_or("");
    let region = lower.split('-').nth(1).unwrap_or("");
    let lang = match (primary, region) {
        ("en", "gb" | "uk" | "au" | "nz" | "ie" | "za" | "in") => Language::EnglishGB,
        ("en", _) => Language::EnglishUS,
        ("de", "ch") => Language::GermanSwiss,
        ("de", _) => Language::German1996,
        ("ru", _) => Language::Russian,
        ("fr", _) => Language::French,
        ("la", _) => Language::Latin,
        ("el", _) => Language::GreekMono,
        _ => Language::try_from_code(&lower).or_else(|| Language::try_from_code(primary))?,
    };
    Some(lang)
}

/// Returns the patterns for `language` with the given minima, loaded once per process
/// and shared by every typesetter and thread (loading the embedded patterns costs
/// more than setting a short document).
fn dictionary(language: Language, minima: (usize, usize)) -> Option<Arc<Standard>> {
    static LOADED: LazyLock<Mutex<BTreeMap<Key, Arc<Standard>>>> =
        LazyLock::new(|| Mutex::new(BTreeMap::new()));
    let key = (language.code().to_owned(), minima);
    // A poisoned lock only means another thread panicked while loading: the map
    // itself is still valid.
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dict) = loaded.get(&key) {
        return Some(dict.clone());
    }
    let mut dict = Standard::from_embedded(language).ok()?;
    dict.minima = minima;
    let dict = Arc::new(dict);
    loaded.insert(key, dict.clone());
    Some(dict)
}

/// The words a hyphenator has seen: index into `results` by word (short words stored
/// inline: no cache miss on a pointer to compare the key).
#[derive(Default)]
struct Seen {
    cache: FxHashMap<CompactString, u32>,
    results: Vec<Box<[u16]>>,
}

/// Most words a dropped hyphenator hands on: memory stays bounded over a corpus.
const SPARE_WORDS: usize = 200_000;

thread_local! {
    /// Word caches of hyphenators dropped on this thread, by language and minima, for
    /// the next document's hyphenator (the points of a word never change).
    static SPARE: RefCell<Vec<(Key, Seen)>> = const { RefCell::new(Vec::new()) };
}

type Key = (String, (usize, usize));

/// A hyphenation dictionary with the style's minima and a cache of words seen.
pub struct Hyphenator {
    dict: Option<Arc<Standard>>,
    /// Language and minima: where the cache goes when the hyphenator is dropped.
    key: Option<Key>,
    /// Fewest letters a hyphenatable word has (left + right minimum).
    shortest: usize,
    seen: Seen,
}

impl Drop for Hyphenator {
    fn drop(&mut self) {
        let (Some(key), seen) = (self.key.take(), std::mem::take(&mut self.seen)) else {
            return;
        };
        if seen.results.len() > SPARE_WORDS {
            return;
        }
        let _ = SPARE.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < 4 {
                spare.push((key, seen));
            }
        });
    }
}

impl Hyphenator {
    /// Loads the patterns for `lang` (a BCP 47 tag) with `left`/`right` the fewest
    /// letters before/after a hyphen. Returns `None` for a language without patterns.
    pub fn new(lang: &str, left: usize, right: usize) -> Option<Hyphenator> {
        let language = language_for(lang)?;
        let minima = (left.max(1), right.max(1));
        let dict = dictionary(language, minima)?;
        let key = (language.code().to_owned(), minima);
        let seen = SPARE
            .try_with(|spare| {
                let mut spare = spare.borrow_mut();
                let i = spare.iter().position(|(k, _)| *k == key)?;
                Some(spare.swap_remove(i).1)
            })
            .ok()
            .flatten()
            .unwrap_or_default();
        Some(Hyphenator {
            shortest: dict.minima.0 + dict.minima.1,
            dict: Some(dict),
            key: Some(key),
            seen,
        })
    }

    /// Makes a hyphenator that never hyphenates.
    pub fn none() -> Hyphenator {
        Hyphenator {
            shortest: usize::MAX,
            dict: None,
            key: None,
            seen: Seen::default(),
        }
    }

    /// Returns the byte offsets in `word` where a hyphen may be inserted. `word` is a run
    /// of text between spaces and explicit breaks; leading and trailing punctuation is
    /// skipped. Acronyms (two or more capitals and no lower-case letter), words with
    /// digits and words with non-letters inside get no hyphenation points.
    pub fn points(&mut self, word: &str) -> &[u16] {
        // Most words are too short to hyphenate: answer without hashing them (a word
        // of fewer bytes than the minima has fewer letters too).
        if word.len() < self.shortest {
            return &[];
        }
        // One hash lookup for a word seen before (the common case in a book).
        if let Some(&i) = self.seen.cache.get(word) {
            return &self.seen.results[i as usize];
        }
        let points = self.compute(word);
        let seen = &mut self.seen;
        seen.results.push(points.into_boxed_slice());
        let i = (seen.results.len() - 1) as u32;
        seen.cache.insert(CompactString::from(word), i);
        &seen.results[i as usize]
    }

    fn compute(&self, word: &str) -> Vec<u16> {
        let Some(dict) = &self.dict else {
            return Vec::new();
        };
        if word.len() > u16::MAX as usize || word.chars().any(|c| c.is_numeric()) {
            return Vec::new();
        }
        let start = word
            .char_indices()
            .find(|(_, c)| c.is_alphabetic())
            .map_or(word.len(), |(i, _)| i);
        let end = word
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_alphabetic())
            .map_or(start, |(i, c)| i + c.len_utf8());
        if start >= end {
            return Vec::new();
        }
        let core = &word[start..end];
        // Combining marks belong to their letter; anything else inside (apostrophes,
        // dots, slashes) makes the word something the patterns were not made for.
        if !core
            .chars()
            .all(|c| c.is_alphabetic() || is_combining(c) || c == '\u{ad}')
        {
            return Vec::new();
        }
        let upper = core.chars().filter(|c| c.is_uppercase()).count();
        let lower = core.chars().filter(|c| c.is_lowercase()).count();
        if upper >= 2 && lower == 0 {
            return Vec::new();
        }
        dict.hyphenate(core)
            .breaks
            .into_iter()
            .map(|b| (b + start) as u16)
            .collect()
    }
}

fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(h: &mut Hyphenator, word: &str) -> String {
        let points = h.points(word).to_vec();
        let mut out = String::new();
        let mut last = 0;
        for p in points {
            out.push_str(&word[last..p as usize]);
            out.push('-');
            last = p as usize;
        }
        out.push_str(&word[last..]);
        out
    }

    #[test]
    fn languages_map_from_bcp47() {
        assert_eq!(language_for("en"), Some(Language::EnglishUS));
        assert_eq!(language_for("en-GB"), Some(Language::EnglishGB));
        assert_eq!(language_for("ru-RU"), Some(Language::Russian));
        assert_eq!(language_for("de"), Some(Language::German1996));
        assert_eq!(language_for("fr-CA"), Some(Language::French));
        assert_eq!(language_for("la"), Some(Language::Latin));
        assert_eq!(language_for("x-klingon"), None);
        for tag in ["en-US", "en-GB", "ru", "de", "fr", "la"] {
            assert!(Hyphenator::new(tag, 2, 3).is_some(), "{tag} patterns load");
        }
    }

    /// Expected splits were checked by hand against dictionary syllabification
    /// (Merriam-Webster's end-of-line divisions for American English, the Oxford
    /// dictionaries' for British, Ozhegov/Rosental's rules for Russian), not copied
    /// from the program's output; where the patterns find fewer points than the
    /// dictionary (they are tuned to never be wrong rather than to find all), the
    /// comment says so.
    #[test]
    fn english_words_hyphenate_as_the_dictionary_does() {
        let mut us = Hyphenator::new("en-US", 2, 3).unwrap();
        // Collins and Dictionary.com: hy·phen·a·tion (Merriam-Webster's end-of-line
        // divisions leave out the "a·tion" point; the US patterns follow the former).
        assert_eq!(split(&mut us, "hyphenation"), "hy-phen-a-tion");
        // M-W: rev·o·lu·tion.
        assert_eq!(split(&mut us, "revolution"), "rev-o-lu-tion");
        // M-W: ta·ble. The patterns find no point here: they are made to miss points
        // rather than to find wrong ones (TeX's own exception list adds "ta-ble"), and a
        // missed point only costs a little freedom, so we accept it.
        assert_eq!(split(&mut us, "table"), "table");
        // Punctuation stays out of the pattern match, the offsets are in the word.
        assert_eq!(split(&mut us, "(revolution),"), "(rev-o-lu-tion),");
        // Left minimum 2, right minimum 3: "about" (a·bout) cannot break.
        assert_eq!(split(&mut us, "about"), "about");
        // Acronyms and words with digits are left alone.
        assert_eq!(split(&mut us, "UNESCO"), "UNESCO");
        assert_eq!(split(&mut us, "B52bomber"), "B52bomber");
        // A capitalised word is still a word.
        assert_eq!(split(&mut us, "Revolution"), "Rev-o-lu-tion");
        let mut gb = Hyphenator::new("en-GB", 2, 3).unwrap();
        // British practice divides by etymology and pronunciation alike: the points the
        // British patterns give must be syllable boundaries of re·vo·lu·tion
        // (etymological, re + volvere) or rev·o·lu·tion (Collins), i.e. after
        // re, rev, revo or revolu.
        let points = gb.points("revolution").to_vec();
        assert!(!points.is_empty());
        assert!(
            points.iter().all(|p| [2, 3, 4, 6].contains(p)),
            "{points:?}"
        );
    }

    #[test]
    fn russian_words_hyphenate_as_the_dictionary_does() {
        let mut ru = Hyphenator::new("ru", 2, 2).unwrap();
        // ре-во-лю-ция: the Russian rules allow ре·во·лю·ция.
        assert_eq!(split(&mut ru, "революция"), "ре-во-лю-ция");
        // со-бра-ние (meeting), пред-се-да-тель (chairman).
        assert_eq!(split(&mut ru, "собрание"), "со-бра-ние");
        assert_eq!(split(&mut ru, "председатель"), "пред-се-да-тель");
        // With the style's right minimum 3 the splits stay ("ция", "ние" have three).
        let mut ru3 = Hyphenator::new("ru", 2, 3).unwrap();
        assert_eq!(split(&mut ru3, "революция"), "ре-во-лю-ция");
        assert_eq!(split(&mut ru3, "собрание"), "со-бра-ние");
    }
}
