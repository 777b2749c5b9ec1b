//! 导出 and 周调度表/月汇报: a round's ledger as the Excel sheet bureaus keep, frozen snapshots of it,
//! and the completion charts of the round's page.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sha2::Digest;

use super::entities::{inspection, measure, problem, section};
use super::pages::{due_text, status_label};
use super::store;
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form_multi::Form;
use crate::web::parse_id;

/// 导出: the round's ledger in scope as the Excel sheet bureaus keep.
pub(super) async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    viewer.require("ledger:inspection:list")?;
    let round = store::inspection_in_scope(&state.db, &viewer.scope, parse_id(&raw)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let sections = sheet_rows(&state, &viewer, &round).await?;
    let bytes = super::excel::workbook(&format!("{}台账", round.title), &sections)
        .map_err(AppError::internal)?;
    Ok(crate::web::xlsx::download(
        &format!("{}台账.xlsx", round.title),
        bytes,
    ))
}

/// The round's ledger in the viewer's scope, row by row as the sheet shows it.
pub(super) async fn sheet_rows(
    state: &AppState,
    viewer: &Viewer,
    round: &inspection::Model,
) -> Result<Vec<super::excel::SectionRows>, AppError> {
    use super::excel::{MeasureRow, ProblemRows, SectionRows};
    use sea_orm::EntityTrait;
    let tree = store::tree(&state.db, &viewer.scope, round.id).await?;
    let names: std::collections::HashMap<i64, String> =
        crate::org::entities::department::Entity::find()
            .all(&state.db)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
    let mut rows_of = std::collections::HashMap::new();
    for m in &tree.measures {
        let reports = store::reports(&state.db, m.id).await?;
        let remark = match (m.close_out.as_str(), m.relapses) {
            ("returned", _) => format!(
                "销号申请被退回：{}",
                m.return_reason.clone().unwrap_or_default()
            ),
            ("requested", _) => "已申请销号，待审核".into(),
            (_, n) if n > 0 => format!("回头看反弹{n}次"),
            _ => String::new(),
        };
        let row = MeasureRow {
            content: m.content.clone(),
            lead_leader: m.lead_leader.clone().unwrap_or_default(),
            department: names.get(&m.department_id).cloned().unwrap_or_default(),
            supporting: m.supporting.clone().unwrap_or_default(),
            owner: m.owner.clone().unwrap_or_default(),
            due: due_text(m),
            progress: reports
                .first()
                .map(|(r, _)| format!("{}：{}", r.reported_on, r.content))
                .unwrap_or_default(),
            status: status_label(&m.status).into(),
            evidence: reports
                .iter()
                .flat_map(|(_, files)| files.iter().map(|f| f.file_name.clone()))
                .collect::<Vec<_>>()
                .join("、"),
            closed_on: m.closed_on.clone().unwrap_or_default(),
            remark,
        };
        rows_of
            .entry(m.problem_id)
            .or_insert_with(Vec::new)
            .push(row);
    }
    let problem_rows = |p: &problem::Model| ProblemRows {
        title: p.title.clone(),
        measures: rows_of.get(&p.id).cloned().unwrap_or_default(),
        children: tree
            .problems
            .iter()
            .filter(|c| c.parent_id == Some(p.id))
            .map(|c| ProblemRows {
                title: c.title.clone(),
                measures: rows_of.get(&c.id).cloned().unwrap_or_default(),
                children: vec![],
            })
            .collect(),
    };
    let sections: Vec<SectionRows> = tree
        .sections
        .iter()
        .map(|s| SectionRows {
            title: s.title.clone(),
            problems: tree
                .problems
                .iter()
                .filter(|p| p.section_id == s.id && p.parent_id.is_none())
                .map(problem_rows)
                .collect(),
        })
        .collect();
    Ok(sections)
}

#[derive(Deserialize)]
pub(super) struct SnapshotForm {
    #[serde(default)]
    kind: String,
}

