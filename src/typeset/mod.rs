//! The typesetting engine: fonts, shaping, hyphenation, line breaking and page building.
//!
//! A page builder sets a document's paragraphs with a [`paragraph::Typesetter`]:
//!
//! ```
//! use lacuna::style::{Align, Style};
//! use lacuna::typeset::paragraph::{Measure, Span, SpanStyle, Typesetter};
//!
//! let style = Style::default();
//! let mut ts = Typesetter::new(&style, "en");
//! let spans = [Span::new("In olden times when wishing still helped one…", SpanStyle::regular(10.5))];
//! let lines = ts.set_paragraph(&spans, &Measure::new(150.0, 10.5, Align::Justify)).value;
//! assert!(lines.len() >= 2);
//! let items = lines[0].to_items(50.0, 80.0); // page items at x = 50 pt, baseline 80 pt
//! assert!(!items.is_empty());
//! ```

pub mod font;
pub mod frame;
pub mod hyphenate;
pub mod image;
pub mod knuth_plass;
pub mod long_word;
pub mod page;
pub mod paragraph;
pub mod shape;
