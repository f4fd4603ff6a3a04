//! Document information dictionary and XMP metadata stream.

use pdf_writer::{Chunk, Date, Finish, Ref, TextStr};
use xmp_writer::{DateTime, LangId, Timezone, XmpWriter};

use super::{PdfMeta, new_chunk};

/// Returns what lacuna calls itself in Creator and Producer.
pub(super) fn creator() -> String {
    format!("lacuna {}", env!("CARGO_PKG_VERSION"))
}

/// A UTC calendar date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Civil {
    pub(super) year: u16,
    pub(super) month: u8,
    pub(super) day: u8,
    pub(super) hour: u8,
    pub(super) minute: u8,
    pub(super) second: u8,
}

/// Converts seconds since the Unix epoch to a UTC date (proleptic Gregorian), clamped to
/// the years 0–9999 a PDF date can hold. The day count follows Howard Hinnant's
/// `civil_from_days` (chrono-compatible algorithms, public domain).
pub(super) fn civil(timestamp: i64) -> Civil {
    // 0000-01-01 and 9999-12-31T23:59:59 as Unix times.
    let ts = timestamp.clamp(-62_167_219_200, 253_402_300_799);
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year: year.clamp(0, 9999) as u16,
        month: month as u8,
        day: day as u8,
        hour: (secs / 3600) as u8,
        minute: (secs % 3600 / 60) as u8,
        second: (secs % 60) as u8,
    }
}

/// Builds the information dictionary (object `info`) and the XMP stream (object `xmp`).
pub(super) fn write(meta: &PdfMeta, info: Ref, xmp: Ref, id: &[u8]) -> (Chunk, Chunk) {
    let c = civil(meta.timestamp);
    let date = Date::new(c.year)
        .month(c.month)
        .day(c.day)
        .hour(c.hour)
        .minute(c.minute)
        .second(c.second)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    let creator = creator();
    let authors = meta.authors.join(", ");

    let mut chunk = new_chunk();
    let mut d = chunk
        .indirect(info)
        .start::<pdf_writer::writers::DocumentInfo>();
    if let Some(title) = &meta.title {
        d.title(TextStr(title));
    }
    if !meta.authors.is_empty() {
        d.author(TextStr(&authors));
    }
    if let Some(subject) = &meta.subject {
        d.subject(TextStr(subject));
    }
    d.creator(TextStr(&creator))
        .producer(TextStr(&creator))
        .creation_date(date)
        .modified_date(date);
    d.finish();
    let info_chunk = chunk;

    let xdate = DateTime {
        year: c.year,
        month: Some(c.month),
        day: Some(c.day),
        hour: Some(c.hour),
        minute: Some(c.minute),
        second: Some(c.second),
        timezone: Some(Timezone::Utc),
    };
    let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let doc_id = format!(
        "uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    let mut x = XmpWriter::new();
    x.format("application/pdf");
    if let Some(title) = &meta.title {
        // The default entry, and the same title tagged with the document's language.
        let tagged = meta
            .lang
            .as_deref()
            .map(|l| (Some(LangId(l)), title.as_str()));
        x.title(std::iter::once((None, title.as_str())).chain(tagged));
    }
    if !meta.authors.is_empty() {
        x.creator(meta.authors.iter().map(String::as_str));
    }
    if let Some(lang) = &meta.lang {
        x.language([LangId(lang)]);
    }
    if let Some(subject) = &meta.subject {
        x.description([(None, subject.as_str())]);
    }
    x.creator_tool(&creator)
        .producer(&creator)
        .create_date(xdate)
        .modify_date(xdate)
        .metadata_date(xdate)
        .document_id(&doc_id)
        .instance_id(&doc_id)
        .pdf_version("1.7");
    let packet = x.finish(None);
    let mut chunk = new_chunk();
    // Left uncompressed, so that tools scanning files for XMP packets find it (ISO 16684-1).
    chunk.metadata(xmp, packet.as_bytes());
    (info_chunk, chunk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_unix_times_to_utc_dates() {
        let c = civil(0);
        assert_eq!((c.year, c.month, c.day, c.hour), (1970, 1, 1, 0));
        // 2000-02-29T12:34:56Z
        let c = civil(951_827_696);
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second),
            (2000, 2, 29, 12, 34, 56)
        );
        // 1917-11-07T00:00:00Z, before the epoch
        let c = civil(-1_645_747_200);
        assert_eq!((c.year, c.month, c.day), (1917, 11, 7));
        assert_eq!(civil(i64::MAX).year, 9999);
        assert_eq!(civil(i64::MIN).year, 0);
    }
}
