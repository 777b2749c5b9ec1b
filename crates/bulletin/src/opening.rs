//! The opening paragraph: which team inspected whom, when, and when it gave feedback.
//!
//! "2022年3月21日至6月15日,市委第五巡察组对市科技局党组进行了常规巡察。8月4日,市委巡察组向
//! 市科技局党组反馈了常规巡察意见。"

use std::sync::LazyLock;

use regex::Regex;

use crate::date::{self, DateReader};
use crate::model::{InspectionInfo, InspectionKind};

static INSPECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"([^\s,;:。、“”]{2,24}?(?:巡察组|巡视组|审计组|检查组))对(.+?)(?:进行了|开展了)(常规|专项|机动|提级)?(巡察|巡视|审计|专项检查)",
    )
    .expect("constant pattern")
});

static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:至|到|—|-|~)(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日",
    )
    .expect("constant pattern")
});

static FEEDBACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日[^。]*?反馈").expect("constant pattern")
});

static SHORT_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(以下简称[^)]*\)").expect("constant pattern"));

/// Reads the inspection from the opening paragraph; `None` if the paragraph does not say who
/// inspected whom.
pub(crate) fn read(paragraph: &str) -> Option<InspectionInfo> {
    let found = INSPECTION.captures(paragraph)?;
    let whole = found.get(0)?;
    let kind = InspectionKind::from_label(found.get(4)?.as_str())?;
    let mut dates = DateReader::default();
    let (start, end) = match RANGE.captures(&paragraph[..whole.start()]) {
        Some(range) => {
            let part = |i| range.get(i).map(|m| m.as_str()).unwrap_or_default();
            let start = dates.read(range.get(1).map(|m| m.as_str()), part(2), part(3));
            let end = dates.read(range.get(4).map(|m| m.as_str()), part(5), part(6));
            (start, end)
        }
        None => (None, None),
    };
    let feedback_date = FEEDBACK
        .captures(&paragraph[whole.end()..])
        .and_then(|feedback| {
            let part = |i| feedback.get(i).map(|m| m.as_str()).unwrap_or_default();
            dates.read(feedback.get(1).map(|m| m.as_str()), part(2), part(3))
        });
    Some(InspectionInfo {
        kind,
        round: found
            .get(3)
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default(),
        team: found.get(1)?.as_str().to_owned(),
        start,
        end,
        feedback_date,
        subject: SHORT_NAME
            .replace_all(found.get(2)?.as_str(), "")
            .into_owned(),
    })
}

/// Writes the opening paragraph so that [`read`] gives back `inspection`.
pub(crate) fn write(inspection: &InspectionInfo) -> String {
    let InspectionInfo {
        team,
        subject,
        round,
        ..
    } = inspection;
    let kind = inspection.kind.label();
    // "市委第五巡察组" was sent by the 市委: name it as the one that arranged the round.
    let authority = team.split_once('第').map(|(a, _)| a).unwrap_or_default();
    let mut text = format!("根据{authority}统一部署,");
    let mut previous = None;
    if let (Some(start), Some(end)) = (inspection.start, inspection.end) {
        text += &format!(
            "{}至{},",
            date::chinese(start),
            date::chinese_after(end, Some(start))
        );
        previous = Some(end);
    }
    text += &format!("{team}对{subject}进行了{round}{kind}。");
    if let Some(feedback) = inspection.feedback_date {
        text += &format!(
            "{},{team}向{subject}反馈了{round}{kind}意见。",
            date::chinese_after(feedback, previous)
        );
    }
    text + &format!("按照党务公开原则和巡察工作有关要求,现将{round}{kind}整改情况予以公布。")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn short_names_are_dropped_from_the_subject() {
        let info = read("2023年10月10日至11月24日,市委第一巡察组对中共东莞市科学技术局党组(以下简称“市科技局党组”)开展了巡察。2024年1月9日,市委巡察组向市科技局党组反馈了巡察意见。").unwrap();
        assert_eq!(info.subject, "中共东莞市科学技术局党组");
        assert_eq!(info.team, "市委第一巡察组");
        assert_eq!(info.round, "");
        assert_eq!(info.feedback_date, NaiveDate::from_ymd_opt(2024, 1, 9));
    }

    #[test]
    fn a_tour_without_dates_reads_and_writes_back() {
        let info = InspectionInfo {
            kind: InspectionKind::Tour,
            round: "专项".into(),
            team: "省委第三巡视组".into(),
            start: None,
            end: None,
            feedback_date: NaiveDate::from_ymd_opt(2021, 12, 1),
            subject: "省科技厅党组".into(),
        };
        assert_eq!(read(&write(&info)), Some(info));
    }

    #[test]
    fn a_paragraph_without_a_team_is_not_an_opening() {
        assert_eq!(read("根据工作安排,我局开展了自查。"), None);
    }
}
