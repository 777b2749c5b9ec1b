//! The shipped calendar against the published notices, date by date, and the yearly
//! working-day counts. Each off range covers the whole break the notice describes, including
//! the weekend days it joins ("与周末连休").

use calendar::{Calendar, DayKind, NaiveDate};

fn d(text: &str) -> NaiveDate {
    calendar::parse_date(text).unwrap()
}

struct Notice {
    year: i32,
    source: &'static str,
    /// (holiday, first day off, last day off)
    off: &'static [(&'static str, &'static str, &'static str)],
    /// (holiday, make-up working day)
    makeup: &'static [(&'static str, &'static str)],
}

/// Every date of the year (and every listed date of the previous December) has the kind the
/// notice gives it; all other dates are plain weekdays or weekends.
fn check(cal: &Calendar, notice: &Notice) {
    let arrangement = cal.arrangement(notice.year).unwrap();
    assert_eq!(arrangement.source(), notice.source);
    let mut expected = std::collections::HashMap::new();
    for (name, first, last) in notice.off {
        for day in d(first).iter_days().take_while(|x| *x <= d(last)) {
            expected.insert(day, DayKind::Holiday { name });
        }
    }
    for (holiday, day) in notice.makeup {
        expected.insert(d(day), DayKind::MakeupWorkday { holiday });
    }
    let year_days = NaiveDate::from_ymd_opt(notice.year, 1, 1)
        .unwrap()
        .iter_days();
    let days: Vec<NaiveDate> = year_days
        .take_while(|x| x.format("%Y").to_string() == notice.year.to_string())
        .chain(expected.keys().copied())
        .collect();
    for day in days {
        let want = expected.get(&day).copied().unwrap_or_else(|| {
            let weekend = matches!(day.format("%u").to_string().as_str(), "6" | "7");
            if weekend {
                DayKind::Weekend
            } else {
                DayKind::Workday
            }
        });
        assert_eq!(
            cal.day_kind(day),
            Ok(want),
            "{day} in the {} notice",
            notice.year
        );
    }
}

#[test]
fn notice_2019_with_the_labour_day_amendment() {
    // http://www.gov.cn/zhengce/content/2018-12/06/content_5346276.htm (国办发明电〔2018〕15号)
    // 劳动节 as amended by http://www.gov.cn/zhengce/content/2019-03/22/content_5375877.htm
    check(
        &Calendar::builtin(),
        &Notice {
            year: 2019,
            source: "http://www.gov.cn/zhengce/content/2018-12/06/content_5346276.htm",
            off: &[
                ("元旦", "2018-12-30", "2019-01-01"),
                ("春节", "2019-02-04", "2019-02-10"),
                ("清明节", "2019-04-05", "2019-04-07"),
                ("劳动节", "2019-05-01", "2019-05-04"),
                ("端午节", "2019-06-07", "2019-06-09"),
                ("中秋节", "2019-09-13", "2019-09-15"),
                ("国庆节", "2019-10-01", "2019-10-07"),
            ],
            makeup: &[
                ("元旦", "2018-12-29"),
                ("春节", "2019-02-02"),
                ("春节", "2019-02-03"),
                ("劳动节", "2019-04-28"),
                ("劳动节", "2019-05-05"),
                ("国庆节", "2019-09-29"),
                ("国庆节", "2019-10-12"),
            ],
        },
    );
}

#[test]
fn notice_2020_with_the_spring_festival_extension() {
    // http://www.gov.cn/zhengce/content/2019-11/21/content_5454164.htm (国办发明电〔2019〕16号)
    // 春节 extended to 2020-02-02 by http://www.gov.cn/zhengce/content/2020-01/27/content_5472352.htm
    // (国办发明电〔2020〕1号), which cancelled the 2020-02-01 make-up day.
    check(
        &Calendar::builtin(),
        &Notice {
            year: 2020,
            source: "http://www.gov.cn/zhengce/content/2019-11/21/content_5454164.htm",
            off: &[
                ("元旦", "2020-01-01", "2020-01-01"),
                ("春节", "2020-01-24", "2020-02-02"),
                ("清明节", "2020-04-04", "2020-04-06"),
                ("劳动节", "2020-05-01", "2020-05-05"),
                ("端午节", "2020-06-25", "2020-06-27"),
                ("国庆节、中秋节", "2020-10-01", "2020-10-08"),
            ],
            makeup: &[
                ("春节", "2020-01-19"),
                ("劳动节", "2020-04-26"),
                ("劳动节", "2020-05-09"),
                ("端午节", "2020-06-28"),
                ("国庆节、中秋节", "2020-09-27"),
                ("国庆节、中秋节", "2020-10-10"),
            ],
        },
    );
}

