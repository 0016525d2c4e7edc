//! Timestamps in FTP: MDTM/MFMT/MLSD `YYYYMMDDHHMMSS[.sss]` (RFC 3659, UTC),
//! and conversion between civil dates and Unix seconds.

use super::ProtocolError;

/// Seconds since the Unix epoch (UTC) and a sub-second part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    pub seconds: i64,
    pub nanoseconds: u32,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`), valid for every `i64` year this code can produce.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// A validated civil date-time as a timestamp; `None` if any field is out of range.
pub fn from_civil(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<Timestamp> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // 60 allows a leap second, which RFC 3659 permits.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some(Timestamp {
        seconds,
        nanoseconds: 0,
    })
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYYMMDDHHMMSS[.f+]`, the RFC 3659 `time-val`, always UTC.
pub fn parse_time_val(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    let (main, fraction) = match text.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (text, None),
    };
    if main.len() != 14 || !main.is_ascii() {
        return None;
    }
    let year = digits(&main[0..4])?;
    let mut ts = from_civil(
        i64::from(year),
        digits(&main[4..6])?,
        digits(&main[6..8])?,
        digits(&main[8..10])?,
        digits(&main[10..12])?,
        digits(&main[12..14])?,
    )?;
    if let Some(f) = fraction {
        if f.is_empty() || f.len() > 9 {
            return None;
        }
        let value = digits(f)?;
        ts.nanoseconds = value * 10u32.pow(9 - f.len() as u32);
    }
    Some(ts)
}

/// The 213 reply to MDTM.
pub fn parse_mdtm(text: &str) -> Result<Timestamp, ProtocolError> {
    parse_time_val(text).ok_or_else(|| ProtocolError::MalformedValue {
        verb: "MDTM",
        text: text.to_string(),
    })
}

/// `YYYYMMDDHHMMSS` for MFMT (whole seconds, as most servers accept).
pub fn format_time_val(ts: Timestamp) -> String {
    let days = ts.seconds.div_euclid(86_400);
    let secs = ts.seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(11_017), (2000, 3, 1));
        for days in [-1_000_000, -1, 0, 59, 365, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn mdtm_values() {
        assert_eq!(
            parse_mdtm("19700101000000"),
            Ok(Timestamp {
                seconds: 0,
                nanoseconds: 0
            })
        );
        assert_eq!(
            parse_mdtm("20261124223000.25"),
            Ok(Timestamp {
                seconds: 1_795_559_400,
                nanoseconds: 250_000_000
            })
        );
        assert_eq!(parse_mdtm("20240229120000").map(|t| t.seconds), Ok(1_709_208_000));
        for bad in [
            "",
            "2026112422300",
            "20261324000000",
            "20230229000000",
            "2026112424000x",
            "20261124223000.",
            "x",
        ] {
            assert!(parse_mdtm(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn format_round_trips() {
        for s in ["19700101000000", "20261124223059", "19691231235959", "20991231000000"] {
            assert_eq!(format_time_val(parse_time_val(s).unwrap()), s);
        }
    }
}
