//! The process's heap on glibc: one arena, large blocks of their own, and what was freed
//! handed back, so the resident memory of a large inventory is what the dashboard holds,
//! not what it once held.
//!
//! glibc gives threads that allocate at once arenas of their own and keeps freed memory for
//! reuse in each. The dashboard's long-lived rows are made on the event loop while the
//! worker's threads make and free far more (a stored inventory read for the checks, every
//! finding in `credboard audit`'s form, a refresh's answers): memory one arena freed cannot
//! serve another, and a block over the allocator's threshold, once freed, raises the
//! threshold so the next such block stays in the heap after it is freed too.
//! `scripts/memory.sh` measured both (BENCHMARKS.md, issue 11, third pass). One arena has a
//! price: at start the worker's reader and the event loop allocate at once and wait on each
//! other; two arenas showed the rows sooner, and held 22 MB more at 100,000 (fourth pass).

/// One arena for every thread, and blocks of 128 KiB or more always mapped on their own
/// (returned to the system when freed). Call first thing, before any thread starts.
pub fn tune_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes two integers and is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        // Setting it also turns off glibc's raising it as large blocks are freed.
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
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
