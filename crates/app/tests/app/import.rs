//! 用户导入: preview first, every problem named by row, all-or-nothing unless the user chooses the
//! valid rows only.

use axum::http::StatusCode;

use crate::common::{Auth, PASSWORD, TestApp, demo_app};

fn sheet(rows: &[&[&str]]) -> Vec<u8> {
    let columns: Vec<app::web::xlsx::Column> = rows[0]
        .iter()
        .map(|h| app::web::xlsx::Column {
            header: Box::leak(h.to_string().into_boxed_str()),
            width: 12.0,
        })
        .collect();
    let data: Vec<Vec<String>> = rows[1..]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    app::web::xlsx::workbook("用户", &columns, &data).unwrap()
}

async fn upload(app: &TestApp, auth: &Auth, file: Vec<u8>) -> crate::common::Resp {
    app.post_multipart(
        auth,
        "/org/users/import",
        &[],
        Some(("file", "users.xlsx", &file)),
    )
    .await
}

fn token(page: &str) -> String {
    page.split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a confirm token")
        .to_owned()
}

const HEADER: &[&str] = &["用户名", "姓名", "部门", "手机号码", "角色"];

#[tokio::test]
async fn a_bad_row_blocks_the_whole_import_until_the_user_chooses() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let before_users = app.count("app_user").await;
    let before_events = app.audit_count().await;
    let file = sheet(&[
        HEADER,
        &["wangfang", "王芳", "高新技术处", "13800000011", "经办人"],
        &["clerk", "重名", "高新技术处", "", ""],
        &["zhaolei", "赵磊", "宇宙管理处", "138", "局长"],
        &["liuyang", "刘洋", "农村科技处", "", ""],
        &["wangfang", "王芳二", "办公室", "", ""],
    ]);
    let r = upload(&app, &admin, file).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for expected in [
        "第3行：用户名“clerk”已被使用",
        "第4行：部门“宇宙管理处”不存在或不在您的数据权限内；角色“局长”不存在",
        "第6行：用户名“wangfang”与第2行重复",
        "2行可以导入，3行有问题",
    ] {
        assert!(
            r.body.contains(expected),
            "preview says {expected}: {}",
            r.body
        );
    }
    assert_eq!(
        app.count("app_user").await,
        before_users,
        "the preview writes nothing"
    );
    assert_eq!(app.audit_count().await, before_events);
    assert!(
        !r.body.contains("value=\"all\""),
        "with bad rows, importing everything is not offered"
    );

    // Forcing `all` anyway is refused, and nothing is written.
    let t = token(&r.body);
    let refused = app
        .post_form(
            &admin,
            "/org/users/import/confirm",
            &[("token", &t), ("mode", "all")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("未写入任何数据"));
    assert_eq!(app.count("app_user").await, before_users);

    // The user chooses the valid rows only: two users, one transaction, passwords shown once.
    let t = token(&refused.body);
    let done = app
        .post_form(
            &admin,
            "/org/users/import/confirm",
            &[("token", &t), ("mode", "valid")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("已导入2个用户"));
    assert_eq!(app.count("app_user").await, before_users + 2);
    assert_eq!(
        app.count("app_user WHERE username = 'wangfang' AND must_change_password = true")
            .await,
        1
    );
    let events = app.events_after(before_events).await;
    assert_eq!(events.len(), 2, "one event per imported user: {events:?}");
    assert!(events.iter().all(|e| e.0 == "org.user.import"));
    // The token is used up.
    let again = app
        .post_form(
            &admin,
            "/org/users/import/confirm",
            &[("token", &t), ("mode", "valid")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_clean_sheet_imports_whole_and_bad_files_are_explained() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let r = upload(
        &app,
        &admin,
        sheet(&[
            HEADER,
            &["sunli", "孙丽", "办公室", "13912345678", "经办人"],
        ]),
    )
    .await;
    assert!(r.body.contains("确认导入全部1行"), "{}", r.body);
    let done = app
        .post_form(
            &admin,
            "/org/users/import/confirm",
            &[("token", &token(&r.body)), ("mode", "all")],
        )
        .await;
    assert!(done.body.contains("已导入1个用户"), "{}", done.body);

    let r = upload(&app, &admin, b"not a spreadsheet".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不是有效的 Excel"), "{}", r.body);
    let r = upload(
        &app,
        &admin,
        sheet(&[&["姓名", "手机号码"], &["孙丽", "1"]]),
    )
    .await;
    assert!(r.body.contains("第1行表头缺少“用户名”列"), "{}", r.body);

    // Another user cannot confirm someone else's preview, and clerks cannot import at all.
    let r = upload(
        &app,
        &admin,
        sheet(&[HEADER, &["qianjin", "钱进", "办公室", "", ""]]),
    )
    .await;
    let t = token(&r.body);
    let head = app.login("head", PASSWORD).await;
    assert_eq!(
        app.post_form(
            &head,
            "/org/users/import/confirm",
            &[("token", &t), ("mode", "all")]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let clerk = app.login("clerk", PASSWORD).await;
    assert_eq!(
        upload(
            &app,
            &clerk,
            sheet(&[HEADER, &["x1", "某", "办公室", "", ""]])
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("app_user WHERE username = 'qianjin'").await, 0);
}
