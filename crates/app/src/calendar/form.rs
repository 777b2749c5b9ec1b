//! The year form of 日历管理: fields as typed, turned into a [`YearDraft`] with each field's problem
//! named. Pure, so it is tested without a server.

use std::collections::BTreeMap;

use calendar::{DateSpan, HolidayDraft, YearArrangement, YearDraft, parse_date};

use crate::web::form::FieldErrors;

/// Rows of holidays the form offers (seven holidays a year, with room to spare).
pub const ROWS: usize = 9;

/// The seven statutory holidays, prefilled in a new year's form.
pub const HOLIDAYS: [&str; 7] = [
    "元旦",
    "春节",
    "清明节",
    "劳动节",
    "端午节",
    "中秋节",
    "国庆节",
];

/// One holiday row as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HolidayRow {
    pub name: String,
    pub off: String,
    pub makeup: String,
}

/// The whole form as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct YearForm {
    pub year: String,
    pub title: String,
    pub source: String,
    pub note: String,
    pub rows: Vec<HolidayRow>,
}

impl YearForm {
    /// An empty form for `year` with the statutory holidays named.
    pub fn blank(year: i32) -> YearForm {
        let mut rows: Vec<HolidayRow> = HOLIDAYS
            .iter()
            .map(|n| HolidayRow {
                name: (*n).into(),
                ..Default::default()
            })
            .collect();
        rows.resize(ROWS, HolidayRow::default());
        YearForm {
            year: year.to_string(),
            title: format!("国务院办公厅关于{year}年部分节假日安排的通知"),
            rows,
            ..Default::default()
        }
    }

    /// The form showing a stored year.
    pub fn of(year: &YearArrangement) -> YearForm {
        let list = |items: Vec<String>| items.join("，");
        let mut rows: Vec<HolidayRow> = year
            .holidays()
            .iter()
            .map(|h| HolidayRow {
                name: h.name().to_owned(),
                off: list(h.off().iter().map(|s| s.to_string()).collect()),
                makeup: list(h.makeup().iter().map(|d| d.to_string()).collect()),
            })
            .collect();
        rows.resize(ROWS.max(rows.len()), HolidayRow::default());
        YearForm {
            year: year.year().to_string(),
            title: year.title().unwrap_or_default().to_owned(),
            source: year.source().to_owned(),
            note: year.note().unwrap_or_default().to_owned(),
            rows,
        }
    }

    /// Reads the submitted fields (`name_0`, `off_0`, `makeup_0`, …).
    pub fn from_fields(fields: &BTreeMap<String, String>) -> YearForm {
        let get = |k: &str| {
            fields
                .get(k)
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        YearForm {
            year: get("year"),
            title: get("title"),
            source: get("source"),
            note: get("note"),
            rows: (0..ROWS)
                .map(|i| HolidayRow {
                    name: get(&format!("name_{i}")),
                    off: get(&format!("off_{i}")),
                    makeup: get(&format!("makeup_{i}")),
                })
                .collect(),
        }
    }

    /// The draft, or the problems of each field (keyed as the form names them).
    pub fn draft(&self) -> Result<YearDraft, FieldErrors> {
        let mut e = FieldErrors::default();
        let year = match self.year.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                e.add(
                    "year",
                    format!("年份“{}”无效，应为四位数字，如2027", self.year),
                );
                0
            }
        };
        if !self.source.starts_with("https://") && !self.source.starts_with("http://") {
            e.add(
                "source",
                "请填写国务院办公厅通知的网址（http:// 或 https:// 开头），以便核对",
            );
        }
        let mut holidays = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            if row.off.is_empty() && row.makeup.is_empty() {
                continue;
            }
            if row.name.is_empty() {
                e.add(&format!("name_{i}"), "请填写节日名称");
            }
            let mut off = Vec::new();
            for part in split(&row.off) {
                match DateSpan::parse(&part.replace(['至', '～', '~'], "/")) {
                    Ok(span) => off.push(span),
                    Err(m) => e.add(&format!("off_{i}"), m),
                }
            }
            if off.is_empty() && !e.has(&format!("off_{i}")) {
                e.add(&format!("off_{i}"), "请填写放假日期");
            }
            let mut makeup = Vec::new();
            for part in split(&row.makeup) {
                match parse_date(&part) {
                    Ok(d) => makeup.push(d),
                    Err(m) => e.add(&format!("makeup_{i}"), m),
                }
            }
            holidays.push(HolidayDraft {
                name: row.name.clone(),
                off,
                makeup,
            });
        }
        if holidays.is_empty() && e.is_empty() {
            e.add("off_0", "请至少填写一个节日的放假日期");
        }
        if !e.is_empty() {
            return Err(e);
        }
        let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Ok(YearDraft {
            year,
            title: text(&self.title),
            source: self.source.clone(),
            amended_by: Vec::new(),
            note: text(&self.note),
            holidays,
        })
    }
}

/// Dates or spans separated by commas (either width), 、, ; or spaces.
fn split(text: &str) -> Vec<String> {
    text.split([',', '，', '、', ';', '；', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_typed_year_becomes_a_draft() {
        let f = YearForm::from_fields(&fields(&[
            ("year", "2027"),
            ("source", "https://www.gov.cn/x.htm"),
            ("name_0", "元旦"),
            ("off_0", "2027-01-01至2027-01-03"),
            ("name_1", "春节"),
            ("off_1", "2027-02-05/2027-02-12"),
            ("makeup_1", "2027-02-14，2027-02-20"),
        ]));
        let d = f.draft().unwrap();
        assert_eq!(d.year, 2027);
        assert_eq!(d.holidays.len(), 2);
        assert_eq!(d.holidays[0].off[0].to_string(), "2027-01-01/2027-01-03");
        assert_eq!(d.holidays[1].makeup.len(), 2);
    }

    #[test]
    fn each_bad_field_is_named() {
        let f = YearForm::from_fields(&fields(&[
            ("year", "27"),
            ("source", "国务院"),
            ("name_2", ""),
            ("off_2", "2027-04-31"),
            ("makeup_2", "明天"),
        ]));
        let e = f.draft().unwrap_err();
        for key in ["year", "source", "name_2", "off_2", "makeup_2"] {
            assert!(e.has(key), "{key}: {e:?}");
        }
    }

    #[test]
    fn a_stored_year_fills_the_form_and_reads_back_the_same() {
        let cal = calendar::Calendar::builtin();
        let stored = cal.arrangement(2026).unwrap();
        let form = YearForm::of(stored);
        let mut submitted = BTreeMap::new();
        submitted.insert("year".to_owned(), form.year.clone());
        submitted.insert("title".to_owned(), form.title.clone());
        submitted.insert("source".to_owned(), form.source.clone());
        for (i, r) in form.rows.iter().enumerate() {
            submitted.insert(format!("name_{i}"), r.name.clone());
            submitted.insert(format!("off_{i}"), r.off.clone());
            submitted.insert(format!("makeup_{i}"), r.makeup.clone());
        }
        let again = YearForm::from_fields(&submitted)
            .draft()
            .unwrap()
            .check()
            .unwrap();
        assert_eq!(again.holidays(), stored.holidays());
    }
}
