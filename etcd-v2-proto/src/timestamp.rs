//! RFC 3339 instants as etcd writes them (`"expiration":"2015-04-07T04:40:23.044979686Z"`).
//!
//! Parsing accepts any RFC 3339 date-time of the years 0000–9999 (`Z` or a `±hh:mm` offset,
//! 1–9 fractional digits); formatting follows Go's `time.RFC3339Nano` in UTC, so a parsed
//! expiration is written back byte-identical.

use core::fmt;
use core::num::NonZeroU32;

/// 0000-01-01T00:00:00Z in Unix seconds.
const MIN_SECS: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z in Unix seconds.
const MAX_SECS: i64 = 253_402_300_799;
const SECS_PER_DAY: i64 = 86_400;
const NANOS_PER_SEC: u32 = 1_000_000_000;

/// An instant with nanosecond precision between 0000-01-01T00:00:00Z and
/// 9999-12-31T23:59:59.999999999Z (the range RFC 3339 can write).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    /// The nanoseconds plus one: never zero, so an `Option<Timestamp>` (a node's expiration)
    /// takes no more room than a `Timestamp`, which keeps a [`Node`](crate::Node) at 128 bytes.
    nanos_plus_one: NonZeroU32,
}

/// The text is not an RFC 3339 date-time in the supported range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampError;

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid RFC 3339 timestamp")
    }
}

impl core::error::Error for TimestampError {}

const fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

const fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1–12, day 1–31).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// A cursor over the bytes of the text being parsed.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn expect(&mut self, want: impl Fn(u8) -> bool) -> Option<u8> {
        self.next().filter(|&byte| want(byte))
    }

    /// Exactly `count` (at most 9) decimal digits.
    fn digits(&mut self, count: usize) -> Option<u32> {
        let mut value = 0_u32;
        for _ in 0..count {
            let digit = self.expect(|b| b.is_ascii_digit())?;
            value = value * 10 + u32::from(digit - b'0');
        }
        Some(value)
    }

    /// Two digits no greater than `max`.
    fn two_digits_max(&mut self, max: u32) -> Option<u32> {
        self.digits(2).filter(|&value| value <= max)
    }
}

