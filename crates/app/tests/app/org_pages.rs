//! The admin pages as an administrator uses them: lists with search, sorting and paging, forms,
//! confirmation before deleting, masked personal data.

use axum::http::StatusCode;

use crate::common::{PASSWORD, demo_app};

#[tokio::test]
async fn the_user_list_searches_sorts_and_pages() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let page = app.get(&admin, "/org/users").await;
    assert_eq!(page.status, StatusCode::OK);
    for part in ["新增", "修改", "删除", "导出", "搜索", "共"] {
        assert!(page.body.contains(part), "the list page has {part}");
    }
    let page = app.get(&admin, "/org/users?q=clerk2").await;
    assert!(
        page.body.contains("clerk2") && !page.body.contains(">inspector<"),
        "{}",
        page.body
    );
    // Ten per page: with twelve users the second page holds the last two, and the pager links to it.
    let token = app.token("admin", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await.to_string();
    for username in ["zz_first", "zz_second"] {
        let r = app
            .api(&token, axum::http::Method::POST, "/api/v1/users", Some(serde_json::json!({"username": username, "name": "测试", "department_id": gxjs})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let first = app
        .get(&admin, "/org/users?size=10&sort=username&order=asc")
        .await;
    let second = app
        .get(&admin, "/org/users?size=10&page=2&sort=username&order=asc")
        .await;
    assert!(
        first.body.contains(">admin<") && !first.body.contains(">zz_first<"),
        "{}",
        first.body
    );
    assert!(
        second.body.contains(">zz_first<")
            && second.body.contains(">zz_second<")
            && !second.body.contains(">admin<")
    );
    assert!(first.body.contains("page=2"));
    let desc = app
        .get(&admin, "/org/users?size=10&sort=username&order=desc")
        .await;
    assert!(
        desc.body.contains(">zz_second<") && !desc.body.contains(">admin<"),
        "{}",
        desc.body
    );
    // Nonsense paging falls back to the first page instead of failing.
    assert_eq!(
        app.get(&admin, "/org/users?page=x&size=-3&sort=password_hash")
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn phones_are_masked_for_those_who_may_not_see_them() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let clerk = app.user_id("clerk").await;
    let gxjs = app.department_id("高新技术处").await.to_string();
    let r = app
        .post_form(
            &admin,
            &format!("/org/users/{clerk}/edit"),
            &[
                ("username", "clerk"),
                ("name", "于磊"),
                ("department_id", &gxjs),
                ("phone", "13912345678"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get(&admin, "/org/users?q=clerk").await;
    assert!(page.body.contains("13912345678"));
    let leader = app.login("leader", PASSWORD).await;
    let page = app.get(&leader, "/org/users?q=clerk").await;
    assert!(
        page.body.contains("139****5678") && !page.body.contains("13912345678"),
        "{}",
        page.body
    );
    let token = app.token("leader", PASSWORD).await;
    let r = app.get(&token, &format!("/api/v1/users/{clerk}")).await;
    assert_eq!(r.json()["phone"], "139****5678");
    assert!(r.json().get("password_hash").is_none());
}

#[tokio::test]
async fn deleting_asks_first_and_refuses_what_would_break() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await;
    let page = app
        .get(&admin, &format!("/org/departments/{gxjs}/delete"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("确定删除") && page.body.contains("高新技术处"),
        "{}",
        page.body
    );
    let before = app.audit_count().await;
    let r = app
        .post_form(&admin, &format!("/org/departments/{gxjs}/delete"), &[])
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a department with users stays: {}",
        r.body
    );
    assert!(r.body.contains("用户"));
    assert_eq!(app.audit_count().await, before);
    // Nobody can delete their own account.
    let me = app.user_id("admin").await;
    let r = app
        .post_form(&admin, &format!("/org/users/{me}/delete"), &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
}

#[tokio::test]
async fn a_role_scope_change_takes_effect_at_once() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let clerk_role =
        crate::common::scalar_i64(&app.db, "SELECT id FROM role WHERE role_key = 'clerk'").await;
    let nckj = app.department_id("农村科技处").await.to_string();
    let gxjs = app.department_id("高新技术处").await.to_string();
    let token = app.token("clerk2", PASSWORD).await;
    assert_eq!(
        app.get(&token, &format!("/api/v1/departments/{gxjs}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post_form(
            &admin,
            &format!("/org/roles/{clerk_role}/edit"),
            &[
                ("name", "经办人"),
                ("data_scope", "custom"),
                ("departments", &nckj),
                ("departments", &gxjs),
                ("permissions", "org:dept:list"),
                ("permissions", "org:user:list"),
                ("sort_order", "4"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.get(&token, &format!("/api/v1/departments/{gxjs}"))
            .await
            .status,
        StatusCode::OK
    );
    // The history of the role shows the change.
    let page = app
        .get(&admin, &format!("/audit/objects/role/{clerk_role}"))
        .await;
    assert!(
        page.body.contains("custom") || page.body.contains("自定义"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn custom_roles_are_created_and_deleted_but_builtin_and_held_roles_stay() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await.to_string();
    let form = |key: &'static str| {
        vec![
            ("role_key", key),
            ("name", "督查专员"),
            ("data_scope", "custom"),
            ("departments", gxjs.as_str()),
            ("permissions", "org:user:list"),
        ]
    };
    let bad = app
        .post_form(&admin, "/org/roles/new", &form("Du Cha"))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("权限字符须以小写字母开头"),
        "{}",
        bad.body
    );
    let taken = app
        .post_form(&admin, "/org/roles/new", &form("clerk"))
        .await;
    assert!(taken.body.contains("已被使用"));

    let seq = app.last_seq().await;
    let r = app
        .post_form(&admin, "/org/roles/new", &form("supervisor"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let events = app.events_after(seq).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].0, "org.role.create");
    let id = events[0].2.clone();

    // Held by a user, it stays; released, it goes.
    let clerk = app.user_id("clerk").await;
    let clerk_role =
        crate::common::scalar_i64(&app.db, "SELECT id FROM role WHERE role_key = 'clerk'")
            .await
            .to_string();
    let r = app
        .post_form(
            &admin,
            &format!("/org/users/{clerk}/edit"),
            &[
                ("username", "clerk"),
                ("name", "于磊"),
                ("department_id", &gxjs),
                ("status", "active"),
                ("roles", &clerk_role),
                ("roles", &id),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_form(&admin, &format!("/org/roles/{id}/delete"), &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("仍有1个用户"), "{}", r.body);
    let r = app
        .post_form(
            &admin,
            &format!("/org/users/{clerk}/edit"),
            &[
                ("username", "clerk"),
                ("name", "于磊"),
                ("department_id", &gxjs),
                ("status", "active"),
                ("roles", &clerk_role),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let seq = app.last_seq().await;
    let r = app
        .post_form(&admin, &format!("/org/roles/{id}/delete"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let events = app.events_after(seq).await;
    assert_eq!((events.len(), events[0].0.as_str()), (1, "org.role.delete"));
    assert_eq!(
        app.count(&format!("role_department WHERE role_id = {id}"))
            .await,
        0
    );

    let r = app
        .post_form(&admin, &format!("/org/roles/{clerk_role}/delete"), &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("内置角色"));
}
