//! Every setting the platform reads, with its default (from DOMAIN.md) and its description.
//! A bureau changes a value on 参数设置; code never hard-codes what a bureau may vary.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A whole number between `min` and `max`.
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// Names separated by “、”, at most `max` of them, each at most 10 characters.
    List {
        max: usize,
    },
    /// Public keys of witnesses (C2SP `cosignature/v1` verifier keys), one per line; may be empty.
    WitnessKeys,
}

pub struct Definition {
    pub key: &'static str,
    pub group: &'static str,
    pub name: &'static str,
    pub default: &'static str,
    pub kind: Kind,
    pub description: &'static str,
}

pub const ALL: &[Definition] = &[
    Definition {
        key: "login.max_failures",
        group: "登录安全",
        name: "连续失败锁定次数",
        default: "5",
        kind: Kind::Int { min: 1, max: 100 },
        description: "连续输错密码达到此次数后锁定账号",
    },
    Definition {
        key: "login.lockout_minutes",
        group: "登录安全",
        name: "锁定时长（分钟）",
        default: "15",
        kind: Kind::Int { min: 1, max: 1440 },
        description: "账号锁定后多少分钟内不能登录",
    },
    Definition {
        key: "session.idle_minutes",
        group: "登录安全",
        name: "会话空闲超时（分钟）",
        default: "30",
        kind: Kind::Int { min: 5, max: 1440 },
        description: "超过此时间无操作须重新登录",
    },
    Definition {
        key: "session.max_hours",
        group: "登录安全",
        name: "会话最长有效期（小时）",
        default: "12",
        kind: Kind::Int { min: 1, max: 720 },
        description: "登录后最长保持多少小时，无论是否有操作",
    },
    Definition {
        key: "password.min_length",
        group: "密码策略",
        name: "密码最短长度",
        default: "8",
        kind: Kind::Int { min: 6, max: 64 },
        description: "密码至少包含的字符数",
    },
    Definition {
        key: "password.min_classes",
        group: "密码策略",
        name: "密码字符种类",
        default: "3",
        kind: Kind::Int { min: 1, max: 4 },
        description: "大写字母、小写字母、数字、特殊字符中至少包含几种",
    },
    Definition {
        key: "password.max_age_days",
        group: "密码策略",
        name: "密码有效期（天）",
        default: "90",
        kind: Kind::Int { min: 0, max: 3650 },
        description: "超过此天数提醒修改密码；0 表示不提醒",
    },
    Definition {
        key: "ledger.due_soon_workdays",
        group: "整改预警",
        name: "临期预警（工作日）",
        default: "3",
        kind: Kind::Int { min: 1, max: 30 },
        description: "整改时限前多少个工作日内亮黄灯",
    },
    Definition {
        key: "ledger.no_progress_days",
        group: "整改预警",
        name: "未报进展预警（天）",
        default: "7",
        kind: Kind::Int { min: 1, max: 90 },
        description: "在办事项超过此天数未报送整改进展亮蓝灯（周调度）",
    },
    Definition {
        key: "ledger.look_back_months",
        group: "整改预警",
        name: "回头看间隔（月）",
        default: "6",
        kind: Kind::Int { min: 1, max: 36 },
        description: "销号后多少个月进行回头看",
    },
    Definition {
        key: "ledger.close_out_needs_evidence",
        group: "整改预警",
        name: "销号须有佐证材料",
        default: "true",
        kind: Kind::Bool,
        description: "申请销号前须至少有一次附佐证材料的整改进展",
    },
    Definition {
        key: "ledger.supervision_ladder",
        group: "整改预警",
        name: "督办升级层级",
        default: "提醒、督办、约谈",
        kind: Kind::List { max: 6 },
        description: "对逾期整改事项逐级发出的督办单名称，从轻到重，用“、”分隔",
    },
    Definition {
        key: "similarity.suspected_percent",
        group: "查重",
        name: "疑似重复阈值（%）",
        default: "50",
        kind: Kind::Int { min: 1, max: 100 },
        description: "总文字复制比达到此百分比判为“疑似重复”",
    },
    Definition {
        key: "similarity.duplicate_percent",
        group: "查重",
        name: "重复阈值（%）",
        default: "80",
        kind: Kind::Int { min: 1, max: 100 },
        description: "总文字复制比达到此百分比判为“重复”，应不低于疑似重复阈值",
    },
    Definition {
        key: "similarity.max_chars",
        group: "查重",
        name: "查重单篇最大字数",
        default: "300000",
        kind: Kind::Int {
            min: 1000,
            max: 3_000_000,
        },
        description: "上传到比对库或查重的单个文件最多包含的字数（不计标点和空白），超过的文件不予接收",
    },
    Definition {
        key: "notice.period_workdays",
        group: "公示",
        name: "公示期（工作日）",
        default: "5",
        kind: Kind::Int { min: 1, max: 60 },
        description: "公示期长度，“不少于五个工作日”",
    },
    Definition {
        key: "audit.checkpoint_minutes",
        group: "审计日志",
        name: "检查点签署间隔（分钟）",
        default: "60",
        kind: Kind::Int { min: 1, max: 1440 },
        description: "日志有新事件时，每隔多少分钟用本局密钥签署一个检查点（也可在“完整性”页面随时签署）",
    },
    Definition {
        key: "audit.witness_keys",
        group: "审计日志",
        name: "见证人公钥",
        default: "",
        kind: Kind::WitnessKeys,
        description: "纪检组、审计局等见证单位的联署公钥，每行一个（由 sunlight audit witness 生成）；只接受这些单位的联署",
    },
];

