//! 统一社会信用代码 (unified social credit code), GB 32100-2015.
//!
//! Layout: 1 registering authority · 2 organisation type · 3–8 region (GB/T 2260) ·
//! 9–17 organisation code (GB 11714) · 18 check character.

use std::str::FromStr;

use crate::region::{RegionName, region_name};
use crate::text::{InputError, normalise, string_backed};

/// The 31 characters of the code, in value order (no I, O, S, V, Z).
pub(crate) const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A registering authority (登记管理部门): its code, name, and the organisation types (机构类别)
/// it may register.
type AuthorityEntry = (char, &'static str, &'static [(char, &'static str)]);

/// The standard's table 1 with its amendments (A, N).
const AUTHORITIES: [AuthorityEntry; 12] = [
    (
        '1',
        "机构编制",
        &[
            ('1', "机关"),
            ('2', "事业单位"),
            ('3', "中央编办直接管理机构编制的群众团体"),
            ('9', "其他"),
        ],
    ),
    ('2', "外交", &[('1', "外国常驻新闻机构"), ('9', "其他")]),
    (
        '3',
        "司法行政",
        &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    ),
    ('4', "文化", &[('1', "外国在华文化中心"), ('9', "其他")]),
    (
        '5',
        "民政",
        &[
            ('1', "社会团体"),
            ('2', "民办非企业单位"),
            ('3', "基金会"),
            ('9', "其他"),
        ],
    ),
    (
        '6',
        "旅游",
        &[
            ('1', "外国旅游部门常驻代表机构"),
            ('2', "港澳台地区旅游部门常驻内地（大陆）代表机构"),
            ('9', "其他"),
        ],
    ),
    (
        '7',
        "宗教",
        &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")],
    ),
    ('8', "工会", &[('1', "基层工会"), ('9', "其他")]),
    (
        '9',
        "工商",
        &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")],
    ),
    (
        'A',
        "中央军委改革和编制办公室",
        &[('1', "军队事业单位"), ('9', "其他")],
    ),
    (
        'N',
        "农业",
        &[
            ('1', "组级集体经济组织"),
            ('2', "村级集体经济组织"),
            ('3', "乡镇级集体经济组织"),
            ('9', "其他"),
        ],
    ),
    ('Y', "其他", &[('1', "其他")]),
];

/// A code character and what it stands for, e.g. `9` 工商 or `1` 企业.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    pub code: char,
    pub name: &'static str,
}

/// Why a text is not a 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("统一社会信用代码不能为空")]
    Empty,
    #[error("长度应为18位，实为{actual}位")]
    Length { actual: usize },
    #[error("第{position}位字符'{found}'不在统一社会信用代码字符集中")]
    Char { position: usize, found: char },
    #[error("第1位登记管理部门码'{found}'无效，应为1–9、A、N、Y之一")]
    Authority { found: char },
    #[error("第2位机构类别码'{found}'对登记管理部门“{authority}”无效，应为{allowed}之一")]
    OrgType {
        authority: &'static str,
        found: char,
        allowed: String,
    },
    #[error("第{position}位字符'{found}'无效：第3–8位行政区划码只能是数字")]
    Region { position: usize, found: char },
    #[error("第18位校验码应为{expected}，实为{found}")]
    CheckChar { expected: char, found: char },
}

/// The inner check character of the organisation code does not match (GB 11714). Only a warning:
/// codes of 个体工商户 and some older registrations were not built with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "第17位（组织机构代码校验位）按GB 11714应为{expected}，实为{found}（仅提示，不影响代码有效性）"
)]
pub struct OrgCodeWarning {
    pub expected: char,
    pub found: char,
}

/// A valid 统一社会信用代码, held in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

string_backed!(Uscc);

