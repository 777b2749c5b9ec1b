//! What a check needs about an indexed document besides its text, all recomputed from the text when
//! the document is a candidate: the 32-bit key of every 5-gram, the map from normalised positions
//! back to original offsets, and the sections. Normalising a 20,000-char text and deriving these
//! takes ≈ 300 µs, for the few dozen candidates a check aligns; storing them cost every indexed
//! document its offset runs and sections (a fifth of what an add wrote) and, before format 5, four
//! bytes per 5-gram.

use crate::compare::{SectionRange, section_ranges};
use crate::normalize::{OffsetMap, normalize};
use crate::section::Splitter;
use crate::shingle::shingle_keys;

/// The analysis of one indexed document a check works from.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// Key of every 5-gram ([`crate::shingle::key_of`]), in text order.
    pub keys: Vec<u32>,
    pub offsets: OffsetMap,
    pub sections: Vec<SectionRange>,
}

impl Features {
    /// The analysis of `text`, whose normalised text had `normalized_len` chars when it was indexed;
    /// `None` when it no longer normalises to that length (a normaliser that changed would put
    /// every offset in the wrong place).
    pub fn of(text: &str, normalized_len: u32, splitter: &Splitter<'_>) -> Option<Self> {
        let normalized = normalize(text);
        if normalized.len() != normalized_len as usize {
            return None;
        }
        let sections = section_ranges(&normalized, &splitter.split_normalized(&normalized));
        Some(Self {
            keys: shingle_keys(normalized.chars()),
            offsets: OffsetMap::of(&normalized),
            sections,
        })
    }

    /// Only the keys of [`Features::of`], for a scan.
    pub fn keys_of(text: &str, normalized_len: u32) -> Option<Vec<u32>> {
        let normalized = normalize(text);
        (normalized.len() == normalized_len as usize).then(|| shingle_keys(normalized.chars()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Digest;
    use crate::section::SectionRules;

    #[test]
    fn the_analysis_is_that_of_the_text() {
        let text = "一、立项依据\n農業用水緊張，灌溉效率低。\n二、研究内容\n研制土壤墒情传感器。\n";
        let a = Digest::of(text);
        let rules = SectionRules::default();
        let len = a.normalized.len() as u32;
        let f = Features::of(text, len, &rules.splitter()).unwrap();
        assert_eq!(f.keys, a.keys());
        let sorted = crate::shingle::sorted_keys(&f.keys);
        assert!(sorted.windows(2).all(|w| w[0] < w[1]));
        assert!(sorted.iter().all(|&(k, p)| f.keys[p as usize] == k));
        assert_eq!(f.offsets, OffsetMap::of(&a.normalized));
        assert_eq!(f.sections.len(), 2);
        assert_eq!(f.sections[1].0, "研究内容");
        assert_eq!(Features::keys_of(text, len), Some(f.keys));
        // A text that does not normalise as it did when indexed is refused.
        assert!(Features::of(text, len + 1, &rules.splitter()).is_none());
        assert!(Features::keys_of(text, len + 1).is_none());
    }
}