/// 生成周调度表 / 月汇报: freezes the round's rows as they are today.
pub(super) async fn take_snapshot(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Form(f): Form<SnapshotForm>,
) -> Result<Response, AppError> {
    use sea_orm::ActiveValue::Set;
    viewer.require("ledger:inspection:add")?;
    let round = store::inspection_in_scope(&state.db, &viewer.scope, parse_id(&raw)?)
        .await?
        .ok_or(AppError::NotFound)?;
    let label = match f.kind.as_str() {
        "weekly" => "周调度表",
        "monthly" => "月汇报",
        _ => return Err(AppError::BadRequest("请选择周调度表或月汇报".into())),
    };
    let rows = sheet_rows(&state, &viewer, &round).await?;
    let content = serde_json::to_string(&rows).map_err(AppError::internal)?;
    let today = crate::calendar::today();
    let now = crate::db::now_ms();
    let mut tx =
        crate::db::audited::AuditedTx::begin(&state.db, viewer.actor(), "ledger.snapshot.create")
            .await?;
    tx.insert(super::entities::snapshot::ActiveModel {
        inspection_id: Set(round.id),
        kind: Set(f.kind.clone()),
        taken_on: Set(today.to_string()),
        title: Set(format!("{}{label}（{today}）", round.title)),
        content_sha256: Set(crate::audit::event::hex_lower(&sha2::Sha256::digest(
            content.as_bytes(),
        ))),
        content: Set(content),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/ledger/inspections/{}?msg=created", round.id)).into_response())
}

/// A snapshot as Excel, exactly as it was taken.
pub(super) async fn snapshot_download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    use sea_orm::EntityTrait;
    viewer.require("ledger:inspection:list")?;
    let snap = super::entities::snapshot::Entity::find_by_id(parse_id(&raw)?)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    store::inspection_in_scope(&state.db, &viewer.scope, snap.inspection_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows: Vec<super::excel::SectionRows> =
        serde_json::from_str(&snap.content).map_err(AppError::internal)?;
    let bytes = super::excel::workbook(&snap.title, &rows).map_err(AppError::internal)?;
    Ok(crate::web::xlsx::download(
        &format!("{}.xlsx", snap.title),
        bytes,
    ))
}

/// Completion by section and by department, and the on-time rate of closed measures.
pub(super) async fn dashboard(
    state: &AppState,
    sections: &[section::Model],
    problems: &[problem::Model],
    measures: &[measure::Model],
) -> Result<(Vec<String>, String), AppError> {
    use super::charts::{Bar, completion};
    use sea_orm::EntityTrait;
    let done = |m: &&&measure::Model| m.status == "completed" || m.status == "closed";
    let section_of = |m: &measure::Model| {
        problems
            .iter()
            .find(|p| p.id == m.problem_id)
            .map(|p| p.section_id)
    };
    let by_section: Vec<Bar> = sections
        .iter()
        .map(|s| {
            let mine: Vec<&measure::Model> = measures
                .iter()
                .filter(|m| section_of(m) == Some(s.id))
                .collect();
            Bar {
                label: s.title.clone(),
                done: mine.iter().filter(done).count(),
                total: mine.len(),
            }
        })
        .collect();
    let names: std::collections::HashMap<i64, String> =
        crate::org::entities::department::Entity::find()
            .all(&state.db)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
    let mut departments: Vec<i64> = measures.iter().map(|m| m.department_id).collect();
    departments.sort_unstable();
    departments.dedup();
    let by_department: Vec<Bar> = departments
        .iter()
        .map(|d| {
            let mine: Vec<&measure::Model> =
                measures.iter().filter(|m| m.department_id == *d).collect();
            Bar {
                label: names.get(d).cloned().unwrap_or_default(),
                done: mine.iter().filter(done).count(),
                total: mine.len(),
            }
        })
        .collect();
    let closed: Vec<&measure::Model> = measures
        .iter()
        .filter(|m| m.status == "closed" && m.due_kind == "date")
        .collect();
    let in_time = closed
        .iter()
        .filter(|m| matches!((&m.closed_on, &m.due_on), (Some(c), Some(d)) if c <= d))
        .count();
    let on_time = if closed.is_empty() {
        "尚无按期限销号的措施".to_owned()
    } else {
        format!(
            "按期销号率 {}%（{in_time}/{}）",
            (in_time * 100 + closed.len() / 2) / closed.len(),
            closed.len()
        )
    };
    if measures.is_empty() {
        return Ok((Vec::new(), on_time));
    }
    Ok((
        vec![
            completion("完成情况（按方面）", &by_section),
            completion("完成情况（按责任科室）", &by_department),
        ],
        on_time,
    ))
}
