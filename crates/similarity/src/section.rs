//! Splitting an application into its sections (立项依据, 研究内容, …) by heading lines, so each key
//! section gets its own copy ratio.

use serde::{Deserialize, Serialize};

use crate::normalize::{Normalized, normalize};

/// Name of the text before the first recognised heading.
pub const UNTITLED: &str = "未分节";

/// Longest heading line, in normalised chars; longer lines are paragraphs that merely start with a
/// heading word ("研究内容包括…").
const MAX_HEADING_LEN: usize = 30;

/// One kind of section and the heading words that open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    /// Name shown in the report.
    pub name: String,
    /// Heading words that open the section (the name itself counts too).
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl Heading {
    fn new(name: &str, aliases: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        }
    }
}

/// The headings to recognise; the default is the usual layout of a 申报书.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionRules {
    pub headings: Vec<Heading>,
}

impl Default for SectionRules {
    fn default() -> Self {
        Self {
            headings: vec![
                Heading::new(
                    "立项依据",
                    &["立项背景", "研究意义", "项目背景", "研究背景"],
                ),
                Heading::new("研究内容", &["研究目标", "主要研究内容"]),
                Heading::new("研究方案", &["技术路线", "实施方案", "研究方法"]),
                Heading::new("创新点", &["特色与创新", "创新之处", "项目创新"]),
                Heading::new("预期成果", &["考核指标", "预期目标", "预期效益"]),
                Heading::new("研究基础", &["工作基础", "研究条件"]),
                Heading::new("进度安排", &["年度计划", "计划进度"]),
                Heading::new("经费预算", &["预算", "经费概算"]),
            ],
        }
    }
}

/// A section: its name and its range `[start, end)` in chars of the original text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub name: String,
    pub start: u32,
    pub end: u32,
}

impl SectionRules {
    /// The rules ready to split texts: the heading words normalised once, for many texts.
    pub fn splitter(&self) -> Splitter<'_> {
        let matchers = self
            .headings
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let words = std::iter::once(&h.name)
                    .chain(&h.aliases)
                    .map(|w| normalize(w).chars().to_vec())
                    .filter(|w| !w.is_empty())
                    .collect();
                (i, words)
            })
            .collect();
        Splitter {
            rules: self,
            matchers,
        }
    }

    /// Sections of `text` in order, covering it from the first non-empty line to the end. Text before the
    /// first heading forms a section named [`UNTITLED`] when it has any letters or digits.
    pub fn split(&self, text: &str) -> Vec<Section> {
        self.split_normalized(&normalize(text))
    }

    /// [`SectionRules::split`] given the normalisation of the text: see [`Splitter::split_normalized`].
    pub fn split_normalized(&self, normalized: &Normalized) -> Vec<Section> {
        self.splitter().split_normalized(normalized)
    }
}

/// For each heading, its index and its normalised words.
type Matchers = Vec<(usize, Vec<Vec<char>>)>;

/// [`SectionRules`] with their heading words normalised.
pub struct Splitter<'a> {
    rules: &'a SectionRules,
    matchers: Matchers,
}

impl Splitter<'_> {
    /// [`SectionRules::split`] given the normalisation of the text, which the index has already
    /// made: a line's normalised chars are a slice of it (no combining cluster spans a line break),
    /// and normalising noted where the lines end, so the text is neither normalised a second time
    /// line by line nor searched for line breaks.
    pub fn split_normalized(&self, normalized: &Normalized) -> Vec<Section> {
        let mut sections: Vec<Section> = Vec::new();
        let mut offset = 0u32;
        let mut from = 0;
        let len = normalized.original_len();
        // The last line has no line break when the text does not end with one.
        let last = (normalized.line_ends().last().copied().unwrap_or(0) < len).then_some(len);
        for end in normalized.line_ends().iter().copied().chain(last) {
            let to = from + position_in(&normalized.offsets()[from..], end);
            if let Some(i) = heading_of(&normalized.chars()[from..to], &self.matchers) {
                match sections.last_mut() {
                    Some(last) => last.end = offset,
                    None if from > 0 => {
                        sections.push(Section {
                            name: UNTITLED.to_owned(),
                            start: 0,
                            end: offset,
                        });
                    }
                    None => {}
                }
                sections.push(Section {
                    name: self.rules.headings[i].name.clone(),
                    start: offset,
                    end: u32::MAX,
                });
            }
            offset = end;
            from = to;
        }
        // `offset` is now the length of the text in chars.
        if let Some(last) = sections.last_mut() {
            last.end = offset;
        }
        if sections.is_empty() && !normalized.is_empty() {
            sections.push(Section {
                name: UNTITLED.to_owned(),
                start: 0,
                end: offset,
            });
        }
        sections
    }
}

