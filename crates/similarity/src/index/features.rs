//! What a check needs about an indexed document besides what its text gives back: the map from
//! normalised positions back to original offsets, and the sections in normalised positions. The
//! 32-bit key of every 5-gram is not stored: a check recomputes it from the stored text (normalise and
//! hash, the indexing floor's work, ≈ 250 µs for 20,000 chars) for the few dozen candidates it aligns,
//! where storing it cost every indexed document 4 bytes per 5-gram written and synced (45 % of a
//! segment).
//!
//! Binary layout, little-endian: `r`, `r` offset runs (u32 position, u32 offset); `k`, `k` sections
//! (u16 name length, UTF-8 name, u32 from, u32 to).

use crate::compare::SectionRange;
use crate::normalize::{OffsetMap, normalize};
use crate::shingle::shingle_keys;

/// The analysis of one indexed document a check works from.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// Key of every 5-gram ([`crate::shingle::key_of`]), in text order, recomputed from the text.
    pub keys: Vec<u32>,
    pub offsets: OffsetMap,
    pub sections: Vec<SectionRange>,
}

impl Features {
    /// The stored part: the offset map and the sections.
    pub fn encode(offsets: &OffsetMap, sections: &[SectionRange]) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + offsets.runs().len() * 8 + sections.len() * 24);
        let put = |n: u32, out: &mut Vec<u8>| out.extend_from_slice(&n.to_le_bytes());
        put(offsets.runs().len() as u32, &mut out);
        for &(p, o) in offsets.runs() {
            put(p, &mut out);
            put(o, &mut out);
        }
        put(sections.len() as u32, &mut out);
        for (name, from, to) in sections {
            // Section names come from the settings: short headings.
            let name = &name.as_bytes()[..name.len().min(u16::MAX as usize)];
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(name);
            put(*from, &mut out);
            put(*to, &mut out);
        }
        out
    }

    /// Decodes what [`Features::encode`] wrote and recomputes the keys of `text`, whose normalised
    /// text had `normalized_len` chars when it was indexed; `None` when the bytes are not such a
    /// record or the text no longer normalises to that length (a normaliser that changed would put
    /// every offset in the wrong place).
    pub fn decode(bytes: &[u8], text: &str, normalized_len: u32) -> Option<Self> {
        let mut input = Reader(bytes);
        let runs = input.u32()? as usize;
        let runs = (0..runs)
            .map(|_| Some((input.u32()?, input.u32()?)))
            .collect::<Option<Vec<_>>>()?;
        let count = input.u32()? as usize;
        let sections = (0..count)
            .map(|_| {
                let len = u16::from_le_bytes(input.take(2)?.try_into().ok()?) as usize;
                let name = String::from_utf8(input.take(len)?.to_vec()).ok()?;
                Some((name, input.u32()?, input.u32()?))
            })
            .collect::<Option<Vec<_>>>()?;
        if !input.0.is_empty() {
            return None;
        }
        let normalized = normalize(text);
        if normalized.len() != normalized_len as usize {
            return None;
        }
        Some(Self {
            keys: shingle_keys(normalized.chars()),
            offsets: OffsetMap::from_runs(runs),
            sections,
        })
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::section_ranges;
    use crate::document::Digest;
    use crate::section::SectionRules;

    #[test]
    fn round_trip_gives_back_the_analysis() {
        let text = "一、立项依据\n農業用水緊張，灌溉效率低。\n二、研究内容\n研制土壤墒情传感器。\n";
        let a = Digest::of(text);
        let sections = section_ranges(&a.normalized, &SectionRules::default().split(text));
        let offsets = OffsetMap::of(&a.normalized);
        let bytes = Features::encode(&offsets, &sections);
        let len = a.normalized.len() as u32;
        let f = Features::decode(&bytes, text, len).unwrap();
        assert_eq!(f.keys, a.keys());
        let sorted = crate::shingle::sorted_keys(&f.keys);
        assert!(sorted.windows(2).all(|w| w[0] < w[1]));
        assert!(sorted.iter().all(|&(k, p)| f.keys[p as usize] == k));
        assert_eq!(f.offsets, offsets);
        assert_eq!(f.sections.len(), 2);
        assert_eq!(f.sections[1].0, "研究内容");
        assert!(Features::decode(&bytes[..bytes.len() - 1], text, len).is_none());
        // A text that does not normalise as it did when indexed is refused.
        assert!(Features::decode(&bytes, text, len + 1).is_none());
    }
}
