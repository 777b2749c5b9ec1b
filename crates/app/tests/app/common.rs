//! The application under test: a fresh database per test (SQLite in a temporary directory, or a
//! PostgreSQL database of its own when `SUNLIGHT_TEST_DB=postgres`), and the real router driven
//! without a socket.

use std::sync::atomic::{AtomicU32, Ordering};

use app::db::Location;
use app::web::{AppState, Config};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tower::ServiceExt;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Which backend this run tests; set by `scripts/test`. Unset means SQLite.
pub fn backend_is_postgres() -> bool {
    match std::env::var("SUNLIGHT_TEST_DB").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("SUNLIGHT_TEST_DB={other}: expected sqlite or postgres"),
    }
}

/// A fresh, empty location: a new temporary directory or a new PostgreSQL database.
pub async fn fresh_location() -> Location {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let pid = std::process::id();
    if backend_is_postgres() {
        let base = std::env::var("SUNLIGHT_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let admin = sea_orm::Database::connect(&base).await.unwrap_or_else(|e| {
            panic!("PostgreSQL at {base} is required for SUNLIGHT_TEST_DB=postgres: {e}")
        });
        let name = format!("sunlight_t_{pid}_{n}");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let (prefix, _) = base.rsplit_once('/').expect("a database URL has a path");
        Location::Postgres(format!("{prefix}/{name}"))
    } else {
        let dir = std::env::temp_dir().join(format!("sunlight-test-{pid}-{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        Location::SqliteDir(dir)
    }
}

pub struct TestApp {
    pub db: DatabaseConnection,
    pub router: Router,
    pub location: Location,
    /// The data directory (files outside the database); on SQLite also the database's directory.
    pub data_dir: std::path::PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

impl TestApp {
    /// The bureau's signing key, as the application created it in the data directory.
    pub fn log_key(&self) -> audit::SignerKey {
        app::audit::log_key::load_or_create(&self.data_dir).expect("the log key exists")
    }
}

/// The data directory of a test: the SQLite directory, or a temporary directory beside a PostgreSQL database.
fn data_dir_of(location: &Location) -> std::path::PathBuf {
    match location {
        Location::SqliteDir(dir) => dir.clone(),
        Location::Postgres(url) => {
            let name = url.rsplit('/').next().unwrap_or("pg");
            let dir = std::env::temp_dir().join(format!("sunlight-test-files-{name}"));
            let _ = std::fs::remove_dir_all(&dir);
            dir
        }
    }
}

/// A migrated, empty application (built-in roles only; no users).
pub async fn empty_app() -> TestApp {
    let location = fresh_location().await;
    let db = app::db::open(&location).await.expect("open and migrate");
    app::demo::ensure_builtin_roles(&db).await.unwrap();
    build(db, location, false)
}

/// The demo bureau (small scale, seed 2026): every account's password is `Demo@2026`.
pub async fn demo_app() -> TestApp {
    let location = fresh_location().await;
    let db = app::db::open(&location).await.expect("open and migrate");
    app::demo::generate(&db, app::demo::Scale::Small, 2026)
        .await
        .unwrap();
    build(db, location, true)
}

fn build(db: DatabaseConnection, location: Location, demo: bool) -> TestApp {
    let data_dir = data_dir_of(&location);
    let state = AppState::new(
        db.clone(),
        Config {
            demo,
            secure_cookies: false,
            data_dir: data_dir.clone(),
        },
    )
    .expect("the log key is created in the test's data directory");
    let router = app::web::with_test_client(app::web::router(state));
    TestApp {
        db,
        router,
        location,
        data_dir,
    }
}

pub const PASSWORD: &str = "Demo@2026";

/// A response, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// How a request is authenticated.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Cookie(String),
    Bearer(String),
}

impl TestApp {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router never fails");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    fn request(&self, method: Method, path: &str, auth: &Auth) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "sunlight.test");
        match auth {
            Auth::None => {}
            Auth::Cookie(c) => {
                b = b
                    .header(header::COOKIE, c.as_str())
                    .header("sec-fetch-site", "same-origin")
            }
            Auth::Bearer(t) => b = b.header(header::AUTHORIZATION, format!("Bearer {t}")),
        }
        b
    }

    pub async fn get(&self, auth: &Auth, path: &str) -> Resp {
        self.send(
            self.request(Method::GET, path, auth)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A GET whose body is binary (a download).
    pub async fn get_bytes(&self, auth: &Auth, path: &str) -> (StatusCode, Vec<u8>) {
        let req = self
            .request(Method::GET, path, auth)
            .body(Body::empty())
            .unwrap();
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router never fails");
        let status = res.status();
        (
            status,
            res.into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes()
                .to_vec(),
        )
    }

    /// A multipart POST from our own pages: text fields, then at most one file (field, file name, bytes).
    pub async fn post_multipart(
        &self,
        auth: &Auth,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Resp {
        let boundary = "----sunlighttestboundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").into_bytes());
        }
        if let Some((name, file_name, bytes)) = file {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .into_bytes(),
            );
            body.extend(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").into_bytes());
        let req = self
            .request(Method::POST, path, auth)
            .header("sec-fetch-site", "same-origin")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A form POST whose answer is a download.
    pub async fn post_form_bytes(
        &self,
        auth: &Auth,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, Vec<u8>) {
        let req = self
            .request(Method::POST, path, auth)
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
            .unwrap();
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router never fails");
        let status = res.status();
        (
            status,
            res.into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes()
                .to_vec(),
        )
    }

    /// A form POST from our own pages (same-origin).
    pub async fn post_form(&self, auth: &Auth, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let req = self
            .request(Method::POST, path, auth)
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn api(
        &self,
        auth: &Auth,
        method: Method,
        path: &str,
        json: Option<serde_json::Value>,
    ) -> Resp {
        let b = self.request(method, path, auth);
        let req = match json {
            Some(j) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(j.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    /// Logs in through the login form and returns the session cookie.
    pub async fn login(&self, username: &str, password: &str) -> Auth {
        let r = self
            .post_form(
                &Auth::None,
                "/login",
                &[("username", username), ("password", password)],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login of {username} failed: {}",
            r.body
        );
        let cookie = r
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned();
        Auth::Cookie(cookie)
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn token(&self, username: &str, password: &str) -> Auth {
        let r = self
            .api(
                &Auth::None,
                Method::POST,
                "/api/v1/session",
                Some(serde_json::json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "API login of {username} failed: {}",
            r.body
        );
        Auth::Bearer(r.json()["token"].as_str().expect("token").to_owned())
    }

    /// The number of audit events in the log.
    pub async fn audit_count(&self) -> i64 {
        scalar_i64(&self.db, "SELECT COUNT(*) FROM audit_event").await
    }

    /// Events after `seq`, as (action, object_type, object_id, changes JSON).
    pub async fn events_after(&self, seq: i64) -> Vec<(String, String, String, serde_json::Value)> {
        let rows = self
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT action, object_type, object_id, changes FROM audit_event WHERE seq > {seq} ORDER BY seq"),
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| {
                let changes: String = r.try_get_by_index(3).unwrap();
                (
                    r.try_get_by_index(0).unwrap(),
                    r.try_get_by_index(1).unwrap(),
                    r.try_get_by_index(2).unwrap(),
                    serde_json::from_str(&changes).unwrap(),
                )
            })
            .collect()
    }

    pub async fn last_seq(&self) -> i64 {
        scalar_i64(&self.db, "SELECT COALESCE(MAX(seq), 0) FROM audit_event").await
    }

    /// The id of a department by its name.
    pub async fn department_id(&self, name: &str) -> i64 {
        scalar_i64(
            &self.db,
            &format!("SELECT id FROM department WHERE name = '{name}'"),
        )
        .await
    }

    pub async fn user_id(&self, username: &str) -> i64 {
        scalar_i64(
            &self.db,
            &format!("SELECT id FROM app_user WHERE username = '{username}'"),
        )
        .await
    }

    pub async fn count(&self, sql_from_where: &str) -> i64 {
        scalar_i64(&self.db, &format!("SELECT COUNT(*) FROM {sql_from_where}")).await
    }
}

/// The department row `id` as `conn` (the database or a transaction) sees it.
pub async fn department_row(
    conn: &impl ConnectionTrait,
    id: i64,
) -> app::org::entities::department::Model {
    use sea_orm::EntityTrait;
    app::org::entities::department::Entity::find_by_id(id)
        .one(conn)
        .await
        .unwrap()
        .expect("the department")
}

pub async fn scalar_i64(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no row for {sql}"));
    row.try_get_by_index::<i64>(0).unwrap()
}

/// The settings form as the page submits it: every setting at its default, except `changes`.
pub fn settings_form(
    changes: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    app::settings::catalogue::ALL
        .iter()
        .map(|d| {
            (
                d.key,
                changes
                    .iter()
                    .find(|(k, _)| *k == d.key)
                    .map(|(_, v)| *v)
                    .unwrap_or(d.default),
            )
        })
        .collect()
}

/// The rows of the first sheet of an .xlsx download.
pub fn xlsx_rows(body: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(body.to_vec())).expect("a real .xlsx");
    let range = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}
