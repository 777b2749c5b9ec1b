//! What a check needs about an indexed document, stored next to its text so a check never normalises
//! or re-hashes a candidate: the 32-bit key of every 5-gram in text order, the map from normalised
//! positions back to original offsets, and the sections in normalised positions.
//!
//! Binary layout, little-endian: `n`, `n` keys (u32); `r`, `r` offset runs (u32 position, u32
//! offset); `k`, `k` sections (u16 name length, UTF-8 name, u32 from, u32 to). Four bytes per 5-gram
//! (it was twelve: a 64-bit hash and a position, sorted by hash): the list sorted by key is rebuilt
//! by a radix sort when a check reads it, which costs less than writing and reading it.

use crate::compare::SectionRange;
use crate::normalize::OffsetMap;

/// The stored analysis of one indexed document.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// Key of every 5-gram ([`crate::shingle::key_of`]), in text order.
    pub keys: Vec<u32>,
    pub offsets: OffsetMap,
    pub sections: Vec<SectionRange>,
}

impl Features {
    pub fn encode(
        keys: impl ExactSizeIterator<Item = u32>,
        offsets: &OffsetMap,
        sections: &[SectionRange],
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + keys.len() * 4 + offsets.runs().len() * 8);
        let put = |n: u32, out: &mut Vec<u8>| out.extend_from_slice(&n.to_le_bytes());
        put(keys.len() as u32, &mut out);
        // Sized first and filled in place: a loop the compiler turns into wide stores.
        let from = out.len();
        out.resize(from + keys.len() * 4, 0);
        for (slot, k) in out[from..].chunks_exact_mut(4).zip(keys) {
            slot.copy_from_slice(&k.to_le_bytes());
        }
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

    /// Decodes what [`Features::encode`] wrote; `None` when the bytes are not such a record.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut input = Reader(bytes);
        let n = input.u32()? as usize;
        let keys: Vec<u32> = input
            .take(n.checked_mul(4)?)?
            .chunks_exact(4)
            .map(|k| u32::from_le_bytes([k[0], k[1], k[2], k[3]]))
            .collect();
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
        input.0.is_empty().then_some(Self {
            keys,
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
        let bytes = Features::encode(a.keys().into_iter(), &offsets, &sections);
        let f = Features::decode(&bytes).unwrap();
        assert_eq!(f.keys, a.keys());
        let sorted = crate::shingle::sorted_keys(&f.keys);
        assert!(sorted.windows(2).all(|w| w[0] < w[1]));
        assert!(sorted.iter().all(|&(k, p)| f.keys[p as usize] == k));
        assert_eq!(f.offsets, offsets);
        assert_eq!(f.sections.len(), 2);
        assert_eq!(f.sections[1].0, "研究内容");
        assert!(Features::decode(&bytes[..bytes.len() - 1]).is_none());
    }
}