fn parse(text: &str) -> Option<Timestamp> {
    let mut cursor = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let year = i64::from(cursor.digits(4)?);
    cursor.expect(|b| b == b'-')?;
    let month = cursor.digits(2)?;
    cursor.expect(|b| b == b'-')?;
    let day = cursor.digits(2)?;
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    cursor.expect(|b| b == b'T' || b == b't')?;
    let hour = cursor.two_digits_max(23)?;
    cursor.expect(|b| b == b':')?;
    let minute = cursor.two_digits_max(59)?;
    cursor.expect(|b| b == b':')?;
    let second = cursor.two_digits_max(59)?;

    let mut nanos = 0;
    if cursor.peek() == Some(b'.') {
        cursor.pos += 1;
        let mut count = 0_u32;
        while let Some(digit) = cursor.peek().filter(u8::is_ascii_digit) {
            if count == 9 {
                return None;
            }
            nanos = nanos * 10 + u32::from(digit - b'0');
            count += 1;
            cursor.pos += 1;
        }
        if count == 0 {
            return None;
        }
        nanos *= 10_u32.pow(9 - count);
    }

    let offset_secs = match cursor.next()? {
        b'Z' | b'z' => 0,
        sign @ (b'+' | b'-') => {
            let hours = cursor.two_digits_max(23)?;
            cursor.expect(|b| b == b':')?;
            let minutes = cursor.two_digits_max(59)?;
            let secs = i64::from(hours * 3600 + minutes * 60);
            if sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    if cursor.peek().is_some() {
        return None;
    }

    let local = days_from_civil(year, month, day) * SECS_PER_DAY
        + i64::from(hour * 3600 + minute * 60 + second);
    Timestamp::from_unix(local - offset_secs, nanos)
}

impl Timestamp {
    /// Parses an RFC 3339 date-time such as `2015-04-07T04:40:23.044979686Z` or
    /// `2015-04-07T06:40:23+02:00`.
    ///
    /// Accepted: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1–9 digits, then `Z` or
    /// `±hh:mm` (`T` and `Z` may be lower case). Dates are checked (leap years included); leap
    /// seconds (`:60`) are not accepted, like in Go.
    ///
    /// # Errors
    /// [`TimestampError`] for anything else, including instants outside the years 0000–9999
    /// once the offset is applied.
    ///
    /// ```
    /// use etcd_v2_proto::Timestamp;
    /// let t = Timestamp::parse_rfc3339("2015-04-07T04:40:23.044979686Z").unwrap();
    /// assert_eq!(t.unix_seconds(), 1_428_381_623);
    /// assert_eq!(t.subsec_nanos(), 44_979_686);
    /// assert_eq!(t.to_string(), "2015-04-07T04:40:23.044979686Z");
    /// ```
    pub fn parse_rfc3339(s: &str) -> Result<Self, TimestampError> {
        parse(s).ok_or(TimestampError)
    }

    /// The instant `secs` seconds and `nanos` nanoseconds after 1970-01-01T00:00:00Z.
    ///
    /// `None` if `nanos` is not below one second or the instant is outside the years 0000–9999.
    pub const fn from_unix(secs: i64, nanos: u32) -> Option<Self> {
        if nanos < NANOS_PER_SEC && secs >= MIN_SECS && secs <= MAX_SECS {
            Some(Self {
                secs,
                nanos_plus_one: NonZeroU32::MIN.saturating_add(nanos),
            })
        } else {
            None
        }
    }

    /// Whole seconds since the Unix epoch (negative before 1970); see [`Self::subsec_nanos`].
    pub const fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds after [`Self::unix_seconds`], below 1 000 000 000.
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos_plus_one.get() - 1
    }

    /// The same instant as a [`std::time::SystemTime`].
    ///
    /// Instants the platform's `SystemTime` cannot represent (e.g. before 1601 on Windows) are
    /// mapped to the Unix epoch instead of panicking.
    pub fn to_system_time(&self) -> std::time::SystemTime {
        use core::time::Duration;
        use std::time::UNIX_EPOCH;
        let whole = Duration::from_secs(self.secs.unsigned_abs());
        let fraction = Duration::from_nanos(u64::from(self.subsec_nanos()));
        let time = if self.secs >= 0 {
            UNIX_EPOCH.checked_add(whole + fraction)
        } else {
            UNIX_EPOCH
                .checked_sub(whole)
                .and_then(|time| time.checked_add(fraction))
        };
        time.unwrap_or(UNIX_EPOCH)
    }

    /// The instant of a [`std::time::SystemTime`]; `None` outside the years 0000–9999.
    pub fn from_system_time(time: std::time::SystemTime) -> Option<Self> {
        match time.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => {
                Self::from_unix(i64::try_from(after.as_secs()).ok()?, after.subsec_nanos())
            }
            Err(before) => {
                let before = before.duration();
                let secs = i64::try_from(before.as_secs()).ok()?;
                match before.subsec_nanos() {
                    0 => Self::from_unix(secs.checked_neg()?, 0),
                    nanos => {
                        Self::from_unix(secs.checked_neg()?.checked_sub(1)?, NANOS_PER_SEC - nanos)
                    }
                }
            }
        }
    }

    /// How long from `now` until this instant; `None` if it is already past (zero when equal).
    ///
    /// For a node's `expiration`, this is the time left to live as seen at `now`.
    pub fn remaining_at(&self, now: std::time::SystemTime) -> Option<core::time::Duration> {
        self.to_system_time().duration_since(now).ok()
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with Go's `RFC3339Nano` rule: the fraction loses its trailing zeros and
    /// is left out when zero (`2015-04-07T04:40:23.04Z`, `2015-04-07T04:40:23Z`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.secs.div_euclid(SECS_PER_DAY));
        let second_of_day = self.secs.rem_euclid(SECS_PER_DAY);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )?;
        if self.subsec_nanos() > 0 {
            let mut fraction = self.subsec_nanos();
            let mut width = 9;
            // Drop trailing zeros (the fraction is non-zero, so this ends).
            loop {
                let (quotient, remainder) = (fraction / 10, fraction % 10);
                if remainder != 0 {
                    break;
                }
                fraction = quotient;
                width -= 1;
            }
            write!(f, ".{fraction:0width$}")?;
        }
        f.write_str("Z")
    }
}

impl serde::Serialize for Timestamp {
    /// Serialises as the [`Display`](fmt::Display) string.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    /// Deserialises from an RFC 3339 string (see [`Timestamp::parse_rfc3339`]).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Rfc3339Visitor;

        impl serde::de::Visitor<'_> for Rfc3339Visitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp string")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse_rfc3339(v)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }

