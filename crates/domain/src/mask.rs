//! Masking personal data (身份证号、手机号、姓名) in lists and exports for viewers without the
//! right to see it.
//!
//! Callers decide once per viewer and then write `policy.show(&id)`, or `id.masked()` where the
//! data is always masked. Legacy strings that do not parse are masked by a generic rule, never
//! shown as they are.

use std::fmt::Display;
use std::str::FromStr;

use crate::{PhoneNumber, ResidentId};

/// A value with a masked form.
pub trait Mask {
    fn masked(&self) -> String;
}

impl Mask for ResidentId {
    fn masked(&self) -> String {
        mask_resident_id(self)
    }
}

impl Mask for PhoneNumber {
    fn masked(&self) -> String {
        mask_phone(self)
    }
}

/// Whether personal data is masked for the current viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masked {
    /// The viewer may see the data in clear.
    Never,
    /// The viewer sees masked data.
    Always,
}

impl Masked {
    /// Masks unless the viewer has the right to see personal data.
    pub fn unless(may_see: bool) -> Self {
        if may_see { Self::Never } else { Self::Always }
    }

    pub fn show<T: Mask + Display>(self, value: &T) -> String {
        match self {
            Self::Never => value.to_string(),
            Self::Always => value.masked(),
        }
    }

    pub fn show_name(self, name: &str) -> String {
        match self {
            Self::Never => name.to_owned(),
            Self::Always => mask_name(name),
        }
    }

    /// Shows a stored string that should be a `T` (e.g. a legacy import column): masked as a `T`
    /// if it parses, by [`mask_text`] if it does not.
    pub fn show_raw<T: Mask + FromStr>(self, raw: &str) -> String {
        match (self, raw.parse::<T>()) {
            (Self::Never, _) => raw.to_owned(),
            (Self::Always, Ok(value)) => value.masked(),
            (Self::Always, Err(_)) => mask_text(raw),
        }
    }
}

/// `110105********002X`: region and last four kept, birth date hidden.
pub fn mask_resident_id(id: &ResidentId) -> String {
    let text = id.as_str();
    format!("{}********{}", &text[..6], &text[14..])
}

/// `138****5678` for mobiles; landlines keep the area code and the last two digits
/// (`0411-******78`), extensions are hidden.
pub fn mask_phone(phone: &PhoneNumber) -> String {
    let text = phone.as_str();
    if phone.is_mobile() {
        return format!("{}****{}", &text[..3], &text[7..]);
    }
    let mut parts = text.split('-');
    let area = parts.next().unwrap_or_default();
    let local = parts.next().unwrap_or_default();
    let mut masked = format!(
        "{area}-{}{}",
        "*".repeat(local.len() - 2),
        &local[local.len() - 2..]
    );
    if let Some(extension) = parts.next() {
        masked.push('-');
        masked.push_str(&"*".repeat(extension.len()));
    }
    masked
}

/// Two-character surnames, kept whole when masking a name.
const COMPOUND_SURNAMES: [&str; 30] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "申屠", "太史", "万俟", "闻人", "澹台",
    "公冶", "宗政", "濮阳", "呼延", "赫连", "司空",
];

/// Keeps the surname: 张三 → 张*, 欧阳娜娜 → 欧阳**. Name separators (买买提·艾力) are kept.
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    let chars: Vec<char> = name.chars().collect();
    let keep = match chars.len() {
        0 | 1 => 0,
        2 => 1,
        _ if COMPOUND_SURNAMES
            .iter()
            .any(|surname| name.starts_with(surname)) =>
        {
            2
        }
        _ => 1,
    };
    chars
        .iter()
        .enumerate()
        .map(|(index, &c)| {
            if index < keep || matches!(c, '·' | '•' | '.') {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// The generic rule for text of unknown shape: keeps a quarter of the characters at each end
/// (none of a text shorter than four), so at least half is always hidden.
pub fn mask_text(raw: &str) -> String {
    let chars: Vec<char> = raw.trim().chars().collect();
    let keep = chars.len() / 4;
    chars
        .iter()
        .enumerate()
        .map(|(index, &c)| {
            if index < keep || index >= chars.len() - keep {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ResidentId {
        "11010519491231002X".parse().unwrap()
    }

    fn phone(text: &str) -> PhoneNumber {
        text.parse().unwrap()
    }

    #[test]
    fn resident_ids_hide_the_birth_date() {
        assert_eq!(mask_resident_id(&id()), "110105********002X");
        assert_eq!(id().masked(), "110105********002X");
    }

    #[test]
    fn phones_keep_only_what_identifies_the_line_loosely() {
        assert_eq!(mask_phone(&phone("13812345678")), "138****5678");
        assert_eq!(mask_phone(&phone("0411-12345678")), "0411-******78");
        assert_eq!(mask_phone(&phone("010-1234567-8001")), "010-*****67-****");
    }

    #[test]
    fn names_keep_the_surname() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("欧阳娜娜"), "欧阳**");
        assert_eq!(mask_name("欧阳"), "欧*");
        assert_eq!(mask_name("李"), "*");
        assert_eq!(mask_name("买买提·艾力"), "买**·**");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn policy_decides_once_per_viewer() {
        assert_eq!(Masked::unless(true).show(&id()), "11010519491231002X");
        assert_eq!(Masked::unless(false).show(&id()), "110105********002X");
        assert_eq!(Masked::Always.show(&phone("13812345678")), "138****5678");
        assert_eq!(Masked::Always.show_name("欧阳娜娜"), "欧阳**");
        assert_eq!(Masked::Never.show_name("欧阳娜娜"), "欧阳娜娜");
    }

    #[test]
    fn legacy_strings_are_masked_even_when_they_do_not_parse() {
        assert_eq!(
            Masked::Always.show_raw::<ResidentId>("110105491231002"),
            "110105********002X"
        );
        // Wrong check character: not a ResidentId, still not shown.
        assert_eq!(
            Masked::Always.show_raw::<ResidentId>("110105194912310021"),
            "1101**********0021"
        );
        assert_eq!(Masked::Always.show_raw::<PhoneNumber>("12345"), "1***5");
        assert_eq!(Masked::Always.show_raw::<PhoneNumber>("123"), "***");
        assert_eq!(Masked::Never.show_raw::<PhoneNumber>("12345"), "12345");
    }
}
