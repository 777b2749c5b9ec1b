//! Text normalisation before comparison, keeping a map back to the original text.
//!
//! Two texts that differ only in full/half width, Traditional vs Simplified characters, letter case,
//! whitespace or punctuation normalise to the same characters, so a copy cannot hide behind such edits.

use std::collections::HashMap;
use std::sync::OnceLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalised text: only letters and digits, each with the char offset in the original text it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    chars: Vec<char>,
    offsets: Vec<u32>,
    line_ends: Vec<u32>,
    original_len: u32,
}

impl Normalized {
    /// The normalised characters.
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// For each normalised char, the char offset (not byte offset) of its source in the original text.
    /// Non-decreasing; several normalised chars share an offset when one original char expands (e.g. "㎏").
    pub fn offsets(&self) -> &[u32] {
        &self.offsets
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// For each line break (`'\n'`) of the original text, the char offset just after it: where
    /// [`crate::section`] looks for headings, noted while normalising instead of searched again.
    pub fn line_ends(&self) -> &[u32] {
        &self.line_ends
    }

    /// Chars in the original text.
    pub fn original_len(&self) -> u32 {
        self.original_len
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Original char range `[start, end)` covered by the normalised range `[from, to)` (`from < to`).
    pub fn original_span(&self, from: usize, to: usize) -> (u32, u32) {
        (self.offsets[from], self.offsets[to - 1] + 1)
    }

    /// Index of the first normalised char whose original offset is at or after `original`.
    pub fn position_of_original(&self, original: u32) -> usize {
        self.offsets.partition_point(|&o| o < original)
    }
}

/// The map from normalised positions back to original char offsets, stored compactly: only the positions
/// where the offset does not simply advance by one (after skipped punctuation, at expansions) are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    /// `(position, offset)`: from `position` on, offsets run up by one from `offset`. Sorted by position.
    runs: Vec<(u32, u32)>,
}

impl OffsetMap {
    pub fn of(normalized: &Normalized) -> Self {
        let offsets = &normalized.offsets;
        // Every position is written to the next free slot of a small buffer, which only moves on
        // where a run starts: no branch on that, which a text with punctuation every few chars
        // would mispredict often. The buffer is emptied into the runs when it may be full.
        const BUFFER: usize = 256;
        let mut buffer = [(0u32, 0u32); BUFFER];
        let mut runs = Vec::with_capacity(offsets.len() / 8 + 1);
        let mut len = 0;
        // Position 0 always starts a run: no offset is expected before it.
        let mut expected = offsets.first().map_or(0, |&o| o ^ 1);
        for (positions, chunk) in (0u32..).step_by(BUFFER).zip(offsets.chunks(BUFFER)) {
            for (position, &offset) in (positions..).zip(chunk) {
                // `len` is at most the number of positions of this chunk before this one.
                buffer[len] = (position, offset);
                len += usize::from(offset != expected);
                expected = offset + 1;
            }
            runs.extend_from_slice(&buffer[..len]);
            len = 0;
        }
        Self { runs }
    }

    /// Rebuilds a map from the runs returned by [`OffsetMap::runs`].
    pub fn from_runs(runs: Vec<(u32, u32)>) -> Self {
        Self { runs }
    }

    pub fn runs(&self) -> &[(u32, u32)] {
        &self.runs
    }

    /// Original char offset of normalised position `position`.
    pub fn offset(&self, position: u32) -> u32 {
        let run = self.runs.partition_point(|&(p, _)| p <= position);
        match run.checked_sub(1).map(|r| self.runs[r]) {
            Some((start, offset)) => offset + (position - start),
            None => position,
        }
    }