/// Index of the first of the (non-decreasing) `offsets` at or after `original`, searched from the
/// start: a line's normalised chars are found in time growing with the line, not with the text.
fn position_in(offsets: &[u32], original: u32) -> usize {
    let mut end = 1;
    while end < offsets.len() && offsets[end - 1] < original {
        end *= 2;
    }
    let end = end.min(offsets.len());
    offsets[..end].partition_point(|&o| o < original)
}

/// Index of the heading that a line opens, given its normalised chars, if it is a heading line.
fn heading_of(line: &[char], matchers: &Matchers) -> Option<usize> {
    if line.len() > MAX_HEADING_LEN {
        return None;
    }
    let rest = strip_numbering(line);
    matchers
        .iter()
        .find(|(_, words)| words.iter().any(|w| rest.starts_with(w)))
        .map(|(i, _)| *i)
}

/// Removes numbering such as "一、", "（三）", "2.", "第二部分" (already without punctuation).
fn strip_numbering(s: &[char]) -> &[char] {
    let s = s.strip_prefix(&['第']).unwrap_or(s);
    let numbering = s
        .iter()
        .take_while(|&&c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
        .count();
    let s = &s[numbering..];
    [&['部', '分'][..], &['章'], &['节']]
        .iter()
        .find_map(|unit| s.strip_prefix(*unit))
        .unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sections: &[Section]) -> Vec<&str> {
        sections.iter().map(|s| s.name.as_str()).collect()
    }

    const APPLICATION: &str = "项目名称：智能灌溉\n一、立项依据\n农业用水紧张。\n二、研究内容\n研究内容包括传感器网络、决策模型和远程控制平台的研制以及示范应用，共四个方面。\n（三）技術路線\n采用物联网。\n4. 预期成果与考核指标\n样机一台。\n";

    #[test]
    fn splits_at_numbered_headings() {
        let sections = SectionRules::default().split(APPLICATION);
        assert_eq!(
            names(&sections),
            vec![UNTITLED, "立项依据", "研究内容", "研究方案", "预期成果"]
        );
        let chars: Vec<char> = APPLICATION.chars().collect();
        let body: String = chars[sections[1].start as usize..sections[1].end as usize]
            .iter()
            .collect();
        assert_eq!(body, "一、立项依据\n农业用水紧张。\n");
        assert_eq!(sections.last().map(|s| s.end), Some(chars.len() as u32));
    }

    #[test]
    fn long_paragraph_starting_with_heading_word_is_not_a_heading() {
        let sections = SectionRules::default().split(APPLICATION);
        assert_eq!(sections.iter().filter(|s| s.name == "研究内容").count(), 1);
    }

    #[test]
    fn splitting_the_normalised_text_agrees_with_splitting_line_by_line() {
        let text = format!("前言\r\n{APPLICATION}e\u{301}\n\u{301}研究基础\n（二）經費預算：\n");
        let sections = SectionRules::default().split(&text);
        assert_eq!(
            names(&sections),
            vec![
                UNTITLED,
                "立项依据",
                "研究内容",
                "研究方案",
                "预期成果",
                "研究基础",
                "经费预算"
            ]
        );
        // Each line normalised on its own opens a section exactly where the split found one.
        let rules = SectionRules::default();
        let matchers = rules.splitter().matchers;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let starts = sections
                .iter()
                .any(|s| s.start == offset && s.name != UNTITLED);
            assert_eq!(
                starts,
                heading_of(normalize(line).chars(), &matchers).is_some(),
                "{line}"
            );
            offset += line.chars().count() as u32;
        }
    }

    #[test]
    fn headings_are_configurable() {
        let rules = SectionRules {
            headings: vec![Heading::new("绩效目标", &[])],
        };
        let sections = rules.split("说明\n绩效目标\n完成验收\n研究内容\n");
        assert_eq!(names(&sections), vec![UNTITLED, "绩效目标"]);
    }

    #[test]
    fn text_without_headings_is_one_section() {
        assert_eq!(
            names(&SectionRules::default().split("只有一段正文。")),
            vec![UNTITLED]
        );
        assert!(SectionRules::default().split("  \n").is_empty());
    }
}
