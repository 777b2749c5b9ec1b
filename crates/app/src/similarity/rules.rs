//! 查重 rules, pure: reading an uploaded file, the key of a library document in the index, the figures
//! as stored and shown, and the report as it is kept with each check (self-contained, so it reads the
//! same after its sources have left the library).

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use similarity::{Report, Thresholds, Verdict};

/// Characters of context shown on each side of a copied passage.
pub const CONTEXT: usize = 40;

/// Longest title and owner, in characters.
pub const MAX_TITLE: usize = 200;

/// The text of an uploaded file, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// 字数 as the report counts them: letters and digits after normalisation.
    pub chars: usize,
    pub sha256: String,
}

/// Reads an uploaded `.txt` (UTF-8) or `.docx` file. The message names the file and says what is wrong.
pub fn read_upload(file_name: &str, bytes: Vec<u8>, max_chars: usize) -> Result<Text, String> {
    let name = base_name(file_name);
    if bytes.is_empty() {
        return Err(format!("{name} 是空文件"));
    }
    let text = similarity::extract::text_of(Path::new(&name), bytes).map_err(|e| e.to_string())?;
    let chars = similarity::normalize::normalize(&text).len();
    if chars == 0 {
        return Err(format!("{name} 中没有可比对的文字（只有空白或标点）"));
    }
    if chars > max_chars {
        return Err(format!(
            "{name} 共{chars}字，超过单篇上限{max_chars}字（可在参数设置“查重单篇最大字数”中调整）"
        ));
    }
    let sha256 = sha256_hex(&text);
    Ok(Text {
        text,
        chars,
        sha256,
    })
}

/// SHA-256 of a text in lower-case hex: how texts and reports are on record in the audit trail.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file name without any folder a browser may send (`C:\材料\申报书.docx`).
pub fn base_name(file_name: &str) -> String {
    file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .trim()
        .to_owned()
}

/// The title a document gets when none is entered: its file name without the extension.
pub fn default_title(file_name: &str) -> String {
    let name = base_name(file_name);
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name.as_str(),
    };
    stem.chars().take(MAX_TITLE).collect()
}

/// The id of a library document in the on-disk index: the row id and the start of its text's hash,
/// so an index that holds another text under the same row id is seen to be out of step.
pub fn index_key(id: i64, sha256: &str) -> String {
    format!("{id}-{}", sha256.get(..16).unwrap_or(sha256))
}

/// The row id in an index key.
pub fn id_of_key(key: &str) -> Option<i64> {
    key.split_once('-')?.0.parse().ok()
}

/// A ratio in basis points (万分之一), exact in both databases and in the audit trail.
pub fn bp(ratio: f64) -> i32 {
    (ratio.clamp(0.0, 1.0) * 10_000.0).round() as i32
}

/// Basis points as users read them: `45.23%`. Takes the value or a reference, as templates hold either.
pub fn percent(bp: impl std::borrow::Borrow<i32>) -> String {
    let bp = *bp.borrow();
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// The bureau's thresholds (settings in whole percent).
pub fn thresholds(suspected_pct: i64, duplicate_pct: i64) -> Thresholds {
    Thresholds {
        suspected: suspected_pct as f64 / 100.0,
        duplicate: duplicate_pct as f64 / 100.0,
    }
}

pub fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Clear => "clear",
        Verdict::Suspected => "suspected",
        Verdict::Duplicate => "duplicate",
    }
}

pub fn verdict_label(key: &str) -> &'static str {
    match key {
        "duplicate" => Verdict::Duplicate.label(),
        "suspected" => Verdict::Suspected.label(),
        _ => Verdict::Clear.label(),
    }
}

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

    #[test]
    fn uploads_are_read_or_refused_by_name() {
        let ok = read_upload(
            "甲.txt",
            "\u{feff}研究内容：一二三".as_bytes().to_vec(),
            100,
        )
        .unwrap();
        assert_eq!(ok.text, "研究内容：一二三");
        assert_eq!(ok.chars, 7);
        assert_eq!(ok.sha256.len(), 64);
        let e = read_upload("C:\\材料\\乙.txt", vec![0x41, 0x42, 0xff], 100).unwrap_err();
        assert!(e.starts_with("乙.txt 无法读取：第3字节起不是 UTF-8"), "{e}");
        let e = read_upload("丙.docx", b"PK not really".to_vec(), 100).unwrap_err();
        assert!(
            e.contains("丙.docx") && e.contains("不是有效的 .docx"),
            "{e}"
        );
        let e = read_upload("丁.pdf", b"x".to_vec(), 100).unwrap_err();
        assert!(e.contains("只支持 .txt 和 .docx"), "{e}");
        assert_eq!(
            read_upload("戊.txt", Vec::new(), 100).unwrap_err(),
            "戊.txt 是空文件"
        );
        assert!(
            read_upload("己.txt", "，。 \n".as_bytes().to_vec(), 100)
                .unwrap_err()
                .contains("没有可比对的文字")
        );
        let e = read_upload("庚.txt", "一二三四五六".as_bytes().to_vec(), 5).unwrap_err();
        assert!(e.starts_with("庚.txt 共6字，超过单篇上限5字"), "{e}");
    }

    #[test]
    fn titles_keys_and_figures() {
        assert_eq!(default_title("/tmp/申报书（终稿）.docx"), "申报书（终稿）");
        assert_eq!(default_title(".txt"), ".txt");
        assert_eq!(default_title("无扩展名"), "无扩展名");
        assert_eq!(index_key(17, "abcdef0123456789ffff"), "17-abcdef0123456789");
        assert_eq!(id_of_key("17-abcdef0123456789"), Some(17));
        assert_eq!(id_of_key("check"), None);
        assert_eq!(bp(0.452_34), 4523);
        assert_eq!(bp(1.5), 10_000);
        assert_eq!(percent(4523), "45.23%");
        assert_eq!(percent(5), "0.05%");
        assert_eq!(verdict_label("suspected"), "疑似重复");
        assert_eq!(verdict_label(""), "未见明显重复");
    }

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
