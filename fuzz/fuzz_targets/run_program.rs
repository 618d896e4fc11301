//! Fuzz target: any bytes, as a program, go through parse → compile → run
//! in the simulated world (asyncio included) and end with a verdict; a
//! panic, a native stack overflow or an abort is a crash.
//!
//! Limits are smaller than a real run's so each input takes milliseconds;
//! the recursion limit is capped so libFuzzer's main-thread stack holds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use loopscope_interp::memory::CountingAllocator;
use loopscope_interp::verdict::RunOptions;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let mut options = RunOptions {
        max_time: 100.0,
        ..RunOptions::default()
    };
    options.limits.max_steps = 200_000;
    options.limits.recursion_limit = 120;
    options.limits.max_recursion_limit = 120;
    options.limits.max_memory = 256 << 20;
    let result = loopscope_runtime::run_program(source, &options);
    // The trace must survive its own codec, as it does on its way to the page.
    let bytes = loopscope_trace::codec::encode(&result.trace);
    assert!(loopscope_trace::codec::decode(&bytes).is_ok());
});
