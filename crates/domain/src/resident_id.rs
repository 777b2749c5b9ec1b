//! 公民身份号码 (resident identity number), GB 11643-1999.
//!
//! Layout: 1–6 region (GB/T 2260) · 7–14 birth date · 15–17 sequence (17: odd = 男) · 18 check.
//! Numbers issued before 1999 have 15 digits (two-digit year, no check character); they are
//! upgraded to the 18-digit form on parsing.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::region::{RegionName, region_name};
use crate::text::{InputError, normalise, string_backed};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Why a text is not a 公民身份号码. Positions refer to the number as it was typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("公民身份号码不能为空")]
    Empty,
    #[error("长度应为18位（旧号码为15位），实为{actual}位")]
    Length { actual: usize },
    #[error("第{position}位字符'{found}'无效，应为{expected}")]
    Char {
        position: usize,
        found: char,
        expected: &'static str,
    },
    #[error("第{positions}位出生日期无效：{digits}")]
    BirthDate {
        positions: &'static str,
        digits: String,
    },
    #[error("第{positions}位出生日期{digits}早于1900年")]
    BornBefore1900 {
        positions: &'static str,
        digits: String,
    },
    #[error("第{positions}位出生日期{digits}晚于今天（{today}）")]
    BornInFuture {
        positions: &'static str,
        digits: String,
        today: NaiveDate,
    },
    #[error("第18位校验码应为{expected}，实为{found}")]
    CheckChar { expected: char, found: char },
}

/// 性别, from position 17.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Male => "男",
            Self::Female => "女",
        })
    }
}

/// A valid 18-digit 公民身份号码 (check character `X` in upper case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentId(String, NaiveDate);

string_backed!(ResidentId);

/// The result of [`ResidentId::parse`]: the number, and whether it was typed in the old 15-digit form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedResidentId {
    pub id: ResidentId,
    pub upgraded_from_15: bool,
}

impl ResidentId {
    /// Parses a number typed by a person: 18 digits (last may be `x`/`X`) or an old 15-digit one.
    /// The birth date must be a real date from 1900 on and not after `today`.
    pub fn parse(input: &str, today: NaiveDate) -> Result<ParsedResidentId, ResidentIdError> {
        let parsed = Self::parse_any_day(input)?;
        if parsed.id.1 > today {
            let positions = if parsed.upgraded_from_15 {
                "7–12"
            } else {
                "7–14"
            };
            let digits = if parsed.upgraded_from_15 {
                &parsed.id.0[8..14]
            } else {
                &parsed.id.0[6..14]
            };
            return Err(ResidentIdError::BornInFuture {
                positions,
                digits: digits.to_owned(),
                today,
            });
        }
        Ok(parsed)
    }

    /// Everything [`ResidentId::parse`] checks except "not after today": stored numbers were
    /// checked when entered, and reading them back must not depend on the clock.
    fn parse_any_day(input: &str) -> Result<ParsedResidentId, ResidentIdError> {
        let number = normalise(input)?;
        let chars: Vec<char> = number.chars().collect();
        match chars.len() {
            0 => Err(ResidentIdError::Empty),
            15 => {
                digits_only(&chars, 15)?;
                let first17 = format!("{}19{}", &number[..6], &number[6..]);
                let date = birth_date(&first17, "7–12", &number[6..12])?;
                let check = check_char(&first17);
                Ok(ParsedResidentId {
                    id: Self(format!("{first17}{check}"), date),
                    upgraded_from_15: true,
                })
            }
            18 => {
                digits_only(&chars, 17)?;
                if !(chars[17].is_ascii_digit() || chars[17] == 'X') {
                    return Err(ResidentIdError::Char {
                        position: 18,
                        found: chars[17],
                        expected: "数字或X",
                    });
                }
                let date = birth_date(&number, "7–14", &number[6..14])?;
                let expected = check_char(&number[..17]);
                if chars[17] != expected {
                    return Err(ResidentIdError::CheckChar {
                        expected,
                        found: chars[17],
                    });
                }
                Ok(ParsedResidentId {
                    id: Self(number, date),
                    upgraded_from_15: false,
                })
            }
            actual => Err(ResidentIdError::Length { actual }),
        }
    }

    /// The check character for 17 digits, or `None` if the text is not 17 ASCII digits.
    pub fn check_char_for(first17: &str) -> Option<char> {
        (first17.len() == 17 && first17.bytes().all(|b| b.is_ascii_digit()))
            .then(|| check_char(first17))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 行政区划代码 of the place of issue (positions 1–6).
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    pub fn region(&self) -> RegionName {
        region_name(self.region_code())
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.1
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }
}

/// Reads a stored or exported number: as [`ResidentId::parse`] without the "not after today" check,
/// and an old 15-digit number is upgraded silently.
impl FromStr for ResidentId {
    type Err = ResidentIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_any_day(s).map(|parsed| parsed.id)
    }
}

fn digits_only(chars: &[char], count: usize) -> Result<(), ResidentIdError> {
    match chars.iter().take(count).position(|c| !c.is_ascii_digit()) {
        Some(index) => Err(ResidentIdError::Char {
            position: index + 1,
            found: chars[index],
            expected: "数字",
        }),
        None => Ok(()),
    }
}

