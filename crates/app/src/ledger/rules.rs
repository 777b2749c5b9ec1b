//! The rules of the rectification ledger (整改台账), as pure functions: what may happen to a measure
//! (整改措施) and who may do it — the 销号 workflow and the 回头看 — and which alerts it raises today.
//! Pages and storage call these; they never decide on their own.

use calendar::{Calendar, CalendarError, NaiveDate};
use chrono::Months;

/// 整改进展情况.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    NotStarted,
    InProgress,
    Completed,
    Closed,
    LongTerm,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::NotStarted,
        Status::InProgress,
        Status::Completed,
        Status::Closed,
        Status::LongTerm,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Closed => "closed",
            Status::LongTerm => "long_term",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "未启动",
            Status::InProgress => "正在推进中",
            Status::Completed => "已完成",
            Status::Closed => "已销号",
            Status::LongTerm => "长期坚持",
        }
    }

    pub fn parse(key: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// 整改时限.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    Date(NaiveDate),
    /// 立行立改: at once, no date.
    Immediate,
    /// 长期坚持: never finished, reported on for good.
    LongTerm,
}

/// Where a measure stands in the 销号 workflow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseOut {
    /// Nothing asked.
    Open,
    /// The owner asked for 销号; a reviewer must decide.
    Requested,
    /// A reviewer returned the request, saying why; the owner works on.
    Returned { reason: String },
}

/// What the rules need to know about a measure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Measure {
    pub status: Status,
    pub due: Due,
    pub close_out: CloseOut,
    /// Progress reports with at least one evidence file.
    pub reports_with_evidence: u32,
    /// Date of the latest progress report, or of the measure's creation if none.
    pub last_activity: NaiveDate,
    /// 回头看 date of a closed measure, until the look-back is done.
    pub look_back_on: Option<NaiveDate>,
}

/// The settings the rules read (参数设置, defaults from DOMAIN.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub due_soon_workdays: i32,
    pub no_progress_days: i64,
    pub look_back_months: u32,
    pub close_out_needs_evidence: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            due_soon_workdays: 3,
            no_progress_days: 7,
            look_back_months: 6,
            close_out_needs_evidence: true,
        }
    }
}

/// What the person acting may do on this measure (their permissions, already limited to scope).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rights {
    /// May report progress and ask for 销号 (the responsible department, in scope).
    pub work: bool,
    /// May decide on 销号 and do the 回头看 (`ledger:measure:review`, in scope).
    pub review: bool,
}

/// What someone wants to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Mark the work finished (已完成), before asking for 销号.
    Complete,
    RequestCloseOut,
    ApproveCloseOut,
    ReturnCloseOut {
        reason: String,
    },
    /// 回头看 found no relapse.
    ConfirmLookBack,
    /// 回头看 found a relapse: the measure is open again.
    Reopen {
        reason: String,
    },
}

/// What changes when an action is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub close_out: CloseOut,
    pub look_back_on: Option<NaiveDate>,
    /// Set when the measure is closed (销号日期).
    pub closed_on: Option<NaiveDate>,
    /// True when a relapse reopened it (counted in reports).
    pub relapse: bool,
}

