//! Bad input gets a clear message or status, and nothing is written.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::common::{PASSWORD, demo_app};

#[tokio::test]
async fn bad_user_fields_are_named_in_chinese_and_nothing_is_written() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let token = app.token("admin", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await.to_string();
    let before = app.audit_count().await;
    let users = app.count("app_user").await;
    let long = "名".repeat(51);
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[
                ("username", "wangwu"),
                ("name", &long),
                ("department_id", &gxjs),
                ("status", "active"),
            ],
            "姓名",
        ),
        (
            &[
                ("username", "wangwu"),
                ("name", "王五"),
                ("department_id", &gxjs),
                ("phone", "1380013800"),
                ("status", "active"),
            ],
            "手机",
        ),
        (
            &[
                ("username", "clerk"),
                ("name", "王五"),
                ("department_id", &gxjs),
                ("status", "active"),
            ],
            "已被使用",
        ),
        (
            &[
                ("username", "wangwu"),
                ("name", "王五"),
                ("department_id", "abc"),
                ("status", "active"),
            ],
            "部门",
        ),
    ];
    for (fields, message) in cases {
        let r = app.post_form(&admin, "/org/users/new", fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(
            field_errors(&r.body).iter().any(|e| e.contains(message)),
            "{fields:?} should say {message} next to the field: {}",
            r.body
        );
        // What the user typed is kept in the form.
        assert!(r.body.contains("王五") || r.body.contains(&long));
    }
    // The API says the same, as JSON, with the field names.
    let r = app
        .api(&token, Method::POST, "/api/v1/users", Some(serde_json::json!({"username": "clerk", "name": "王五", "department_id": gxjs, "phone": "12345"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let errors = &r.json()["fields"];
    assert!(
        errors["username"].as_str().unwrap().contains("已被使用"),
        "{errors}"
    );
    assert!(
        errors["phone"].as_str().unwrap().contains("手机"),
        "{errors}"
    );
    assert_eq!(app.audit_count().await, before);
    assert_eq!(app.count("app_user").await, users);
}

#[tokio::test]
async fn malformed_ids_in_urls_are_404_not_errors() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let token = app.token("admin", PASSWORD).await;
    for path in [
        "/org/users/abc/edit",
        "/org/users/-1/edit",
        "/org/users/99999999999999999999999/edit",
        "/org/departments/1%27%20OR%201=1/edit",
        "/org/roles/0/edit",
    ] {
        let r = app.get(&admin, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.body.contains("不存在"), "{path}: {}", r.body);
    }
    for path in ["/api/v1/users/abc", "/api/v1/departments/1.5"] {
        let r = app.get(&token, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.json()["error"].is_string());
    }
}

#[tokio::test]
async fn oversized_bodies_and_malformed_json_are_refused() {
    let app = demo_app().await;
    let crate::common::Auth::Cookie(cookie) = app.login("admin", PASSWORD).await else {
        unreachable!()
    };
    let token = app.token("admin", PASSWORD).await;
    let before = app.audit_count().await;
    let huge = format!("name={}&code=BIG&kind=department", "长".repeat(300_000));
    let req = Request::builder()
        .method(Method::POST)
        .uri("/org/departments/new")
        .header(header::HOST, "sunlight.test")
        .header(header::COOKIE, cookie.as_str())
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(huge))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("过大"), "{}", r.body);

    let crate::common::Auth::Bearer(t) = token else {
        unreachable!()
    };
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/departments")
        .header(header::AUTHORIZATION, format!("Bearer {t}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"name\": "))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.json()["error"].as_str().unwrap().contains("JSON"),
        "{}",
        r.body
    );
    assert_eq!(app.audit_count().await, before);
}

#[tokio::test]
async fn a_department_cannot_become_its_own_ancestor() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let bureau = app.department_id("滨海市科学技术局").await;
    let gxjs = app.department_id("高新技术处").await.to_string();
    let before = app.audit_count().await;
    let r = app
        .post_form(
            &admin,
            &format!("/org/departments/{bureau}/edit"),
            &[
                ("name", "滨海市科学技术局"),
                ("code", "BH-KJJ"),
                ("kind", "bureau"),
                ("parent_id", &gxjs),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("上级部门"), "{}", r.body);
    assert_eq!(app.audit_count().await, before);
}

/// The messages shown next to form fields.
fn field_errors(page: &str) -> Vec<String> {
    page.split("<div class=\"field-error\">")
        .skip(1)
        .filter_map(|rest| rest.split("</div>").next())
        .map(str::to_owned)
        .collect()
}
