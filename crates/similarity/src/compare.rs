//! Exact similarity of two documents, and of each section they both have (立项依据 against 立项依据 …):
//! what decides after MinHash/LSH or shared fingerprints proposed a candidate.

use serde::{Deserialize, Serialize};

use crate::document::Analysis;
use crate::normalize::Normalized;
use crate::section::Section;
use crate::shingle::{SHINGLE_LEN, overlap};

/// Jaccard similarity and containment of two shingle sets.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Similarity {
    /// Shared shingles over all distinct shingles of both.
    pub jaccard: f64,
    /// Shared shingles over those of the smaller set: near 1 when one text is contained in the other.
    pub containment: f64,
}

impl Similarity {
    /// Of two sorted sets without repeats, leaving out shingles for which `ignore` is true (template text).
    pub fn of<T: Copy + Ord>(a: &[T], b: &[T], ignore: impl Fn(T) -> bool) -> Self {
        let (both, len_a, len_b) = overlap(a, b, ignore);
        let union = len_a + len_b - both;
        let smaller = len_a.min(len_b);
        Self {
            jaccard: if union == 0 {
                0.0
            } else {
                both as f64 / union as f64
            },
            containment: if smaller == 0 {
                0.0
            } else {
                both as f64 / smaller as f64
            },
        }
    }
}

/// Similarity of one section that both documents have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionSimilarity {
    pub name: String,
    pub jaccard: f64,
    pub containment: f64,
}

/// A section in normalised positions: its name and `[from, to)`.
pub type SectionRange = (String, u32, u32);

/// The sections of a text (ranges of the original) as ranges of its normalised text.
pub fn section_ranges(normalized: &Normalized, sections: &[Section]) -> Vec<SectionRange> {
    sections
        .iter()
        .map(|s| {
            let from = normalized.position_of_original(s.start) as u32;
            let to = normalized.position_of_original(s.end) as u32;
            (s.name.clone(), from, to)
        })
        .collect()
}

/// The distinct shingles lying wholly inside each section, by section name in order of first appearance
/// (a name that occurs twice gets the shingles of both parts).
pub fn section_shingles(analysis: &Analysis, sections: &[Section]) -> Vec<(String, Vec<u64>)> {
    section_sets(
        &analysis.sorted,
        &section_ranges(&analysis.normalized, sections),
    )
}

/// [`section_shingles`] from the `(hash, position)` list of a text sorted by hash, as the index stores it.
/// `ranges` are in text order without overlaps, as [`section_ranges`] gives them.
pub fn section_sets<T: Copy + PartialEq>(
    sorted: &[(T, u32)],
    ranges: &[SectionRange],
) -> Vec<(String, Vec<T>)> {
    // Ranges with the same name share one set.
    let mut names: Vec<&str> = Vec::new();
    let slots: Vec<usize> = ranges
        .iter()
        .map(|(name, _, _)| {
            names.iter().position(|n| n == name).unwrap_or_else(|| {
                names.push(name);
                names.len() - 1
            })
        })
        .collect();
    // Shingle `i` covers chars `i..i + SHINGLE_LEN`: it lies inside `[from, to)` when `i < last`.
    let lasts: Vec<u32> = ranges
        .iter()
        .map(|(_, from, to)| (to + 1).saturating_sub(SHINGLE_LEN as u32).max(*from))
        .collect();
    let mut sets: Vec<Vec<T>> = vec![Vec::new(); names.len()];
    // One pass in hash order, so every set comes out sorted.
    for &(h, p) in sorted {
        let r = ranges.partition_point(|(_, from, _)| *from <= p);
        if let Some(r) = r.checked_sub(1)
            && p < lasts[r]
        {
            sets[slots[r]].push(h);
        }
    }
    names
        .into_iter()
        .zip(sets)
        .map(|(name, mut set)| {
            set.dedup();
            (name.to_owned(), set)
        })
        .collect()
}

/// `sorted` without the shingles whose position is marked in `template` (template text), so that the
/// similarities computed from it afterwards need not ask again.
pub fn without<T: Copy>(sorted: &[(T, u32)], template: &[bool]) -> Vec<(T, u32)> {
    sorted
        .iter()
        .copied()
        .filter(|&(_, p)| !template.get(p as usize).copied().unwrap_or(false))
        .collect()
}

/// Similarity of every section name found in both documents, in the order of the checked one.
pub fn compare_sections<T: Copy + Ord>(
    checked: &[(String, Vec<T>)],
    source: &[(String, Vec<T>)],
    ignore: impl Fn(T) -> bool + Copy,
) -> Vec<SectionSimilarity> {
    checked
        .iter()
        .filter_map(|(name, set)| {
            let (_, other) = source.iter().find(|(n, _)| n == name)?;
            let s = Similarity::of(set, other, ignore);
            Some(SectionSimilarity {
                name: name.clone(),
                jaccard: s.jaccard,
                containment: s.containment,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::section::SectionRules;

    fn sets(text: &str) -> Vec<(String, Vec<u64>)> {
        section_shingles(&Analysis::of(text), &SectionRules::default().split(text))
    }

    #[test]
    fn sections_are_compared_by_name() {
        let basis = "研究区域农业用水紧张，灌溉效率低下，亟需精准调控手段。";
        let a = format!(
            "一、立项依据\n{basis}\n二、研究内容\n研制土壤墒情传感器与低功耗无线网络节点。\n"
        );
        let b = format!(
            "一、立项依据\n{basis}\n二、研究内容\n建立作物需水模型并开发远程灌溉决策平台。\n三、创新点\n无\n"
        );
        let result = compare_sections(&sets(&a), &sets(&b), |_| false);
        let names: Vec<&str> = result.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, vec!["立项依据", "研究内容"]);
        assert_eq!(result[0].jaccard, 1.0);
        // 24 chars (20 shingles) each, of which only the heading "二研究内容" is shared: 1 of 39.
        assert_eq!(result[1].jaccard, 1.0 / 39.0);
    }

    #[test]
    fn shingles_crossing_a_section_boundary_belong_to_neither() {
        let text = "一、立项依据\n甲乙丙丁\n二、研究内容\n戊己庚辛壬\n";
        let by_name = sets(text);
        // 立项依据 holds "一立项依据甲乙丙丁" (9 chars, 5 shingles), 研究内容 "二研究内容戊己庚辛壬" (10 chars,
        // 6 shingles); the 4 shingles across the boundary count for the whole document only.
        assert_eq!(by_name[0].1.len(), 5);
        assert_eq!(by_name[1].1.len(), 6);
        assert_eq!(Analysis::of(text).shingles.len(), 15);
    }

    #[test]
    fn templates_are_left_out() {
        let s = Similarity::of(&[1, 2, 3, 4], &[2, 4, 5], |_| false);
        assert_eq!((s.jaccard, s.containment), (0.4, 2.0 / 3.0));
        let s = Similarity::of(&[1, 2, 3, 4], &[2, 4, 5], |h| h == 4);
        assert_eq!((s.jaccard, s.containment), (0.25, 0.5));
        assert_eq!(
            Similarity::of::<u64>(&[], &[], |_| false),
            Similarity::default()
        );
    }
}
