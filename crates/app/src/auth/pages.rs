//! Pages and API routes of logging in, out and changing one's password.

use crate::web::form_multi::Form;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sea_orm::{ActiveValue::Set, IntoActiveModel};
use serde::Deserialize;

use super::login::{self, Attempt, LoginError};
use super::viewer::Viewer;
use super::{password, session};
use crate::db::audited::AuditedTx;
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};
use crate::web::form::FieldErrors;
use crate::web::shell::Shell;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route("/password", get(password_page).post(password_submit))
        .route("/api/v1/session", post(api_login).delete(api_logout))
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/templates/login.html")]
struct LoginPage {
    username: String,
    error: String,
    next: String,
    demo: bool,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(State(state): State<AppState>, Query(q): Query<NextQuery>) -> LoginPage {
    LoginPage {
        username: String::new(),
        error: String::new(),
        next: q.next.unwrap_or_default(),
        demo: state.config.demo,
    }
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}",
        session::COOKIE
    )
}

async fn login_submit(
    State(state): State<AppState>,
    conn: crate::web::ClientInfo,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let result = login::attempt(
        &state,
        Attempt {
            username: &f.username,
            password: &f.password,
            ip: &conn.ip,
            user_agent: &conn.user_agent,
            kind: "web",
        },
    )
    .await;
    match result {
        Ok(ok) => {
            let lifetime = session::Lifetime::from_settings(&state.db).await?;
            let target = if ok.user.must_change_password {
                "/password"
            } else {
                login::safe_next(&f.next)
            };
            let cookie = session_cookie(&state, &ok.token, lifetime.max_ms / 1000);
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(target)).into_response())
        }
        Err(LoginError::Internal(e)) => Err(e),
        Err(e) => Ok((
            StatusCode::UNAUTHORIZED,
            LoginPage {
                username: f.username.chars().take(50).collect(),
                error: e.to_string(),
                next: f.next,
                demo: state.config.demo,
            },
        )
            .into_response()),
    }
}

async fn logout(State(state): State<AppState>, viewer: Viewer) -> Result<Response, AppError> {
    session::end(&state.db, &viewer.token).await?;
    let cookie = session_cookie(&state, "", 0);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/templates/password.html")]
struct PasswordPage {
    shell: Shell,
    forced: bool,
    errors: FieldErrors,
}

async fn password_page(viewer: Viewer) -> PasswordPage {
    PasswordPage {
        forced: viewer.user.must_change_password,
        shell: Shell::new(&viewer, "/password", "修改密码"),
        errors: FieldErrors::default(),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// Changes the viewer's own password; returns the field errors if it cannot.
pub async fn change_own_password(
    state: &AppState,
    viewer: &Viewer,
    old: &str,
    new: &str,
    confirm: &str,
) -> Result<FieldErrors, AppError> {
    let mut errors = FieldErrors::default();
    if !password::verify(old.to_owned(), viewer.user.password_hash.clone()).await {
        errors.add("old_password", "原密码不正确");
    }
    let policy = password::Policy {
        min_length: crate::settings::get_int(&state.db, "password.min_length").await? as usize,
        min_classes: crate::settings::get_int(&state.db, "password.min_classes").await? as usize,
    };
    if let Err(m) = password::check_policy(policy, new, &viewer.user.username) {
        errors.add("new_password", m);
    } else if new == old {
        errors.add("new_password", "新密码不能与原密码相同");
    }
    if new != confirm {
        errors.add("confirm_password", "两次输入的新密码不一致");
    }
    if !errors.is_empty() {
        return Ok(errors);
    }
    let hash = password::hash(new.to_owned())
        .await
        .map_err(AppError::Internal)?;
    let now = crate::db::now_ms();
    let tx = AuditedTx::begin(&state.db, viewer.actor(), "auth.password_change").await?;
    let mut am = viewer.user.clone().into_active_model();
    am.password_hash = Set(hash);
    am.must_change_password = Set(false);
    am.password_changed_at = Set(now);
    am.updated_at = Set(now);
    tx.commit_update(&viewer.user, am).await?;
    session::end_all_of_user(&state.db, viewer.user.id, Some(&viewer.token)).await?;
    Ok(errors)
}

async fn password_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let errors = change_own_password(
        &state,
        &viewer,
        &f.old_password,
        &f.new_password,
        &f.confirm_password,
    )
    .await?;
    if errors.is_empty() {
        return Ok(Redirect::to("/?msg=password").into_response());
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        PasswordPage {
            forced: viewer.user.must_change_password,
            shell: Shell::new(&viewer, "/password", "修改密码"),
            errors,
        },
    )
        .into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct ApiLogin {
    username: String,
    password: String,
}

/// 登录，取得 Bearer 令牌（有效期见 expires_in，空闲超时同网页会话）。
#[utoipa::path(post, path = "/api/v1/session", tag = "登录", request_body = ApiLogin,
    responses((status = 200, body = crate::web::openapi::TokenBody), (status = 401, body = crate::web::openapi::ErrorBody)))]
pub(crate) async fn api_login(
    State(state): State<AppState>,
    conn: crate::web::ClientInfo,
    crate::web::json::Json(body): crate::web::json::Json<ApiLogin>,
) -> Result<Response, ApiError> {
    let result = login::attempt(
        &state,
        Attempt {
            username: &body.username,
            password: &body.password,
            ip: &conn.ip,
            user_agent: &conn.user_agent,
            kind: "api",
        },
    )
    .await;
    match result {
        Ok(ok) => {
            let lifetime = session::Lifetime::from_settings(&state.db).await?;
            Ok(Json(serde_json::json!({
                "token": ok.token,
                "token_type": "Bearer",
                "expires_in": lifetime.max_ms / 1000,
                "must_change_password": ok.user.must_change_password,
                "user": { "id": ok.user.id, "username": ok.user.username, "name": ok.user.name },
            }))
            .into_response())
        }
        Err(LoginError::Internal(e)) => Err(ApiError(e)),
        Err(e) => Ok((
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({ "error": e.to_string() })),
        )
            .into_response()),
    }
}

/// 退出登录：令牌立即失效。
#[utoipa::path(delete, path = "/api/v1/session", tag = "登录", security(("bearer" = [])), responses((status = 204), (status = 401, body = crate::web::openapi::ErrorBody)))]
pub(crate) async fn api_logout(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<StatusCode, ApiError> {
    session::end(&state.db, &viewer.token).await?;
    Ok(StatusCode::NO_CONTENT)
}
