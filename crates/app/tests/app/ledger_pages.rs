//! 整改台账: scope on rounds and measures, progress reports with evidence, and the 销号 workflow
//! through the pages — allowed and refused by role and state, nothing written when refused.

use axum::http::StatusCode;
use calendar::NaiveDate;

use app::ledger::rules::{Due, Status};
use app::ledger::store::{Draft, DraftMeasure, DraftProblem, DraftSection};

use crate::common::{Auth, PASSWORD, TestApp, demo_app};

/// A round with one main problem whose measures belong to 高新技术处, and one of 农村科技处.
async fn round(app: &TestApp) -> (i64, i64, i64) {
    let gxjs = app.department_id("高新技术处").await;
    let nckj = app.department_id("农村科技处").await;
    let measure = |content: &str| {
        DraftMeasure::stated(
            content.into(),
            Due::Date(NaiveDate::from_ymd_opt(2099, 12, 31).unwrap()),
            Status::NotStarted,
        )
    };
    let draft = Draft {
        kind: "patrol".into(),
        title: "市委第五巡察组巡察反馈问题整改".into(),
        team: "市委第五巡察组".into(),
        department_id: app.department_id("滨海市科学技术局").await,
        feedback_on: Some("2025-06-20".into()),
        sections: vec![DraftSection {
            title: "（一）落实全面从严治党主体责任方面".into(),
            problems: vec![DraftProblem {
                category: None,
                title: "科研项目监管不到位的问题".into(),
                measures: vec![measure("建立项目全过程台账")],
                children: vec![DraftProblem {
                    category: None,
                    title: "项目验收把关不严".into(),
                    measures: vec![measure("修订验收办法")],
                    children: vec![],
                }],
            }],
        }],
        ..Default::default()
    };
    let id = app::ledger::store::create(
        &app.db,
        app::db::audited::Actor::system("测试"),
        "ledger.inspection.create",
        &draft,
    )
    .await
    .unwrap();
    // The second measure goes to 农村科技处.
    let second = crate::common::scalar_i64(
        &app.db,
        &format!("SELECT MAX(id) FROM measure WHERE inspection_id = {id}"),
    )
    .await;
    let first = crate::common::scalar_i64(
        &app.db,
        &format!("SELECT MIN(id) FROM measure WHERE inspection_id = {id}"),
    )
    .await;
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared(&format!(
            "UPDATE measure SET department_id = {gxjs} WHERE id = {first}"
        ))
        .await
        .unwrap();
    app.db
        .execute_unprepared(&format!(
            "UPDATE measure SET department_id = {nckj} WHERE id = {second}"
        ))
        .await
        .unwrap();
    (id, first, second)
}

async fn report(
    app: &TestApp,
    auth: &Auth,
    measure: i64,
    text: &str,
    file: Option<(&str, &[u8])>,
) -> crate::common::Resp {
    let file = file.map(|(name, bytes)| ("files", name, bytes));
    app.post_multipart(
        auth,
        &format!("/ledger/measures/{measure}/reports"),
        &[("reported_on", "2025-09-01"), ("content", text)],
        file,
    )
    .await
}

