//! The typesetting engine: fonts, shaping, hyphenation, line breaking and page building.

pub mod frame;
pub mod knuth_plass;
