//! Reading a year file (the format of `data/*.toml`), with Chinese messages naming the line and
//! field that is wrong. All problems are collected, not only the first.

use std::collections::HashMap;
use std::ops::Range;

use chrono::{Datelike, NaiveDate, Weekday};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::arrangement::{Holiday, YearArrangement};
use crate::date::DateSpan;
use crate::error::{ParseError, ParseErrors};

const TOP_KEYS: &str = "year、title、source、amended_by、note、holiday";
const HOLIDAY_KEYS: &str = "name、off、makeup";
/// Years a file may describe; the bounds keep the neighbouring years representable.
const YEARS: Range<i64> = 1949..9999;

impl YearArrangement {
    /// Parses and checks one year file: dates inside the year or in the adjacent December or
    /// January, make-up days on Saturdays or Sundays only, no date listed twice.
    pub fn parse(text: &str) -> Result<Self, ParseErrors> {
        let root = match DeTable::parse(text) {
            Ok(root) => root,
            Err(e) => {
                return Err(ParseErrors(vec![ParseError {
                    line: e.span().map(|s| line_of(text, s.start)),
                    message: format!("不是有效的 TOML 格式：{}", e.message().trim()),
                }]));
            }
        };
        let mut reader = Reader {
            text,
            errors: Vec::new(),
        };
        let arrangement = reader.arrangement(root.get_ref());
        reader.errors.sort_by_key(|e| e.line);
        match arrangement {
            Some(a) if reader.errors.is_empty() => Ok(a),
            _ => Err(ParseErrors(reader.errors)),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

fn kind_of(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "字符串",
        DeValue::Integer(_) => "整数",
        DeValue::Float(_) => "小数",
        DeValue::Boolean(_) => "布尔值",
        DeValue::Datetime(_) => "日期时间",
        DeValue::Array(_) => "数组",
        DeValue::Table(_) => "表",
    }
}

type Value<'i> = Spanned<DeValue<'i>>;

struct Reader<'t> {
    text: &'t str,
    errors: Vec<ParseError>,
}

/// Where each date was listed, to find dates listed twice.
#[derive(Clone, Copy, PartialEq)]
enum Listed {
    Off,
    Makeup,
}

impl Reader<'_> {
    fn error(&mut self, span: Option<Range<usize>>, message: String) {
        let line = span.map(|s| line_of(self.text, s.start));
        self.errors.push(ParseError { line, message });
    }

    fn arrangement(&mut self, root: &DeTable<'_>) -> Option<YearArrangement> {
        let mut fields: HashMap<&str, &Value<'_>> = HashMap::new();
        for (key, value) in root {
            match key.get_ref().as_ref() {
                k @ ("year" | "title" | "source" | "amended_by" | "note" | "holiday") => {
                    fields.insert(k, value);
                }
                other => self.error(
                    Some(key.span()),
                    format!("未知字段“{other}”（可用字段：{TOP_KEYS}）"),
                ),
            }
        }
        let year = match fields.get("year") {
            None => {
                self.error(None, "缺少字段“year”（年份，如 year = 2025）".into());
                None
            }
            Some(v) => self.year(v),
        };
        let source = match fields.get("source") {
            None => {
                self.error(None, "缺少字段“source”（国务院办公厅通知的网址）".into());
                None
            }
            Some(v) => self.url(v, "source"),
        };
        let title = fields
            .get("title")
            .and_then(|v| self.text_field(v, "title"));
        let note = fields.get("note").and_then(|v| self.text_field(v, "note"));
        let amended_by = match fields.get("amended_by") {
            None => Vec::new(),
            Some(v) => self
                .array(v, "amended_by")
                .iter()
                .filter_map(|item| self.url(item, "amended_by"))
                .collect(),
        };
        let holidays = match fields.get("holiday") {
            None => {
                self.error(None, "缺少节日：至少需要一个 [[holiday]] 表".into());
                Vec::new()
            }
            Some(v) => self.holidays(v, year),
        };
        Some(YearArrangement {
            year: year?,
            title,
            source: source?,
            amended_by,
            note,
            holidays,
        })
    }

    fn year(&mut self, value: &Value<'_>) -> Option<i32> {
        let parsed = match value.get_ref() {
            DeValue::Integer(i) => {
                i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
            }
            _ => None,
        };
        match parsed
            .filter(|y| YEARS.contains(y))
            .and_then(|y| i32::try_from(y).ok())
        {
            Some(year) => Some(year),
            None => {
                self.error(
                    Some(value.span()),
                    format!(
                        "字段“year”应为{}至{}之间的整数年份（不加引号），如 year = 2025",
                        YEARS.start,
                        YEARS.end - 1
                    ),
                );
                None
            }
        }
    }

