//! Every route × every demo role: allowed, or 404 exactly like a page that does not exist; a scoped
//! user reads only rows in scope, whatever the route and whatever id they guess.

use axum::http::{Method, StatusCode};

use crate::common::{Auth, PASSWORD, demo_app};

const ROLES: [&str; 10] = [
    "admin",
    "leader",
    "deputy",
    "head",
    "clerk",
    "clerk2",
    "inspector",
    "auditor",
    "applicant",
    "expert",
];
const READERS: &[&str] = &[
    "admin",
    "leader",
    "deputy",
    "head",
    "clerk",
    "clerk2",
    "inspector",
    "auditor",
];
const AUDIT_READERS: &[&str] = &["admin", "inspector", "auditor"];
/// Who may see the 高新技术处 and its clerk: readers whose scope covers that department.
const GXJS_READERS: &[&str] = &[
    "admin",
    "leader",
    "deputy",
    "head",
    "clerk",
    "inspector",
    "auditor",
];

/// Who may see the 比对库: not applicants, experts or clerks.
const LIBRARY_READERS: &[&str] = &["admin", "leader", "deputy", "head", "inspector", "auditor"];
/// Library readers whose scope covers 农村科技处.
const NCKJ_LIBRARY_READERS: &[&str] = &["admin", "leader", "inspector", "auditor"];
/// Who may run 查重 and read its reports.
const CHECKERS: &[&str] = &["admin", "leader", "deputy", "head"];

