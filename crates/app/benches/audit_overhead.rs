//! What the audit trail costs a real write: the same edit of one department row (read it, change its
//! name, commit) in a plain transaction and in an `AuditedTx` (its event numbered, linked to the
//! department's previous event, hashed and appended to the Merkle tree before the commit), on SQLite
//! and on PostgreSQL, as separate groups and interleaved pair by pair (which prints the ratio of each
//! sample, steadier on a shared machine); the ledger's most frequent write, a progress report with
//! one 256 KB scanned document and without one, plain and through `ledger::store::add_report`,
//! interleaved in the same way; the same edit as a user makes it, through the API
//! (`PUT /api/v1/departments/{id}`: token, permission, validation, the audited transaction), to see
//! the audit's share of a whole request (estimated per sample with the two edits above,
//! interleaved); and inclusion proofs read from `audit_node` and verified, as the 事件核验 page does.
//!
//! `cargo bench -p app --bench audit_overhead -- --sample-size 20`
//! PostgreSQL: `SUNLIGHT_TEST_PG_URL` (default postgres://postgres@127.0.0.1:5432/postgres) must be up.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use app::db::Location;
use app::db::audited::{Actor, AuditedTx};
use app::ledger::entities::{evidence, measure, progress_report};
use app::org::entities::department;
use app::web::{AppState, Config};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, TransactionTrait,
};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

static EDITS: AtomicU64 = AtomicU64::new(0);

fn new_name() -> String {
    format!("科学技术局{}", EDITS.fetch_add(1, Ordering::Relaxed))
}

async fn plain_edit(db: &DatabaseConnection, id: i64) {
    let tx = db.begin().await.expect("begin");
    let before = department::Entity::find_by_id(id)
        .one(&tx)
        .await
        .expect("read")
        .expect("row");
    let mut am = before.into_active_model();
    am.name = Set(new_name());
    am.update(&tx).await.expect("update");
    tx.commit().await.expect("commit");
}

/// The edit as the application makes it: the update, the last change of its transaction, goes in
/// with the append (`commit_update`).
async fn audited_edit(db: &DatabaseConnection, id: i64) {
    let tx = AuditedTx::begin(db, Actor::system("benchmark"), "org.dept.update")
        .await
        .expect("begin");
    let before = department::Entity::find_by_id(id)
        .one(tx.reader())
        .await
        .expect("read")
        .expect("row");
    let mut am = before.clone().into_active_model();
    am.name = Set(new_name());
    tx.commit_update(&before, am)
        .await
        .expect("update and commit");
}

