//! A write's events become leaves of the Merkle log inside its own transaction: in the log the
//! moment it commits, linked to their objects' previous events, never there if it rolls back; events
//! an earlier version left pending go in first, and a gap among them stops writes, named.

use axum::http::StatusCode;
use sea_orm::ConnectionTrait;

use crate::audit_trail::{Commit, edit_phone, edit_phone_as};
use crate::common::{Auth, PASSWORD, TestApp, backend_is_postgres, demo_app, scalar_i64};

async fn in_log(app: &TestApp) -> i64 {
    scalar_i64(&app.db, "SELECT COUNT(*) FROM audit_event").await
}

async fn tree_size(app: &TestApp) -> i64 {
    scalar_i64(&app.db, "SELECT size FROM audit_tree").await
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

/// The verifier's verdict on the live database; its log size if it passed.
async fn verified_size(app: &TestApp) -> i64 {
    app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_or_else(|f| panic!("{f}"))
        .size as i64
}

/// One text column of the event `seq`.
async fn event_column(app: &TestApp, column: &str, seq: i64) -> String {
    app.db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT {column} FROM audit_event WHERE seq = {seq}"),
        ))
        .await
        .unwrap()
        .expect("the event is in the log")
        .try_get_by_index(0)
        .unwrap()
}

async fn note_tx(db: &sea_orm::DatabaseConnection) -> app::db::audited::AuditedTx {
    app::db::audited::AuditedTx::begin(db, app::db::audited::Actor::system("测试"), "test.note")
        .await
        .unwrap()
}

#[tokio::test]
async fn a_write_is_in_the_log_at_its_commit_and_linked_to_its_objects_previous_event() {
    let app = demo_app().await;
    let logged = in_log(&app).await;
    assert_eq!(
        tree_size(&app).await,
        logged,
        "the demo's events are leaves"
    );
    let department = app.department_id("高新技术处").await;
    edit_phone(&app.db, "甲", department, "0411-1").await;
    assert_eq!(in_log(&app).await, logged + 1, "in the log at its commit");
    assert_eq!(tree_size(&app).await, logged + 1);
    edit_phone(&app.db, "乙", department, "0411-2").await;
    let (first, _) = leaf_and_prev(&app, logged + 1).await;
    let (_, prev) = leaf_and_prev(&app, logged + 2).await;
    assert_eq!(prev, Some(first), "the second edit is linked to the first");
    let head = app::audit::checkpoints::tree_head(&app.db).await.unwrap();
    assert_eq!(head.size as i64, logged + 2);
    assert_eq!(
        scalar_i64(&app.db, "SELECT COUNT(*) FROM audit_pending").await,
        0,
        "nothing waits to be put in the log"
    );
    assert_eq!(verified_size(&app).await, logged + 2);
}

#[tokio::test]
async fn a_write_rolled_back_leaves_no_leaf_and_the_next_one_takes_its_place() {
    let app = demo_app().await;
    let logged = in_log(&app).await;
    let mut tx = note_tx(&app.db).await;
    tx.note(("test", "1"), "n", serde_json::json!(null), 1.into());
    drop(tx);
    assert_eq!(in_log(&app).await, logged);
    assert_eq!(tree_size(&app).await, logged);
    let mut tx = note_tx(&app.db).await;
    tx.note(("test", "2"), "n", serde_json::json!(null), 2.into());
    tx.commit().await.unwrap();
    let object = event_column(&app, "object_id", logged + 1).await;
    assert_eq!(object, "2");
}

#[tokio::test]
async fn more_events_than_one_statement_holds_are_all_appended() {
    let app = demo_app().await;
    let logged = in_log(&app).await;
    let mut tx = note_tx(&app.db).await;
    for i in 0..2_345 {
        tx.note(
            ("test", &i.to_string()),
            "n",
            serde_json::json!(null),
            i.into(),
        );
    }
    tx.commit().await.unwrap();
    assert_eq!(in_log(&app).await, logged + 2_345);
    // Again, each object's second event linked to its first, across the statements' chunks.
    let mut tx = note_tx(&app.db).await;
    for i in 0..2_345 {
        tx.note(("test", &i.to_string()), "n", i.into(), (i + 1).into());
    }
    tx.commit().await.unwrap();
    assert_eq!(verified_size(&app).await, logged + 4_690);
    let (first, _) = leaf_and_prev(&app, logged + 2_345).await;
    let (_, prev) = leaf_and_prev(&app, logged + 4_690).await;
    assert_eq!(prev, Some(first));
}

