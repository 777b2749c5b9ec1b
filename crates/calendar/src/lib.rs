//! China working-day calendar (工作日) and notice periods (公示期).
//!
//! Mainland China works Monday–Friday except official holidays, and works on some weekend days
//! (调休上班) to make up for them. The State Council's General Office (国务院办公厅) publishes each
//! year's arrangement in a notice; this crate keeps every arrangement as data — one TOML file per
//! year under `data/`, embedded at build time — and answers questions such as "is this a working
//! day?", "what is the fifth working day after publication?" or "when does this 公示期 end?".
//!
//! Years are never guessed: a date in a year without a loaded arrangement is an error
//! ([`CalendarError::MissingYear`]), also when a computation walks past the last known year. An
//! administrator can load a newly published year without a new release: from a year file with
//! [`YearArrangement::parse`] (errors name the line and field), or from a form with
//! [`YearDraft::check`] (the same rules), then [`Calendar::add_year`]. [`YearArrangement::to_toml`]
//! writes a year back in the file format, [`Calendar::month_grid`] lays a month out for preview,
//! and [`Calendar::year_to_load`] says when the next year's notice is due (from 1 December).
//!
//! Dates are [`chrono::NaiveDate`]: it is what SeaORM/sqlx map SQL `DATE` columns to by default,
//! so the application stores and queries them without conversion.
//!
//! ```
//! use calendar::{Calendar, NaiveDate, NoticeRule};
//!
//! let cal = Calendar::builtin();
//! let published = NaiveDate::from_ymd_opt(2025, 9, 30).unwrap();
//! let (start, end) = cal.notice_period(published, &NoticeRule::default()).unwrap();
//! assert_eq!(start.to_string(), "2025-10-09");
//! assert_eq!(end.to_string(), "2025-10-14");
//! ```

mod arrangement;
mod builtin;
mod calendar;
mod date;
mod draft;
mod error;
mod grid;
mod notice;
mod parse;
mod write;

pub use arrangement::{Holiday, YearArrangement};
pub use calendar::{Calendar, CalendarDay, DayKind};
pub use chrono::NaiveDate;
pub use date::{DateSpan, parse_date};
pub use draft::{HolidayDraft, YearDraft};
pub use error::{CalendarError, ParseError, ParseErrors};
pub use grid::MonthGrid;
pub use notice::{NoticeRule, Start, Unit};