#[test]
fn notice_2024() {
    // https://www.gov.cn/zhengce/content/202310/content_6911527.htm (国办发明电〔2023〕7号)
    check(
        &Calendar::builtin(),
        &Notice {
            year: 2024,
            source: "https://www.gov.cn/zhengce/content/202310/content_6911527.htm",
            off: &[
                ("元旦", "2023-12-30", "2024-01-01"),
                ("春节", "2024-02-10", "2024-02-17"),
                ("清明节", "2024-04-04", "2024-04-06"),
                ("劳动节", "2024-05-01", "2024-05-05"),
                ("端午节", "2024-06-08", "2024-06-10"),
                ("中秋节", "2024-09-15", "2024-09-17"),
                ("国庆节", "2024-10-01", "2024-10-07"),
            ],
            makeup: &[
                ("春节", "2024-02-04"),
                ("春节", "2024-02-18"),
                ("清明节", "2024-04-07"),
                ("劳动节", "2024-04-28"),
                ("劳动节", "2024-05-11"),
                ("中秋节", "2024-09-14"),
                ("国庆节", "2024-09-29"),
                ("国庆节", "2024-10-12"),
            ],
        },
    );
}

#[test]
fn notice_2025() {
    // https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm (国办发明电〔2024〕12号)
    check(
        &Calendar::builtin(),
        &Notice {
            year: 2025,
            source: "https://www.gov.cn/zhengce/zhengceku/202411/content_6986383.htm",
            off: &[
                ("元旦", "2025-01-01", "2025-01-01"),
                ("春节", "2025-01-28", "2025-02-04"),
                ("清明节", "2025-04-04", "2025-04-06"),
                ("劳动节", "2025-05-01", "2025-05-05"),
                ("端午节", "2025-05-31", "2025-06-02"),
                ("国庆节、中秋节", "2025-10-01", "2025-10-08"),
            ],
            makeup: &[
                ("春节", "2025-01-26"),
                ("春节", "2025-02-08"),
                ("劳动节", "2025-04-27"),
                ("国庆节、中秋节", "2025-09-28"),
                ("国庆节、中秋节", "2025-10-11"),
            ],
        },
    );
}

#[test]
fn notice_2026() {
    // https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm
    check(
        &Calendar::builtin(),
        &Notice {
            year: 2026,
            source: "https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm",
            off: &[
                ("元旦", "2026-01-01", "2026-01-03"),
                ("春节", "2026-02-15", "2026-02-23"),
                ("清明节", "2026-04-04", "2026-04-06"),
                ("劳动节", "2026-05-01", "2026-05-05"),
                ("端午节", "2026-06-19", "2026-06-21"),
                ("中秋节", "2026-09-25", "2026-09-27"),
                ("国庆节", "2026-10-01", "2026-10-07"),
            ],
            makeup: &[
                ("元旦", "2026-01-04"),
                ("春节", "2026-02-14"),
                ("春节", "2026-02-28"),
                ("劳动节", "2026-05-09"),
                ("国庆节", "2026-09-20"),
                ("国庆节", "2026-10-10"),
            ],
        },
    );
}

#[test]
fn notice_2015_with_the_victory_day_holiday() {
    // http://www.gov.cn/zhengce/content/2014-12/16/content_9302.htm and, for 9月3日至5日,
    // http://www.gov.cn/zhengce/content/2015-05/13/content_9742.htm (国发明电〔2015〕1号)
    check(
        &Calendar::builtin(),
        &Notice {
            year: 2015,
            source: "http://www.gov.cn/zhengce/content/2014-12/16/content_9302.htm",
            off: &[
                ("元旦", "2015-01-01", "2015-01-03"),
                ("春节", "2015-02-18", "2015-02-24"),
                ("清明节", "2015-04-04", "2015-04-06"),
                ("劳动节", "2015-05-01", "2015-05-03"),
                ("端午节", "2015-06-20", "2015-06-22"),
                (
                    "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
                    "2015-09-03",
                    "2015-09-05",
                ),
                ("中秋节", "2015-09-27", "2015-09-27"),
                ("国庆节", "2015-10-01", "2015-10-07"),
            ],
            makeup: &[
                ("元旦", "2015-01-04"),
                ("春节", "2015-02-15"),
                ("春节", "2015-02-28"),
                (
                    "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
                    "2015-09-06",
                ),
                ("国庆节", "2015-10-10"),
            ],
        },
    );
}