    /// Original char range `[start, end)` covered by the normalised range `[from, to)` (`from < to`).
    pub fn original_span(&self, from: u32, to: u32) -> (u32, u32) {
        (self.offset(from), self.offset(to - 1) + 1)
    }
}

/// Normalises `text`: NFKC, Traditional→Simplified (character level), lower case, and only letters and
/// digits kept (whitespace, punctuation and symbols removed).
///
/// NFKC composes a base char with the combining marks after it, so each such cluster is normalised as
/// one unit and all of its output points at the cluster's first char. A char with no mark after it
/// normalises on its own, to what [`Tables::bmp`] says for the Basic Multilingual Plane: one look-up
/// per char for nearly all text (in a bitset of the chars that stay as they are, then in the table).
/// A combining mark sends its cluster, whose first char's output is then taken back, through NFKC;
/// so do astral chars and the few that become several chars.
pub fn normalize(text: &str) -> Normalized {
    let tables = tables();
    let bytes = text.as_bytes();
    let mut out = Normalized {
        chars: Vec::with_capacity(text.len() / 3 + 16),
        offsets: Vec::with_capacity(text.len() / 3 + 16),
        line_ends: Vec::new(),
        original_len: 0,
    };
    let mut at = 0;
    let mut offset = 0u32;
    // The cluster being read: its first byte, its char offset, and the output before it.
    let mut cluster = (0, 0u32, 0);
    while let Some(&lead) = bytes.get(at) {
        // Text is valid UTF-8: decode by the lead byte; four-byte (astral) chars take the slow path.
        let (code, width) = match lead {
            0..0x80 => (u32::from(lead), 1),
            0x80..0xE0 => (
                (u32::from(lead & 0x1F) << 6) | u32::from(continuation(bytes, at + 1)),
                2,
            ),
            0xE0..0xF0 => (
                (u32::from(lead & 0x0F) << 12)
                    | (u32::from(continuation(bytes, at + 1)) << 6)
                    | u32::from(continuation(bytes, at + 2)),
                3,
            ),
            _ => (u32::MAX, 4),
        };
        let same = tables.same.get(code as usize / 64).copied().unwrap_or(0) >> (code % 64) & 1;
        if let Some(c) = char::from_u32(code).filter(|_| same == 1) {
            cluster = (at, offset, out.chars.len());
            out.chars.push(c);
            out.offsets.push(offset);
            at += width;
            offset += 1;
            continue;
        }
        let entry = tables.bmp.get(code as usize).copied().unwrap_or(SLOW);
        if let Some(one) = char::from_u32(u32::from(entry)).filter(|_| entry > JOINS) {
            cluster = (at, offset, out.chars.len());
            out.chars.push(one);
            out.offsets.push(offset);
        } else if entry == DROP {
            cluster = (at, offset, out.chars.len());
            if lead == b'\n' {
                out.line_ends.push(offset + 1);
            }
        } else {
            let Some(c) = text[at..].chars().next() else {
                break;
            };
            let width = c.len_utf8();
            if joins(c) && offset > 0 {
                // A mark after the cluster's first char: the whole cluster again, through NFKC.
                let (from, from_offset, from_len) = cluster;
                let mut to = at + width;
                offset += 1;
                for next in text[to..].chars().take_while(|&next| joins(next)) {
                    to += next.len_utf8();
                    offset += 1;
                }
                out.chars.truncate(from_len);
                out.offsets.truncate(from_len);
                for c in text[from..to].nfkc() {
                    emit(tables.t2s.get(c), from_offset, &mut out);
                }
                at = to;
                continue;
            }
            cluster = (at, offset, out.chars.len());
            for c in std::iter::once(c).nfkc() {
                emit(tables.t2s.get(c), offset, &mut out);
            }
        }
        at += width;
        offset += 1;
    }
    out.original_len = offset;
    out
}

/// The six bits of the continuation byte at `at` (0 past the end, which valid UTF-8 never reaches).
fn continuation(bytes: &[u8], at: usize) -> u8 {
    bytes.get(at).map_or(0, |b| b & 0x3F)
}

/// [`Tables::bmp`] entry of a char that normalises to nothing.
const DROP: u16 = 0;
/// Entry of a char that normalises to several chars, or to one only when not followed by a mark.
const SLOW: u16 = 1;
/// Entry of a combining mark. None of these three is a letter or digit, so none is ever an output.
/// Entries are 16 bits (what a BMP char normalises to alone is in the BMP, or [`SLOW`]): half the
/// cache lines of chars for the 21,000 ideographs that Chinese text mostly looks up.
const JOINS: u16 = 2;

/// Whether `c` is a combining mark, which NFKC may compose with the char before it. Asked of every
/// char, so the ideographs (none of them a mark) are answered before the table look-up.
fn joins(c: char) -> bool {
    c >= '\u{300}' && !('\u{3400}'..='\u{9FFF}').contains(&c) && is_combining_mark(c)
}

/// Appends `c` lower-cased, if it is a letter or digit.
fn emit(c: char, offset: u32, out: &mut Normalized) {
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() {
            out.chars.push(c.to_ascii_lowercase());
            out.offsets.push(offset);
        }
        return;
    }
    for lower in c.to_lowercase() {
        if lower.is_alphanumeric() {
            out.chars.push(lower);
            out.offsets.push(offset);
        }
    }
}

