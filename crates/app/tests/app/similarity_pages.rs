//! 查重 pages: the library (upload, list, scope, delete), checks whose sources are only documents in
//! the viewer's scope, the report as a page and as a Word file, bad uploads that write nothing, an
//! audit event for every write, and the index rebuilt from the database.

use std::io::Read;

use app::web::{AppState, Config};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::common::{Auth, PASSWORD, Resp, TestApp, demo_app, scalar_i64};

/// Pseudo-random Chinese text without punctuation (every character counts), the same for a seed.
fn text(seed: u64, len: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from_u32(0x4E00 + (x % 3000) as u32).unwrap_or('中')
        })
        .collect()
}

/// A file to upload: its name and bytes.
type Upload<'a> = (&'a str, &'a [u8]);

/// A multipart POST with text fields and any number of files in the field `file`.
async fn post_files(
    app: &TestApp,
    auth: &Auth,
    path: &str,
    fields: &[(&str, &str)],
    files: &[Upload<'_>],
) -> Resp {
    let boundary = "----sunlightsimilarityboundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .into_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .into_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    let Auth::Cookie(cookie) = auth else {
        panic!("pages are used with a session cookie")
    };
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::HOST, "sunlight.test")
        .header(header::COOKIE, cookie.as_str())
        .header("sec-fetch-site", "same-origin")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}

