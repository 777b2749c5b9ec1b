//! The 查重 report with the figures Chinese users know from CNKI/万方/维普 reports.
//!
//! Characters are counted in normalised text (letters and digits only), so punctuation and spacing
//! neither inflate nor dilute a ratio; positions of passages are char offsets of the original texts.

use serde::{Deserialize, Serialize};

use crate::align::{Match, covered};
use crate::compare::SectionSimilarity;
use crate::normalize::{Normalized, OffsetMap};
use crate::section::Section;

/// Ratios at which a checked document is flagged (the bureau's settings).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// 疑似重复 from this 总文字复制比 on.
    pub suspected: f64,
    /// 重复 from this 总文字复制比 on.
    pub duplicate: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            suspected: 0.5,
            duplicate: 0.8,
        }
    }
}

/// Outcome of a check against the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 未见明显重复
    Clear,
    /// 疑似重复
    Suspected,
    /// 重复
    Duplicate,
}

impl Verdict {
    pub fn of(ratio: f64, thresholds: &Thresholds) -> Self {
        if ratio >= thresholds.duplicate {
            Self::Duplicate
        } else if ratio >= thresholds.suspected {
            Self::Suspected
        } else {
            Self::Clear
        }
    }

    /// The label shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Clear => "未见明显重复",
            Self::Suspected => "疑似重复",
            Self::Duplicate => "重复",
        }
    }
}

/// A copied passage: `[start, end)` in the checked text, `[source_start, source_end)` in the source,
/// both in chars of the original texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    pub start: u32,
    pub end: u32,
    pub source_start: u32,
    pub source_end: u32,
}

/// One source the checked document shares text with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceReport {
    pub id: String,
    /// 申报单位/申请人 of the source.
    pub owner: String,
    /// Share of the checked text copied from this source (文字复制比 of this source).
    pub ratio: f64,
    /// 重复字数 from this source.
    pub copied_chars: usize,
    /// 5-gram Jaccard similarity of the two whole documents (templates excluded).
    pub jaccard: f64,
    /// Share of the smaller document's 5-grams found in the other (templates excluded).
    pub containment: f64,
    /// Similarity of each section both documents have (立项依据 against 立项依据 …).
    pub sections: Vec<SectionSimilarity>,
    pub passages: Vec<Passage>,
}

/// Copy figures of one section of the checked document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionReport {
    pub name: String,
    /// Range in chars of the original text.
    pub start: u32,
    pub end: u32,
    pub total_chars: usize,
    pub copied_chars: usize,
    pub ratio: f64,
}

/// The whole report of one checked document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// 总文字复制比
    pub total_ratio: f64,
    /// 去除本人已有文献复制比: sources of the same owner left out.
    pub ratio_excluding_own: f64,
    /// 单篇最大文字复制比
    pub max_single_ratio: f64,
    /// 重复字数
    pub copied_chars: usize,
    /// 总字数
    pub total_chars: usize,
    pub verdict: Verdict,
    pub sections: Vec<SectionReport>,
    /// Sources, the largest ratio first.
    pub sources: Vec<SourceReport>,
}

/// What stage 2 found in one source, in normalised positions, before it becomes a [`SourceReport`].
#[derive(Debug, Clone)]
pub struct SourceFinding {
    pub id: String,
    pub owner: String,
    pub jaccard: f64,
    pub containment: f64,
    pub sections: Vec<SectionSimilarity>,
    pub matches: Vec<Match>,
    /// Maps the source's normalised positions back to its original offsets.
    pub source: OffsetMap,
}