    fn string<'v>(&mut self, value: &'v Value<'_>, field: &str) -> Option<&'v str> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            other => {
                let kind = kind_of(other);
                self.error(
                    Some(value.span()),
                    format!("字段“{field}”应为字符串（用英文双引号括起），实为{kind}"),
                );
                None
            }
        }
    }

    /// A free text such as a title: must not be blank.
    fn text_field(&mut self, value: &Value<'_>, field: &str) -> Option<String> {
        let text = self.string(value, field)?;
        if text.trim().is_empty() {
            self.error(Some(value.span()), format!("字段“{field}”不能为空"));
            return None;
        }
        Some(text.to_owned())
    }

    fn url(&mut self, value: &Value<'_>, field: &str) -> Option<String> {
        let url = self.string(value, field)?;
        let well_formed = (url.starts_with("https://") || url.starts_with("http://"))
            && !url.chars().any(char::is_whitespace);
        if !well_formed {
            self.error(
                Some(value.span()),
                format!(
                    "字段“{field}”应为以 http:// 或 https:// 开头、不含空格的网址，实为“{url}”"
                ),
            );
            return None;
        }
        Some(url.to_owned())
    }

    fn array<'v, 'i>(&mut self, value: &'v Value<'i>, field: &str) -> &'v [Value<'i>] {
        match value.get_ref() {
            DeValue::Array(items) => items,
            other => {
                let kind = kind_of(other);
                self.error(
                    Some(value.span()),
                    format!(
                        "字段“{field}”应为数组（用方括号括起，如 [\"2025-01-01\"]），实为{kind}"
                    ),
                );
                &[]
            }
        }
    }

    fn holidays(&mut self, value: &Value<'_>, year: Option<i32>) -> Vec<Holiday> {
        let tables = match value.get_ref() {
            DeValue::Array(items) => items,
            _ => {
                self.error(
                    Some(value.span()),
                    "节日应写作 [[holiday]] 表，每个节日一个".into(),
                );
                return Vec::new();
            }
        };
        let mut listed: HashMap<NaiveDate, (Listed, String)> = HashMap::new();
        let mut holidays: Vec<Holiday> = Vec::new();
        for (index, table) in tables.iter().enumerate() {
            let DeValue::Table(fields) = table.get_ref() else {
                self.error(
                    Some(table.span()),
                    "节日应写作 [[holiday]] 表，每个节日一个".into(),
                );
                continue;
            };
            if let Some(holiday) = self.holiday(index + 1, table.span(), fields, year, &mut listed)
            {
                if holidays.iter().any(|h| h.name == holiday.name) {
                    let name = &holiday.name;
                    self.error(
                        Some(table.span()),
                        format!("节日“{name}”重复出现，请合并为一个"),
                    );
                }
                holidays.push(holiday);
            }
        }
        holidays
    }

    fn holiday(
        &mut self,
        number: usize,
        span: Range<usize>,
        fields: &DeTable<'_>,
        year: Option<i32>,
        listed: &mut HashMap<NaiveDate, (Listed, String)>,
    ) -> Option<Holiday> {
        let (mut name_value, mut off_value, mut makeup_value) = (None, None, None);
        for (key, value) in fields {
            match key.get_ref().as_ref() {
                "name" => name_value = Some(value),
                "off" => off_value = Some(value),
                "makeup" => makeup_value = Some(value),
                other => self.error(
                    Some(key.span()),
                    format!("第{number}个节日有未知字段“{other}”（可用字段：{HOLIDAY_KEYS}）"),
                ),
            }
        }
        let Some(name_value) = name_value else {
            self.error(
                Some(span),
                format!("第{number}个节日缺少字段“name”（节日名称，如 name = \"春节\"）"),
            );
            return None;
        };
        let name = self.string(name_value, "name")?.trim().to_owned();
        if name.is_empty() {
            self.error(
                Some(name_value.span()),
                format!("第{number}个节日的名称“name”不能为空"),
            );
            return None;
        }
        let off_items = match off_value {
            None => {
                self.error(Some(span), format!("节日“{name}”缺少字段“off”（放假日期）"));
                &[]
            }
            Some(v) => self.array(v, "off"),
        };
        if off_value.is_some() && off_items.is_empty() {
            self.error(
                off_value.map(Value::span),
                format!("节日“{name}”的放假日期“off”不能为空"),
            );
        }
        let mut off = Vec::new();
        for item in off_items {
            let Some(span) = self.date_span(item, &name, "放假日期") else {
                continue;
            };
            for day in span.days() {
                self.check_day(item, day, year, &name, "放假日");
                self.check_listed(item, day, Listed::Off, &name, listed);
            }
            off.push(span);
        }
        let makeup_items = makeup_value.map_or(&[][..], |v| self.array(v, "makeup"));
        let mut makeup = Vec::new();
        for item in makeup_items {
            let Some(span) = self.date_span(item, &name, "调休上班日") else {
                continue;
            };
            if span.first() != span.last() {
                self.error(
                    Some(item.span()),
                    format!("节日“{name}”的调休上班日应逐日列出，不能写成区间“{span}”"),
                );
                continue;
            }
            let day = span.first();
            self.check_day(item, day, year, &name, "调休上班日");
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                let weekday = weekday_name(day.weekday());
                self.error(
                    Some(item.span()),
                    format!(
                        "节日“{name}”的调休上班日{day}是{weekday}，调休上班日必须是星期六或星期日"
                    ),
                );
            }
            self.check_listed(item, day, Listed::Makeup, &name, listed);
            makeup.push(day);
        }
        Some(Holiday { name, off, makeup })
    }

    /// A date or span written as a string (or, leniently, as a bare TOML date).
    fn date_span(&mut self, item: &Value<'_>, holiday: &str, what: &str) -> Option<DateSpan> {
        let text = match item.get_ref() {
            DeValue::String(s) => s.to_string(),
            DeValue::Datetime(dt) if dt.date.is_some() && dt.time.is_none() => dt.to_string(),
            other => {
                let kind = kind_of(other);
                self.error(
                    Some(item.span()),
                    format!("节日“{holiday}”的{what}应为带引号的日期，如 \"2025-01-28\" 或 \"2025-01-28/2025-02-04\"，实为{kind}"),
                );
                return None;
            }
        };
        match DateSpan::parse(&text) {
            Ok(span) => Some(span),
            Err(message) => {
                self.error(
                    Some(item.span()),
                    format!("节日“{holiday}”的{what}有误：{message}"),
                );
                None
            }
        }
    }

    fn check_day(
        &mut self,
        item: &Value<'_>,
        day: NaiveDate,
        year: Option<i32>,
        holiday: &str,
        what: &str,
    ) {
        let Some(year) = year else { return };
        let inside = day.year() == year
            || (day.year() == year - 1 && day.month() == 12)
            || (day.year() == year + 1 && day.month() == 1);
        if !inside {
            let (prev, next) = (year - 1, year + 1);
            self.error(
                Some(item.span()),
                format!("节日“{holiday}”的{what}{day}不在{year}年内，也不在紧邻的{prev}年12月或{next}年1月内"),
            );
        }
    }

    fn check_listed(
        &mut self,
        item: &Value<'_>,
        day: NaiveDate,
        now: Listed,
        holiday: &str,
        listed: &mut HashMap<NaiveDate, (Listed, String)>,
    ) {
        let Some((before, other)) = listed.get(&day).cloned() else {
            listed.insert(day, (now, holiday.to_owned()));
            return;
        };
        let message = match (before, now) {
            (Listed::Off, Listed::Off) => format!("{day}已列为“{other}”的放假日，不能重复列出"),
            (Listed::Makeup, Listed::Makeup) => {
                format!("{day}已列为“{other}”的调休上班日，不能重复列出")
            }
            (Listed::Off, Listed::Makeup) => {
                format!("{day}既是“{other}”的放假日，又是“{holiday}”的调休上班日")
            }
            (Listed::Makeup, Listed::Off) => {
                format!("{day}既是“{other}”的调休上班日，又是“{holiday}”的放假日")
            }
        };
        self.error(Some(item.span()), message);
    }
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"year = 2025
title = "国务院办公厅关于2025年部分节假日安排的通知"
source = "https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm"

