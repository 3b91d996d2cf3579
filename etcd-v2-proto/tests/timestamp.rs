//! `Timestamp`: RFC 3339 parsing and Go's `RFC3339Nano` printing, ranges, serde, `SystemTime`.

use etcd_v2_proto::{Timestamp, TimestampError};

/// 0000-01-01T00:00:00Z in Unix seconds.
const MIN_SECS: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z in Unix seconds.
const MAX_SECS: i64 = 253_402_300_799;
const SECS_PER_DAY: i64 = 86_400;
const NANOS_PER_SEC: u32 = 1_000_000_000;

#[test]
fn an_expiration_takes_no_room_of_its_own_and_a_node_fits_in_128_bytes() {
    use core::mem::size_of;
    assert_eq!(size_of::<Option<Timestamp>>(), size_of::<Timestamp>());
    // Moves of up to 128 bytes are inlined; a larger node is moved with a call to memcpy.
    assert!(
        size_of::<etcd_v2_proto::Node>() <= 128,
        "{}",
        size_of::<etcd_v2_proto::Node>()
    );
}

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
    let long_fraction = format!("2015-04-07T04:40:23.{nines}Z");
    let long_year = format!("{nines}-04-07T04:40:23Z");
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
        "2015-04-07x04:40:23Z",
        "2016-12-31T23:59:60Z",
        "2015-06-30T23:59:60.5Z",
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

#[test]
fn debug_is_the_rfc3339_text() {
    let t = ts(1_428_381_623, 44_979_686);
    assert_eq!(format!("{t:?}"), "2015-04-07T04:40:23.044979686Z");
    assert_eq!(
        format!("{:?}", Some(ts(0, 0))),
        "Some(1970-01-01T00:00:00Z)"
    );
}
