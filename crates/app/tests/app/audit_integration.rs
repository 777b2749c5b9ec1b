//! A write only sequences its event; the integrator puts it in the Merkle log afterwards, links it
//! to its object's previous event, and stops at a pending event that went missing.

use axum::http::StatusCode;
use sea_orm::ConnectionTrait;

use crate::audit_trail::edit_phone;
use crate::common::{PASSWORD, TestApp, demo_app, scalar_i64};

async fn pending(app: &TestApp) -> i64 {
    scalar_i64(&app.db, "SELECT COUNT(*) FROM audit_pending").await
}

async fn in_log(app: &TestApp) -> i64 {
    scalar_i64(&app.db, "SELECT COUNT(*) FROM audit_event").await
}

async fn leaf_and_prev(app: &TestApp, seq: i64) -> (String, Option<String>) {
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT leaf_hash, prev_hash FROM audit_event WHERE seq = {seq}"),
        ))
        .await
        .unwrap()
        .expect("the event is in the log");
    (
        row.try_get_by_index(0).unwrap(),
        row.try_get_by_index(1).unwrap(),
    )
}

#[tokio::test]
async fn a_write_is_sequenced_at_commit_and_enters_the_log_at_integration() {
    let app = demo_app().await;
    let logged = in_log(&app).await;
    assert_eq!(pending(&app).await, 0, "the demo's events are integrated");
    let department = app.department_id("高新技术处").await;
    edit_phone(&app.db, "甲", department, "0411-1").await;
    edit_phone(&app.db, "乙", department, "0411-2").await;
    assert_eq!(
        pending(&app).await,
        2,
        "both commits sequenced their events"
    );
    assert_eq!(
        in_log(&app).await,
        logged,
        "nothing hashed inside the write"
    );

    assert_eq!(app::audit::integrate::integrate(&app.db).await.unwrap(), 2);
    assert_eq!(pending(&app).await, 0);
    assert_eq!(in_log(&app).await, logged + 2);
    // Numbered on from the log, and the second edit linked to the first.
    let (first, _) = leaf_and_prev(&app, logged + 1).await;
    let (_, prev) = leaf_and_prev(&app, logged + 2).await;
    assert_eq!(prev, Some(first));
    let head = app::audit::checkpoints::tree_head(&app.db).await.unwrap();
    assert_eq!(head.size as i64, logged + 2);
    assert_eq!(
        app::audit::integrate::integrate(&app.db).await.unwrap(),
        0,
        "nothing left to integrate"
    );
}

#[tokio::test]
async fn more_events_than_one_batch_are_all_integrated() {
    let app = demo_app().await;
    let logged = in_log(&app).await;
    let mut tx = app::db::audited::AuditedTx::begin(
        &app.db,
        app::db::audited::Actor::system("测试"),
        "test.many",
    )
    .await
    .unwrap();
    for i in 0..2_345 {
        tx.note(
            ("test", &i.to_string()),
            "n",
            serde_json::json!(null),
            i.into(),
        );
    }
    tx.commit().await.unwrap();
    assert_eq!(
        app::audit::integrate::integrate(&app.db).await.unwrap(),
        2_345
    );
    assert_eq!(in_log(&app).await, logged + 2_345);
    let verified = app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(verified.size as i64, logged + 2_345);
}

#[tokio::test]
async fn a_pending_event_deleted_before_integration_is_named() {
    let app = demo_app().await;
    let logged = in_log(&app).await;
    let department = app.department_id("高新技术处").await;
    edit_phone(&app.db, "甲", department, "0411-1").await;
    edit_phone(&app.db, "乙", department, "0411-2").await;
    let missing = logged + 1;
    app.db
        .execute_unprepared(&format!("DELETE FROM audit_pending WHERE seq = {missing}"))
        .await
        .unwrap();
    let f = app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(f.seq, Some(missing));
    assert!(f.zh.contains(&format!("缺少第{missing}号")), "{}", f.zh);
    assert!(f.en.contains(&format!("event {missing}")), "{}", f.en);
    // The log is left as it was: nothing after the gap was integrated.
    assert_eq!(in_log(&app).await, logged);
    // The audit pages stay up, and the inspector's verification names the fault.
    let inspector = app.login("inspector", PASSWORD).await;
    assert_eq!(
        app.get(&inspector, "/audit/events").await.status,
        StatusCode::OK
    );
    app.post_form(&inspector, "/audit/integrity/verify", &[])
        .await;
    let page = app.get(&inspector, "/audit/integrity").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("未通过") && page.body.contains(&format!("缺少第{missing}号")),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_last_pending_event_deleted_is_named_too() {
    let app = demo_app().await;
    let logged = in_log(&app).await;
    let department = app.department_id("高新技术处").await;
    edit_phone(&app.db, "甲", department, "0411-1").await;
    app.db
        .execute_unprepared("DELETE FROM audit_pending")
        .await
        .unwrap();
    let err = app::audit::integrate::integrate(&app.db).await.unwrap_err();
    assert!(
        err.to_string().contains(&format!("缺少第{}号", logged + 1)),
        "{err}"
    );
}
