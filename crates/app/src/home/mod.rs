//! 工作台: the home page of every role — what is in their scope and what needs attention.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use sea_orm::{EntityTrait, PaginatorTrait, QueryFilter};
use serde::Deserialize;

use crate::auth::viewer::Viewer;
use crate::org::entities::{department, user};
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::shell::Shell;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// A warning on the home page: a rule that fired, with where to act on it.
pub struct Alert {
    pub level: &'static str,
    pub text: String,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/templates/home.html")]
struct HomePage {
    shell: Shell,
    departments: u64,
    users: u64,
    alerts: Vec<Alert>,
}

#[derive(Deserialize, Default)]
struct HomeQuery {
    msg: Option<String>,
}

async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<HomeQuery>,
) -> Result<HomePage, AppError> {
    let departments = department::Entity::find()
        .filter(viewer.scope.condition(department::Column::Id, None))
        .count(&state.db)
        .await?;
    let users = user::Entity::find()
        .filter(
            viewer
                .scope
                .condition(user::Column::DepartmentId, Some(user::Column::Id)),
        )
        .count(&state.db)
        .await?;
    let mut alerts = Vec::new();
    if viewer.can("ledger:inspection:list") {
        let cal = crate::calendar::effective(&state.db).await?;
        let [red, yellow, blue] = crate::ledger::store::alert_counts(
            &state.db,
            &viewer.scope,
            &cal,
            crate::calendar::today(),
        )
        .await?;
        let waiting =
            crate::ledger::store::unacknowledged_notices(&state.db, &viewer.scope).await?;
        if waiting > 0 {
            alerts.push(Alert {
                level: "red",
                text: format!("{waiting}份督办单待签收"),
                href: "/ledger".into(),
            });
        }
        for (level, n, what) in [
            ("red", red, "项整改措施已逾期"),
            ("yellow", yellow, "项整改措施临近整改时限"),
            ("blue", blue, "项整改措施需报告进展或开展回头看"),
        ] {
            if n > 0 {
                alerts.push(Alert {
                    level,
                    text: format!("{n}{what}"),
                    href: "/ledger".into(),
                });
            }
        }
    }
    if viewer.can("system:calendar:edit")
        && let Some(text) = crate::calendar::missing_year_alert(
            &crate::calendar::effective(&state.db).await?,
            crate::calendar::today(),
        )
    {
        alerts.push(Alert {
            level: "red",
            text,
            href: "/system/calendar".into(),
        });
    }
    if viewer.can("audit:integrity:view")
        && let Some(failed) = crate::audit::integrity::last_failed(&state.db).await?
    {
        alerts.push(Alert {
            level: "red",
            text: format!(
                "审计日志核验未通过（{}）：{}",
                crate::web::fmt_ms(failed.started_at),
                failed
                    .finding
                    .unwrap_or_default()
                    .lines()
                    .next()
                    .unwrap_or_default()
            ),
            href: "/audit/integrity".into(),
        });
    }
    let max_age_days = crate::settings::get_int(&state.db, "password.max_age_days").await?;
    if max_age_days > 0
        && crate::db::now_ms() - viewer.user.password_changed_at > max_age_days * 86_400_000
    {
        alerts.push(Alert {
            level: "yellow",
            text: format!("您的密码已超过{max_age_days}天未修改"),
            href: "/password".into(),
        });
    }
    Ok(HomePage {
        shell: Shell::new(&viewer, "/", "工作台").with_flash(q.msg.as_deref()),
        departments,
        users,
        alerts,
    })
}
