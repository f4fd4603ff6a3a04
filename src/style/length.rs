//! Lengths with units, written in styles as strings such as `"148mm"` or `"10.5pt"`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A length in one of the units typographers use. `em` is relative to a font size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    /// PostScript points (1/72 in).
    Pt(f64),
    /// Millimetres.
    Mm(f64),
    /// Multiples of the current font size.
    Em(f64),
}

impl Length {
    /// Makes a length in points.
    pub const fn pt(v: f64) -> Self {
        Length::Pt(v)
    }

    /// Makes a length in millimetres.
    pub const fn mm(v: f64) -> Self {
        Length::Mm(v)
    }

    /// Makes a length in ems.
    pub const fn em(v: f64) -> Self {
        Length::Em(v)
    }

    /// Converts to points, resolving `em` against `font_size` (in points).
    pub fn to_pt(self, font_size: f64) -> f64 {
        match self {
            Length::Pt(v) => v,
            Length::Mm(v) => v * 72.0 / 25.4,
            Length::Em(v) => v * font_size,
        }
    }

    /// Parses `"12pt"`, `"148mm"`, `"1.5cm"`, `"0.5in"` or `"1em"`.
    pub fn parse(s: &str) -> Result<Length, String> {
        let s = s.trim();
        let split = s
            .find(|c: char| c.is_ascii_alphabetic())
            .ok_or_else(|| format!("length {s:?} has no unit (pt, mm, cm, in, em)"))?;
        let (num, unit) = s.split_at(split);
        let v: f64 = num
            .trim()
            .parse()
            .map_err(|_| format!("length {s:?} does not start with a number"))?;
        if !v.is_finite() || v < 0.0 {
            return Err(format!(
                "length {s:?} must be a finite, non-negative number"
            ));
        }
        match unit {
            "pt" => Ok(Length::Pt(v)),
            "mm" => Ok(Length::Mm(v)),
            "cm" => Ok(Length::Mm(v * 10.0)),
            "in" => Ok(Length::Pt(v * 72.0)),
            "em" => Ok(Length::Em(v)),
            _ => Err(format!(
                "length {s:?} has unknown unit {unit:?} (pt, mm, cm, in, em)"
            )),
        }
    }
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Length::Pt(v) => write!(f, "{v}pt"),
            Length::Mm(v) => write!(f, "{v}mm"),
            Length::Em(v) => write!(f, "{v}em"),
        }
    }
}

impl Serialize for Length {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Length {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Length::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(Length::parse("12pt").unwrap(), Length::Pt(12.0));
        assert_eq!(Length::parse("1.5cm").unwrap(), Length::Mm(15.0));
        assert_eq!(Length::parse(" 2em ").unwrap(), Length::Em(2.0));
        assert!((Length::parse("25.4mm").unwrap().to_pt(0.0) - 72.0).abs() < 1e-9);
        assert!(Length::parse("12").is_err());
        assert!(Length::parse("12px").is_err());
        assert!(Length::parse("-3pt").is_err());
    }
}
