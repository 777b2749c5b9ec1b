//! JSON body extractor for the API, answering malformed or oversized bodies in Chinese, as JSON.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::{ApiError, AppError};

pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = super::form_multi::body_bytes(req, state).await?;
        serde_json::from_slice(&bytes).map(Json).map_err(|e| {
            ApiError(AppError::BadRequest(format!(
                "请求内容不是有效的 JSON（第{}行第{}列）：{e}",
                e.line(),
                e.column()
            )))
        })
    }
}