/// What normalisation looks up.
struct Tables {
    t2s: T2s,
    /// For each char of the Basic Multilingual Plane, what it normalises to when no combining mark
    /// follows it: the one char, [`DROP`], [`SLOW`], or [`JOINS`] when it is a combining mark itself.
    /// Surrogate code points, which are not chars, are [`SLOW`] (never looked up).
    bmp: Vec<u16>,
    /// One bit per char of the BMP: whether it normalises to itself when alone, as most Simplified
    /// ideographs and lower-case letters do. 8 KB instead of the table's 128 KB, so that the look-up of
    /// an ideograph stays in the first-level cache.
    same: Vec<u64>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let t2s = t2s_table();
        let bmp: Vec<u16> = (0..0x10000)
            .map(|code| {
                let Some(c) = char::from_u32(code) else {
                    return SLOW;
                };
                if joins(c) {
                    return JOINS;
                }
                let mut alone = Normalized::default();
                for c in std::iter::once(c).nfkc() {
                    emit(t2s.get(c), 0, &mut alone);
                }
                match alone.chars[..] {
                    [] => DROP,
                    [one] => u16::try_from(u32::from(one)).unwrap_or(SLOW),
                    _ => SLOW,
                }
            })
            .collect();
        let mut same = vec![0u64; bmp.len() / 64];
        for (code, &entry) in bmp.iter().enumerate() {
            if u32::from(entry) == code as u32 && entry > JOINS {
                same[code / 64] |= 1 << (code % 64);
            }
        }
        Tables { t2s, bmp, same }
    })
}

/// First char of the dense part of the Traditional→Simplified table.
const DENSE_FROM: u32 = 0x3400;
/// Past the last char of the dense part (the BMP ideographs).
const DENSE_TO: u32 = 0xA000;

/// Traditional→Simplified map for single chars: a flat array over the BMP ideographs, a hash map for the
/// few conversions outside them.
struct T2s {
    dense: Vec<char>,
    sparse: HashMap<char, char>,
}

impl T2s {
    fn get(&self, c: char) -> char {
        match (c as u32).checked_sub(DENSE_FROM) {
            Some(i) if (c as u32) < DENSE_TO => self.dense[i as usize],
            _ if (c as u32) < DENSE_FROM => c,
            _ => self.sparse.get(&c).copied().unwrap_or(c),
        }
    }
}

/// Traditional→Simplified map for single characters, built once from OpenCC's embedded dictionaries.
///
/// Character level on purpose: phrase-level conversion may change lengths and would break the offset map.
/// The price: a Traditional char that is also a Simplified one stays as it is (著 in 著力 stays 著,
/// while the Simplified text has 着), so such a char interrupts a copied run.
fn t2s_table() -> T2s {
    {
        let ranges = [
            DENSE_FROM..=DENSE_TO - 1,
            0x20000..=0x2A6DF,
            0x2A700..=0x2EBEF,
        ];
        let candidates: Vec<char> = ranges
            .into_iter()
            .flatten()
            .filter_map(char::from_u32)
            .collect();
        let simplified = convert_each(BuiltinConfig::T2s, &candidates);
        let mut table = T2s {
            dense: Vec::with_capacity((DENSE_TO - DENSE_FROM) as usize),
            sparse: HashMap::new(),
        };
        for (from, to) in candidates.into_iter().zip(simplified) {
            if (from as u32) < DENSE_TO {
                table.dense.push(to);
            } else if from != to {
                table.sparse.insert(from, to);
            }
        }
        table
    }
}

