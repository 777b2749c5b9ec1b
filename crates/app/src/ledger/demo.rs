//! The demo round: a fictional 巡察 of the demo bureau whose measures stand in every state — on
//! time, due soon, overdue, awaiting 销号 review, returned, closed, due for 回头看, reopened after a
//! relapse, long-term — dated around today so that every alert shows.

use calendar::NaiveDate;
use chrono::Duration;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::entities::measure;
use super::rules::{CloseOut, Due, Outcome, Status};
use super::store::{self, Draft, DraftMeasure, DraftProblem, DraftSection, Upload};
use crate::db::audited::Actor;

/// What each demo measure goes through after it is created.
#[derive(Clone, Copy)]
enum Story {
    OnTime,
    DueSoon,
    Overdue,
    AwaitingReview,
    Returned,
    LookBackDue,
    LongTerm,
    Relapsed,
    Closed,
    NotStarted,
}

struct Item {
    section: usize,
    main: &'static str,
    specific: &'static str,
    measure: &'static str,
    office: &'static str,
    leader: &'static str,
    story: Story,
}

const SECTIONS: [&str; 3] = [
    "（一）学习贯彻党的创新理论和落实上级决策部署方面",
    "（二）落实全面从严治党“两个责任”方面",
    "（三）落实组织路线和干部队伍建设方面",
];

const ITEMS: &[Item] = &[
    Item {
        section: 0,
        main: "理论学习不够深入的问题",
        specific: "党组理论学习中心组学习形式较为单一",
        measure: "制定年度学习计划，每季度开展一次专题研讨",
        office: "BGS",
        leader: "局长",
        story: Story::OnTime,
    },
    Item {
        section: 0,
        main: "理论学习不够深入的问题",
        specific: "青年干部理论学习覆盖不全",
        measure: "建立青年干部读书班，实行学习登记",
        office: "RSC",
        leader: "分管副局长",
        story: Story::DueSoon,
    },
    Item {
        section: 0,
        main: "科技创新政策落实不到位的问题",
        specific: "企业研发费用加计扣除政策宣传不够",
        measure: "开展政策进园区、进企业宣讲不少于10场",
        office: "GXJS",
        leader: "分管副局长",
        story: Story::Overdue,
    },
    Item {
        section: 0,
        main: "科技创新政策落实不到位的问题",
        specific: "科技型中小企业评价服务不及时",
        measure: "压缩评价办理时限至5个工作日",
        office: "GXJS",
        leader: "分管副局长",
        story: Story::AwaitingReview,
    },
    Item {
        section: 1,
        main: "科研项目监管不严的问题",
        specific: "个别项目验收把关不严",
        measure: "修订项目验收管理办法，引入第三方财务审计",
        office: "NCKJ",
        leader: "分管副局长",
        story: Story::Returned,
    },
    Item {
        section: 1,
        main: "科研项目监管不严的问题",
        specific: "项目经费使用情况检查不够",
        measure: "对近三年结题项目经费使用情况开展全面检查",
        office: "CGZH",
        leader: "分管副局长",
        story: Story::LookBackDue,
    },
    Item {
        section: 1,
        main: "作风建设仍有差距的问题",
        specific: "督查检查考核事项偏多",
        measure: "精简督查检查考核事项，持续纠治形式主义",
        office: "BGS",
        leader: "局长",
        story: Story::LongTerm,
    },
    Item {
        section: 1,
        main: "作风建设仍有差距的问题",
        specific: "政务服务事项办理时限过长",
        measure: "推行科技政务服务“一网通办”",
        office: "SHFZ",
        leader: "分管副局长",
        story: Story::Relapsed,
    },
    Item {
        section: 2,
        main: "选人用人工作不够规范的问题",
        specific: "干部档案审核不够细致",
        measure: "开展干部人事档案专项审核",
        office: "RSC",
        leader: "局长",
        story: Story::Closed,
    },
    Item {
        section: 2,
        main: "选人用人工作不够规范的问题",
        specific: "干部交流轮岗机制执行不到位",
        measure: "制定中层干部交流轮岗实施办法",
        office: "RSC",
        leader: "局长",
        story: Story::NotStarted,
    },
];

