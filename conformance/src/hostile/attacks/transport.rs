//! Attacks on the connection: stalls, trickles, endless and broken bodies, huge heads.

use super::*;

/// A member that accepts and never answers: a header timeout.
pub fn stall_before_headers(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|_, conn| conn.stall()).map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let e = fails_within(HEADER_TIMEOUT + MARGIN, || {
        sut.get("/a", GetOptions::default())
    })?;
    ensure!(
        matches!(&e, Error::Cluster(c) if c.failures.len() == 1),
        "expected a cluster error naming the stalled member: {e:?}"
    );
    Ok(())
}

/// Headers at once, then a body of one byte every 50 ms: ended by the call's deadline.
pub fn trickling_body(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        conn.stream
            .write_all(b"HTTP/1.1 200 OK\r\nX-Etcd-Index: 7\r\nContent-Length: 100000\r\n\r\n")?;
        while !conn.stopped() {
            conn.stream.write_all(b" ")?;
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    })?;
    // Either bound may end it: the per-request timeout also covers a plain call's body.
    ensure!(
        e == Error::DeadlineExceeded || format!("{e:?}").contains("Timeout"),
        "expected a timeout: {e:?}"
    );
    Ok(())
}

/// A body that never ends, as fast as the client reads: refused at the body cap.
pub fn endless_body(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        conn.stream
            .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")?;
        let block = vec![b' '; 64 * 1024];
        while !conn.stopped() {
            write!(conn.stream, "{:x}\r\n", block.len())?;
            conn.stream.write_all(&block)?;
            conn.stream.write_all(b"\r\n")?;
        }
        Ok(())
    })?;
    ensure!(
        format!("{e:?}").contains("BodyTooLarge"),
        "expected the body cap: {e:?}"
    );
    Ok(())
}

/// A watch whose answer starts and then trickles whitespace forever: the watch's deadline
/// ends it (a long poll may take long, but not past the caller's deadline).
pub fn endless_chunked_watch(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|seen, conn| {
        // The watch's start index: a plain answer, so the attack is on the wait.
        if seen.request_line().starts_with("HEAD ") {
            return answer(conn, "200 OK", "", "");
        }
        conn.stream.write_all(
            b"HTTP/1.1 200 OK\r\nX-Etcd-Index: 7\r\nTransfer-Encoding: chunked\r\n\r\n",
        )?;
        while !conn.stopped() {
            conn.stream.write_all(b"1\r\n \r\n")?;
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let mut watcher = sut
        .watch("/a", WatchOptions::default())
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let got = watcher.next_within(deadline() + MARGIN);
    let took = started.elapsed();
    ensure!(
        took <= deadline(),
        "the watch ended after {took:?}: {got:?}"
    );
    ensure!(
        matches!(got, Some(Err(Error::DeadlineExceeded))),
        "expected the deadline: {got:?}"
    );
    Ok(())
}

/// 2 MiB of response headers: a typed error, not a hang or a buffer that grows forever.
pub fn huge_headers(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|_, conn| {
        conn.stream.write_all(b"HTTP/1.1 200 OK\r\n")?;
        let line = format!("X-Junk: {}\r\n", "j".repeat(1000));
        for _ in 0..2048 {
            if conn.stopped() {
                break;
            }
            conn.stream.write_all(line.as_bytes())?;
        }
        conn.stream.write_all(b"Content-Length: 2\r\n\r\n{}")
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    fails_within(deadline(), || sut.get("/a", GetOptions::default()))?;
    Ok(())
}

/// The connection closes halfway through the promised body.
pub fn close_mid_body(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        conn.stream.write_all(
            b"HTTP/1.1 200 OK\r\nX-Etcd-Index: 7\r\nContent-Length: 1000\r\n\r\n{\"action\"",
        )?;
        Err(io::ErrorKind::ConnectionAborted.into())
    })?;
    ensure!(
        matches!(e, Error::Cluster(_) | Error::Protocol(_)),
        "expected a transport or protocol error: {e:?}"
    );
    Ok(())
}

/// Something that is not HTTP at all answers.
pub fn not_http(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        conn.stream
            .write_all(b"SSH-2.0-OpenSSH_9.2\r\n\x00\xff\xfe garbage\r\n\r\n")?;
        Err(io::ErrorKind::ConnectionAborted.into())
    })?;
    ensure!(
        matches!(e, Error::Cluster(_)),
        "expected a cluster error: {e:?}"
    );
    Ok(())
}

