//! One year's arrangement as published by the State Council.

use chrono::NaiveDate;

use crate::date::DateSpan;

/// One holiday of a year's notice, e.g. 春节, with its days off and make-up working days.
///
/// `off` covers the whole break the notice describes, including the weekend days it joins
/// ("与周末连休", "4月5日放假，4月7日补休"), so a month grid can show the break as one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holiday {
    pub(crate) name: String,
    pub(crate) off: Vec<DateSpan>,
    pub(crate) makeup: Vec<NaiveDate>,
}

impl Holiday {
    /// The name as the notice gives it, e.g. `春节` or `国庆节、中秋节`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn off(&self) -> &[DateSpan] {
        &self.off
    }

    /// Weekend days worked instead (调休上班), each a Saturday or Sunday.
    pub fn makeup(&self) -> &[NaiveDate] {
        &self.makeup
    }

    pub fn off_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.off.iter().flat_map(DateSpan::days)
    }
}

/// The arrangement of one year, as set by that year's notice (and any later notice amending it).
///
/// Dates may lie at the end of the previous year when the notice sets them (e.g. the 2019 notice
/// made 2018-12-29 a working day). Only [`YearArrangement::parse`] builds one, so every value
/// holds a checked arrangement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YearArrangement {
    pub(crate) year: i32,
    pub(crate) title: Option<String>,
    pub(crate) source: String,
    pub(crate) amended_by: Vec<String>,
    pub(crate) note: Option<String>,
    pub(crate) holidays: Vec<Holiday>,
}

impl YearArrangement {
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The notice's title, e.g. 国务院办公厅关于2025年部分节假日安排的通知.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// Address of the notice that set this year.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Addresses of later notices that changed it (e.g. the 2020 春节 extension).
    pub fn amended_by(&self) -> &[String] {
        &self.amended_by
    }

    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// Number of days off listed, weekends inside a break included.
    pub fn off_day_count(&self) -> usize {
        self.holidays.iter().map(|h| h.off_days().count()).sum()
    }

    pub fn makeup_day_count(&self) -> usize {
        self.holidays.iter().map(|h| h.makeup.len()).sum()
    }
}
