//! Lock-out after repeated failed logins (settings: 连续失败锁定次数, 锁定时长).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub max_failures: i32,
    pub lockout_ms: i64,
}

/// Is the account locked at `now`? Returns the minutes left (rounded up) if so.
pub fn locked_minutes_left(locked_until: Option<i64>, now: i64) -> Option<i64> {
    match locked_until {
        Some(until) if until > now => Some((until - now + 59_999) / 60_000),
        _ => None,
    }
}

/// The account's (failed count, locked until) after one more failure at `now`.
pub fn after_failure(
    rule: Rule,
    failed: i32,
    locked_until: Option<i64>,
    now: i64,
) -> (i32, Option<i64>) {
    // A lock that has run out starts a fresh count.
    let failed = if locked_until.is_some_and(|u| u <= now) {
        0
    } else {
        failed
    };
    let failed = failed + 1;
    if failed >= rule.max_failures {
        (failed, Some(now + rule.lockout_ms))
    } else {
        (failed, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: Rule = Rule {
        max_failures: 5,
        lockout_ms: 15 * 60_000,
    };

    #[test]
    fn fifth_failure_locks_for_fifteen_minutes() {
        let mut state = (0, None);
        for _ in 0..4 {
            state = after_failure(RULE, state.0, state.1, 1_000);
            assert_eq!(state.1, None);
        }
        state = after_failure(RULE, state.0, state.1, 1_000);
        assert_eq!(state, (5, Some(1_000 + 900_000)));
        assert_eq!(locked_minutes_left(state.1, 1_000), Some(15));
        assert_eq!(locked_minutes_left(state.1, 1_000 + 899_999), Some(1));
        assert_eq!(locked_minutes_left(state.1, 1_000 + 900_000), None);
    }

    #[test]
    fn an_expired_lock_starts_a_new_count() {
        let (failed, locked) = after_failure(RULE, 5, Some(10), 20);
        assert_eq!((failed, locked), (1, None));
    }
}
