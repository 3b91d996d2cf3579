//! A fake DNS responder for SRV discovery tests: query bytes in, answer bytes out.
//!
//! Answers use name compression: every owner name is a pointer to the question, and each
//! target's longest suffix shared with the question name is a pointer into it.

use etcd_v2_proto::srv::SrvRecord;

/// The answer to the SRV `query` from `zone` (owner name → records, names without the trailing
/// dot, matched case-insensitively): the records, or NXDOMAIN for a name not in the zone.
///
/// `None` when `query` is not a single-question query (the fake then stays silent).
///
/// ```
/// use etcd_v2_proto::dns::{parse_srv_response, srv_query, DnsError};
/// use etcd_v2_proto::srv::SrvRecord;
/// use etcd_v2_fake::dns::srv_answer;
///
/// let record = SrvRecord { target: "a.example.test".into(), port: 2379, priority: 0, weight: 0 };
/// let zone = [("_etcd-client._tcp.example.test", vec![record.clone()])];
/// let query = srv_query(7, "_etcd-client._tcp.example.test.").unwrap();
/// assert_eq!(parse_srv_response(7, &srv_answer(&query, &zone).unwrap()), Ok(vec![record]));
/// let query = srv_query(8, "_etcd-client._tcp.other.test").unwrap();
/// assert_eq!(parse_srv_response(8, &srv_answer(&query, &zone).unwrap()), Err(DnsError::NxDomain));
/// ```
pub fn srv_answer<R: AsRef<[SrvRecord]>>(query: &[u8], zone: &[(&str, R)]) -> Option<Vec<u8>> {
    if query.len() < 12 || query[2] & 0x80 != 0 || query[4..6] != [0, 1] {
        return None;
    }
    // The question's labels, with their offsets.
    let mut labels = Vec::new();
    let mut pos = 12;
    while *query.get(pos)? != 0 {
        let len = usize::from(query[pos]);
        if len > 63 {
            return None;
        }
        labels.push((pos, query.get(pos + 1..pos + 1 + len)?));
        pos += 1 + len;
    }
    let question = query.get(12..pos + 5)?;
    let name: Vec<u8> = labels
        .iter()
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join(&b'.');
    let records = zone
        .iter()
        .find(|(owner, _)| owner.as_bytes().eq_ignore_ascii_case(&name))
        .map(|(_, records)| records.as_ref());
    let count = records.map_or(0, <[SrvRecord]>::len) as u16;
    let mut out = Vec::new();
    out.extend_from_slice(&query[..2]);
    out.extend_from_slice(&[0x81, if records.is_some() { 0x80 } else { 0x83 }, 0, 1]);
    out.extend_from_slice(&count.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(question);
    for record in records.unwrap_or_default() {
        let mut target = Vec::new();
        let parts: Vec<&[u8]> = record
            .target
            .trim_end_matches('.')
            .split('.')
            .filter(|p| !p.is_empty())
            .map(str::as_bytes)
            .collect();
        let shared = (0..parts.len()).find(|&i| {
            let suffix = &parts[i..];
            labels.len() >= suffix.len()
                && labels[labels.len() - suffix.len()..]
                    .iter()
                    .zip(suffix)
                    .all(|((_, a), b)| a.eq_ignore_ascii_case(b))
        });
        for part in &parts[..shared.unwrap_or(parts.len())] {
            target.push(part.len() as u8);
            target.extend_from_slice(part);
        }
        match shared {
            Some(i) => {
                let offset = labels[labels.len() - (parts.len() - i)].0 as u16;
                target.extend_from_slice(&(0xc000 | offset).to_be_bytes());
            }
            None => target.push(0),
        }
        out.extend_from_slice(&[0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 60]);
        out.extend_from_slice(&(6 + target.len() as u16).to_be_bytes());
        for field in [record.priority, record.weight, record.port] {
            out.extend_from_slice(&field.to_be_bytes());
        }
        out.extend_from_slice(&target);
    }
    Some(out)
}

/// The zone the adapters' discovery tests serve: `example.test` with two https records, one
/// http record, and one https record for the service name `foo` (targets are absolute names).
pub fn example_zone() -> Vec<(&'static str, Vec<SrvRecord>)> {
    let record = |target: &str, port| SrvRecord {
        target: format!("{target}.example.test."),
        port,
        priority: 0,
        weight: 0,
    };
    vec![
        (
            "_etcd-client-ssl._tcp.example.test",
            vec![record("a", 2379), record("b", 2380)],
        ),
        ("_etcd-client._tcp.example.test", vec![record("c", 2379)]),
        (
            "_etcd-client-ssl-foo._tcp.example.test",
            vec![record("d", 2381)],
        ),
    ]
}

/// What discovering `example.test` (no service name) finds in [`example_zone`]: https first.
pub const EXAMPLE_ENDPOINTS: [&str; 3] = [
    "https://a.example.test:2379",
    "https://b.example.test:2380",
    "http://c.example.test:2379",
];
