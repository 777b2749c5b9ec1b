//! 日历管理 pages: the years in force, a year as month grids, and the year form with its preview.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use calendar::{Calendar, DayKind};
use serde::Deserialize;

use super::form::YearForm;
use crate::auth::viewer::Viewer;
use crate::web::AppState;
use crate::web::error::AppError;
use crate::web::form::FieldErrors;
use crate::web::form_multi::Form;
use crate::web::shell::Shell;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/system/calendar", get(list))
        .route("/system/calendar/new", get(new))
        .route("/system/calendar/save", post(save))
        .route("/system/calendar/{year}", get(year))
        .route("/system/calendar/{year}/edit", get(edit))
}

pub struct YearRow {
    pub year: i32,
    pub title: String,
    pub source: String,
    pub workdays: u32,
    pub stored: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar/templates/list.html")]
struct ListPage {
    shell: Shell,
    rows: Vec<YearRow>,
    alert: Option<String>,
    next_year: i32,
    can_edit: bool,
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    msg: Option<String>,
    year: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<MsgQuery>,
) -> Result<ListPage, AppError> {
    viewer.require("system:calendar:list")?;
    let cal = super::effective(&state.db).await?;
    let stored = super::stored_years(&state.db).await?;
    let mut rows: Vec<YearRow> = cal
        .years()
        .into_iter()
        .filter_map(|y| {
            let a = cal.arrangement(y)?;
            Some(YearRow {
                year: y,
                title: a.title().unwrap_or_default().to_owned(),
                source: a.source().to_owned(),
                workdays: cal.workdays_in_year(y).unwrap_or(0),
                stored: stored.contains(&y),
            })
        })
        .collect();
    rows.reverse();
    let today = super::today();
    Ok(ListPage {
        shell: Shell::new(&viewer, "/system/calendar", "日历管理").with_flash(q.msg.as_deref()),
        next_year: cal
            .years()
            .last()
            .map_or_else(|| chrono::Datelike::year(&today), |y| y + 1),
        alert: super::missing_year_alert(&cal, today),
        rows,
        can_edit: viewer.can("system:calendar:edit"),
    })
}

/// One cell of a month grid.
pub struct Cell {
    pub day: u32,
    pub class: &'static str,
    pub label: String,
}

pub struct MonthView {
    pub month: u32,
    pub weeks: Vec<Vec<Cell>>,
}

fn months(cal: &Calendar, year: i32) -> Vec<MonthView> {
    use chrono::Datelike;
    (1..=12)
        .filter_map(|m| cal.month_grid(year, m).ok().map(|g| (m, g)))
        .map(|(month, g)| MonthView {
            month,
            weeks: g
                .weeks
                .iter()
                .map(|w| {
                    w.iter()
                        .map(|c| match c {
                            None => Cell {
                                day: 0,
                                class: "",
                                label: String::new(),
                            },
                            Some(d) => {
                                let (class, label) = match d.kind {
                                    DayKind::Workday => ("work", String::new()),
                                    DayKind::Weekend => ("weekend", String::new()),
                                    DayKind::Holiday { name } => ("holiday", name.to_owned()),
                                    DayKind::MakeupWorkday { .. } => ("makeup", "班".to_owned()),
                                };
                                Cell {
                                    day: d.date.day(),
                                    class,
                                    label,
                                }
                            }
                        })
                        .collect()
                })
                .collect(),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar/templates/year.html")]
struct YearPage {
    shell: Shell,
    year: i32,
    title: String,
    source: String,
    workdays: u32,
    months: Vec<MonthView>,
    can_edit: bool,
}

fn parse_year(raw: &str) -> Result<i32, AppError> {
    raw.parse::<i32>()
        .ok()
        .filter(|y| (1900..=2200).contains(y))
        .ok_or(AppError::NotFound)
}

async fn year(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
    Query(q): Query<MsgQuery>,
) -> Result<YearPage, AppError> {
    viewer.require("system:calendar:list")?;
    let y = parse_year(&raw)?;
    let cal = super::effective(&state.db).await?;
    let a = cal.arrangement(y).ok_or(AppError::NotFound)?;
    Ok(YearPage {
        shell: Shell::new(&viewer, "/system/calendar", &format!("{y}年工作日历"))
            .with_flash(q.msg.as_deref()),
        year: y,
        title: a.title().unwrap_or_default().to_owned(),
        source: a.source().to_owned(),
        workdays: cal.workdays_in_year(y).unwrap_or(0),
        months: months(&cal, y),
        can_edit: viewer.can("system:calendar:edit"),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar/templates/form.html")]
struct FormPage {
    shell: Shell,
    form: YearForm,
    errors: FieldErrors,
    problems: Vec<String>,
    preview: Vec<MonthView>,
    workdays: u32,
}

impl FormPage {
    fn new(viewer: &Viewer, form: YearForm) -> FormPage {
        FormPage {
            shell: Shell::new(viewer, "/system/calendar", "录入放假安排"),
            form,
            errors: FieldErrors::default(),
            problems: Vec::new(),
            preview: Vec::new(),
            workdays: 0,
        }
    }
    fn field(&self, key: &str, i: &usize) -> String {
        format!("{key}_{i}")
    }
}

async fn new(viewer: Viewer, Query(q): Query<MsgQuery>) -> Result<FormPage, AppError> {
    viewer.require("system:calendar:edit")?;
    let year = q
        .year
        .as_deref()
        .and_then(|y| y.parse().ok())
        .unwrap_or_else(|| {
            use chrono::Datelike;
            super::today().year() + 1
        });
    Ok(FormPage::new(&viewer, YearForm::blank(year)))
}

async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<FormPage, AppError> {
    viewer.require("system:calendar:edit")?;
    let y = parse_year(&raw)?;
    let cal = super::effective(&state.db).await?;
    let a = cal.arrangement(y).ok_or(AppError::NotFound)?;
    Ok(FormPage::new(&viewer, YearForm::of(a)))
}

/// 预览 shows the year as it would be; 保存 stores it — both only when every rule holds.
async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    viewer.require("system:calendar:edit")?;
    let form = YearForm::from_fields(&fields);
    let mut page = FormPage::new(&viewer, form.clone());
    let checked = match form.draft() {
        Err(errors) => {
            page.errors = errors;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Ok(draft) => draft.check(),
    };
    let year = match checked {
        Ok(year) => year,
        Err(errors) => {
            page.problems = errors.0.iter().map(|e| e.to_string()).collect();
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let cal = match super::with_year(&state.db, year.clone()).await? {
        Ok(cal) => cal,
        Err(problem) => {
            page.problems = vec![problem];
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if fields.get("action").map(String::as_str) == Some("save") {
        return Ok(match super::save(&state.db, viewer.actor(), &year).await? {
            Ok(()) => {
                Redirect::to(&format!("/system/calendar/{}?msg=saved", year.year())).into_response()
            }
            Err(problem) => {
                page.problems = vec![problem];
                (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
            }
        });
    }
    page.workdays = cal.workdays_in_year(year.year()).unwrap_or(0);
    page.preview = months(&cal, year.year());
    Ok(page.into_response())
}