#[tokio::test]
async fn each_department_sees_its_own_measures_within_the_round() {
    let app = demo_app().await;
    let (round, first, second) = round(&app).await;
    let clerk = app.login("clerk", PASSWORD).await;
    let page = app
        .get(&clerk, &format!("/ledger/inspections/{round}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("建立项目全过程台账") && !page.body.contains("修订验收办法"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("项目验收把关不严"),
        "the problems are context for everyone who sees the round"
    );
    assert_eq!(
        app.get(&clerk, &format!("/ledger/measures/{second}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let clerk2 = app.login("clerk2", PASSWORD).await;
    assert_eq!(
        app.get(&clerk2, &format!("/ledger/measures/{second}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&clerk2, &format!("/ledger/measures/{first}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let leader = app.login("leader", PASSWORD).await;
    let page = app
        .get(&leader, &format!("/ledger/inspections/{round}"))
        .await;
    assert!(page.body.contains("建立项目全过程台账") && page.body.contains("修订验收办法"));
    let list = app.get(&leader, "/ledger").await;
    assert!(list.body.contains("市委第五巡察组巡察反馈问题整改"));
    let applicant = app.login("applicant", PASSWORD).await;
    assert_eq!(
        app.get(&applicant, "/ledger").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&applicant, &format!("/ledger/inspections/{round}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_measure_walks_from_report_to_close_out_and_back_at_the_look_back() {
    let app = demo_app().await;
    let (_, first, _) = round(&app).await;
    let clerk = app.login("clerk", PASSWORD).await;
    let leader = app.login("leader", PASSWORD).await;

    // No evidence yet: 销号 cannot be asked for, and nothing is written.
    let before = app.audit_count().await;
    let r = app
        .post_form(
            &clerk,
            &format!("/ledger/measures/{first}/actions"),
            &[("action", "request")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("佐证材料"), "{}", r.body);
    assert_eq!(app.audit_count().await, before);

    // A report without text is refused; one with a file is stored with its SHA-256.
    let r = report(&app, &clerk, first, "", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请填写整改进展"));
    let pdf: &[u8] = b"%PDF-1.4 meeting minutes";
    let r = report(
        &app,
        &clerk,
        first,
        "已召开党组会研究部署，印发台账模板。",
        Some(("党组会纪要.pdf", pdf)),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let events = app.events_after(before).await;
    let types: Vec<&str> = events.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(
        types,
        ["progress_report", "evidence", "measure"],
        "report, file and the status change, in one transaction"
    );
    assert_eq!(
        events[1].3["sha256"][1],
        sha256_hex(pdf),
        "the file is on record by its hash"
    );
    let page = app.get(&clerk, &format!("/ledger/measures/{first}")).await;
    assert!(page.body.contains("正在推进中") && page.body.contains("党组会纪要.pdf"));
    let file_id = crate::common::scalar_i64(&app.db, "SELECT MAX(id) FROM evidence").await;
    let (status, bytes) = app
        .get_bytes(&clerk, &format!("/ledger/evidence/{file_id}"))
        .await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, pdf));
    let clerk2 = app.login("clerk2", PASSWORD).await;
    assert_eq!(
        app.get_bytes(&clerk2, &format!("/ledger/evidence/{file_id}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // Ask for 销号; the clerk cannot decide it, the leader can.
    let r = app
        .post_form(
            &clerk,
            &format!("/ledger/measures/{first}/actions"),
            &[("action", "request")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let before = app.audit_count().await;
    let r = app
        .post_form(
            &clerk,
            &format!("/ledger/measures/{first}/actions"),
            &[("action", "approve")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("没有销号审核权限"));
    assert_eq!(app.audit_count().await, before);
    // Returned with a reason, the request keeps every report.
    let r = app
        .post_form(
            &leader,
            &format!("/ledger/measures/{first}/actions"),
            &[("action", "return"), ("reason", "缺少台账样本")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = app.get(&clerk, &format!("/ledger/measures/{first}")).await;
    assert!(
        page.body.contains("销号申请被退回：缺少台账样本") && page.body.contains("党组会纪要.pdf")
    );
    // Asked again and approved: closed today, 回头看 six months later.
    app.post_form(
        &clerk,
        &format!("/ledger/measures/{first}/actions"),
        &[("action", "request")],
    )
    .await;
    let seq = app.last_seq().await;
    let r = app
        .post_form(
            &leader,
            &format!("/ledger/measures/{first}/actions"),
            &[("action", "approve")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let events = app.events_after(seq).await;
    assert_eq!(
        (events.len(), events[0].0.as_str()),
        (1, "ledger.measure.close_out")
    );
    assert_eq!(
        events[0].3["status"],
        serde_json::json!(["in_progress", "closed"])
    );
    assert_eq!(
        app.count(&format!(
            "measure WHERE id = {first} AND look_back_on IS NOT NULL"
        ))
        .await,
        1
    );
    // A relapse reopens it, with a reason, counted.
    let r = app
        .post_form(
            &leader,
            &format!("/ledger/measures/{first}/actions"),
            &[("action", "reopen"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .post_form(
            &leader,
            &format!("/ledger/measures/{first}/actions"),
            &[("action", "reopen"), ("reason", "项目台账未持续更新")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(&format!(
            "measure WHERE id = {first} AND status = 'in_progress' AND relapses = 1"
        ))
        .await,
        1
    );
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Next year's 放假安排 is published in November or December, and until a bureau loads it, deadlines
/// in that year count red (`ledger::store::alert_counts`). The demo round's deadlines reach into next
/// year from December on, so the test loads an arrangement for it as the bureau would (a plain one:
/// 元旦 off, weekends as usual), and the counts below stay those of the stories told.
async fn load_next_year_if_missing(app: &crate::common::TestApp) {
    use chrono::Datelike;
    let year = app::calendar::today().year() + 1;
    let cal = app::calendar::effective(&app.db).await.unwrap();
    let probe = chrono::NaiveDate::from_ymd_opt(year, 6, 1).unwrap();
    if cal.is_workday(probe).is_ok() {
        return;
    }
    let text = format!(
        "year = {year}\ntitle = \"测试用{year}年放假安排\"\nsource = \"https://www.gov.cn/zhengce/\"\n\n[[holiday]]\nname = \"元旦\"\noff = [\"{year}-01-01\"]\n"
    );
    let arrangement = calendar::YearArrangement::parse(&text).unwrap();
    app::calendar::save(
        &app.db,
        app::db::audited::Actor::system("测试"),
        &arrangement,
    )
    .await
    .unwrap()
    .unwrap();
}

#[tokio::test]
async fn the_demo_round_shows_every_state_and_alert() {
    let app = demo_app().await;
    load_next_year_if_missing(&app).await;
    let leader = app.login("leader", PASSWORD).await;
    let list = app.get(&leader, "/ledger").await;
    assert!(
        list.body.contains("市委第三巡察组常规巡察反馈问题整改"),
        "{}",
        list.body
    );
    let round = crate::common::scalar_i64(&app.db, "SELECT MIN(id) FROM inspection").await;
    let page = app
        .get(&leader, &format!("/ledger/inspections/{round}"))
        .await;
    for shown in [
        "未启动",
        "正在推进中",
        "已完成",
        "已销号",
        "长期坚持",
        "个工作日到期",
        "已逾期",
        "回头看已于",
        "天未报告进展",
    ] {
        assert!(
            page.body.contains(shown),
            "the demo round shows {shown}: {}",
            page.body
        );
    }
    // The dashboard: completion by section and by department, drawn as SVG, and the on-time rate.
    assert!(
        page.body.contains("<svg")
            && page.body.contains("完成情况（按方面）")
            && page.body.contains("完成情况（按责任科室）")
    );
    assert!(
        page.body.contains("高新技术处") && page.body.contains("按期销号率"),
        "{}",
        page.body
    );
    // The overdue trend ends today with the measures overdue now (as the 工作台 counts them below).
    let today = app::calendar::today().format("%m/%d").to_string();
    assert!(
        page.body.contains("逾期趋势") && page.body.contains(&format!("<title>{today}：3</title>")),
        "{}",
        page.body
    );
    assert_eq!(app.count("measure WHERE close_out = 'returned'").await, 1);
    assert_eq!(app.count("measure WHERE close_out = 'requested'").await, 1);
    assert_eq!(app.count("measure WHERE relapses = 1").await, 1);
    // The 工作台 counts them, by colour, within the viewer's scope.
    let home = app.get(&leader, "/").await;
    // Overdue: the late one, the returned one and the relapsed one (both past their deadline).
    assert!(
        home.body.contains("3项整改措施已逾期") && home.body.contains("1项整改措施临近整改时限"),
        "{}",
        home.body
    );
    let clerk2 = app.login("clerk2", PASSWORD).await;
    let home = app.get(&clerk2, "/").await;
    assert!(
        home.body.contains("1项整改措施已逾期"),
        "农村科技处 has only the returned measure: {}",
        home.body
    );
}

#[tokio::test]
async fn the_ledger_exports_as_the_excel_bureaus_keep_within_scope() {
    use calamine::Reader;
    let app = demo_app().await;
    let round = crate::common::scalar_i64(&app.db, "SELECT MIN(id) FROM inspection").await;
    let rows_of = |bytes: Vec<u8>| {
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a real .xlsx");
        let range = book.worksheet_range("整改台账").unwrap();
        range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    let leader = app.login("leader", PASSWORD).await;
    let (status, bytes) = app
        .get_bytes(&leader, &format!("/ledger/inspections/{round}/export"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = rows_of(bytes);
    assert_eq!(
        rows[1][..4],
        ["序号", "方面/主要问题", "具体问题", "整改措施"].map(String::from)
    );
    let measures: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[0].parse::<u32>().is_ok())
        .collect();
    assert_eq!(measures.len(), 10, "every measure of the demo round");
    assert!(
        measures
            .iter()
            .any(|r| r[10] == "已销号" && !r[12].is_empty()),
        "a closed one with its 销号日期"
    );
    assert!(measures.iter().any(|r| r[13].starts_with("销号申请被退回")));
    let clerk2 = app.login("clerk2", PASSWORD).await;
    let rows = rows_of(
        app.get_bytes(&clerk2, &format!("/ledger/inspections/{round}/export"))
            .await
            .1,
    );
    let measures: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[0].parse::<u32>().is_ok())
        .collect();
    assert_eq!(measures.len(), 1, "农村科技处 exports its own measure only");
    assert_eq!(measures[0][5], "农村科技处");
}

#[tokio::test]
async fn the_public_bulletin_is_written_from_the_ledger_as_word_and_page() {
    let app = demo_app().await;
    let round = crate::common::scalar_i64(&app.db, "SELECT MIN(id) FROM inspection").await;
    let gxjs_measure = crate::common::scalar_i64(
        &app.db,
        "SELECT MIN(id) FROM measure WHERE status = 'not_started'",
    )
    .await;
    let admin = app.login("admin", PASSWORD).await;
    // A report that names someone's mobile number: the public bulletin masks it.
    let r = report(
        &app,
        &admin,
        gxjs_measure,
        "已约谈责任人（手机13912345678），部署整改。",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let leader = app.login("leader", PASSWORD).await;
    let form = app
        .get(&leader, &format!("/ledger/inspections/{round}/bulletin"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("中共滨海市科学技术局党组"));
    let fields = [
        ("issuer", "中共滨海市科学技术局党组"),
        ("unit", "滨海市科学技术局"),
        ("published", "2026-11-20"),
        ("phone", "0411-88886666"),
        ("email", "jubangongshi@example.cn"),
    ];
    let mut html = fields.to_vec();
    html.push(("format", "html"));
    let page = app
        .post_form(
            &leader,
            &format!("/ledger/inspections/{round}/bulletin"),
            &html,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for part in [
        "关于市委第三巡察组巡察整改情况的通报",
        "市委第三巡察组",
        "139****5678",
        "0411-88886666",
        "2026年11月20日",
    ] {
        assert!(page.body.contains(part), "the page shows {part}");
    }
    assert!(!page.body.contains("13912345678"));
    let mut docx = fields.to_vec();
    docx.push(("format", "docx"));
    let (status, bytes) = app
        .post_form_bytes(
            &leader,
            &format!("/ledger/inspections/{round}/bulletin"),
            &docx,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The Word file reads back as a bulletin with the ledger's structure.
    let parsed = bulletin::parse_docx(&bytes).expect("a real .docx that parses as a bulletin");
    assert_eq!(
        parsed.summary().to_string(),
        "sections=3 main=5 specific=10 measures=10 completed=3 in_progress=6"
    );
    let text = bulletin::docx_text(&bytes).unwrap();
    assert!(!text.contains("13912345678"));
    // It carries the log's checkpoint, signed as it was written, so the public can anchor the log.
    let published = app
        .get(&crate::common::Auth::None, "/audit/checkpoint")
        .await;
    let cp = audit::SignedCheckpoint::parse(&published.body).unwrap();
    assert!(
        text.contains(&format!(
            "第{}条，根哈希 {}",
            cp.checkpoint().size(),
            cp.checkpoint().root().to_base64()
        )),
        "{text}"
    );
    // Who may not see the whole round may not publish it.
    let clerk = app.login("clerk", PASSWORD).await;
    assert_eq!(
        app.get(&clerk, &format!("/ledger/inspections/{round}/bulletin"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn upload_bulletin(
    app: &TestApp,
    auth: &Auth,
    name: &str,
    bytes: &[u8],
    department: &str,
) -> crate::common::Resp {
    app.post_multipart(
        auth,
        "/ledger/import",
        &[("department_id", department)],
        Some(("file", name, bytes)),
    )
    .await
}

#[tokio::test]
async fn a_published_bulletin_is_uploaded_previewed_and_imported() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let bureau = app.department_id("滨海市科学技术局").await.to_string();
    let seed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/seeds/003_498a692be3e6a6d3.txt"
    ))
    .unwrap();
    let before = app.count("inspection").await;
    let preview = upload_bulletin(&app, &admin, "003.txt", &seed, &bureau).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview
            .body
            .contains("6个方面、17个主要问题、0个具体问题、47条整改措施"),
        "{}",
        preview.body
    );
    assert_eq!(
        app.count("inspection").await,
        before,
        "the preview writes nothing"
    );
    let token = preview
        .body
        .split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let done = app
        .post_form(&admin, "/ledger/import/confirm", &[("token", &token)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(app.count("inspection").await, before + 1);
    assert_eq!(
        app.count("measure WHERE inspection_id = (SELECT MAX(id) FROM inspection)")
            .await,
        47
    );
    let page = app.get(&admin, done.location()).await;
    assert_eq!(page.status, StatusCode::OK);
    // Bad files are explained, and nothing is written.
    let r = upload_bulletin(
        &app,
        &admin,
        "old.doc",
        &[0xD0, 0xCF, 0x11, 0xE0, 0, 0],
        &bureau,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("另存为"), "{}", r.body);
    let r = upload_bulletin(&app, &admin, "gbk.txt", &[0xC4, 0xE3, 0xBA, 0xC3], &bureau).await;
    assert!(r.body.contains("不是 UTF-8 编码"), "{}", r.body);
    let r = upload_bulletin(&app, &admin, "003.txt", &seed, "999999").await;
    assert!(r.body.contains("请选择被巡察单位"), "{}", r.body);
    assert_eq!(app.count("inspection").await, before + 1);
    let clerk = app.login("clerk", PASSWORD).await;
    assert_eq!(
        app.get(&clerk, "/ledger/import").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_office_assigns_a_measure_and_the_department_then_sees_it() {
    let app = demo_app().await;
    let (_, _, second) = round(&app).await;
    let admin = app.login("admin", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await.to_string();
    let before = app.audit_count().await;
    let bad = app
        .post_form(
            &admin,
            &format!("/ledger/measures/{second}/edit"),
            &[
                ("content", ""),
                ("department_id", &gxjs),
                ("due_kind", "date"),
                ("due_on", "2026-02-30"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("请填写整改措施") && bad.body.contains("整改时限有误"),
        "{}",
        bad.body
    );
    assert_eq!(app.audit_count().await, before);
    let r = app
        .post_form(
            &admin,
            &format!("/ledger/measures/{second}/edit"),
            &[
                ("content", "修订验收办法"),
                ("lead_leader", "分管副局长"),
                ("department_id", &gxjs),
                ("owner", "于磊"),
                ("due_kind", "date"),
                ("due_on", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let events = app.events_after(before).await;
    assert_eq!(
        (events.len(), events[0].0.as_str()),
        (1, "ledger.measure.update")
    );
    assert_eq!(events[0].3["owner"], serde_json::json!([null, "于磊"]));
    // It moved from 农村科技处 to 高新技术处: the clerks' scopes follow.
    let clerk = app.login("clerk", PASSWORD).await;
    assert_eq!(
        app.get(&clerk, &format!("/ledger/measures/{second}"))
            .await
            .status,
        StatusCode::OK
    );
    let clerk2 = app.login("clerk2", PASSWORD).await;
    assert_eq!(
        app.get(&clerk2, &format!("/ledger/measures/{second}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&clerk, &format!("/ledger/measures/{second}/edit"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "clerks do not assign"
    );
}

async fn upload_excel(
    app: &TestApp,
    auth: &Auth,
    bytes: &[u8],
    department: &str,
) -> crate::common::Resp {
    let fields = [
        ("title", "导入的巡察整改台账"),
        ("team", "市委第三巡察组"),
        ("department_id", department),
    ];
    app.post_multipart(
        auth,
        "/ledger/import-excel",
        &fields,
        Some(("file", "ledger.xlsx", bytes)),
    )
    .await
}

fn token_of(page: &str) -> String {
    page.split("name=\"token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a confirm token")
        .to_owned()
}

#[tokio::test]
async fn the_exported_excel_imports_back_and_bad_rows_are_named() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let bureau = app.department_id("滨海市科学技术局").await.to_string();
    let round = crate::common::scalar_i64(&app.db, "SELECT MIN(id) FROM inspection").await;
    let (_, exported) = app
        .get_bytes(&admin, &format!("/ledger/inspections/{round}/export"))
        .await;
    let preview = upload_excel(&app, &admin, &exported, &bureau).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("共10条整改措施：10条可以导入"),
        "{}",
        preview.body
    );
    let done = app
        .post_form(
            &admin,
            "/ledger/import-excel/confirm",
            &[("token", &token_of(&preview.body)), ("mode", "all")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let new_round = crate::common::scalar_i64(&app.db, "SELECT MAX(id) FROM inspection").await;
    assert_eq!(
        app.count(&format!("measure WHERE inspection_id = {new_round}"))
            .await,
        10
    );
    assert_eq!(
        app.count(&format!("ledger_section WHERE inspection_id = {new_round}"))
            .await,
        3
    );
    assert_eq!(
        app.count(&format!(
            "measure WHERE inspection_id = {new_round} AND status = 'long_term'"
        ))
        .await,
        1
    );

    // A sheet of the bureau's own with a deadline nobody can read.
    let columns: Vec<app::web::xlsx::Column> =
        ["序号", "主要问题", "整改措施", "责任科室", "整改时限"]
            .iter()
            .map(|h| app::web::xlsx::Column {
                header: h,
                width: 10.0,
            })
            .collect();
    let rows = vec![
        vec![
            "1".into(),
            "制度不健全".into(),
            "修订制度".into(),
            "办公室".into(),
            "2026年12月底前".into(),
        ],
        vec![
            "2".into(),
            "".into(),
            "开展培训".into(),
            "办公室".into(),
            "九月中旬".into(),
        ],
    ];
    let bytes = app::web::xlsx::workbook("台账", &columns, &rows).unwrap();
    let before = app.count("inspection").await;
    let preview = upload_excel(&app, &admin, &bytes, &bureau).await;
    assert!(
        preview.body.contains("第3行：整改时限无法识别：“九月中旬”"),
        "{}",
        preview.body
    );
    let refused = app
        .post_form(
            &admin,
            "/ledger/import-excel/confirm",
            &[("token", &token_of(&preview.body)), ("mode", "all")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("未写入任何数据"));
    assert_eq!(app.count("inspection").await, before);
    let done = app
        .post_form(
            &admin,
            "/ledger/import-excel/confirm",
            &[("token", &token_of(&refused.body)), ("mode", "valid")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let newest = crate::common::scalar_i64(&app.db, "SELECT MAX(id) FROM inspection").await;
    assert_eq!(
        app.count(&format!("measure WHERE inspection_id = {newest}"))
            .await,
        1
    );
}

#[tokio::test]
async fn a_ledger_is_built_by_hand_from_its_round_page() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let bureau = app.department_id("滨海市科学技术局").await.to_string();
    let bad = app
        .post_form(
            &admin,
            "/ledger/new",
            &[
                ("kind", "patrol"),
                ("title", ""),
                ("team", "市委第一巡察组"),
                ("feedback_on", "2026-02-30"),
                ("department_id", &bureau),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("请填写台账名称") && bad.body.contains("反馈日期有误"),
        "{}",
        bad.body
    );
    let r = app
        .post_form(
            &admin,
            "/ledger/new",
            &[
                ("kind", "patrol"),
                ("title", "市委第一巡察组反馈问题整改"),
                ("team", "市委第一巡察组"),
                ("feedback_on", "2026-03-01"),
                ("department_id", &bureau),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let round = r.location().to_owned();
    let add = |what: &'static str, parent: String, text: &'static str| {
        let path = format!("{round}/add");
        let admin = admin.clone();
        let app = &app;
        async move {
            app.post_form(
                &admin,
                &path,
                &[("what", what), ("parent", &parent), ("text", text)],
            )
            .await
        }
    };
    let before = app.audit_count().await;
    assert_eq!(
        add("section", String::new(), "（一）党的建设方面")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let section = crate::common::scalar_i64(&app.db, "SELECT MAX(id) FROM ledger_section")
        .await
        .to_string();
    assert_eq!(
        add("main", section, "制度执行不严的问题").await.status,
        StatusCode::SEE_OTHER
    );
    let main = crate::common::scalar_i64(&app.db, "SELECT MAX(id) FROM problem")
        .await
        .to_string();
    assert_eq!(
        add("specific", main.clone(), "请示报告制度落实不到位")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let specific = crate::common::scalar_i64(&app.db, "SELECT MAX(id) FROM problem")
        .await
        .to_string();
    assert_eq!(
        add("measure", specific, "修订请示报告制度").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.audit_count().await,
        before + 4,
        "one audited insert each"
    );
    let page = app.get(&admin, &round).await;
    for shown in [
        "（一）党的建设方面",
        "制度执行不严的问题",
        "请示报告制度落实不到位",
        "修订请示报告制度",
    ] {
        assert!(page.body.contains(shown), "{shown}");
    }
    // A parent from another round, or nonsense, writes nothing.
    let demo_section = crate::common::scalar_i64(&app.db, "SELECT MIN(id) FROM ledger_section")
        .await
        .to_string();
    assert_eq!(
        add("main", demo_section, "不应出现").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        add("specific", "abc".into(), "不应出现").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        add("measure", main, "").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.audit_count().await, before + 4);
}

#[tokio::test]
async fn a_weekly_snapshot_stays_as_it_was_after_later_edits() {
    use calamine::Reader;
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let round = crate::common::scalar_i64(&app.db, "SELECT MIN(id) FROM inspection").await;
    let r = app
        .post_form(
            &admin,
            &format!("/ledger/inspections/{round}/snapshots"),
            &[("kind", "weekly")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let snapshot = crate::common::scalar_i64(&app.db, "SELECT MAX(id) FROM ledger_snapshot").await;
    let contents = |bytes: Vec<u8>| {
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("整改台账").unwrap();
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let before = contents(
        app.get_bytes(&admin, &format!("/ledger/snapshots/{snapshot}"))
            .await
            .1,
    );
    assert!(
        before.contains("周调度表") && before.contains("制定中层干部交流轮岗实施办法"),
        "{before}"
    );
    // Edit a measure afterwards: the live export changes, the snapshot does not.
    let measure = crate::common::scalar_i64(
        &app.db,
        "SELECT MIN(id) FROM measure WHERE status = 'not_started'",
    )
    .await;
    let rsc = app.department_id("人事处").await.to_string();
    let r = app
        .post_form(
            &admin,
            &format!("/ledger/measures/{measure}/edit"),
            &[
                ("content", "修订并印发中层干部交流轮岗实施办法"),
                ("department_id", &rsc),
                ("due_kind", "immediate"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let live = contents(
        app.get_bytes(&admin, &format!("/ledger/inspections/{round}/export"))
            .await
            .1,
    );
    assert!(live.contains("修订并印发中层干部交流轮岗实施办法"));
    let after = contents(
        app.get_bytes(&admin, &format!("/ledger/snapshots/{snapshot}"))
            .await
            .1,
    );
    assert_eq!(after, before, "the snapshot is frozen");
    // The same frozen snapshot as a Word table, as printed for the weekly meeting.
    let (status, docx) = app
        .get_bytes(&admin, &format!("/ledger/snapshots/{snapshot}?format=docx"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = bulletin::docx_text(&docx).expect("a real .docx");
    assert!(
        text.contains("周调度表")
            && text.contains("制定中层干部交流轮岗实施办法")
            && !text.contains("修订并印发中层干部交流轮岗实施办法"),
        "{text}"
    );
    let page = app
        .get(&admin, &format!("/ledger/inspections/{round}"))
        .await;
    assert!(
        page.body.contains("周调度表（"),
        "the round lists its snapshots"
    );
    let applicant = app.login("applicant", PASSWORD).await;
    assert_eq!(
        app.get_bytes(&applicant, &format!("/ledger/snapshots/{snapshot}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // And the whole database still verifies against its audit trail.
    assert!(
        app::audit::verify::verify(&app.db, app.log_key().verifier())
            .await
            .unwrap()
            .is_ok()
    );
}

/// Import a seed bulletin, write the bulletin back from the ledger, import that: the same ledger.
#[tokio::test]
async fn bulletin_round_trip_through_the_ledger_on_the_three_seeds() {
    use sea_orm::EntityTrait;
    let app = demo_app().await;
    let bureau = app.department_id("滨海市科学技术局").await;
    for seed in [
        "001_bc0deb5ebaaa86f1.txt",
        "002_7f9aef61c5fa0b5a.txt",
        "003_498a692be3e6a6d3.txt",
    ] {
        let text = std::fs::read_to_string(format!(
            "{}/../../../shared/seeds/{seed}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let first =
            app::ledger::import::draft(&bulletin::parse(&text).unwrap().bulletin, bureau, seed);
        let id = app::ledger::store::create(
            &app.db,
            app::db::audited::Actor::system("测试"),
            "ledger.inspection.import",
            &first,
        )
        .await
        .unwrap();
        let round = app::ledger::entities::inspection::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let tree = app::ledger::store::tree(&app.db, &app::org::scope::Scope::All, id)
            .await
            .unwrap();
        let facts: Vec<app::ledger::bulletin_out::MeasureFacts> = tree
            .measures
            .iter()
            .map(|measure| app::ledger::bulletin_out::MeasureFacts {
                measure,
                progress: None,
            })
            .collect();
        let issue = app::ledger::bulletin_out::Issue {
            unit: "滨海市科学技术局".into(),
            issuer: "中共滨海市科学技术局党组".into(),
            published: None,
            contact: Default::default(),
        };
        let written = app::ledger::bulletin_out::write(
            &round,
            &tree.sections,
            &tree.problems,
            &facts,
            &Default::default(),
            &issue,
        );
        let again = app::ledger::import::draft(
            &bulletin::parse(&bulletin::render_text(
                &written,
                bulletin::Privacy::Internal,
            ))
            .unwrap()
            .bulletin,
            bureau,
            seed,
        );
        assert_eq!(
            app::ledger::import::counts(&again),
            app::ledger::import::counts(&first),
            "{seed}"
        );
        let measures = |d: &app::ledger::store::Draft| -> Vec<String> {
            d.sections
                .iter()
                .flat_map(|s| &s.problems)
                .flat_map(|p| std::iter::once(p).chain(&p.children))
                .flat_map(|p| &p.measures)
                .map(|m| m.content.clone())
                .collect()
        };
        assert_eq!(
            measures(&again),
            measures(&first),
            "{seed}: the same measures in the same order"
        );
        let titles = |d: &app::ledger::store::Draft| -> Vec<String> {
            d.sections
                .iter()
                .flat_map(|s| &s.problems)
                .map(|p| p.title.clone())
                .collect()
        };
        assert_eq!(titles(&again), titles(&first), "{seed}: the same problems");
    }
}

#[tokio::test]
async fn supervision_notices_climb_the_ladder_and_are_acknowledged_on_record() {
    let app = demo_app().await;
    let overdue = crate::common::scalar_i64(
        &app.db,
        "SELECT id FROM measure WHERE content LIKE '开展政策进园区%'",
    )
    .await;
    let leader = app.login("leader", PASSWORD).await;
    let clerk = app.login("clerk", PASSWORD).await;
    // The clerk cannot issue one; the leader issues three, the third and fourth at the top level.
    let r = app
        .post_form(
            &clerk,
            &format!("/ledger/measures/{overdue}/notices"),
            &[("content", "请加快进度")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    for text in [
        "请本周内报告进展",
        "请说明逾期原因",
        "约谈分管负责人",
        "再次约谈",
    ] {
        let r = app
            .post_form(
                &leader,
                &format!("/ledger/measures/{overdue}/notices"),
                &[("content", text)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let levels: Vec<i64> = {
        use sea_orm::ConnectionTrait;
        let rows = app
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                format!(
                    "SELECT level FROM supervision_notice WHERE measure_id = {overdue} ORDER BY id"
                ),
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.try_get_by_index::<i32>(0).unwrap() as i64)
            .collect()
    };
    assert_eq!(levels, [1, 2, 3, 3]);
    let page = app
        .get(&clerk, &format!("/ledger/measures/{overdue}"))
        .await;
    assert!(
        page.body.contains("提醒")
            && page.body.contains("督办")
            && page.body.contains("约谈")
            && page.body.contains("待签收")
    );
    let home = app.get(&clerk, "/").await;
    assert!(home.body.contains("4份督办单待签收"), "{}", home.body);
    // The clerk acknowledges the first; once only; another department cannot.
    let first = crate::common::scalar_i64(&app.db, "SELECT MIN(id) FROM supervision_notice").await;
    let clerk2 = app.login("clerk2", PASSWORD).await;
    assert_eq!(
        app.post_form(
            &clerk2,
            &format!("/ledger/notices/{first}/acknowledge"),
            &[]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let seq = app.last_seq().await;
    assert_eq!(
        app.post_form(&clerk, &format!("/ledger/notices/{first}/acknowledge"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let events = app.events_after(seq).await;
    assert_eq!(
        (events.len(), events[0].0.as_str()),
        (1, "ledger.notice.acknowledge")
    );
    assert_eq!(
        app.post_form(&clerk, &format!("/ledger/notices/{first}/acknowledge"), &[])
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert!(app.get(&clerk, "/").await.body.contains("3份督办单待签收"));
    // The ladder is the bureau's setting.
    let admin = app.login("admin", PASSWORD).await;
    let r = app
        .post_form(
            &admin,
            "/system/settings",
            &crate::common::settings_form(&[("ledger.supervision_ladder", "提醒、约谈")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let other = crate::common::scalar_i64(
        &app.db,
        "SELECT id FROM measure WHERE content LIKE '修订项目验收%'",
    )
    .await;
    app.post_form(
        &leader,
        &format!("/ledger/measures/{other}/notices"),
        &[("content", "请整改")],
    )
    .await;
    app.post_form(
        &leader,
        &format!("/ledger/measures/{other}/notices"),
        &[("content", "请整改")],
    )
    .await;
    assert_eq!(
        app.count(&format!(
            "supervision_notice WHERE measure_id = {other} AND level_name = '约谈'"
        ))
        .await,
        1
    );
    assert!(
        app::audit::verify::verify(&app.db, app.log_key().verifier())
            .await
            .unwrap()
            .is_ok()
    );
}
