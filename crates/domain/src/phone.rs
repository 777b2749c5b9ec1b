//! Mainland phone numbers: mobiles (11 digits, 1[3-9]…) and landlines with area code.
//!
//! Canonical forms: `13800138000`, `0411-12345678`, `010-12345678-8001` (with extension).

use std::str::FromStr;

use crate::text::{InputError, string_backed};

/// Why a text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("电话号码不能为空")]
    Empty,
    #[error("电话号码中有无效字符'{found}'")]
    Char { found: char },
    #[error("应为手机号码（1开头的11位数字）或带区号的座机号码（如0411-12345678），实为{found}")]
    Kind { found: String },
    #[error("手机号码应为11位，实为{actual}位")]
    MobileLength { actual: usize },
    #[error("手机号码第2位应为3–9，实为{found}")]
    MobilePrefix { found: char },
    #[error("区号{area}无效：区号以0开头，010和020–029为3位，其余为4位")]
    AreaCode { area: String },
    #[error("座机号码（不含区号）应为7或8位，实为{actual}位")]
    LocalLength { actual: usize },
    #[error("座机号码（不含区号）不能以0开头")]
    LocalStartsWithZero,
    #[error("分机号{extension}无效，应为1–6位数字")]
    Extension { extension: String },
}

/// A valid mainland phone number in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

string_backed!(PhoneNumber);