#[test]
fn notice_2007_with_golden_weeks() {
    // http://www.gov.cn/zhengce/content/2008-03/28/content_1761.htm (国办发明电〔2006〕49号):
    // the New Year days off move the weekend of 2006-12-30/31, which are worked.
    check(
        &Calendar::builtin(),
        &Notice {
            year: 2007,
            source: "http://www.gov.cn/zhengce/content/2008-03/28/content_1761.htm",
            off: &[
                ("元旦", "2007-01-01", "2007-01-03"),
                ("春节", "2007-02-18", "2007-02-24"),
                ("劳动节", "2007-05-01", "2007-05-07"),
                ("国庆节", "2007-10-01", "2007-10-07"),
                // Set by the 2008 notice, as the make-up day below.
                ("元旦", "2007-12-30", "2007-12-31"),
            ],
            makeup: &[
                ("元旦", "2006-12-30"),
                ("元旦", "2006-12-31"),
                ("春节", "2007-02-17"),
                ("春节", "2007-02-25"),
                ("劳动节", "2007-04-28"),
                ("劳动节", "2007-04-29"),
                ("国庆节", "2007-09-29"),
                ("国庆节", "2007-09-30"),
                ("元旦", "2007-12-29"),
            ],
        },
    );
}

#[test]
fn notice_2017() {
    // http://www.gov.cn/zhengce/content/2016-12/01/content_5141603.htm (国办发明电〔2016〕17号):
    // "元旦：1月1日放假，1月2日（星期一）补休", so 2016-12-31 joins the break.
    check(
        &Calendar::builtin(),
        &Notice {
            year: 2017,
            source: "http://www.gov.cn/zhengce/content/2016-12/01/content_5141603.htm",
            off: &[
                ("元旦", "2016-12-31", "2017-01-02"),
                ("春节", "2017-01-27", "2017-02-02"),
                ("清明节", "2017-04-02", "2017-04-04"),
                ("劳动节", "2017-04-29", "2017-05-01"),
                ("端午节", "2017-05-28", "2017-05-30"),
                ("中秋节、国庆节", "2017-10-01", "2017-10-08"),
                // The 2018 notice: "元旦：1月1日放假，与周末连休".
                ("元旦", "2017-12-30", "2017-12-31"),
            ],
            makeup: &[
                ("春节", "2017-01-22"),
                ("春节", "2017-02-04"),
                ("清明节", "2017-04-01"),
                ("端午节", "2017-05-27"),
                ("中秋节、国庆节", "2017-09-30"),
            ],
        },
    );
}

#[test]
fn golden_weeks_before_2008_and_the_new_holidays_from_2008() {
    let cal = Calendar::builtin();
    // 2004: seven days for 劳动节, no 清明节 yet.
    for day in ["2004-05-01", "2004-05-04", "2004-05-07"] {
        assert_eq!(cal.holiday_name(d(day)), Ok(Some("劳动节")), "{day}");
    }
    assert_eq!(cal.is_makeup_workday(d("2004-05-08")), Ok(true));
    assert_eq!(cal.is_workday(d("2007-04-05")), Ok(true));
    // 2008: 清明、端午、中秋 become holidays; the 2008 notice also set the end of 2007.
    assert_eq!(cal.holiday_name(d("2008-04-04")), Ok(Some("清明节")));
    assert_eq!(cal.holiday_name(d("2008-06-09")), Ok(Some("端午节")));
    assert_eq!(cal.holiday_name(d("2008-09-15")), Ok(Some("中秋节")));
    assert_eq!(cal.holiday_name(d("2007-12-31")), Ok(Some("元旦")));
    assert_eq!(cal.is_makeup_workday(d("2007-12-29")), Ok(true));
}

#[test]
fn working_days_per_year() {
    let cal = Calendar::builtin();
    let expected = [
        (2020, 249),
        (2021, 250),
        (2022, 249),
        (2023, 249),
        (2024, 251),
        (2025, 248),
        (2026, 248),
    ];
    for (year, count) in expected {
        assert_eq!(cal.workdays_in_year(year), Ok(count), "{year}");
    }
}
