//! Unit tests of the parent module.

use super::*;

fn chunk(s: &'static [u8]) -> Bytes {
    Bytes::from_static(s)
}

fn joined(body: &Body) -> Vec<u8> {
    body.contiguous().into_owned()
}

#[test]
fn gathers_chunks_up_to_the_limit_exactly() {
    let mut body = BodyBuffer::new(6, Some(6));
    body.push(chunk(b"abc")).unwrap();
    body.push(chunk(b"")).unwrap();
    body.push(chunk(b"de")).unwrap();
    body.push(chunk(b"f")).unwrap();
    assert_eq!(body.len(), 6);
    assert_eq!(
        body.push(chunk(b"g")),
        Err(TransportFailure::BodyTooLarge { limit: 6 })
    );
    let body = body.finish();
    assert_eq!(joined(&body), b"abcdef");
    assert_eq!(
        body.chunks().count(),
        1,
        "the announced length is one block"
    );
}

#[test]
fn a_long_body_of_unknown_length_is_kept_in_bounded_blocks() {
    let piece = [7u8; 1000];
    let mut body = BodyBuffer::new(usize::MAX, None);
    for _ in 0..2000 {
        body.push(Bytes::copy_from_slice(&piece)).unwrap();
    }
    let body = body.finish();
    assert_eq!(body.len(), 2_000_000);
    let sizes: Vec<usize> = body.chunks().map(Bytes::len).collect();
    assert!(sizes.iter().all(|&n| n <= MAX_BLOCK), "{sizes:?}");
    // Growing with the body: few blocks, none but the last partly empty.
    assert!(sizes.len() < 2_000_000 / MAX_BLOCK + 6, "{sizes:?}");
    assert!(body.chunks().all(|c| c.iter().all(|&b| b == 7)));
    for c in body.into_parts().1 {
        let c = c.try_into_mut().expect("the only handle on the block");
        assert_eq!(c.len(), c.capacity(), "no spare room kept");
    }
}

#[test]
fn a_first_chunk_larger_than_a_block_is_copied_whole() {
    let big = Bytes::from(alloc::vec![1u8; MAX_BLOCK + 10]);
    let mut body = BodyBuffer::new(usize::MAX, None);
    body.push(big).unwrap();
    body.push(chunk(b"xy")).unwrap();
    let body = body.finish();
    assert_eq!(body.len(), MAX_BLOCK + 12);
    assert_eq!(&joined(&body)[MAX_BLOCK + 9..], &[1, b'x', b'y']);
}

#[test]
fn one_chunk_is_kept_as_it_is() {
    let data = chunk(b"{}");
    let mut body = BodyBuffer::new(10, None);
    body.push(data.clone()).unwrap();
    assert_eq!(body.finish().into_bytes().as_ptr(), data.as_ptr());
    assert!(BodyBuffer::new(10, None).finish().is_empty());
}

#[test]
fn a_first_chunk_over_the_limit_is_refused() {
    let mut body = BodyBuffer::new(2, None);
    assert!(body.push(chunk(b"abc")).is_err());
    assert!(body.is_empty());
}

#[test]
fn a_size_hint_beyond_the_limit_reserves_only_the_limit() {
    let mut body = BodyBuffer::new(16, Some(u64::MAX));
    body.push(chunk(b"a")).unwrap();
    body.push(chunk(b"b")).unwrap();
    assert!(body.block.capacity() <= 16 * 2);
    assert_eq!(joined(&body.finish()), b"ab");
}

#[test]
fn reading_into_room_fills_blocks_and_checks_the_limit() {
    let data: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
    for announced in [None, Some(700_000)] {
        let mut body = BodyBuffer::new(1 << 20, announced);
        let mut from = &data[..];
        loop {
            let room = body.room();
            assert!(!room.is_empty());
            // Reads of odd sizes, as a socket gives them.
            let n = room.len().min(from.len()).min(10_007);
            room[..n].copy_from_slice(&from[..n]);
            from = &from[n..];
            body.advance(n).unwrap();
            if n == 0 {
                break;
            }
        }
        let body = body.finish();
        assert_eq!(joined(&body), data);
        let blocks = body.chunks().count();
        if announced.is_some() {
            assert_eq!(blocks, 1, "one block of the announced size");
        } else {
            assert!(blocks > 2 && body.chunks().all(|c| c.len() <= MAX_BLOCK));
        }
    }
    let mut small = BodyBuffer::new(3, None);
    small.room()[..4].copy_from_slice(b"abcd");
    assert_eq!(
        small.advance(4),
        Err(TransportFailure::BodyTooLarge { limit: 3 })
    );
    // Past the limit, everything more is refused too (no arithmetic underflow).
    assert!(small.push(chunk(b"e")).is_err());
    // A room handed out and not used is not part of the body.
    let mut unused = BodyBuffer::new(10, None);
    unused.push(chunk(b"ab")).unwrap();
    let _ = unused.room();
    assert_eq!(joined(&unused.finish()), b"ab");
    // More than announced is kept (and the limit still holds).
    let mut over = BodyBuffer::new(10, Some(2));
    over.room()[..2].copy_from_slice(b"ab");
    over.advance(2).unwrap();
    over.room()[..3].copy_from_slice(b"cde");
    over.advance(3).unwrap();
    assert_eq!(joined(&over.finish()), b"abcde");
}

#[test]
fn bodies_compare_by_chunks_and_join() {
    let two = Body::from_chunks(alloc::vec![chunk(b""), chunk(b"ab"), chunk(b"c")]);
    assert_eq!(two.len(), 3);
    assert_eq!(two.chunks().count(), 2);
    assert_eq!(&two.clone().into_bytes()[..], b"abc");
    assert_eq!(alloc::format!("{two:?}"), "Body(\"abc\")");
    assert_eq!(two, Body::from("abc"), "equal bytes, other chunks");
    assert_ne!(two, Body::from("abd"));
    let long = Body::from(alloc::vec![b'x'; 300]);
    assert!(alloc::format!("{long:?}").ends_with("… 300 bytes)"));
    assert!(Body::from_chunks(Vec::new()).is_empty());
    assert_eq!(Body::default().chunks().count(), 0);
}