/// Decides an action. `Err` says in Chinese why it is refused.
pub fn decide(
    m: &Measure,
    action: &Action,
    who: Rights,
    today: NaiveDate,
    s: &Settings,
) -> Result<Outcome, String> {
    let same = Outcome {
        status: m.status,
        close_out: m.close_out.clone(),
        look_back_on: m.look_back_on,
        closed_on: None,
        relapse: false,
    };
    match action {
        Action::Complete => {
            require(who.work, "只有责任部门可以标记完成")?;
            match m.status {
                Status::NotStarted | Status::InProgress => Ok(Outcome {
                    status: Status::Completed,
                    ..same
                }),
                Status::LongTerm => Err("长期坚持的措施没有完成之日，请持续报告进展".into()),
                other => Err(format!("措施已是“{}”，不能再标记完成", other.label())),
            }
        }
        Action::RequestCloseOut => {
            require(who.work, "只有责任部门可以申请销号")?;
            match m.status {
                Status::Closed => return Err("措施已销号".into()),
                Status::LongTerm => return Err("长期坚持的措施不销号，请持续报告进展".into()),
                _ => {}
            }
            if m.close_out == CloseOut::Requested {
                return Err("已申请销号，正在等待审核".into());
            }
            if s.close_out_needs_evidence && m.reports_with_evidence == 0 {
                return Err("申请销号须先提交至少一份附有佐证材料的整改进展".into());
            }
            Ok(Outcome {
                close_out: CloseOut::Requested,
                ..same
            })
        }
        Action::ApproveCloseOut => {
            require(who.review, "您没有销号审核权限")?;
            if m.close_out != CloseOut::Requested {
                return Err("没有待审核的销号申请".into());
            }
            let look_back = today
                .checked_add_months(Months::new(s.look_back_months))
                .ok_or("回头看日期超出范围")?;
            Ok(Outcome {
                status: Status::Closed,
                close_out: CloseOut::Open,
                look_back_on: Some(look_back),
                closed_on: Some(today),
                relapse: false,
            })
        }
        Action::ReturnCloseOut { reason } => {
            require(who.review, "您没有销号审核权限")?;
            if m.close_out != CloseOut::Requested {
                return Err("没有待审核的销号申请".into());
            }
            let reason = reason.trim();
            if reason.is_empty() {
                return Err("退回须说明理由".into());
            }
            Ok(Outcome {
                status: Status::InProgress,
                close_out: CloseOut::Returned {
                    reason: reason.to_owned(),
                },
                ..same
            })
        }
        Action::ConfirmLookBack => {
            require(who.review, "您没有回头看权限")?;
            match (m.status, m.look_back_on) {
                (Status::Closed, Some(on)) if on <= today => Ok(Outcome {
                    look_back_on: None,
                    ..same
                }),
                (Status::Closed, Some(on)) => Err(format!("回头看定于{on}，尚未到期")),
                _ => Err("只有已销号且待回头看的措施可以回头看".into()),
            }
        }
        Action::Reopen { reason } => {
            require(who.review, "您没有回头看权限")?;
            if m.status != Status::Closed {
                return Err("只有已销号的措施可以重新打开".into());
            }
            if reason.trim().is_empty() {
                return Err("重新打开须说明反弹的情况".into());
            }
            Ok(Outcome {
                status: Status::InProgress,
                close_out: CloseOut::Open,
                look_back_on: None,
                closed_on: None,
                relapse: true,
            })
        }
    }
}

fn require(right: bool, refusal: &str) -> Result<(), String> {
    if right {
        Ok(())
    } else {
        Err(refusal.to_owned())
    }
}

/// A warning a measure raises today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Alert {
    /// Yellow: the deadline is this close, in working days (0 = due today).
    DueSoon { workdays_left: i32 },
    /// Red: past the deadline by this many working days.
    Overdue { workdays_late: i32 },
    /// Blue (周调度): no progress reported for this many days.
    NoProgress { days: i64 },
    /// The 回头看 is due.
    LookBackDue { on: NaiveDate },
}

impl Alert {
    pub fn colour(&self) -> &'static str {
        match self {
            Alert::DueSoon { .. } => "yellow",
            Alert::Overdue { .. } => "red",
            Alert::NoProgress { .. } | Alert::LookBackDue { .. } => "blue",
        }
    }

    pub fn text(&self) -> String {
        match self {
            Alert::DueSoon { workdays_left: 0 } => "今天到期".into(),
            Alert::DueSoon { workdays_left } => format!("还剩{workdays_left}个工作日到期"),
            Alert::Overdue { workdays_late } => format!("已逾期{workdays_late}个工作日"),
            Alert::NoProgress { days } => format!("已{days}天未报告进展"),
            Alert::LookBackDue { on } => format!("回头看已于{on}到期"),
        }
    }
}

