//! Imports are previewed before anything is written: the checked rows wait here, under a random
//! token bound to the user who uploaded them, until that user confirms or they expire.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a preview stays confirmable.
const LIFETIME: Duration = Duration::from_secs(30 * 60);

struct Entry {
    owner: i64,
    expires: Instant,
    value: Box<dyn Any + Send>,
}

#[derive(Default)]
pub struct Staging {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Staging {
    /// Keeps `value` for `owner` and returns the token that gets it back.
    pub fn put<T: Any + Send>(&self, owner: i64, value: T) -> String {
        let token = crate::auth::password::random_token();
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, e| e.expires > now);
        entries.insert(
            token.clone(),
            Entry {
                owner,
                expires: now + LIFETIME,
                value: Box::new(value),
            },
        );
        token
    }

    /// Takes the value back: only its owner can, only once, only before it expires.
    pub fn take<T: Any + Send>(&self, owner: i64, token: &str) -> Option<T> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.remove(token)?;
        if entry.owner != owner || entry.expires <= Instant::now() {
            if entry.owner != owner {
                entries.insert(token.to_owned(), entry);
            }
            return None;
        }
        entry.value.downcast::<T>().ok().map(|b| *b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owner_takes_and_only_once() {
        let s = Staging::default();
        let t = s.put(7, vec![1, 2, 3]);
        assert_eq!(
            s.take::<Vec<i32>>(8, &t),
            None,
            "another user cannot take it"
        );
        assert_eq!(s.take::<Vec<i32>>(7, &t), Some(vec![1, 2, 3]));
        assert_eq!(s.take::<Vec<i32>>(7, &t), None, "only once");
        assert_eq!(s.take::<Vec<i32>>(7, "guessed"), None);
    }
}
