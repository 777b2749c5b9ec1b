//! The bulletin tree: what a 整改情况通报 says, in the names of the glossary.
//!
//! Every text field holds one line of text without its enumerator ("一是", "①", "(一)"): the
//! renderer puts enumerators back, so renumbering never leaks into the stored text.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One 整改情况通报, from title to signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bulletin {
    /// Title line; some published texts (seed 002) start without one.
    pub title: Option<String>,
    /// Salutation such as "各有关单位".
    pub addressee: Option<String>,
    /// Date of publication: "发布时间" if given, otherwise the date under the signature.
    pub published: Option<NaiveDate>,
    pub inspection: InspectionInfo,
    /// Heading of part 一, e.g. "整改工作组织情况".
    pub organisation_heading: String,
    /// How the party group organised the work, one paragraph per line, enumerators kept as written.
    pub organisation_paragraphs: Vec<String>,
    /// Heading of part 二, e.g. "巡察整改工作落实情况".
    pub rectification_heading: String,
    /// Paragraphs of part 二 before the first section or problem (where the headline figures are).
    pub rectification_intro: Vec<String>,
    /// Headline figures as the text states them, to be compared with the parsed tree.
    pub stated_figures: StatedFigures,
    pub sections: Vec<Section>,
    /// Heading of part 三, e.g. "下步打算和努力方向".
    pub further_plans_heading: Option<String>,
    /// Paragraphs of part 三 (and of any later part, headings included), as written.
    pub further_plans: Vec<String>,
    /// Closing words ("欢迎广大干部群众……"), without the contact details.
    pub closing: Vec<String>,
    pub contact: Contact,
    /// Who signs, e.g. "中共金湖县科学技术局党组".
    pub issuer: Option<String>,
}

/// The round of oversight the bulletin reports on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionInfo {
    pub kind: InspectionKind,
    /// Qualifier written before the kind, e.g. "常规" in "常规巡察"; empty when there is none.
    pub round: String,
    /// 巡察组, e.g. "市委第五巡察组".
    pub team: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// Date the team gave its 反馈意见.
    pub feedback_date: Option<NaiveDate>,
    /// 被巡察党组织, e.g. "市科技局党组".
    pub subject: String,
}

/// Kind of oversight (glossary: `inspection.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// 巡视
    Tour,
    /// 巡察
    Patrol,
    /// 审计
    Audit,
    /// 专项检查
    Special,
}

impl InspectionKind {
    pub fn label(self) -> &'static str {
        match self {
            InspectionKind::Tour => "巡视",
            InspectionKind::Patrol => "巡察",
            InspectionKind::Audit => "审计",
            InspectionKind::Special => "专项检查",
        }
    }

    pub(crate) fn from_label(label: &str) -> Option<Self> {
        [Self::Tour, Self::Patrol, Self::Audit, Self::Special]
            .into_iter()
            .find(|kind| kind.label() == label)
    }
}

/// Headline figures as written in the text ("细化为24个主要问题、49个具体问题，制定177条整改措施").
/// `None` where the text does not state the figure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedFigures {
    /// "3个方面"
    pub sections: Option<u32>,
    /// "24个主要问题"
    pub main_problems: Option<u32>,
    /// "49个具体问题"
    pub specific_problems: Option<u32>,
    /// "177条整改措施"
    pub measures: Option<u32>,
    /// "已经完成整改47个"
    pub completed: Option<u32>,
    /// "2个问题正在推进中"
    pub in_progress: Option<u32>,
    /// "规范性文件45件" / "建立完善制度12项" (建章立制)
    pub rules_made: Option<u32>,
    /// "问责3人"
    pub people_accountable: Option<u32>,
}

/// A 方面: the top grouping of problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// `None` when the text lists its problems without 方面 headings (seed 002).
    pub title: Option<String>,
    pub problems: Vec<Problem>,
}

/// Level of a problem (glossary: `problem.level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 主要问题
    Main,
    /// 具体问题
    Specific,
}

/// A 主要问题 or 具体问题 with what was done about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub level: Level,
    /// Numbered heading ("1.履行主体责任不实问题") that some bulletins put over several main
    /// problems of a section; kept on each main problem so the tree stays sections → problems.
    pub category: Option<String>,
    pub title: String,
    pub measures: Vec<Measure>,
    /// 整改落实情况, one item per line (the ①②… of the text), enumerators removed.
    pub progress: Vec<String>,
    /// 整改进展情况 as stated for this problem.
    pub status: Option<Status>,
    /// Specific problems under a main problem.
    pub children: Vec<Problem>,
}

/// One 整改措施.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub text: String,
    /// 整改时限, when the text gives one as "(整改时限:…)".
    pub due: Option<Due>,
    /// Progress of this measure, when the text gives one as "(整改进展:…)".
    pub status: Option<Status>,
}

/// 整改时限 (glossary: `due_date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    Date(NaiveDate),
    /// 立行立改
    Immediate,
    /// 长期坚持
    LongTerm,
}

/// 整改进展情况 (glossary: `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 未启动
    NotStarted,
    /// 正在推进中
    InProgress,
    /// 已完成
    Completed,
    /// 已销号
    Closed,
    /// 长期坚持
    LongTerm,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "未启动",
            Status::InProgress => "正在推进中",
            Status::Completed => "已完成",
            Status::Closed => "已销号",
            Status::LongTerm => "长期坚持",
        }
    }

    /// Reads a stated status; accepts the shorter forms bulletins use ("推进中", "已完成整改").
    pub(crate) fn from_text(text: &str) -> Option<Self> {
        let text = text.trim().trim_end_matches(['。', '.', ';']);
        match text {
            "未启动" | "尚未启动" => Some(Status::NotStarted),
            "正在推进中" | "正在推进" | "推进中" | "持续推进中" => {
                Some(Status::InProgress)
            }
            "已完成" | "已完成整改" | "完成" | "已整改" => Some(Status::Completed),
            "已销号" => Some(Status::Closed),
            "长期坚持" | "长期推进" => Some(Status::LongTerm),
            _ => None,
        }
    }
}

/// Contact details printed at the end of a bulletin (the bureau's, published on purpose).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// 电话
    pub phone: Option<String>,
    /// 电子邮箱
    pub email: Option<String>,
    /// 通讯地址 / 邮政信箱
    pub address: Option<String>,
    /// 邮政编码
    pub postcode: Option<String>,
}

impl Contact {
    pub fn is_empty(&self) -> bool {
        self == &Contact::default()
    }
}

impl Problem {
    /// Whether this problem has no specific problems under it.
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }

    /// Whether the text rectifies this problem itself: it has no specific problems, or it has
    /// measures, progress or a status of its own besides them.
    pub fn is_rectification_item(&self) -> bool {
        self.is_leaf()
            || !self.measures.is_empty()
            || !self.progress.is_empty()
            || self.status.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_reads_the_short_forms_bulletins_use() {
        assert_eq!(Status::from_text("已完成。"), Some(Status::Completed));
        assert_eq!(Status::from_text("正在推进中"), Some(Status::InProgress));
        assert_eq!(Status::from_text("长期坚持"), Some(Status::LongTerm));
        assert_eq!(Status::from_text("差不多了"), None);
    }

    #[test]
    fn every_status_label_reads_back() {
        for status in [
            Status::NotStarted,
            Status::InProgress,
            Status::Completed,
            Status::Closed,
            Status::LongTerm,
        ] {
            assert_eq!(Status::from_text(status.label()), Some(status));
        }
    }
}
