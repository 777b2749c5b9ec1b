//! All known years in one map, and the questions asked of it.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, Weekday};

use crate::arrangement::YearArrangement;
use crate::error::CalendarError;

/// What a day is, for a month grid or a listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayKind<'a> {
    /// Monday–Friday, not a holiday.
    Workday,
    /// Saturday or Sunday, not listed by any notice.
    Weekend,
    /// A day off of the named holiday (weekends inside the break included).
    Holiday { name: &'a str },
    /// A Saturday or Sunday worked for the named holiday (调休上班).
    MakeupWorkday { holiday: &'a str },
}

impl DayKind<'_> {
    pub fn is_workday(&self) -> bool {
        matches!(self, Self::Workday | Self::MakeupWorkday { .. })
    }
}

/// One cell of a month grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarDay<'a> {
    pub date: NaiveDate,
    pub kind: DayKind<'a>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Listed {
    Off,
    Makeup,
}

/// A date listed by a notice: which year's arrangement and which of its holidays.
#[derive(Clone, Copy, Debug)]
struct Mark {
    listed: Listed,
    year: i32,
    holiday: usize,
}

/// The working-day calendar: every loaded year's arrangement, merged into one map of dates so
/// that days set by a neighbouring year's notice (e.g. 2018-12-29, set by the 2019 notice) are
/// answered correctly.
///
/// A year is *known* when its arrangement is loaded; any question about a date in another year
/// is a [`CalendarError::MissingYear`]. Note that the next year's notice may still change the
/// last days of the latest known year (make-up days around New Year).
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    years: BTreeMap<i32, YearArrangement>,
    marks: HashMap<NaiveDate, Mark>,
}

impl Calendar {
    /// A calendar that knows no year.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a year, or replaces the arrangement of a year already loaded (an administrator
    /// correcting an import); returns the replaced one. Fails, changing nothing, when another
    /// year's arrangement lists one of the same dates.
    pub fn add_year(
        &mut self,
        arrangement: YearArrangement,
    ) -> Result<Option<YearArrangement>, CalendarError> {
        let year = arrangement.year();
        let mut marks: HashMap<NaiveDate, Mark> = self
            .marks
            .iter()
            .filter(|(_, m)| m.year != year)
            .map(|(d, m)| (*d, *m))
            .collect();
        for (holiday, h) in arrangement.holidays().iter().enumerate() {
            let off = h.off_days().map(|d| (d, Listed::Off));
            let makeup = h.makeup().iter().map(|d| (*d, Listed::Makeup));
            for (date, listed) in off.chain(makeup) {
                if let Some(other) = marks.insert(
                    date,
                    Mark {
                        listed,
                        year,
                        holiday,
                    },
                ) {
                    return Err(CalendarError::Conflict {
                        date,
                        listed_by: other.year,
                        added: year,
                    });
                }
            }
        }
        self.marks = marks;
        Ok(self.years.insert(year, arrangement))
    }

    /// [`Calendar::add_year`] for building a calendar in one expression.
    pub fn with_year(mut self, arrangement: YearArrangement) -> Result<Self, CalendarError> {
        self.add_year(arrangement)?;
        Ok(self)
    }

