//! 日历管理: an administrator enters next year's arrangement, previews it, saves it (audited), and
//! the platform computes with it; mistakes are named and nothing is saved.

use axum::http::StatusCode;

use crate::common::{PASSWORD, demo_app};

fn year_2027(makeup_spring: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("year", "2027"),
        ("title", "国务院办公厅关于2027年部分节假日安排的通知"),
        ("source", "https://www.gov.cn/zhengce/content/2027.htm"),
        ("name_0", "元旦"),
        ("off_0", "2027-01-01/2027-01-03"),
        ("name_1", "春节"),
        ("off_1", "2027-02-05至2027-02-12"),
        ("makeup_1", makeup_spring),
    ]
}

#[tokio::test]
async fn a_new_year_is_previewed_saved_and_used() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let list = app.get(&admin, "/system/calendar").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("2026") && list.body.contains("2004") && list.body.contains("系统内置"),
        "{}",
        list.body
    );

    let mut form = year_2027("2027-02-14，2027-02-20");
    form.push(("action", "preview"));
    let before = app.audit_count().await;
    let preview = app.post_form(&admin, "/system/calendar/save", &form).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("预览：2027年") && preview.body.contains("尚未保存"));
    assert!(
        preview.body.contains("class=\"holiday\" title=\"春节\""),
        "the grid marks the holiday"
    );
    assert!(
        preview.body.contains("class=\"makeup\""),
        "and the make-up days"
    );
    assert_eq!(app.audit_count().await, before, "a preview writes nothing");

    form.pop();
    form.push(("action", "save"));
    let saved = app.post_form(&admin, "/system/calendar/save", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), "/system/calendar/2027?msg=saved");
    let events = app.events_after(app.last_seq().await - 1).await;
    assert_eq!(
        (
            events[0].0.as_str(),
            events[0].1.as_str(),
            events[0].2.as_str()
        ),
        ("calendar.year.save", "calendar_year", "2027")
    );
    let cal = app::calendar::effective(&app.db).await.unwrap();
    let d = |m, day| calendar::NaiveDate::from_ymd_opt(2027, m, day).unwrap();
    assert!(
        !cal.is_workday(d(2, 8)).unwrap(),
        "a Monday in the spring festival is off"
    );
    assert!(
        cal.is_workday(d(2, 14)).unwrap(),
        "a Sunday worked for it is a workday"
    );
    let page = app.get(&admin, "/system/calendar").await;
    assert!(page.body.contains("管理员录入"));
    // Correcting it replaces it, audited again with what changed.
    let mut form = year_2027("2027-02-14");
    form.push(("action", "save"));
    assert_eq!(
        app.post_form(&admin, "/system/calendar/save", &form)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let history = app.get(&admin, "/audit/objects/calendar_year/2027").await;
    assert!(
        history.body.contains("2027-02-20"),
        "the history shows the removed make-up day: {}",
        history.body
    );
}

#[tokio::test]
async fn mistakes_are_named_and_nothing_is_saved() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let before = app.audit_count().await;
    let mut form = year_2027("2027-02-31");
    form.push(("action", "save"));
    let r = app.post_form(&admin, "/system/calendar/save", &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("2027-02-31"), "{}", r.body);
    // A make-up day that is not a weekend breaks the rules of a year file.
    let mut form = year_2027("2027-02-15");
    form.push(("action", "save"));
    let r = app.post_form(&admin, "/system/calendar/save", &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("未保存"), "{}", r.body);
    // A year that claims a day of 2026's notice conflicts with it.
    let form = vec![
        ("year", "2025"),
        ("source", "https://www.gov.cn/x.htm"),
        ("name_0", "元旦"),
        ("off_0", "2026-01-01"),
        ("action", "save"),
    ];
    let r = app.post_form(&admin, "/system/calendar/save", &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.audit_count().await, before);
    assert_eq!(app.count("calendar_year").await, 0);
}

#[tokio::test]
async fn who_may_see_and_change_the_calendar() {
    let app = demo_app().await;
    let inspector = app.login("inspector", PASSWORD).await;
    assert_eq!(
        app.get(&inspector, "/system/calendar").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&inspector, "/system/calendar/2026").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&inspector, "/system/calendar/new").await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post_form(
            &inspector,
            "/system/calendar/save",
            &[("year", "2027"), ("action", "save")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let clerk = app.login("clerk", PASSWORD).await;
    assert_eq!(
        app.get(&clerk, "/system/calendar").await.status,
        StatusCode::NOT_FOUND
    );
    let admin = app.login("admin", PASSWORD).await;
    assert_eq!(
        app.get(&admin, "/system/calendar/1999").await.status,
        StatusCode::NOT_FOUND,
        "a year not loaded"
    );
    assert_eq!(
        app.get(&admin, "/system/calendar/abc").await.status,
        StatusCode::NOT_FOUND
    );
}