/// Converts each char on its own; a char whose conversion is not exactly one char is kept.
fn convert_each(config: BuiltinConfig, chars: &[char]) -> Vec<char> {
    // The dictionaries are compiled into the binary; failing to load them is a build defect.
    let opencc = OpenCC::from_config(config).expect("内置的繁简转换词典无法加载");
    // One char a line: phrases never span a line break, so each line converts on its own.
    let joined: String = chars.iter().flat_map(|&c| [c, '\n']).collect();
    let converted = opencc.convert(&joined);
    chars
        .iter()
        .zip(converted.split('\n'))
        .map(|(&from, to)| {
            let mut to_chars = to.chars();
            match (to_chars.next(), to_chars.next()) {
                (Some(to), None) => to,
                _ => from,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(n: &Normalized) -> String {
        n.chars().iter().collect()
    }

    #[test]
    fn width_case_punctuation_and_space_are_folded() {
        let n = normalize("ＡＢＣ１２３，Hello World！　研究。");
        assert_eq!(text(&n), "abc123helloworld研究");
    }

    #[test]
    fn traditional_becomes_simplified() {
        assert_eq!(text(&normalize("國家發展與改革")), "国家发展与改革");
        assert_eq!(text(&normalize("技術路線")), "技术路线");
    }

    #[test]
    fn offsets_point_at_original_chars() {
        let n = normalize("一、立項 依據：ab");
        assert_eq!(text(&n), "一立项依据ab");
        assert_eq!(n.offsets(), &[0, 2, 3, 5, 6, 8, 9]);
        assert_eq!(n.original_span(1, 5), (2, 7));
        assert_eq!(n.position_of_original(4), 3);
    }

    #[test]
    fn offset_map_agrees_with_the_offsets() {
        let n = normalize("一、立項 依據：ab㎏e\u{301}x");
        let map = OffsetMap::of(&n);
        assert!(map.runs().len() < n.len());
        for (p, &o) in n.offsets().iter().enumerate() {
            assert_eq!(map.offset(p as u32), o);
        }
        assert_eq!(map.original_span(1, 5), n.original_span(1, 5));
        assert_eq!(OffsetMap::from_runs(map.runs().to_vec()), map);
    }

    #[test]
    fn expansion_and_combining_marks_share_offsets() {
        // "㎏" expands to two letters; "e" + combining acute composes to one char.
        let n = normalize("㎏e\u{301}x");
        assert_eq!(text(&n), "kgéx");
        assert_eq!(n.offsets(), &[0, 0, 1, 3]);
    }

    /// The definition without the fast path: every cluster through NFKC, then t2s, case, filter.
    fn reference(text: &str) -> Vec<(char, u32)> {
        let mut clusters: Vec<(u32, String)> = Vec::new();
        for (c, offset) in text.chars().zip(0u32..) {
            match clusters.last_mut() {
                Some((_, cluster)) if is_combining_mark(c) => cluster.push(c),
                _ => clusters.push((offset, c.to_string())),
            }
        }
        let mut out = Vec::new();
        for (offset, cluster) in clusters {
            for c in cluster.nfkc() {
                let c = tables().t2s.get(c);
                out.extend(
                    c.to_lowercase()
                        .filter(|l| l.is_alphanumeric())
                        .map(|l| (l, offset)),
                );
            }
        }
        out
    }

    /// The normalisation before the table of single chars (the slow path): each cluster of a char and
    /// the combining marks after it through NFKC, except ASCII and ideographs with no mark after them.
    fn by_clusters(text: &str) -> Normalized {
        let table = &tables().t2s;
        let mut out = Normalized::default();
        let mut cluster = String::new();
        let mut chars = text.chars().zip(0u32..).peekable();
        while let Some((c, offset)) = chars.next() {
            if c == '\n' {
                out.line_ends.push(offset + 1);
            }
            let alone = chars.peek().is_none_or(|&(next, _)| !joins(next));
            let stable = c.is_ascii()
                || ('\u{3400}'..='\u{4DBF}').contains(&c)
                || ('\u{4E00}'..='\u{9FFF}').contains(&c);
            if alone && stable {
                emit(table.get(c), offset, &mut out);
                continue;
            }
            cluster.clear();
            cluster.push(c);
            while let Some((next, _)) = chars.next_if(|&(next, _)| joins(next)) {
                cluster.push(next);
            }
            for c in cluster.nfkc() {
                emit(table.get(c), offset, &mut out);
            }
        }
        out.original_len = text.chars().count() as u32;
        out
    }

    #[test]
    fn table_agrees_with_the_slow_path_on_every_char_alone_and_before_a_mark() {
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            for text in [
                c.to_string(),
                format!("{c}\u{301}x"),
                format!("a{c}\u{308}"),
            ] {
                assert_eq!(normalize(&text), by_clusters(&text), "{:?}", text);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn table_agrees_with_the_slow_path(
            s in "[a-zA-Z0-9 \t\n.,;ａ-ｚＡ-Ｚ０-９ 　，。！、“”《》（）国國發发展學学研究內容與技術路線㐀䶵鿿é\u{300}-\u{36F}\u{1AB0}-\u{1AFF}\u{20D0}-\u{20FF}\u{FE20}-\u{FE2F}\u{1100}\u{1161}가㎏ﬁ①豈İẞΣς\u{10000}-\u{10FFFF}𠀀-𪛟𝐀-𝟿\u{1D165}\u{1D16D}\u{101FD}😀\\PC]{0,80}"
        ) {
            prop_assert_eq!(normalize(&s), by_clusters(&s));
        }

        #[test]
        fn table_agrees_with_the_slow_path_on_any_chars(s in any::<String>()) {
            prop_assert_eq!(normalize(&s), by_clusters(&s));
        }

        #[test]
        fn fast_path_agrees_with_the_definition(
            s in "[a-zA-Z0-9ａ-ｚＡ-Ｚ０-９ 　，。國发學㐀䶵鿿é\u{301}\u{308}\u{1100}\u{1161}㎏ﬁ①豈\\PC]{0,40}"
        ) {
            let n = normalize(&s);
            let got: Vec<(char, u32)> = n.chars().iter().copied().zip(n.offsets().iter().copied()).collect();
            prop_assert_eq!(got, reference(&s));
        }

        #[test]
        fn offset_map_runs_start_where_offsets_do_not_run_on_by_one(
            s in "[a-zA-Z0-9 　，。！国國發发é\u{301}㎏ﬁ①\\PC]{0,60}"
        ) {
            let n = normalize(&s);
            let o = n.offsets();
            let expected: Vec<(u32, u32)> = (0..o.len())
                .filter(|&p| p == 0 || o[p] != o[p - 1] + 1)
                .map(|p| (p as u32, o[p]))
                .collect();
            let map = OffsetMap::of(&n);
            prop_assert_eq!(map.runs(), &expected[..]);
            for (p, &offset) in o.iter().enumerate() {
                prop_assert_eq!(map.offset(p as u32), offset);
            }
        }

        #[test]
        fn every_normalised_char_comes_from_the_span_it_points_to(
            s in "[a-zA-Z0-9ａ-ｚＡ-Ｚ０-９ 　，。！、国國發发展學学é\u{301}㎏ﬁ①\\PC]{0,60}"
        ) {
            let n = normalize(&s);
            let original: Vec<char> = s.chars().collect();
            prop_assert_eq!(n.chars().len(), n.offsets().len());
            prop_assert!(n.offsets().windows(2).all(|w| w[0] <= w[1]));
            let mut i = 0;
            while i < n.len() {
                // All normalised chars with the same offset come from the cluster starting there.
                let start = n.offsets()[i] as usize;
                let mut j = i;
                while j < n.len() && n.offsets()[j] as usize == start {
                    j += 1;
                }
                let mut end = start + 1;
                while end < original.len() && is_combining_mark(original[end]) {
                    end += 1;
                }
                let cluster: String = original[start..end].iter().collect();
                let again = normalize(&cluster);
                prop_assert_eq!(again.chars(), &n.chars()[i..j]);
                i = j;
            }
        }
    }
}
