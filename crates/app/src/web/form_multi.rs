//! Form extractor that understands repeated fields (`roles=1&roles=2`, check boxes) and answers
//! malformed bodies in Chinese.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::AppError;

pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let bytes = body_bytes(req, state).await?;
        serde_html_form::from_bytes(&bytes)
            .map(Form)
            .map_err(|e| AppError::BadRequest(format!("表单内容无效：{e}")))
    }
}

/// The whole body, with the limit's rejection said in Chinese.
pub(super) async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::BadRequest(format!("请求无效：{e}"))
        }
    })
}
