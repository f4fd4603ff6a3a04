//! The typesetting engine: fonts, shaping, hyphenation, line breaking and page building.

pub mod frame;
pub mod knuth_plass;
pub mod font;
pub mod hyphenate;
pub mod shape;
pub mod paragraph;
