//! `sunlight id check`: what a person sees for valid, invalid and unrecognisable values.

use std::process::Command;

/// Runs `sunlight id check VALUE --today 2026-11-23`; returns exit code and stdout.
fn check(value: &str) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(["id", "check", value, "--today", "2026-11-23"])
        .output()
        .expect("run sunlight");
    (
        output.status.code().expect("exit code"),
        String::from_utf8(output.stdout).expect("UTF-8"),
    )
}

#[test]
fn explains_a_valid_unified_social_credit_code() {
    let (code, out) = check("91110000600037341L");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("类型：统一社会信用代码"), "{out}");
    assert!(out.contains("登记管理部门：9 工商"), "{out}");
    assert!(out.contains("机构类别：1 企业"), "{out}");
    assert!(out.contains("登记管理机关行政区划：110000 北京市"), "{out}");
    assert!(out.contains("组织机构代码：600037341"), "{out}");
    assert!(out.contains("结论：有效"), "{out}");
}

#[test]
fn explains_a_valid_resident_id() {
    let (code, out) = check("11010519491231002x");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("类型：公民身份号码"), "{out}");
    assert!(out.contains("号码：11010519491231002X"), "{out}");
    assert!(out.contains("地区：110105 北京市朝阳区"), "{out}");
    assert!(out.contains("出生日期：1949年12月31日"), "{out}");
    assert!(out.contains("性别：女"), "{out}");
    assert!(!out.contains("由15位号码升级"), "{out}");
}

#[test]
fn says_when_a_resident_id_was_upgraded_from_15_digits() {
    let (code, out) = check("110105491231002");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("由15位号码升级：110105491231002 → 11010519491231002X"),
        "{out}"
    );
}

#[test]
fn names_the_region_of_the_ids_in_the_east_city_district() {
    let (code, out) = check("110101199003070011");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("地区：110101 北京市东城区"), "{out}");
    assert!(out.contains("性别：男"), "{out}");
}

#[test]
fn says_why_a_value_is_invalid() {
    let (code, out) = check("91110000600037341X");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("类型：统一社会信用代码"), "{out}");
    assert!(
        out.contains("结论：无效——第18位校验码应为L，实为X"),
        "{out}"
    );

    let (code, out) = check("110105194912310021");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("类型：公民身份号码"), "{out}");
    assert!(out.contains("第18位校验码应为X，实为1"), "{out}");

    let (code, out) = check("110105203001010028");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("出生日期20300101晚于今天（2026-11-23）"),
        "{out}"
    );
}

#[test]
fn says_so_when_it_is_neither_kind() {
    let (code, out) = check("12345");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("无法识别：长度为5位"), "{out}");
}

#[test]
fn usage_errors_exit_with_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(["id", "check"])
        .output()
        .expect("run sunlight");
    assert_eq!(output.status.code(), Some(2));
    let output = Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(["id", "check", "91110000600037341L", "--today", "2026-13-01"])
        .output()
        .expect("run sunlight");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("日期“2026-13-01”无效"));
}
