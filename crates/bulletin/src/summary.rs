//! Counts of a parsed bulletin, for `--summary` and for checking the stated figures.

use std::fmt;

use serde::Serialize;

use crate::model::{Bulletin, Level, Problem, Status};

/// What the tree holds. Displayed as one line:
/// `sections=N main=N specific=N measures=N completed=N in_progress=N`.
///
/// A *rectification item* is a problem the text gives measures and a status for: a problem
/// without specific problems under it, or one with measures, progress or a status of its own
/// (see [`Problem::is_rectification_item`]). Where a bulletin has a specific level, a main
/// problem rectified directly (measures right under it, before or instead of "针对…问题" lines)
/// is one of its specific problems, as bulletins count them themselves: seed 001 states 47
/// statuses for 43 "针对" lines and 4 such main problems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// 方面 headings (sections with a title).
    pub sections: usize,
    /// Main problems.
    pub main: usize,
    /// Rectification items, if the bulletin has a specific level at all; 0 otherwise.
    pub specific: usize,
    /// Measures, over problems of every level.
    pub measures: usize,
    /// Rectification items stated 已完成 or 已销号.
    pub completed: usize,
    /// Rectification items stated 正在推进中.
    pub in_progress: usize,
}

impl Summary {
    pub fn of(bulletin: &Bulletin) -> Self {
        let problems = || bulletin.sections.iter().flat_map(|s| &s.problems);
        let all = || problems().flat_map(|p| std::iter::once(p).chain(&p.children));
        let items = || all().filter(|p| p.is_rectification_item());
        let has_specific_level = all().any(|p| p.level == Level::Specific);
        let with_status = |wanted: &[Status]| {
            items()
                .filter(|p| p.status.is_some_and(|s| wanted.contains(&s)))
                .count()
        };
        Summary {
            sections: bulletin
                .sections
                .iter()
                .filter(|s| s.title.is_some())
                .count(),
            main: problems().filter(|p| p.level == Level::Main).count(),
            specific: if has_specific_level {
                items().count()
            } else {
                0
            },
            measures: all().map(|p: &Problem| p.measures.len()).sum(),
            completed: with_status(&[Status::Completed, Status::Closed]),
            in_progress: with_status(&[Status::InProgress]),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sections={} main={} specific={} measures={} completed={} in_progress={}",
            self.sections,
            self.main,
            self.specific,
            self.measures,
            self.completed,
            self.in_progress
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Section;

    fn problem(level: Level, status: Option<Status>, children: Vec<Problem>) -> Problem {
        Problem {
            level,
            category: None,
            title: "问题".into(),
            measures: Vec::new(),
            progress: Vec::new(),
            status,
            children,
        }
    }

    #[test]
    fn a_main_problem_rectified_directly_counts_as_a_specific_problem() {
        let sections = vec![Section {
            title: Some("方面".into()),
            problems: vec![
                problem(
                    Level::Main,
                    None,
                    vec![
                        problem(Level::Specific, Some(Status::Completed), vec![]),
                        problem(Level::Specific, Some(Status::InProgress), vec![]),
                    ],
                ),
                problem(Level::Main, Some(Status::Closed), vec![]),
                problem(
                    Level::Main,
                    Some(Status::InProgress),
                    vec![problem(Level::Specific, None, vec![])],
                ),
            ],
        }];
        let summary = Summary::of(&crate::render::tests::bulletin_with(sections));
        assert_eq!(
            summary.to_string(),
            "sections=1 main=3 specific=5 measures=0 completed=2 in_progress=2"
        );
    }

    #[test]
    fn without_a_specific_level_statuses_are_counted_on_main_problems() {
        let sections = vec![Section {
            title: None,
            problems: vec![problem(Level::Main, Some(Status::Completed), vec![])],
        }];
        let summary = Summary::of(&crate::render::tests::bulletin_with(sections));
        assert_eq!(
            summary.to_string(),
            "sections=0 main=1 specific=0 measures=0 completed=1 in_progress=0"
        );
    }
}