        deserializer.deserialize_str(Rfc3339Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expiration_takes_no_room_of_its_own_and_a_node_fits_in_128_bytes() {
        use core::mem::size_of;
        assert_eq!(size_of::<Option<Timestamp>>(), size_of::<Timestamp>());
        // Moves of up to 128 bytes are inlined; a larger node is moved with a call to memcpy.
        assert!(
            size_of::<crate::Node>() <= 128,
            "{}",
            size_of::<crate::Node>()
        );
    }
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    fn ts(secs: i64, nanos: u32) -> Timestamp {
        Timestamp::from_unix(secs, nanos).unwrap()
    }

    #[test]
    fn parses_valid_timestamps() {
        let cases = [
            ("2015-04-07T04:40:23.044979686Z", 1_428_381_623, 44_979_686),
            ("2026-11-25T16:28:13.988958999Z", 1_795_624_093, 988_958_999),
            ("2015-04-07T04:40:23Z", 1_428_381_623, 0),
            ("2015-04-07t04:40:23z", 1_428_381_623, 0),
            ("2015-04-07T04:40:23.5Z", 1_428_381_623, 500_000_000),
            ("2015-04-07T04:40:23.000000001Z", 1_428_381_623, 1),
            ("2015-04-07T04:40:23.000000000Z", 1_428_381_623, 0),
            ("2015-04-07T06:40:23+02:00", 1_428_381_623, 0),
            ("2015-04-06T23:10:23.25-05:30", 1_428_381_623, 250_000_000),
            ("2015-04-07T04:40:23-00:00", 1_428_381_623, 0),
            ("1970-01-01T00:00:00Z", 0, 0),
            ("1969-12-31T23:59:59.999999999Z", -1, 999_999_999),
            ("2000-02-29T12:00:00Z", 951_825_600, 0),
            ("1900-03-01T00:00:00Z", -2_203_891_200, 0),
            ("0000-01-01T00:00:00Z", MIN_SECS, 0),
            ("0000-02-29T00:00:00Z", MIN_SECS + 59 * SECS_PER_DAY, 0),
            ("9999-12-31T23:59:59.999999999Z", MAX_SECS, 999_999_999),
            ("9999-12-31T23:59:59-00:00", MAX_SECS, 0),
        ];
        for (text, secs, nanos) in cases {
            let parsed = Timestamp::parse_rfc3339(text);
            assert_eq!(parsed, Ok(ts(secs, nanos)), "{text}");
        }
    }

    #[test]
    fn rejects_invalid_timestamps() {
        let nines = "9".repeat(10_000);
        let long_fraction = alloc::format!("2015-04-07T04:40:23.{nines}Z");
        let long_year = alloc::format!("{nines}-04-07T04:40:23Z");
        let cases = [
            "",
            "garbage",
            "2015",
            "2015-04-07",
            "2015-04-07T04:40:23",
            "2015-13-07T04:40:23Z",
            "2015-00-07T04:40:23Z",
            "2015-02-30T04:40:23Z",
            "2015-02-29T04:40:23Z",
            "1900-02-29T00:00:00Z",
            "2015-04-31T04:40:23Z",
            "2015-04-00T04:40:23Z",
            "2015-04-07T24:00:00Z",
            "2015-04-07T04:60:23Z",
            "2015-04-07T04:40:60Z",
            "2015-04-07T04:40:23.Z",
            "2015-04-07T04:40:23.0123456789Z",
            "2015-04-07T04:40:23+24:00",
            "2015-04-07T04:40:23+02:60",
            "2015-04-07T04:40:23+0200",
            "2015-04-07T04:40:23+02",
            "2015-04-07T04:40:23ZZ",
            "2015-04-07T04:40:23Z ",
            " 2015-04-07T04:40:23Z",
            "2015-04-07 04:40:23Z",
            "2015-4-07T04:40:23Z",
            "+2015-04-07T04:40:23Z",
            "-001-04-07T04:40:23Z",
            "0000-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59-00:01",
            "２０15-04-07T04:40:23Z",
            "2015-04-07T04:40:23.ü",
            "2015-04-07T04:40:2ü",
            &long_fraction,
            &long_year,
        ];
        for text in cases {
            assert_eq!(
                Timestamp::parse_rfc3339(text),
                Err(TimestampError),
                "{text:?}"
            );
        }
        assert_eq!(TimestampError.to_string(), "invalid RFC 3339 timestamp");
    }

    #[test]
    fn never_panics_on_mutated_input() {
        let seeds = [
            "2015-04-07T04:40:23.044979686Z",
            "2015-04-06T23:10:23.25-05:30",
        ];
        let alphabet = b"0123456789-+:.TZtz \xff9";
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for seed in seeds {
            for _ in 0..5000 {
                let mut bytes: Vec<u8> = seed.as_bytes().to_vec();
                for _ in 0..=(next() % 3) {
                    let at = usize::try_from(next() % 32).unwrap();
                    let with = alphabet[usize::try_from(next()).unwrap() % alphabet.len()];
                    if at < bytes.len() {
                        bytes[at] = with;
                    } else {
                        bytes.truncate(usize::try_from(next() % 40).unwrap());
                    }
                }
                let text = String::from_utf8_lossy(&bytes);
                if let Ok(parsed) = Timestamp::parse_rfc3339(&text) {
                    let again = Timestamp::parse_rfc3339(&parsed.to_string());
                    assert_eq!(again, Ok(parsed), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn displays_like_go_rfc3339nano() {
        let cases = [
            (1_428_381_623, 44_979_686, "2015-04-07T04:40:23.044979686Z"),
            (1_795_624_093, 988_958_999, "2026-11-25T16:28:13.988958999Z"),
            (1_428_381_623, 0, "2015-04-07T04:40:23Z"),
            (1_428_381_623, 40_000_000, "2015-04-07T04:40:23.04Z"),
            (1_428_381_623, 500_000_000, "2015-04-07T04:40:23.5Z"),
            (1_428_381_623, 1, "2015-04-07T04:40:23.000000001Z"),
            (0, 0, "1970-01-01T00:00:00Z"),
            (-1, 999_999_999, "1969-12-31T23:59:59.999999999Z"),
            (951_825_600, 0, "2000-02-29T12:00:00Z"),
            (MIN_SECS, 0, "0000-01-01T00:00:00Z"),
            (MAX_SECS, 999_999_999, "9999-12-31T23:59:59.999999999Z"),
        ];
        for (secs, nanos, want) in cases {
            assert_eq!(ts(secs, nanos).to_string(), want);
            assert_eq!(Timestamp::parse_rfc3339(want), Ok(ts(secs, nanos)));
        }
    }

    #[test]
    fn civil_conversion_round_trips_every_day() {
        let first = MIN_SECS / SECS_PER_DAY;
        let last = MAX_SECS / SECS_PER_DAY;
        let mut expected = (0, 1, 1);
        for days in first..=last {
            let (year, month, day) = civil_from_days(days);
            assert_eq!((year, month, day), expected);
            assert_eq!(days_from_civil(year, month, day), days);
            expected = if day < days_in_month(year, month) {
                (year, month, day + 1)
            } else if month < 12 {
                (year, month + 1, 1)
            } else {
                (year + 1, 1, 1)
            };
        }
    }

    #[test]
    fn from_unix_checks_range() {
        assert_eq!(Timestamp::from_unix(0, NANOS_PER_SEC), None);
        assert_eq!(Timestamp::from_unix(MIN_SECS - 1, 0), None);
        assert_eq!(Timestamp::from_unix(MAX_SECS + 1, 0), None);
        assert_eq!(Timestamp::from_unix(i64::MIN, 0), None);
        assert_eq!(Timestamp::from_unix(i64::MAX, 0), None);
        let t = ts(12, 34);
        assert_eq!((t.unix_seconds(), t.subsec_nanos()), (12, 34));
        assert!(ts(-1, 999_999_999) < ts(0, 0));
        assert!(ts(0, 1) > ts(0, 0));
    }

    #[test]
    fn serde_round_trip() {
        let t: Timestamp = serde_json::from_str("\"2015-04-07T04:40:23.044979686Z\"").unwrap();
        assert_eq!(t, ts(1_428_381_623, 44_979_686));
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2015-04-07T04:40:23.044979686Z\""
        );
        let shifted: Timestamp = serde_json::from_str("\"2015-04-07T06:40:23+02:00\"").unwrap();
        assert_eq!(
            serde_json::to_string(&shifted).unwrap(),
            "\"2015-04-07T04:40:23Z\""
        );
        let owned: Timestamp =
            serde_json::from_reader(&b"\"2026-11-25T16:28:13.988958999Z\""[..]).unwrap();
        assert_eq!(owned, ts(1_795_624_093, 988_958_999));
        for bad in ["\"2015-02-30T00:00:00Z\"", "\"\"", "12", "null", "{}"] {
            assert!(serde_json::from_str::<Timestamp>(bad).is_err(), "{bad}");
        }
        let absent: Option<Timestamp> = serde_json::from_str("null").unwrap();
        assert_eq!(absent, None);
    }

    #[test]
    fn system_time_conversions() {
        use core::time::Duration;
        use std::time::UNIX_EPOCH;
        let t = ts(1_428_381_623, 44_979_686);
        let system = UNIX_EPOCH + Duration::new(1_428_381_623, 44_979_686);
        assert_eq!(t.to_system_time(), system);
        assert_eq!(Timestamp::from_system_time(system), Some(t));
        let before = ts(-2, 250_000_000);
        let system_before = UNIX_EPOCH - Duration::from_millis(1750);
        assert_eq!(before.to_system_time(), system_before);
        assert_eq!(Timestamp::from_system_time(system_before), Some(before));
        assert_eq!(
            Timestamp::from_system_time(UNIX_EPOCH - Duration::from_secs(3)),
            Some(ts(-3, 0))
        );

        let now = UNIX_EPOCH + Duration::from_secs(1_428_381_613);
        assert_eq!(t.remaining_at(now), Some(Duration::new(10, 44_979_686)));
        assert_eq!(t.remaining_at(system), Some(Duration::ZERO));
        assert_eq!(t.remaining_at(system + Duration::from_nanos(1)), None);
    }
}
