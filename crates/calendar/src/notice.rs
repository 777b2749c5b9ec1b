//! Notice periods (公示期): when a public notice starts and ends.

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate};

use crate::calendar::Calendar;
use crate::error::CalendarError;

/// The day a notice period starts from, relative to its publication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The day of publication.
    SameDay,
    /// The day after publication, whatever kind of day it is.
    NextDay,
    /// The first working day after publication ("从发布公示通知的第二天起算，第二天为节假日的，
    /// 以节假日后的第一个工作日起算").
    NextWorkday,
}

/// What the length of a notice period counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Working days (make-up weekend days count, holidays do not).
    Workdays,
    /// Calendar days.
    Days,
}

/// How a bureau computes a notice period: a setting, since practice varies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoticeRule {
    pub start: Start,
    pub unit: Unit,
    pub length: NonZeroU32,
}

impl Default for NoticeRule {
    /// Seed 001's rule: from the day after publication, rolled to the next working day, for
    /// "不少于五个工作日".
    fn default() -> Self {
        Self {
            start: Start::NextWorkday,
            unit: Unit::Workdays,
            length: NonZeroU32::MIN.saturating_add(4),
        }
    }
}

impl Start {
    pub const ALL: [Self; 3] = [Self::SameDay, Self::NextDay, Self::NextWorkday];

    /// The name stored in settings and given on the command line, e.g. `next-workday`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SameDay => "same-day",
            Self::NextDay => "next-day",
            Self::NextWorkday => "next-workday",
        }
    }

    /// How the rule reads in Chinese, for settings pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::SameDay => "自发布当日起算",
            Self::NextDay => "自发布次日起算",
            Self::NextWorkday => "自发布次日起算，次日不是工作日的，自其后第一个工作日起算",
        }
    }
}

impl FromStr for Start {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                format!("公示期起算规则“{text}”无效，应为 same-day、next-day 或 next-workday")
            })
    }
}

impl Unit {
    pub const ALL: [Self; 2] = [Self::Workdays, Self::Days];

    /// The name stored in settings and given on the command line, e.g. `workdays`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Workdays => "workdays",
            Self::Days => "days",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Workdays => "工作日",
            Self::Days => "自然日",
        }
    }
}

impl FromStr for Unit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|u| u.as_str() == text)
            .ok_or_else(|| format!("公示期长度单位“{text}”无效，应为 workdays 或 days"))
    }
}

impl fmt::Display for NoticeRule {
    /// E.g. "自发布次日起算，次日不是工作日的，自其后第一个工作日起算，共5个工作日".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            Unit::Workdays => "个工作日",
            Unit::Days => "天（自然日）",
        };
        write!(f, "{}，共{}{unit}", self.start.label(), self.length)
    }
}

impl Calendar {
    /// The first and last day of the notice period of something published on `published`.
    ///
    /// With [`Unit::Workdays`] the period ends on the `length`-th working day counted from the
    /// start (from the first working day on or after it, when the start is an off day). With
    /// [`Unit::Days`] it ends `length - 1` calendar days after the start. Every year the period
    /// touches must be known.
    pub fn notice_period(
        &self,
        published: NaiveDate,
        rule: &NoticeRule,
    ) -> Result<(NaiveDate, NaiveDate), CalendarError> {
        self.day_kind(published)?;
        let start = match rule.start {
            Start::SameDay => published,
            Start::NextDay => {
                let next = published
                    .succ_opt()
                    .ok_or(CalendarError::MissingYear(published.year() + 1))?;
                self.day_kind(next)?;
                next
            }
            Start::NextWorkday => self.next_workday(published)?,
        };
        let steps = rule.length.get() - 1;
        let end = match rule.unit {
            Unit::Workdays => {
                let first = self.add_workdays(start, 0)?;
                // Longer than i32::MAX working days cannot fit any calendar: walking that far
                // ends in a missing year, which is the error to report.
                self.add_workdays(first, i32::try_from(steps).unwrap_or(i32::MAX))?
            }
            Unit::Days => {
                let end = start
                    .checked_add_days(Days::new(u64::from(steps)))
                    .ok_or(CalendarError::MissingYear(start.year() + 1))?;
                for year in start.year()..=end.year() {
                    if self.arrangement(year).is_none() {
                        return Err(CalendarError::MissingYear(year));
                    }
                }
                end
            }
        };
        Ok((start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_stored_as_text_and_read_back() {
        for start in Start::ALL {
            assert_eq!(start.as_str().parse::<Start>(), Ok(start));
        }
        for unit in Unit::ALL {
            assert_eq!(unit.as_str().parse::<Unit>(), Ok(unit));
        }
        assert_eq!(
            "next_workday".parse::<Start>(),
            Err("公示期起算规则“next_workday”无效，应为 same-day、next-day 或 next-workday".into())
        );
        assert_eq!(
            "工作日".parse::<Unit>(),
            Err("公示期长度单位“工作日”无效，应为 workdays 或 days".into())
        );
    }

    #[test]
    fn rules_read_as_chinese() {
        assert_eq!(
            NoticeRule::default().to_string(),
            "自发布次日起算，次日不是工作日的，自其后第一个工作日起算，共5个工作日"
        );
        let seven_days = NoticeRule {
            start: Start::SameDay,
            unit: Unit::Days,
            length: NonZeroU32::new(7).unwrap(),
        };
        assert_eq!(seven_days.to_string(), "自发布当日起算，共7天（自然日）");
    }
}
