//! Errors of pages (an HTML page in Chinese) and of the API (JSON `{"error": "…"}`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Also the answer for rows out of scope and routes without permission: nothing is revealed.
    #[error("页面不存在或无权访问")]
    NotFound,
    #[error("请先登录")]
    LoginRequired { next: String },
    #[error("请先修改初始密码")]
    MustChangePassword,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("提交的内容过大（上限{}KB）", super::BODY_LIMIT / 1024)]
    TooLarge,
    #[error("跨站请求被拒绝：请从本系统页面提交表单")]
    CrossSite,
    /// The audit log cannot take the change (its integrity is in doubt): nothing was saved.
    #[error(
        "审计日志无法追加，本次修改没有保存：{0}。请系统管理员在服务器上运行“sunlight audit verify”核验日志并处理。"
    )]
    LogStopped(String),
    #[error("系统内部错误，请稍后重试或联系管理员")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(e.into())
    }
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::LoginRequired { .. } => StatusCode::UNAUTHORIZED,
            AppError::MustChangePassword | AppError::CrossSite => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::LogStopped(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<crate::db::audited::AuditedError> for AppError {
    fn from(e: crate::db::audited::AuditedError) -> Self {
        match e {
            // Not a fault: someone else saved first; the user is told to reload and retry.
            changed @ crate::db::audited::AuditedError::Changed(..) => {
                AppError::Conflict(changed.to_string())
            }
            crate::db::audited::AuditedError::Log(e)
                if !matches!(e, crate::audit::integrate::IntegrateError::Db(_)) =>
            {
                AppError::LogStopped(e.to_string())
            }
            e => AppError::Internal(e.into()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "web/templates/error.html")]
struct ErrorPage {
    title: String,
    message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::LoginRequired { next } => {
                let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                return Redirect::to(&format!("/login?{q}")).into_response();
            }
            AppError::MustChangePassword => return Redirect::to("/password").into_response(),
            AppError::Internal(e) => tracing::error!(error = ?e, "internal error"),
            _ => {}
        }
        let status = self.status();
        let page = ErrorPage {
            title: title(status).to_owned(),
            message: self.to_string(),
        };
        (status, page).into_response()
    }
}

fn title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "页面不存在",
        StatusCode::FORBIDDEN => "请求被拒绝",
        StatusCode::BAD_REQUEST | StatusCode::PAYLOAD_TOO_LARGE => "请求无效",
        StatusCode::CONFLICT => "操作无法完成",
        _ => "系统错误",
    }
}

/// The API's error: the same cases, as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self.0 {
            tracing::error!(error = ?e, "internal error");
        }
        let status = self.0.status();
        (
            status,
            Json(serde_json::json!({ "error": self.0.to_string() })),
        )
            .into_response()
    }
}

/// A form that failed validation, for the API: 422 with every field's message.
pub fn api_invalid(errors: &super::form::FieldErrors) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(serde_json::json!({ "error": errors.summary(), "fields": errors.0 })),
    )
        .into_response()
}