/// Pending rows as an earlier version left them: numbered after the tree's last leaf, its counter
/// advanced.
async fn leave_pending(app: &TestApp, seqs: &[i64]) {
    let rows: Vec<String> = seqs
        .iter()
        .map(|seq| {
            format!(
                "({seq}, 1, 0, NULL, '系统', NULL, '', 'test.note', 'test', 'old{seq}', '{{\"n\":[0,{seq}]}}')"
            )
        })
        .collect();
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO audit_pending (seq, version, at, actor_id, actor_name, department_id, ip, \
             action, object_type, object_id, changes) VALUES {}",
            rows.join(", ")
        ))
        .await
        .unwrap();
    // SQLite's counter is the table's AUTOINCREMENT high-water mark, which the insert advanced.
    if backend_is_postgres() {
        let next = seqs.iter().max().unwrap() + 1;
        app.db
            .execute_unprepared(&format!("UPDATE audit_head SET next_seq = {next}"))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn events_an_earlier_version_left_pending_go_in_before_the_next_writes() {
    let app = demo_app().await;
    let department = app.department_id("高新技术处").await;
    // A write first: this process then knows the tree, which the pending rows do not change.
    edit_phone(&app.db, "甲", department, "0411-0").await;
    let logged = in_log(&app).await;
    leave_pending(&app, &[logged + 1, logged + 2]).await;
    edit_phone(&app.db, "甲", department, "0411-1").await;
    assert_eq!(in_log(&app).await, logged + 3);
    let (_, prev) = leaf_and_prev(&app, logged + 3).await;
    assert!(
        prev.is_some(),
        "the edit is linked to the department's last event"
    );
    let object = event_column(&app, "object_id", logged + 2).await;
    assert_eq!(object, format!("old{}", logged + 2));
    assert_eq!(verified_size(&app).await, logged + 3);
}

#[tokio::test]
async fn a_gap_among_pending_events_stops_writes_and_is_named() {
    let app = demo_app().await;
    let logged = in_log(&app).await;
    let missing = logged + 1;
    leave_pending(&app, &[logged + 2]).await;
    let f = app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(f.seq, Some(missing));
    assert!(f.zh.contains(&format!("缺少第{missing}号")), "{}", f.zh);
    assert!(f.en.contains(&format!("event {missing}")), "{}", f.en);
    // Nothing is written past the gap, a login neither (it records the login), and the user is
    // told why; the command-line verifier names the fault.
    let department = app.department_id("高新技术处").await;
    let mut tx = note_tx(&app.db).await;
    tx.note(
        ("department", &department.to_string()),
        "n",
        0.into(),
        1.into(),
    );
    let err = tx.commit().await.unwrap_err();
    assert!(
        err.to_string().contains(&format!("缺少第{missing}号")),
        "{err}"
    );
    assert_eq!(in_log(&app).await, logged);
    let r = app
        .post_form(
            &Auth::None,
            "/login",
            &[("username", "admin"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert!(
        r.body.contains("审计日志无法追加") && r.body.contains(&format!("缺少第{missing}号")),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_write_after_another_process_appended_links_to_that_processs_event() {
    let app = demo_app().await;
    let department = app.department_id("高新技术处").await;
    edit_phone(&app.db, "甲", department, "0411-1").await;
    let logged = in_log(&app).await;
    // Another process (here: an earlier version's pending event, integrated) appends an event of
    // the same department; this process's memory of the log's tail is now out of date.
    let row = format!(
        "({}, 1, 0, NULL, '系统', NULL, '', 'test.note', 'department', '{department}', '{{\"n\":[0,1]}}')",
        logged + 1
    );
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO audit_pending (seq, version, at, actor_id, actor_name, department_id, ip, \
             action, object_type, object_id, changes) VALUES {row}"
        ))
        .await
        .unwrap();
    if backend_is_postgres() {
        app.db
            .execute_unprepared(&format!("UPDATE audit_head SET next_seq = {}", logged + 2))
            .await
            .unwrap();
    }
    assert_eq!(app::audit::integrate::integrate(&app.db).await.unwrap(), 1);
    edit_phone(&app.db, "乙", department, "0411-2").await;
    let (other, _) = leaf_and_prev(&app, logged + 1).await;
    let (_, prev) = leaf_and_prev(&app, logged + 2).await;
    assert_eq!(prev, Some(other), "linked to the other process's event");
    assert_eq!(verified_size(&app).await, logged + 2);
}

#[tokio::test]
async fn an_object_created_again_under_its_old_key_continues_its_history() {
    use app::settings::entity as setting;
    use sea_orm::ActiveValue::Set;
    let app = demo_app().await;
    let stored = |value: &str| setting::ActiveModel {
        key: Set("audit.checkpoint_minutes".into()),
        value: Set(value.into()),
        updated_at: Set(0),
    };
    let mut tx = note_tx(&app.db).await;
    let first = tx.insert(stored("30")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = note_tx(&app.db).await;
    tx.delete::<setting::ActiveModel>(first).await.unwrap();
    tx.commit().await.unwrap();
    let removed_at = in_log(&app).await;
    // Another process appends (an earlier version's pending event), and this process writes after
    // it: its memory of the tail is current again, but knows only that write's object.
    leave_pending(&app, &[removed_at + 1]).await;
    assert_eq!(app::audit::integrate::integrate(&app.db).await.unwrap(), 1);
    let mut tx = note_tx(&app.db).await;
    tx.note(("test", "other"), "n", 0.into(), 1.into());
    tx.commit().await.unwrap();
    // Stored again: a row the transaction creates is guessed to have no event before it; this one
    // has two under its key, so the guess is wrong, the write finds out and links to the removal.
    let mut tx = note_tx(&app.db).await;
    tx.insert(stored("45")).await.unwrap();
    tx.commit().await.unwrap();
    let (removal, _) = leaf_and_prev(&app, removed_at).await;
    let (_, prev) = leaf_and_prev(&app, removed_at + 3).await;
    assert_eq!(prev, Some(removal));
    assert_eq!(verified_size(&app).await, removed_at + 3);
}

#[tokio::test]
async fn an_edit_followed_by_other_changes_in_its_transaction_enters_the_log_once_with_them() {
    use sea_orm::{EntityTrait, IntoActiveModel, QuerySelect, Set};
    let app = demo_app().await;
    let department = app.department_id("高新技术处").await;
    // A first edit, so that the process knows the department's latest event.
    edit_phone(&app.db, "甲", department, "0411-1").await;
    let logged = in_log(&app).await;
    let mut tx = note_tx(&app.db).await;
    let before = app::org::entities::department::Entity::find_by_id(department)
        .lock_exclusive()
        .one(tx.reader())
        .await
        .unwrap()
        .unwrap();
    let mut am = before.clone().into_active_model();
    am.phone = Set(Some("0411-2".into()));
    let after = tx.update(&before, am).await.unwrap();
    // The same department again, and another object: the events are the transaction's, whole.
    let mut am = after.clone().into_active_model();
    am.phone = Set(Some("0411-3".into()));
    tx.update(&after, am).await.unwrap();
    tx.note(("test", "beside"), "n", 0.into(), 1.into());
    tx.commit().await.unwrap();
    assert_eq!(in_log(&app).await, logged + 2);
    let (first, _) = leaf_and_prev(&app, logged).await;
    let (_, prev) = leaf_and_prev(&app, logged + 1).await;
    assert_eq!(prev, Some(first));
    let changes = event_column(&app, "changes", logged + 1).await;
    assert!(
        changes.contains("0411-1") && changes.contains("0411-3") && !changes.contains("0411-2"),
        "one event from the row as it was to the row as it is: {changes}"
    );
    assert_eq!(verified_size(&app).await, logged + 2);
}

#[tokio::test]
async fn a_thousand_objects_written_twice_are_appended_and_linked() {
    let app = demo_app().await;
    let logged = in_log(&app).await;
    for round in 0..2 {
        let mut tx = note_tx(&app.db).await;
        for i in 0..1_000 {
            tx.note(
                ("test", &format!("k{i}")),
                "n",
                round.into(),
                (round + 1).into(),
            );
        }
        tx.commit().await.unwrap();
    }
    let (first, _) = leaf_and_prev(&app, logged + 1_000).await;
    let (_, prev) = leaf_and_prev(&app, logged + 2_000).await;
    assert_eq!(prev, Some(first));
    assert_eq!(verified_size(&app).await, logged + 2_000);
}

/// A department's phone as stored.
async fn phone_of(app: &TestApp, department: i64) -> Option<String> {
    crate::common::department_row(&app.db, department)
        .await
        .phone
}

#[tokio::test]
async fn an_edit_committed_with_its_update_is_in_the_log_linked_also_after_another_process_wrote() {
    let app = demo_app().await;
    let department = app.department_id("高新技术处").await;
    // A first write, so that this process knows the tail: the update and the append are then
    // one statement.
    edit_phone(&app.db, "甲", department, "0411-1").await;
    let logged = in_log(&app).await;
    edit_phone_as(Commit::WithTheUpdate, &app.db, "乙", department, "0411-2").await;
    assert_eq!(in_log(&app).await, logged + 1);
    assert_eq!(tree_size(&app).await, logged + 1);
    let (first, _) = leaf_and_prev(&app, logged).await;
    let (second, prev) = leaf_and_prev(&app, logged + 1).await;
    assert_eq!(
        prev,
        Some(first),
        "linked to the department's previous event"
    );
    assert_eq!(phone_of(&app, department).await.as_deref(), Some("0411-2"));
    // Another process appends an event of the same department (an earlier version's pending
    // event, integrated): the guessed tail is now wrong, so the statement's update goes in but
    // its append does not; the append follows on what the database holds. The row is updated
    // once and the event links to the other process's.
    leave_pending(&app, &[logged + 2]).await;
    app.db
        .execute_unprepared(&format!(
            "UPDATE audit_pending SET object_type = 'department', object_id = '{department}' \
             WHERE seq = {}",
            logged + 2
        ))
        .await
        .unwrap();
    assert_eq!(app::audit::integrate::integrate(&app.db).await.unwrap(), 1);
    let (other, other_prev) = leaf_and_prev(&app, logged + 2).await;
    assert_eq!(other_prev, Some(second));
    edit_phone_as(Commit::WithTheUpdate, &app.db, "丙", department, "0411-3").await;
    assert_eq!(in_log(&app).await, logged + 3);
    let (_, prev) = leaf_and_prev(&app, logged + 3).await;
    assert_eq!(prev, Some(other), "linked to the other process's event");
    let changes = event_column(&app, "changes", logged + 3).await;
    assert!(
        changes.contains(r#""phone":["0411-2","0411-3"]"#),
        "{changes}"
    );
    assert_eq!(phone_of(&app, department).await.as_deref(), Some("0411-3"));
    assert_eq!(verified_size(&app).await, logged + 3);
}

#[tokio::test]
async fn an_edit_committed_with_its_update_of_a_row_changed_or_gone_leaves_nothing() {
    use sea_orm::{IntoActiveModel, Set};
    let app = demo_app().await;
    let department = app.department_id("高新技术处").await;
    let stale = crate::common::department_row(&app.db, department).await;
    // Someone saves after the row was read (and this process then knows the tail).
    edit_phone(&app.db, "另一位管理员", department, "0411-9").await;
    let logged = in_log(&app).await;
    let mut am = stale.clone().into_active_model();
    am.name = Set("改名的处室".into());
    let err = note_tx(&app.db)
        .await
        .commit_update(&stale, am)
        .await
        .unwrap_err();
    assert!(
        matches!(err, app::db::audited::AuditedError::Changed(..)),
        "{err:?}"
    );
    assert!(err.to_string().contains("已被他人修改"), "{err}");
    // A row that is gone: refused as an update that changed nothing.
    let mut gone = stale.clone();
    gone.id = i64::from(i32::MAX);
    let mut am = gone.clone().into_active_model();
    am.name = Set("不存在的处室".into());
    let err = note_tx(&app.db)
        .await
        .commit_update(&gone, am)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("数据库错误"), "{err}");
    // Neither left a change or an event, nor a gap: the next edit takes the next number.
    assert_eq!(in_log(&app).await, logged);
    let now = crate::common::department_row(&app.db, department).await;
    assert_eq!(
        (now.name.as_str(), now.phone.as_deref()),
        (stale.name.as_str(), Some("0411-9"))
    );
    edit_phone_as(Commit::WithTheUpdate, &app.db, "甲", department, "0411-10").await;
    assert_eq!(in_log(&app).await, logged + 1);
    assert_eq!(verified_size(&app).await, logged + 1);
}

#[tokio::test]
async fn an_edit_committed_with_its_update_after_other_changes_enters_the_log_with_them() {
    use sea_orm::{IntoActiveModel, Set};
    let app = demo_app().await;
    let department = app.department_id("高新技术处").await;
    edit_phone(&app.db, "甲", department, "0411-1").await;
    let logged = in_log(&app).await;
    let mut tx = note_tx(&app.db).await;
    tx.note(("test", "before"), "n", 0.into(), 1.into());
    let before = crate::common::department_row(tx.reader(), department).await;
    let mut am = before.clone().into_active_model();
    am.phone = Set(Some("0411-2".into()));
    let after = tx.update(&before, am).await.unwrap();
    // The same row again, as the last change: one event for the department, after the note's.
    let mut am = after.clone().into_active_model();
    am.phone = Set(Some("0411-3".into()));
    tx.commit_update(&after, am).await.unwrap();
    assert_eq!(in_log(&app).await, logged + 2);
    assert_eq!(event_column(&app, "object_type", logged + 1).await, "test");
    let (first, _) = leaf_and_prev(&app, logged).await;
    let (_, prev) = leaf_and_prev(&app, logged + 2).await;
    assert_eq!(prev, Some(first));
    let changes = event_column(&app, "changes", logged + 2).await;
    assert!(
        changes.contains(r#""phone":["0411-1","0411-3"]"#),
        "{changes}"
    );
    assert_eq!(verified_size(&app).await, logged + 2);
}
