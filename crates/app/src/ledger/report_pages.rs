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

#[derive(serde::Deserialize, Default)]
pub(super) struct SnapshotFormat {
    #[serde(default)]
    format: String,
}

/// A snapshot as Excel (or Word with `?format=docx`), exactly as it was taken.
pub(super) async fn snapshot_download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    axum::extract::Query(f): axum::extract::Query<SnapshotFormat>,
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
    if f.format == "docx" {
        let bytes = snapshot_docx(&snap, &rows).map_err(AppError::internal)?;
        return Ok((
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                        .to_owned(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    crate::web::attachment(&format!("{}.docx", snap.title)),
                ),
            ],
            bytes,
        )
            .into_response());
    }
    let bytes = super::excel::workbook(&snap.title, &rows).map_err(AppError::internal)?;
    Ok(crate::web::xlsx::download(
        &format!("{}.xlsx", snap.title),
        bytes,
    ))
}

/// The snapshot as a Word table in landscape, the way a 周调度表 is printed for the meeting: one row
/// per measure under its section and problem, with the figures on top.
fn snapshot_docx(
    snap: &super::entities::snapshot::Model,
    rows: &[super::excel::SectionRows],
) -> std::io::Result<Vec<u8>> {
    use crate::web::docx::{Body, paragraph, run, table};
    let mut body = Body::new(true);
    body.push(paragraph(Some("Title"), &run(&snap.title, false)));
    let mut lines = vec![
        [
            "序号",
            "方面/问题",
            "整改措施",
            "责任科室",
            "配合科室",
            "整改时限",
            "整改进展",
            "状态",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    let (mut total, mut done) = (0, 0);
    for s in rows {
        let mut problems: Vec<(String, &super::excel::ProblemRows)> = Vec::new();
        for p in &s.problems {
            problems.push((p.title.clone(), p));
            for c in &p.children {
                problems.push((format!("{} / {}", p.title, c.title), c));
            }
        }
        for (title, p) in problems {
            for m in &p.measures {
                total += 1;
                if m.status == "已完成" || m.status == "已销号" {
                    done += 1;
                }
                lines.push(vec![
                    total.to_string(),
                    format!("{}：{title}", s.title),
                    m.content.clone(),
                    m.department.clone(),
                    m.supporting.clone(),
                    m.due.clone(),
                    m.progress.clone(),
                    m.status.clone(),
                ]);
            }
        }
    }
    body.push(paragraph(
        None,
        &run(
            &format!(
                "截至{}，共{total}条整改措施，已完成（含已销号）{done}条。本表为当日冻结的快照，SHA-256 {}。",
                snap.taken_on, snap.content_sha256
            ),
            false,
        ),
    ));
    body.push(table(
        &[600, 2600, 3200, 1300, 1300, 1200, 3000, 1000],
        &lines,
    ));
    body.finish()
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
    let mut charts = vec![
        completion("完成情况（按方面）", &by_section),
        completion("完成情况（按责任科室）", &by_department),
    ];
    let dated = done_dates(state, measures).await?;
    if !dated.is_empty() {
        use super::trend;
        let days = trend::weekly_days(crate::calendar::today(), 12);
        let counts = trend::overdue_counts(&dated, &days);
        let points: Vec<(String, usize)> = days
            .iter()
            .zip(counts)
            .map(|(d, n)| (d.format("%m/%d").to_string(), n))
            .collect();
        charts.push(super::charts::trend(
            "逾期趋势（近12周，每周同日）",
            &points,
        ));
    }
    Ok((charts, on_time))
}

/// Each dated measure's deadline and the spans in which it stood completed or closed, from its
/// audit trail (its 销号 date alone where the trail has no status change, as for imported ledgers).
async fn done_dates(
    state: &AppState,
    measures: &[measure::Model],
) -> Result<Vec<super::trend::Dated>, AppError> {
    use crate::audit::entity as audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    type Spans = Vec<(calendar::NaiveDate, Option<calendar::NaiveDate>)>;
    let dated: Vec<&measure::Model> = measures
        .iter()
        .filter(|m| m.due_kind == "date" && m.due_on.is_some())
        .collect();
    let ids: Vec<String> = dated.iter().map(|m| m.id.to_string()).collect();
    let mut spans: std::collections::HashMap<String, Spans> = Default::default();
    for chunk in ids.chunks(500) {
        let events = audit_event::Entity::find()
            .filter(audit_event::Column::ObjectType.eq("measure"))
            .filter(audit_event::Column::ObjectId.is_in(chunk.to_vec()))
            .order_by_asc(audit_event::Column::Seq)
            .all(&state.db)
            .await?;
        for e in events {
            let status = crate::audit::event::Event::parse_changes(&e.changes)
                .ok()
                .and_then(|c| c.get("status").map(|[_, after]| after.clone()));
            let (Some(status), Some(day)) = (status, crate::calendar::day_of_ms(e.at)) else {
                continue;
            };
            let done = status == "completed" || status == "closed";
            let mine = spans.entry(e.object_id).or_default();
            let open = mine.last().is_some_and(|(_, until)| until.is_none());
            if done && !open {
                mine.push((day, None));
            } else if !done
                && open
                && let Some(last) = mine.last_mut()
            {
                last.1 = Some(day);
            }
        }
    }
    Ok(dated
        .into_iter()
        .filter_map(|m| {
            let due = m.due_on.as_deref()?.parse().ok()?;
            let done = match spans.remove(&m.id.to_string()) {
                Some(s) if !s.is_empty() => s,
                _ => m
                    .closed_on
                    .as_deref()
                    .and_then(|d| d.parse().ok())
                    .map(|d| vec![(d, None)])
                    .unwrap_or_default(),
            };
            Some(super::trend::Dated { due, done })
        })
        .collect())
}
