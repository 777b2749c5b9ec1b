//! The three published bulletins among the seeds, parsed with the structure they really have,
//! in Simplified and Traditional characters, and written back.

mod common;

use bulletin::{Level, Privacy, Status, parse, render_text};
use chrono::NaiveDate;
use common::{SEED_001, SEED_002, SEED_003, SEEDS};
use ferrous_opencc::{OpenCC, config::BuiltinConfig};

fn messages(parsed: &bulletin::Parsed) -> Vec<String> {
    parsed.warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn seed_001_has_four_sections_24_main_and_47_specific_problems() {
    let parsed = parse(SEED_001).unwrap();
    assert_eq!(
        parsed.summary().to_string(),
        "sections=4 main=24 specific=47 measures=175 completed=45 in_progress=2"
    );
    let b = &parsed.bulletin;
    assert_eq!(b.inspection.team, "市委第五巡察组");
    assert_eq!(b.inspection.round, "常规");
    assert_eq!(b.inspection.start, NaiveDate::from_ymd_opt(2022, 3, 21));
    assert_eq!(b.inspection.end, NaiveDate::from_ymd_opt(2022, 6, 15));
    assert_eq!(
        b.inspection.feedback_date,
        NaiveDate::from_ymd_opt(2022, 8, 4)
    );
    assert_eq!(b.published, NaiveDate::from_ymd_opt(2023, 5, 15));
    assert_eq!(b.issuer.as_deref(), Some("中共大连市科学技术局党组"));
    assert_eq!(b.contact.phone.as_deref(), Some("39989809"));
    assert_eq!(b.contact.email.as_deref(), Some("dlskjjbgs@163.com"));
    let per_section: Vec<usize> = b.sections.iter().map(|s| s.problems.len()).collect();
    assert_eq!(per_section, [9, 7, 7, 1]);

    let first = &b.sections[0].problems[0];
    assert_eq!(first.level, Level::Main);
    assert_eq!(
        first.category.as_deref(),
        Some("学习贯彻习近平总书记科技创新思想和重要指示批示精神不深入")
    );
    assert_eq!(first.title, "学习领会和统筹谋划创新驱动发展不深、不实的");
    assert_eq!(first.children.len(), 2);
    let specific = &first.children[0];
    assert_eq!(specific.level, Level::Specific);
    assert!(specific.title.starts_with("2020年至今,局党组学习贯彻"));
    assert_eq!(specific.measures.len(), 6);
    assert!(
        specific.measures[0]
            .text
            .starts_with("召开党组理论学习中心组(扩大)学习会")
    );
    assert_eq!(specific.progress.len(), 6);
    assert_eq!(specific.status, Some(Status::Completed));

    // The main problem of section 二 rectified directly, with ⑩ followed by a bare "11".
    let direct = &b.sections[1].problems[3];
    assert_eq!(direct.title, "党组落实监督责任和监督制度不实");
    assert!(direct.children.is_empty());
    assert_eq!(direct.measures.len(), 5);
    assert_eq!(direct.progress.len(), 11);
    assert!(direct.progress[10].starts_with("已完善《党组议事规则》"));

    // The two items still in progress.
    let in_progress: Vec<&str> = b
        .sections
        .iter()
        .flat_map(|s| &s.problems)
        .flat_map(|p| std::iter::once(p).chain(&p.children))
        .filter(|p| p.status == Some(Status::InProgress))
        .map(|p| p.title.as_str())
        .collect();
    assert_eq!(in_progress.len(), 2);
    assert!(in_progress[0].contains("独角兽企业为零"), "{in_progress:?}");
    assert_eq!(in_progress[1], "群众反映强烈问题解决的不彻底");
}

#[test]
fn seed_001_states_figures_its_text_does_not_bear_out_and_says_so() {
    let parsed = parse(SEED_001).unwrap();
    let figures = &parsed.bulletin.stated_figures;
    assert_eq!(figures.main_problems, Some(24));
    assert_eq!(figures.specific_problems, Some(49));
    assert_eq!(figures.measures, Some(177));
    assert_eq!(figures.completed, Some(47));
    assert_eq!(figures.in_progress, Some(2));
    assert_eq!(figures.rules_made, Some(45));
    assert_eq!(
        messages(&parsed),
        [
            "通报称49个具体问题，解析得到47个",
            "通报称177条整改措施，解析得到175条",
            "通报称已经完成整改47个，解析得到45个标明“已完成”的问题",
        ]
    );
}

#[test]
fn seed_002_lists_19_main_problems_without_section_headings() {
    let parsed = parse(SEED_002).unwrap();
    assert_eq!(
        parsed.summary().to_string(),
        "sections=0 main=19 specific=0 measures=61 completed=0 in_progress=0"
    );
    let b = &parsed.bulletin;
    assert_eq!(b.title, None);
    assert_eq!(b.inspection.team, "县委第一巡察组");
    assert_eq!(b.inspection.subject, "县科技局党组");
    assert_eq!(
        b.inspection.feedback_date,
        NaiveDate::from_ymd_opt(2021, 2, 1)
    );
    assert_eq!(b.organisation_heading, "整改工作组织情况");
    assert_eq!(
        b.further_plans_heading.as_deref(),
        Some("下步打算和努力方向")
    );
    assert_eq!(b.further_plans.len(), 4);
    assert_eq!(b.contact.phone.as_deref(), Some("86882428"));
    assert_eq!(b.contact.email.as_deref(), Some("jinhukeji@vip.163.com"));
    assert_eq!(b.published, NaiveDate::from_ymd_opt(2021, 5, 18));

    let problems = &b.sections[0].problems;
    assert_eq!(b.sections[0].title, None);
    assert_eq!(problems[0].title, "政治理论学习缺乏系统性、实效性");
    let measures: Vec<&str> = problems[0]
        .measures
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(measures.len(), 4);
    assert!(measures[0].starts_with("完善中心组理论学习制度"));
    assert!(measures[3].starts_with("贯彻落实全县经济发展大会精神"));
    assert_eq!(problems[18].title, "干部队伍建设欠缺");
    // "3个方面" is stated, but the text names none of them: the user is told.
    assert_eq!(b.stated_figures.sections, Some(3));
    assert_eq!(messages(&parsed), ["通报称3个方面，解析得到0个"]);
}

#[test]
fn seed_003_has_six_sections_and_17_numbered_items() {
    let parsed = parse(SEED_003).unwrap();
    assert_eq!(
        parsed.summary().to_string(),
        "sections=6 main=17 specific=0 measures=47 completed=0 in_progress=0"
    );
    let b = &parsed.bulletin;
    assert_eq!(
        b.title.as_deref(),
        Some("中共东莞市科学技术局党组关于巡察整改进展情况的通报")
    );
    assert_eq!(b.inspection.subject, "中共东莞市科学技术局党组");
    assert_eq!(b.inspection.start, NaiveDate::from_ymd_opt(2023, 10, 10));
    assert_eq!(
        b.inspection.feedback_date,
        NaiveDate::from_ymd_opt(2024, 1, 9)
    );
    let per_section: Vec<usize> = b.sections.iter().map(|s| s.problems.len()).collect();
    assert_eq!(per_section, [2, 4, 4, 2, 3, 2]);
    assert_eq!(
        b.sections[0].title.as_deref(),
        Some("关于政治建设、意识形态、统战工作方面")
    );
    let last = &b.sections[5].problems[1];
    assert_eq!(last.title, "认真落实审计发现问题整改");
    assert_eq!(last.measures.len(), 1);
    assert!(last.measures[0].text.starts_with("提升预算执行率。"));
    assert_eq!(b.contact.phone.as_deref(), Some("0769-22831368"));
    assert_eq!(b.contact.postcode.as_deref(), Some("523000"));
    // The web page's footer (another phone number, links) is not part of the bulletin.
    assert!(!format!("{b:?}").contains("13544847908"));
    assert!(messages(&parsed).is_empty(), "{:?}", messages(&parsed));
}

#[test]
fn traditional_character_versions_parse_to_the_same_tree() {
    let s2t = OpenCC::from_config(BuiltinConfig::S2t).unwrap();
    for (name, seed) in SEEDS {
        let traditional = s2t.convert(seed);
        assert_ne!(traditional, seed, "{name}: conversion changed nothing");
        let simplified = parse(seed).unwrap();
        let from_traditional = parse(&traditional).unwrap();
        assert_eq!(from_traditional.summary(), simplified.summary(), "{name}");
        assert_eq!(from_traditional.bulletin, simplified.bulletin, "{name}");
        assert_eq!(from_traditional.warnings, simplified.warnings, "{name}");
    }
}

#[test]
fn full_width_punctuation_as_word_writes_it_parses_to_the_same_tree() {
    for (name, seed) in SEEDS {
        let full_width: String = seed
            .chars()
            .map(|c| match c {
                ',' => '，',
                ':' => '：',
                ';' => '；',
                '(' => '（',
                ')' => '）',
                '1' => '１',
                _ => c,
            })
            .collect();
        let expected = parse(seed).unwrap();
        let parsed = parse(&full_width).unwrap();
        assert_eq!(parsed.bulletin, expected.bulletin, "{name}");
        assert_eq!(parsed.warnings, expected.warnings, "{name}");
    }
}

#[test]
fn every_seed_reads_back_from_its_rendered_text() {
    for (name, seed) in SEEDS {
        let bulletin = parse(seed).unwrap().bulletin;
        let text = render_text(&bulletin, Privacy::Internal);
        let again = parse(&text).unwrap();
        assert_eq!(again.bulletin, bulletin, "{name}");
        assert_eq!(again.summary(), bulletin::Summary::of(&bulletin), "{name}");
    }
}

#[test]
fn the_rendered_text_is_laid_out_like_seed_001() {
    let bulletin = parse(SEED_002).unwrap().bulletin;
    let text = render_text(&bulletin, Privacy::Public);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"一、整改工作组织情况"));
    assert!(lines.contains(&"一是关于“政治理论学习缺乏系统性、实效性”的问题。"));
    assert!(lines.contains(&"整改措施:"));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("①完善中心组理论学习制度"))
    );
    assert_eq!(lines.last(), Some(&"2021年5月18日"));
}
