//! Shaping with rustybuzz: glyphs, advances (kerning), ligatures and the OpenType
//! features a style asks for, with a fallback face for characters the main face lacks.
//! Shaped words are cached: a book repeats its vocabulary, and shaping is the costliest
//! step of setting a paragraph.

use std::cell::RefCell;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};

use compact_str::CompactString;
use rustc_hash::FxHashMap;
use rustybuzz::{Feature, ShapePlan, UnicodeBuffer};

use super::font::FontBook;
use super::frame::FaceId;

/// One shaped glyph. Advances and offsets are in ems (font units / units per em), so a
/// shaped word serves every size.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// The face the glyph comes from (the main face or a fallback).
    pub face: FaceId,
    /// Glyph id in that face.
    pub id: u16,
    /// Horizontal advance, in ems.
    pub advance: f64,
    /// Horizontal offset of the glyph from its pen position, in ems.
    pub x_offset: f64,
    /// Vertical offset (up), in ems.
    pub y_offset: f64,
    /// Byte offset in the shaped text of the cluster this glyph belongs to.
    pub cluster: usize,
}

/// A character that the main face lacks.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    /// Its byte offset in the shaped text.
    pub offset: usize,
    /// The character.
    pub c: char,
    /// The face that stands in for it (another style of the family, or a fallback
    /// face), or `None` if no bundled face has it (the glyph is then the main face's
    /// `.notdef`).
    pub fallback: Option<FaceId>,
}

/// A shaped piece of text in one face.
#[derive(Debug, Clone, PartialEq)]
pub struct Shaped {
    /// The glyphs, in visual (= logical, left-to-right) order.
    pub glyphs: Vec<Glyph>,
    /// The sum of the advances, in ems.
    pub width: f64,
    /// Characters set from a fallback face or not at all.
    pub missing: Vec<Missing>,
}

impl Shaped {
    /// Returns the glyph index at which byte offset `at` starts a cluster, or `None` if
    /// `at` falls inside a cluster (a ligature, say).
    pub fn glyph_boundary(&self, at: usize) -> Option<usize> {
        let i = self.glyphs.partition_point(|g| g.cluster < at);
        let starts_here = self.glyphs.get(i).is_some_and(|g| g.cluster == at);
        let prev_differs = i == 0 || self.glyphs[i - 1].cluster < at;
        (starts_here && prev_differs).then_some(i)
    }

    /// Returns the advance of glyphs `from..to`, in ems.
    pub fn advance(&self, from: usize, to: usize) -> f64 {
        self.glyphs[from..to].iter().map(|g| g.advance).sum()
    }
}

/// Which face and features to shape with; small caps are the `smcp` feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShapeKey {
    /// The main face.
    pub face: FaceId,
    /// Whether `smcp` is on.
    pub small_caps: bool,
}

/// A cache of shaped text and shaping plans, for one set of style features.
pub struct Shaper {
    book: &'static FontBook,
    features: Vec<Feature>,
    smcp_features: Vec<Feature>,
    /// Shared with the other shapers of the same features made on this thread.
    cache: SharedCache,
    /// Names in the style's feature list that are not OpenType feature tags.
    pub bad_features: Vec<String>,
}

/// What a shaper has learnt: plans and shaped words.
#[derive(Default)]
struct Cache {
    plans: FxHashMap<(FaceId, bool, rustybuzz::Script), Arc<ShapePlan>>,
    /// Shaped words by their text. Keys up to 24 bytes (nearly every word) are stored in
    /// the table itself: with boxed keys, reading each key from the heap to compare it
    /// cost a cache miss per word set.
    words: FxHashMap<ShapeKey, FxHashMap<CompactString, Arc<Shaped>>>,
}

impl Cache {
    fn len(&self) -> usize {
        self.words.values().map(|m| m.len()).sum()
    }
}

/// Most words a thread's cache holds before it starts afresh: a corpus's vocabulary
/// keeps growing with its size, and memory must not.
const MAX_WORDS: usize = 200_000;

