//! The commands that open the database, run as a user runs them: serve, migrate, demo, backup, restore.

mod support;

use support::{Server, Store, postgres, run};

#[test]
fn a_first_start_prints_a_one_time_admin_password_once() {
    let store = Store::fresh("first-start");
    let server = Server::start(&store, &[]);
    assert!(
        server
            .banner
            .contains("已创建管理员账号 admin，一次性密码："),
        "{}",
        server.banner
    );
    assert!(!server.banner.contains("Demo@2026"));
    drop(server);
    let again = Server::start(&store, &[]);
    assert!(
        !again.banner.contains("一次性密码"),
        "printed once only: {}",
        again.banner
    );
}

#[test]
fn demo_data_and_real_data_are_never_mixed() {
    let demo = Store::fresh("demo-mode");
    let server = Server::start(&demo, &["--demo"]);
    for account in [
        "admin",
        "leader",
        "head",
        "clerk",
        "inspector",
        "auditor",
        "applicant",
        "expert",
    ] {
        assert!(
            server
                .banner
                .lines()
                .any(|l| l.trim_start().starts_with(account)),
            "{account} listed: {}",
            server.banner
        );
    }
    assert!(server.banner.contains("Demo@2026"));
    drop(server);
    let mut args: Vec<&str> = vec!["serve", "--listen", "127.0.0.1:0"];
    args.extend(demo.args.iter().map(String::as_str));
    let (code, _, err) = run(&args);
    assert_eq!(code, 1);
    assert!(err.contains("演示数据") && err.contains("--demo"), "{err}");

    let real = Store::fresh("real-mode");
    drop(Server::start(&real, &[]));
    let mut args: Vec<&str> = vec!["serve", "--demo", "--listen", "127.0.0.1:0"];
    args.extend(real.args.iter().map(String::as_str));
    let (code, _, err) = run(&args);
    assert_eq!(code, 1);
    assert!(err.contains("正式数据"), "{err}");
}

#[test]
fn migrate_demo_backup_and_restore_from_the_command_line() {
    let store = Store::fresh("cli-backup");
    let with = |cmd: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        v.extend(store.args.iter().cloned());
        v
    };
    let (code, out, err) = run(&with(&["migrate"])
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("迁移完成"));
    let (code, out, err) = run(&with(&["demo", "--scale", "city"])
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("staff_0"), "a city has more staff: {out}");
    // A second demo fill is refused.
    let (code, _, err) = run(&with(&["demo"])
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert_eq!(code, 1);
    assert!(err.contains("空数据库"), "{err}");

    let file = store.dir.join("backup.db");
    let file = file.display().to_string();
    let (code, out, err) = run(&with(&["backup", &file])
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert_eq!(code, 0, "{err}");
    if postgres() {
        assert!(out.contains("pg_dump --format=custom"), "{out}");
        return;
    }
    assert!(out.contains("已备份到"));
    let target = store.dir.join("restored").display().to_string();
    let (code, out, err) = run(&["restore", &file, "--data-dir", &target]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("已恢复到"));
    // The restored data serves the same demo bureau.
    let restored = Store {
        dir: store.dir.clone(),
        args: vec!["--data-dir".into(), target.clone()],
    };
    let server = Server::start(&restored, &["--demo"]);
    assert!(server.banner.contains("staff_0"));
    // Restoring into a directory that has data is refused.
    let (code, _, err) = run(&["restore", &file, "--data-dir", &target]);
    assert_eq!(code, 1);
    assert!(err.contains("已有数据库"), "{err}");
}

#[test]
fn bad_options_are_explained() {
    let (code, _, err) = run(&["serve", "--database-url", "mysql://localhost/x"]);
    assert_eq!(code, 1);
    assert!(err.contains("postgres://"), "{err}");
    let (code, _, err) = run(&["serve", "--listen", "nonsense"]);
    assert_eq!(code, 2, "clap rejects the address: {err}");
    let (code, _, err) = run(&["backup", "x.db", "--data-dir", "/nonexistent/sunlight"]);
    assert_eq!(code, 1);
    assert!(err.contains("没有数据库"), "{err}");
}

#[test]
fn the_server_stops_cleanly_on_sigterm() {
    let store = Store::fresh("sigterm");
    let mut server = Server::start(&store, &["--demo"]);
    let status = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server.wait();
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
}

#[test]
fn a_year_file_is_imported_into_the_database() {
    let store = Store::fresh("calendar-import");
    let file = store.dir.join("2027.toml");
    std::fs::write(
        &file,
        "year = 2027\ntitle = \"国务院办公厅关于2027年部分节假日安排的通知\"\nsource = \"https://www.gov.cn/zhengce/2027.htm\"\n\n[[holiday]]\nname = \"元旦\"\noff = [\"2027-01-01/2027-01-03\"]\n",
    )
    .unwrap();
    let path = file.display().to_string();
    let mut args = vec!["calendar", "import", path.as_str()];
    args.extend(store.args.iter().map(String::as_str));
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("已导入2027年放假安排：全年工作日"), "{out}");
    // The offline commands know only the shipped years; named, the database's calendar is used.
    let (code, _, err) = run(&["calendar", "add", "--from", "2026-12-31", "--workdays", "1"]);
    assert_eq!(code, 1, "2027 is not shipped");
    assert!(err.contains("缺少2027年"), "{err}");
    let mut with_db = vec!["calendar", "add", "--from", "2026-12-31", "--workdays", "1"];
    with_db.extend(store.args.iter().map(String::as_str));
    let (code, out, err) = run(&with_db);
    assert_eq!(
        (code, out.as_str()),
        (0, "2027-01-04\n"),
        "1–3 January are the 元旦 holiday: {err}"
    );

    // A broken file names its line and changes nothing.
    std::fs::write(&file, "year = 2027\nsource = \"https://www.gov.cn/x\"\n[[holiday]]\nname = \"春节\"\noff = [\"2027-02-30\"]\n").unwrap();
    let (code, _, err) = run(&args);
    assert_eq!(code, 1);
    assert!(err.contains("第5行"), "{err}");
    let (code, _, err) = run(&[
        "calendar",
        "import",
        "/nonexistent/2027.toml",
        "--data-dir",
        "x",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("无法读取"), "{err}");
}

#[test]
fn a_published_bulletin_becomes_a_ledger_in_the_database() {
    let store = Store::fresh("ledger-import");
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/seeds/001_bc0deb5ebaaa86f1.txt"
    );
    let mut demo = vec!["demo"];
    demo.extend(store.args.iter().map(String::as_str));
    assert_eq!(run(&demo).0, 0);
    let mut args = vec![
        "ledger",
        "import-bulletin",
        seed,
        "--department",
        "滨海市科学技术局",
    ];
    args.extend(store.args.iter().map(String::as_str));
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("4个方面、24个主要问题、47个具体问题、175条整改措施"),
        "{out}"
    );
    assert!(
        err.contains("警告"),
        "the differences from the stated figures are shown: {err}"
    );
    // Served, the ledger is there for the leader.
    let server = Server::start(&store, &["--demo"]);
    assert!(server.url.starts_with("http://127.0.0.1:"));
    let mut unknown = vec![
        "ledger",
        "import-bulletin",
        seed,
        "--department",
        "不存在的处",
    ];
    unknown.extend(store.args.iter().map(String::as_str));
    let (code, _, err) = run(&unknown);
    assert_eq!(code, 1);
    assert!(err.contains("没有名称或编码为“不存在的处”的部门"), "{err}");
}

