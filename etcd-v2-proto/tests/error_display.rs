//! Text a server sent shows tamed in an error's `Display`: no raw control character (no forged
//! log line, no terminal escape) and at most `MAX_SHOWN_CHARS` characters of each text; the
//! error's fields keep the whole text.

use etcd_v2_proto::body::Body;
use etcd_v2_proto::{
    ApiError, AttemptFailure, Error, ErrorCode, EtcdError, MAX_SHOWN_CHARS, ProtocolError, call,
    decode_keys_response,
};
use http::Response;

/// A line a hostile member would like to see in its victim's log, and a red terminal.
const FORGED: &str =
    "Key not found\n2030-01-01T00:00:00Z INFO login ok user=root\u{1b}[31m red\u{202e}";

/// `text` as a JSON string's content.
fn json_str(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap();
    quoted[1..quoted.len() - 1].to_owned()
}

fn answer(status: u16, body: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .body(Body::from(body))
        .unwrap()
}

/// No character that breaks or colors a line, and at most `max` bytes.
fn assert_tame(shown: &str, max: usize) {
    let raw: Vec<char> = shown
        .chars()
        .filter(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202e}'))
        .collect();
    assert!(
        raw.is_empty(),
        "raw {raw:?} in {:?}",
        &shown[..shown.len().min(300)]
    );
    assert!(shown.len() <= max, "{} bytes shown", shown.len());
}

#[test]
fn an_etcd_error_shows_its_message_and_cause_escaped_and_bounded() {
    let huge = "x".repeat(1 << 20);
    let body = format!(
        r#"{{"errorCode":100,"message":"{}","cause":"{huge}","index":7}}"#,
        json_str(FORGED)
    );
    let e = decode_keys_response(answer(404, body)).unwrap_err();
    let shown = e.to_string();
    println!("{} bytes shown: {}…", shown.len(), &shown[..120]);
    assert_tame(&shown, 2 * 4 * MAX_SHOWN_CHARS + 64);
    assert!(shown.starts_with(
        r"100: Key not found\n2030-01-01T00:00:00Z INFO login ok user=root\u{1b}[31m red\u{202e} (xxx"
    ));
    assert!(shown.ends_with("xxx…) [7]"));
    // The data stays whole.
    let etcd = e.etcd().unwrap();
    assert_eq!((etcd.message.as_str(), etcd.cause.len()), (FORGED, 1 << 20));

    // A 1 MB message.
    let body = format!(r#"{{"errorCode":100,"message":"{huge}","cause":"/k","index":7}}"#);
    let e = decode_keys_response(answer(404, body)).unwrap_err();
    let shown = e.to_string();
    println!("1 MB message: {} bytes shown", shown.len());
    assert_tame(&shown, MAX_SHOWN_CHARS + 64);
    assert!(shown.ends_with("xxx… (/k) [7]"));
}

#[test]
fn ordinary_text_shows_as_it_is() {
    let body =
        r#"{"errorCode":105,"message":"Key already exists","cause":"/ключ/é \"q\" \\","index":9}"#;
    let e = decode_keys_response(answer(412, body.into())).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"105: Key already exists (/ключ/é "q" \) [9]"#
    );
    // Exactly `MAX_SHOWN_CHARS` characters are shown whole; one more is cut.
    let fits = "é".repeat(MAX_SHOWN_CHARS);
    let api = ApiError {
        status: 409,
        message: fits.clone(),
    };
    assert_eq!(api.to_string(), fits);
    let api = ApiError {
        status: 409,
        message: format!("{fits}z"),
    };
    assert_eq!(api.to_string(), format!("{fits}…"));
}

#[test]
fn an_api_error_shows_its_message_escaped_and_bounded() {
    let add = call::members::add("http://10.0.0.1:2380").unwrap();
    let body = format!(r#"{{"message":"{}"}}"#, json_str(FORGED));
    let e = add.decode(answer(409, body)).unwrap_err();
    let shown = e.to_string();
    println!("{shown}");
    assert_tame(&shown, 4 * MAX_SHOWN_CHARS);
    assert!(matches!(&e, Error::Api(ApiError { message, .. }) if message == FORGED));

    let body = format!(r#"{{"message":"{}"}}"#, "m".repeat(5 << 20));
    let e = add.decode(answer(409, body)).unwrap_err();
    println!("5 MB message: {} bytes shown", e.to_string().len());
    assert_tame(&e.to_string(), MAX_SHOWN_CHARS + 8);
}

#[test]
fn a_bad_body_quoted_in_a_protocol_error_is_bounded() {
    // serde's complaint quotes the string it did not expect, whole.
    let bad = format!("{}{}", json_str(FORGED), "y".repeat(1 << 20));
    let body = format!(r#"{{"errorCode":"{bad}"}}"#);
    let e = decode_keys_response(answer(404, body)).unwrap_err();
    let shown = e.to_string();
    println!("{} bytes shown: {shown}", shown.len());
    assert!(matches!(
        e,
        Error::Protocol(ProtocolError::InvalidJson { status: 404, .. })
    ));
    assert_tame(&shown, 2048);
}

#[test]
fn header_values_are_escaped_and_bounded() {
    // Bytes over 0x7f are allowed in a header: `C2 9B` is U+009B, the 8-bit terminal escape.
    let mut value = b"12\xc2\x9b31m".to_vec();
    value.extend(std::iter::repeat_n(b'9', 100_000));
    let response = Response::builder()
        .status(200)
        .header(
            "X-Etcd-Index",
            http::HeaderValue::from_bytes(&value).unwrap(),
        )
        .body(Body::from(
            r#"{"action":"get","node":{"key":"/a"}}"#.to_owned(),
        ))
        .unwrap();
    let e = decode_keys_response(response).unwrap_err();
    let shown = e.to_string();
    println!("{} bytes shown: {}…", shown.len(), &shown[..60]);
    assert_tame(&shown, MAX_SHOWN_CHARS + 64);
    assert!(shown.starts_with(r#"invalid x-etcd-index header: "12\u{9b}31m999"#));

    let location = format!("http://a\u{9b}31m/{}", "p".repeat(100_000));
    for failure in [
        AttemptFailure::LocationInvalid(location.clone()),
        AttemptFailure::WrongCluster {
            endpoint: "http://10.0.0.1:2379".into(),
            expected: "abc".into(),
            found: location.clone(),
        },
    ] {
        assert_tame(&failure.to_string(), MAX_SHOWN_CHARS + 128);
    }
}

#[test]
fn debug_of_server_text_is_bounded_too() {
    let etcd = EtcdError {
        code: ErrorCode(100),
        message: "m".repeat(1 << 20),
        cause: "c\n".repeat(1 << 19),
        index: 1,
    };
    let shown = format!("{etcd:?}");
    assert!(shown.len() < 2048, "{} bytes", shown.len());
    assert!(!shown.contains('\n'));
    assert_eq!(etcd.message.len(), 1 << 20, "the data stays whole");
    let api = ApiError {
        status: 500,
        message: "x".repeat(1 << 20),
    };
    assert!(format!("{api:?}").len() < 1024);
    assert_eq!(
        format!(
            "{:?}",
            ApiError {
                status: 1,
                message: "ok".into()
            }
        ),
        r#"ApiError { status: 1, message: "ok" }"#
    );
}
