//! The web shell shared by every feature: state, router, errors, forms, lists, layout.

pub mod docx;
pub mod error;
pub mod form;
pub mod form_multi;
pub mod json;
pub mod list;
pub mod openapi;
pub mod shell;
pub mod staging;
pub mod xlsx;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (forms and JSON); uploads get their own, larger limit.
pub const BODY_LIMIT: usize = 256 * 1024;

#[derive(Clone, Debug)]
pub struct Config {
    /// Demo mode: the login page says the demo password.
    pub demo: bool,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// The data directory: files that do not belong in the database (the bureau's signing key, the
    /// 查重 comparison library). On SQLite it also holds the database.
    pub data_dir: std::path::PathBuf,
}

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    /// Import previews waiting for confirmation.
    pub staging: Arc<staging::Staging>,
    /// The 查重 index, a cache of the library in the database.
    pub similarity: Arc<crate::similarity::Cache>,
    /// The bureau's key that signs the audit log's checkpoints (kept in the data directory).
    pub log_key: Arc<audit::SignerKey>,
}

impl AppState {
    /// Loads the bureau's signing key from the data directory, creating it on first start.
    pub fn new(
        db: DatabaseConnection,
        config: Config,
    ) -> Result<AppState, crate::audit::log_key::KeyFileError> {
        let log_key = crate::audit::log_key::load_or_create(&config.data_dir)?;
        Ok(AppState {
            db,
            config: Arc::new(config),
            staging: Default::default(),
            similarity: Default::default(),
            log_key: Arc::new(log_key),
        })
    }
}

/// The client's address and browser, for logs.
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientInfo {
            ip: crate::auth::viewer::client_ip(parts),
            user_agent: crate::auth::viewer::user_agent(parts),
        })
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(crate::auth::routes())
        .merge(crate::home::routes())
        .merge(crate::org::routes())
        .merge(crate::settings::routes())
        .merge(crate::audit::routes())
        .merge(crate::audit::integrity_routes())
        .merge(crate::calendar::routes())
        .merge(crate::ledger::routes())
        .merge(crate::similarity::routes())
        .merge(openapi::routes())
        .route("/static/app.css", get(css))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .fallback(|| async { error::AppError::NotFound })
        .layer(axum::middleware::from_fn(crate::auth::csrf::guard))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("app.css"),
    )
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Serves until `shutdown` completes (see [`shutdown_signal`]), then lets running requests finish.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // Events an earlier version sequenced but did not put in the log (writes now append them).
    if let Err(e) = crate::audit::integrate::integrate(&state.db).await {
        tracing::error!(error = %e, "audit integration of earlier pending events failed");
    }
    crate::audit::integrity::spawn_background(state.clone());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// Ctrl-C or SIGTERM. The handlers are installed when this is called, not when it is first
/// awaited, so a signal that arrives while the server is starting is not lost.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        let term = async move {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! { _ = ctrl_c => {}, _ = term => {} }
        tracing::info!("shutting down");
    }
}

/// For tests that drive the router without a socket: a fixed client address.
pub fn with_test_client(router: Router) -> Router {
    router.layer(axum::Extension(ConnectInfo(SocketAddr::from((
        [127, 0, 0, 1],
        40000,
    )))))
}

/// An instant (epoch milliseconds) as Beijing time, the way users read it.
/// Takes the value or a reference to it, as templates hold either.
pub fn fmt_ms(ms: impl std::borrow::Borrow<i64>) -> String {
    let ms = *ms.borrow();
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// A `Content-Disposition` for a download: Chinese file names are sent RFC 5987-encoded, with a
/// plain ASCII fallback for old clients.
pub fn attachment(file_name: &str) -> String {
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let fallback = if file_name.ends_with(".xlsx") {
        "download.xlsx"
    } else {
        "download"
    };
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// An id from the URL: a positive integer, or the same 404 as a row that does not exist.
pub fn parse_id(raw: &str) -> Result<i64, error::AppError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(error::AppError::NotFound)
}