/// Creates the demo round for the bureau; `office(code)` gives the id of one of its offices.
pub async fn generate(
    db: &DatabaseConnection,
    bureau: i64,
    office: impl Fn(&str) -> i64,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let cal = crate::calendar::effective(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let workdays = |n: i32| {
        cal.add_workdays(today, n)
            .unwrap_or(today + Duration::days(i64::from(n) * 7 / 5))
    };
    let mut sections: Vec<DraftSection> = SECTIONS
        .iter()
        .map(|t| DraftSection {
            title: (*t).into(),
            problems: Vec::new(),
        })
        .collect();
    for item in ITEMS {
        let due = match item.story {
            Story::DueSoon => Due::Date(workdays(2)),
            Story::Overdue => Due::Date(workdays(-5)),
            Story::LongTerm => Due::LongTerm,
            Story::OnTime | Story::NotStarted => Due::Date(workdays(20)),
            _ => Due::Date(workdays(-40)),
        };
        let status = if matches!(item.story, Story::LongTerm) {
            Status::LongTerm
        } else {
            Status::NotStarted
        };
        let m = DraftMeasure {
            content: item.measure.into(),
            due,
            status,
            department_id: Some(office(item.office)),
            lead_leader: Some(item.leader.into()),
            owner: None,
            supporting: None,
        };
        let problems = &mut sections[item.section].problems;
        let main = match problems.iter().position(|p| p.title == item.main) {
            Some(i) => i,
            None => {
                problems.push(DraftProblem {
                    category: None,
                    title: item.main.into(),
                    measures: vec![],
                    children: vec![],
                });
                problems.len() - 1
            }
        };
        problems[main].children.push(DraftProblem {
            category: None,
            title: item.specific.into(),
            measures: vec![m],
            children: vec![],
        });
    }
    let draft = Draft {
        kind: "patrol".into(),
        title: "市委第三巡察组常规巡察反馈问题整改".into(),
        team: "市委第三巡察组".into(),
        department_id: bureau,
        started_on: Some((today - Duration::days(150)).to_string()),
        ended_on: Some((today - Duration::days(110)).to_string()),
        feedback_on: Some((today - Duration::days(100)).to_string()),
        source_name: Some("巡察反馈意见（演示）".into()),
        sections,
    };
    let actor = || Actor::system("演示数据");
    let round = store::create(db, actor(), "system.demo.ledger", &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let measures = measure::Entity::find()
        .filter(measure::Column::InspectionId.eq(round))
        .order_by_asc(measure::Column::Id)
        .all(db)
        .await?;
    for (item, m) in ITEMS.iter().zip(&measures) {
        tell(db, m, item.story, today)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    outcomes(db, round, &measures, today).await
}

/// What the round produced besides measures: a regulation issued and a person held accountable,
/// each on the problem of a closed measure.
async fn outcomes(
    db: &DatabaseConnection,
    round: i64,
    measures: &[measure::Model],
    today: NaiveDate,
) -> anyhow::Result<()> {
    use super::outcomes::{AccountabilityInput, Entry, RuleInput, add};
    let (Some(first), Some(last)) = (measures.first(), measures.last()) else {
        return Ok(());
    };
    let on = |days: i64| (today - Duration::days(days)).to_string();
    add(
        db,
        Actor::system("演示数据"),
        round,
        Entry::Rule(RuleInput {
            problem_id: first.problem_id,
            title: "滨海市科学技术局党组理论学习中心组学习制度".into(),
            doc_no: Some("滨科党组〔2026〕3号".into()),
            issued_on: on(60),
        }),
    )
    .await?;
    add(
        db,
        Actor::system("演示数据"),
        round,
        Entry::Accountability(AccountabilityInput {
            problem_id: last.problem_id,
            person: "赵立新".into(),
            position: Some("原综合处副处长".into()),
            action: "诫勉谈话".into(),
            decided_on: on(40),
        }),
    )
    .await?;
    Ok(())
}

async fn tell(
    db: &DatabaseConnection,
    m: &measure::Model,
    story: Story,
    today: NaiveDate,
) -> Result<(), crate::web::error::AppError> {
    let ago = |days: i64| today - Duration::days(days);
    let evidence = || {
        vec![Upload {
            file_name: "整改会议纪要.txt".into(),
            content: "演示用佐证材料：会议研究部署整改工作。".as_bytes().to_vec(),
        }]
    };
    let report = |days: i64, text: &'static str, with_file: bool| {
        let m = m.clone();
        async move {
            let fresh = measure::Entity::find_by_id(m.id)
                .one(db)
                .await?
                .unwrap_or(m);
            store::add_report(
                db,
                Actor::system("演示数据"),
                &fresh,
                store::NewReport {
                    reported_on: ago(days),
                    content: text,
                    supersedes: None,
                },
                if with_file { evidence() } else { vec![] },
            )
            .await
        }
    };
    let set = |status: Status,
               close_out: CloseOut,
               closed: Option<NaiveDate>,
               look_back: Option<NaiveDate>,
               relapse: bool| {
        let id = m.id;
        async move {
            let Some(before) = measure::Entity::find_by_id(id).one(db).await? else {
                return Ok(());
            };
            let o = Outcome {
                status,
                close_out,
                look_back_on: look_back,
                closed_on: closed,
                relapse,
            };
            store::apply(
                db,
                Actor::system("演示数据"),
                "system.demo.ledger",
                &before,
                &o,
            )
            .await
        }
    };
    match story {
        Story::OnTime => report(2, "已制定年度学习计划并召开第一次专题研讨。", false).await,
        Story::DueSoon => report(1, "读书班方案已起草，正在征求意见。", false).await,
        Story::Overdue => report(12, "已在两个园区开展宣讲。", false).await,
        Story::AwaitingReview => {
            report(3, "办理时限已压缩至5个工作日，已在官网公布。", true).await?;
            set(Status::Completed, CloseOut::Requested, None, None, false).await
        }
        Story::Returned => {
            report(6, "验收管理办法修订稿已印发。", true).await?;
            set(
                Status::InProgress,
                CloseOut::Returned {
                    reason: "佐证材料未体现第三方审计的实施情况".into(),
                },
                None,
                None,
                false,
            )
            .await
        }
        Story::LookBackDue => {
            report(200, "已完成对近三年结题项目的全面检查。", true).await?;
            set(
                Status::Closed,
                CloseOut::Open,
                Some(ago(197)),
                Some(ago(15)),
                false,
            )
            .await
        }
        Story::LongTerm => report(10, "本季度精简督查检查事项3项。", false).await,
        Story::Relapsed => {
            report(220, "“一网通办”已上线。", true).await?;
            set(
                Status::Closed,
                CloseOut::Open,
                Some(ago(210)),
                Some(ago(30)),
                false,
            )
            .await?;
            set(Status::InProgress, CloseOut::Open, None, None, true).await?;
            report(5, "回头看发现部分事项线下办理反弹，已重新部署。", false).await
        }
        Story::Closed => {
            report(35, "已完成干部人事档案专项审核。", true).await?;
            set(
                Status::Closed,
                CloseOut::Open,
                Some(ago(30)),
                Some(ago(30) + Duration::days(182)),
                false,
            )
            .await
        }
        Story::NotStarted => Ok(()),
    }
}
