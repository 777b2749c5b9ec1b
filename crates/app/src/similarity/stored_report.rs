//! The 查重 report as it is kept with each check: the engine's figures in basis points, each source
//! with its passages and their context — self-contained, so the report reads the same after its
//! sources have left the library — and the checked text cut into runs for highlighting.

use serde::{Deserialize, Serialize};
use similarity::{Report, Verdict};

use super::rules::{bp, thresholds, verdict_key};

/// Characters of context shown on each side of a copied passage.
pub const CONTEXT: usize = 40;

/// A copied passage with its context: `before` and `after` plain, `marked` highlighted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    pub before: String,
    pub marked: String,
    pub after: String,
}

/// `[start, end)` (chars) of `chars` with [`CONTEXT`] characters on each side.
pub fn snippet(chars: &[char], start: u32, end: u32) -> Snippet {
    let end = (end as usize).min(chars.len());
    let start = (start as usize).min(end);
    let from = start.saturating_sub(CONTEXT);
    let to = (end + CONTEXT).min(chars.len());
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    Snippet {
        before: text(from, start),
        marked: text(start, end),
        after: text(end, to),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionRow {
    pub name: String,
    pub total_chars: usize,
    pub copied_chars: usize,
    pub ratio_bp: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PassageRow {
    /// Chars of the checked text and of the source (original offsets).
    pub start: u32,
    pub end: u32,
    pub source_start: u32,
    pub source_end: u32,
    pub text: Snippet,
    pub source: Snippet,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceRow {
    pub document_id: i64,
    pub title: String,
    pub owner: String,
    pub department: String,
    pub ratio_bp: i32,
    pub copied_chars: usize,
    /// Whole-document 5-gram Jaccard similarity.
    pub jaccard_bp: i32,
    pub passages: Vec<PassageRow>,
}

/// The report as kept with a check: everything the page and the Word file show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredReport {
    pub total_ratio_bp: i32,
    pub ratio_excluding_own_bp: i32,
    pub max_single_ratio_bp: i32,
    pub copied_chars: usize,
    pub total_chars: usize,
    /// [`verdict_key`] against the thresholds below.
    pub verdict: String,
    pub suspected_pct: i64,
    pub duplicate_pct: i64,
    pub sections: Vec<SectionRow>,
    /// The largest ratio first.
    pub sources: Vec<SourceRow>,
}

/// What the report shows of a library document found as a source.
pub struct SourceMeta {
    pub document_id: i64,
    pub title: String,
    pub owner: String,
    pub department: String,
    pub text: String,
}

impl StoredReport {
    /// The report of `checked` from the engine's `report`; `meta` gives each source (by index key).
    /// The verdict follows the bureau's thresholds in whole percent.
    pub fn build<'a>(
        report: &Report,
        checked: &str,
        meta: impl Fn(&str) -> Option<&'a SourceMeta>,
        suspected_pct: i64,
        duplicate_pct: i64,
    ) -> Self {
        let own: Vec<char> = checked.chars().collect();
        let verdict = Verdict::of(
            report.total_ratio,
            &thresholds(suspected_pct, duplicate_pct),
        );
        let sources = report
            .sources
            .iter()
            .filter_map(|s| {
                let m = meta(&s.id)?;
                let theirs: Vec<char> = m.text.chars().collect();
                Some(SourceRow {
                    document_id: m.document_id,
                    title: m.title.clone(),
                    owner: m.owner.clone(),
                    department: m.department.clone(),
                    ratio_bp: bp(s.ratio),
                    copied_chars: s.copied_chars,
                    jaccard_bp: bp(s.jaccard),
                    passages: s
                        .passages
                        .iter()
                        .map(|p| PassageRow {
                            start: p.start,
                            end: p.end,
                            source_start: p.source_start,
                            source_end: p.source_end,
                            text: snippet(&own, p.start, p.end),
                            source: snippet(&theirs, p.source_start, p.source_end),
                        })
                        .collect(),
                })
            })
            .collect();
        StoredReport {
            total_ratio_bp: bp(report.total_ratio),
            ratio_excluding_own_bp: bp(report.ratio_excluding_own),
            max_single_ratio_bp: bp(report.max_single_ratio),
            copied_chars: report.copied_chars,
            total_chars: report.total_chars,
            verdict: verdict_key(verdict).to_owned(),
            suspected_pct,
            duplicate_pct,
            sections: report
                .sections
                .iter()
                .map(|s| SectionRow {
                    name: s.name.clone(),
                    total_chars: s.total_chars,
                    copied_chars: s.copied_chars,
                    ratio_bp: bp(s.ratio),
                })
                .collect(),
            sources,
        }
    }

    /// The checked text's copied spans from every source (original char offsets).
    pub fn spans(&self) -> Vec<(u32, u32)> {
        self.sources
            .iter()
            .flat_map(|s| s.passages.iter().map(|p| (p.start, p.end)))
            .collect()
    }
}

/// A run of text, copied (to highlight) or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub marked: bool,
}

/// `text` cut into runs at the union of `spans` (char offsets, in any order, overlapping or not).
pub fn segments(text: &str, spans: &[(u32, u32)]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let mut marked = vec![false; chars.len()];
    for &(start, end) in spans {
        let end = (end as usize).min(chars.len());
        let start = (start as usize).min(end);
        marked[start..end].fill(true);
    }
    let mut out: Vec<Segment> = Vec::new();
    for (c, m) in chars.into_iter().zip(marked) {
        match out.last_mut() {
            Some(last) if last.marked == m => last.text.push(c),
            _ => out.push(Segment {
                text: c.to_string(),
                marked: m,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use similarity::Thresholds;

    #[test]
    fn snippets_keep_context_within_the_text() {
        let chars: Vec<char> = "甲".repeat(50).chars().chain("乙乙".chars()).collect();
        let s = snippet(&chars, 50, 52);
        assert_eq!(s.before.chars().count(), CONTEXT);
        assert_eq!(s.marked, "乙乙");
        assert_eq!(s.after, "");
        let s = snippet(&chars, 0, 1000);
        assert_eq!((s.before.as_str(), s.marked.chars().count()), ("", 52));
    }

    #[test]
    fn segments_mark_the_union_of_spans() {
        let s = segments("一二三四五六七", &[(4, 6), (1, 3), (2, 5)]);
        assert_eq!(
            s,
            vec![
                Segment {
                    text: "一".into(),
                    marked: false
                },
                Segment {
                    text: "二三四五六".into(),
                    marked: true
                },
                Segment {
                    text: "七".into(),
                    marked: false
                },
            ]
        );
        assert!(segments("", &[(0, 3)]).is_empty());
    }

    #[test]
    fn stored_report_follows_the_bureau_thresholds() {
        let library = "前文".to_owned() + &"科技计划项目申报书研究内容".repeat(3);
        let mut report = similarity::report::Report::build(
            &similarity::normalize::normalize("x"),
            &[],
            "",
            vec![],
            &Thresholds::default(),
        );
        report.total_ratio = 0.6;
        report.sources.push(similarity::report::SourceReport {
            id: "3-aaaa".into(),
            owner: "单位".into(),
            ratio: 0.6,
            copied_chars: 6,
            jaccard: 0.25,
            containment: 0.5,
            sections: vec![],
            passages: vec![similarity::report::Passage {
                start: 0,
                end: 2,
                source_start: 2,
                source_end: 4,
            }],
        });
        report.sources.push(similarity::report::SourceReport {
            id: "4-gone".into(),
            ..report.sources[0].clone()
        });
        let meta = SourceMeta {
            document_id: 3,
            title: "旧申报书".into(),
            owner: "单位".into(),
            department: "高新技术处".into(),
            text: library,
        };
        let stored = StoredReport::build(
            &report,
            "科技",
            |k| (k == "3-aaaa").then_some(&meta),
            50,
            80,
        );
        assert_eq!(stored.verdict, "suspected");
        assert_eq!(stored.total_ratio_bp, 6000);
        assert_eq!(stored.sources.len(), 1, "unknown sources are left out");
        let p = &stored.sources[0].passages[0];
        assert_eq!(
            (p.text.marked.as_str(), p.source.marked.as_str()),
            ("科技", "科技")
        );
        assert_eq!(p.source.before, "前文");
        assert_eq!(stored.spans(), vec![(0, 2)]);
        let strict = StoredReport::build(&report, "科技", |_| None, 30, 60);
        assert_eq!(strict.verdict, "duplicate");
    }
}
