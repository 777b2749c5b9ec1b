//! 查重 guards: documents outside the viewer's scope are never sources and their pages are 404, bad
//! uploads name the file and write nothing, every write has its audit event, and the index is
//! rebuilt from the database when it is missing or broken.

use app::web::{AppState, Config};
use axum::http::StatusCode;
use serde_json::json;

use crate::common::{PASSWORD, TestApp, demo_app};
use crate::similarity_pages::{Upload, check, check_figure, post_files, text, upload};

#[tokio::test]
async fn documents_outside_the_scope_are_never_sources_and_their_pages_are_404() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let head = app.login("head", PASSWORD).await;
    let nckj = app.department_id("农村科技处").await;
    let source = text(11, 800);
    let id = upload(&app, &admin, "农村处的申报书", "滨海丙单位", nckj, &source).await;

    // The head of 高新技术处 sees neither the document nor its pages.
    let r = app.get(&head, "/similarity/library?size=100").await;
    assert!(!r.body.contains("农村处的申报书"));
    for path in [
        format!("/similarity/library/{id}"),
        format!("/similarity/library/{id}/delete"),
    ] {
        assert_eq!(
            app.get(&head, &path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let events = app.audit_count().await;
    let r = app
        .post_form(&head, &format!("/similarity/library/{id}/delete"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.audit_count().await, events);
    assert_eq!(
        app.count(&format!("similarity_document WHERE id = {id}"))
            .await,
        1
    );

    // A copy of it is clear for the head, a duplicate for the admin (all data).
    let query = format!("{}{}", source, text(12, 100));
    let theirs = check(&app, &head, "", &query).await;
    assert_eq!(check_figure(&app, theirs, "sources").await, 0);
    assert_eq!(check_figure(&app, theirs, "total_ratio_bp").await, 0);
    let r = app
        .get(&head, &format!("/similarity/reports/{theirs}"))
        .await;
    assert!(!r.body.contains("农村处的申报书"));
    let mine = check(&app, &admin, "", &query).await;
    assert!(check_figure(&app, mine, "total_ratio_bp").await >= 8800);
    let verdict: String = {
        use sea_orm::ConnectionTrait;
        let row = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                format!("SELECT verdict FROM similarity_check WHERE id = {mine}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
    };
    assert_eq!(verdict, "duplicate");

    // A check record is in the scope of who ran it: the admin's is 404 for the head.
    for path in [
        format!("/similarity/reports/{mine}"),
        format!("/similarity/reports/{mine}/report.docx"),
    ] {
        assert_eq!(
            app.get(&head, &path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn bad_uploads_name_the_file_and_write_nothing() {
    let app = demo_app().await;
    let head = app.login("head", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await.to_string();
    let docs = app.count("similarity_document").await;
    let checks = app.count("similarity_check").await;
    let events = app.audit_count().await;
    let good = text(31, 200);
    let too_long = text(32, 300_001);
    let fields = [("department_id", gxjs.as_str())];
    let cases: Vec<(Vec<Upload>, &str)> = vec![
        (
            vec![
                ("好的.txt", good.as_bytes()),
                ("乱码.txt", &[0xe4, 0xb8, 0xad, 0xff]),
            ],
            "乱码.txt 无法读取：第4字节起不是 UTF-8 编码",
        ),
        (
            vec![("损坏.docx", b"PK\x03\x04 broken")],
            "损坏.docx 无法读取：不是有效的 .docx",
        ),
        (
            vec![("空白.txt", "　，。\n".as_bytes())],
            "空白.txt 中没有可比对的文字",
        ),
        (vec![("空.txt", b"")], "空.txt 是空文件"),
        (
            vec![("太长.txt", too_long.as_bytes())],
            "太长.txt 共300001字，超过单篇上限300000字",
        ),
        (
            vec![("扫描件.pdf", b"%PDF-1.4")],
            "只支持 .txt 和 .docx 文件",
        ),
        (vec![], "请选择要上传的文件"),
    ];
    for (files, message) in &cases {
        let r = post_files(&app, &head, "/similarity/library/upload", &fields, files).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(r.body.contains(message), "{message}: {}", r.body);
        // The check refuses the same file (the last one) alike.
        let last: Vec<Upload> = files.last().copied().into_iter().collect();
        let r = post_files(&app, &head, "/similarity/check", &[], &last).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "check: {message}"
        );
    }
    // A department outside the uploader's scope, and a title for several files.
    let nckj = app.department_id("农村科技处").await.to_string();
    let r = post_files(
        &app,
        &head,
        "/similarity/library/upload",
        &[("department_id", &nckj)],
        &[("好的.txt", good.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请选择所属部门"));
    let r = post_files(
        &app,
        &head,
        "/similarity/library/upload",
        &[("department_id", &gxjs), ("title", "一个标题")],
        &[("一.txt", good.as_bytes()), ("二.txt", good.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请将标题留空"));

    assert_eq!(app.count("similarity_document").await, docs);
    assert_eq!(app.count("similarity_check").await, checks);
    assert_eq!(app.audit_count().await, events);
}

#[tokio::test]
async fn every_write_has_its_audit_event_and_the_trail_verifies() {
    let app = demo_app().await;
    let head = app.login("head", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await;

    let seq = app.last_seq().await;
    let (a, b) = (text(41, 300), text(42, 300));
    let r = post_files(
        &app,
        &head,
        "/similarity/library/upload",
        &[
            ("owner", "滨海戊公司"),
            ("department_id", &gxjs.to_string()),
        ],
        &[("甲篇.txt", a.as_bytes()), ("乙篇.txt", b.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 2, "one event per document: {events:?}");
    for ((action, object_type, _, changes), title) in events.iter().zip(["甲篇", "乙篇"]) {
        assert_eq!(
            (action.as_str(), object_type.as_str()),
            ("similarity.library.add", "similarity_document")
        );
        assert_eq!(changes["title"], json!([null, title]));
        assert_eq!(changes["owner"], json!([null, "滨海戊公司"]));
        assert_eq!(changes["chars"], json!([null, 300]));
        assert_eq!(changes["content_sha256"][1].as_str().unwrap().len(), 64);
        assert!(
            changes.get("content").is_none(),
            "the text is on record by its hash"
        );
    }
    let doc = events[0].2.clone();

    let seq = app.last_seq().await;
    let id = check(&app, &head, "", &format!("{a}{}", text(43, 300))).await;
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let (action, object_type, object_id, changes) = &events[0];
    assert_eq!(
        (action.as_str(), object_type.as_str(), object_id.as_str()),
        (
            "similarity.check.run",
            "similarity_check",
            id.to_string().as_str()
        )
    );
    assert_eq!(changes["total_chars"], json!([null, 600]));
    assert_eq!(changes["sources"], json!([null, 1]));
    assert!(changes["total_ratio_bp"][1].as_i64().unwrap() >= 4900);
    assert_eq!(changes["title"], json!([null, "待查申报书"]));
    assert!(changes.get("report").is_none() && changes["report_sha256"][1].is_string());

    let seq = app.last_seq().await;
    let r = app
        .get(&head, &format!("/similarity/library/{doc}/delete"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("确定从比对库删除“甲篇”"));
    let r = app
        .post_form(&head, &format!("/similarity/library/{doc}/delete"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, "similarity.library.remove");
    assert_eq!(events[0].3["title"], json!(["甲篇", null]));
    // The deleted document is no longer a source.
    let again = check(&app, &head, "", &format!("{a}{}", text(43, 300))).await;
    assert_eq!(check_figure(&app, again, "sources").await, 0);

    let verified = app::audit::verify::verify(&app.db, app.log_key().verifier())
        .await
        .unwrap();
    assert!(verified.is_ok(), "{:?}", verified.err());
}

#[tokio::test]
async fn the_index_is_rebuilt_from_the_database_when_missing_or_broken() {
    let app = demo_app().await;
    let head = app.login("head", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await;
    let source = text(51, 500);
    upload(&app, &head, "留存申报书", "", gxjs, &source).await;
    let query = format!("{source}{}", text(52, 500));
    let first = check(&app, &head, "", &query).await;
    let expected = check_figure(&app, first, "total_ratio_bp").await;
    assert!(expected >= 4900);

    // A restart with the index directory gone, then one with its manifest overwritten.
    let index_dir = app.data_dir.join("similarity");
    for damage in ["removed", "garbage"] {
        if damage == "removed" {
            std::fs::remove_dir_all(&index_dir).unwrap();
        } else {
            for entry in std::fs::read_dir(&index_dir).unwrap() {
                std::fs::write(entry.unwrap().path(), b"not an index").unwrap();
            }
        }
        let restarted = TestApp {
            db: app.db.clone(),
            router: app::web::with_test_client(app::web::router(
                AppState::new(
                    app.db.clone(),
                    Config {
                        demo: true,
                        secure_cookies: false,
                        data_dir: app.data_dir.clone(),
                    },
                )
                .expect("the log key is in the data directory"),
            )),
            location: app.location.clone(),
            data_dir: std::env::temp_dir().join("sunlight-similarity-not-owned"),
        };
        let id = check(&restarted, &head, "", &query).await;
        assert_eq!(
            check_figure(&app, id, "total_ratio_bp").await,
            expected,
            "{damage}"
        );
    }
}

#[tokio::test]
async fn the_verdict_follows_the_bureau_thresholds_which_must_rise() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let r = app
        .post_form(
            &admin,
            "/system/settings",
            &crate::common::settings_form(&[
                ("similarity.suspected_percent", "70"),
                ("similarity.duplicate_percent", "60"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("重复阈值（60%）不能低于疑似重复阈值（70%）")
    );

    let r = app
        .post_form(
            &admin,
            "/system/settings",
            &crate::common::settings_form(&[
                ("similarity.suspected_percent", "20"),
                ("similarity.duplicate_percent", "30"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let gxjs = app.department_id("高新技术处").await;
    let source = text(71, 500);
    upload(&app, &admin, "阈值来源", "", gxjs, &source).await;
    // A quarter copied: 疑似重复 at 20%, not yet 重复 at 30%.
    let copied: String = source.chars().take(250).collect();
    let id = check(&app, &admin, "", &format!("{copied}{}", text(72, 750))).await;
    let r = app.get(&admin, &format!("/similarity/reports/{id}")).await;
    assert!(
        r.body.contains(r#"verdict-suspected">疑似重复"#),
        "{}",
        r.body
    );
    assert!(r.body.contains("疑似重复≥20%，重复≥30%"));
}
