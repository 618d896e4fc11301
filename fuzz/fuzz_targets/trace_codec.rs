//! Fuzz target: the page decodes trace bytes a worker sends it; any bytes
//! must decode to a trace or an error, never a panic or a huge allocation.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(trace) = loopscope_trace::codec::decode(data) {
        // What decodes re-encodes, and decodes to the same events.
        let again = loopscope_trace::codec::encode(&trace);
        let back = loopscope_trace::codec::decode(&again).expect("re-encoded trace decodes");
        assert_eq!(back.events.len(), trace.events.len());
    }
});
