//! 修改整改措施: who answers for a measure and by when — what an import leaves for the 整改办 to fill
//! in. The rules of the form are pure; the page checks the department against the editor's scope.

use calendar::NaiveDate;

use super::entities::measure;
use crate::web::form::{self, FieldErrors};

#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
pub struct Input {
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub lead_leader: String,
    #[serde(default)]
    pub department_id: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub supporting: String,
    #[serde(default)]
    pub target: String,
    /// `date`, `immediate` (立行立改) or `long_term` (长期坚持).
    #[serde(default)]
    pub due_kind: String,
    #[serde(default)]
    pub due_on: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Valid {
    pub content: String,
    pub lead_leader: Option<String>,
    pub department_id: i64,
    pub owner: Option<String>,
    pub supporting: Option<String>,
    pub target: Option<String>,
    pub due_kind: &'static str,
    pub due_on: Option<NaiveDate>,
}

impl Input {
    pub fn of(m: &measure::Model) -> Input {
        Input {
            content: m.content.clone(),
            lead_leader: m.lead_leader.clone().unwrap_or_default(),
            department_id: m.department_id.to_string(),
            owner: m.owner.clone().unwrap_or_default(),
            supporting: m.supporting.clone().unwrap_or_default(),
            target: m.target.clone().unwrap_or_default(),
            due_kind: m.due_kind.clone(),
            due_on: m.due_on.clone().unwrap_or_default(),
        }
    }
}

pub fn validate(i: &Input) -> Result<Valid, FieldErrors> {
    let mut e = FieldErrors::default();
    let content = form::required(&mut e, "content", "整改措施", &i.content, 1000);
    let lead_leader = form::optional(&mut e, "lead_leader", "牵头领导", &i.lead_leader, 50);
    let owner = form::optional(&mut e, "owner", "责任人", &i.owner, 50);
    let supporting = form::optional(&mut e, "supporting", "配合科室", &i.supporting, 200);
    let target = form::optional(&mut e, "target", "整改目标", &i.target, 500);
    let department_id = i.department_id.trim().parse::<i64>().unwrap_or_else(|_| {
        e.add("department_id", "请选择责任科室");
        0
    });
    let (due_kind, due_on) = match i.due_kind.as_str() {
        "immediate" => ("immediate", None),
        "long_term" => ("long_term", None),
        "date" => match calendar::parse_date(i.due_on.trim()) {
            Ok(d) => ("date", Some(d)),
            Err(m) => {
                e.add("due_on", format!("整改时限有误：{m}"));
                ("date", None)
            }
        },
        _ => {
            e.add("due_kind", "请选择整改时限的类型");
            ("date", None)
        }
    };
    if e.is_empty() {
        Ok(Valid {
            content,
            lead_leader,
            department_id,
            owner,
            supporting,
            target,
            due_kind,
            due_on,
        })
    } else {
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_is_a_date_or_one_of_the_two_kinds() {
        let ok = Input {
            content: "修订办法".into(),
            department_id: "3".into(),
            due_kind: "date".into(),
            due_on: "2026-12-31".into(),
            ..Default::default()
        };
        assert_eq!(
            validate(&ok).unwrap().due_on,
            NaiveDate::from_ymd_opt(2026, 12, 31)
        );
        let long = Input {
            due_kind: "long_term".into(),
            due_on: "whatever".into(),
            ..ok.clone()
        };
        assert_eq!(validate(&long).unwrap().due_on, None);
        let bad = Input {
            content: " ".into(),
            department_id: "x".into(),
            due_kind: "date".into(),
            due_on: "2026-13-01".into(),
            ..Default::default()
        };
        let e = validate(&bad).unwrap_err();
        for key in ["content", "department_id", "due_on"] {
            assert!(e.has(key), "{key}");
        }
    }
}
