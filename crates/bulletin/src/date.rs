//! Chinese dates as bulletins write them: "2022年3月21日", then "6月15日" with the year carried
//! over from the date before.

use chrono::{Datelike, NaiveDate};

/// Reads dates in order of appearance, carrying the year from one to the next.
#[derive(Debug, Default)]
pub(crate) struct DateReader {
    last: Option<NaiveDate>,
}

impl DateReader {
    /// Reads `year`/`month`/`day` parts; a missing year is the previous date's year, moved one on
    /// when the date would otherwise fall before the previous one ("12月20日" then "1月9日").
    pub fn read(&mut self, year: Option<&str>, month: &str, day: &str) -> Option<NaiveDate> {
        let month: u32 = month.parse().ok()?;
        let day: u32 = day.parse().ok()?;
        let date = match year {
            Some(year) => NaiveDate::from_ymd_opt(year.parse().ok()?, month, day)?,
            None => {
                let last = self.last?;
                let same_year = NaiveDate::from_ymd_opt(last.year(), month, day)?;
                if same_year < last {
                    NaiveDate::from_ymd_opt(last.year() + 1, month, day)?
                } else {
                    same_year
                }
            }
        };
        self.last = Some(date);
        Some(date)
    }
}

/// "2022年3月21日"
pub(crate) fn chinese(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// "6月15日" when `date` is in the same year as `previous`, the full date otherwise, so that a
/// [`DateReader`] reads it back.
pub(crate) fn chinese_after(date: NaiveDate, previous: Option<NaiveDate>) -> String {
    match previous {
        Some(previous) if previous.year() == date.year() && previous <= date => {
            format!("{}月{}日", date.month(), date.day())
        }
        _ => chinese(date),
    }
}

/// A date written alone, as under a signature or after "发布时间:": "2021年5月18日" or
/// "2023-05-15".
pub(crate) fn standalone(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y年%m月%d日"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_year_carries_over_and_rolls_into_the_next_year() {
        let mut reader = DateReader::default();
        assert_eq!(
            reader.read(Some("2022"), "3", "21"),
            Some(date(2022, 3, 21))
        );
        assert_eq!(reader.read(None, "6", "15"), Some(date(2022, 6, 15)));
        assert_eq!(reader.read(None, "1", "9"), Some(date(2023, 1, 9)));
    }

    #[test]
    fn a_date_without_year_and_nothing_before_is_not_guessed() {
        assert_eq!(DateReader::default().read(None, "8", "4"), None);
        assert_eq!(DateReader::default().read(Some("2022"), "2", "30"), None);
    }

    #[test]
    fn written_dates_read_back() {
        let start = date(2023, 10, 10);
        let end = date(2024, 1, 9);
        assert_eq!(chinese_after(end, Some(start)), "2024年1月9日");
        assert_eq!(chinese_after(date(2023, 11, 24), Some(start)), "11月24日");
        assert_eq!(standalone("2021年5月18日"), Some(date(2021, 5, 18)));
        assert_eq!(standalone("2023-05-15"), Some(date(2023, 5, 15)));
        assert_eq!(standalone("中共某局党组"), None);
    }
}
