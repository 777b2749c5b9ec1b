//! Dates as written in year files and on the command line.

use std::fmt;

use chrono::NaiveDate;

/// Parses a date written as `YYYY-MM-DD`, with a Chinese message saying what is wrong.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !well_formed {
        return Err(format!(
            "日期“{text}”格式不对，应为 YYYY-MM-DD，如 2025-09-30"
        ));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("日期“{text}”不存在（月份或日期超出范围）"))
}

/// A non-empty run of consecutive dates, both ends included.
///
/// Written as one date (`2025-01-01`) or an ISO 8601 interval (`2025-01-28/2025-02-04`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateSpan {
    first: NaiveDate,
    last: NaiveDate,
}

impl DateSpan {
    /// A span from `first` to `last`; `None` if `last` is before `first`.
    pub fn new(first: NaiveDate, last: NaiveDate) -> Option<Self> {
        (first <= last).then_some(Self { first, last })
    }

    pub fn single(day: NaiveDate) -> Self {
        Self {
            first: day,
            last: day,
        }
    }

    pub fn first(&self) -> NaiveDate {
        self.first
    }

    pub fn last(&self) -> NaiveDate {
        self.last
    }

    /// Every date of the span, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let last = self.last;
        self.first.iter_days().take_while(move |d| *d <= last)
    }

    /// Parses `YYYY-MM-DD` or `YYYY-MM-DD/YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.split_once('/') {
            None => parse_date(text).map(Self::single),
            // "2025/01/28" is a mistyped date, not a span: name the whole text.
            Some((a, b)) if a.len() != 10 || b.len() != 10 => Err(format!(
                "日期“{text}”格式不对，应为 YYYY-MM-DD 或区间 YYYY-MM-DD/YYYY-MM-DD"
            )),
            Some((a, b)) => {
                let (first, last) = (parse_date(a)?, parse_date(b)?);
                Self::new(first, last)
                    .ok_or_else(|| format!("日期区间“{text}”的起始日期晚于结束日期"))
            }
        }
    }
}

impl fmt::Display for DateSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}/{}", self.first, self.last)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_iso_dates_only() {
        assert_eq!(parse_date("2025-09-30"), Ok(d(2025, 9, 30)));
        assert!(parse_date("2025/09/30").unwrap_err().contains("格式不对"));
        assert!(parse_date("2025-9-30").unwrap_err().contains("YYYY-MM-DD"));
        assert!(parse_date("2025-02-30").unwrap_err().contains("不存在"));
        assert!(
            parse_date("２０２５-09-30")
                .unwrap_err()
                .contains("格式不对")
        );
    }

    #[test]
    fn spans_parse_display_and_iterate() {
        let span = DateSpan::parse("2025-01-28/2025-02-04").unwrap();
        assert_eq!(span.to_string(), "2025-01-28/2025-02-04");
        assert_eq!(span.days().count(), 8);
        assert_eq!(
            DateSpan::parse("2025-01-01").unwrap().to_string(),
            "2025-01-01"
        );
        let err = DateSpan::parse("2025-02-04/2025-01-28").unwrap_err();
        assert!(err.contains("起始日期晚于结束日期"), "{err}");
        let err = DateSpan::parse("2025/01/28").unwrap_err();
        assert!(err.contains("“2025/01/28”格式不对"), "{err}");
    }
}