/// Uploads one library document into `department` and returns its id.
async fn upload(
    app: &TestApp,
    auth: &Auth,
    title: &str,
    owner: &str,
    department: i64,
    body: &str,
) -> i64 {
    let before = app.count("similarity_document").await;
    let r = post_files(
        app,
        auth,
        "/similarity/library/upload",
        &[
            ("title", title),
            ("owner", owner),
            ("department_id", &department.to_string()),
        ],
        &[("来源.txt", body.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/similarity/library?msg=created");
    assert_eq!(app.count("similarity_document").await, before + 1);
    scalar_i64(
        &app.db,
        &format!("SELECT id FROM similarity_document WHERE title = '{title}'"),
    )
    .await
}

/// Runs a check and returns the id of its record.
async fn check(app: &TestApp, auth: &Auth, owner: &str, body: &str) -> i64 {
    let r = post_files(
        app,
        auth,
        "/similarity/check",
        &[("title", "待查申报书"), ("owner", owner)],
        &[("待查.txt", body.as_bytes())],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .strip_prefix("/similarity/reports/")
        .expect("the report page")
        .parse()
        .unwrap()
}

async fn check_figure(app: &TestApp, id: i64, column: &str) -> i64 {
    scalar_i64(
        &app.db,
        &format!("SELECT CAST({column} AS BIGINT) FROM similarity_check WHERE id = {id}"),
    )
    .await
}

#[tokio::test]
async fn an_uploaded_document_is_listed_and_found_as_the_source_of_a_copied_passage() {
    let app = demo_app().await;
    let head = app.login("head", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await;
    let source = text(1, 1000);
    let id = upload(&app, &head, "早年申报书", "滨海甲公司", gxjs, &source).await;

    let r = app.get(&head, "/similarity/library?q=早年").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("早年申报书") && r.body.contains("滨海甲公司"),
        "{}",
        r.body
    );
    assert!(r.body.contains("共 1 条"), "the search narrows the list");
    let r = app.get(&head, &format!("/similarity/library/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&source[..30]));

    // 200 of 800 characters copied: the truth is 25%.
    let copied: String = source.chars().skip(300).take(200).collect();
    let query = format!("{}{}{}", text(2, 300), copied, text(3, 300));
    let report = check(&app, &head, "滨海乙公司", &query).await;
    let total = check_figure(&app, report, "total_ratio_bp").await;
    assert!(
        (2400..=2600).contains(&total),
        "总文字复制比 {total} bp, truth 2500"
    );
    assert_eq!(check_figure(&app, report, "total_chars").await, 800);
    assert_eq!(check_figure(&app, report, "sources").await, 1);

    let r = app
        .get(&head, &format!("/similarity/reports/{report}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for wanted in [
        "总文字复制比",
        "去除本人已有文献复制比",
        "单篇最大文字复制比",
        "早年申报书",
        "未见明显重复",
    ] {
        assert!(r.body.contains(wanted), "{wanted} missing");
    }
    // The passage is highlighted on both sides.
    assert_eq!(
        r.body.matches(&format!("<mark>{copied}</mark>")).count(),
        3,
        "checked, source, full text"
    );

    // The same owner: the source is the applicant's own, left out of the second ratio.
    let own = check(&app, &head, "滨海甲公司", &query).await;
    assert!(check_figure(&app, own, "total_ratio_bp").await >= 2400);
    assert_eq!(check_figure(&app, own, "ratio_excluding_own_bp").await, 0);

    // Past checks in scope.
    let r = app.get(&head, "/similarity/reports").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.matches("待查申报书").count(), 2);
}

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
async fn the_word_report_opens_and_holds_the_ratios() {
    let app = demo_app().await;
    let head = app.login("head", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await;
    let source = text(21, 600);
    upload(&app, &head, "旧项目", "滨海丁公司", gxjs, &source).await;
    let query = format!("{}{}", text(22, 600), source);
    let id = check(&app, &head, "", &query).await;
    let bp = check_figure(&app, id, "total_ratio_bp").await;
    let shown = format!("{}.{:02}%", bp / 100, bp % 100);

    let (status, bytes) = app
        .get_bytes(&head, &format!("/similarity/reports/{id}/report.docx"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a .docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    for wanted in [
        "文本复制检测报告单",
        "总文字复制比",
        shown.as_str(),
        "旧项目",
        "待查申报书",
    ] {
        assert!(xml.contains(wanted), "{wanted} missing from the Word file");
    }
    assert!(xml.contains(r#"<w:highlight w:val="yellow"/>"#));
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

    let verified = app::audit::verify::verify(&app.db).await.unwrap();
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
            router: app::web::with_test_client(app::web::router(AppState::new(
                app.db.clone(),
                Config {
                    demo: true,
                    secure_cookies: false,
                    data_dir: app.data_dir.clone(),
                },
            ))),
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

/// A minimal Word file holding `paragraphs`.
fn docx(paragraphs: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t>{p}</w:t></w:r></w:p>"))
        .collect();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    )
    .unwrap();
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_word_file_enters_the_library_with_its_text_and_sections() {
    let app = demo_app().await;
    let head = app.login("head", PASSWORD).await;
    let gxjs = app.department_id("高新技术处").await.to_string();
    let (basis, content) = (text(61, 300), text(62, 300));
    let bytes = docx(&["一、立项依据", &basis, "二、研究内容", &content]);
    let r = post_files(
        &app,
        &head,
        "/similarity/library/upload",
        &[("department_id", &gxjs)],
        &[("D:\\申报材料\\二〇二四年申报书.docx", &bytes)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = scalar_i64(
        &app.db,
        "SELECT id FROM similarity_document WHERE title = '二〇二四年申报书' AND file_name = '二〇二四年申报书.docx'",
    )
    .await;
    let r = app.get(&head, &format!("/similarity/library/{id}")).await;
    assert!(r.body.contains(&basis) && r.body.contains("二、研究内容"));

    // Copying its 研究内容 shows up in that section of the report (a section counts its heading).
    let query = format!("一、立项依据\n{}\n二、研究内容\n{content}\n", text(63, 300));
    let report = check(&app, &head, "", &query).await;
    let r = app
        .get(&head, &format!("/similarity/reports/{report}"))
        .await;
    assert!(
        r.body
            .contains("<td>研究内容</td><td>305</td><td>305</td><td>100.00%</td>"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("<td>立项依据</td><td>305</td><td>0</td><td>0.00%</td>")
    );
}
