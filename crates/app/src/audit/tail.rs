//! The log's tail as this process last left it: the tree's size, root and frontier, and the latest
//! event of the objects it wrote since. A writer guesses from it instead of reading the log first,
//! and its write checks the guess in the database (`audit::append`): a guess is never trusted,
//! only saves a statement when right. Another process's writes, or another database opened by this
//! process, only make guesses fail.

use std::collections::HashMap;
use std::sync::Mutex;

/// (object type, object id).
pub(crate) type Key = (String, String);

/// Objects remembered at most; past that the map starts again from the objects of the last write.
const OBJECTS: usize = 100_000;

/// The tree at some size, as a write left it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TreeHead {
    pub size: i64,
    pub root: String,
    pub frontier: Vec<u8>,
}

/// A guessed tree, and the guessed latest event (leaf hash) of each object asked for.
pub(crate) struct Guess {
    pub tree: TreeHead,
    pub prevs: Vec<Option<String>>,
}

struct Tail {
    tree: TreeHead,
    /// Leaf hash of each remembered object's latest event up to `tree.size`.
    latest: HashMap<Key, String>,
}

/// One per process ([`TAIL`]); tests make their own.
pub(crate) struct TailCache(Mutex<Option<Tail>>);

pub(crate) static TAIL: TailCache = TailCache(Mutex::new(None));

impl TailCache {
    /// A guess for `keys`, if every key can be guessed: a remembered object, or one `created` in
    /// the writing transaction (no event before it).
    pub(crate) fn guess(&self, keys: &[Key], created: impl Fn(&Key) -> bool) -> Option<Guess> {
        let slot = self.0.lock().ok()?;
        let tail = slot.as_ref()?;
        let prevs = keys
            .iter()
            .map(|k| match tail.latest.get(k) {
                Some(leaf) => Some(Some(leaf.clone())),
                None => created(k).then_some(None),
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Guess {
            tree: tail.tree.clone(),
            prevs,
        })
    }

    /// Remembers the log after a committed write that appended onto the tree of size `from`,
    /// leaving `after`, each of its objects' latest event being `leaves`. What is remembered of
    /// other objects is kept only if the write appended right after the remembered tail.
    pub(crate) fn remember(
        &self,
        from: i64,
        after: TreeHead,
        leaves: impl IntoIterator<Item = (Key, String)>,
    ) {
        let Ok(mut slot) = self.0.lock() else {
            return;
        };
        // The last write remembered wins, whichever database it wrote: one remembered late (or of
        // another database) only makes the next guess fail, and the write after it reads.
        let mut latest = match slot.take() {
            Some(old) if old.tree.size == from && old.latest.len() < OBJECTS => old.latest,
            _ => HashMap::new(),
        };
        latest.extend(leaves);
        *slot = Some(Tail {
            tree: after,
            latest,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> Key {
        ("department".into(), id.into())
    }

    fn tree(size: i64) -> TreeHead {
        TreeHead {
            size,
            root: format!("r{size}"),
            frontier: vec![size as u8],
        }
    }

    #[test]
    fn a_guess_needs_every_object_known_or_new() {
        let cache = TailCache(Mutex::new(None));
        assert!(
            cache.guess(&[key("1")], |_| true).is_none(),
            "nothing remembered"
        );
        cache.remember(0, tree(2), [(key("1"), "a".into())]);
        let g = cache
            .guess(&[key("1")], |_| false)
            .expect("a remembered object");
        assert_eq!(g.tree, tree(2));
        assert_eq!(g.prevs, vec![Some("a".to_owned())]);
        assert!(
            cache.guess(&[key("1"), key("2")], |_| false).is_none(),
            "2 is unknown"
        );
        let g = cache
            .guess(&[key("2")], |k| *k == key("2"))
            .expect("2 is new");
        assert_eq!(g.prevs, vec![None]);
    }

    #[test]
    fn the_tail_follows_consecutive_writes_and_forgets_objects_after_a_jump() {
        let cache = TailCache(Mutex::new(None));
        cache.remember(0, tree(2), [(key("1"), "a".into())]);
        // A write right after the tail adds to it.
        cache.remember(2, tree(3), [(key("2"), "b".into())]);
        let g = cache
            .guess(&[key("1"), key("2")], |_| false)
            .expect("both remembered");
        assert_eq!(g.tree, tree(3));
        assert_eq!(g.prevs, vec![Some("a".to_owned()), Some("b".to_owned())]);
        // Others wrote between 3 and 5: what was remembered of objects may be stale, so forgotten.
        cache.remember(5, tree(6), [(key("3"), "c".into())]);
        assert!(cache.guess(&[key("1")], |_| false).is_none());
        assert_eq!(
            cache.guess(&[key("3")], |_| false).expect("3").tree,
            tree(6)
        );
        // A smaller log (another database, or a write remembered late) replaces it all the same.
        cache.remember(1, tree(2), [(key("9"), "z".into())]);
        assert_eq!(
            cache.guess(&[key("9")], |_| false).expect("9").tree,
            tree(2)
        );
        assert!(cache.guess(&[key("3")], |_| false).is_none());
    }
}
