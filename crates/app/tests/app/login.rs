//! Logging in and out: lock-out, CSRF, session expiry, password change, the first admin password.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::common::{Auth, PASSWORD, demo_app, empty_app};

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes_and_are_logged() {
    let app = demo_app().await;
    for i in 1..=5 {
        let r = app
            .post_form(
                &Auth::None,
                "/login",
                &[("username", "clerk"), ("password", "wrong")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert!(
            r.body.contains("用户名或密码错误") || r.body.contains("锁定"),
            "{}",
            r.body
        );
    }
    // Now even the right password is refused, with the reason.
    let r = app
        .post_form(
            &Auth::None,
            "/login",
            &[("username", "clerk"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("账号已锁定，请15分钟后再试"), "{}", r.body);
    let r = app
        .api(
            &Auth::None,
            Method::POST,
            "/api/v1/session",
            Some(serde_json::json!({"username": "clerk", "password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["error"].as_str().unwrap().contains("锁定"));
    // Other accounts are not affected.
    app.login("clerk2", PASSWORD).await;
    // The lock ends when its time is over.
    app.db
        .execute_unprepared("UPDATE app_user SET locked_until = 1 WHERE username = 'clerk'")
        .await
        .unwrap();
    app.login("clerk", PASSWORD).await;
    // The login log has every attempt with the browser and the outcome; admins read it.
    assert_eq!(
        app.count("login_log WHERE username = 'clerk' AND success = false")
            .await,
        6 + 1
    );
    let admin = app.login("admin", PASSWORD).await;
    let page = app.get(&admin, "/system/login-log?username=clerk").await;
    assert!(
        page.body.contains("clerk") && page.body.contains("127.0.0.1"),
        "{}",
        page.body
    );
}

use sea_orm::ConnectionTrait;

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let app = demo_app().await;
    let Auth::Cookie(cookie) = app.login("admin", PASSWORD).await else {
        unreachable!()
    };
    let before = app.audit_count().await;
    let bureau = app.department_id("滨海市科学技术局").await.to_string();
    let body = serde_urlencoded::to_string([
        ("name", "钓鱼处"),
        ("code", "DY"),
        ("kind", "department"),
        ("parent_id", bureau.as_str()),
        ("status", "active"),
    ])
    .unwrap();
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ] {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/org/departments/new")
            .header(header::HOST, "sunlight.test")
            .header(header::COOKIE, cookie.as_str())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(name, value)
            .body(Body::from(body.clone()))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(r.body.contains("跨站"), "{}", r.body);
    }
    assert_eq!(app.audit_count().await, before);
    assert_eq!(app.count("department WHERE code = 'DY'").await, 0);
    // The same form from our own origin works.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/org/departments/new")
        .header(header::HOST, "sunlight.test")
        .header(header::COOKIE, cookie.as_str())
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://sunlight.test")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sessions_expire_when_idle_and_end_at_logout() {
    let app = demo_app().await;
    let cookie = app.login("clerk", PASSWORD).await;
    assert_eq!(app.get(&cookie, "/").await.status, StatusCode::OK);
    // 31 minutes without a request (the default idle limit is 30).
    let idle = app::db::now_ms() - 31 * 60 * 1000;
    app.db
        .execute_unprepared(&format!("UPDATE session SET last_seen_at = {idle}"))
        .await
        .unwrap();
    let r = app.get(&cookie, "/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"));

    let cookie = app.login("clerk", PASSWORD).await;
    let token = app.token("clerk", PASSWORD).await;
    let r = app.post_form(&cookie, "/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.headers
            .get(header::SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(app.get(&cookie, "/").await.status, StatusCode::SEE_OTHER);
    // The API token is a session of its own; DELETE ends it.
    assert_eq!(
        app.get(&token, "/api/v1/users").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.api(&token, Method::DELETE, "/api/v1/session", None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&token, "/api/v1/users").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_first_admin_must_change_the_one_time_password() {
    let app = empty_app().await;
    let password = app::demo::first_start(&app.db)
        .await
        .unwrap()
        .expect("a one-time password");
    assert!(
        app::demo::first_start(&app.db).await.unwrap().is_none(),
        "printed once only"
    );
    let cookie = app.login("admin", &password).await;
    // Every page leads to the password form until the password is changed.
    let r = app.get(&cookie, "/org/users").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/password");
    // The policy is explained in Chinese next to the field.
    let r = app
        .post_form(
            &cookie,
            "/password",
            &[
                ("old_password", &password),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("至少"), "{}", r.body);
    let r = app
        .post_form(
            &cookie,
            "/password",
            &[
                ("old_password", &password),
                ("new_password", "Bureau#2026x"),
                ("confirm_password", "Bureau#2026x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.get(&cookie, "/org/users").await.status, StatusCode::OK);
    // The old password no longer works; the new one does.
    let r = app
        .post_form(
            &Auth::None,
            "/login",
            &[("username", "admin"), ("password", &password)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.login("admin", "Bureau#2026x").await;
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = demo_app().await;
    let laptop = app.login("head", PASSWORD).await;
    let phone = app.login("head", PASSWORD).await;
    let r = app
        .post_form(
            &laptop,
            "/password",
            &[
                ("old_password", PASSWORD),
                ("new_password", "Changed#2026"),
                ("confirm_password", "Changed#2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.get(&laptop, "/").await.status, StatusCode::OK);
    assert_eq!(app.get(&phone, "/").await.status, StatusCode::SEE_OTHER);
    // A wrong old password is named, and nothing changes.
    let r = app
        .post_form(
            &laptop,
            "/password",
            &[
                ("old_password", "nope"),
                ("new_password", "Other#2026x"),
                ("confirm_password", "Other#2026x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("原密码不正确"));
    app.login("head", "Changed#2026").await;
}

#[tokio::test]
async fn concurrent_failures_on_one_account_are_each_counted() {
    let app = demo_app().await;
    // Four wrong passwords at once (a guessing script): each reads the account, then changes its
    // count; none may be lost to another, or guessing in parallel would beat the lock-out.
    let attempt = || {
        app.post_form(
            &Auth::None,
            "/login",
            &[("username", "clerk"), ("password", "wrong")],
        )
    };
    let (a, b, c, d) = tokio::join!(attempt(), attempt(), attempt(), attempt());
    for r in [a, b, c, d] {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert!(r.body.contains("用户名或密码错误"), "{}", r.body);
    }
    let failed = crate::common::scalar_i64(
        &app.db,
        "SELECT CAST(failed_logins AS BIGINT) FROM app_user WHERE username = 'clerk'",
    )
    .await;
    assert_eq!(failed, 4);
}
