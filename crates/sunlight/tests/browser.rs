//! Real clicks in headless Chromium against the real binary: three demo roles log in and see their
//! menus; an administrator creates a department and a user through the forms and meets a
//! validation error in Chinese; the home page is saved as a screenshot under the test's output.

mod support;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use support::{Server, Store};

/// A chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (scripts/test installs chromium-driver)");
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=zh-CN"]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..50 {
        if let Ok(c) = ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&driver.url)
            .await
        {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver at {} did not start a browser", driver.url)
}

async fn log_in(c: &Client, base: &str, username: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Css("#username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    click(c, Locator::Css("button[type=submit]")).await;
    c.wait()
        .for_element(Locator::Css("nav.sidebar"))
        .await
        .unwrap();
}

async fn log_out(c: &Client) {
    click(c, Locator::Css("form[action='/logout'] button")).await;
    c.wait()
        .for_element(Locator::Css("#username"))
        .await
        .unwrap();
}

async fn menu(c: &Client) -> String {
    c.find(Locator::Css("nav.sidebar"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn fill(c: &Client, name: &str, value: &str) {
    let field = c
        .find(Locator::Css(&format!("[name='{name}']")))
        .await
        .unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

/// Finds one element and clicks it.
async fn click(c: &Client, what: Locator<'_>) {
    c.find(what).await.unwrap().click().await.unwrap();
}

async fn submit(c: &Client) {
    click(c, Locator::Css("form.form-grid button[type=submit]")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn three_roles_and_the_admin_forms_in_chromium() {
    let store = Store::fresh("browser");
    let server = Server::start(&store, &["--demo"]);
    let base = server.url.clone();
    let driver = Driver::start();
    let c = browser(&driver).await;

    // The administrator sees every admin page in the menu; the home page is saved.
    log_in(&c, &base, "admin", "Demo@2026").await;
    let m = menu(&c).await;
    for item in [
        "工作台",
        "部门管理",
        "用户管理",
        "角色管理",
        "参数设置",
        "登录日志",
        "审计追溯",
    ] {
        assert!(m.contains(item), "admin menu lacks {item}: {m}");
    }
    let top = c
        .find(Locator::Css("header.topbar"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        top.contains("办公室"),
        "the top bar shows the department: {top}"
    );
    let png = c.screenshot().await.unwrap();
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("home-admin.png"), &png).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real screenshot"
    );

    // A new department through the form, placed under the bureau.
    c.goto(&format!("{base}/org/departments/new"))
        .await
        .unwrap();
    fill(&c, "name", "知识产权处").await;
    fill(&c, "code", "ZSCQ").await;
    c.find(Locator::Css("select[name='parent_id']"))
        .await
        .unwrap()
        .select_by_label("滨海市科学技术局")
        .await
        .unwrap();
    submit(&c).await;
    c.wait()
        .for_element(Locator::Css("table.list"))
        .await
        .unwrap();
    let source = c.source().await.unwrap();
    assert!(
        source.contains("知识产权处"),
        "the new department is listed"
    );
    assert!(source.contains("已新增"), "and the page says so");

    // A user with an invalid phone number: the form says what is wrong, in Chinese, next to the field.
    c.goto(&format!("{base}/org/users/new")).await.unwrap();
    fill(&c, "username", "zhangwei").await;
    fill(&c, "name", "张伟").await;
    c.find(Locator::Css("select[name='department_id']"))
        .await
        .unwrap()
        .select_by_label("知识产权处")
        .await
        .unwrap();
    fill(&c, "phone", "1380013").await;
    submit(&c).await;
    let error = c
        .wait()
        .for_element(Locator::Css(".field-error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        error.contains("“1380013”") && error.contains("应为11位"),
        "{error}"
    );
    // Corrected, the user is created and the one-time password is shown once.
    fill(&c, "phone", "13800138000").await;
    submit(&c).await;
    let password = c
        .wait()
        .for_element(Locator::Css(".panel code"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        password.chars().count() >= 12,
        "a one-time password is shown: {password} in {}",
        c.source().await.unwrap()
    );
    assert!(c.source().await.unwrap().contains("只显示这一次"));
    c.goto(&format!("{base}/org/users?q=zhangwei"))
        .await
        .unwrap();
    assert!(c.source().await.unwrap().contains("张伟"));
    log_out(&c).await;

    // A clerk sees the organisation pages of their work, not the administration.
    log_in(&c, &base, "clerk", "Demo@2026").await;
    let m = menu(&c).await;
    assert!(m.contains("用户管理"), "{m}");
    for item in ["角色管理", "参数设置", "审计追溯"] {
        assert!(!m.contains(item), "clerk menu shows {item}: {m}");
    }
    log_out(&c).await;

    // The discipline inspector reads the logs but has no 新增 on the user list.
    log_in(&c, &base, "inspector", "Demo@2026").await;
    let m = menu(&c).await;
    assert!(m.contains("审计追溯") && m.contains("登录日志"), "{m}");
    c.goto(&format!("{base}/org/users")).await.unwrap();
    let toolbar = c
        .find(Locator::Css(".toolbar"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!toolbar.contains("新增"), "{toolbar}");
    c.goto(&format!("{base}/audit/events")).await.unwrap();
    assert!(
        c.source().await.unwrap().contains("知识产权处"),
        "the inspector sees the admin's change on record"
    );
    // … signs a checkpoint and runs the full verification from 完整性, then checks one event's proof.
    c.goto(&format!("{base}/audit/integrity")).await.unwrap();
    click(&c, Locator::XPath("//button[text()='立即签署检查点']")).await;
    // Wait for the page the first form led to before pressing the second button.
    c.wait()
        .for_element(Locator::XPath("//p[contains(., '已签署检查点')]"))
        .await
        .unwrap();
    click(&c, Locator::XPath("//button[text()='立即全面核验']")).await;
    c.wait()
        .for_element(Locator::XPath("//p[contains(., '全面核验已完成')]"))
        .await
        .unwrap();
    let integrity = c.source().await.unwrap();
    assert!(
        integrity.contains("通过") && integrity.contains("sunlight.local/audit-"),
        "{integrity}"
    );
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("integrity.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base}/audit/events")).await.unwrap();
    click(&c, Locator::LinkText("核验")).await;
    let proof = c
        .wait()
        .for_element(Locator::Id("proof-result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(proof.contains("核验通过"), "{proof}");

    c.close().await.unwrap();
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_measure_walks_from_progress_report_to_close_out_in_chromium() {
    let store = Store::fresh("browser-ledger");
    let server = Server::start(&store, &["--demo"]);
    let base = server.url.clone();
    let driver = Driver::start();
    let c = browser(&driver).await;

    // The clerk of 高新技术处 finds the overdue measure in the demo round.
    log_in(&c, &base, "clerk", "Demo@2026").await;
    c.goto(&format!("{base}/ledger")).await.unwrap();
    click(&c, Locator::LinkText("市委第三巡察组常规巡察反馈问题整改")).await;
    c.wait()
        .for_element(Locator::Css("table.ledger"))
        .await
        .unwrap();
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("ledger-round-clerk.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    click(
        &c,
        Locator::LinkText("开展政策进园区、进企业宣讲不少于10场"),
    )
    .await;
    let page = c
        .wait()
        .for_element(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("已逾期"), "{page}");

    // Report progress with an evidence file, then ask for 销号.
    let evidence = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("宣讲签到表.txt");
    std::fs::write(&evidence, "第十场宣讲签到表").unwrap();
    fill(&c, "content", "已完成10场宣讲，覆盖企业320家。").await;
    c.find(Locator::Css("input[name='files']"))
        .await
        .unwrap()
        .send_keys(&evidence.display().to_string())
        .await
        .unwrap();
    click(&c, Locator::Css("form[enctype] button[type=submit]")).await;
    // Wait for the new page (the old one may show earlier reports already): the file's name.
    c.wait()
        .for_element(Locator::XPath("//*[contains(text(), '宣讲签到表.txt')]"))
        .await
        .expect("the report with its evidence file is shown");
    click(&c, Locator::Css("button[value='request']")).await;
    // Wait for the new page, not the old one.
    c.wait()
        .for_element(Locator::XPath("//span[contains(., '已申请销号，待审核')]"))
        .await
        .unwrap();
    let url = c.current_url().await.unwrap().to_string();
    let measure_path = url
        .split('?')
        .next()
        .unwrap()
        .trim_start_matches(&base)
        .to_owned();
    log_out(&c).await;

    // The leader reviews and closes it; the page shows the 销号 and the 回头看 date.
    log_in(&c, &base, "leader", "Demo@2026").await;
    c.goto(&format!("{base}{measure_path}")).await.unwrap();
    click(&c, Locator::Css("button[value='approve']")).await;
    c.wait()
        .for_element(Locator::XPath("//p[contains(., '销号日期')]"))
        .await
        .unwrap();
    let page = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("状态：已销号") && page.contains("回头看"),
        "{page}"
    );
    c.close().await.unwrap();
}
