//! What rectification produced besides its measures: 建章立制 (regulations issued) and 问责 (people
//! held accountable), each linked to the problem it answers. The form rules are pure; storage writes
//! one audited row; the bulletin counts them and says, without names, what was done per problem.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};

use super::entities::{accountability, problem, rule_made};
use crate::db::audited::{Actor, AuditedError, AuditedTx};
use crate::web::form::{self, FieldErrors};

/// A checked 建章立制 entry.
#[derive(Debug, PartialEq)]
pub struct RuleInput {
    pub problem_id: i64,
    pub title: String,
    pub doc_no: Option<String>,
    pub issued_on: String,
}

/// A checked 问责 entry.
#[derive(Debug, PartialEq)]
pub struct AccountabilityInput {
    pub problem_id: i64,
    pub person: String,
    pub position: Option<String>,
    pub action: String,
    pub decided_on: String,
}

fn problem_id(e: &mut FieldErrors, raw: &str) -> i64 {
    raw.trim().parse::<i64>().unwrap_or_else(|_| {
        e.add("problem_id", "请选择对应的问题");
        0
    })
}

fn date(e: &mut FieldErrors, key: &str, label: &str, raw: &str) -> String {
    match calendar::parse_date(raw.trim()) {
        Ok(d) => d.to_string(),
        Err(m) => {
            e.add(key, format!("{label}有误：{m}"));
            String::new()
        }
    }
}

pub fn check_rule(
    problem: &str,
    title: &str,
    doc_no: &str,
    issued_on: &str,
) -> Result<RuleInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let problem_id = problem_id(&mut e, problem);
    let title = form::required(&mut e, "title", "制度名称", title, 200);
    let doc_no = form::optional(&mut e, "doc_no", "文号", doc_no, 100);
    let issued_on = date(&mut e, "issued_on", "印发日期", issued_on);
    if e.is_empty() {
        Ok(RuleInput {
            problem_id,
            title: title.trim_matches(['《', '》']).to_owned(),
            doc_no,
            issued_on,
        })
    } else {
        Err(e)
    }
}

pub fn check_accountability(
    problem: &str,
    person: &str,
    position: &str,
    action: &str,
    decided_on: &str,
) -> Result<AccountabilityInput, FieldErrors> {
    let mut e = FieldErrors::default();
    let problem_id = problem_id(&mut e, problem);
    let person = form::required(&mut e, "person", "被问责人", person, 50);
    let position = form::optional(&mut e, "position", "职务", position, 100);
    let action = form::required(&mut e, "action", "处理方式", action, 100);
    let decided_on = date(&mut e, "decided_on", "处理日期", decided_on);
    if e.is_empty() {
        Ok(AccountabilityInput {
            problem_id,
            person,
            position,
            action,
            decided_on,
        })
    } else {
        Err(e)
    }
}

/// Both lists of one round.
#[derive(Default)]
pub struct Outcomes {
    pub rules: Vec<rule_made::Model>,
    pub accountability: Vec<accountability::Model>,
}

impl Outcomes {
    /// What the public bulletin says was done for one problem, without names.
    pub fn done_for(&self, problem_id: i64) -> Vec<String> {
        let mut out: Vec<String> = self
            .rules
            .iter()
            .filter(|r| r.problem_id == problem_id)
            .map(|r| match &r.doc_no {
                Some(no) => format!("制定印发《{}》（{no}）", r.title),
                None => format!("制定印发《{}》", r.title),
            })
            .collect();
        let held: Vec<&accountability::Model> = self
            .accountability
            .iter()
            .filter(|a| a.problem_id == problem_id)
            .collect();
        if !held.is_empty() {
            let mut actions: Vec<&str> = held.iter().map(|a| a.action.as_str()).collect();
            actions.dedup();
            out.push(format!(
                "对{}名相关责任人进行{}",
                held.len(),
                actions.join("、")
            ));
        }
        out
    }
}

pub async fn of_round(db: &impl ConnectionTrait, inspection_id: i64) -> Result<Outcomes, DbErr> {
    Ok(Outcomes {
        rules: rule_made::Entity::find()
            .filter(rule_made::Column::InspectionId.eq(inspection_id))
            .order_by_asc(rule_made::Column::IssuedOn)
            .order_by_asc(rule_made::Column::Id)
            .all(db)
            .await?,
        accountability: accountability::Entity::find()
            .filter(accountability::Column::InspectionId.eq(inspection_id))
            .order_by_asc(accountability::Column::DecidedOn)
            .order_by_asc(accountability::Column::Id)
            .all(db)
            .await?,
    })
}