pub fn find(key: &str) -> Option<&'static Definition> {
    ALL.iter().find(|d| d.key == key)
}

/// Settings that are valid one by one but not together (all values given, already parsed): the key
/// to mark and why.
pub fn conflicts(values: &BTreeMap<&str, String>) -> Vec<(&'static str, String)> {
    let int = |key: &str| values.get(key).and_then(|v| v.parse::<i64>().ok());
    let mut out = Vec::new();
    if let (Some(suspected), Some(duplicate)) = (
        int("similarity.suspected_percent"),
        int("similarity.duplicate_percent"),
    ) && duplicate < suspected
    {
        out.push((
            "similarity.duplicate_percent",
            format!("重复阈值（{duplicate}%）不能低于疑似重复阈值（{suspected}%）"),
        ));
    }
    out
}

/// Checks a value entered for `def`; returns it normalised or a message saying what is wrong.
pub fn parse_value(def: &Definition, raw: &str) -> Result<String, String> {
    let v = raw.trim();
    match def.kind {
        Kind::Int { min, max } => match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
            Ok(n) => Err(format!("{}应在{min}到{max}之间，填写的是{n}", def.name)),
            Err(_) => Err(format!("{}应为整数，填写的是“{v}”", def.name)),
        },
        Kind::Bool => match v {
            "true" | "是" | "on" => Ok("true".into()),
            "false" | "否" | "" => Ok("false".into()),
            _ => Err(format!("{}应为“是”或“否”", def.name)),
        },
        Kind::WitnessKeys => {
            let mut keys = Vec::new();
            for (i, line) in v.lines().map(str::trim).enumerate() {
                if line.is_empty() {
                    continue;
                }
                match audit::VerifierKey::parse(line) {
                    Ok(k) if k.kind() == audit::KeyKind::Cosignature => keys.push(line.to_owned()),
                    Ok(_) => {
                        return Err(format!(
                            "{}第{}行是日志签名公钥，不是见证人的联署公钥",
                            def.name,
                            i + 1
                        ));
                    }
                    Err(e) => return Err(format!("{}第{}行无效：{e}", def.name, i + 1)),
                }
            }
            Ok(keys.join("\n"))
        }
        Kind::List { max } => {
            let items: Vec<&str> = v
                .split(['、', ',', '，', ' '])
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .collect();
            if items.is_empty() || items.len() > max {
                Err(format!("{}应填写1到{max}项，用“、”分隔", def.name))
            } else if let Some(long) = items.iter().find(|i| i.chars().count() > 10) {
                Err(format!("{}中的“{long}”过长（每项最多10个字）", def.name))
            } else {
                Ok(items.join("、"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_keys_unique() {
        for d in ALL {
            assert_eq!(
                parse_value(d, d.default).as_deref(),
                Ok(d.default),
                "{}",
                d.key
            );
            assert_eq!(ALL.iter().filter(|o| o.key == d.key).count(), 1);
        }
    }

    #[test]
    fn thresholds_must_rise() {
        let values = |s: &str, d: &str| {
            BTreeMap::from([
                ("similarity.suspected_percent", s.to_owned()),
                ("similarity.duplicate_percent", d.to_owned()),
            ])
        };
        assert!(conflicts(&values("50", "80")).is_empty());
        assert!(conflicts(&values("60", "60")).is_empty());
        assert_eq!(
            conflicts(&values("70", "60")),
            vec![(
                "similarity.duplicate_percent",
                "重复阈值（60%）不能低于疑似重复阈值（70%）".to_owned()
            )]
        );
    }

    #[test]
    fn bad_values_are_explained() {
        let d = find("login.max_failures").unwrap();
        assert_eq!(parse_value(d, " 7 "), Ok("7".into()));
        assert_eq!(
            parse_value(d, "0"),
            Err("连续失败锁定次数应在1到100之间，填写的是0".into())
        );
        assert_eq!(
            parse_value(d, "五"),
            Err("连续失败锁定次数应为整数，填写的是“五”".into())
        );
        let ladder = find("ledger.supervision_ladder").unwrap();
        assert_eq!(
            parse_value(ladder, "提醒，督办, 约谈"),
            Ok("提醒、督办、约谈".into())
        );
        assert!(parse_value(ladder, "").unwrap_err().contains("1到6项"));
        assert!(
            parse_value(ladder, "一二三四五六七八九十十一")
                .unwrap_err()
                .contains("过长")
        );
    }
}