    /// The known years, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    pub fn arrangement(&self, year: i32) -> Option<&YearArrangement> {
        self.years.get(&year)
    }

    /// The year whose notice an administrator should load now, if any: the current year when it
    /// is missing, and from 1 December the next year when it is missing (the State Council
    /// publishes the next year's arrangement every November or December).
    pub fn year_to_load(&self, today: NaiveDate) -> Option<i32> {
        let this_year = today.year();
        let missing = |year: i32| !self.years.contains_key(&year);
        if missing(this_year) {
            Some(this_year)
        } else if today.month() == 12 && missing(this_year + 1) {
            Some(this_year + 1)
        } else {
            None
        }
    }

    fn known(&self, year: i32) -> Result<(), CalendarError> {
        if self.years.contains_key(&year) {
            Ok(())
        } else {
            Err(CalendarError::MissingYear(year))
        }
    }

    pub fn day_kind(&self, date: NaiveDate) -> Result<DayKind<'_>, CalendarError> {
        self.known(date.year())?;
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        Ok(match self.marks.get(&date) {
            Some(mark) => {
                let name = self.years[&mark.year].holidays()[mark.holiday].name();
                match mark.listed {
                    Listed::Off => DayKind::Holiday { name },
                    Listed::Makeup => DayKind::MakeupWorkday { holiday: name },
                }
            }
            None if weekend => DayKind::Weekend,
            None => DayKind::Workday,
        })
    }

    pub fn is_workday(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.day_kind(date)?.is_workday())
    }

    /// The holiday the date is a day off of, e.g. `春节`; `None` on any other day.
    pub fn holiday_name(&self, date: NaiveDate) -> Result<Option<&str>, CalendarError> {
        Ok(match self.day_kind(date)? {
            DayKind::Holiday { name } => Some(name),
            _ => None,
        })
    }

    /// Whether the date is a weekend day worked to make up for a holiday (调休上班).
    pub fn is_makeup_workday(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(matches!(
            self.day_kind(date)?,
            DayKind::MakeupWorkday { .. }
        ))
    }

    /// One day forward or back, as long as the calendar knows the day reached.
    fn step(&self, date: NaiveDate, forward: bool) -> Result<NaiveDate, CalendarError> {
        let next = if forward {
            date.succ_opt()
        } else {
            date.pred_opt()
        };
        let next = next.ok_or(CalendarError::MissingYear(
            date.year() + if forward { 1 } else { -1 },
        ))?;
        self.known(next.year())?;
        Ok(next)
    }

    /// The first working day strictly after `date`.
    pub fn next_workday(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        self.add_workdays(date, 1)
    }

    /// Moves by working days. `n > 0`: the n-th working day strictly after `date`; `n < 0`: the
    /// |n|-th working day strictly before it; `n == 0`: `date` itself if it is a working day,
    /// otherwise the next working day (an off day rolls forward, as a deadline would).
    ///
    /// `date` itself is never counted (as with legal time limits, 期间开始之日不计算在内), so
    /// `add_workdays(add_workdays(d, n), -n)` is `d` when `d` is a working day. From an off day
    /// it is the first working day after `d` when `n <= 0`, and the last working day before `d`
    /// when `n > 0` (e.g. Saturday +1 is Monday, and Monday −1 is Friday).
    pub fn add_workdays(&self, date: NaiveDate, n: i32) -> Result<NaiveDate, CalendarError> {
        let here = self.day_kind(date)?;
        if n == 0 && here.is_workday() {
            return Ok(date);
        }
        let forward = n >= 0;
        let mut remaining = n.unsigned_abs().max(1);
        let mut day = date;
        loop {
            day = self.step(day, forward)?;
            if self.is_workday(day)? {
                remaining -= 1;
                if remaining == 0 {
                    return Ok(day);
                }
            }
        }
    }

    /// Working days in `(from, to]` — after `from`, up to and including `to` — negative when
    /// `to` is before `from`. So `workdays_between(d, add_workdays(d, n)) == n` for a working
    /// day `d`, and a 公示期 `(start, end)` spans `workdays_between(start - 1 day, end)` days.
    pub fn workdays_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i32, CalendarError> {
        self.known(from.year())?;
        self.known(to.year())?;
        let (low, high, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut count = 0;
        let mut day = low;
        while day < high {
            day = self.step(day, true)?;
            if self.is_workday(day)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }

    /// Working days of a known year, make-up weekend days included.
    pub fn workdays_in_year(&self, year: i32) -> Result<u32, CalendarError> {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(CalendarError::MissingYear(year))?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(CalendarError::MissingYear(year))?;
        let days = self.days(first, last)?;
        Ok(days.iter().filter(|cell| cell.kind.is_workday()).count() as u32)
    }

    /// Every day from `from` to `to`, both included, with its kind; empty when `to` is before
    /// `from`. Fails, returning nothing, if any of the days lies in an unknown year.
    pub fn days(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CalendarDay<'_>>, CalendarError> {
        from.iter_days()
            .take_while(|d| *d <= to)
            .map(|date| {
                Ok(CalendarDay {
                    date,
                    kind: self.day_kind(date)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn year(text: &str) -> YearArrangement {
        YearArrangement::parse(text).unwrap()
    }

    const Y2019: &str = "year = 2019\nsource = \"https://example.gov.cn/2019\"\n\n[[holiday]]\nname = \"元旦\"\noff = [\"2018-12-30/2019-01-01\"]\nmakeup = [\"2018-12-29\"]\n";
    const Y2018: &str = "year = 2018\nsource = \"https://example.gov.cn/2018\"\n\n[[holiday]]\nname = \"元旦\"\noff = [\"2018-01-01\"]\n";

    #[test]
    fn neighbouring_notice_sets_days_of_the_previous_year() {
        let cal = Calendar::new()
            .with_year(year(Y2018))
            .unwrap()
            .with_year(year(Y2019))
            .unwrap();
        assert_eq!(
            cal.day_kind(d(2018, 12, 29)),
            Ok(DayKind::MakeupWorkday { holiday: "元旦" })
        );
        assert_eq!(cal.holiday_name(d(2018, 12, 31)), Ok(Some("元旦")));
        assert_eq!(cal.day_kind(d(2018, 12, 28)), Ok(DayKind::Workday));
        assert_eq!(cal.day_kind(d(2018, 12, 23)), Ok(DayKind::Weekend));
        assert_eq!(cal.years(), vec![2018, 2019]);
    }

    #[test]
    fn a_date_listed_by_two_years_is_refused_and_nothing_changes() {
        let clash = Y2018.replace("2018-01-01", "2018-12-31");
        let mut cal = Calendar::new().with_year(year(Y2019)).unwrap();
        let err = cal.add_year(year(&clash)).unwrap_err();
        assert_eq!(
            err,
            CalendarError::Conflict {
                date: d(2018, 12, 31),
                listed_by: 2019,
                added: 2018
            }
        );
        assert_eq!(
            err.to_string(),
            "2018-12-31已由2019年的放假安排列出，2018年的放假安排不能再列出同一天"
        );
        assert_eq!(cal.years(), vec![2019]);
    }

    #[test]
    fn replacing_a_year_drops_its_old_days() {
        let mut cal = Calendar::new().with_year(year(Y2018)).unwrap();
        let moved = Y2018.replace("2018-01-01", "2018-01-02");
        let old = cal.add_year(year(&moved)).unwrap();
        assert_eq!(old.map(|a| a.year()), Some(2018));
        assert_eq!(cal.is_workday(d(2018, 1, 1)), Ok(true));
        assert_eq!(cal.is_workday(d(2018, 1, 2)), Ok(false));
    }

    #[test]
    fn unknown_years_are_errors_not_guesses() {
        let cal = Calendar::new().with_year(year(Y2018)).unwrap();
        let err = cal.is_workday(d(2019, 3, 4)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "缺少2019年的放假安排（国务院办公厅通知），无法计算工作日"
        );
        assert_eq!(
            cal.add_workdays(d(2018, 12, 31), 1),
            Err(CalendarError::MissingYear(2019))
        );
        assert_eq!(
            cal.add_workdays(d(2018, 1, 2), -1),
            Err(CalendarError::MissingYear(2017))
        );
        assert_eq!(
            cal.workdays_in_year(2019),
            Err(CalendarError::MissingYear(2019))
        );
    }

    #[test]
    fn the_next_year_is_due_from_the_first_of_december() {
        let cal = Calendar::new().with_year(year(Y2018)).unwrap();
        assert_eq!(cal.year_to_load(d(2018, 11, 30)), None);
        assert_eq!(cal.year_to_load(d(2018, 12, 1)), Some(2019));
        assert_eq!(cal.year_to_load(d(2018, 12, 31)), Some(2019));
        assert_eq!(cal.year_to_load(d(2019, 3, 1)), Some(2019));
        let both = cal.with_year(year(Y2019)).unwrap();
        assert_eq!(both.year_to_load(d(2018, 12, 1)), None);
        assert_eq!(both.year_to_load(d(2019, 12, 1)), Some(2020));
    }
}