/// The problem must belong to the round; otherwise nothing is written and the caller answers 404.
async fn problem_of_round(
    tx: &AuditedTx,
    inspection_id: i64,
    problem_id: i64,
) -> Result<Option<problem::Model>, DbErr> {
    problem::Entity::find_by_id(problem_id)
        .filter(problem::Column::InspectionId.eq(inspection_id))
        .one(tx.reader())
        .await
}

/// One entry of either list, checked.
#[derive(Debug, PartialEq)]
pub enum Entry {
    Rule(RuleInput),
    Accountability(AccountabilityInput),
}

impl Entry {
    fn problem_id(&self) -> i64 {
        match self {
            Entry::Rule(r) => r.problem_id,
            Entry::Accountability(a) => a.problem_id,
        }
    }
}

/// Adds an entry to the round, audited. Returns false (and writes nothing) when its problem is not
/// in the round.
pub async fn add(
    db: &DatabaseConnection,
    actor: Actor,
    inspection_id: i64,
    entry: Entry,
) -> Result<bool, AuditedError> {
    let action = match entry {
        Entry::Rule(_) => "ledger.rule.create",
        Entry::Accountability(_) => "ledger.accountability.create",
    };
    let mut tx = AuditedTx::begin(db, actor, action).await?;
    if problem_of_round(&tx, inspection_id, entry.problem_id())
        .await?
        .is_none()
    {
        return Ok(false);
    }
    let now = crate::db::now_ms();
    match entry {
        Entry::Rule(r) => {
            tx.insert(rule_made::ActiveModel {
                inspection_id: Set(inspection_id),
                problem_id: Set(r.problem_id),
                title: Set(r.title),
                doc_no: Set(r.doc_no),
                issued_on: Set(r.issued_on),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .await?;
        }
        Entry::Accountability(a) => {
            tx.insert(accountability::ActiveModel {
                inspection_id: Set(inspection_id),
                problem_id: Set(a.problem_id),
                person: Set(a.person),
                position: Set(a.position),
                action: Set(a.action),
                decided_on: Set(a.decided_on),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// Deletes one entry of the round (`rule` or `accountability`); false when it is not in the round.
pub async fn delete(
    db: &DatabaseConnection,
    actor: Actor,
    inspection_id: i64,
    what: &str,
    id: i64,
) -> Result<bool, AuditedError> {
    let mut tx = AuditedTx::begin(db, actor, &format!("ledger.{what}.delete")).await?;
    // The same steps for either table: find the row in this round, delete it on record.
    macro_rules! remove {
        ($table:ident) => {
            match $table::Entity::find_by_id(id)
                .filter($table::Column::InspectionId.eq(inspection_id))
                .one(tx.reader())
                .await?
            {
                Some(row) => {
                    tx.delete::<$table::ActiveModel>(row).await?;
                    true
                }
                None => false,
            }
        };
    }
    let found = match what {
        "rule" => remove!(rule_made),
        "accountability" => remove!(accountability),
        _ => false,
    };
    if found {
        tx.commit().await?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_needs_a_problem_a_name_and_a_date() {
        let ok = check_rule(
            "7",
            "《科研经费管理办法》",
            "滨科发〔2026〕12号",
            "2026-03-01",
        )
        .unwrap();
        assert_eq!(
            ok.title, "科研经费管理办法",
            "book-title marks are the bulletin's to add"
        );
        assert_eq!(ok.doc_no.as_deref(), Some("滨科发〔2026〕12号"));
        let e = check_rule("", " ", "", "3月1日").unwrap_err();
        for key in ["problem_id", "title", "issued_on"] {
            assert!(e.has(key), "{key}");
        }
        assert!(e.get("issued_on").contains("印发日期有误"));
    }

    #[test]
    fn accountability_is_told_without_names_in_the_bulletin() {
        let e = check_accountability("1", "", "", "", "2026-02-30").unwrap_err();
        for key in ["person", "action", "decided_on"] {
            assert!(e.has(key), "{key}");
        }
        let held = |person: &str, action: &str| accountability::Model {
            id: 1,
            inspection_id: 1,
            problem_id: 5,
            person: person.into(),
            position: None,
            action: action.into(),
            decided_on: "2026-03-01".into(),
            created_at: 0,
            updated_at: 0,
        };
        let rule = rule_made::Model {
            id: 1,
            inspection_id: 1,
            problem_id: 5,
            title: "专家库管理办法".into(),
            doc_no: None,
            issued_on: "2026-03-01".into(),
            created_at: 0,
            updated_at: 0,
        };
        let done = Outcomes {
            rules: vec![rule],
            accountability: vec![held("张三", "诫勉谈话"), held("李四", "诫勉谈话")],
        };
        assert_eq!(
            done.done_for(5),
            ["制定印发《专家库管理办法》", "对2名相关责任人进行诫勉谈话"]
        );
        assert!(done.done_for(6).is_empty());
        assert!(!done.done_for(5).concat().contains("张三"));
    }
}
