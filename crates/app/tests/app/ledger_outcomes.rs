//! 建章立制 and 问责 linked to problems, 移交问题 / 信访件 as their own kind, 配合科室 and 整改目标 on a
//! measure, and corrections of progress reports as new versions — through the pages, on record, and in
//! the public bulletin without names.

use axum::http::StatusCode;

use crate::common::{PASSWORD, TestApp, demo_app, scalar_i64};

async fn first_round(app: &TestApp) -> (i64, i64) {
    let round = scalar_i64(&app.db, "SELECT MIN(id) FROM inspection").await;
    let problem = scalar_i64(
        &app.db,
        &format!("SELECT MIN(id) FROM problem WHERE inspection_id = {round}"),
    )
    .await;
    (round, problem)
}

#[tokio::test]
async fn rules_made_and_accountability_are_entered_shown_and_counted_in_the_bulletin() {
    let app = demo_app().await;
    let (round, problem) = first_round(&app).await;
    let admin = app.login("admin", PASSWORD).await;
    let p = problem.to_string();
    let before = app.audit_count().await;
    let r = app
        .post_form(
            &admin,
            &format!("/ledger/inspections/{round}/outcomes"),
            &[
                ("what", "rule"),
                ("problem_id", &p),
                ("title", "《科研项目经费管理办法》"),
                ("doc_no", "滨科发〔2026〕12号"),
                ("issued_on", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_form(
            &admin,
            &format!("/ledger/inspections/{round}/outcomes"),
            &[
                ("what", "accountability"),
                ("problem_id", &p),
                ("person", "郑晓明"),
                ("position", "原项目管理科科长"),
                ("action", "诫勉谈话"),
                ("decided_on", "2026-03-15"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.audit_count().await, before + 2, "one event each");

    let page = app
        .get(&admin, &format!("/ledger/inspections/{round}"))
        .await;
    for part in [
        "建章立制（1项）",
        "《科研项目经费管理办法》",
        "滨科发〔2026〕12号",
        "问责情况（1人次）",
        "郑晓明",
    ] {
        assert!(page.body.contains(part), "the round page shows {part}");
    }

    let leader = app.login("leader", PASSWORD).await;
    let bulletin = app
        .post_form(
            &leader,
            &format!("/ledger/inspections/{round}/bulletin"),
            &[
                ("issuer", "中共滨海市科学技术局党组"),
                ("unit", "滨海市科学技术局"),
                ("published", "2026-11-20"),
                ("format", "html"),
            ],
        )
        .await;
    assert_eq!(bulletin.status, StatusCode::OK, "{}", bulletin.body);
    for part in [
        "建立完善制度1项",
        "问责1人",
        "制定印发《科研项目经费管理办法》（滨科发〔2026〕12号）",
        "对1名相关责任人进行诫勉谈话",
    ] {
        assert!(bulletin.body.contains(part), "the bulletin says {part}");
    }
    assert!(!bulletin.body.contains("郑晓明"), "no names in public");

    // Removing an entry is on record too.
    let id = scalar_i64(&app.db, "SELECT MAX(id) FROM accountability").await;
    let before = app.audit_count().await;
    let r = app
        .post_form(
            &admin,
            &format!("/ledger/inspections/{round}/outcomes/accountability/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("accountability").await, 0);
    assert_eq!(app.audit_count().await, before + 1);
    assert!(
        app::audit::verify::verify(&app.db, app.log_key().verifier())
            .await
            .unwrap()
            .is_ok()
    );
}

#[tokio::test]
async fn bad_or_foreign_entries_are_refused_and_nothing_is_written() {
    let app = demo_app().await;
    let (round, _) = first_round(&app).await;
    let admin = app.login("admin", PASSWORD).await;
    let before = app.audit_count().await;
    let r = app
        .post_form(
            &admin,
            &format!("/ledger/inspections/{round}/outcomes"),
            &[
                ("what", "rule"),
                ("problem_id", "x"),
                ("title", ""),
                ("issued_on", "三月一日"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("建章立制")
            && r.body.contains("印发日期有误")
            && r.body.contains("制度名称"),
        "{}",
        r.body
    );
    assert_eq!(app.audit_count().await, before, "nothing written");
    // A problem of another round does not exist for this one.
    use app::ledger::store::{Draft, DraftProblem, DraftSection};
    let other = Draft {
        kind: "patrol".into(),
        title: "另一轮巡察".into(),
        team: "市委第六巡察组".into(),
        department_id: app.department_id("滨海市科学技术局").await,
        sections: vec![DraftSection {
            title: "（一）某方面".into(),
            problems: vec![DraftProblem {
                category: None,
                title: "另一轮的问题".into(),
                measures: vec![],
                children: vec![],
            }],
        }],
        ..Default::default()
    };
    app::ledger::store::create(
        &app.db,
        app::db::audited::Actor::system("测试"),
        "ledger.inspection.create",
        &other,
    )
    .await
    .unwrap();
    let before = app.audit_count().await;
    let foreign = scalar_i64(
        &app.db,
        &format!("SELECT MIN(id) FROM problem WHERE inspection_id <> {round}"),
    )
    .await;
    let r = app
        .post_form(
            &admin,
            &format!("/ledger/inspections/{round}/outcomes"),
            &[
                ("what", "rule"),
                ("problem_id", &foreign.to_string()),
                ("title", "某办法"),
                ("issued_on", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A clerk may not enter them at all.
    let clerk = app.login("clerk", PASSWORD).await;
    let before_clerk = app.audit_count().await;
    let r = app
        .post_form(
            &clerk,
            &format!("/ledger/inspections/{round}/outcomes"),
            &[("what", "rule")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("rectification_rule").await, 0);
    // Logging the clerk in is the only event written since.
    assert_eq!(app.audit_count().await, before_clerk);
    assert!(before_clerk > before);
}

#[tokio::test]
async fn transferred_problems_and_petitions_are_their_own_kind() {
    let app = demo_app().await;
    let (round, _) = first_round(&app).await;
    let section = scalar_i64(
        &app.db,
        &format!("SELECT MIN(id) FROM ledger_section WHERE inspection_id = {round}"),
    )
    .await;
    let admin = app.login("admin", PASSWORD).await;
    let add = |origin: &'static str, text: &'static str| {
        let section = section.to_string();
        let app = &app;
        let admin = &admin;
        async move {
            app.post_form(
                admin,
                &format!("/ledger/inspections/{round}/add"),
                &[
                    ("what", "main"),
                    ("parent", &section),
                    ("text", text),
                    ("origin", origin),
                ],
            )
            .await
        }
    };
    assert_eq!(
        add("petition", "群众反映某项目验收走过场").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        add("transferred", "巡察组移交的专家评审问题线索")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        add("rumour", "未知来源").await.status,
        StatusCode::BAD_REQUEST
    );
    let main = scalar_i64(
        &app.db,
        "SELECT id FROM problem WHERE title = '群众反映某项目验收走过场'",
    )
    .await;
    // A specific problem under a petition is a petition too.
    let r = app
        .post_form(
            &admin,
            &format!("/ledger/inspections/{round}/add"),
            &[
                ("what", "specific"),
                ("parent", &main.to_string()),
                ("text", "验收专家未到场"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("problem WHERE origin = 'petition'").await, 2);
    let page = app
        .get(&admin, &format!("/ledger/inspections/{round}"))
        .await;
    assert!(
        page.body.contains("其中巡察组移交问题1个、信访件2件"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<span class=\"tag\">信访件</span>"));
}

#[tokio::test]
async fn supporting_departments_and_target_are_kept_and_exported() {
    let app = demo_app().await;
    let (round, _) = first_round(&app).await;
    let measure = scalar_i64(
        &app.db,
        &format!("SELECT MIN(id) FROM measure WHERE inspection_id = {round}"),
    )
    .await;
    let department = scalar_i64(
        &app.db,
        &format!("SELECT department_id FROM measure WHERE id = {measure}"),
    )
    .await
    .to_string();
    let admin = app.login("admin", PASSWORD).await;
    let long = "长".repeat(501);
    let mut fields = vec![
        ("content", "修订科研项目验收办法"),
        ("department_id", department.as_str()),
        ("supporting", "计划财务处、政策法规处"),
        ("target", long.as_str()),
        ("due_kind", "date"),
        ("due_on", "2026-12-31"),
    ];
    let r = app
        .post_form(&admin, &format!("/ledger/measures/{measure}/edit"), &fields)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("整改目标"), "{}", r.body);
    fields[3] = ("target", "验收一律由第三方专家组现场核查");
    let r = app
        .post_form(&admin, &format!("/ledger/measures/{measure}/edit"), &fields)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app
        .get(&admin, &format!("/ledger/measures/{measure}"))
        .await;
    assert!(page.body.contains("配合科室：计划财务处、政策法规处"));
    assert!(
        page.body
            .contains("整改目标：验收一律由第三方专家组现场核查")
    );
    let (status, bytes) = app
        .get_bytes(&admin, &format!("/ledger/inspections/{round}/export"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = crate::common::xlsx_rows(&bytes);
    let header = rows
        .iter()
        .find(|r| r.contains(&"配合科室".to_owned()))
        .unwrap();
    let col = header.iter().position(|h| h == "配合科室").unwrap();
    assert!(
        rows.iter()
            .any(|r| r.get(col).map(String::as_str) == Some("计划财务处、政策法规处"))
    );
}

#[tokio::test]
async fn a_correction_is_a_new_version_and_the_original_stays() {
    let app = demo_app().await;
    let measure = scalar_i64(&app.db, "SELECT MIN(measure_id) FROM progress_report").await;
    let original = scalar_i64(
        &app.db,
        &format!("SELECT MAX(id) FROM progress_report WHERE measure_id = {measure}"),
    )
    .await;
    let text_before: String = {
        use sea_orm::ConnectionTrait;
        let row = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                format!("SELECT content FROM progress_report WHERE id = {original}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
    };
    let admin = app.login("admin", PASSWORD).await;
    let correct = |supersedes: String| {
        let app = &app;
        let admin = &admin;
        async move {
            app.post_multipart(
                admin,
                &format!("/ledger/measures/{measure}/reports"),
                &[
                    ("reported_on", "2026-11-02"),
                    ("content", "更正：已完成第一批12个项目的验收复核"),
                    ("supersedes", &supersedes),
                ],
                None,
            )
            .await
        }
    };
    let r = correct(original.to_string()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.count(&format!(
            "progress_report WHERE id = {original} AND content = '{}'",
            text_before.replace('\'', "''")
        ))
        .await,
        1,
        "the corrected report is unchanged"
    );
    let page = app
        .get(&admin, &format!("/ledger/measures/{measure}"))
        .await;
    assert!(page.body.contains("此报告已被"), "{}", page.body);
    assert!(page.body.contains("更正了"));
    // The same report cannot be corrected twice, nor a report of another measure.
    let r = correct(original.to_string()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("已经更正过"), "{}", r.body);
    let other = scalar_i64(
        &app.db,
        &format!("SELECT MIN(id) FROM progress_report WHERE measure_id <> {measure}"),
    )
    .await;
    let r = correct(other.to_string()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不属于该整改措施"), "{}", r.body);
}
