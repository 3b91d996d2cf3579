//! Watches: only a watch's headers are bound by the header timeout, not its body.

use std::io::Write;
use std::time::Duration;

use etcd_v2_proto::{KeysResponse, WatchOptions};

use super::{answer, client_in_order, header_timeout, node_json, server, stalled, timed};
use crate::sut::{Adapter, Sut};

/// The first event of a watch of `/foo` after index 2, waited for at most 5 s, and how
/// long it took.
fn first_event(sut: &Sut) -> Result<(KeysResponse, Duration), String> {
    let opts = WatchOptions::default().after_index(2);
    let mut watcher = sut.watch("/foo", opts).map_err(|e| e.to_string())?;
    let (got, took) = timed(|| watcher.next_within(Duration::from_secs(5)));
    let event = got.ok_or("no event within 5 s")?;
    Ok((event.map_err(|e| format!("{e:?}"))?, took))
}

/// A member that sends no headers is left at the header timeout for the next one.
pub(super) fn a_watch_fails_over_from_a_member_that_sends_no_headers(
    adapter: Adapter,
) -> Result<(), String> {
    let hole = stalled()?;
    let b = server(|_, conn| answer(conn, "200 OK", "application/json", &node_json("set")))?;
    let sut = client_in_order(adapter, &[&hole.url(), &b.url()], header_timeout(200))?;
    let (event, took) = first_event(&sut)?;
    ensure_eq!(
        event.node.map(|n| n.modified_index),
        Some(7),
        "the event's index"
    );
    ensure!(
        took >= Duration::from_millis(180) && took < Duration::from_secs(2),
        "took {took:?}"
    );
    ensure_eq!((hole.hits(), b.hits()), (1, 1), "requests per member");
    Ok(())
}

/// etcd sends a watch's headers at once and its body when an event happens: a body 700 ms
/// after the headers is waited for, past the 200 ms header timeout.
pub(super) fn a_watch_body_may_come_long_after_its_headers(adapter: Adapter) -> Result<(), String> {
    let a = server(|_, conn| {
        let body = node_json("set");
        write!(
            conn.stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Etcd-Index: 7\r\n\
             Content-Length: {}\r\n\r\n",
            body.len()
        )?;
        conn.stream.flush()?;
        std::thread::sleep(Duration::from_millis(700));
        conn.stream.write_all(body.as_bytes())
    })?;
    let sut = client_in_order(adapter, &[&a.url()], header_timeout(200))?;
    let (event, took) = first_event(&sut)?;
    ensure!(took >= Duration::from_millis(650), "took {took:?}");
    ensure_eq!(
        event.node.map(|n| n.modified_index),
        Some(7),
        "the event's index"
    );
    ensure_eq!(a.hits(), 1, "requests");
    Ok(())
}
