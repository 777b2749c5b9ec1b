//! Part 二 of a bulletin: sections, problems and their measures.
//!
//! Two layouts occur:
//! - *tabulated* (seed 001): "(一)…" sections, "1.…" categories, "一是关于“…”的问题" main
//!   problems, "针对“…”问题" specific problems, then "整改措施:", "整改落实情况:" lists (①…) and
//!   "整改进展情况:…";
//! - *enumerated* (seeds 002, 003): "(一)…" sections (optional), "1.…" main problems, and
//!   measures as "一是…二是…", inline in one paragraph or one paragraph each.
//!
//! The text is tabulated when any line starts with "整改措施".

use std::sync::LazyLock;

use regex::Regex;

use crate::Warning;
use crate::measure;
use crate::model::{Level, Problem, Section, Status};
use crate::text::{Line, chinese_numeral, quoted, strip_item_number, without_full_stop};

static SECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\([一二三四五六七八九十]+\)\s*(.*)$").expect("constant pattern")
});
static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9]{1,3}[.、]\s*([^0-9].*)$").expect("constant pattern"));
static MAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[一二三四五六七八九十]+是)?关于(“.*)$").expect("constant pattern")
});
static MEASURES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^整改措施:?\s*(.*)$").expect("constant pattern"));
static PROGRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^整改(?:落实|完成)情况:?\s*(.*)$").expect("constant pattern"));
static STATUS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^整改进展(?:情况)?:?\s*(.*)$").expect("constant pattern"));

/// What part 二 holds.
#[derive(Debug, Default)]
pub(crate) struct Rectification {
    pub intro: Vec<String>,
    pub sections: Vec<Section>,
}

pub(crate) fn read(lines: &[Line], warnings: &mut Vec<Warning>) -> Rectification {
    let mut reader = Reader {
        out: Rectification::default(),
        warnings,
    };
    if lines.iter().any(|l| MEASURES.is_match(&l.text)) {
        reader.tabulated(lines);
    } else {
        reader.enumerated(lines);
    }
    reader.out
}

#[derive(Clone, Copy, PartialEq)]
enum List {
    None,
    Measures,
    Progress,
}

struct Reader<'w> {
    out: Rectification,
    warnings: &'w mut Vec<Warning>,
}

impl Reader<'_> {
    fn tabulated(&mut self, lines: &[Line]) {
        let mut category: Option<String> = None;
        let mut list = List::None;
        // Whether the problem being filled is the last specific problem (not its main problem).
        let mut in_specific = false;
        for line in lines {
            let text = line.text.as_str();
            if let Some(found) = SECTION.captures(text) {
                self.open_section(&found[1]);
                category = None;
                list = List::None;
            } else if let Some(found) = NUMBERED.captures(text) {
                category = Some(without_full_stop(&found[1]).to_owned());
                list = List::None;
            } else if let Some(found) = MAIN.captures(text) {
                let (title, rest) = split_title(&found[1]);
                let mut main = problem(Level::Main, title);
                main.category = category.clone();
                in_specific = false;
                if let Some(at) = rest.find("针对“") {
                    let (title, _) = split_title(&rest[at + "针对".len()..]);
                    main.children.push(problem(Level::Specific, title));
                    in_specific = true;
                }
                self.section().problems.push(main);
                list = List::None;
            } else if let Some(rest) = text.strip_prefix("针对“") {
                let (title, _) = split_title(&format!("“{rest}"));
                if let Some(main) = self.last_main() {
                    main.children.push(problem(Level::Specific, title));
                    in_specific = true;
                } else {
                    self.warn(line, "具体问题前没有主要问题，已作为主要问题导入");
                    let mut main = problem(Level::Main, title);
                    main.category = category.clone();
                    self.section().problems.push(main);
                    in_specific = false;
                }
                list = List::None;
            } else if let Some(found) = MEASURES.captures(text) {
                list = List::Measures;
                self.list_item(line, &found[1], list, in_specific);
            } else if let Some(found) = PROGRESS.captures(text) {
                list = List::Progress;
                self.list_item(line, &found[1], list, in_specific);
            } else if let Some(found) = STATUS.captures(text) {
                let status = Status::from_text(&found[1]);
                if status.is_none() {
                    self.warn(line, &format!("无法识别的整改进展情况“{}”，应为已完成、正在推进中、未启动、已销号或长期坚持", &found[1]));
                }
                match self.target(in_specific) {
                    Some(problem) => problem.status = status,
                    None => self.warn(line, "整改进展情况前没有问题，已忽略"),
                }
                list = List::None;
            } else if list != List::None {
                self.list_item(line, text, list, in_specific);
            } else {
                self.unplaced(line);
            }
        }
    }

    fn enumerated(&mut self, lines: &[Line]) {
        // Ordinal of the next "X是" of the current problem.
        let mut next = 1;
        for line in lines {
            let text = line.text.as_str();
            if let Some(found) = SECTION.captures(text) {
                self.open_section(&found[1]);
            } else if let Some(found) = NUMBERED.captures(text) {
                let title = match found[1].strip_prefix("关于").and_then(quoted) {
                    Some((inside, _)) => inside.to_owned(),
                    None => without_full_stop(&found[1]).to_owned(),
                };
                self.section().problems.push(problem(Level::Main, title));
                next = 1;
            } else if let Some(main) = self.last_main() {
                main.measures.extend(
                    split_ordinals(text, &mut next)
                        .into_iter()
                        .map(measure::read),
                );
            } else {
                self.unplaced(line);
            }
        }
    }

    fn open_section(&mut self, title: &str) {
        self.out.sections.push(Section {
            title: Some(without_full_stop(title).to_owned()),
            problems: Vec::new(),
        });
    }

    /// The current section; problems listed before any 方面 heading go to an untitled one.
    fn section(&mut self) -> &mut Section {
        if self.out.sections.is_empty() {
            self.out.sections.push(Section {
                title: None,
                problems: Vec::new(),
            });
        }
        let last = self.out.sections.len() - 1;
        &mut self.out.sections[last]
    }

    fn last_main(&mut self) -> Option<&mut Problem> {
        self.out.sections.last_mut()?.problems.last_mut()
    }

    fn target(&mut self, in_specific: bool) -> Option<&mut Problem> {
        let main = self.last_main()?;
        if in_specific {
            main.children.last_mut()
        } else {
            Some(main)
        }
    }

    fn list_item(&mut self, line: &Line, text: &str, list: List, in_specific: bool) {
        if text.is_empty() {
            return;
        }
        let Some(problem) = self.target(in_specific) else {
            return self.unplaced(line);
        };
        match list {
            List::Measures => {
                let text = strip_item_number(text, problem.measures.len() + 1);
                problem.measures.push(measure::read(text));
            }
            List::Progress => {
                let text = strip_item_number(text, problem.progress.len() + 1);
                problem.progress.push(text.to_owned());
            }
            List::None => {}
        }
    }

    /// Text before the first problem is the part's introduction; text anywhere else that fits
    /// no problem is reported, never silently dropped.
    fn unplaced(&mut self, line: &Line) {
        if self.out.sections.is_empty() {
            self.out.intro.push(line.text.clone());
        } else {
            let excerpt: String = line.text.chars().take(30).collect();
            self.warn(line, &format!("这段文字不属于任何问题，未导入：{excerpt}"));
        }
    }

    fn warn(&mut self, line: &Line, message: &str) {
        self.warnings.push(Warning::at(line.number, message));
    }
}

