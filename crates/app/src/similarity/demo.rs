//! The demo library: earlier applications of the demo bureau, in three departments, one of which
//! reuses passages of another — so a check on `serve --demo` finds sources, and scope decides which.

use sea_orm::DatabaseConnection;

use super::rules;
use super::store::{self, NewDocument};
use crate::db::audited::Actor;

struct Sample<'a> {
    title: &'static str,
    owner: &'static str,
    office: &'static str,
    text: &'a str,
}

const INTRO_A: &str = "一、立项依据\n海水养殖是滨海市农业的支柱产业，但近海网箱养殖长期依赖人工巡检，水质突变和病害往往在造成大面积损失后才被发现。现有监测设备价格高、功耗大，难以在分散的养殖户中推广。本项目拟研制低功耗多参数水质传感节点，结合边缘计算实现溶解氧、温度、盐度和氨氮的连续监测与预警，为养殖户提供及时可靠的决策依据。\n";
const CONTENT_A: &str = "二、研究内容\n（一）研制基于光学荧光法的溶解氧传感器，降低探头维护频次；（二）设计太阳能供电的无线传感节点，单节点连续工作不少于一百八十天；（三）建立水质突变预警模型，提前两小时以上发出缺氧预警；（四）在三个养殖基地开展示范应用，形成可复制的推广方案。\n";
const PLAN_A: &str = "三、技术路线\n项目采用“传感器研制—节点集成—模型训练—示范验证”的路线。第一年完成传感器样机和节点设计，第二年完成预警模型训练并在示范基地部署不少于六十个节点，第三年总结示范数据，优化模型并编制技术规程。\n四、预期成果\n申请发明专利二项，制定企业标准一项，培训养殖技术人员一百人次，示范基地养殖损失率下降百分之三十以上。\n";

const TEXTS: [&str; 3] = [
    "一、立项依据\n城市老旧小区普遍缺少适老化设施，独居老人跌倒后不能及时得到救助的情况时有发生。现有穿戴式报警器依赖老人主动佩戴和操作，实际使用率不高。本项目研究基于毫米波雷达的非接触式跌倒检测技术，在不侵犯隐私的前提下实现居室内跌倒的自动识别与报警。\n二、研究内容\n研究多目标场景下的人体姿态特征提取方法，建立跌倒与坐卧等日常动作的区分模型；研制低成本雷达感知终端并与社区养老服务平台对接；在两个街道开展不少于二百户的试点应用。\n三、技术路线\n以雷达点云数据采集为基础，采用轻量化神经网络在终端完成识别，报警信息经社区平台分级推送至家属和网格员。\n四、预期成果\n跌倒识别准确率不低于百分之九十五，误报率低于每户每月一次，形成社区适老化改造技术指南一份。\n",
    "一、立项依据\n我市设施蔬菜种植面积逐年增加，但温室环境调控主要凭经验，水肥利用率低，土壤次生盐渍化问题突出。本项目面向中小型温室，研究低成本的环境感知与水肥一体化智能调控技术。\n二、研究内容\n研制温室空气温湿度、光照和土壤电导率一体化监测终端；建立番茄、黄瓜两种作物的水肥需求模型；开发手机端调控软件，支持远程灌溉和施肥。\n三、技术路线\n先在农科院试验温室完成模型标定，再在十个合作社温室开展对比试验，比较智能调控与常规管理在产量、用水量和用肥量上的差异。\n四、预期成果\n节水百分之二十五以上，节肥百分之二十以上，培育示范合作社五家。\n",
    "一、立项依据\n滨海市现有规模以上工业企业一千二百余家，中小企业数字化转型意愿强但能力弱，普遍缺少既懂工艺又懂数据的人才。本项目建设面向中小制造企业的工业互联网公共服务平台，提供设备联网、能耗监测和质量追溯等轻量化应用。\n二、研究内容\n研究多协议工业设备的统一接入方法；开发按需订阅的能耗监测与质量追溯应用；建立企业数字化水平评估模型。\n三、技术路线\n平台采用云边协同架构，边缘网关完成协议转换与数据预处理，云端提供应用和数据分析服务。\n四、预期成果\n接入企业不少于一百家，接入设备不少于五千台，服务企业平均能耗下降百分之八。\n",
];

/// Three earlier applications in three departments, and a fourth, filed later in another
/// department, that copies most of the first one's 立项依据 and 研究内容.
pub async fn generate(db: &DatabaseConnection, office: impl Fn(&str) -> i64) -> anyhow::Result<()> {
    let first = format!("{INTRO_A}{CONTENT_A}{PLAN_A}");
    let copy = format!(
        "{INTRO_A}{CONTENT_A}三、技术路线\n项目以现有网箱为载体，先完成节点改造，再建设县级养殖数据平台，逐步扩大到全市主要养殖区。\n四、预期成果\n形成县级海水养殖数字化监管方案一套，服务养殖户三百户以上。\n"
    );
    let samples = [
        Sample {
            title: "近海网箱养殖水质智能监测与预警关键技术研究",
            owner: "滨海市海洋渔业研究所",
            office: "NCKJ",
            text: &first,
        },
        Sample {
            title: "基于毫米波雷达的居家老人跌倒检测与救助系统",
            owner: "滨海理工大学",
            office: "SHFZ",
            text: TEXTS[0],
        },
        Sample {
            title: "中小型温室环境感知与水肥一体化智能调控技术示范",
            owner: "滨海市农业科学院",
            office: "NCKJ",
            text: TEXTS[1],
        },
        Sample {
            title: "面向中小制造企业的工业互联网公共服务平台建设",
            owner: "滨海智造科技有限公司",
            office: "GXJS",
            text: TEXTS[2],
        },
        Sample {
            title: "海水养殖数字化监管平台研发与应用",
            owner: "滨海蓝海科技有限公司",
            office: "GXJS",
            text: &copy,
        },
    ];
    let mut docs = Vec::new();
    for s in samples {
        let file_name = format!("{}.txt", s.title);
        docs.push(NewDocument {
            title: s.title.into(),
            owner: s.owner.into(),
            department_id: office(s.office),
            text: rules::read_upload(&file_name, s.text.as_bytes().to_vec(), usize::MAX)
                .map_err(anyhow::Error::msg)?,
            file_name,
        });
    }
    store::add(db, Actor::system("演示数据"), docs).await?;
    Ok(())
}
