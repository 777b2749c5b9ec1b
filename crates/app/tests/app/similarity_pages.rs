//! 查重 pages: a document uploaded into the library (text or Word) is listed and found as the source of
//! a copied passage with a ratio close to the truth; the report as a page and as a Word file. The
//! helpers here serve `similarity_guards.rs` too.

use std::io::Read;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::common::{Auth, PASSWORD, Resp, TestApp, demo_app, scalar_i64};

/// Pseudo-random Chinese text without punctuation (every character counts), the same for a seed.
pub fn text(seed: u64, len: usize) -> String {
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
pub type Upload<'a> = (&'a str, &'a [u8]);

/// A multipart POST with text fields and any number of files in the field `file`.
pub async fn post_files(
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
pub async fn upload(
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
pub async fn check(app: &TestApp, auth: &Auth, owner: &str, body: &str) -> i64 {
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

pub async fn check_figure(app: &TestApp, id: i64, column: &str) -> i64 {
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
