//! Errors, with messages for users in Chinese.

use std::fmt;

use chrono::NaiveDate;

/// Why the calendar cannot answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalendarError {
    /// The date (or a date a computation had to walk through) lies in a year whose arrangement is
    /// not loaded. Working days are never guessed from weekdays.
    MissingYear(i32),
    /// Two years' arrangements both list the same date.
    Conflict {
        date: NaiveDate,
        listed_by: i32,
        added: i32,
    },
    /// A month grid was asked for a month that does not exist.
    InvalidMonth { year: i32, month: u32 },
}

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingYear(year) => {
                write!(
                    f,
                    "缺少{year}年的放假安排（国务院办公厅通知），无法计算工作日"
                )
            }
            Self::Conflict {
                date,
                listed_by,
                added,
            } => write!(
                f,
                "{date}已由{listed_by}年的放假安排列出，{added}年的放假安排不能再列出同一天"
            ),
            Self::InvalidMonth { year, month } => write!(f, "{year}年{month}月不是有效的月份"),
        }
    }
}

impl std::error::Error for CalendarError {}

/// One thing wrong in a year file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line of the offending value, when it has one.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "第{line}行：{}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Everything wrong in a year file (never empty), in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseErrors(pub Vec<ParseError>);

impl fmt::Display for ParseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseErrors {}