fn problem(level: Level, title: String) -> Problem {
    Problem {
        level,
        category: None,
        title,
        measures: Vec::new(),
        progress: Vec::new(),
        status: None,
        children: Vec::new(),
    }
}

/// "“学习领会……不实的”的问题。针对…" → the title and what follows it.
fn split_title(text: &str) -> (String, &str) {
    match quoted(text) {
        Some((inside, rest)) => (inside.to_owned(), rest),
        None => (without_full_stop(text).to_owned(), ""),
    }
}

/// Splits "一是…。二是…。" into its items, continuing the count in `next` across paragraphs.
/// An ordinal counts only at the start of the text or right after "。" or ";", and only as the
/// next one expected, so "唯一是" or a stray "三是" inside a sentence never splits.
fn split_ordinals<'t>(text: &'t str, next: &mut u32) -> Vec<&'t str> {
    let mut bounds: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    loop {
        let marker = format!("{}是", chinese_numeral(*next));
        let found = if from == 0 && text.starts_with(&marker) {
            Some(0)
        } else {
            text[from..]
                .match_indices(&marker)
                .map(|(at, _)| from + at)
                .find(|&at| text[..at].ends_with(['。', ';']))
        };
        let Some(at) = found else { break };
        bounds.push((at, at + marker.len()));
        from = at + marker.len();
        *next += 1;
    }
    let mut items = Vec::new();
    let lead = &text[..bounds.first().map_or(text.len(), |b| b.0)];
    if !lead.trim().is_empty() {
        items.push(lead.trim());
    }
    for (i, &(_, body)) in bounds.iter().enumerate() {
        let end = bounds.get(i + 1).map_or(text.len(), |b| b.0);
        items.push(text[body..end].trim());
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text;

    fn lines(text: &str) -> Vec<Line> {
        text::normalise(text).unwrap()
    }

    #[test]
    fn ordinals_split_only_in_sequence_and_at_sentence_starts() {
        let mut next = 1;
        let items = split_ordinals("一是学习。二是唯一是标准;三是检查。五是无关。", &mut next);
        assert_eq!(items, ["学习。", "唯一是标准;", "检查。五是无关。"]);
        assert_eq!(next, 4);
        let items = split_ordinals("四是继续。", &mut next);
        assert_eq!(items, ["继续。"]);
        let mut next = 1;
        assert_eq!(
            split_ordinals("提升预算执行率。", &mut next),
            ["提升预算执行率。"]
        );
    }

    #[test]
    fn a_main_problem_with_measures_of_its_own_has_no_children() {
        let mut warnings = Vec::new();
        let out = read(
            &lines(
                "(一)方面\n二是关于“落实廉政风险防控责任不到位”的问题。\n整改措施:\n①成立内部审计委员会。\n整改落实情况:\n①已成立。\n整改进展情况:已完成。",
            ),
            &mut warnings,
        );
        let main = &out.sections[0].problems[0];
        assert_eq!(main.title, "落实廉政风险防控责任不到位");
        assert!(main.children.is_empty());
        assert_eq!(main.measures[0].text, "成立内部审计委员会。");
        assert_eq!(main.progress, ["已成立。"]);
        assert_eq!(main.status, Some(Status::Completed));
        assert!(warnings.is_empty());
    }

    #[test]
    fn an_unknown_status_and_stray_text_are_reported_with_their_line() {
        let mut warnings = Vec::new();
        read(
            &lines("(一)方面\n题外话\n关于“甲”的问题。\n整改措施:\n①措施。\n整改进展情况:差不多了"),
            &mut warnings,
        );
        let messages: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2);
        assert!(messages[0].starts_with("第2行："), "{}", messages[0]);
        assert!(
            messages[1].contains("无法识别的整改进展情况“差不多了”"),
            "{}",
            messages[1]
        );
    }
}