impl Report {
    /// Builds the report of `text` (normalised) with its `sections` from the findings in each source.
    /// `owner` is the checked document's owner: its own sources do not count in 去除本人已有文献复制比.
    pub fn build(
        text: &Normalized,
        sections: &[Section],
        owner: &str,
        findings: Vec<SourceFinding>,
        thresholds: &Thresholds,
    ) -> Self {
        let total = text.len();
        let ratio = |copied: usize| {
            if total == 0 {
                0.0
            } else {
                copied as f64 / total as f64
            }
        };
        let mut copied = vec![false; total];
        let mut copied_by_others = vec![false; total];
        let mut sources: Vec<SourceReport> = Vec::new();
        for finding in findings {
            if finding.matches.is_empty() && finding.jaccard == 0.0 {
                continue;
            }
            for m in &finding.matches {
                copied[m.start as usize..m.end as usize].fill(true);
                if finding.owner != owner || owner.is_empty() {
                    copied_by_others[m.start as usize..m.end as usize].fill(true);
                }
            }
            let copied_chars = covered(finding.matches.iter().map(|m| (m.start, m.end)));
            let passages = finding
                .matches
                .iter()
                .map(|m| {
                    let (start, end) = text.original_span(m.start as usize, m.end as usize);
                    let (source_start, source_end) =
                        finding.source.original_span(m.source_start, m.source_end);
                    Passage {
                        start,
                        end,
                        source_start,
                        source_end,
                    }
                })
                .collect();
            sources.push(SourceReport {
                id: finding.id,
                owner: finding.owner,
                ratio: ratio(copied_chars),
                copied_chars,
                jaccard: finding.jaccard,
                containment: finding.containment,
                sections: finding.sections,
                passages,
            });
        }
        sources.sort_by(|a, b| {
            b.ratio
                .total_cmp(&a.ratio)
                .then(b.jaccard.total_cmp(&a.jaccard))
        });
        let copied_chars = copied.iter().filter(|&&c| c).count();
        let sections = sections
            .iter()
            .map(|s| {
                let from = text.position_of_original(s.start);
                let to = text.position_of_original(s.end);
                let section_copied = copied[from..to].iter().filter(|&&c| c).count();
                let section_total = to - from;
                SectionReport {
                    name: s.name.clone(),
                    start: s.start,
                    end: s.end,
                    total_chars: section_total,
                    copied_chars: section_copied,
                    ratio: if section_total == 0 {
                        0.0
                    } else {
                        section_copied as f64 / section_total as f64
                    },
                }
            })
            .collect();
        let total_ratio = ratio(copied_chars);
        Self {
            total_ratio,
            ratio_excluding_own: ratio(copied_by_others.iter().filter(|&&c| c).count()),
            max_single_ratio: sources.iter().map(|s| s.ratio).fold(0.0, f64::max),
            copied_chars,
            total_chars: total,
            verdict: Verdict::of(total_ratio, thresholds),
            sections,
            sources,
        }
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    fn finding(id: &str, owner: &str, source: &str, matches: Vec<Match>) -> SourceFinding {
        SourceFinding {
            id: id.into(),
            owner: owner.into(),
            jaccard: 0.1,
            containment: 0.2,
            sections: vec![],
            matches,
            source: OffsetMap::of(&normalize(source)),
        }
    }

    fn m(start: u32, end: u32, source_start: u32) -> Match {
        Match {
            start,
            end,
            source_start,
            source_end: source_start + (end - start),
        }
    }

    #[test]
    fn figures_count_union_and_exclude_own_sources() {
        // 40 normalised chars; source A (other owner) covers 0..20, B (own) covers 10..30.
        let text = normalize(&"甲".repeat(40));
        let report = Report::build(
            &text,
            &[Section {
                name: "研究内容".into(),
                start: 0,
                end: 20,
            }],
            "单位一",
            vec![
                finding("A", "单位二", &"甲".repeat(30), vec![m(0, 20, 5)]),
                finding("B", "单位一", &"甲".repeat(30), vec![m(10, 30, 0)]),
            ],
            &Thresholds::default(),
        );
        assert_eq!(report.total_chars, 40);
        assert_eq!(report.copied_chars, 30);
        assert_eq!(report.total_ratio, 0.75);
        assert_eq!(report.ratio_excluding_own, 0.5);
        assert_eq!(report.max_single_ratio, 0.5);
        assert_eq!(report.verdict, Verdict::Suspected);
        assert_eq!(report.sections[0].ratio, 1.0);
        assert_eq!(
            report.sources[0].passages[0],
            Passage {
                start: 0,
                end: 20,
                source_start: 5,
                source_end: 25
            }
        );
    }

    #[test]
    fn passages_are_in_original_offsets() {
        // Punctuation is skipped in counting but passages point into the original text.
        let text = normalize("前言，一二三四五六七八九十甲乙丙。");
        let source = "x一二三四五六七八九十甲乙丙";
        let report = Report::build(
            &text,
            &[],
            "",
            vec![finding("S", "", source, vec![m(2, 15, 1)])],
            &Thresholds::default(),
        );
        assert_eq!(
            report.sources[0].passages[0],
            Passage {
                start: 3,
                end: 16,
                source_start: 1,
                source_end: 14
            }
        );
        assert_eq!(report.total_chars, 15);
    }

    #[test]
    fn verdict_follows_thresholds() {
        let t = Thresholds::default();
        assert_eq!(Verdict::of(0.49, &t), Verdict::Clear);
        assert_eq!(Verdict::of(0.5, &t), Verdict::Suspected);
        assert_eq!(Verdict::of(0.8, &t), Verdict::Duplicate);
        assert!(
            Report::build(&normalize(""), &[], "", vec![], &t)
                .to_json()
                .contains("\"total_ratio\": 0.0")
        );
    }
}