impl Uscc {
    /// Parses a code; lower case and surrounding whitespace are accepted.
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let code = normalise(input)?;
        let chars: Vec<char> = code.chars().collect();
        if chars.is_empty() {
            return Err(UsccError::Empty);
        }
        if chars.len() != 18 {
            return Err(UsccError::Length {
                actual: chars.len(),
            });
        }
        let mut values = Vec::with_capacity(18);
        for (index, &found) in chars.iter().enumerate() {
            values.push(value(found).ok_or(UsccError::Char {
                position: index + 1,
                found,
            })?);
        }
        let (_, authority, types) =
            authority_entry(chars[0]).ok_or(UsccError::Authority { found: chars[0] })?;
        if !types.iter().any(|(code, _)| *code == chars[1]) {
            let allowed: Vec<String> = types.iter().map(|(code, _)| code.to_string()).collect();
            return Err(UsccError::OrgType {
                authority,
                found: chars[1],
                allowed: allowed.join("、"),
            });
        }
        if let Some((index, &found)) = chars
            .iter()
            .enumerate()
            .take(8)
            .skip(2)
            .find(|(_, c)| !c.is_ascii_digit())
        {
            return Err(UsccError::Region {
                position: index + 1,
                found,
            });
        }
        let expected = check_char(&values[..17]);
        if chars[17] != expected {
            return Err(UsccError::CheckChar {
                expected,
                found: chars[17],
            });
        }
        Ok(Self(code))
    }

    /// The check character for the first 17 characters, or `None` if they are not 17 characters
    /// of the alphabet.
    pub fn check_char_for(first17: &str) -> Option<char> {
        let values: Option<Vec<u32>> = first17.chars().map(value).collect();
        values.filter(|v| v.len() == 17).map(|v| check_char(&v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 登记管理部门 (position 1).
    pub fn authority(&self) -> Category {
        let (code, name, _) = self.entry();
        Category { code, name }
    }

    /// 机构类别 (position 2).
    pub fn org_type(&self) -> Category {
        let (_, _, types) = self.entry();
        let code = self.char_at(1);
        let name = types
            .iter()
            .find(|(c, _)| *c == code)
            .map_or("其他", |(_, name)| *name);
        Category { code, name }
    }

    /// 登记管理机关行政区划码 (positions 3–8).
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }

    pub fn region(&self) -> RegionName {
        region_name(self.region_code())
    }

    /// 主体标识码 / 组织机构代码 (positions 9–17).
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Checks the organisation code's own check character (GB 11714); a mismatch is a warning.
    pub fn org_code_warning(&self) -> Option<OrgCodeWarning> {
        const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
        let code = self.org_code();
        // GB 11714 values: digits as themselves, letters A–Z as 10–35.
        let sum: u32 = code
            .chars()
            .take(8)
            .zip(ORG_WEIGHTS)
            .map(|(c, w)| c.to_digit(36).unwrap_or(0) * w)
            .sum();
        let expected = match 11 - sum % 11 {
            10 => 'X',
            11 => '0',
            n => char::from_digit(n, 10).unwrap_or('0'),
        };
        let found = self.char_at(16);
        (found != expected).then_some(OrgCodeWarning { expected, found })
    }

    fn char_at(&self, index: usize) -> char {
        self.0.as_bytes()[index] as char
    }

    fn entry(&self) -> AuthorityEntry {
        // Parsing checked position 1, so the lookup cannot miss; 'Y' 其他 is a harmless fallback.
        authority_entry(self.char_at(0)).unwrap_or(AUTHORITIES[11])
    }
}

impl FromStr for Uscc {
    type Err = UsccError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn value(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|index| index as u32)
}

/// GB 32100 check character of 17 character values.
fn check_char(values: &[u32]) -> char {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    ALPHABET.as_bytes()[((31 - sum % 31) % 31) as usize] as char
}

fn authority_entry(code: char) -> Option<AuthorityEntry> {
    AUTHORITIES.iter().copied().find(|(c, _, _)| *c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "91110000600037341L";

    #[test]
    fn parses_the_example_and_explains_it() {
        let code = Uscc::parse(VALID).unwrap();
        assert_eq!(code.as_str(), VALID);
        assert_eq!(
            code.authority(),
            Category {
                code: '9',
                name: "工商"
            }
        );
        assert_eq!(
            code.org_type(),
            Category {
                code: '1',
                name: "企业"
            }
        );
        assert_eq!(code.region_code(), "110000");
        assert_eq!(code.region().to_string(), "北京市");
        assert_eq!(code.org_code(), "600037341");
        assert_eq!(code.org_code_warning(), None);
    }

    #[test]
    fn accepts_lower_case_and_surrounding_spaces() {
        assert_eq!(
            Uscc::parse("  91110000600037341l \n").unwrap().as_str(),
            VALID
        );
    }

    #[test]
    fn every_error_has_its_chinese_message() {
        let message = |input: &str| Uscc::parse(input).unwrap_err().to_string();
        assert_eq!(message(""), "统一社会信用代码不能为空");
        assert_eq!(message("91110000600037341"), "长度应为18位，实为17位");
        assert_eq!(
            message("91I10000600037341L"),
            "第3位字符'I'不在统一社会信用代码字符集中"
        );
        assert_eq!(
            message("B1110000600037341L"),
            "第1位登记管理部门码'B'无效，应为1–9、A、N、Y之一"
        );
        assert_eq!(
            message("94110000600037341L"),
            "第2位机构类别码'4'对登记管理部门“工商”无效，应为1、2、3之一"
        );
        assert_eq!(
            message("9111A000600037341L"),
            "第5位字符'A'无效：第3–8位行政区划码只能是数字"
        );
        assert_eq!(message("91110000600037341X"), "第18位校验码应为L，实为X");
        assert_eq!(
            message("91110000６00037341L"),
            "第9位是全角字符'６'，请改用半角字符"
        );
        assert_eq!(
            message("911100 00600037341L"),
            "第7位是空格，号码中间不能有空格"
        );
    }

    #[test]
    fn every_authority_and_type_of_the_table_is_accepted() {
        for (authority, authority_name, types) in AUTHORITIES {
            for (kind, kind_name) in types {
                let first17 = format!("{authority}{kind}110000600037341");
                let check = Uscc::check_char_for(&first17).unwrap();
                let code = Uscc::parse(&format!("{first17}{check}")).unwrap();
                assert_eq!(code.authority().name, authority_name);
                assert_eq!(code.org_type().name, *kind_name);
            }
        }
    }

    #[test]
    fn examples_of_the_type_table() {
        let describe = |prefix: &str| {
            let first17 = format!("{prefix}110000600037341");
            let code = Uscc::parse(&format!(
                "{first17}{}",
                Uscc::check_char_for(&first17).unwrap()
            ))
            .unwrap();
            format!("{}/{}", code.authority().name, code.org_type().name)
        };
        assert_eq!(describe("92"), "工商/个体工商户");
        assert_eq!(describe("93"), "工商/农民专业合作社");
        assert_eq!(describe("11"), "机构编制/机关");
        assert_eq!(describe("12"), "机构编制/事业单位");
        assert_eq!(describe("51"), "民政/社会团体");
        assert_eq!(describe("N2"), "农业/村级集体经济组织");
    }

    #[test]
    fn inner_organisation_code_check_is_only_a_warning() {
        // Organisation code 600037342: its GB 11714 check character should be 1.
        let first17 = "91110000600037342";
        let code = Uscc::parse(&format!(
            "{first17}{}",
            Uscc::check_char_for(first17).unwrap()
        ))
        .unwrap();
        let warning = code.org_code_warning().unwrap();
        assert_eq!(
            warning,
            OrgCodeWarning {
                expected: '1',
                found: '2'
            }
        );
        assert_eq!(
            warning.to_string(),
            "第17位（组织机构代码校验位）按GB 11714应为1，实为2（仅提示，不影响代码有效性）"
        );
    }

    #[test]
    fn check_char_needs_seventeen_alphabet_characters() {
        assert_eq!(Uscc::check_char_for("9111000060003734"), None);
        assert_eq!(Uscc::check_char_for("9111000060003734I"), None);
        assert_eq!(Uscc::check_char_for("91110000600037341"), Some('L'));
    }

    #[test]
    fn serde_goes_through_the_parser() {
        let code: Uscc = serde_json::from_str("\"91110000600037341l\"").unwrap();
        assert_eq!(
            serde_json::to_string(&code).unwrap(),
            format!("\"{VALID}\"")
        );
        let error = serde_json::from_str::<Uscc>("\"91110000600037341X\"").unwrap_err();
        assert!(
            error.to_string().contains("第18位校验码应为L，实为X"),
            "{error}"
        );
    }
}