/// An answer sent one byte per chunk, as fast as the client takes them, without end: each
/// chunk costs the client a little (hyper hands each over as a frame through its connection
/// task), and the call's bound ends it all the same.
pub fn one_byte_chunks(adapter: Adapter) -> Result<(), String> {
    let e = get_fails(adapter, "/a", GetOptions::default(), |_, conn| {
        conn.stream.write_all(
            b"HTTP/1.1 200 OK\r\nX-Etcd-Index: 7\r\nTransfer-Encoding: chunked\r\n\r\n",
        )?;
        let block = "1\r\n \r\n".repeat(10_000);
        while !conn.stopped() {
            conn.stream.write_all(block.as_bytes())?;
        }
        Ok(())
    })?;
    ensure!(
        e == Error::DeadlineExceeded || format!("{e:?}").contains("Timeout"),
        "expected a timeout: {e:?}"
    );
    Ok(())
}

/// The head of a streaming watch's answer (`X-Etcd-Index: 7`), its body chunked and open.
fn stream_head(conn: &mut Conn) -> io::Result<()> {
    conn.stream
        .write_all(b"HTTP/1.1 200 OK\r\nX-Etcd-Index: 7\r\nTransfer-Encoding: chunked\r\n\r\n")
}

/// A streaming watch whose one line never ends, as fast as the client reads: refused at the
/// body cap (the per-event limit), not buffered without bound.
pub fn stream_watch_endless_line(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|_, conn| {
        stream_head(conn)?;
        let block = vec![b'x'; 64 * 1024];
        while !conn.stopped() {
            write!(conn.stream, "{:x}\r\n", block.len())?;
            conn.stream.write_all(&block)?;
            conn.stream.write_all(b"\r\n")?;
        }
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let opts = WatchOptions::default().after_index(7).stream(true);
    let mut watcher = sut.watch("/a", opts).map_err(|e| e.to_string())?;
    let got = watcher
        .next_within(deadline())
        .ok_or("nothing within the deadline")?;
    ensure!(
        format!("{got:?}").contains("BodyTooLarge"),
        "expected the per-event cap: {got:?}"
    );
    Ok(())
}

/// A streaming watch that sends an event, then a line that is not JSON, then nothing: the
/// event, then a typed error; the next wait reopens the stream after the event.
pub fn stream_watch_garbage_line(adapter: Adapter) -> Result<(), String> {
    let server = HostileServer::start(|seen, conn| {
        stream_head(conn)?;
        if seen.request_line().contains("waitIndex=8 ") {
            let line = format!("{}\n<html>oops</html>\n", node_json("/a", 8));
            write!(conn.stream, "{:x}\r\n{line}\r\n", line.len())?;
        }
        conn.stall()
    })
    .map_err(|e| e.to_string())?;
    let sut = client(adapter, &[server.url()])?;
    let opts = WatchOptions::default().after_index(7).stream(true);
    let mut watcher = sut.watch("/a", opts).map_err(|e| e.to_string())?;
    let first = watcher.next_within(deadline()).ok_or("no first event")?;
    ensure!(
        first.is_ok_and(|e| e.node.is_some_and(|n| n.modified_index == 8)),
        "the event before the garbage"
    );
    let second = watcher.next_within(deadline()).ok_or("no second answer")?;
    ensure!(
        matches!(&second, Err(Error::Protocol(_))),
        "a typed error for the garbage: {second:?}"
    );
    // The next wait reopens the stream from 9 (and times out on it: the server is silent).
    let third = watcher.next_within(deadline() + MARGIN);
    ensure!(
        matches!(third, Some(Err(Error::DeadlineExceeded))),
        "the reopened stream: {third:?}"
    );
    let lines: Vec<String> = server
        .seen()
        .iter()
        .map(|s| s.request_line().into())
        .collect();
    ensure!(
        lines.len() == 2 && lines[1].contains("stream=true&wait=true&waitIndex=9 "),
        "requests: {lines:?}"
    );
    Ok(())
}
