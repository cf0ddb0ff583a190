//! The process's heap on glibc: few arenas, and what was freed handed back, so the resident
//! memory of a large inventory is what the dashboard holds, not what it once held.
//!
//! glibc gives threads that allocate at once arenas of their own (up to eight per core) and
//! keeps freed memory for reuse. At start, 100,000 stored credentials are decoded and made
//! into rows on every core, and most of what the decoding allocates is freed again; a
//! refresh allocates its answers on the runtime's threads. With the defaults that left
//! ~170 MB resident for ~120 MB in use (BENCHMARKS.md, target 5).

/// Caps the arenas at two. Call first thing, before any thread starts.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes two integers and is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Gives the pages no allocation uses back to the system. Takes a few milliseconds with a
/// large heap, during which other threads' allocations wait: call it off the event loop,
/// after a burst of freeing (the load, a refresh).
pub fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes an integer and is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
