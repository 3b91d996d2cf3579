//! Unit tests of the parent module.

use super::strings::special;
use super::*;

fn cursor(chunks: &[&'static str]) -> Cursor {
    Cursor::new(Body::from_chunks(
        chunks
            .iter()
            .map(|c| Bytes::from_static(c.as_bytes()))
            .collect(),
    ))
}

#[test]
fn special_finds_the_first_quote_backslash_or_control_byte() {
    assert_eq!(special(b""), (0, true));
    assert_eq!(special(b"abc"), (3, true));
    assert_eq!(special(b"abcdefghij\"k"), (10, true));
    assert_eq!(special(b"abcdefgh\\"), (8, true));
    assert_eq!(special(b"ab\ncdefghijk\""), (2, true));
    assert_eq!(special(b"\x1fabcdefgh"), (0, true));
    assert_eq!(special("añ\u{7f}x\u{ff}xxxxxxx\"".as_bytes()), (14, false));
    // Non-ASCII only after the special byte does not count.
    assert_eq!(special("abcdefghijkl\"ñ".as_bytes()), (12, true));
    assert_eq!(special("abc\"ñ".as_bytes()), (3, true));
    for i in 0..40 {
        for b in [b'"', b'\\', 0, 0x1f] {
            let mut bytes = alloc::vec![b'a'; 40];
            bytes[i] = b;
            bytes.extend_from_slice(b"\"");
            assert_eq!(special(&bytes), (i, true), "byte {b} at {i}");
            for j in (0..40).filter(|&j| j != i) {
                let mut high = bytes.clone();
                high[j] = 0xC3;
                assert_eq!(special(&high), (i, j > i), "0xC3 at {j}, byte {b} at {i}");
            }
        }
        let mut bytes = alloc::vec![0x20u8; 40];
        bytes[i] = 0x7f;
        assert_eq!(special(&bytes), (40, true));
    }
}

#[test]
fn strings_across_chunks_with_escapes() {
    let mut c = cursor(&["\"a\\u00e9", "b\\ud83d", "\\ude00\\n\"", "x"]);
    assert_eq!(c.next(), Ok(b'"'));
    assert_eq!(c.string().unwrap(), "aéb😀\n");
    assert_eq!(c.peek(), Some(b'x'));
    let mut c = cursor(&["\"caf\u{e9}", "\"   "]);
    c.bump();
    assert_eq!(c.string().unwrap(), "café");
    assert_eq!(c.skip_ws(), None);
}

#[test]
fn a_character_split_across_chunks_is_joined() {
    let e_acute = "é".as_bytes();
    let first: &'static [u8] = &[b'"', b'a', 0xC3];
    let second: &'static [u8] = &[0xA9, b'"'];
    assert_eq!(&[0xC3, 0xA9], e_acute);
    for skip in [false, true] {
        let body = Body::from_chunks(alloc::vec![
            Bytes::from_static(first),
            Bytes::from_static(second)
        ]);
        let mut c = Cursor::new(body);
        c.bump();
        if skip {
            c.skip_string().unwrap();
        } else {
            assert_eq!(c.string().unwrap(), "aé");
        }
        assert_eq!(c.peek(), None);
    }
}

#[test]
fn bad_strings_are_errors() {
    for bad in [
        "\"abc",
        "\"a\\x\"",
        "\"a\\u12\"",
        "\"a\\u12g4\"",
        "\"\\ud800\"",
        "\"\\ud800\\u0041\"",
        "\"\\udc00\"",
        "\"a\nb\"",
        "\"a\\",
    ] {
        let mut c = cursor(&[bad]);
        c.bump();
        assert!(c.string().is_err(), "{bad:?}");
    }
    let mut c = Cursor::new(Body::from(alloc::vec![b'"', 0xFF, b'"']));
    c.bump();
    assert!(c.string().is_err());
    let mut c = Cursor::new(Body::from(alloc::vec![b'"', 0xFF, b'"']));
    c.bump();
    assert!(c.skip_string().is_err());
    // A skipped string may hold a lone surrogate, as `serde_json` lets it.
    let mut c = cursor(&["\"\\ud800\""]);
    c.bump();
    assert_eq!(c.skip_string(), Ok(()));
}

#[test]
fn numbers_follow_the_json_grammar() {
    let cases: &[(&str, Option<Number>)] = &[
        ("0", Some(Number::Unsigned(0))),
        ("42", Some(Number::Unsigned(42))),
        ("18446744073709551615", Some(Number::Unsigned(u64::MAX))),
        ("18446744073709551616", Some(Number::Other)),
        ("-1", Some(Number::Negative(-1))),
        ("-9223372036854775808", Some(Number::Negative(i64::MIN))),
        ("-9223372036854775809", Some(Number::Other)),
        ("-0", Some(Number::Other)),
        ("1.5", Some(Number::Other)),
        ("1e3", Some(Number::Other)),
        ("1E+3", Some(Number::Other)),
        ("0.0e-1", Some(Number::Other)),
        ("01", None),
        ("-", None),
        ("-a", None),
        ("1.", None),
        ("1.e3", None),
        ("1e", None),
        ("1e+", None),
    ];
    for &(text, want) in cases {
        let mut c = cursor(&[text, ","]);
        let got = c.number().ok();
        assert_eq!(got, want, "{text}");
        if want.is_some() {
            assert_eq!(c.peek(), Some(b','), "{text} read to its end");
        }
    }
    // Split across chunks.
    let mut c = cursor(&["12", "34", "5 "]);
    assert_eq!(c.number(), Ok(Number::Unsigned(12345)));
}

#[test]
fn skipping_checks_syntax() {
    for good in [
        "1",
        "\"s\"",
        "null",
        "true",
        "false",
        "[]",
        "{}",
        "[1, [2, {\"a\": [null]}], \"x\"]",
        "{\"a\": {\"b\": {}}, \"c\": [ ]}",
    ] {
        let mut c = cursor(&[good, " ,"]);
        assert_eq!(c.skip_value(0), Ok(()), "{good}");
        assert_eq!(c.skip_ws(), Some(b','), "{good} skipped whole");
    }
    for bad in [
        "",
        "[1,]",
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\":}",
        "{1:2}",
        "{\"a\":1,}",
        "[}",
        "nul",
        "tru",
        "{\"a\":1",
        "]",
    ] {
        let mut c = cursor(&[bad]);
        assert!(c.skip_value(0).is_err(), "{bad:?}");
    }
    let deep = "[".repeat(MAX_DEPTH + 1);
    let mut c = Cursor::new(Body::from(deep));
    assert_eq!(c.skip_value(0).unwrap_err().what, "nested too deeply");
}
