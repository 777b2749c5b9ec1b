//! The ledger's tables. Each row is written only through `AuditedTx`, so each has an object type.

macro_rules! audited {
    ($object_type:literal) => {
        impl crate::db::audited::Audited for Model {
            const OBJECT_TYPE: &'static str = $object_type;
            fn object_id(&self) -> String {
                self.id.to_string()
            }
        }
    };
}

pub mod inspection {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// One round of oversight (巡视/巡察/审计/专项检查) and its feedback.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "inspection")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub kind: String,
        pub title: String,
        pub team: String,
        /// The inspected unit: who sees the round.
        pub department_id: i64,
        pub started_on: Option<String>,
        pub ended_on: Option<String>,
        pub feedback_on: Option<String>,
        pub source_name: Option<String>,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("inspection");
}

pub mod section {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// 方面: the top grouping of problems.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "ledger_section")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub inspection_id: i64,
        pub seq: i32,
        pub title: String,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("ledger_section");
}

pub mod problem {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// A main problem (`level` = `main`) or a specific problem under one (`specific`).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "problem")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub inspection_id: i64,
        pub section_id: i64,
        pub parent_id: Option<i64>,
        pub level: String,
        pub seq: i32,
        pub category: Option<String>,
        pub title: String,
        /// `feedback` (反馈问题), `transferred` (移交问题) or `petition` (信访件).
        pub origin: String,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("problem");
}

pub mod measure {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// 整改措施, with its owner, deadline and place in the 销号 workflow.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "measure")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub inspection_id: i64,
        pub problem_id: i64,
        pub seq: i32,
        pub content: String,
        pub lead_leader: Option<String>,
        /// 责任科室: whose scope the measure is in.
        pub department_id: i64,
        pub owner: Option<String>,
        /// `date`, `immediate` (立行立改) or `long_term` (长期坚持).
        pub due_kind: String,
        pub due_on: Option<String>,
        pub status: String,
        /// 配合科室, as the ledger names them ("、"-separated); the lead department answers for the measure.
        pub supporting: Option<String>,
        /// 整改目标: what "done" means for this measure.
        pub target: Option<String>,
        /// `open`, `requested` or `returned`.
        pub close_out: String,
        pub return_reason: Option<String>,
        pub closed_on: Option<String>,
        pub look_back_on: Option<String>,
        pub relapses: i32,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("measure");
}

pub mod progress_report {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// 整改落实情况: a dated account of what was done. Never edited: a correction is a new report.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "progress_report")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub measure_id: i64,
        pub reported_on: String,
        pub content: String,
        pub reporter_id: Option<i64>,
        pub reporter_name: String,
        /// The report this one corrects; the corrected one stays as it was.
        pub supersedes_id: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("progress_report");
}

pub mod evidence {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// 佐证材料: a file attached to a progress report, identified in the audit trail by its SHA-256.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "evidence")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub report_id: i64,
        pub file_name: String,
        pub sha256: String,
        pub size: i64,
        #[serde(skip_serializing)]
        pub content: Vec<u8>,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("evidence");
}

pub mod snapshot {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// 周调度表 or 月汇报: the ledger's rows as they were on `taken_on`, never changed afterwards.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "ledger_snapshot")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub inspection_id: i64,
        /// `weekly` or `monthly`.
        pub kind: String,
        pub taken_on: String,
        pub title: String,
        /// The rows as JSON; on record in the audit trail by its hash.
        #[serde(skip_serializing)]
        pub content: String,
        pub content_sha256: String,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("ledger_snapshot");
}

pub mod notice {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// 督办单 on a measure: its level on the bureau's ladder, who issued it, who acknowledged it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "supervision_notice")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub measure_id: i64,
        pub level: i32,
        pub level_name: String,
        pub content: String,
        pub issued_by: String,
        pub issued_on: String,
        pub acknowledged_by: Option<String>,
        pub acknowledged_on: Option<String>,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("supervision_notice");
}

pub mod rule_made {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// 建章立制: a regulation or system issued as part of rectifying a problem.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "rectification_rule")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub inspection_id: i64,
        pub problem_id: i64,
        pub title: String,
        /// 文号, e.g. 滨科发〔2026〕12号.
        pub doc_no: Option<String>,
        pub issued_on: String,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("rectification_rule");
}

pub mod accountability {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// 问责: a person held accountable for a problem, and how (诫勉谈话, 通报批评, 党纪处分 …).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "accountability")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub inspection_id: i64,
        pub problem_id: i64,
        pub person: String,
        pub position: Option<String>,
        pub action: String,
        pub decided_on: String,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("accountability");
}
