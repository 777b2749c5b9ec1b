//! Notice periods (公示期) on the shipped calendar.

use std::num::NonZeroU32;

use calendar::{Calendar, CalendarError, NaiveDate, NoticeRule, Start, Unit};

fn d(text: &str) -> NaiveDate {
    calendar::parse_date(text).unwrap()
}

fn period(published: &str, rule: &NoticeRule) -> Result<(String, String), CalendarError> {
    let (start, end) = Calendar::builtin().notice_period(d(published), rule)?;
    Ok((start.to_string(), end.to_string()))
}

fn ok(start: &str, end: &str) -> Result<(String, String), CalendarError> {
    Ok((start.to_owned(), end.to_owned()))
}

fn rule(start: Start, unit: Unit, length: u32) -> NoticeRule {
    NoticeRule {
        start,
        unit,
        length: NonZeroU32::new(length).unwrap(),
    }
}

#[test]
fn the_default_rule_is_seed_001s() {
    assert_eq!(
        NoticeRule::default(),
        rule(Start::NextWorkday, Unit::Workdays, 5)
    );
}

#[test]
fn domain_vectors() {
    let r = NoticeRule::default();
    // National Day break: starts after the holiday, 2025-10-11 (Saturday) is a make-up day.
    assert_eq!(period("2025-09-30", &r), ok("2025-10-09", "2025-10-14"));
    // The day after publication is a make-up Saturday: the period starts that day.
    assert_eq!(period("2026-02-13", &r), ok("2026-02-14", "2026-02-27"));
    // The day after publication is a plain Saturday; the Sunday after it is a make-up day.
    assert_eq!(period("2025-01-24", &r), ok("2025-01-26", "2025-02-07"));
}

#[test]
fn other_rules() {
    // Same-day start on a working day counts that day.
    assert_eq!(
        period("2025-09-29", &rule(Start::SameDay, Unit::Workdays, 5)),
        ok("2025-09-29", "2025-10-11")
    );
    // Next-day start keeps the holiday as the start but counts working days from 2025-10-09.
    assert_eq!(
        period("2025-09-30", &rule(Start::NextDay, Unit::Workdays, 5)),
        ok("2025-10-01", "2025-10-14")
    );
    // Calendar days ignore holidays.
    assert_eq!(
        period("2025-09-30", &rule(Start::NextDay, Unit::Days, 7)),
        ok("2025-10-01", "2025-10-07")
    );
    assert_eq!(
        period("2025-09-30", &rule(Start::SameDay, Unit::Days, 1)),
        ok("2025-09-30", "2025-09-30")
    );
}

#[test]
fn a_period_running_past_the_last_known_year_is_an_error() {
    let err = period("2026-12-28", &NoticeRule::default()).unwrap_err();
    assert_eq!(err, CalendarError::MissingYear(2027));
    assert_eq!(
        err.to_string(),
        "缺少2027年的放假安排（国务院办公厅通知），无法计算工作日"
    );
    assert_eq!(
        period("2026-12-30", &rule(Start::NextDay, Unit::Days, 5)),
        Err(CalendarError::MissingYear(2027))
    );
    assert_eq!(
        period("2003-12-31", &NoticeRule::default()),
        Err(CalendarError::MissingYear(2003))
    );
}
