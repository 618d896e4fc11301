//! How much heap the process holds, for the total-memory limit
//! ([`crate::vm::Limits::max_memory`]).
//!
//! A binary that wants the limit enforced installs [`CountingAllocator`]
//! as its `#[global_allocator]` (the CLI and the web worker do); it wraps
//! the system allocator and keeps a running count of the bytes in use.
//! Without it [`bytes_in_use`] stays 0 and the limit never trips.
//!
//! The count is approximate in one respect only: it is the bytes asked
//! for, not what the allocator spends on bookkeeping. The limit is a
//! guard against runaway programs, not an accounting tool; where in a run
//! it trips may differ between the native CLI and wasm (pointer sizes
//! differ), which is why it is set far above what course programs use.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

static IN_USE: AtomicUsize = AtomicUsize::new(0);

/// Bytes currently allocated through [`CountingAllocator`].
pub fn bytes_in_use() -> usize {
    IN_USE.load(Ordering::Relaxed)
}

/// The system allocator, counting.
pub struct CountingAllocator;

// SAFETY: every method forwards to `System` with the same arguments and
// only adds bookkeeping on a counter; the layout contracts are System's.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged (see the impl's comment).
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            IN_USE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            IN_USE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                IN_USE.fetch_add(new_size - layout.size(), Ordering::Relaxed);
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}
