//! Every mutating route writes exactly one audit event with the right before/after; a failed
//! transaction writes none; events are numbered without gaps and hash to what they say.

use axum::http::{Method, StatusCode};
use sea_orm::ActiveValue::Set;
use serde_json::json;

use crate::common::{PASSWORD, demo_app};

#[tokio::test]
async fn each_mutating_page_route_writes_one_event_with_field_changes() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await.to_string();
    let clerk_role =
        crate::common::scalar_i64(&app.db, "SELECT id FROM role WHERE role_key = 'clerk'")
            .await
            .to_string();

    // Create a department.
    let seq = app.last_seq().await;
    let r = app
        .post_form(
            &admin,
            "/org/departments/new",
            &[
                ("name", "知识产权处"),
                ("code", "ZSCQ"),
                ("kind", "department"),
                (
                    "parent_id",
                    &app.department_id("滨海市科学技术局").await.to_string(),
                ),
                ("sort_order", "20"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let (action, object_type, id, changes) = &events[0];
    assert_eq!(
        (action.as_str(), object_type.as_str()),
        ("org.department.create", "department")
    );
    assert_eq!(changes["name"], json!([null, "知识产权处"]));
    let new_dept = id.clone();

    // Rename it.
    let seq = app.last_seq().await;
    let r = app
        .post_form(
            &admin,
            &format!("/org/departments/{new_dept}/edit"),
            &[
                ("name", "知识产权保护处"),
                ("code", "ZSCQ"),
                ("kind", "department"),
                (
                    "parent_id",
                    &app.department_id("滨海市科学技术局").await.to_string(),
                ),
                ("sort_order", "20"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].3["name"], json!(["知识产权处", "知识产权保护处"]));
    assert!(
        events[0].3.get("code").is_none(),
        "unchanged fields are not listed: {:?}",
        events[0].3
    );

    // Create a user in it, change the phone, reset the password, delete the user, delete the department.
    let seq = app.last_seq().await;
    let r = app
        .post_form(
            &admin,
            "/org/users/new",
            &[
                ("username", "zhangsan"),
                ("name", "张三"),
                ("department_id", &new_dept),
                ("phone", "13800138000"),
                ("status", "active"),
                ("roles", &clerk_role),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the one-time password is shown once: {}",
        r.body
    );
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "org.user.create");
    assert_eq!(
        events[0].3["password_hash"][1], "******",
        "secrets never enter the log"
    );
    let user = events[0].2.clone();

    let seq = app.last_seq().await;
    let r = app
        .post_form(
            &admin,
            &format!("/org/users/{user}/edit"),
            &[
                ("username", "zhangsan"),
                ("name", "张三"),
                ("department_id", &gxjs),
                ("phone", "13900139000"),
                ("status", "active"),
                ("roles", &clerk_role),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].3["phone"], json!(["13800138000", "13900139000"]));
    assert_eq!(
        events[0].3["department_id"][1],
        json!(gxjs.parse::<i64>().unwrap())
    );

    for (path, action) in [
        (
            format!("/org/users/{user}/reset-password"),
            "org.user.reset_password",
        ),
        (format!("/org/users/{user}/delete"), "org.user.delete"),
        (
            format!("/org/departments/{new_dept}/delete"),
            "org.department.delete",
        ),
    ] {
        let seq = app.last_seq().await;
        let r = app.post_form(&admin, &path, &[]).await;
        assert!(
            r.status == StatusCode::SEE_OTHER || r.status == StatusCode::OK,
            "{path}: {} {}",
            r.status,
            r.body
        );
        let events = app.events_after(seq).await;
        assert_eq!(events.len(), 1, "{path}: {events:?}");
        assert_eq!(events[0].0, action);
    }

    // Settings: one event for one saved form, naming each changed setting.
    let seq = app.last_seq().await;
    let r = app
        .post_form(
            &admin,
            "/system/settings",
            &crate::common::settings_form(&[("login.max_failures", "6")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "system.setting.update");
}

#[tokio::test]
async fn each_mutating_api_route_writes_one_event() {
    let app = demo_app().await;
    let token = app.token("admin", PASSWORD).await;
    let bureau = app.department_id("滨海市科学技术局").await;
    let seq = app.last_seq().await;
    let r = app
        .api(&token, Method::POST, "/api/v1/departments", Some(json!({"name": "科技金融处", "code": "KJJR", "kind": "department", "parent_id": bureau.to_string(), "status": "active"})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(app.events_after(seq).await.len(), 1);

    let seq = app.last_seq().await;
    let r = app
        .api(&token, Method::PUT, &format!("/api/v1/departments/{id}"), Some(json!({"name": "科技金融服务处", "code": "KJJR", "kind": "department", "parent_id": bureau.to_string(), "status": "active"})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].3["name"][1], "科技金融服务处");

    let seq = app.last_seq().await;
    let r = app
        .api(&token, Method::POST, "/api/v1/users", Some(json!({"username": "lisi", "name": "李四", "department_id": id.to_string(), "status": "active", "roles": []})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(
        r.json()["one_time_password"]
            .as_str()
            .is_some_and(|p| p.len() >= 12)
    );
    assert_eq!(app.events_after(seq).await.len(), 1);

    let user = r.json()["user"]["id"].as_i64().unwrap();
    let seq = app.last_seq().await;
    let r = app
        .api(&token, Method::PUT, &format!("/api/v1/users/{user}"), Some(json!({"username": "lisi", "name": "李四", "department_id": id.to_string(), "phone": "13700137000", "status": "active"})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let events = app.events_after(seq).await;
    assert_eq!((events.len(), events[0].0.as_str()), (1, "org.user.update"));
    assert_eq!(events[0].3["phone"], json!([null, "13700137000"]));

    // A department with users cannot be deleted: 409, nothing written.
    let seq = app.last_seq().await;
    let r = app
        .api(
            &token,
            Method::DELETE,
            &format!("/api/v1/departments/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.json()["error"].as_str().unwrap().contains("用户"));
    assert_eq!(app.events_after(seq).await.len(), 0);

    let seq = app.last_seq().await;
    let r = app
        .api(
            &token,
            Method::DELETE,
            &format!("/api/v1/users/{user}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(app.events_after(seq).await[0].0, "org.user.delete");
    let me = app.user_id("admin").await;
    let r = app
        .api(&token, Method::DELETE, &format!("/api/v1/users/{me}"), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_failed_transaction_leaves_neither_change_nor_event() {
    let app = demo_app().await;
    let before_events = app.audit_count().await;
    let before_depts = app.count("department").await;
    let bureau = app.department_id("滨海市科学技术局").await;
    let mut tx = app::db::audited::AuditedTx::begin(
        &app.db,
        app::db::audited::Actor::system("测试"),
        "test.failing",
    )
    .await
    .unwrap();
    let now = app::db::now_ms();
    let insert = |code: &str| app::org::entities::department::ActiveModel {
        parent_id: Set(Some(bureau)),
        name: Set("临时部门".into()),
        kind: Set("department".into()),
        code: Set(code.into()),
        sort_order: Set(1),
        phone: Set(None),
        status: Set("active".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    tx.insert(insert("TMP")).await.unwrap();
    // The same code again violates the unique index: the whole transaction fails.
    assert!(tx.insert(insert("TMP")).await.is_err());
    drop(tx);
    assert_eq!(app.audit_count().await, before_events);
    assert_eq!(app.count("department").await, before_depts);
    // And the next write continues the sequence without a gap.
    let admin = app.login("admin", PASSWORD).await;
    let r = app
        .post_form(
            &admin,
            "/org/departments/new",
            &[
                ("name", "临时部门"),
                ("code", "TMP"),
                ("kind", "department"),
                ("parent_id", &bureau.to_string()),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let max = crate::common::scalar_i64(&app.db, "SELECT MAX(seq) FROM audit_event").await;
    assert_eq!(
        max,
        app.audit_count().await,
        "sequence numbers have no gaps"
    );
}

#[tokio::test]
async fn a_transaction_without_an_event_is_refused() {
    let app = demo_app().await;
    let tx = app::db::audited::AuditedTx::begin(
        &app.db,
        app::db::audited::Actor::system("测试"),
        "test.empty",
    )
    .await
    .unwrap();
    assert!(tx.commit().await.is_err());
}

#[tokio::test]
async fn stored_events_hash_to_their_leaf_and_chain_per_object() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let clerk = app.user_id("clerk").await;
    let gxjs = app.department_id("高新技术处").await.to_string();
    for phone in ["13800000001", "13800000002"] {
        let r = app
            .post_form(
                &admin,
                &format!("/org/users/{clerk}/edit"),
                &[
                    ("username", "clerk"),
                    ("name", "于磊"),
                    ("department_id", &gxjs),
                    ("phone", phone),
                    ("status", "active"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    use sea_orm::{EntityTrait, QueryOrder};
    let events = app::audit::entity::Entity::find()
        .order_by_asc(app::audit::entity::Column::Seq)
        .all(&app.db)
        .await
        .unwrap();
    let mut last_of_object = std::collections::HashMap::new();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1);
        let event = e.to_event().unwrap();
        assert_eq!(
            event.leaf_hash_hex(),
            e.leaf_hash,
            "event {} hashes to its stored leaf",
            e.seq
        );
        let key = (e.object_type.clone(), e.object_id.clone());
        let expected_prev = last_of_object.get(&key).cloned();
        assert_eq!(
            e.prev_hash, expected_prev,
            "event {} links to its object's previous event",
            e.seq
        );
        last_of_object.insert(key, e.leaf_hash.clone());
    }
    // The history page of the clerk shows who changed the phone from what to what.
    let page = app
        .get(&admin, &format!("/audit/objects/user/{clerk}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("13800000001") && page.body.contains("13800000002"),
        "{}",
        page.body
    );
    // The 操作日志 filters by object.
    let page = app
        .get(
            &admin,
            &format!("/audit/events?object_type=user&object_id={clerk}"),
        )
        .await;
    assert!(
        page.body.contains("org.user.update") || page.body.contains("修改用户"),
        "{}",
        page.body
    );
}

/// Edits a department's phone in an audited transaction that reads the row locked for the update
/// (PostgreSQL's `FOR UPDATE`; on SQLite the transaction is already the only writer), so concurrent
/// editors wait for each other instead of finding the row changed.
pub(crate) async fn edit_phone(
    db: &sea_orm::DatabaseConnection,
    actor: &str,
    department: i64,
    phone: &str,
) {
    edit_phone_as(Commit::Apart, db, actor, department, phone).await
}

/// How an edit is committed: `update` then `commit`, or `commit_update` (the update and the
/// append in one statement).
#[derive(Clone, Copy)]
pub(crate) enum Commit {
    Apart,
    WithTheUpdate,
}

pub(crate) async fn edit_phone_as(
    commit: Commit,
    db: &sea_orm::DatabaseConnection,
    actor: &str,
    department: i64,
    phone: &str,
) {
    use sea_orm::{EntityTrait, IntoActiveModel, QuerySelect};
    let mut who = app::db::audited::Actor::system("测试");
    who.name = actor.to_owned();
    let mut tx = app::db::audited::AuditedTx::begin(db, who, "org.dept.update")
        .await
        .unwrap();
    let before = app::org::entities::department::Entity::find_by_id(department)
        .lock_exclusive()
        .one(tx.reader())
        .await
        .unwrap()
        .unwrap();
    let mut am = before.clone().into_active_model();
    am.phone = Set(Some(phone.to_owned()));
    match commit {
        Commit::Apart => {
            tx.update(&before, am).await.unwrap();
            tx.commit().await.unwrap();
        }
        Commit::WithTheUpdate => {
            let after = tx.commit_update(&before, am).await.unwrap();
            assert_eq!(after.phone.as_deref(), Some(phone));
        }
    }
}

#[tokio::test]
async fn concurrent_writers_queue_and_the_log_stays_sound() {
    let app = demo_app().await;
    let before = app.audit_count().await;
    let shared = app.department_id("高新技术处").await;
    let own = app.department_id("滨海市科学技术局").await;
    // Eight writers at once, all on one row and some on another: none fails for a busy database
    // (SQLite) or a lost update of the log's head (PostgreSQL); half of them commit their edit
    // with its update (`commit_update`), half after it. Four more record events on one
    // object without writing a row, so nothing but the log orders them: on PostgreSQL the object's
    // previous event they read may be older than the one a writer ahead of them appended.
    let mut noters = Vec::new();
    for w in 0..4 {
        let db = app.db.clone();
        noters.push(tokio::spawn(async move {
            for i in 0..6 {
                let mut tx = app::db::audited::AuditedTx::begin(
                    &db,
                    app::db::audited::Actor::system(&format!("记录者{w}")),
                    "test.note",
                )
                .await
                .expect("begin");
                tx.note(
                    ("test", "shared"),
                    "n",
                    serde_json::json!(null),
                    (w * 10 + i).into(),
                );
                tx.commit().await.expect("commit");
            }
        }));
    }
    let mut writers = Vec::new();
    for w in 0..8 {
        let db = app.db.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..6 {
                let row = if i % 3 == 2 { own } else { shared };
                let commit = match w % 2 {
                    0 => Commit::Apart,
                    _ => Commit::WithTheUpdate,
                };
                let (who, phone) = (format!("写入者{w}"), format!("0411-{w}{i:03}"));
                edit_phone_as(commit, &db, &who, row, &phone).await;
            }
        }));
    }
    for writer in writers {
        writer.await.expect("a writer failed");
    }
    for noter in noters {
        noter.await.expect("a noter failed");
    }
    assert_eq!(app.audit_count().await, before + 72);
    // Numbered without gaps, each object's chain unbroken, the tree and the rows as the events say.
    let verified = app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(verified.size as i64, before + 72);
}

#[tokio::test]
async fn text_with_quotes_backslashes_and_line_breaks_is_recorded_exactly() {
    let app = demo_app().await;
    let seq = app.last_seq().await;
    let department = app.department_id("高新技术处").await;
    // At most 30 characters: the column's length on PostgreSQL.
    let awkward = "O'B \\ \"引\"\n行\t'); DROP x;--\\'😀";
    assert!(awkward.chars().count() <= 30);
    edit_phone(&app.db, "张'三\\", department, awkward).await;
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].3["phone"][1], json!(awkward));
    let actor = crate::common::scalar_i64(
        &app.db,
        &format!(
            "SELECT COUNT(*) FROM audit_event WHERE seq = {} AND actor_name = '张''三\\'",
            seq + 1
        ),
    )
    .await;
    assert_eq!(actor, 1, "the actor's name is stored as given");
    // The leaf hash computed before storing matches the stored text.
    app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_or_else(|f| panic!("{f}"));
}

/// A department edit begun by the system: its transaction and the row as it reads in it.
async fn department_edit(
    db: &sea_orm::DatabaseConnection,
    id: i64,
) -> (
    app::db::audited::AuditedTx,
    app::org::entities::department::Model,
) {
    use sea_orm::EntityTrait;
    let tx = app::db::audited::AuditedTx::begin(
        db,
        app::db::audited::Actor::system("测试"),
        "org.dept.update",
    )
    .await
    .unwrap();
    let row = app::org::entities::department::Entity::find_by_id(id)
        .one(tx.reader())
        .await
        .unwrap()
        .unwrap();
    (tx, row)
}

#[tokio::test]
async fn two_updates_of_one_row_in_a_transaction_are_one_event_from_first_to_last() {
    use sea_orm::IntoActiveModel;
    let app = demo_app().await;
    let seq = app.last_seq().await;
    let department = app.department_id("高新技术处").await;
    // On SQLite the first update writes its event with it; the second changes that event.
    let (mut tx, first) = department_edit(&app.db, department).await;
    let mut am = first.clone().into_active_model();
    am.phone = Set(Some("0411-0001".into()));
    let second = tx.update(&first, am).await.unwrap();
    let mut am = second.clone().into_active_model();
    am.phone = Set(Some("0411-0002".into()));
    am.name = Set("高新技术与产业化处".into());
    tx.update(&second, am).await.unwrap();
    tx.commit().await.unwrap();
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let (action, object_type, object_id, changes) = &events[0];
    assert_eq!(
        (action.as_str(), object_type.as_str(), object_id.as_str()),
        (
            "org.dept.update",
            "department",
            department.to_string().as_str()
        )
    );
    assert_eq!(changes["phone"], json!([first.phone, "0411-0002"]));
    assert_eq!(changes["name"], json!(["高新技术处", "高新技术与产业化处"]));
    assert_eq!(changes.as_object().map(|c| c.len()), Some(2), "{changes}");
    // The row is what the event says.
    app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_or_else(|f| panic!("{f}"));
}

#[tokio::test]
async fn an_update_of_a_row_that_is_gone_fails_and_leaves_no_event() {
    use sea_orm::IntoActiveModel;
    let app = demo_app().await;
    let seq = app.last_seq().await;
    let department = app.department_id("高新技术处").await;
    let (mut tx, mut gone) = department_edit(&app.db, department).await;
    gone.id = i64::from(i32::MAX);
    let mut am = gone.clone().into_active_model();
    am.name = Set("不存在的处室".into());
    let err = tx.update(&gone, am).await.unwrap_err();
    assert!(err.to_string().contains("数据库错误"), "{err}");
    drop(tx);
    assert_eq!(app.last_seq().await, seq);
    // The next change takes the next number: the event of the failed update left no gap.
    edit_phone(&app.db, "测试", department, "0411-0003").await;
    assert_eq!(app.events_after(seq).await.len(), 1);
    let verified = app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(verified.size as i64, seq + 1);
}

#[tokio::test]
async fn a_transactions_events_are_numbered_in_the_order_its_objects_were_first_changed() {
    use sea_orm::{EntityTrait, IntoActiveModel};
    let app = demo_app().await;
    let seq = app.last_seq().await;
    let first = app.department_id("高新技术处").await;
    let second = app.department_id("滨海市科学技术局").await;
    // On SQLite the first update writes its event with it, the others are written at the commit;
    // the first department is changed again after them.
    let (mut tx, row) = department_edit(&app.db, first).await;
    let mut am = row.clone().into_active_model();
    am.phone = Set(Some("0411-1001".into()));
    let changed = tx.update(&row, am).await.unwrap();
    tx.note(("test", "顺序"), "n", 0.into(), 1.into());
    let other = app::org::entities::department::Entity::find_by_id(second)
        .one(tx.reader())
        .await
        .unwrap()
        .unwrap();
    let mut am = other.clone().into_active_model();
    am.phone = Set(Some("0411-1002".into()));
    tx.update(&other, am).await.unwrap();
    let mut am = changed.clone().into_active_model();
    am.phone = Set(Some("0411-1003".into()));
    tx.update(&changed, am).await.unwrap();
    tx.commit().await.unwrap();
    let events = app.events_after(seq).await;
    let objects: Vec<(&str, &str)> = events
        .iter()
        .map(|(_, object_type, object_id, _)| (object_type.as_str(), object_id.as_str()))
        .collect();
    let (first, second) = (first.to_string(), second.to_string());
    assert_eq!(
        objects,
        [
            ("department", first.as_str()),
            ("test", "顺序"),
            ("department", second.as_str()),
        ]
    );
    assert_eq!(
        events[0].3["phone"][1],
        json!("0411-1003"),
        "{:?}",
        events[0]
    );
    app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_or_else(|f| panic!("{f}"));
}

#[tokio::test]
async fn an_edit_of_a_row_changed_since_it_was_read_is_refused_and_loses_nothing() {
    use axum::response::IntoResponse;
    use sea_orm::IntoActiveModel;
    let app = demo_app().await;
    let department = app.department_id("高新技术处").await;
    // A page reads the row (outside any transaction, as the pages do), then someone else saves.
    let stale = crate::common::department_row(&app.db, department).await;
    edit_phone(&app.db, "另一位管理员", department, "0411-2001").await;
    let seq = app.last_seq().await;
    let mut tx = app::db::audited::AuditedTx::begin(
        &app.db,
        app::db::audited::Actor::system("测试"),
        "org.dept.update",
    )
    .await
    .unwrap();
    let mut am = stale.clone().into_active_model();
    am.name = Set("改名的处室".into());
    let err = tx.update(&stale, am).await.unwrap_err();
    assert!(
        matches!(err, app::db::audited::AuditedError::Changed(..)),
        "{err:?}"
    );
    assert!(err.to_string().contains("已被他人修改"), "{err}");
    drop(tx);
    // The user is answered 409 with that message, not an internal error.
    let response = app::web::error::AppError::from(err).into_response();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // The other editor's change stands, the refused one left nothing: no row change, no event.
    let now = crate::common::department_row(&app.db, department).await;
    assert_eq!(
        (now.name.as_str(), now.phone.as_deref()),
        (stale.name.as_str(), Some("0411-2001"))
    );
    assert_eq!(app.last_seq().await, seq);
    // Read again, the same edit goes through, and its event's "before" is the row's.
    let mut tx = app::db::audited::AuditedTx::begin(
        &app.db,
        app::db::audited::Actor::system("测试"),
        "org.dept.update",
    )
    .await
    .unwrap();
    let mut am = now.clone().into_active_model();
    am.name = Set("改名的处室".into());
    tx.update(&now, am).await.unwrap();
    tx.commit().await.unwrap();
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].3["name"], json!([stale.name, "改名的处室"]));
    app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_or_else(|f| panic!("{f}"));
}
