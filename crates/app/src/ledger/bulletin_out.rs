//! The public 整改情况通报 written from the ledger, in the structure of the seed bulletins: the round
//! and its dates, how the work was organised, the headline figures, each problem with its measures,
//! what was done and its status, further plans, contact details.

use bulletin::{
    Bulletin, Contact, InspectionInfo, InspectionKind, Level, Measure, Problem, Section,
    StatedFigures, Status as BStatus,
};
use calendar::NaiveDate;

use super::entities::{inspection, measure, problem, section};
use super::rules::Status;

/// What the person generating the bulletin says about it (the form on the page).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Issue {
    pub unit: String,
    pub issuer: String,
    pub published: Option<NaiveDate>,
    pub contact: Contact,
}

/// A measure with its latest progress report, if any.
pub struct MeasureFacts<'a> {
    pub measure: &'a measure::Model,
    pub progress: Option<String>,
}

/// Strips the "（一）" or "(一)" a stored section title may carry: the bulletin numbers sections itself.
fn bare(title: &str) -> String {
    let t = title.trim();
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(rest) = t.strip_prefix(open)
            && let Some((number, after)) = rest.split_once(close)
            && number.chars().all(|c| "一二三四五六七八九十".contains(c))
        {
            return after.trim().to_owned();
        }
    }
    t.to_owned()
}

fn stated(m: &measure::Model) -> BStatus {
    match Status::parse(&m.status) {
        Some(Status::NotStarted) => BStatus::NotStarted,
        Some(Status::Completed) => BStatus::Completed,
        Some(Status::Closed) => BStatus::Closed,
        Some(Status::LongTerm) => BStatus::LongTerm,
        _ => BStatus::InProgress,
    }
}

/// A problem's status as the public reads it: finished only when every measure is.
fn overall(measures: &[&MeasureFacts]) -> Option<BStatus> {
    if measures.is_empty() {
        return None;
    }
    let all = |wanted: &[BStatus]| measures.iter().all(|m| wanted.contains(&stated(m.measure)));
    Some(if all(&[BStatus::Completed, BStatus::Closed]) {
        BStatus::Completed
    } else if all(&[BStatus::Completed, BStatus::Closed, BStatus::LongTerm]) {
        BStatus::LongTerm
    } else {
        BStatus::InProgress
    })
}

fn bulletin_measure(f: &MeasureFacts) -> Measure {
    let due = match (
        f.measure.due_kind.as_str(),
        f.measure.due_on.as_deref().and_then(|d| d.parse().ok()),
    ) {
        ("date", Some(d)) => Some(bulletin::Due::Date(d)),
        ("long_term", _) => Some(bulletin::Due::LongTerm),
        ("immediate", _) => Some(bulletin::Due::Immediate),
        _ => None,
    };
    Measure {
        text: f.measure.content.clone(),
        due,
        status: None,
    }
}

/// The bulletin of a round.
pub fn write(
    round: &inspection::Model,
    sections: &[section::Model],
    problems: &[problem::Model],
    facts: &[MeasureFacts],
    done: &super::outcomes::Outcomes,
    issue: &Issue,
) -> Bulletin {
    let kind = match round.kind.as_str() {
        "tour" => InspectionKind::Tour,
        "audit" => InspectionKind::Audit,
        "special" => InspectionKind::Special,
        _ => InspectionKind::Patrol,
    };
    let date = |d: &Option<String>| d.as_deref().and_then(|d| d.parse().ok());
    let of = |p: &problem::Model| {
        facts
            .iter()
            .filter(|f| f.measure.problem_id == p.id)
            .collect::<Vec<_>>()
    };
    let to_problem = |p: &problem::Model, level: Level, children: Vec<Problem>| {
        let mine = of(p);
        let own_status = if children.is_empty() {
            overall(&mine)
        } else {
            None
        };
        Problem {
            level,
            category: p.category.clone(),
            title: p.title.clone(),
            measures: mine.iter().map(|f| bulletin_measure(f)).collect(),
            progress: mine
                .iter()
                .filter_map(|f| f.progress.clone())
                .chain(done.done_for(p.id))
                .collect(),
            status: own_status,
            children,
        }
    };
    let out_sections: Vec<Section> = sections
        .iter()
        .map(|s| Section {
            title: Some(bare(&s.title)),
            problems: problems
                .iter()
                .filter(|p| p.section_id == s.id && p.parent_id.is_none())
                .map(|main| {
                    let children = problems
                        .iter()
                        .filter(|c| c.parent_id == Some(main.id))
                        .map(|c| to_problem(c, Level::Specific, vec![]))
                        .collect();
                    to_problem(main, Level::Main, children)
                })
                .collect(),
        })
        .collect();
    let count = |wanted: &[BStatus]| {
        facts
            .iter()
            .filter(|f| wanted.contains(&stated(f.measure)))
            .count() as u32
    };
    let main = problems.iter().filter(|p| p.parent_id.is_none()).count() as u32;
    let specific = problems.iter().filter(|p| p.parent_id.is_some()).count() as u32;
    let figures = StatedFigures {
        sections: Some(sections.len() as u32),
        main_problems: Some(main),
        specific_problems: (specific > 0).then_some(specific),
        measures: Some(facts.len() as u32),
        completed: Some(count(&[BStatus::Completed, BStatus::Closed])),
        in_progress: Some(count(&[BStatus::InProgress, BStatus::NotStarted])),
        rules_made: (!done.rules.is_empty()).then_some(done.rules.len() as u32),
        people_accountable: (!done.accountability.is_empty())
            .then_some(done.accountability.len() as u32),
    };
    Bulletin {
        title: Some(format!("{}关于{}{}整改情况的通报", issue.issuer, round.team, kind.label())),
        addressee: None,
        published: issue.published,
        inspection: InspectionInfo {
            kind,
            round: String::new(),
            team: round.team.clone(),
            start: date(&round.started_on),
            end: date(&round.ended_on),
            feedback_date: date(&round.feedback_on),
            subject: issue.unit.clone(),
        },
        organisation_heading: "提高政治站位，切实扛起整改政治责任".into(),
        organisation_paragraphs: vec![format!(
            "收到{}反馈意见后，{}高度重视，成立整改工作领导小组，逐条研究制定整改方案，明确责任领导、责任部门和整改时限，建立整改台账，实行销号管理，坚持周调度、月汇报，确保整改工作落到实处。",
            kind.label(),
            issue.issuer
        )],
        rectification_heading: "聚焦反馈问题，扎实推进整改落实".into(),
        rectification_intro: Vec::new(),
        stated_figures: figures,
        sections: out_sections,
        further_plans_heading: Some("坚持标本兼治，巩固深化整改成果".into()),
        further_plans: vec!["对已完成的整改事项适时开展“回头看”，防止问题反弹；对需长期坚持的整改事项，持续跟踪推进，建立健全长效机制。".into()],
        closing: vec![format!("欢迎广大干部群众对{}巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。", issue.unit)],
        contact: issue.contact.clone(),
        issuer: Some(issue.issuer.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_numbers_are_left_to_the_bulletin() {
        assert_eq!(bare("（一）党的建设方面"), "党的建设方面");
        assert_eq!(bare("(十二)其他方面"), "其他方面");
        assert_eq!(bare("（附）不是编号"), "（附）不是编号");
        assert_eq!(bare("党的建设方面"), "党的建设方面");
    }
}
