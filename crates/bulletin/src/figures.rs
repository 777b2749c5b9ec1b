//! Headline figures: reading them from the text, writing the sentence that states them, and
//! comparing them with what the tree holds.

use std::sync::LazyLock;

use regex::Regex;

use crate::Warning;
use crate::model::StatedFigures;
use crate::summary::Summary;
use crate::text::number;

const N: &str = r"([0-9]+|[零〇一二两三四五六七八九十]+)";

/// For each figure, the patterns that state it, tried in order.
static PATTERNS: LazyLock<Vec<(Figure, Vec<Regex>)>> = LazyLock::new(|| {
    let compile = |patterns: &[&str]| {
        patterns
            .iter()
            .map(|p| Regex::new(&p.replace("{N}", N)).expect("constant pattern"))
            .collect()
    };
    vec![
        (Figure::Sections, compile(&["{N}个方面"])),
        (Figure::MainProblems, compile(&["{N}个主要问题"])),
        (Figure::SpecificProblems, compile(&["{N}个具体问题"])),
        (
            Figure::Measures,
            compile(&["{N}条(?:具体)?整改措施", "整改措施{N}条"]),
        ),
        (
            Figure::Completed,
            compile(&[
                "完成整改{N}个",
                "已整改(?:完成)?{N}个",
                "{N}个(?:问题)?已(?:经)?(?:完成整改|整改完成|完成)",
            ]),
        ),
        (
            Figure::InProgress,
            compile(&["{N}个(?:问题)?(?:正在推进|正在整改|持续推进)"]),
        ),
        (
            Figure::RulesMade,
            compile(&["(?:规范性文件|制度){N}(?:件|项|个|份)"]),
        ),
        (
            Figure::PeopleAccountable,
            compile(&["(?:问责|追责|处分)(?:处理)?{N}人"]),
        ),
    ]
});

#[derive(Debug, Clone, Copy)]
enum Figure {
    Sections,
    MainProblems,
    SpecificProblems,
    Measures,
    Completed,
    InProgress,
    RulesMade,
    PeopleAccountable,
}

impl Figure {
    fn slot(self, figures: &mut StatedFigures) -> &mut Option<u32> {
        match self {
            Figure::Sections => &mut figures.sections,
            Figure::MainProblems => &mut figures.main_problems,
            Figure::SpecificProblems => &mut figures.specific_problems,
            Figure::Measures => &mut figures.measures,
            Figure::Completed => &mut figures.completed,
            Figure::InProgress => &mut figures.in_progress,
            Figure::RulesMade => &mut figures.rules_made,
            Figure::PeopleAccountable => &mut figures.people_accountable,
        }
    }
}

/// Reads each figure from the first paragraph that states it.
pub(crate) fn read<'a>(paragraphs: impl IntoIterator<Item = &'a String>) -> StatedFigures {
    let mut figures = StatedFigures::default();
    for paragraph in paragraphs {
        for (figure, patterns) in PATTERNS.iter() {
            let slot = figure.slot(&mut figures);
            if slot.is_some() {
                continue;
            }
            *slot = patterns.iter().find_map(|pattern| {
                pattern
                    .captures(paragraph)
                    .and_then(|found| number(found.get(1)?.as_str()))
            });
        }
    }
    figures
}

/// The sentence a generated bulletin uses to state its figures; `None` when it states none.
pub(crate) fn headline(figures: &StatedFigures) -> Option<String> {
    let clauses: Vec<String> = [
        figures.sections.map(|n| format!("涉及{n}个方面")),
        figures
            .main_problems
            .map(|n| format!("细化为{n}个主要问题")),
        figures.specific_problems.map(|n| format!("{n}个具体问题")),
        figures.measures.map(|n| format!("制定{n}条整改措施")),
        figures.completed.map(|n| format!("已经完成整改{n}个")),
        figures.in_progress.map(|n| format!("{n}个问题正在推进中")),
        figures.rules_made.map(|n| format!("建立完善制度{n}项")),
        figures.people_accountable.map(|n| format!("问责{n}人")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!clauses.is_empty()).then(|| format!("巡察反馈的问题,{}。", clauses.join(",")))
}

/// One warning per stated figure the parsed tree does not bear out.
pub(crate) fn compare(stated: &StatedFigures, parsed: &Summary) -> Vec<Warning> {
    let checks = [
        (stated.sections, parsed.sections, "个方面", "个"),
        (stated.main_problems, parsed.main, "个主要问题", "个"),
        (
            stated.specific_problems,
            parsed.specific,
            "个具体问题",
            "个",
        ),
        (stated.measures, parsed.measures, "条整改措施", "条"),
    ];
    let mut warnings: Vec<Warning> = checks
        .into_iter()
        .filter_map(|(stated, parsed, what, unit)| {
            let stated = stated?;
            (stated as usize != parsed)
                .then(|| Warning::general(format!("通报称{stated}{what}，解析得到{parsed}{unit}")))
        })
        .collect();
    if let Some(stated) = stated.completed
        && stated as usize != parsed.completed
    {
        warnings.push(Warning::general(format!(
            "通报称已经完成整改{stated}个，解析得到{}个标明“已完成”的问题",
            parsed.completed
        )));
    }
    if let Some(stated) = stated.in_progress
        && stated as usize != parsed.in_progress
    {
        warnings.push(Warning::general(format!(
            "通报称{stated}个问题正在推进中，解析得到{}个标明“正在推进中”的问题",
            parsed.in_progress
        )));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_read_from_the_first_paragraph_stating_them() {
        let paragraphs = [
            "细化为二十四个主要问题、49个具体问题,制定177条整改措施。目前,常规巡察49个问题,已经完成整改47个,独角兽企业为零、相关单位信访2个问题正在推进中。".to_owned(),
            "整改期间出台规范性文件45件,明确了170条整改措施,问责3人。".to_owned(),
        ];
        let figures = read(&paragraphs);
        assert_eq!(figures.main_problems, Some(24));
        assert_eq!(figures.specific_problems, Some(49));
        assert_eq!(figures.measures, Some(177));
        assert_eq!(figures.completed, Some(47));
        assert_eq!(figures.in_progress, Some(2));
        assert_eq!(figures.rules_made, Some(45));
        assert_eq!(figures.people_accountable, Some(3));
        assert_eq!(figures.sections, None);
    }

    #[test]
    fn the_headline_states_every_figure_and_reads_back() {
        let figures = StatedFigures {
            sections: Some(3),
            main_problems: Some(19),
            specific_problems: Some(40),
            measures: Some(61),
            completed: Some(38),
            in_progress: Some(2),
            rules_made: Some(12),
            people_accountable: Some(1),
        };
        let sentence = headline(&figures).unwrap();
        assert_eq!(read(&[sentence]), figures);
        assert_eq!(headline(&StatedFigures::default()), None);
    }

    #[test]
    fn only_differences_are_reported() {
        let stated = StatedFigures {
            main_problems: Some(24),
            specific_problems: Some(49),
            ..StatedFigures::default()
        };
        let parsed = Summary {
            sections: 4,
            main: 24,
            specific: 47,
            measures: 175,
            completed: 45,
            in_progress: 2,
        };
        let warnings: Vec<String> = compare(&stated, &parsed)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(warnings, ["通报称49个具体问题，解析得到47个"]);
    }
}
