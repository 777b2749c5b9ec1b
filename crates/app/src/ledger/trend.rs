//! 逾期趋势: how many measures were overdue on each of a series of days, from each measure's deadline
//! and the spans in which it stood done (completed or closed) as its audit trail shows them — a
//! measure reopened at 回头看 is overdue again from the day it was reopened.

use calendar::NaiveDate;

/// A measure with a dated deadline, and the spans `[from, until)` in which it stood done
/// (`until` is `None` while it still is).
#[derive(Clone, Debug, PartialEq)]
pub struct Dated {
    pub due: NaiveDate,
    pub done: Vec<(NaiveDate, Option<NaiveDate>)>,
}

/// Overdue on `day`: past its deadline and not standing done that day. A measure done late was
/// overdue from the day after its deadline until the day it was done.
pub fn overdue_on(m: &Dated, day: NaiveDate) -> bool {
    m.due < day
        && !m
            .done
            .iter()
            .any(|(from, until)| *from <= day && until.is_none_or(|u| day < u))
}

/// The count of overdue measures on each day.
pub fn overdue_counts(measures: &[Dated], days: &[NaiveDate]) -> Vec<usize> {
    days.iter()
        .map(|d| measures.iter().filter(|m| overdue_on(m, *d)).count())
        .collect()
}

/// `weeks` days, seven apart, ending with `today`, oldest first.
pub fn weekly_days(today: NaiveDate, weeks: u32) -> Vec<NaiveDate> {
    (0..weeks)
        .rev()
        .filter_map(|k| today.checked_sub_days(chrono::Days::new(u64::from(k) * 7)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn a_late_measure_counts_from_its_deadline_until_it_is_done() {
        let late = Dated {
            due: d(3, 31),
            done: vec![(d(4, 20), None)],
        };
        let open = Dated {
            due: d(4, 10),
            done: vec![],
        };
        let early = Dated {
            due: d(5, 31),
            done: vec![(d(4, 1), None)],
        };
        let days = [d(3, 31), d(4, 1), d(4, 15), d(4, 20), d(4, 21)];
        assert_eq!(overdue_counts(&[late, open, early], &days), [0, 1, 2, 1, 1]);
    }

    #[test]
    fn a_measure_reopened_after_its_deadline_is_overdue_again() {
        let relapsed = Dated {
            due: d(3, 31),
            done: vec![(d(3, 20), Some(d(4, 10)))],
        };
        let days = [d(4, 1), d(4, 9), d(4, 10), d(4, 11)];
        assert_eq!(overdue_counts(&[relapsed], &days), [0, 0, 1, 1]);
    }

    #[test]
    fn weeks_end_today_oldest_first() {
        assert_eq!(weekly_days(d(4, 15), 3), [d(4, 1), d(4, 8), d(4, 15)]);
    }
}