/// The birth date at positions 7–14 of the 18-digit form; `positions` and `typed` say where and
/// what the person typed, for the message.
fn birth_date(
    number: &str,
    positions: &'static str,
    typed: &str,
) -> Result<NaiveDate, ResidentIdError> {
    let field = |range: std::ops::Range<usize>| number[range].parse::<u32>().ok();
    let date = match (field(6..10), field(10..12), field(12..14)) {
        (Some(year), Some(month), Some(day)) => NaiveDate::from_ymd_opt(year as i32, month, day),
        _ => None,
    };
    let digits = typed.to_owned();
    match date {
        None => Err(ResidentIdError::BirthDate { positions, digits }),
        Some(date) if date.year() < 1900 => {
            Err(ResidentIdError::BornBefore1900 { positions, digits })
        }
        Some(date) => Ok(date),
    }
}

/// GB 11643 check character of 17 ASCII digits.
fn check_char(first17: &str) -> char {
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "11010519491231002X";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", ResidentId::check_char_for(first17).unwrap())
    }

    #[test]
    fn parses_the_example_and_explains_it() {
        let parsed = ResidentId::parse(VALID, today()).unwrap();
        assert!(!parsed.upgraded_from_15);
        let id = parsed.id;
        assert_eq!(id.as_str(), VALID);
        assert_eq!(id.region().to_string(), "北京市朝阳区");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.sex().to_string(), "女");
    }

    #[test]
    fn accepts_lower_case_x_and_spaces_around() {
        assert_eq!(
            ResidentId::parse(" 11010519491231002x ", today())
                .unwrap()
                .id
                .as_str(),
            VALID
        );
    }

    #[test]
    fn odd_seventeenth_digit_is_male() {
        let id: ResidentId = with_check("11010519491231001").parse().unwrap();
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn upgrades_fifteen_digit_numbers() {
        // Vectors: 15-digit form → 18-digit form with the computed check character.
        for (old, new) in [
            ("110105491231002", "11010519491231002X"),
            ("130503670401001", "130503196704010016"),
            ("440524800101001", "440524198001010013"),
        ] {
            let parsed = ResidentId::parse(old, today()).unwrap();
            assert!(parsed.upgraded_from_15, "{old}");
            assert_eq!(parsed.id.as_str(), new);
            assert_eq!(old.parse::<ResidentId>().unwrap().as_str(), new);
        }
    }

    #[test]
    fn birth_dates_follow_the_calendar() {
        let parse =
            |date: &str| ResidentId::parse(&with_check(&format!("110105{date}002")), today());
        assert!(parse("20000229").is_ok(), "2000 is a leap year");
        assert!(parse("19960229").is_ok());
        assert_eq!(
            parse("19000229").unwrap_err().to_string(),
            "第7–14位出生日期无效：19000229",
            "1900 is not a leap year"
        );
        assert!(parse("19990229").is_err());
        assert!(parse("19490431").is_err());
        assert!(parse("19000101").is_ok());
        assert!(parse("20261123").is_ok(), "born today");
        assert!(parse("20261124").is_err());
    }

    #[test]
    fn every_error_has_its_chinese_message() {
        let message = |input: &str| ResidentId::parse(input, today()).unwrap_err().to_string();
        assert_eq!(message(""), "公民身份号码不能为空");
        assert_eq!(
            message("11010519491231002"),
            "长度应为18位（旧号码为15位），实为17位"
        );
        assert_eq!(message("1101A519491231002X"), "第5位字符'A'无效，应为数字");
        assert_eq!(
            message("11010519491231002A"),
            "第18位字符'A'无效，应为数字或X"
        );
        assert_eq!(
            message(&with_check("11010519491331002")),
            "第7–14位出生日期无效：19491331"
        );
        assert_eq!(message("110105491331002"), "第7–12位出生日期无效：491331");
        assert_eq!(
            message(&with_check("11010518991231002")),
            "第7–14位出生日期18991231早于1900年"
        );
        assert_eq!(
            message(&with_check("11010520300101002")),
            "第7–14位出生日期20300101晚于今天（2026-11-23）"
        );
        assert_eq!(message("110105194912310021"), "第18位校验码应为X，实为1");
        assert_eq!(
            message("11010519491231002Ｘ"),
            "第18位是全角字符'Ｘ'，请改用半角字符"
        );
        assert_eq!(
            message("110105 19491231002X"),
            "第7位是空格，号码中间不能有空格"
        );
    }

    #[test]
    fn reading_back_does_not_depend_on_the_clock() {
        let future = with_check("11010520300101002");
        assert!(ResidentId::parse(&future, today()).is_err());
        assert_eq!(future.parse::<ResidentId>().unwrap().as_str(), future);
    }

    #[test]
    fn serde_goes_through_the_parser() {
        let id: ResidentId = serde_json::from_str("\"11010519491231002x\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{VALID}\""));
        assert!(serde_json::from_str::<ResidentId>("\"110105194912310021\"").is_err());
    }
}
