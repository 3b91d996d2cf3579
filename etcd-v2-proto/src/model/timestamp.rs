//! RFC 3339 instants as etcd writes them (`"expiration":"2015-04-07T04:40:23.044979686Z"`).
//!
//! Parsing accepts any RFC 3339 date-time of the years 0000–9999 (`Z` or a `±hh:mm` offset,
//! 1–9 fractional digits); formatting follows Go's `time.RFC3339Nano` in UTC, so a parsed
//! expiration is written back byte-identical.
//!
//! The calendar arithmetic, parsing and printing are the [`time`] crate's (features `parsing`
//! and `formatting` only): its `Rfc3339` format prints exactly Go's `RFC3339Nano` (trailing
//! fraction zeros dropped, `Z` for UTC) and it is small, `no_std`-capable and already in the
//! workspace's lock file. `jiff` was the other candidate; its parser is a lenient ISO 8601 one
//! (`+0200`, `+02`, a space separator) and it brings time-zone machinery this field never needs.
//! `time`'s own serde support is not used: the impls below keep [`TimestampError`]'s rules.
//! Three checks of the text stay here, where `time` is more lenient than Go: the separator must
//! be `T` (or `t`), a leap second (`:60`) is refused and the fraction has at most 9 digits.

use core::fmt;

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcDateTime};

/// 0000-01-01T00:00:00Z in Unix seconds.
const MIN_SECS: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z in Unix seconds.
const MAX_SECS: i64 = 253_402_300_799;
/// The longest text [`Timestamp`]'s `Display` writes: `9999-12-31T23:59:59.999999999Z`.
const MAX_TEXT: usize = 30;

/// An instant with nanosecond precision between 0000-01-01T00:00:00Z and
/// 9999-12-31T23:59:59.999999999Z (the range RFC 3339 can write).
///
/// Its `Debug` is its RFC 3339 text, like its `Display`.
// `UtcDateTime` has a niche: an `Option<Timestamp>` (a node's expiration) takes no more room
// than a `Timestamp`, which keeps a [`Node`](crate::Node) at 128 bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(UtcDateTime);

/// The text is not an RFC 3339 date-time in the supported range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampError;

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid RFC 3339 timestamp")
    }
}

impl core::error::Error for TimestampError {}

/// Go's rules where `time`'s RFC 3339 parser is more lenient: the date and time are separated by
/// `T` or `t` (not any byte), no leap second, a fraction of at most 9 digits.
fn go_shape(text: &[u8]) -> bool {
    let fraction_digits = match text.get(19) {
        Some(b'.') => text[20..].iter().take_while(|b| b.is_ascii_digit()).count(),
        _ => 0,
    };
    matches!(text.get(10), Some(b'T' | b't'))
        && text.get(17..19) != Some(b"60")
        && fraction_digits <= 9
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
    /// assert_eq!(format!("{t:?}"), "2015-04-07T04:40:23.044979686Z");
    /// ```
    pub fn parse_rfc3339(s: &str) -> Result<Self, TimestampError> {
        if !go_shape(s.as_bytes()) {
            return Err(TimestampError);
        }
        let parsed = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| TimestampError)?;
        Self::from_unix(parsed.unix_timestamp(), parsed.nanosecond()).ok_or(TimestampError)
    }

    /// The instant `secs` seconds and `nanos` nanoseconds after 1970-01-01T00:00:00Z.
    ///
    /// `None` if `nanos` is not below one second or the instant is outside the years 0000–9999.
    pub const fn from_unix(secs: i64, nanos: u32) -> Option<Self> {
        if secs < MIN_SECS || secs > MAX_SECS {
            return None;
        }
        let Ok(whole) = UtcDateTime::from_unix_timestamp(secs) else {
            return None;
        };
        match whole.replace_nanosecond(nanos) {
            Ok(instant) => Some(Self(instant)),
            Err(_) => None,
        }
    }

    /// Whole seconds since the Unix epoch (negative before 1970); see [`Self::subsec_nanos`].
    pub const fn unix_seconds(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// Nanoseconds after [`Self::unix_seconds`], below 1 000 000 000.
    pub const fn subsec_nanos(&self) -> u32 {
        self.0.nanosecond()
    }

    /// The same instant as a [`std::time::SystemTime`].
    ///
    /// Instants the platform's `SystemTime` cannot represent (e.g. before 1601 on Windows) are
    /// mapped to the Unix epoch instead of panicking.
    pub fn to_system_time(&self) -> std::time::SystemTime {
        use core::time::Duration;
        use std::time::UNIX_EPOCH;
        let secs = self.unix_seconds();
        let whole = Duration::from_secs(secs.unsigned_abs());
        let fraction = Duration::from_nanos(u64::from(self.subsec_nanos()));
        let time = if secs >= 0 {
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
                let secs = i64::try_from(before.as_secs()).ok()?.checked_neg()?;
                match before.subsec_nanos() {
                    0 => Self::from_unix(secs, 0),
                    nanos => Self::from_unix(secs.checked_sub(1)?, 1_000_000_000 - nanos),
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
        let mut buf = [0_u8; MAX_TEXT];
        let len = self
            .0
            .format_into(&mut &mut buf[..], &Rfc3339)
            .map_err(|_| fmt::Error)?;
        let text = buf.get(..len).ok_or(fmt::Error)?;
        f.write_str(core::str::from_utf8(text).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Timestamp {
    /// The RFC 3339 text, as [`Display`](fmt::Display) writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
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