[[holiday]]
name = "春节"
off = ["2025-01-28/2025-02-04"]
makeup = ["2025-01-26", "2025-02-08"]
"#;

    /// The messages for `text`, each with its line prefix.
    fn errors(text: &str) -> Vec<String> {
        YearArrangement::parse(text)
            .unwrap_err()
            .0
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn one_error(text: &str) -> String {
        let all = errors(text);
        assert_eq!(all.len(), 1, "{all:?}");
        all.into_iter().next().unwrap()
    }

    #[test]
    fn a_good_file_reads_every_field() {
        let year = YearArrangement::parse(GOOD).unwrap();
        assert_eq!(year.year(), 2025);
        assert_eq!(
            year.title(),
            Some("国务院办公厅关于2025年部分节假日安排的通知")
        );
        let spring = &year.holidays()[0];
        assert_eq!(spring.name(), "春节");
        assert_eq!(spring.off_days().count(), 8);
        assert_eq!(spring.makeup().len(), 2);
        assert_eq!(year.to_toml(), GOOD);
    }

    #[test]
    fn bare_toml_dates_are_accepted_and_written_back_quoted() {
        let text = GOOD.replace(
            "[\"2025-01-26\", \"2025-02-08\"]",
            "[2025-01-26, 2025-02-08]",
        );
        let year = YearArrangement::parse(&text).unwrap();
        assert_eq!(year.to_toml(), GOOD);
    }

    #[test]
    fn toml_syntax_errors_name_the_line() {
        let text = GOOD.replace("name = \"春节\"", "name = 春节");
        let message = one_error(&text);
        assert!(
            message.starts_with("第6行：不是有效的 TOML 格式"),
            "{message}"
        );
    }

    #[test]
    fn missing_fields_are_named() {
        let text = GOOD.replace("year = 2025\n", "").replace(
            "source = \"https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm\"\n",
            "",
        );
        let all = errors(&text);
        assert!(
            all.contains(&"缺少字段“year”（年份，如 year = 2025）".to_string()),
            "{all:?}"
        );
        assert!(
            all.contains(&"缺少字段“source”（国务院办公厅通知的网址）".to_string()),
            "{all:?}"
        );
        let no_holiday = GOOD.split("\n[[holiday]]").next().unwrap();
        assert_eq!(
            one_error(no_holiday),
            "缺少节日：至少需要一个 [[holiday]] 表"
        );
    }

    #[test]
    fn wrong_types_and_values_of_top_fields() {
        assert_eq!(
            one_error(&GOOD.replace("year = 2025", "year = \"2025\"")),
            "第1行：字段“year”应为1949至9998之间的整数年份（不加引号），如 year = 2025"
        );
        assert!(
            one_error(&GOOD.replace("year = 2025", "year = 1900"))
                .starts_with("第1行：字段“year”应为")
        );
        assert_eq!(
            one_error(&GOOD.replace("https://www.gov.cn", "www.gov.cn")),
            "第3行：字段“source”应为以 http:// 或 https:// 开头、不含空格的网址，实为“www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm”"
        );
        assert_eq!(
            one_error(&GOOD.replace(
                "title = \"国务院办公厅关于2025年部分节假日安排的通知\"",
                "title = 12"
            )),
            "第2行：字段“title”应为字符串（用英文双引号括起），实为整数"
        );
        assert_eq!(
            one_error(&GOOD.replace(
                "year = 2025",
                "year = 2025\namended_by = \"https://x.gov.cn\""
            )),
            "第2行：字段“amended_by”应为数组（用方括号括起，如 [\"2025-01-01\"]），实为字符串"
        );
        assert_eq!(
            one_error(&GOOD.replace("year = 2025", "year = 2025\nsorce = \"x\"")),
            "第2行：未知字段“sorce”（可用字段：year、title、source、amended_by、note、holiday）"
        );
        assert_eq!(
            one_error(&GOOD.replace("[[holiday]]\n", "").replace("name = \"春节\"\noff = [\"2025-01-28/2025-02-04\"]\nmakeup = [\"2025-01-26\", \"2025-02-08\"]\n", "holiday = 3\n")),
            "第5行：节日应写作 [[holiday]] 表，每个节日一个"
        );
    }

    #[test]
    fn holiday_fields_are_checked() {
        assert_eq!(
            one_error(&GOOD.replace("name = \"春节\"\n", "")),
            "第5行：第1个节日缺少字段“name”（节日名称，如 name = \"春节\"）"
        );
        assert_eq!(
            one_error(&GOOD.replace("name = \"春节\"", "name = \" \"")),
            "第6行：第1个节日的名称“name”不能为空"
        );
        assert_eq!(
            one_error(&GOOD.replace("off = [\"2025-01-28/2025-02-04\"]\n", "")),
            "第5行：节日“春节”缺少字段“off”（放假日期）"
        );
        assert_eq!(
            one_error(&GOOD.replace("[\"2025-01-28/2025-02-04\"]", "[]")),
            "第7行：节日“春节”的放假日期“off”不能为空"
        );
        assert_eq!(
            one_error(&GOOD.replace("name = \"春节\"", "name = \"春节\"\nofff = 1")),
            "第7行：第1个节日有未知字段“offf”（可用字段：name、off、makeup）"
        );
        let twice = format!("{GOOD}\n[[holiday]]\nname = \"春节\"\noff = [\"2025-05-01\"]\n");
        assert_eq!(
            one_error(&twice),
            "第10行：节日“春节”重复出现，请合并为一个"
        );
    }

    #[test]
    fn bad_dates_are_named_with_their_holiday() {
        assert_eq!(
            one_error(&GOOD.replace("2025-01-28/2025-02-04", "2025/01/28")),
            "第7行：节日“春节”的放假日期有误：日期“2025/01/28”格式不对，应为 YYYY-MM-DD 或区间 YYYY-MM-DD/YYYY-MM-DD"
        );
        assert_eq!(
            one_error(&GOOD.replace("2025-01-28/2025-02-04", "2025-02-30")),
            "第7行：节日“春节”的放假日期有误：日期“2025-02-30”不存在（月份或日期超出范围）"
        );
        assert_eq!(
            one_error(&GOOD.replace("2025-01-28/2025-02-04", "2025-02-04/2025-01-28")),
            "第7行：节日“春节”的放假日期有误：日期区间“2025-02-04/2025-01-28”的起始日期晚于结束日期"
        );
        assert_eq!(
            one_error(&GOOD.replace("[\"2025-01-28/2025-02-04\"]", "[20250128]")),
            "第7行：节日“春节”的放假日期应为带引号的日期，如 \"2025-01-28\" 或 \"2025-01-28/2025-02-04\"，实为整数"
        );
    }

    #[test]
    fn dates_must_lie_in_or_next_to_the_year() {
        assert_eq!(
            one_error(&GOOD.replace("2025-01-28/2025-02-04", "2024-11-30")),
            "第7行：节日“春节”的放假日2024-11-30不在2025年内，也不在紧邻的2024年12月或2026年1月内"
        );
        // The adjacent December is allowed: the 2019 notice set 2018-12-29 … 2018-12-31.
        assert!(YearArrangement::parse(&GOOD.replace("2025-01-26", "2024-12-28")).is_ok());
    }

    #[test]
    fn makeup_days_must_be_weekend_single_days() {
        assert_eq!(
            one_error(&GOOD.replace("2025-01-26", "2025-01-27")),
            "第8行：节日“春节”的调休上班日2025-01-27是星期一，调休上班日必须是星期六或星期日"
        );
        assert_eq!(
            one_error(&GOOD.replace("\"2025-01-26\"", "\"2025-01-25/2025-01-26\"")),
            "第8行：节日“春节”的调休上班日应逐日列出，不能写成区间“2025-01-25/2025-01-26”"
        );
    }

    #[test]
    fn a_date_may_be_listed_only_once() {
        assert_eq!(
            one_error(&GOOD.replace("2025-01-26", "2025-02-01")),
            "第8行：2025-02-01既是“春节”的放假日，又是“春节”的调休上班日"
        );
        let overlap = format!("{GOOD}\n[[holiday]]\nname = \"元旦\"\noff = [\"2025-01-28\"]\n");
        assert_eq!(
            one_error(&overlap),
            "第12行：2025-01-28已列为“春节”的放假日，不能重复列出"
        );
        assert_eq!(
            one_error(&GOOD.replace("\"2025-02-08\"", "\"2025-01-26\"")),
            "第8行：2025-01-26已列为“春节”的调休上班日，不能重复列出"
        );
    }

    #[test]
    fn every_problem_is_reported_in_line_order() {
        let text = GOOD
            .replace("year = 2025", "year = 0")
            .replace("2025-01-26", "2025-01-27")
            .replace("春节", "");
        let all = errors(&text);
        assert_eq!(all.len(), 2, "{all:?}");
        assert!(all[0].starts_with("第1行："), "{all:?}");
        assert!(all[1].starts_with("第6行："), "{all:?}");
    }
}
