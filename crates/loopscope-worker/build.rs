//! Gives the worker's wasm a larger shadow stack (the part of wasm's stack
//! that lives in linear memory: locals whose address is taken). Rust's
//! default is 1 MB; deep Python recursion keeps a few such locals per call.
//! The linker argument applies to this crate's binary only, so the page's
//! own wasm keeps the default.
//!
//! The other stack, the one wasm *functions* run on, is V8's native stack
//! (about 1 MB, and a page cannot change it): that one bounds the recursion
//! limit, see `BROWSER_RECURSION_LIMIT` in `src/main.rs`.

/// Bytes of shadow stack.
const STACK_BYTES: u64 = 8 << 20;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-bins=-zstack-size={STACK_BYTES}");
    }
}
