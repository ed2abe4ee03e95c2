//! How the process asks glibc for memory.
//!
//! glibc's malloc gives a thread that finds the main arena busy an arena of its own (64 MB of
//! address space each, up to eight per core), and memory freed into an arena stays there
//! for that arena's threads. Every service of `ktpel up` runs on the same tokio workers and
//! blocking threads (SQLite's connection threads among them), so most threads end up with
//! an arena, each holding its own free space: `ktpel demo --residents 10000` peaked at
//! 399 MB resident with the default and at 236 MB with two arenas, at the same speed
//! (docs/performance-history.md). An operator's `MALLOC_ARENA_MAX` still wins.

/// Caps glibc's malloc arenas. Call it first thing in `main`, before any thread starts: an
/// arena already handed out stays.
pub fn cap_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    // Two: the main arena and one that the other threads share.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of the allocator; no thread has started yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
