//! Calendar arithmetic for the SRP `TIMESTAMP` (`EEE MMM d HH:mm:ss UTC yyyy`) and ISO dates.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Seconds since the Unix epoch (negative before it).
pub(crate) fn epoch_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Fractional seconds since the epoch, as AWS JSON timestamps are sent.
pub(crate) fn epoch_f64(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// The time [`epoch_exact`] gave.
pub(crate) fn from_epoch_exact(parts: (u64, u32)) -> SystemTime {
    UNIX_EPOCH + Duration::new(parts.0, parts.1)
}

/// Seconds and nanoseconds since the epoch (0 before it): [`from_epoch_exact`] gives back the
/// same time (the data directory stores times so).
pub(crate) fn epoch_exact(t: SystemTime) -> (u64, u32) {
    t.duration_since(UNIX_EPOCH)
        .map_or((0, 0), |d| (d.as_secs(), d.subsec_nanos()))
}

/// A time from seconds since the epoch.
pub(crate) fn from_epoch(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month 1-12, day 1-31) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `Tue Nov 3 12:00:00 UTC 2026`: English names, UTC, day of month not zero-padded.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn srp_timestamp(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let dow = DAYS
        .get(usize::try_from(days.rem_euclid(7)).unwrap_or(0))
        .copied()
        .unwrap_or("Thu");
    let mon = MONTHS
        .get(usize::try_from(month - 1).unwrap_or(0))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{dow} {mon} {day} {:02}:{:02}:{:02} UTC {year}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// An HTTP `Date` header value (IMF-fixdate): `Sun, 22 Nov 2026 02:22:07 GMT`.
pub(crate) fn http_date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let dow = DAYS
        .get(usize::try_from(days.rem_euclid(7)).unwrap_or(0))
        .copied()
        .unwrap_or("Thu");
    let mon = MONTHS
        .get(usize::try_from(month - 1).unwrap_or(0))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{dow}, {day:02} {mon} {year} {:02}:{:02}:{:02} GMT",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Parses an SRP `TIMESTAMP`; the day may be zero-padded or not, and the weekday must agree with the date.
pub(crate) fn parse_srp_timestamp(text: &str) -> Option<i64> {
    let parts: Vec<&str> = text.split(' ').filter(|p| !p.is_empty()).collect();
    let [dow, mon, day, hms, utc, year] = parts.as_slice() else {
        return None;
    };
    if *utc != "UTC" || !DAYS.contains(dow) {
        return None;
    }
    let month = i64::try_from(MONTHS.iter().position(|m| m == mon)?).ok()? + 1;
    let day: i64 = parse_digits(day, 1, 2)?;
    let year: i64 = parse_digits(year, 4, 4)?;
    let hms: Vec<&str> = hms.split(':').collect();
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    let (h, m, s) = (
        parse_digits(h, 2, 2)?,
        parse_digits(m, 2, 2)?,
        parse_digits(s, 2, 2)?,
    );
    if !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let (_, check_month, _) = civil_from_days(days);
    if check_month != month {
        return None;
    }
    let expected_dow = DAYS.get(usize::try_from(days.rem_euclid(7)).ok()?)?;
    if expected_dow != dow {
        return None;
    }
    Some(days * 86_400 + h * 3600 + m * 60 + s)
}

/// SigV4's `x-amz-date`: `20261122T010000Z`.
pub(crate) fn amz_date(secs: i64) -> String {
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Parses `20261122T010000Z`.
pub(crate) fn parse_amz_date(text: &str) -> Option<i64> {
    if text.len() != 16 || text.get(8..9) != Some("T") || text.get(15..) != Some("Z") {
        return None;
    }
    let year = parse_digits(text.get(0..4)?, 4, 4)?;
    let month = parse_digits(text.get(4..6)?, 2, 2)?;
    let day = parse_digits(text.get(6..8)?, 2, 2)?;
    let h = parse_digits(text.get(9..11)?, 2, 2)?;
    let m = parse_digits(text.get(11..13)?, 2, 2)?;
    let s = parse_digits(text.get(13..15)?, 2, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if civil_from_days(days) != (year, month, day) {
        return None;
    }
    Some(days * 86_400 + h * 3600 + m * 60 + s)
}

/// ISO 8601 with milliseconds, as AppSync's `AWSDateTime` values: `2026-11-22T01:00:00.000Z`.
pub(crate) fn iso8601_millis(t: SystemTime) -> String {
    let (secs, millis) = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_millis(),
        ),
        Err(_) => (epoch_secs(t), 0),
    };
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

fn parse_digits(text: &str, min: usize, max: usize) -> Option<i64> {
    if text.len() < min || text.len() > max || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_clients() {
        // 2026-11-03T12:00:00Z
        let secs = days_from_civil(2026, 11, 3) * 86_400 + 12 * 3600;
        assert_eq!(srp_timestamp(secs), "Tue Nov 3 12:00:00 UTC 2026");
        assert_eq!(
            parse_srp_timestamp("Tue Nov 3 12:00:00 UTC 2026"),
            Some(secs)
        );
        assert_eq!(
            parse_srp_timestamp("Tue Nov 03 12:00:00 UTC 2026"),
            Some(secs)
        );
        assert_eq!(srp_timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
    }

    #[test]
    fn http_dates_use_the_emulator_clock_format() {
        assert_eq!(http_date(1_793_707_200), "Tue, 03 Nov 2026 12:00:00 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn rejects_malformed_timestamps() {
        for bad in [
            "",
            "Wed Nov 3 12:00:00 UTC 2026",
            "Tue Nov 3 12:00:00 GMT 2026",
            "Tue Nov 31 12:00:00 UTC 2026",
            "Tue Foo 3 12:00:00 UTC 2026",
            "Tue Nov 3 24:00:00 UTC 2026",
            "Tue Nov 3 12:00 UTC 2026",
            "not a timestamp",
        ] {
            assert_eq!(parse_srp_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn amz_dates_round_trip() {
        assert_eq!(amz_date(1_700_000_000), "20231114T221320Z");
        assert_eq!(parse_amz_date("20231114T221320Z"), Some(1_700_000_000));
        for bad in [
            "",
            "20231114T221320",
            "20231314T221320Z",
            "20230230T000000Z",
            "2023111xT221320Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
        assert_eq!(
            iso8601_millis(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123)),
            "2023-11-14T22:13:20.123Z"
        );
    }

    #[test]
    fn civil_round_trip() {
        for days in [-1000, -1, 0, 1, 59, 365, 10_000, 20_000, 200_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