thread_local! {
    /// One cache per feature list, shared by every shaper on this thread. In a corpus
    /// each document gets new typesetters (three of them: text, titles, running heads);
    /// sharing means a short document does not pay again for shaping the language's
    /// common words. Shaping is deterministic, so the output is the same as with an
    /// empty cache.
    static CACHES: RefCell<Vec<(Vec<String>, SharedCache)>> = const { RefCell::new(Vec::new()) };
}

/// A cache shared by shapers. Each thread has its own, so the lock is never contended;
/// a shaper that moves to another thread keeps its cache, which stays correct (the
/// cache holds only what its features give).
type SharedCache = Arc<Mutex<Cache>>;

/// Returns this thread's cache for `features`, emptied first if it grew too large.
fn thread_cache(features: &[String]) -> SharedCache {
    CACHES.with(|caches| {
        let mut caches = caches.borrow_mut();
        let cache = match caches.iter().find(|(k, _)| k == features) {
            Some((_, c)) => c.clone(),
            None => {
                let c = SharedCache::default();
                caches.push((features.to_vec(), c.clone()));
                c
            }
        };
        let mut locked = lock(&cache);
        if locked.len() > MAX_WORDS {
            locked.words.clear();
        }
        drop(locked);
        cache
    })
}

/// Locks a cache; a panic while it was held leaves at worst a missing entry, so a
/// poisoned lock is used as it is.
fn lock(cache: &SharedCache) -> MutexGuard<'_, Cache> {
    cache.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shaper {
    /// Makes a shaper with the style's OpenType features (`text.features`, e.g. `onum`;
    /// kerning and standard ligatures are on by default in every shaper).
    pub fn new(book: &'static FontBook, features: &[String]) -> Shaper {
        let mut parsed = Vec::new();
        let mut bad = Vec::new();
        for f in features {
            match Feature::from_str(f) {
                Ok(feat) => parsed.push(feat),
                Err(_) => bad.push(f.clone()),
            }
        }
        let mut smcp = parsed.clone();
        smcp.extend(Feature::from_str("smcp"));
        Shaper {
            book,
            features: parsed,
            smcp_features: smcp,
            cache: thread_cache(features),
            bad_features: bad,
        }
    }

    /// Returns `text` shaped with `key`, from the cache when it was shaped before.
    pub fn shape(&mut self, key: ShapeKey, text: &str) -> Arc<Shaped> {
        let found = lock(&self.cache)
            .words
            .get(&key)
            .and_then(|m| m.get(text))
            .cloned();
        if let Some(s) = found {
            return s;
        }
        let shaped = Arc::new(self.shape_uncached(key, text));
        lock(&self.cache)
            .words
            .entry(key)
            .or_default()
            .insert(CompactString::from(text), shaped.clone());
        shaped
    }

    /// Returns the number of distinct texts in the cache (shaped by this shaper or by
    /// an earlier one on the same thread).
    pub fn cached(&self) -> usize {
        lock(&self.cache).len()
    }

    fn run(&mut self, face: FaceId, small_caps: bool, text: &str) -> Vec<Glyph> {
        let font = &self.book.font(face);
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let script = buffer.script();
        let direction = buffer.direction();
        let features = if small_caps {
            &self.smcp_features
        } else {
            &self.features
        };
        let plan = lock(&self.cache)
            .plans
            .entry((face, small_caps, script))
            .or_insert_with(|| {
                Arc::new(ShapePlan::new(
                    &font.face,
                    direction,
                    Some(script),
                    None,
                    features,
                ))
            })
            .clone();
        let out = rustybuzz::shape_with_plan(&font.face, &plan, buffer);
        let upem = font.units_per_em;
        out.glyph_infos()
            .iter()
            .zip(out.glyph_positions())
            .map(|(info, pos)| Glyph {
                face,
                id: info.glyph_id as u16,
                advance: f64::from(pos.x_advance) / upem,
                x_offset: f64::from(pos.x_offset) / upem,
                y_offset: f64::from(pos.y_offset) / upem,
                cluster: info.cluster as usize,
            })
            .collect()
    }

    fn shape_uncached(&mut self, key: ShapeKey, text: &str) -> Shaped {
        let mut glyphs = self.run(key.face, key.small_caps, text);
        let mut missing = Vec::new();
        if glyphs.iter().any(|g| g.id == 0) {
            // Replace each run of .notdef clusters by the fallback's glyphs, where a
            // fallback face has every character of the run.
            let mut out = Vec::with_capacity(glyphs.len());
            let mut i = 0;
            while i < glyphs.len() {
                if glyphs[i].id != 0 {
                    out.push(glyphs[i].clone());
                    i += 1;
                    continue;
                }
                let mut j = i;
                while j < glyphs.len() && glyphs[j].id == 0 {
                    j += 1;
                }
                let start = glyphs[i].cluster;
                let end = glyphs.get(j).map_or(text.len(), |g| g.cluster);
                let (start, end) = (start.min(end), start.max(end));
                let piece = &text[start..end];
                let fallback = self
                    .book
                    .fallback_for(key.face)
                    .into_iter()
                    .find(|&f| piece.chars().all(|c| self.book.font(f).covers(c)));
                for (off, c) in piece.char_indices() {
                    missing.push(Missing {
                        offset: start + off,
                        c,
                        fallback,
                    });
                }
                match fallback {
                    Some(f) => {
                        for mut g in self.run(f, key.small_caps, piece) {
                            g.cluster += start;
                            out.push(g);
                        }
                    }
                    None => out.extend(glyphs[i..j].iter().cloned()),
                }
                i = j;
            }
            glyphs = out;
        }
        let width = glyphs.iter().map(|g| g.advance).sum();
        Shaped {
            glyphs,
            width,
            missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shaper() -> (Shaper, ShapeKey) {
        let book = FontBook::bundled();
        let key = ShapeKey {
            face: book.default_family().regular,
            small_caps: false,
        };
        (Shaper::new(book, &[]), key)
    }

    #[test]
    fn kerning_and_ligatures_apply() {
        let (mut s, key) = shaper();
        // "fi" becomes one glyph whose cluster covers both letters.
        let fi = s.shape(key, "fine");
        assert_eq!(fi.glyphs.len(), 3, "{fi:?}");
        assert_eq!(fi.glyph_boundary(1), None);
        assert_eq!(fi.glyph_boundary(2), Some(1));
        // "AV" is kerned: narrower than A and V set apart.
        let av = s.shape(key, "AV").width;
        let a = s.shape(key, "A").width;
        let v = s.shape(key, "V").width;
        assert!(av < a + v - 0.01, "{av} vs {}", a + v);
        // The cache returns the same shaping.
        assert!(Arc::ptr_eq(&s.shape(key, "fine"), &fi));
    }

    #[test]
    fn features_change_glyphs() {
        let book = FontBook::bundled();
        let key = ShapeKey {
            face: book.default_family().regular,
            small_caps: false,
        };
        let mut plain = Shaper::new(book, &[]);
        let mut onum = Shaper::new(book, &["onum".to_owned()]);
        let a = plain.shape(key, "1917");
        let b = onum.shape(key, "1917");
        assert_ne!(
            a.glyphs[0].id, b.glyphs[0].id,
            "onum selects old-style figures"
        );
        let sc = plain.shape(
            ShapeKey {
                small_caps: true,
                ..key
            },
            "minutes",
        );
        let lc = plain.shape(key, "minutes");
        assert_ne!(
            sc.glyphs[0].id, lc.glyphs[0].id,
            "smcp selects small capitals"
        );
        assert!(
            Shaper::new(book, &["not a feature!".into()])
                .bad_features
                .len()
                == 1
        );
    }

    #[test]
    fn fallback_and_missing_characters_are_recorded() {
        let (mut s, key) = shaper();
        let t = s.shape(key, "a⇶b😀");
        assert_eq!(t.missing.len(), 2, "{:?}", t.missing);
        assert_eq!(t.missing[0].c, '⇶');
        assert!(t.missing[0].fallback.is_some());
        assert_eq!(t.missing[1].c, '😀');
        assert_eq!(t.missing[1].fallback, None);
        assert!(t.glyphs.iter().any(|g| g.face == FaceId(4)));
    }
}
