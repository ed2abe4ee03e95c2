//! Slows down a guesser: after [`Throttle::LIMIT`] misses for one key within the window, the
//! key is refused until the window ends. In memory, per process: a restart forgives, and each
//! replica counts its own (the sign-in has the account store's lock behind it; this is for
//! what has no account, such as a resident's `/cek`).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

#[derive(Default)]
pub struct Throttle {
    misses: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// Misses allowed in a window.
    pub const LIMIT: u32 = 5;
    /// How long misses count, and how long a key stays refused.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    /// Whether `key` may be tried now.
    pub fn open(&self, key: &str) -> bool {
        let misses = self.misses.lock().expect("not poisoned");
        match misses.get(key) {
            Some((n, since)) => *n < Self::LIMIT || since.elapsed() >= Self::WINDOW,
            None => true,
        }
    }

    /// Counts a miss for `key`.
    pub fn miss(&self, key: &str) {
        let mut misses = self.misses.lock().expect("not poisoned");
        // Forget what is past, so the map does not grow without end.
        misses.retain(|_, (_, since)| since.elapsed() < Self::WINDOW);
        let entry = misses.entry(key.to_owned()).or_insert((0, Instant::now()));
        entry.0 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_closes_after_the_limit_and_others_stay_open() {
        let t = Throttle::default();
        for _ in 0..Throttle::LIMIT {
            assert!(t.open("327301-20261206-0001"));
            t.miss("327301-20261206-0001");
        }
        assert!(!t.open("327301-20261206-0001"));
        assert!(t.open("327301-20261206-0002"));
    }
}
