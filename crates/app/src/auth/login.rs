//! Logging in and out, for the browser (`/login`) and the API (`POST /api/v1/session`).

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use super::{lockout, login_log, password, session};
use crate::db::audited::{Actor, AuditedTx};
use crate::org::entities::user;
use crate::web::AppState;
use crate::web::error::AppError;

#[derive(Clone, Copy)]
pub struct Attempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub kind: &'a str,
}

pub struct LoggedIn {
    pub user: user::Model,
    pub token: String,
}

/// Why a login failed, as the user is told. Unknown user and wrong password read the same.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("用户名或密码错误")]
    Wrong,
    #[error("账号已锁定，请{0}分钟后再试")]
    Locked(i64),
    #[error("账号已停用，请联系管理员")]
    Disabled,
    #[error("{0}")]
    Internal(#[from] AppError),
}

/// Tries a login. Concurrent attempts on one account (a guessing script, two tabs) change the same
/// user row; an attempt that finds the row changed since it read it starts again from the row as it
/// now is, so every failure is counted towards the lock-out.
pub async fn attempt(state: &AppState, a: Attempt<'_>) -> Result<LoggedIn, LoginError> {
    let mut retries = 0;
    loop {
        match attempt_once(state, a).await {
            Err(LoginError::Internal(AppError::Conflict(_))) if retries < 5 => retries += 1,
            outcome => return outcome,
        }
    }
}

async fn attempt_once(state: &AppState, a: Attempt<'_>) -> Result<LoggedIn, LoginError> {
    let db = &state.db;
    let username = a.username.trim();
    let log = |user_id, ok, msg: String| async move {
        login_log::record(db, username, user_id, a.ip, a.user_agent, ok, &msg)
            .await
            .map_err(AppError::from)
    };
    let found = if username.is_empty() || username.chars().count() > 50 {
        None
    } else {
        user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(db)
            .await
            .map_err(AppError::from)?
    };
    let Some(u) = found else {
        // Spend the same time as a real check, so response time does not reveal which names exist.
        password::verify(a.password.to_owned(), DUMMY_HASH.to_owned()).await;
        log(None, false, "用户不存在".into()).await?;
        return Err(LoginError::Wrong);
    };
    if u.status != "active" {
        log(Some(u.id), false, LoginError::Disabled.to_string()).await?;
        return Err(LoginError::Disabled);
    }
    let now = crate::db::now_ms();
    if let Some(minutes) = lockout::locked_minutes_left(u.locked_until, now) {
        log(
            Some(u.id),
            false,
            format!("账号锁定中（剩余{minutes}分钟）"),
        )
        .await?;
        return Err(LoginError::Locked(minutes));
    }
    let actor = Actor {
        user_id: Some(u.id),
        name: u.name.clone(),
        department_id: Some(u.department_id),
        ip: a.ip.to_owned(),
    };
    if !password::verify(a.password.to_owned(), u.password_hash.clone()).await {
        let rule = lockout::Rule {
            max_failures: crate::settings::get_int(db, "login.max_failures")
                .await
                .map_err(AppError::from)? as i32,
            lockout_ms: crate::settings::get_int(db, "login.lockout_minutes")
                .await
                .map_err(AppError::from)?
                * 60_000,
        };
        let (failed, locked) = lockout::after_failure(rule, u.failed_logins, u.locked_until, now);
        let tx = AuditedTx::begin(db, actor, "auth.login_failed")
            .await
            .map_err(AppError::from)?;
        let mut am = u.clone().into_active_model();
        am.failed_logins = Set(failed);
        am.locked_until = Set(locked);
        am.updated_at = Set(now);
        tx.commit_update(&u, am).await.map_err(AppError::from)?;
        return Err(match locked {
            Some(until) => {
                let minutes = lockout::locked_minutes_left(Some(until), now).unwrap_or(0);
                log(
                    Some(u.id),
                    false,
                    format!("密码错误，第{failed}次，账号锁定"),
                )
                .await?;
                LoginError::Locked(minutes)
            }
            None => {
                log(Some(u.id), false, format!("密码错误，第{failed}次")).await?;
                LoginError::Wrong
            }
        });
    }
    let tx = AuditedTx::begin(db, actor, "auth.login")
        .await
        .map_err(AppError::from)?;
    let mut am = u.clone().into_active_model();
    am.failed_logins = Set(0);
    am.locked_until = Set(None);
    am.last_login_at = Set(Some(now));
    let u = tx.commit_update(&u, am).await.map_err(AppError::from)?;
    let lifetime = session::Lifetime::from_settings(db)
        .await
        .map_err(AppError::from)?;
    let token = session::create(db, u.id, a.kind, a.ip, a.user_agent, lifetime)
        .await
        .map_err(AppError::from)?;
    log(Some(u.id), true, "登录成功".into()).await?;
    Ok(LoggedIn { user: u, token })
}

/// An Argon2id hash of a random string, verified against when the user does not exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c3VubGlnaHRkdW1teQ$LyFZ1OKXZlIyZ2zvQ8s6w5EPmo4Zb3dxCFd3ibbHLGA";

/// Only a path on this site may be a target after login (no open redirect).
pub fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next("/org/users?page=2"), "/org/users?page=2");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
    }
}
