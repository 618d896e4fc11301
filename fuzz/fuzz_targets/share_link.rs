//! Fuzz target: the page reads share links and queries from its address,
//! which anyone can write; any text must give a program or a `LinkError`,
//! never a panic or more than 1 MB of program. And any program up to the
//! limit round-trips through its share link.

#![no_main]

use libfuzzer_sys::fuzz_target;
use loopscope_link::{read_hash, read_query, share_hash, View, MAX_SOURCE_BYTES};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The input as an address: a hash, a link's z= part, a query.
    for hash in [
        text.to_string(),
        format!("#v=1&z={text}"),
        format!("#code={text}"),
        format!("#v=1&z={}", loopscope_link::base64url::encode(data)),
    ] {
        if let Ok(Some(shared)) = read_hash(&hash) {
            assert!(shared.source.len() <= MAX_SOURCE_BYTES);
        }
    }
    let _ = read_query(&text);
    // The input as a program.
    let hash = share_hash(&text, 7, View::Loop);
    let back = read_hash(&hash).expect("a share link opens").expect("it holds a program");
    assert_eq!(back.source, text);
    assert_eq!((back.seed, back.view), (Some(7), Some(View::Loop)));
});
