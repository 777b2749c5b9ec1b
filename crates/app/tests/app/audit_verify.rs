//! Tampering with the database is detected and named by the verifier: an altered event, a deleted
//! one, two reordered, a tree head rewritten, and a business row changed without an event.

use sea_orm::ConnectionTrait;

use crate::common::{TestApp, demo_app};

async fn verdict(
    app: &TestApp,
) -> Result<app::audit::verify::Verified, app::audit::verify::Finding> {
    app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .expect("the database answers")
}

async fn sql(app: &TestApp, statement: &str) {
    app.db.execute_unprepared(statement).await.unwrap();
}

#[tokio::test]
async fn an_untouched_database_verifies_with_its_size_and_root() {
    let app = demo_app().await;
    let ok = verdict(&app).await.expect("sound");
    assert_eq!(ok.size as i64, app.audit_count().await);
    // The stored head is the same root.
    let root = {
        let row = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                "SELECT root FROM audit_tree",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<String>(0).unwrap()
    };
    assert_eq!(ok.root.to_hex(), root);
}

#[tokio::test]
async fn an_altered_event_is_named() {
    let app = demo_app().await;
    sql(
        &app,
        "UPDATE audit_event SET actor_name = '某人' WHERE seq = 5",
    )
    .await;
    let f = verdict(&app).await.unwrap_err();
    assert_eq!(f.seq, Some(5));
    assert!(
        f.zh.contains("第5号审计事件") && f.zh.contains("被改动"),
        "{}",
        f.zh
    );
    assert!(f.en.contains("audit event 5"), "{}", f.en);
}

#[tokio::test]
async fn a_deleted_event_is_named() {
    let app = demo_app().await;
    sql(&app, "DELETE FROM audit_event WHERE seq = 7").await;
    let f = verdict(&app).await.unwrap_err();
    assert_eq!(f.seq, Some(7));
    assert!(f.zh.contains("缺少第7号审计事件"), "{}", f.zh);
}

#[tokio::test]
async fn two_reordered_events_are_found() {
    let app = demo_app().await;
    // Swap the contents of two events of different objects, keeping each row's own hash.
    for s in [
        "UPDATE audit_event SET seq = -3 WHERE seq = 3",
        "UPDATE audit_event SET seq = 3 WHERE seq = 4",
        "UPDATE audit_event SET seq = 4 WHERE seq = -3",
    ] {
        sql(&app, s).await;
    }
    let f = verdict(&app).await.unwrap_err();
    assert_eq!(f.seq, Some(3), "{f}");
}

#[tokio::test]
async fn a_rewritten_tree_head_is_found() {
    let app = demo_app().await;
    sql(&app, "UPDATE audit_tree SET root = '0000000000000000000000000000000000000000000000000000000000000000'").await;
    let f = verdict(&app).await.unwrap_err();
    assert!(f.zh.contains("审计树头"), "{}", f.zh);
}

#[tokio::test]
async fn a_business_row_changed_without_an_event_is_named() {
    let app = demo_app().await;
    sql(
        &app,
        "UPDATE department SET name = '改名处' WHERE code = 'BH-GXJS'",
    )
    .await;
    let f = verdict(&app).await.unwrap_err();
    assert!(
        f.zh.contains("department") && f.zh.contains("name") && f.zh.contains("绕过审计"),
        "{}",
        f.zh
    );

    let app = demo_app().await;
    sql(
        &app,
        "UPDATE measure SET status = 'closed' WHERE status = 'not_started'",
    )
    .await;
    let f = verdict(&app).await.unwrap_err();
    assert!(
        f.zh.contains("measure") && f.zh.contains("status"),
        "{}",
        f.zh
    );

    let app = demo_app().await;
    let dept = app.department_id("滨海市科学技术局").await;
    sql(&app, &format!("INSERT INTO department (parent_id, name, kind, code, sort_order, status, created_at, updated_at) VALUES ({dept}, '影子处', 'department', 'SHADOW', 99, 'active', 0, 0)")).await;
    let f = verdict(&app).await.unwrap_err();
    assert!(f.zh.contains("没有任何审计事件"), "{}", f.zh);

    let app = demo_app().await;
    sql(
        &app,
        "DELETE FROM evidence WHERE id = (SELECT MIN(id) FROM evidence)",
    )
    .await;
    let f = verdict(&app).await.unwrap_err();
    assert!(
        f.zh.contains("evidence") && f.zh.contains("没有删除它的事件"),
        "{}",
        f.zh
    );
}