/// A progress report, the ledger's most frequent write, with one scanned document of
/// `EVIDENCE_BYTES` or none: the report and the file's row inserted, the file's SHA-256 computed
/// (as `ledger::store::add_report` does).
async fn plain_report(db: &DatabaseConnection, m: &measure::Model, file: Option<&[u8]>) {
    let now = app::db::now_ms();
    let tx = db.begin().await.expect("begin");
    let report = progress_report::ActiveModel {
        measure_id: Set(m.id),
        reported_on: Set("2026-12-07".into()),
        content: Set(REPORT.into()),
        reporter_id: Set(None),
        reporter_name: Set("系统（benchmark）".into()),
        supersedes_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await
    .expect("report");
    let Some(file) = file else {
        tx.commit().await.expect("commit");
        return;
    };
    evidence::ActiveModel {
        report_id: Set(report.id),
        file_name: Set("整改报告.pdf".into()),
        sha256: Set(app::audit::event::hex_lower(&Sha256::digest(file))),
        size: Set(file.len() as i64),
        content: Set(file.to_vec()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await
    .expect("evidence");
    tx.commit().await.expect("commit");
}

async fn audited_report(db: &DatabaseConnection, m: &measure::Model, file: Option<&[u8]>) {
    let report = app::ledger::store::NewReport {
        reported_on: calendar::NaiveDate::from_ymd_opt(2026, 12, 7).expect("a date"),
        content: REPORT,
        supersedes: None,
    };
    let uploads = file
        .map(|file| app::ledger::store::Upload {
            file_name: "整改报告.pdf".into(),
            content: file.to_vec(),
        })
        .into_iter()
        .collect();
    app::ledger::store::add_report(db, Actor::system("benchmark"), m, report, uploads)
        .await
        .expect("report");
}

const REPORT: &str = "已完成整改方案的制定，召开专题会议两次，相关制度正在修订中。";
/// A scanned page as a PDF or JPEG: bytes that do not compress.
const EVIDENCE_BYTES: usize = 256 * 1024;

async fn prepared(location: &Location) -> (DatabaseConnection, i64) {
    let db = app::db::open(location).await.expect("open and migrate");
    app::demo::generate(&db, app::demo::Scale::Small, 2026)
        .await
        .expect("demo data");
    let top = department::Entity::find()
        .filter(department::Column::ParentId.is_null())
        .one(&db)
        .await
        .expect("read")
        .expect("the top department");
    (db, top.id)
}

/// The application as it serves requests, and an administrator's API token.
async fn api_client(
    db: &DatabaseConnection,
    data_dir: std::path::PathBuf,
) -> (axum::Router, String) {
    let state = AppState::new(
        db.clone(),
        Config {
            demo: true,
            secure_cookies: false,
            data_dir,
        },
    )
    .expect("state");
    let router = app::web::with_test_client(app::web::router(state));
    let login = serde_json::json!({"username": "admin", "password": "Demo@2026"});
    let (status, body) = send(&router, Method::POST, "/api/v1/session", None, login).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token: serde_json::Value = serde_json::from_str(&body).expect("json");
    (router, token["token"].as_str().expect("token").to_owned())
}

async fn send(
    router: &axum::Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    json: serde_json::Value,
) -> (StatusCode, String) {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "sunlight.bench")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = router
        .clone()
        .oneshot(b.body(Body::from(json.to_string())).expect("request"))
        .await
        .expect("router");
    let status = res.status();
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .expect("body")
        .to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// A user's edit of one department through the API, from request to response.
async fn api_edit(router: &axum::Router, token: &str, d: &department::Model) {
    let edit = serde_json::json!({"name": new_name(), "code": d.code, "kind": d.kind,
        "parent_id": d.parent_id.map(|p| p.to_string()), "status": d.status});
    let path = format!("/api/v1/departments/{}", d.id);
    let (status, body) = send(router, Method::PUT, &path, Some(token), edit).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn locations() -> Vec<(&'static str, Location)> {
    let dir = std::env::temp_dir().join(format!("sunlight-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let base = std::env::var("SUNLIGHT_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let pg = rt.block_on(async {
        let admin = sea_orm::Database::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {base} is required for this benchmark: {e}"));
        for s in [
            "DROP DATABASE IF EXISTS sunlight_bench",
            "CREATE DATABASE sunlight_bench",
        ] {
            admin.execute_unprepared(s).await.expect(s);
        }
        let (prefix, _) = base.rsplit_once('/').expect("a URL with a database");
        format!("{prefix}/sunlight_bench")
    });
    vec![
        ("sqlite", Location::SqliteDir(dir)),
        ("postgres", Location::Postgres(pg)),
    ]
}

fn overhead(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    for (backend, location) in locations() {
        let (db, id) = rt.block_on(prepared(&location));
        let mut g = c.benchmark_group(format!("edit one row/{backend}"));
        g.throughput(Throughput::Elements(1));
        g.bench_function("plain transaction", |b| {
            b.iter(|| rt.block_on(plain_edit(&db, id)))
        });
        g.bench_function("audited transaction", |b| {
            b.iter(|| rt.block_on(audited_edit(&db, id)))
        });
        g.finish();
        interleaved(c, &rt, backend, &db, id);
        let file: Vec<u8> = (0..EVIDENCE_BYTES as u64)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        reports_interleaved(c, &rt, backend, &db, Some(&file));
        reports_interleaved(c, &rt, backend, &db, None);

        // The same kind of edit as a user makes it: a department under the bureau, through the API.
        let data_dir = std::env::temp_dir().join(format!("sunlight-bench-files-{backend}"));
        let (router, token, child) = rt.block_on(async {
            let (router, token) = api_client(&db, data_dir.clone()).await;
            let child = department::Entity::find()
                .all(&db)
                .await
                .expect("read")
                .into_iter()
                .find(|d| d.parent_id == Some(id))
                .expect("a department under the bureau");
            (router, token, child)
        });
        let mut g = c.benchmark_group(format!("edit one department through the API/{backend}"));
        g.throughput(Throughput::Elements(1));
        g.bench_function("whole request (audited)", |b| {
            b.iter(|| rt.block_on(api_edit(&router, &token, &child)))
        });
        g.finish();
        request_interleaved(c, &rt, backend, &db, id, (&router, &token, &child));
        let _ = std::fs::remove_dir_all(&data_dir);

        // Proofs against the log the edits above built (thousands of events).
        let head = rt
            .block_on(app::audit::checkpoints::tree_head(&db))
            .expect("tree head");
        let mut g = c.benchmark_group(format!("inclusion proof from audit_node/{backend}"));
        g.throughput(Throughput::Elements(1));
        let mut i = 0u64;
        g.bench_function(format!("generate and verify, log of {}", head.size), |b| {
            b.iter(|| {
                i = (i * 7919 + 1) % head.size;
                let proof = rt
                    .block_on(app::audit::checkpoints::inclusion_proof(&db, i, head.size))
                    .expect("proof");
                let leaf = rt.block_on(leaf_of(&db, i));
                audit::verify_inclusion(i, head.size, &leaf, black_box(&proof), &head.root)
                    .expect("verifies")
            })
        });
        g.finish();
    }
}

/// The plain and the audited edit one after the other, pair by pair, so that the machine's load
/// (which moves the two separate groups above by ±30 % between runs) weighs on both alike; the
/// measured time is the audited edits', and the ratio to the plain edits of the same sample is
/// printed.
fn interleaved(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    backend: &str,
    db: &DatabaseConnection,
    id: i64,
) {
    let mut ratios: Vec<f64> = Vec::new();
    let mut g = c.benchmark_group(format!("edit one row, interleaved/{backend}"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("audited, each after a plain one", |b| {
        b.iter_custom(|iterations| {
            rt.block_on(async {
                let (mut plain, mut audited) = (Duration::ZERO, Duration::ZERO);
                for _ in 0..iterations {
                    let start = Instant::now();
                    plain_edit(db, id).await;
                    let middle = Instant::now();
                    audited_edit(db, id).await;
                    audited += middle.elapsed();
                    plain += middle - start;
                }
                ratios.push(audited.as_secs_f64() / plain.as_secs_f64());
                audited
            })
        })
    });
    g.finish();
    print_ratios(&format!("edit one row, interleaved/{backend}"), ratios);
}

/// The audit's share of a user's request. The application writes only through `AuditedTx`, so a
/// request without the audit cannot be sent; it is estimated per sample as the request less what
/// the audit adds to the same edit, measured in the same sample (an audited edit less a plain
/// one, interleaved as in [`interleaved`]): `request / (request - (audited - plain))`.
fn request_interleaved(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    backend: &str,
    db: &DatabaseConnection,
    id: i64,
    (router, token, child): (&axum::Router, &str, &department::Model),
) {
    let mut ratios: Vec<f64> = Vec::new();
    let mut g = c.benchmark_group(format!(
        "edit one department through the API, interleaved/{backend}"
    ));
    g.throughput(Throughput::Elements(1));
    g.bench_function("request, each with an audited and a plain edit", |b| {
        b.iter_custom(|iterations| {
            rt.block_on(async {
                let (mut request, mut plain, mut audited) =
                    (Duration::ZERO, Duration::ZERO, Duration::ZERO);
                for _ in 0..iterations {
                    let start = Instant::now();
                    api_edit(router, token, child).await;
                    let sent = Instant::now();
                    plain_edit(db, id).await;
                    let middle = Instant::now();
                    audited_edit(db, id).await;
                    audited += middle.elapsed();
                    plain += middle - sent;
                    request += sent - start;
                }
                let request_s = request.as_secs_f64();
                let without = request_s - (audited.as_secs_f64() - plain.as_secs_f64());
                ratios.push(request_s / without);
                request
            })
        })
    });
    g.finish();
    print_ratios(
        &format!("a request with / without its audit (estimated), interleaved/{backend}"),
        ratios,
    );
}

/// The progress report with `file` or without a document, plain and audited, pair by pair as
/// [`interleaved`].
fn reports_interleaved(
    c: &mut Criterion,
    rt: &tokio::runtime::Runtime,
    backend: &str,
    db: &DatabaseConnection,
    file: Option<&[u8]>,
) {
    let m = rt
        .block_on(
            measure::Entity::find()
                .filter(measure::Column::Status.ne("not_started"))
                .one(db),
        )
        .expect("read")
        .expect("a measure under way");
    let what = match file {
        Some(_) => "progress report with a 256 KB file",
        None => "progress report without a document",
    };
    // SQLite copies its WAL into the database file every 4 MB (about eight pairs with the file) in
    // whichever commit crosses the mark, which then takes milliseconds: which of the two that is
    // depends on the phase, not on the audit (measured: 0.5× or 2.5× over a run). So with the file
    // the WAL is copied before each write, outside the measured time, and each write pays for its
    // own pages only; before each, not each pair, since the first write after a copy starts the WAL
    // anew, and when it was always the plain one the audited report measured 0.72–0.93× of it.
    // (`RESTART` keeps the file's size: truncated, the first write would pay for regrowing it.)
    // Without the file the copies are rare and fall as they fall, as in the edits above.
    let copy_each = file.is_some() && db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    let mut ratios: Vec<f64> = Vec::new();
    let (mut all_plain, mut all_audited) = (Duration::ZERO, Duration::ZERO);
    let mut g = c.benchmark_group(format!("{what}, interleaved/{backend}"));
    g.throughput(Throughput::Elements(1));
    g.bench_function("audited, each after a plain one", |b| {
        b.iter_custom(|iterations| {
            rt.block_on(async {
                let (mut plain, mut audited) = (Duration::ZERO, Duration::ZERO);
                let copy_wal = || async {
                    if copy_each {
                        db.execute_unprepared("PRAGMA wal_checkpoint(RESTART)")
                            .await
                            .expect("checkpoint");
                    }
                };
                for _ in 0..iterations {
                    copy_wal().await;
                    let start = Instant::now();
                    plain_report(db, &m, file).await;
                    plain += start.elapsed();
                    copy_wal().await;
                    let start = Instant::now();
                    audited_report(db, &m, file).await;
                    audited += start.elapsed();
                }
                ratios.push(audited.as_secs_f64() / plain.as_secs_f64());
                all_plain += plain;
                all_audited += audited;
                audited
            })
        })
    });
    g.finish();
    print_ratios(&format!("{what}, interleaved/{backend}"), ratios);
    if !all_plain.is_zero() {
        eprintln!(
            "{what}, interleaved/{backend}: audited / plain over all samples: {:.3}",
            all_audited.as_secs_f64() / all_plain.as_secs_f64()
        );
    }
}

/// The median and range of the per-sample ratios audited / plain.
fn print_ratios(what: &str, mut ratios: Vec<f64>) {
    ratios.sort_by(f64::total_cmp);
    if let (Some(low), Some(high)) = (ratios.first(), ratios.last()) {
        eprintln!(
            "{what}: audited / plain per sample: median {:.3}, {:.3}–{:.3} over {} samples",
            ratios[ratios.len() / 2],
            low,
            high,
            ratios.len()
        );
    }
}

async fn leaf_of(db: &DatabaseConnection, index: u64) -> audit::Hash {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT leaf_hash FROM audit_event WHERE seq = {}",
                index + 1
            ),
        ))
        .await
        .expect("read")
        .expect("event");
    audit::Hash::from_hex(&row.try_get_by_index::<String>(0).expect("hex")).expect("hash")
}

criterion_group!(benches, overhead);
criterion_main!(benches);
