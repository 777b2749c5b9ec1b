//! Properties over every date the shipped calendar knows (2004-01-01 … 2026-12-31).

use std::num::NonZeroU32;
use std::sync::LazyLock;

use calendar::{Calendar, CalendarError, NaiveDate, NoticeRule, Start, Unit};
use proptest::prelude::*;

static CAL: LazyLock<Calendar> = LazyLock::new(Calendar::builtin);

fn day(offset: usize) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(2004, 1, 1).unwrap();
    first.iter_days().nth(offset).unwrap()
}

/// Any date of the known range (8401 days from 2004-01-01 to 2026-12-31).
fn known_date() -> impl Strategy<Value = NaiveDate> {
    (0usize..8401).prop_map(day)
}

/// Dates of years no notice covers.
fn unknown_date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![(1990i32..=2003), (2027i32..=2100)]
        .prop_flat_map(|y| (Just(y), 1u32..=12, 1u32..=28))
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn rule() -> impl Strategy<Value = NoticeRule> {
    let start = prop_oneof![
        Just(Start::SameDay),
        Just(Start::NextDay),
        Just(Start::NextWorkday)
    ];
    let unit = prop_oneof![Just(Unit::Workdays), Just(Unit::Days)];
    (start, unit, 1u32..=30).prop_map(|(start, unit, n)| NoticeRule {
        start,
        unit,
        length: NonZeroU32::new(n).unwrap(),
    })
}

/// Working days in `[start, end]`, counted one day at a time.
fn workdays_inclusive(start: NaiveDate, end: NaiveDate) -> u32 {
    start
        .iter_days()
        .take_while(|d| *d <= end)
        .filter(|d| CAL.is_workday(*d).unwrap())
        .count() as u32
}

proptest! {
    /// The period starts on or after publication (strictly after unless the rule says same
    /// day), and holds exactly `length` working days — never fewer — or `length` calendar days.
    #[test]
    fn notice_period_is_never_shorter_than_the_rule(published in known_date(), rule in rule()) {
        match CAL.notice_period(published, &rule) {
            Ok((start, end)) => {
                if rule.start == Start::SameDay {
                    prop_assert_eq!(start, published);
                } else {
                    prop_assert!(start > published);
                }
                if rule.start == Start::NextWorkday {
                    prop_assert!(CAL.is_workday(start).unwrap());
                    prop_assert_eq!(workdays_inclusive(published, start), 1 + u32::from(CAL.is_workday(published).unwrap()));
                }
                prop_assert!(end >= start);
                match rule.unit {
                    Unit::Workdays => {
                        prop_assert_eq!(workdays_inclusive(start, end), rule.length.get());
                        prop_assert!(CAL.is_workday(end).unwrap());
                    }
                    Unit::Days => {
                        prop_assert_eq!(start.iter_days().take_while(|d| *d <= end).count() as u32, rule.length.get());
                    }
                }
            }
            // Only a period running into 2027 may fail.
            Err(e) => {
                prop_assert_eq!(e, CalendarError::MissingYear(2027));
                prop_assert!(published >= NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
            }
        }
    }

    /// Going n working days and back returns to `d` when `d` is a working day. From an off day
    /// it returns to the first working day after `d` when n <= 0, and to the last working day
    /// before `d` when n > 0 (`d` itself is never counted). `workdays_between` measures the
    /// same distance.
    #[test]
    fn add_workdays_round_trips(d in known_date(), n in -400i32..400) {
        match CAL.add_workdays(d, n) {
            Ok(there) => {
                let back = CAL.add_workdays(there, -n);
                let expected = if CAL.is_workday(d).unwrap() {
                    Ok(d)
                } else if n <= 0 {
                    CAL.next_workday(d)
                } else {
                    // Err(MissingYear(2003)) when d is 2004-01-01, a holiday: both sides agree.
                    CAL.add_workdays(d, -1)
                };
                prop_assert_eq!(&back, &expected);
                if let Ok(expected) = expected {
                    prop_assert_eq!(CAL.workdays_between(expected, there).unwrap(), n);
                }
                if n > 0 { prop_assert!(there > d) }
                if n < 0 { prop_assert!(there < d) }
            }
            Err(e) => prop_assert!(
                e == CalendarError::MissingYear(2003) || e == CalendarError::MissingYear(2027),
                "unexpected error {:?}", e
            ),
        }
    }

    /// Zero working days from an off day rolls forward to the next working day.
    #[test]
    fn zero_workdays_rolls_an_off_day_forward(d in known_date()) {
        let rolled = CAL.add_workdays(d, 0);
        if CAL.is_workday(d).unwrap() {
            prop_assert_eq!(rolled, Ok(d));
        } else if let Ok(next) = CAL.next_workday(d) {
            prop_assert_eq!(rolled, Ok(next));
        }
    }

    /// The kinds agree with each other: make-up days are weekend working days, holidays are off.
    #[test]
    fn day_kinds_are_consistent(d in known_date()) {
        let weekend = matches!(d.format("%u").to_string().as_str(), "6" | "7");
        let makeup = CAL.is_makeup_workday(d).unwrap();
        let holiday = CAL.holiday_name(d).unwrap().is_some();
        let workday = CAL.is_workday(d).unwrap();
        prop_assert!(!(makeup && holiday));
        if makeup { prop_assert!(weekend && workday) }
        if holiday { prop_assert!(!workday) }
        if !makeup && !holiday { prop_assert_eq!(workday, !weekend) }
    }

    /// Outside the known years every question is an error naming the missing year's notice.
    #[test]
    fn unknown_years_are_errors(d in unknown_date(), n in -10i32..10) {
        let year: i32 = d.format("%Y").to_string().parse().unwrap();
        let missing = CalendarError::MissingYear(year);
        prop_assert_eq!(CAL.is_workday(d), Err(missing.clone()));
        prop_assert_eq!(CAL.holiday_name(d), Err(missing.clone()));
        prop_assert_eq!(CAL.add_workdays(d, n), Err(missing.clone()));
        prop_assert_eq!(CAL.notice_period(d, &NoticeRule::default()), Err(missing.clone()));
        prop_assert_eq!(CAL.workdays_in_year(year), Err(missing.clone()));
        let message = missing.to_string();
        prop_assert!(message.contains(&format!("缺少{year}年的放假安排")), "{}", message);
    }
}

#[test]
fn the_first_known_day_is_a_holiday_so_nothing_lies_before_it() {
    let first = day(0);
    assert_eq!(CAL.holiday_name(first), Ok(Some("元旦")));
    assert_eq!(
        CAL.add_workdays(first, -1),
        Err(CalendarError::MissingYear(2003))
    );
    let friday = CAL.add_workdays(first, 1).unwrap();
    assert_eq!(friday.to_string(), "2004-01-02");
    assert_eq!(
        CAL.add_workdays(friday, -1),
        Err(CalendarError::MissingYear(2003))
    );
}
