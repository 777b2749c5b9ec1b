//! The 查重 tables. Each row is written only through `AuditedTx`; texts and reports are on record in
//! the audit trail by their SHA-256, not in full.

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

pub mod document {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// A document of the comparison library (比对库): an earlier application or other text that new
    /// documents are checked against. The on-disk index is rebuilt from these rows.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "similarity_document")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub title: String,
        /// 申请人/单位: sources of the checked document's own owner are left out of
        /// 去除本人已有文献复制比. Empty when unknown.
        pub owner: String,
        /// Whose scope the document is in.
        pub department_id: i64,
        pub file_name: String,
        /// 字数: characters counted as the report counts them (letters and digits, normalised).
        pub chars: i32,
        #[serde(skip_serializing)]
        pub content: String,
        pub content_sha256: String,
        pub uploaded_by: Option<i64>,
        pub uploaded_by_name: String,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("similarity_document");
}

pub mod check {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// One 查重 run: who checked which text, the figures, and the report as it was shown. The
    /// checked text is kept so the report can be shown and downloaded again; it is not in the library.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "similarity_check")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        /// The department of the user who ran the check: whose scope the record is in.
        pub department_id: i64,
        pub checked_by: i64,
        pub checked_by_name: String,
        pub title: String,
        pub owner: String,
        pub file_name: String,
        pub content_sha256: String,
        #[serde(skip_serializing)]
        pub content: String,
        pub total_chars: i32,
        pub copied_chars: i32,
        /// Ratios in basis points (万分之一), exact on both backends and in the audit trail.
        pub total_ratio_bp: i32,
        pub ratio_excluding_own_bp: i32,
        pub max_single_ratio_bp: i32,
        /// `clear`, `suspected` or `duplicate`.
        pub verdict: String,
        /// Number of sources found.
        pub sources: i32,
        /// The report as JSON ([`super::super::stored_report::StoredReport`]).
        #[serde(skip_serializing)]
        pub report: String,
        pub report_sha256: String,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
    audited!("similarity_check");
}
