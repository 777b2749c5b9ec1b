//! Storage of the ledger: creating a ledger from a draft tree, reading it within the viewer's
//! scope, and the audited changes of the 销号 workflow and progress reports.

use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};
use sha2::{Digest, Sha256};

use super::entities::{evidence, inspection, measure, problem, progress_report, section};
use super::rules::{self, CloseOut, Due, Status};
use crate::db::audited::{Actor, AuditedTx};
use crate::org::scope::Scope;
use crate::web::error::AppError;

/// A ledger to create: what an import or a form produced, before it has ids.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub kind: String,
    pub title: String,
    pub team: String,
    pub department_id: i64,
    pub started_on: Option<String>,
    pub ended_on: Option<String>,
    pub feedback_on: Option<String>,
    pub source_name: Option<String>,
    pub sections: Vec<DraftSection>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DraftSection {
    pub title: String,
    pub problems: Vec<DraftProblem>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DraftProblem {
    pub category: Option<String>,
    pub title: String,
    pub measures: Vec<DraftMeasure>,
    /// Specific problems under a main problem.
    pub children: Vec<DraftProblem>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DraftMeasure {
    pub content: String,
    pub due: Due,
    pub status: Status,
    /// 责任科室; `None` leaves it with the inspected unit until someone assigns it.
    pub department_id: Option<i64>,
    pub lead_leader: Option<String>,
    pub owner: Option<String>,
    /// 配合科室, as the sheet names them.
    pub supporting: Option<String>,
}

impl DraftMeasure {
    /// A measure as a bulletin states it: text, deadline and status, nobody assigned yet.
    pub fn stated(content: String, due: Due, status: Status) -> DraftMeasure {
        DraftMeasure {
            content,
            due,
            status,
            department_id: None,
            lead_leader: None,
            owner: None,
            supporting: None,
        }
    }
}

fn due_columns(due: Due) -> (&'static str, Option<String>) {
    match due {
        Due::Date(d) => ("date", Some(d.to_string())),
        Due::Immediate => ("immediate", None),
        Due::LongTerm => ("long_term", None),
    }
}

/// Creates the whole ledger in one transaction; returns the inspection's id.
pub async fn create(
    db: &DatabaseConnection,
    actor: Actor,
    action: &str,
    d: &Draft,
) -> Result<i64, AppError> {
    let now = crate::db::now_ms();
    let mut tx = AuditedTx::begin(db, actor, action).await?;
    let round = tx
        .insert(inspection::ActiveModel {
            kind: Set(d.kind.clone()),
            title: Set(d.title.clone()),
            team: Set(d.team.clone()),
            department_id: Set(d.department_id),
            started_on: Set(d.started_on.clone()),
            ended_on: Set(d.ended_on.clone()),
            feedback_on: Set(d.feedback_on.clone()),
            source_name: Set(d.source_name.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .await?;
    for (i, s) in d.sections.iter().enumerate() {
        let sec = tx
            .insert(section::ActiveModel {
                inspection_id: Set(round.id),
                seq: Set(i as i32 + 1),
                title: Set(s.title.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .await?;
        for (j, p) in s.problems.iter().enumerate() {
            insert_problem(
                &mut tx,
                round.id,
                d.department_id,
                sec.id,
                None,
                "main",
                j,
                p,
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(round.id)
}

#[allow(clippy::too_many_arguments)]
async fn insert_problem(
    tx: &mut AuditedTx,
    round: i64,
    department_id: i64,
    section_id: i64,
    parent: Option<i64>,
    level: &str,
    index: usize,
    p: &DraftProblem,
    now: i64,
) -> Result<(), AppError> {
    let row = tx
        .insert(problem::ActiveModel {
            inspection_id: Set(round),
            section_id: Set(section_id),
            parent_id: Set(parent),
            level: Set(level.to_owned()),
            seq: Set(index as i32 + 1),
            category: Set(p.category.clone()),
            title: Set(p.title.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .await?;
    for (k, m) in p.measures.iter().enumerate() {
        let (due_kind, due_on) = due_columns(m.due);
        tx.insert(measure::ActiveModel {
            inspection_id: Set(round),
            problem_id: Set(row.id),
            seq: Set(k as i32 + 1),
            content: Set(m.content.clone()),
            lead_leader: Set(m.lead_leader.clone()),
            department_id: Set(m.department_id.unwrap_or(department_id)),
            owner: Set(m.owner.clone()),
            supporting: Set(m.supporting.clone()),
            due_kind: Set(due_kind.into()),
            due_on: Set(due_on),
            status: Set(m.status.key().into()),
            close_out: Set("open".into()),
            return_reason: Set(None),
            closed_on: Set(None),
            look_back_on: Set(None),
            relapses: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .await?;
    }
    for (k, child) in p.children.iter().enumerate() {
        Box::pin(insert_problem(
            tx,
            round,
            department_id,
            section_id,
            Some(row.id),
            "specific",
            k,
            child,
            now,
        ))
        .await?;
    }
    Ok(())
}

/// Inspections the viewer may see: of a department in scope, or holding a measure in scope.
pub async fn inspections(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<Vec<inspection::Model>, DbErr> {
    let with_measure = Query::select()
        .column(measure::Column::InspectionId)
        .from(measure::Entity)
        .cond_where(scope.condition(measure::Column::DepartmentId, None))
        .to_owned();
    inspection::Entity::find()
        .filter(
            Condition::any()
                .add(scope.condition(inspection::Column::DepartmentId, None))
                .add(inspection::Column::Id.in_subquery(with_measure)),
        )
        .order_by_desc(inspection::Column::Id)
        .all(db)
        .await
}

pub async fn inspection_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> Result<Option<inspection::Model>, DbErr> {
    Ok(inspections(db, scope)
        .await?
        .into_iter()
        .find(|i| i.id == id))
}

/// An inspection's tree as the viewer may see it: every section and problem (the context), and
/// the measures in scope.
pub struct Tree {
    pub sections: Vec<section::Model>,
    pub problems: Vec<problem::Model>,
    pub measures: Vec<measure::Model>,
}

pub async fn tree(
    db: &impl ConnectionTrait,
    scope: &Scope,
    inspection_id: i64,
) -> Result<Tree, DbErr> {
    Ok(Tree {
        sections: section::Entity::find()
            .filter(section::Column::InspectionId.eq(inspection_id))
            .order_by_asc(section::Column::Seq)
            .all(db)
            .await?,
        problems: problem::Entity::find()
            .filter(problem::Column::InspectionId.eq(inspection_id))
            .order_by_asc(problem::Column::Seq)
            .all(db)
            .await?,
        measures: measure::Entity::find()
            .filter(measure::Column::InspectionId.eq(inspection_id))
            .filter(scope.condition(measure::Column::DepartmentId, None))
            .order_by_asc(measure::Column::Seq)
            .all(db)
            .await?,
    })
}

pub async fn measure_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> Result<Option<measure::Model>, DbErr> {
    measure::Entity::find_by_id(id)
        .filter(scope.condition(measure::Column::DepartmentId, None))
        .one(db)
        .await
}

pub async fn reports(
    db: &impl ConnectionTrait,
    measure_id: i64,
) -> Result<Vec<(progress_report::Model, Vec<evidence::Model>)>, DbErr> {
    let reports = progress_report::Entity::find()
        .filter(progress_report::Column::MeasureId.eq(measure_id))
        .order_by_desc(progress_report::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for r in reports {
        let files = evidence::Entity::find()
            .filter(evidence::Column::ReportId.eq(r.id))
            .order_by_asc(evidence::Column::Id)
            .all(db)
            .await?;
        out.push((r, files));
    }
    Ok(out)
}

/// The rules' view of a stored measure.
pub async fn rule_view(
    db: &impl ConnectionTrait,
    m: &measure::Model,
) -> Result<rules::Measure, AppError> {
    let parse_date = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| d.parse::<calendar::NaiveDate>().ok())
    };
    let due = match (m.due_kind.as_str(), parse_date(&m.due_on)) {
        ("date", Some(d)) => Due::Date(d),
        ("long_term", _) => Due::LongTerm,
        _ => Due::Immediate,
    };
    let with_evidence = progress_report::Entity::find()
        .filter(progress_report::Column::MeasureId.eq(m.id))
        .filter(
            progress_report::Column::Id.in_subquery(
                Query::select()
                    .column(evidence::Column::ReportId)
                    .from(evidence::Entity)
                    .to_owned(),
            ),
        )
        .count(db)
        .await?;
    let last_report = progress_report::Entity::find()
        .filter(progress_report::Column::MeasureId.eq(m.id))
        .order_by_desc(progress_report::Column::ReportedOn)
        .one(db)
        .await?
        .and_then(|r| r.reported_on.parse().ok());
    let created = chrono::DateTime::from_timestamp_millis(m.created_at)
        .map(|t| t.date_naive())
        .unwrap_or_default();
    Ok(rules::Measure {
        status: Status::parse(&m.status).unwrap_or(Status::InProgress),
        due,
        close_out: match m.close_out.as_str() {
            "requested" => CloseOut::Requested,
            "returned" => CloseOut::Returned {
                reason: m.return_reason.clone().unwrap_or_default(),
            },
            _ => CloseOut::Open,
        },
        reports_with_evidence: with_evidence as u32,
        last_activity: last_report.unwrap_or(created),
        look_back_on: parse_date(&m.look_back_on),
    })
}

/// The ledger settings in force.
pub async fn settings(db: &impl ConnectionTrait) -> Result<rules::Settings, DbErr> {
    use crate::settings::{get_bool, get_int};
    Ok(rules::Settings {
        due_soon_workdays: get_int(db, "ledger.due_soon_workdays").await? as i32,
        no_progress_days: get_int(db, "ledger.no_progress_days").await?,
        look_back_months: get_int(db, "ledger.look_back_months").await? as u32,
        close_out_needs_evidence: get_bool(db, "ledger.close_out_needs_evidence").await?,
    })
}

/// Applies a decided outcome: one audited update named after the action.
pub async fn apply(
    db: &DatabaseConnection,
    actor: Actor,
    action: &str,
    before: &measure::Model,
    o: &rules::Outcome,
) -> Result<(), AppError> {
    let mut am = before.clone().into_active_model();
    am.status = Set(o.status.key().into());
    let (close_out, reason) = match &o.close_out {
        CloseOut::Open => ("open", None),
        CloseOut::Requested => ("requested", None),
        CloseOut::Returned { reason } => ("returned", Some(reason.clone())),
    };
    am.close_out = Set(close_out.into());
    am.return_reason = Set(reason);
    am.look_back_on = Set(o.look_back_on.map(|d| d.to_string()));
    if o.closed_on.is_some() || o.relapse {
        am.closed_on = Set(o.closed_on.map(|d| d.to_string()));
    }
    if o.relapse {
        am.relapses = Set(before.relapses + 1);
    }
    am.updated_at = Set(crate::db::now_ms());
    let tx = AuditedTx::begin(db, actor, action).await?;
    tx.commit_update(before, am).await?;
    Ok(())
}

/// A file of a progress report as uploaded.
pub struct Upload {
    pub file_name: String,
    pub content: Vec<u8>,
}

/// A progress report as entered; `supersedes` names the earlier report it corrects.
pub struct NewReport<'a> {
    pub reported_on: calendar::NaiveDate,
    pub content: &'a str,
    pub supersedes: Option<i64>,
}

/// Has a later report corrected this one?
pub async fn is_superseded(db: &impl ConnectionTrait, report_id: i64) -> Result<bool, DbErr> {
    Ok(progress_report::Entity::find()
        .filter(progress_report::Column::SupersedesId.eq(report_id))
        .count(db)
        .await?
        > 0)
}

/// Adds a progress report with its evidence files, in one transaction. A report that says the
/// measure has started moves it from 未启动 to 正在推进中. A correction is such a new report too:
/// the corrected one is never changed.
pub async fn add_report(
    db: &DatabaseConnection,
    actor: Actor,
    m: &measure::Model,
    new: NewReport<'_>,
    files: Vec<Upload>,
) -> Result<(), AppError> {
    let NewReport {
        reported_on,
        content,
        supersedes,
    } = new;
    let now = crate::db::now_ms();
    let reporter_name = actor.name.clone();
    let reporter_id = actor.user_id;
    let mut tx = AuditedTx::begin(db, actor, "ledger.measure.report").await?;
    let report = tx
        .insert(progress_report::ActiveModel {
            measure_id: Set(m.id),
            reported_on: Set(reported_on.to_string()),
            content: Set(content.to_owned()),
            reporter_id: Set(reporter_id),
            reporter_name: Set(reporter_name),
            supersedes_id: Set(supersedes),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .await?;
    for f in files {
        let sha256 = crate::audit::event::hex_lower(&Sha256::digest(&f.content));
        tx.insert(evidence::ActiveModel {
            report_id: Set(report.id),
            file_name: Set(f.file_name),
            sha256: Set(sha256),
            size: Set(f.content.len() as i64),
            content: Set(f.content),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .await?;
    }
    if m.status == Status::NotStarted.key() {
        let mut am = m.clone().into_active_model();
        am.status = Set(Status::InProgress.key().into());
        am.updated_at = Set(now);
        tx.update(m, am).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn evidence_in_scope(
    db: &impl ConnectionTrait,
    scope: &Scope,
    id: i64,
) -> Result<Option<evidence::Model>, DbErr> {
    let Some(file) = evidence::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let Some(report) = progress_report::Entity::find_by_id(file.report_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(measure_in_scope(db, scope, report.measure_id)
        .await?
        .map(|_| file))
}

/// How many measures in scope raise a red, a yellow and a blue alert today (for the 工作台).
pub async fn alert_counts(
    db: &impl ConnectionTrait,
    scope: &Scope,
    cal: &calendar::Calendar,
    today: calendar::NaiveDate,
) -> Result<[usize; 3], AppError> {
    let s = settings(db).await?;
    let open = measure::Entity::find()
        .filter(scope.condition(measure::Column::DepartmentId, None))
        .filter(measure::Column::Status.ne(Status::Completed.key()))
        .all(db)
        .await?;
    let mut counts = [0; 3];
    for m in &open {
        // A deadline in a year without its notice counts as red: someone must act on it.
        let alerts = rules::alerts(&rule_view(db, m).await?, today, cal, &s)
            .unwrap_or_else(|_| vec![rules::Alert::Overdue { workdays_late: 0 }]);
        for (i, colour) in ["red", "yellow", "blue"].iter().enumerate() {
            if alerts.iter().any(|a| a.colour() == *colour) {
                counts[i] += 1;
            }
        }
    }
    Ok(counts)
}

/// Saves the edited fields of a measure: one audited update.
pub async fn update_measure(
    db: &DatabaseConnection,
    actor: Actor,
    before: &measure::Model,
    v: super::measure_form::Valid,
) -> Result<measure::Model, AppError> {
    let mut am = before.clone().into_active_model();
    am.content = Set(v.content);
    am.lead_leader = Set(v.lead_leader);
    am.department_id = Set(v.department_id);
    am.owner = Set(v.owner);
    am.supporting = Set(v.supporting);
    am.target = Set(v.target);
    am.due_kind = Set(v.due_kind.into());
    am.due_on = Set(v.due_on.map(|d| d.to_string()));
    if v.due_kind == "long_term" && before.status != Status::Closed.key() {
        am.status = Set(Status::LongTerm.key().into());
    } else if v.due_kind != "long_term" && before.status == Status::LongTerm.key() {
        am.status = Set(Status::InProgress.key().into());
    }
    am.updated_at = Set(crate::db::now_ms());
    let tx = AuditedTx::begin(db, actor, "ledger.measure.update").await?;
    let after = tx.commit_update(before, am).await?;
    Ok(after)
}

/// 督办单 not yet acknowledged on measures in scope (for the 工作台).
pub async fn unacknowledged_notices(
    db: &impl ConnectionTrait,
    scope: &Scope,
) -> Result<u64, DbErr> {
    use super::entities::notice;
    let in_scope = Query::select()
        .column(measure::Column::Id)
        .from(measure::Entity)
        .cond_where(scope.condition(measure::Column::DepartmentId, None))
        .to_owned();
    notice::Entity::find()
        .filter(notice::Column::AcknowledgedOn.is_null())
        .filter(notice::Column::MeasureId.in_subquery(in_scope))
        .count(db)
        .await
}