#[tokio::test]
async fn every_page_and_api_route_for_every_role() {
    let app = demo_app().await;
    let gxjs = app.department_id("高新技术处").await;
    let clerk = app.user_id("clerk").await;
    let clerk_role =
        crate::common::scalar_i64(&app.db, "SELECT id FROM role WHERE role_key = 'clerk'").await;
    let everyone: Vec<&str> = ROLES.to_vec();
    let library_doc = crate::common::scalar_i64(
        &app.db,
        "SELECT id FROM similarity_document WHERE title = '面向中小制造企业的工业互联网公共服务平台建设'",
    )
    .await;
    let nckj_doc = crate::common::scalar_i64(
        &app.db,
        "SELECT id FROM similarity_document WHERE title = '中小型温室环境感知与水肥一体化智能调控技术示范'",
    )
    .await;
    let routes: Vec<(String, &[&str])> = vec![
        ("/".into(), &everyone),
        ("/password".into(), &everyone),
        ("/org/departments".into(), READERS),
        ("/ledger".into(), READERS),
        ("/ledger/import".into(), &["admin"]),
        ("/org/departments?q=高新".into(), READERS),
        ("/similarity/library".into(), LIBRARY_READERS),
        ("/similarity/library?q=平台&page=2".into(), LIBRARY_READERS),
        (
            format!("/similarity/library/{library_doc}"),
            LIBRARY_READERS,
        ),
        (
            format!("/similarity/library/{nckj_doc}"),
            NCKJ_LIBRARY_READERS,
        ),
        ("/similarity/library/upload".into(), &["admin", "head"]),
        (
            format!("/similarity/library/{library_doc}/delete"),
            &["admin", "head"],
        ),
        (format!("/similarity/library/{nckj_doc}/delete"), &["admin"]),
        ("/similarity/check".into(), CHECKERS),
        ("/similarity/reports".into(), CHECKERS),
        ("/similarity/reports/999999".into(), &[]),
        ("/org/departments/new".into(), &["admin"]),
        (format!("/org/departments/{gxjs}/edit"), &["admin"]),
        (format!("/org/departments/{gxjs}/delete"), &["admin"]),
        ("/org/users".into(), READERS),
        ("/org/users/new".into(), &["admin"]),
        ("/org/users/export".into(), &["admin"]),
        ("/org/users/import".into(), &["admin"]),
        ("/org/users/import/template".into(), &["admin"]),
        ("/org/departments/export".into(), &["admin"]),
        (format!("/org/users/{clerk}/edit"), &["admin", "head"]),
        (format!("/org/users/{clerk}/delete"), &["admin"]),
        (format!("/org/users/{clerk}/reset-password"), &["admin"]),
        ("/org/roles".into(), AUDIT_READERS),
        ("/org/roles/new".into(), &["admin"]),
        (format!("/org/roles/{clerk_role}/delete"), &["admin"]),
        (format!("/org/roles/{clerk_role}/edit"), &["admin"]),
        ("/system/settings".into(), AUDIT_READERS),
        ("/system/calendar".into(), AUDIT_READERS),
        ("/system/calendar/2026".into(), AUDIT_READERS),
        ("/system/calendar/new".into(), &["admin"]),
        ("/system/calendar/2026/edit".into(), &["admin"]),
        ("/system/login-log".into(), AUDIT_READERS),
        ("/audit/events".into(), AUDIT_READERS),
        ("/audit/events?department_id=1".into(), AUDIT_READERS),
        ("/audit/integrity".into(), AUDIT_READERS),
        ("/audit/events/3/proof".into(), AUDIT_READERS),
        ("/audit/events/3/tlog-proof".into(), AUDIT_READERS),
        (format!("/audit/objects/user/{clerk}"), GXJS_READERS),
        (format!("/audit/objects/department/{gxjs}"), GXJS_READERS),
        ("/api/v1/departments".into(), READERS),
        (format!("/api/v1/departments/{gxjs}"), GXJS_READERS),
        ("/api/v1/users".into(), READERS),
        (format!("/api/v1/users/{clerk}"), GXJS_READERS),
    ];
    let mut failures = Vec::new();
    for role in ROLES {
        let cookie = app.login(role, PASSWORD).await;
        let token = app.token(role, PASSWORD).await;
        for (path, allowed) in &routes {
            let auth = if path.starts_with("/api/") {
                &token
            } else {
                &cookie
            };
            let r = app.get(auth, path).await;
            let expected = if allowed.contains(&role) {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            if r.status != expected {
                failures.push(format!(
                    "{role} GET {path}: {} (expected {expected})",
                    r.status
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn without_login_pages_redirect_and_the_api_answers_401() {
    let app = demo_app().await;
    let r = app.get(&Auth::None, "/org/users?page=2").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=%2Forg%2Fusers%3Fpage%3D2");
    let r = app.get(&Auth::None, "/api/v1/users").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["error"].as_str().unwrap().contains("登录"));
    let r = app
        .get(&Auth::Bearer("not-a-token".into()), "/api/v1/users")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn mutations_outside_permission_or_scope_are_404_and_write_nothing() {
    let app = demo_app().await;
    let gxjs = app.department_id("高新技术处").await;
    let nckj = app.department_id("农村科技处").await;
    let clerk2 = app.user_id("clerk2").await;
    // Logging in is on record too; count from after the logins.
    let clerk = app.login("clerk", PASSWORD).await;
    let token = app.token("clerk", PASSWORD).await;
    let head = app.login("head", PASSWORD).await;
    let admin = app.login("admin", PASSWORD).await;
    let before = app.audit_count().await;

    // A clerk may not add departments, by form or API.
    let r = app
        .post_form(
            &clerk,
            "/org/departments/new",
            &[
                ("name", "新处室"),
                ("code", "XCS"),
                ("kind", "department"),
                ("parent_id", &gxjs.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(
            &token,
            Method::POST,
            "/api/v1/departments",
            Some(serde_json::json!({"name": "新处室", "code": "XCS", "kind": "department"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The head of 高新技术处 may edit users, but not one of 农村科技处: it does not exist for them.
    let r = app.get(&head, &format!("/org/users/{clerk2}/edit")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post_form(
            &head,
            &format!("/org/users/{clerk2}/edit"),
            &[
                ("username", "clerk2"),
                ("name", "改名"),
                ("department_id", &nckj.to_string()),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Nor may they move their own clerk into a department outside their scope.
    let clerk_id = app.user_id("clerk").await;
    let r = app
        .post_form(
            &head,
            &format!("/org/users/{clerk_id}/edit"),
            &[
                ("username", "clerk"),
                ("name", "于磊"),
                ("department_id", &nckj.to_string()),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("部门"),
        "the form names the department field: {}",
        r.body
    );

    // Ids that do not exist look the same as ids out of scope.
    assert_eq!(
        app.get(&admin, "/org/users/999999/edit").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&head, "/org/users/999999/edit").await.status,
        StatusCode::NOT_FOUND
    );

    assert_eq!(app.audit_count().await, before, "nothing was written");
    assert_eq!(app.count("app_user WHERE name = '改名'").await, 0);
}

#[tokio::test]
async fn scoped_users_list_search_and_fetch_only_rows_in_scope() {
    let app = demo_app().await;
    let nckj = app.department_id("农村科技处").await;
    let gxjs = app.department_id("高新技术处").await;
    let cgzh = app.department_id("成果转化处").await;
    let bgs = app.department_id("办公室").await;

    // clerk2 (经办人, own department 农村科技处) sees only that department's users and itself.
    let token = app.token("clerk2", PASSWORD).await;
    let r = app.get(&token, "/api/v1/users?size=100").await;
    assert_eq!(r.status, StatusCode::OK);
    let rows = r.json()["items"].as_array().unwrap().clone();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|u| u["department_id"] == nckj), "{rows:?}");
    // A search for a user of another department finds nothing.
    let r = app.get(&token, "/api/v1/users?q=clerk").await;
    let names: Vec<_> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, vec!["clerk2".to_owned()]);
    let r = app.get(&token, "/api/v1/departments").await;
    let ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![nckj]);

    // The deputy (办公室 and below, plus 代管 高新技术处 and 成果转化处) sees exactly those three.
    let token = app.token("deputy", PASSWORD).await;
    let r = app.get(&token, "/api/v1/departments").await;
    let mut ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    let mut expected = vec![bgs, gxjs, cgzh];
    expected.sort();
    assert_eq!(ids, expected);
    let r = app.get(&token, "/api/v1/users?size=100").await;
    assert!(
        r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| expected.contains(&u["department_id"].as_i64().unwrap()))
    );

    // The HTML list of the same user shows the same rows.
    let cookie = app.login("clerk2", PASSWORD).await;
    let page = app.get(&cookie, "/org/users").await;
    assert!(page.body.contains("clerk2"));
    assert!(
        !page.body.contains(">clerk<") && !page.body.contains(">admin<"),
        "{}",
        page.body
    );

    // Applicants see themselves only and no admin pages at all.
    let token = app.token("applicant", PASSWORD).await;
    assert_eq!(
        app.get(&token, "/api/v1/users").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_menu_shows_what_the_role_may_open() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let home = app.get(&admin, "/").await;
    for item in [
        "部门管理",
        "用户管理",
        "角色管理",
        "参数设置",
        "登录日志",
        "审计追溯",
    ] {
        assert!(home.body.contains(item), "admin menu lacks {item}");
    }
    let clerk = app.login("clerk", PASSWORD).await;
    let home = app.get(&clerk, "/").await;
    assert!(home.body.contains("用户管理"));
    for item in ["角色管理", "参数设置", "审计追溯"] {
        assert!(!home.body.contains(item), "clerk menu shows {item}");
    }
    let applicant = app.login("applicant", PASSWORD).await;
    let home = app.get(&applicant, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.body.contains("用户管理"));
}

#[tokio::test]
async fn exports_hold_the_rows_in_scope_only() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let r = app.get_bytes(&admin, "/org/users/export").await;
    assert_eq!(r.0, StatusCode::OK);
    let rows = crate::common::xlsx_rows(&r.1);
    assert_eq!(
        rows[0][..4],
        ["用户名", "姓名", "部门", "手机号码"].map(String::from)
    );
    assert_eq!(rows.len() - 1, app.count("app_user").await as usize);
    // With a filter, the export holds what the list shows.
    let rows =
        crate::common::xlsx_rows(&app.get_bytes(&admin, "/org/users/export?q=clerk2").await.1);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][2], "农村科技处");

    // Give 经办人 the export permission: clerk2 exports only 农村科技处.
    let clerk_role =
        crate::common::scalar_i64(&app.db, "SELECT id FROM role WHERE role_key = 'clerk'").await;
    let r = app
        .post_form(
            &admin,
            &format!("/org/roles/{clerk_role}/edit"),
            &[
                ("name", "经办人"),
                ("data_scope", "department"),
                ("permissions", "org:user:list"),
                ("permissions", "org:user:export"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let clerk2 = app.login("clerk2", PASSWORD).await;
    let rows = crate::common::xlsx_rows(&app.get_bytes(&clerk2, "/org/users/export").await.1);
    assert!(rows.len() >= 2);
    assert!(rows[1..].iter().all(|r| r[2] == "农村科技处"), "{rows:?}");
    // The department export follows the same scope: the deputy gets exactly three departments.
    let r = app
        .post_form(
            &admin,
            &format!(
                "/org/roles/{}/edit",
                crate::common::scalar_i64(&app.db, "SELECT id FROM role WHERE role_key = 'leader'")
                    .await
            ),
            &[
                ("name", "局领导"),
                ("data_scope", "department_and_below"),
                ("permissions", "org:dept:list"),
                ("permissions", "org:dept:export"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let deputy = app.login("deputy", PASSWORD).await;
    let rows = crate::common::xlsx_rows(&app.get_bytes(&deputy, "/org/departments/export").await.1);
    let mut names: Vec<String> = rows[1..]
        .iter()
        .map(|r| r[0].trim_start_matches('　').to_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["办公室", "成果转化处", "高新技术处"].map(String::from)
    );
    // Without the permission the export does not exist.
    let leader = app.login("leader", PASSWORD).await;
    assert_eq!(
        app.get_bytes(&leader, "/org/users/export").await.0,
        StatusCode::NOT_FOUND
    );
}

/// An older database: its built-in roles get the permissions added since, once, on record; a role
/// trimmed afterwards stays trimmed.
#[tokio::test]
async fn built_in_roles_of_an_older_database_get_the_new_permissions_once() {
    use app::db::audited::{Actor, AuditedTx};
    use app::org::entities::role;
    use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
    let app = demo_app().await;
    let inspector = || async {
        role::Entity::find()
            .filter(role::Column::RoleKey.eq("discipline_inspector"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
    };
    let set_permissions = |list: &'static str| async {
        let r = inspector().await;
        let mut tx = AuditedTx::begin(&app.db, Actor::system("测试"), "org.role.update")
            .await
            .unwrap();
        let mut am = r.clone().into_active_model();
        am.permissions = Set(list.into());
        tx.update(&r, am).await.unwrap();
        tx.commit().await.unwrap();
    };
    // As a database of the first release had it: no version recorded, the old list.
    set_permissions("ledger:inspection:list org:dept:list audit:event:list").await;
    let mut tx = AuditedTx::begin(&app.db, Actor::system("测试"), "system.setting.delete")
        .await
        .unwrap();
    let version =
        app::settings::entity::Entity::find_by_id(app::org::roles::BUILTIN_VERSION_KEY.to_owned())
            .one(tx.reader())
            .await
            .unwrap()
            .expect("a new database records the version");
    tx.delete::<app::settings::entity::ActiveModel>(version)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    app::demo::ensure_builtin_roles(&app.db).await.unwrap();
    let upgraded = inspector().await.permissions;
    for p in [
        "audit:integrity:view",
        "audit:integrity:run",
        "similarity:library:list",
    ] {
        assert!(upgraded.contains(p), "{p} in {upgraded}");
    }
    assert!(upgraded.starts_with("ledger:inspection:list org:dept:list audit:event:list"));
    // Again: nothing to do, nothing written.
    let events = app.audit_count().await;
    app::demo::ensure_builtin_roles(&app.db).await.unwrap();
    assert_eq!(app.audit_count().await, events);
    // An administrator's trim is kept.
    set_permissions("ledger:inspection:list audit:event:list").await;
    app::demo::ensure_builtin_roles(&app.db).await.unwrap();
    assert_eq!(
        inspector().await.permissions,
        "ledger:inspection:list audit:event:list"
    );
    assert!(
        app::audit::verify::verify(&app.db, app.log_key().verifier())
            .await
            .unwrap()
            .is_ok()
    );
}
