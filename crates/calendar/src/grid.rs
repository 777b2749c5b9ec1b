//! Month grids for the calendar page (日历管理): what an administrator previews before saving a
//! year, and what anyone sees when looking a month up.

use chrono::{Datelike, NaiveDate};

use crate::calendar::{Calendar, CalendarDay};
use crate::error::CalendarError;

/// One month laid out in weeks from Monday to Sunday, as Chinese office calendars show it.
/// Cells before the first and after the last day of the month are `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthGrid<'a> {
    pub year: i32,
    pub month: u32,
    pub weeks: Vec<[Option<CalendarDay<'a>>; 7]>,
}

impl Calendar {
    /// Every day of a month with its kind.
    pub fn month(&self, year: i32, month: u32) -> Result<Vec<CalendarDay<'_>>, CalendarError> {
        let (first, last) =
            month_bounds(year, month).ok_or(CalendarError::InvalidMonth { year, month })?;
        self.days(first, last)
    }

    /// A month as a grid of weeks. To preview a year before saving it, ask a copy of the
    /// calendar that has it: `calendar.clone().with_year(draft)?.month_grid(year, month)`.
    pub fn month_grid(&self, year: i32, month: u32) -> Result<MonthGrid<'_>, CalendarError> {
        let days = self.month(year, month)?;
        let mut weeks = Vec::new();
        let mut week = [None; 7];
        for day in days {
            let column = day.date.weekday().num_days_from_monday() as usize;
            week[column] = Some(day);
            if column == 6 {
                weeks.push(std::mem::take(&mut week));
            }
        }
        if week.iter().any(Option::is_some) {
            weeks.push(week);
        }
        Ok(MonthGrid { year, month, weeks })
    }
}

/// First and last day of a month; `None` if it does not exist.
fn month_bounds(year: i32, month: u32) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    Some((first, next?.pred_opt()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DayKind, YearArrangement};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn calendar() -> Calendar {
        let y2018 = "year = 2018\nsource = \"https://example.gov.cn/2018\"\n\n[[holiday]]\nname = \"元旦\"\noff = [\"2018-01-01\"]\n";
        let y2019 = "year = 2019\nsource = \"https://example.gov.cn/2019\"\n\n[[holiday]]\nname = \"元旦\"\noff = [\"2018-12-30/2019-01-01\"]\nmakeup = [\"2018-12-29\"]\n";
        Calendar::new()
            .with_year(YearArrangement::parse(y2018).unwrap())
            .unwrap()
            .with_year(YearArrangement::parse(y2019).unwrap())
            .unwrap()
    }

    #[test]
    fn month_lists_every_day_with_its_kind() {
        let cal = calendar();
        let days = cal.month(2018, 12).unwrap();
        assert_eq!(days.len(), 31);
        assert_eq!(
            days[0],
            CalendarDay {
                date: d(2018, 12, 1),
                kind: DayKind::Weekend
            }
        );
        assert_eq!(days[28].kind, DayKind::MakeupWorkday { holiday: "元旦" });
        assert_eq!(days[30].kind, DayKind::Holiday { name: "元旦" });
        assert_eq!(
            cal.month(2018, 13),
            Err(CalendarError::InvalidMonth {
                year: 2018,
                month: 13
            })
        );
        assert_eq!(cal.month(2020, 1), Err(CalendarError::MissingYear(2020)));
        assert_eq!(cal.month(2019, 2).unwrap().len(), 28);
        assert_eq!(cal.days(d(2018, 12, 31), d(2019, 1, 2)).unwrap().len(), 3);
        assert_eq!(cal.days(d(2019, 1, 2), d(2018, 12, 31)), Ok(Vec::new()));
        assert_eq!(
            cal.days(d(2019, 12, 31), d(2020, 1, 1)),
            Err(CalendarError::MissingYear(2020))
        );
    }

    #[test]
    fn grid_weeks_run_from_monday_to_sunday() {
        let cal = calendar();
        // December 2018 begins on a Saturday and ends on a Monday: six rows.
        let grid = cal.month_grid(2018, 12).unwrap();
        assert_eq!((grid.year, grid.month, grid.weeks.len()), (2018, 12, 6));
        assert!(grid.weeks[0][..5].iter().all(Option::is_none));
        assert_eq!(grid.weeks[0][5].map(|c| c.date), Some(d(2018, 12, 1)));
        // Saturday 29 is a make-up day, Sunday 30 and Monday 31 are 元旦.
        assert_eq!(
            grid.weeks[4][5].map(|c| c.kind),
            Some(DayKind::MakeupWorkday { holiday: "元旦" })
        );
        assert_eq!(
            grid.weeks[4][6].map(|c| c.kind),
            Some(DayKind::Holiday { name: "元旦" })
        );
        assert_eq!(grid.weeks[5][0].map(|c| c.date), Some(d(2018, 12, 31)));
        assert!(grid.weeks[5][1..].iter().all(Option::is_none));
        let cells: usize = grid.weeks.iter().map(|w| w.iter().flatten().count()).sum();
        assert_eq!(cells, 31);
        // February 2018 runs from a Thursday to a Wednesday; April 2019 from a Monday to a Tuesday.
        assert_eq!(cal.month_grid(2018, 2).unwrap().weeks.len(), 5);
        let april = cal.month_grid(2019, 4).unwrap();
        assert_eq!(april.weeks.len(), 5);
        assert_eq!(april.weeks[0][0].map(|c| c.date), Some(d(2019, 4, 1)));
        assert_eq!(
            cal.month_grid(2018, 0),
            Err(CalendarError::InvalidMonth {
                year: 2018,
                month: 0
            })
        );
    }
}