#[test]
fn audit_verify_prints_the_tree_head_or_names_the_tampering() {
    let store = Store::fresh("audit-verify");
    let mut demo = vec!["demo"];
    demo.extend(store.args.iter().map(String::as_str));
    assert_eq!(run(&demo).0, 0);
    let mut verify = vec!["audit", "verify"];
    verify.extend(store.args.iter().map(String::as_str));
    let (code, out, err) = run(&verify);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("ok size=") && out.contains(" root="),
        "{out}"
    );
    // Alter one event behind the application's back.
    let tamper = "UPDATE audit_event SET ip = '10.0.0.1' WHERE seq = 2";
    if support::postgres() {
        let url = &store.args[1];
        let out = std::process::Command::new("psql")
            .arg(url)
            .arg("-qc")
            .arg(tamper)
            .output()
            .unwrap();
        assert!(out.status.success());
    } else {
        let file = format!("{}/sunlight.db", store.args[1]);
        let out = std::process::Command::new("python3").args(["-c", &format!("import sqlite3; c = sqlite3.connect('{file}'); c.execute(\"{tamper}\"); c.commit()")]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (code, _, err) = run(&verify);
    assert_eq!(code, 1);
    assert!(
        err.contains("第2号审计事件") && err.contains("audit event 2"),
        "{err}"
    );
}

/// One value from the store under test, read with the backend's own client.
fn scalar(store: &Store, sql: &str) -> i64 {
    let out = if postgres() {
        std::process::Command::new("psql")
            .arg(&store.args[1])
            .arg("-tAc")
            .arg(sql)
            .output()
            .unwrap()
    } else {
        let file = format!("{}/sunlight.db", store.args[1]);
        std::process::Command::new("python3")
            .args([
                "-c",
                &format!("import sqlite3; print(sqlite3.connect('{file}').execute(\"{sql}\").fetchone()[0])"),
            ])
            .output()
            .unwrap()
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// A JSON request to the server: (status, whole response).
fn request(
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, String) {
    use std::io::{Read, Write};
    let host = server.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{auth}\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

#[test]
fn a_write_through_the_server_is_in_the_log_when_its_response_arrives() {
    let store = Store::fresh("append");
    let server = Server::start(&store, &["--demo"]);
    let logged = scalar(&store, "SELECT COUNT(*) FROM audit_event");
    assert!(logged > 0);
    assert_eq!(
        scalar(&store, "SELECT size FROM audit_tree"),
        logged,
        "the demo's events are leaves"
    );
    // A write through the API: its event is a leaf of the tree as soon as the write is answered.
    let (status, login) = request(
        &server,
        "POST",
        "/api/v1/session",
        None,
        r#"{"username":"admin","password":"Demo@2026"}"#,
    );
    assert_eq!(status, 200, "{login}");
    let token = login
        .split("\"token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a token");
    let bureau = scalar(
        &store,
        "SELECT MIN(id) FROM department WHERE parent_id IS NULL",
    );
    let body = format!(
        r#"{{"name":"新设处","code":"XSC","kind":"department","parent_id":"{bureau}","status":"active"}}"#
    );
    let (status, created) = request(&server, "POST", "/api/v1/departments", Some(token), &body);
    assert!(status == 200 || status == 201, "{created}");
    assert_eq!(
        scalar(
            &store,
            "SELECT COUNT(*) FROM audit_event WHERE object_type = 'department' AND changes LIKE '%XSC%'"
        ),
        1,
        "the department's event is in the log"
    );
    assert_eq!(
        scalar(&store, "SELECT size FROM audit_tree"),
        scalar(&store, "SELECT COUNT(*) FROM audit_event"),
        "the tree holds every leaf"
    );
    assert!(scalar(&store, "SELECT COUNT(*) FROM audit_event") > logged);
    assert_eq!(
        scalar(&store, "SELECT COUNT(*) FROM audit_pending"),
        0,
        "nothing waits to be put in the log"
    );
}