impl PhoneNumber {
    /// Parses a mobile (spaces and hyphens inside are allowed, `+86`/`0086` in front too) or a
    /// landline with area code, hyphen optional, extension after `-`, `转` or `#`.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        if let Some((index, found)) = trimmed
            .chars()
            .enumerate()
            .find(|(_, c)| ('\u{FF01}'..='\u{FF5E}').contains(c))
        {
            return Err(InputError::FullWidth {
                position: index + 1,
                found,
            }
            .into());
        }
        let number = ["+86", "0086"]
            .iter()
            .find_map(|prefix| trimmed.strip_prefix(prefix))
            .unwrap_or(trimmed)
            .trim_start_matches([' ', '-']);
        let compact: String = number.chars().filter(|c| *c != ' ').collect();
        match compact.chars().next() {
            None => Err(PhoneError::Empty),
            Some('1') => mobile(&compact),
            Some('0') => landline(&compact),
            Some(_) => Err(PhoneError::Kind {
                found: trimmed.to_owned(),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        self.0.starts_with('1')
    }

    /// The area code of a landline (`0411`), `None` for a mobile.
    pub fn area_code(&self) -> Option<&str> {
        if self.is_mobile() {
            None
        } else {
            self.0.split('-').next()
        }
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn mobile(compact: &str) -> Result<PhoneNumber, PhoneError> {
    let digits: String = compact.chars().filter(|c| *c != '-').collect();
    if let Some(found) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(PhoneError::Char { found });
    }
    if digits.len() != 11 {
        return Err(PhoneError::MobileLength {
            actual: digits.len(),
        });
    }
    match digits.as_bytes()[1] {
        b'3'..=b'9' => Ok(PhoneNumber(digits)),
        other => Err(PhoneError::MobilePrefix {
            found: other as char,
        }),
    }
}

fn landline(compact: &str) -> Result<PhoneNumber, PhoneError> {
    let (main, extension) = split_extension(compact);
    let (area, local) = match main.split_once('-') {
        Some((area, local)) => (area.to_owned(), local.to_owned()),
        None => {
            let digits = main.as_bytes();
            // 3-digit area codes are 010 and 020–029; all others have 4 digits.
            let length = if matches!(digits.get(1), Some(b'1' | b'2')) {
                3
            } else {
                4
            };
            let split = length.min(main.len());
            (main[..split].to_owned(), main[split..].to_owned())
        }
    };
    if let Some(found) = area
        .chars()
        .chain(local.chars())
        .find(|c| !c.is_ascii_digit())
    {
        return Err(PhoneError::Char { found });
    }
    let expected_length = if matches!(area.as_bytes().get(1), Some(b'1' | b'2')) {
        3
    } else {
        4
    };
    let three_digit_ok = area.len() != 3 || area == "010" || area.starts_with("02");
    if area.len() != expected_length || !three_digit_ok {
        return Err(PhoneError::AreaCode { area });
    }
    if !(7..=8).contains(&local.len()) {
        return Err(PhoneError::LocalLength {
            actual: local.len(),
        });
    }
    // A leading 0 means a second area code or a digit too many.
    if local.starts_with('0') {
        return Err(PhoneError::LocalStartsWithZero);
    }
    let mut canonical = format!("{area}-{local}");
    if let Some(extension) = extension {
        if extension.is_empty()
            || extension.len() > 6
            || !extension.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(PhoneError::Extension {
                extension: extension.to_owned(),
            });
        }
        canonical = format!("{canonical}-{extension}");
    }
    Ok(PhoneNumber(canonical))
}

/// Splits off an extension written after `转` or `#`, or as a third hyphen group.
fn split_extension(compact: &str) -> (&str, Option<&str>) {
    if let Some((main, extension)) = compact.split_once(['转', '#']) {
        return (main, Some(extension));
    }
    match compact.match_indices('-').nth(1) {
        Some((index, _)) => (&compact[..index], Some(&compact[index + 1..])),
        None => (compact, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(input: &str) -> String {
        PhoneNumber::parse(input).unwrap().to_string()
    }

    #[test]
    fn mobiles_in_the_ways_people_write_them() {
        assert_eq!(canonical("13800138000"), "13800138000");
        assert_eq!(canonical(" 138 0013 8000 "), "13800138000");
        assert_eq!(canonical("138-0013-8000"), "13800138000");
        assert_eq!(canonical("+86 13800138000"), "13800138000");
        assert_eq!(canonical("008619912345678"), "19912345678");
        let phone = PhoneNumber::parse("13800138000").unwrap();
        assert!(phone.is_mobile());
        assert_eq!(phone.area_code(), None);
    }

    #[test]
    fn landlines_with_area_code_and_extension() {
        assert_eq!(canonical("0411-12345678"), "0411-12345678");
        assert_eq!(canonical("041112345678"), "0411-12345678");
        assert_eq!(canonical("010-12345678"), "010-12345678");
        assert_eq!(canonical("01012345678"), "010-12345678");
        assert_eq!(canonical("0931-8123456"), "0931-8123456");
        assert_eq!(canonical("010-12345678-8001"), "010-12345678-8001");
        assert_eq!(canonical("010-12345678转8001"), "010-12345678-8001");
        assert_eq!(canonical("02112345678#12"), "021-12345678-12");
        assert_eq!(
            PhoneNumber::parse("0411-12345678").unwrap().area_code(),
            Some("0411")
        );
    }

    #[test]
    fn every_error_has_its_chinese_message() {
        let message = |input: &str| PhoneNumber::parse(input).unwrap_err().to_string();
        assert_eq!(message("  "), "电话号码不能为空");
        assert_eq!(message("1380013800"), "手机号码应为11位，实为10位");
        assert_eq!(message("12800138000"), "手机号码第2位应为3–9，实为2");
        assert_eq!(message("1380013800a"), "电话号码中有无效字符'a'");
        assert_eq!(
            message("88886666"),
            "应为手机号码（1开头的11位数字）或带区号的座机号码（如0411-12345678），实为88886666"
        );
        assert_eq!(
            message("041-12345678"),
            "区号041无效：区号以0开头，010和020–029为3位，其余为4位"
        );
        assert_eq!(
            message("0411-123456"),
            "座机号码（不含区号）应为7或8位，实为6位"
        );
        assert_eq!(message("0411-01234567"), "座机号码（不含区号）不能以0开头");
        assert_eq!(
            message("010-12345678-1234567"),
            "分机号1234567无效，应为1–6位数字"
        );
        assert_eq!(
            message("１3800138000"),
            "第1位是全角字符'１'，请改用半角字符"
        );
    }

    #[test]
    fn serde_goes_through_the_parser() {
        let phone: PhoneNumber = serde_json::from_str("\"0411 12345678\"").unwrap();
        assert_eq!(serde_json::to_string(&phone).unwrap(), "\"0411-12345678\"");
        assert!(serde_json::from_str::<PhoneNumber>("\"12345\"").is_err());
    }
}
