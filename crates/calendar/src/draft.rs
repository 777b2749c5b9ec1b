//! A year's arrangement as an administrator enters it in a form (日历管理), before it is checked.

use chrono::NaiveDate;

use crate::arrangement::{Holiday, YearArrangement};
use crate::date::DateSpan;
use crate::error::{ParseError, ParseErrors};

/// One holiday of a [`YearDraft`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HolidayDraft {
    pub name: String,
    /// The days off, weekends inside the break included.
    pub off: Vec<DateSpan>,
    /// The weekend days worked instead (调休上班).
    pub makeup: Vec<NaiveDate>,
}

/// The fields of a year's arrangement, unchecked. [`YearDraft::check`] applies exactly the rules
/// of a year file, so a year entered in a form and a year imported from a file are held to the
/// same standard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct YearDraft {
    pub year: i32,
    pub title: Option<String>,
    /// Address of the State Council notice.
    pub source: String,
    pub amended_by: Vec<String>,
    pub note: Option<String>,
    pub holidays: Vec<HolidayDraft>,
}

impl YearDraft {
    /// The checked arrangement, or every problem found. Messages name the field, holiday and
    /// date concerned; they carry no line number, since a form has no lines.
    pub fn check(&self) -> Result<YearArrangement, ParseErrors> {
        let holidays = self
            .holidays
            .iter()
            .map(|h| Holiday {
                name: h.name.clone(),
                off: h.off.clone(),
                makeup: h.makeup.clone(),
            })
            .collect();
        let unchecked = YearArrangement {
            year: self.year,
            title: self.title.clone(),
            source: self.source.clone(),
            amended_by: self.amended_by.clone(),
            note: self.note.clone(),
            holidays,
        };
        YearArrangement::parse(&unchecked.to_toml()).map_err(|ParseErrors(errors)| {
            ParseErrors(
                errors
                    .into_iter()
                    .map(|e| ParseError { line: None, ..e })
                    .collect(),
            )
        })
    }
}

impl From<&YearArrangement> for YearDraft {
    /// A loaded year as a draft, to correct it in the form.
    fn from(year: &YearArrangement) -> Self {
        Self {
            year: year.year,
            title: year.title.clone(),
            source: year.source.clone(),
            amended_by: year.amended_by.clone(),
            note: year.note.clone(),
            holidays: year
                .holidays
                .iter()
                .map(|h| HolidayDraft {
                    name: h.name.clone(),
                    off: h.off.clone(),
                    makeup: h.makeup.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Calendar;

    fn d(text: &str) -> NaiveDate {
        crate::parse_date(text).unwrap()
    }

    fn draft_2027() -> YearDraft {
        YearDraft {
            year: 2027,
            source: "https://www.gov.cn/2027".into(),
            holidays: vec![HolidayDraft {
                name: "元旦".into(),
                off: vec![DateSpan::parse("2027-01-01/2027-01-03").unwrap()],
                makeup: Vec::new(),
            }],
            ..YearDraft::default()
        }
    }

    #[test]
    fn a_good_draft_becomes_a_year() {
        let year = draft_2027().check().unwrap();
        assert_eq!(year.year(), 2027);
        assert_eq!(year.off_day_count(), 3);
        let cal = Calendar::builtin().with_year(year).unwrap();
        assert_eq!(cal.holiday_name(d("2027-01-01")), Ok(Some("元旦")));
    }

    #[test]
    fn a_bad_draft_reports_every_problem_without_lines() {
        let mut draft = draft_2027();
        draft.source = "gov.cn".into();
        draft.holidays[0].makeup.push(d("2027-01-04"));
        draft.holidays.push(HolidayDraft {
            name: " ".into(),
            ..HolidayDraft::default()
        });
        let errors = draft.check().unwrap_err();
        let messages: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "字段“source”应为以 http:// 或 https:// 开头、不含空格的网址，实为“gov.cn”",
                "节日“元旦”的调休上班日2027-01-04是星期一，调休上班日必须是星期六或星期日",
                "第2个节日的名称“name”不能为空",
            ]
        );
        assert!(errors.0.iter().all(|e| e.line.is_none()));
    }

    #[test]
    fn a_loaded_year_round_trips_through_a_draft() {
        let cal = Calendar::builtin();
        for y in cal.years() {
            let year = cal.arrangement(y).unwrap();
            assert_eq!(YearDraft::from(year).check().as_ref(), Ok(year), "{y}");
        }
    }
}