/// Every alert of a measure today. Deadlines count working days with the calendar: a deadline on
/// a Friday seen on the Monday before has 4 working days left, over a holiday more.
pub fn alerts(
    m: &Measure,
    today: NaiveDate,
    cal: &Calendar,
    s: &Settings,
) -> Result<Vec<Alert>, CalendarError> {
    let mut out = Vec::new();
    let open = !matches!(m.status, Status::Completed | Status::Closed);
    if let (true, Due::Date(due)) = (open, m.due) {
        if due < today {
            out.push(Alert::Overdue {
                workdays_late: cal.workdays_between(due, today)?.max(1),
            });
        } else {
            let left = cal.workdays_between(today, due)?;
            if left <= s.due_soon_workdays {
                out.push(Alert::DueSoon {
                    workdays_left: left,
                });
            }
        }
    }
    let quiet = (today - m.last_activity).num_days();
    if open && quiet >= s.no_progress_days {
        out.push(Alert::NoProgress { days: quiet });
    }
    if let (Status::Closed, Some(on)) = (m.status, m.look_back_on)
        && on <= today
    {
        out.push(Alert::LookBackDue { on });
    }
    Ok(out)
}

/// The level of the next 督办单 on a measure: one above the highest issued, never beyond the top of
/// the bureau's ladder (whose names are a setting). `Err` says why none may be issued.
pub fn next_notice_level(
    m: &Measure,
    issued: &[i32],
    ladder: &[&str],
    who: Rights,
) -> Result<(i32, String), String> {
    require(who.review, "只有有审核权限的领导或整改办可以发出督办单")?;
    if matches!(m.status, Status::Completed | Status::Closed) {
        return Err("措施已完成，无需督办".into());
    }
    let next = issued.iter().copied().max().unwrap_or(0) + 1;
    let top = ladder.len() as i32;
    let level = next.min(top);
    let name = ladder.get(level as usize - 1).ok_or("督办升级层级未设置")?;
    Ok((level, (*name).to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_climb_the_ladder_and_stay_at_its_top() {
        let ladder = ["提醒", "督办", "约谈"];
        let m = measure(Status::InProgress, Due::Immediate);
        assert_eq!(
            next_notice_level(&m, &[], &ladder, REVIEWER),
            Ok((1, "提醒".into()))
        );
        assert_eq!(
            next_notice_level(&m, &[1], &ladder, REVIEWER),
            Ok((2, "督办".into()))
        );
        assert_eq!(
            next_notice_level(&m, &[1, 2, 3], &ladder, REVIEWER),
            Ok((3, "约谈".into()))
        );
        assert!(
            next_notice_level(&m, &[], &ladder, OWNER).is_err(),
            "owners do not supervise themselves"
        );
        assert!(
            next_notice_level(
                &measure(Status::Closed, Due::Immediate),
                &[],
                &ladder,
                REVIEWER
            )
            .is_err()
        );
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn measure(status: Status, due: Due) -> Measure {
        Measure {
            status,
            due,
            close_out: CloseOut::Open,
            reports_with_evidence: 1,
            last_activity: d(2025, 9, 1),
            look_back_on: None,
        }
    }

    const OWNER: Rights = Rights {
        work: true,
        review: false,
    };
    const REVIEWER: Rights = Rights {
        work: false,
        review: true,
    };
    const NOBODY: Rights = Rights {
        work: false,
        review: false,
    };

    #[test]
    fn close_out_is_requested_then_approved_with_a_look_back_six_months_later() {
        let s = Settings::default();
        let mut m = measure(Status::Completed, Due::Date(d(2025, 9, 30)));
        let asked = decide(&m, &Action::RequestCloseOut, OWNER, d(2025, 9, 20), &s).unwrap();
        assert_eq!(asked.close_out, CloseOut::Requested);
        m.close_out = asked.close_out;
        assert_eq!(
            decide(&m, &Action::RequestCloseOut, OWNER, d(2025, 9, 20), &s).unwrap_err(),
            "已申请销号，正在等待审核"
        );
        assert_eq!(
            decide(&m, &Action::ApproveCloseOut, OWNER, d(2025, 9, 22), &s).unwrap_err(),
            "您没有销号审核权限"
        );
        let closed = decide(&m, &Action::ApproveCloseOut, REVIEWER, d(2025, 9, 22), &s).unwrap();
        assert_eq!(
            (closed.status, closed.closed_on, closed.look_back_on),
            (Status::Closed, Some(d(2025, 9, 22)), Some(d(2026, 3, 22)))
        );
    }

    #[test]
    fn close_out_needs_evidence_unless_the_bureau_says_otherwise() {
        let mut m = measure(Status::InProgress, Due::Immediate);
        m.reports_with_evidence = 0;
        let err = decide(
            &m,
            &Action::RequestCloseOut,
            OWNER,
            d(2025, 9, 1),
            &Settings::default(),
        )
        .unwrap_err();
        assert!(err.contains("佐证材料"), "{err}");
        let lenient = Settings {
            close_out_needs_evidence: false,
            ..Settings::default()
        };
        assert!(decide(&m, &Action::RequestCloseOut, OWNER, d(2025, 9, 1), &lenient).is_ok());
        assert!(
            decide(
                &m,
                &Action::RequestCloseOut,
                NOBODY,
                d(2025, 9, 1),
                &lenient
            )
            .is_err()
        );
    }

    #[test]
    fn a_return_needs_a_reason_and_keeps_the_measure_open() {
        let s = Settings::default();
        let mut m = measure(Status::Completed, Due::Immediate);
        m.close_out = CloseOut::Requested;
        assert_eq!(
            decide(
                &m,
                &Action::ReturnCloseOut {
                    reason: "  ".into()
                },
                REVIEWER,
                d(2025, 9, 1),
                &s
            )
            .unwrap_err(),
            "退回须说明理由"
        );
        let back = decide(
            &m,
            &Action::ReturnCloseOut {
                reason: "佐证材料不足".into(),
            },
            REVIEWER,
            d(2025, 9, 1),
            &s,
        )
        .unwrap();
        assert_eq!(back.status, Status::InProgress);
        assert_eq!(
            back.close_out,
            CloseOut::Returned {
                reason: "佐证材料不足".into()
            }
        );
        assert!(
            decide(
                &measure(Status::InProgress, Due::Immediate),
                &Action::ApproveCloseOut,
                REVIEWER,
                d(2025, 9, 1),
                &s
            )
            .is_err(),
            "nothing to approve"
        );
    }

    #[test]
    fn long_term_measures_are_never_closed_or_completed() {
        let s = Settings::default();
        let m = measure(Status::LongTerm, Due::LongTerm);
        assert!(
            decide(&m, &Action::RequestCloseOut, OWNER, d(2025, 9, 1), &s)
                .unwrap_err()
                .contains("长期坚持")
        );
        assert!(
            decide(&m, &Action::Complete, OWNER, d(2025, 9, 1), &s)
                .unwrap_err()
                .contains("长期坚持")
        );
    }

    #[test]
    fn the_look_back_confirms_or_reopens_a_relapse() {
        let s = Settings::default();
        let mut m = measure(Status::Closed, Due::Date(d(2025, 9, 30)));
        m.look_back_on = Some(d(2026, 3, 22));
        assert_eq!(
            decide(&m, &Action::ConfirmLookBack, REVIEWER, d(2026, 3, 21), &s).unwrap_err(),
            "回头看定于2026-03-22，尚未到期"
        );
        assert_eq!(
            decide(&m, &Action::ConfirmLookBack, REVIEWER, d(2026, 3, 22), &s)
                .unwrap()
                .look_back_on,
            None
        );
        let reopened = decide(
            &m,
            &Action::Reopen {
                reason: "问题反弹".into(),
            },
            REVIEWER,
            d(2026, 3, 22),
            &s,
        )
        .unwrap();
        assert_eq!(
            (reopened.status, reopened.relapse, reopened.look_back_on),
            (Status::InProgress, true, None)
        );
        assert!(
            decide(
                &m,
                &Action::Reopen {
                    reason: "问题反弹".into()
                },
                OWNER,
                d(2026, 3, 22),
                &s
            )
            .is_err()
        );
        assert!(
            decide(
                &measure(Status::InProgress, Due::Immediate),
                &Action::Reopen { reason: "x".into() },
                REVIEWER,
                d(2026, 3, 22),
                &s
            )
            .is_err()
        );
    }

    #[test]
    fn due_soon_counts_working_days_across_weekends_holidays_and_make_up_days() {
        let cal = Calendar::builtin();
        let s = Settings::default();
        let at = |today, due| {
            let mut m = measure(Status::InProgress, Due::Date(due));
            m.last_activity = today;
            alerts(&m, today, &cal, &s).unwrap()
        };
        // Monday 2025-09-22 → Friday 2025-09-26: 4 working days left, no alert yet.
        assert_eq!(at(d(2025, 9, 22), d(2025, 9, 26)), vec![]);
        // Tuesday → Friday: 3 left, yellow.
        assert_eq!(
            at(d(2025, 9, 23), d(2025, 9, 26)),
            vec![Alert::DueSoon { workdays_left: 3 }]
        );
        // Friday 2025-09-19 → Monday 2025-09-22: the weekend does not count, 1 left.
        assert_eq!(
            at(d(2025, 9, 19), d(2025, 9, 22)),
            vec![Alert::DueSoon { workdays_left: 1 }]
        );
        // But Sunday 2025-09-28 is a make-up working day (国庆): Friday 26th → Monday 29th is 2,
        // and → Tuesday 30th is 3.
        assert_eq!(
            at(d(2025, 9, 26), d(2025, 9, 29)),
            vec![Alert::DueSoon { workdays_left: 2 }]
        );
        assert_eq!(
            at(d(2025, 9, 26), d(2025, 9, 30)),
            vec![Alert::DueSoon { workdays_left: 3 }]
        );
        // Across the National Day holiday (2025-10-01 to 10-08): from 30 Sept to 10 Oct is 2 days.
        assert_eq!(
            at(d(2025, 9, 30), d(2025, 10, 10)),
            vec![Alert::DueSoon { workdays_left: 2 }]
        );
        // Due today: yellow with 0 left; a day later: red.
        assert_eq!(
            at(d(2025, 9, 26), d(2025, 9, 26)),
            vec![Alert::DueSoon { workdays_left: 0 }]
        );
        assert_eq!(
            at(d(2025, 9, 22), d(2025, 9, 19)),
            vec![Alert::Overdue { workdays_late: 1 }]
        );
        // Due before the holiday, seen after it: 30 September, 9 and 10 October are 3 working days late.
        assert_eq!(
            at(d(2025, 10, 10), d(2025, 9, 29)),
            vec![Alert::Overdue { workdays_late: 3 }]
        );
    }

    #[test]
    fn weekly_dispatch_and_look_back_alerts() {
        let cal = Calendar::builtin();
        let s = Settings::default();
        let mut m = measure(Status::InProgress, Due::LongTerm);
        m.last_activity = d(2025, 9, 1);
        assert_eq!(alerts(&m, d(2025, 9, 7), &cal, &s).unwrap(), vec![]);
        assert_eq!(
            alerts(&m, d(2025, 9, 8), &cal, &s).unwrap(),
            vec![Alert::NoProgress { days: 7 }]
        );
        m.status = Status::Completed;
        assert_eq!(
            alerts(&m, d(2025, 9, 30), &cal, &s).unwrap(),
            vec![],
            "finished work waits for 销号, not for reports"
        );
        m.status = Status::Closed;
        m.look_back_on = Some(d(2026, 3, 22));
        assert_eq!(
            alerts(&m, d(2026, 3, 22), &cal, &s).unwrap(),
            vec![Alert::LookBackDue { on: d(2026, 3, 22) }]
        );
        assert!(alerts(&m, d(2026, 3, 21), &cal, &s).unwrap().is_empty());
    }

    #[test]
    fn a_deadline_in_a_year_without_a_notice_is_an_error_not_a_guess() {
        let cal = Calendar::builtin();
        let last = *cal.years().last().unwrap();
        let m = measure(Status::InProgress, Due::Date(d(last + 1, 6, 30)));
        assert!(alerts(&m, d(last, 12, 1), &cal, &Settings::default()).is_err());
    }
}
