//! GB/T 2260 行政区划 names for six-digit region codes.
//!
//! The table (`data/regions.tsv`, see its README for sources) holds the codes in force and the
//! codes of earlier revisions: an identity number keeps the region it was issued in for life, so
//! an old code is information, not an error.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

static TABLE: &str = include_str!("../data/regions.tsv");

/// Code → (full name, last revision that listed it if it is no longer in force).
static INDEX: LazyLock<HashMap<&'static str, (&'static str, Option<&'static str>)>> =
    LazyLock::new(|| {
        TABLE
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let code = fields.next()?;
                let name = fields.next()?;
                Some((code, (name, fields.next())))
            })
            .collect()
    });

/// What a region code stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionName {
    /// In force, e.g. 北京市东城区.
    Current(&'static str),
    /// No longer in force; `last_revision` (YYYYMM) is the last revision that listed it.
    Former {
        name: &'static str,
        last_revision: &'static str,
    },
    /// Not in the table (a code newer than the table, or a typing error the check digit missed).
    Unknown { code: String },
}

impl RegionName {
    /// The full name, if the code is known.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Self::Current(name) | Self::Former { name, .. } => Some(name),
            Self::Unknown { .. } => None,
        }
    }
}

impl fmt::Display for RegionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Current(name) => f.write_str(name),
            Self::Former {
                name,
                last_revision,
            } => {
                let (year, month) = last_revision.split_at(4);
                write!(f, "{name}（旧代码，最后见于{year}年{month}月版区划）")
            }
            Self::Unknown { code } => write!(f, "未知地区（代码{code}）"),
        }
    }
}

/// Looks up a six-digit region code.
pub fn region_name(code: &str) -> RegionName {
    match INDEX.get(code) {
        Some((name, None)) => RegionName::Current(name),
        Some((name, Some(last_revision))) => RegionName::Former {
            name,
            last_revision,
        },
        None => RegionName::Unknown {
            code: code.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_codes_have_full_names() {
        assert_eq!(region_name("110101").to_string(), "北京市东城区");
        assert_eq!(region_name("110105").to_string(), "北京市朝阳区");
        assert_eq!(region_name("210211").to_string(), "辽宁省大连市甘井子区");
        assert_eq!(region_name("429004").to_string(), "湖北省仙桃市");
        assert_eq!(region_name("110000"), RegionName::Current("北京市"));
    }

    #[test]
    fn every_province_and_prefecture_is_known() {
        let provinces: Vec<&str> = INDEX
            .iter()
            .filter(|(code, (_, last))| code.ends_with("0000") && last.is_none())
            .map(|(code, _)| *code)
            .collect();
        // 31 provincial units of the mainland, plus 台湾省, 香港 and 澳门.
        assert_eq!(provinces.len(), 34, "{provinces:?}");
        for code in [
            "130100", "320500", "440300", "510100", "650100", "540100", "460200",
        ] {
            assert!(
                matches!(region_name(code), RegionName::Current(_)),
                "{code}"
            );
        }
        let prefectures = INDEX
            .iter()
            .filter(|(code, (_, last))| {
                code.ends_with("00") && !code.ends_with("0000") && last.is_none()
            })
            .count();
        assert!(
            prefectures >= 333,
            "only {prefectures} prefecture-level codes"
        );
    }

    #[test]
    fn former_codes_are_named_with_their_last_revision() {
        assert_eq!(
            region_name("110103"),
            RegionName::Former {
                name: "北京市崇文区",
                last_revision: "200912"
            }
        );
        assert_eq!(
            region_name("110103").to_string(),
            "北京市崇文区（旧代码，最后见于2009年12月版区划）"
        );
    }

    #[test]
    fn unknown_codes_are_not_errors() {
        assert_eq!(region_name("110199").to_string(), "未知地区（代码110199）");
        assert_eq!(region_name("110199").name(), None);
    }
}
