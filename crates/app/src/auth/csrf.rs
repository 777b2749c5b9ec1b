//! Cross-site request forgery protection for cookie sessions: a state-changing request must come
//! from our own pages. Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`); we
//! refuse one that comes from another site. Cookies are also `SameSite=Lax`. Bearer-token API calls
//! carry no ambient credential and are not subject to the check.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::web::error::{ApiError, AppError};

pub async fn guard(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || allowed(request.headers()) {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), "cross-site request refused");
    if request.uri().path().starts_with("/api/") {
        ApiError(AppError::CrossSite).into_response()
    } else {
        AppError::CrossSite.into_response()
    }
}

/// The decision, on headers alone.
pub fn allowed(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    let bearer_only = text(header::AUTHORIZATION).is_some_and(|a| a.starts_with("Bearer "))
        && headers.get(header::COOKIE).is_none();
    if bearer_only {
        return true;
    }
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return site == "same-origin" || site == "none";
    }
    match (text(header::ORIGIN), text(header::HOST)) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h) == Some(host),
        (Some(_), None) => false,
        // No browser signal at all: not a browser, so not a forged browser request.
        (None, _) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn cross_site_is_refused() {
        assert!(!allowed(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("cookie", "a=b")
        ])));
        assert!(!allowed(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!allowed(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "bureau.gov.cn")
        ])));
    }

    #[test]
    fn same_origin_and_non_browsers_pass() {
        assert!(allowed(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(allowed(&headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(allowed(&headers(&[("host", "127.0.0.1:8080")])));
        assert!(allowed(&headers(&[
            ("authorization", "Bearer x"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(!allowed(&headers(&[
            ("authorization", "Bearer x"),
            ("cookie", "sl_session=y"),
            ("sec-fetch-site", "cross-site")
        ])));
    }
}
