//! `sunlight id`: says what an identifier is — 统一社会信用代码 or 公民身份号码 — and what it
//! encodes, or why it is not valid.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use domain::{NaiveDate, ResidentId, Uscc};

#[derive(clap::Subcommand)]
pub enum IdCommand {
    /// 检查统一社会信用代码或公民身份号码：有效则说明其含义，无效则指出错在哪里（有效退出码0，无效1）
    Check {
        /// 要检查的代码或号码
        value: String,
        /// 按此日期判断出生日期是否晚于今天（格式 2025-01-31；默认为北京时间今天）
        #[arg(long, value_parser = parse_date)]
        today: Option<NaiveDate>,
    },
}

pub fn run(cmd: IdCommand) -> ExitCode {
    match cmd {
        IdCommand::Check { value, today } => check(&value, today.unwrap_or_else(today_in_beijing)),
    }
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("日期“{text}”无效，格式应为 2025-01-31"))
}

/// Today in Asia/Shanghai (UTC+8 all year), from the system clock.
fn today_in_beijing() -> NaiveDate {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days_since_1970 = (seconds + 8 * 3600) / 86_400;
    // 719_163 is 1970-01-01 counted in days from 0001-01-01 (day 1).
    i32::try_from(days_since_1970 + 719_163)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(NaiveDate::MAX)
}

#[derive(Debug, PartialEq)]
enum Kind {
    Uscc,
    ResidentId,
}

fn check(value: &str, today: NaiveDate) -> ExitCode {
    let Some(kind) = guess_kind(value, today) else {
        let length = folded(value).chars().count();
        println!(
            "无法识别：长度为{length}位，既不是统一社会信用代码（18位），也不是公民身份号码（18位，旧号码15位）"
        );
        return ExitCode::FAILURE;
    };
    match kind {
        Kind::Uscc => {
            println!("类型：统一社会信用代码（GB 32100-2015）");
            match Uscc::parse(value) {
                Ok(code) => describe_uscc(&code),
                Err(error) => invalid(&error),
            }
        }
        Kind::ResidentId => {
            println!("类型：公民身份号码（GB 11643-1999）");
            match ResidentId::parse(value, today) {
                Ok(parsed) => {
                    let id = &parsed.id;
                    println!("号码：{id}");
                    if parsed.upgraded_from_15 {
                        println!("由15位号码升级：{} → {id}", value.trim());
                    }
                    println!("地区：{} {}", id.region_code(), id.region());
                    println!("出生日期：{}", id.birth_date().format("%Y年%m月%d日"));
                    println!("性别：{}", id.sex());
                    println!("结论：有效");
                    ExitCode::SUCCESS
                }
                Err(error) => invalid(&error),
            }
        }
    }
}

fn describe_uscc(code: &Uscc) -> ExitCode {
    let (authority, org_type) = (code.authority(), code.org_type());
    println!("代码：{code}");
    println!("登记管理部门：{} {}", authority.code, authority.name);
    println!("机构类别：{} {}", org_type.code, org_type.name);
    println!(
        "登记管理机关行政区划：{} {}",
        code.region_code(),
        code.region()
    );
    println!("组织机构代码：{}", code.org_code());
    if let Some(warning) = code.org_code_warning() {
        println!("提示：{warning}");
    }
    println!("结论：有效");
    ExitCode::SUCCESS
}

fn invalid(error: &dyn std::fmt::Display) -> ExitCode {
    println!("结论：无效——{error}");
    ExitCode::FAILURE
}

/// The input as it would read with full-width characters made half-width and spaces removed:
/// used only to decide which kind of identifier was meant, so that the parser of that kind can
/// then explain what is wrong with the characters.
fn folded(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_ascii_uppercase()
}

/// 15 characters: an old 公民身份号码. 18 characters: whichever kind parses; if neither, a
/// 公民身份号码 when it is shaped like one (17 digits, then a digit or X, a plausible birth year),
/// otherwise a 统一社会信用代码.
fn guess_kind(value: &str, today: NaiveDate) -> Option<Kind> {
    let folded = folded(value);
    let chars: Vec<char> = folded.chars().collect();
    match chars.len() {
        15 => Some(Kind::ResidentId),
        18 => {
            if ResidentId::parse(value, today).is_ok() {
                return Some(Kind::ResidentId);
            }
            if Uscc::parse(value).is_ok() {
                return Some(Kind::Uscc);
            }
            let shaped_like_id = chars[..17].iter().all(char::is_ascii_digit)
                && (chars[17].is_ascii_digit() || chars[17] == 'X')
                && matches!((chars[6], chars[7]), ('1', '8' | '9') | ('2', '0'));
            Some(if shaped_like_id {
                Kind::ResidentId
            } else {
                Kind::Uscc
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn guesses_the_kind_by_length_and_content() {
        assert_eq!(guess_kind("91110000600037341L", today()), Some(Kind::Uscc));
        assert_eq!(guess_kind("91110000600037341X", today()), Some(Kind::Uscc));
        assert_eq!(
            guess_kind("11010519491231002X", today()),
            Some(Kind::ResidentId)
        );
        assert_eq!(
            guess_kind("110105194912310021", today()),
            Some(Kind::ResidentId)
        );
        assert_eq!(
            guess_kind("11010519491231002Ｘ", today()),
            Some(Kind::ResidentId)
        );
        assert_eq!(
            guess_kind("110105491231002", today()),
            Some(Kind::ResidentId)
        );
        assert_eq!(guess_kind("1101051949123100", today()), None);
    }

    #[test]
    fn today_comes_from_the_clock() {
        assert!(today_in_beijing() > NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
    }
}
