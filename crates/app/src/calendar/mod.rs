//! 日历管理: the working-day calendar the platform computes deadlines with. The years shipped in the
//! binary (`crates/calendar/data/`) are completed or corrected by years an administrator enters or
//! imports; those are stored, audited, and win over the shipped ones.

pub mod entity;
pub mod form;
mod pages;

pub use pages::routes;

use calendar::{Calendar, YearArrangement};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel, QueryOrder};

use crate::db::audited::{Actor, AuditedTx};
use crate::web::error::AppError;

/// The calendar in force: shipped years, then the stored ones.
pub async fn effective(db: &impl ConnectionTrait) -> Result<Calendar, AppError> {
    let mut cal = Calendar::builtin();
    for row in entity::Entity::find()
        .order_by_asc(entity::Column::Year)
        .all(db)
        .await?
    {
        let year = YearArrangement::parse(&row.arrangement).map_err(|e| {
            AppError::internal(anyhow::anyhow!(
                "已保存的{}年放假安排无法读取：{e}",
                row.year
            ))
        })?;
        cal.add_year(year).map_err(|e| {
            AppError::internal(anyhow::anyhow!(
                "已保存的{}年放假安排与其他年份冲突：{e}",
                row.year
            ))
        })?;
    }
    Ok(cal)
}

/// Whether the year came with the binary (and is not overridden).
pub async fn stored_years(db: &impl ConnectionTrait) -> Result<Vec<i32>, AppError> {
    Ok(entity::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.year)
        .collect())
}

/// Checks a year against the calendar in force (a year may not list a day that a neighbouring year
/// lists) and returns the calendar with it, for a preview.
pub async fn with_year(
    db: &impl ConnectionTrait,
    year: YearArrangement,
) -> Result<Result<Calendar, String>, AppError> {
    let cal = effective(db).await?;
    Ok(cal.with_year(year).map_err(|e| e.to_string()))
}

/// Stores a checked year (new or replacing), audited as `calendar.year.save`.
pub async fn save(
    db: &sea_orm::DatabaseConnection,
    actor: Actor,
    year: &YearArrangement,
) -> Result<Result<(), String>, AppError> {
    if let Err(e) = with_year(db, year.clone()).await? {
        return Ok(Err(e));
    }
    let now = crate::db::now_ms();
    let text = year.to_toml();
    let existing = entity::Entity::find_by_id(year.year()).one(db).await?;
    let mut tx = AuditedTx::begin(db, actor, "calendar.year.save").await?;
    match existing {
        Some(before) => {
            let mut am = before.clone().into_active_model();
            am.arrangement = Set(text);
            am.updated_at = Set(now);
            tx.update(&before, am).await?;
        }
        None => {
            tx.insert(entity::ActiveModel {
                year: Set(year.year()),
                arrangement: Set(text),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Ok(()))
}

/// The home-page warning for those who maintain the calendar: the year to load, if one is missing
/// (the current year, or from 1 December the next one).
pub fn missing_year_alert(cal: &Calendar, today: calendar::NaiveDate) -> Option<String> {
    cal.year_to_load(today).map(|year| {
        format!("尚未录入{year}年的放假安排：国务院办公厅每年11月或12月发布次年通知，请在日历管理中录入，否则{year}年的工作日无法计算")
    })
}

/// Today in Beijing, the date every deadline is counted from.
pub fn today() -> calendar::NaiveDate {
    let tz = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

/// The day in Beijing of an instant in epoch milliseconds.
pub fn day_of_ms(ms: i64) -> Option<calendar::NaiveDate> {
    let tz = chrono::FixedOffset::east_opt(8 * 3600)?;
    Some(
        chrono::DateTime::from_timestamp_millis(ms)?
            .with_timezone(&tz)
            .date_naive(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_falls_on_its_beijing_day() {
        // 2026-03-31 17:00 UTC is 1 April in Beijing.
        let ms = 1_774_976_400_000;
        assert_eq!(day_of_ms(ms), calendar::NaiveDate::from_ymd_opt(2026, 4, 1));
    }

    fn day(y: i32, m: u32, d: u32) -> calendar::NaiveDate {
        calendar::NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_next_year_is_asked_for_from_the_first_of_december() {
        let cal = Calendar::builtin();
        let last = *cal.years().last().unwrap();
        assert_eq!(missing_year_alert(&cal, day(last, 11, 30)), None);
        let alert = missing_year_alert(&cal, day(last, 12, 1)).unwrap();
        assert!(
            alert.starts_with(&format!("尚未录入{}年的放假安排", last + 1)),
            "{alert}"
        );
        assert!(
            missing_year_alert(&cal, day(last + 1, 3, 1))
                .unwrap()
                .contains(&format!("{}年", last + 1))
        );
    }
}
