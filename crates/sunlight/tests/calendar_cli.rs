//! `sunlight calendar …` end to end: stdout, stderr and exit codes.

use std::process::{Command, Output};

fn sunlight(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn list_prints_every_known_date_with_its_kind() {
    let out = sunlight(&[
        "calendar",
        "list",
        "--from",
        "2004-01-01",
        "--to",
        "2026-12-31",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8401);
    assert_eq!(lines[0], "2004-01-01\toff\t元旦");
    assert_eq!(lines[8400], "2026-12-31\tworkday");
    for expected in [
        "2018-12-29\tworkday\t调休上班",
        "2018-12-30\toff\t元旦",
        "2025-01-27\tworkday",
        "2025-01-25\toff",
        "2025-10-08\toff\t国庆节、中秋节",
        "2026-02-14\tworkday\t调休上班",
        "2015-09-03\toff\t中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
    ] {
        assert!(lines.contains(&expected), "missing line {expected:?}");
    }
    let workdays_2025 = lines
        .iter()
        .filter(|l| l.starts_with("2025-") && l.contains("\tworkday"))
        .count();
    assert_eq!(workdays_2025, 248);
}

#[test]
fn list_refuses_unknown_years_and_reversed_ranges() {
    let out = sunlight(&[
        "calendar",
        "list",
        "--from",
        "2026-12-30",
        "--to",
        "2027-01-02",
    ]);
    assert!(!out.status.success());
    assert_eq!(
        stdout(&out),
        "",
        "nothing is printed for a range partly unknown"
    );
    assert!(
        stderr(&out).contains("缺少2027年的放假安排（国务院办公厅通知），无法计算工作日"),
        "{}",
        stderr(&out)
    );

    let out = sunlight(&[
        "calendar",
        "list",
        "--from",
        "2025-02-01",
        "--to",
        "2025-01-01",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("起始日期2025-02-01晚于结束日期2025-01-01"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn notice_uses_the_default_rule() {
    for (published, period) in [
        ("2025-09-30", "2025-10-09\t2025-10-14\n"),
        ("2026-02-13", "2026-02-14\t2026-02-27\n"),
        ("2025-01-24", "2025-01-26\t2025-02-07\n"),
    ] {
        let out = sunlight(&["calendar", "notice", "--published", published]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), period, "published {published}");
    }
}

#[test]
fn notice_takes_the_rule_as_options() {
    let out = sunlight(&[
        "calendar",
        "notice",
        "--published",
        "2025-09-30",
        "--days",
        "7",
        "--start",
        "next-day",
        "--unit",
        "days",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "2025-10-01\t2025-10-07\n");

    let out = sunlight(&[
        "calendar",
        "notice",
        "--published",
        "2025-09-29",
        "--start",
        "same-day",
    ]);
    assert_eq!(stdout(&out), "2025-09-29\t2025-10-11\n");

    let out = sunlight(&[
        "calendar",
        "notice",
        "--published",
        "2025-09-30",
        "--days",
        "0",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("公示期长度应为正整数，实为“0”"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn notice_errors_in_chinese() {
    let out = sunlight(&["calendar", "notice", "--published", "2026-12-28"]);
    assert!(!out.status.success());
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("缺少2027年的放假安排"),
        "{}",
        stderr(&out)
    );

    let out = sunlight(&[
        "calendar",
        "notice",
        "--published",
        "2025-09-30",
        "--start",
        "tomorrow",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains("公示期起算规则“tomorrow”无效，应为 same-day、next-day 或 next-workday"),
        "{}",
        stderr(&out)
    );
    let out = sunlight(&[
        "calendar",
        "notice",
        "--published",
        "2025-09-30",
        "--unit",
        "weeks",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("公示期长度单位“weeks”无效，应为 workdays 或 days"),
        "{}",
        stderr(&out)
    );

    let out = sunlight(&["calendar", "notice", "--published", "2025/09/30"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("日期“2025/09/30”格式不对，应为 YYYY-MM-DD"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn add_moves_by_working_days() {
    let cases = [
        (["--from", "2025-09-30", "--workdays", "1"], "2025-10-09\n"),
        (["--from", "2025-10-09", "--workdays", "-1"], "2025-09-30\n"),
        (["--from", "2025-10-01", "--workdays", "0"], "2025-10-09\n"),
        (["--from", "2025-10-09", "--workdays", "0"], "2025-10-09\n"),
    ];
    for (args, expected) in cases {
        let out = sunlight(&[&["calendar", "add"][..], &args[..]].concat());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), expected, "{args:?}");
    }
    let out = sunlight(&["calendar", "add", "--from", "2026-12-31", "--workdays", "1"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("缺少2027年的放假安排"),
        "{}",
        stderr(&out)
    );
    let out = sunlight(&["calendar", "add", "--from", "2025-02-30", "--workdays", "1"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("日期“2025-02-30”不存在"),
        "{}",
        stderr(&out)
    );
    let out = sunlight(&[
        "calendar",
        "add",
        "--from",
        "2025-02-03",
        "--workdays",
        "two",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("工作日数应为整数"),
        "{}",
        stderr(&out)
    );
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sunlight-calendar-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const Y2027: &str = r#"year = 2027
title = "国务院办公厅关于2027年部分节假日安排的通知（测试）"
source = "https://www.example.gov.cn/2027"

[[holiday]]
name = "元旦"
off = ["2027-01-01/2027-01-03"]

[[holiday]]
name = "春节"
off = ["2027-02-05/2027-02-12"]
makeup = ["2027-02-14"]
"#;

#[test]
fn check_file_summarises_a_good_year() {
    let path = temp_file("2027.toml", Y2027);
    let out = sunlight(&["calendar", "check-file", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("2027年放假安排：国务院办公厅关于2027年部分节假日安排的通知（测试）\n"),
        "{text}"
    );
    assert!(
        text.contains("春节\t放假 2027-02-05/2027-02-12\t调休上班 2027-02-14\n"),
        "{text}"
    );
    // 261 weekdays in 2027, 1 + 6 of them off, 1 make-up Sunday.
    assert!(
        text.ends_with("共2个节日，放假11天，调休上班1天；全年工作日255天\n"),
        "{text}"
    );
}

#[test]
fn check_file_lists_every_error() {
    let bad = Y2027
        .replace("2027-02-14", "2027-02-15")
        .replace("year = 2027", "year = 2027\nsorce = \"x\"");
    let path = temp_file("bad.toml", &bad);
    let out = sunlight(&["calendar", "check-file", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.contains("有2处错误"), "{err}");
    assert!(err.contains("第2行：未知字段“sorce”"), "{err}");
    assert!(
        err.contains("第13行：节日“春节”的调休上班日2027-02-15是星期一"),
        "{err}"
    );

    let out = sunlight(&["calendar", "check-file", "/nonexistent/2027.toml"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("无法读取文件 /nonexistent/2027.toml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn check_file_reports_clashes_with_the_shipped_years() {
    // The shipped 2024 notice already lists 2023-12-30 (元旦); a 2023 file may not list it too.
    let clash = "year = 2023\nsource = \"https://www.example.gov.cn/2023\"\n\n[[holiday]]\nname = \"测试\"\noff = [\"2023-12-30\"]\n";
    let path = temp_file("clash.toml", clash);
    let out = sunlight(&["calendar", "check-file", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains("2023-12-30已由2024年的放假安排列出，2023年的放假安排不能再列出同一天"),
        "{}",
        stderr(&out)
    );
}
