//! Schema migrations, one set for SQLite and PostgreSQL.
//!
//! Instants are `BIGINT` milliseconds since the epoch (see [`super::now_ms`]). Migrations are only
//! ever appended: a released migration is never edited.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(M0001Foundation),
            Box::new(M0002CalendarYears),
            Box::new(M0003Ledger),
            Box::new(M0004AuditTree),
            Box::new(M0005LedgerSnapshots),
            Box::new(M0006SupervisionNotices),
            Box::new(M0007AuditCheckpoints),
            Box::new(M0008LedgerOutcomes),
            Box::new(M0009SimilarityLibrary),
            Box::new(M0010AuditObjectIndex),
            Box::new(M0011AuditPending),
            Box::new(M0012AuditPendingAutoincrement),
            Box::new(M0013AuditNodesFromLevelFour),
        ]
    }
}

struct M0001Foundation;

/// Names are written out: the derive would name every migration of this file alike.
impl MigrationName for M0001Foundation {
    fn name(&self) -> &str {
        "m0001_foundation"
    }
}

fn table(name: &'static str) -> TableCreateStatement {
    Table::create().table(name).if_not_exists().take()
}

fn index(name: &'static str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create()
        .name(name)
        .table(table)
        .if_not_exists()
        .take();
    for c in cols {
        idx.col(*c);
    }
    idx
}

#[async_trait::async_trait]
impl MigrationTrait for M0001Foundation {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("department")
                .col(big_pk_auto("id"))
                .col(big_integer_null("parent_id"))
                .col(string_len("name", 100))
                .col(string_len("kind", 20))
                .col(string_len_uniq("code", 50))
                .col(integer("sort_order").default(0))
                .col(string_len_null("phone", 30))
                .col(string_len("status", 20))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("department", "parent_id")
                        .to("department", "id"),
                )
                .take(),
        )
        .await?;
        m.create_index(index("idx_department_parent", "department", &["parent_id"]))
            .await?;

        m.create_table(
            table("app_user")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("username", 50))
                .col(string_len("name", 50))
                .col(big_integer("department_id"))
                .col(string_len_null("phone", 30))
                .col(string_len_null("email", 100))
                .col(string_len("password_hash", 200))
                .col(boolean("must_change_password"))
                .col(string_len("status", 20))
                .col(integer("failed_logins").default(0))
                .col(big_integer_null("locked_until"))
                .col(big_integer_null("last_login_at"))
                .col(big_integer("password_changed_at"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("app_user", "department_id")
                        .to("department", "id"),
                )
                .take(),
        )
        .await?;
        m.create_index(index("idx_user_department", "app_user", &["department_id"]))
            .await?;

        m.create_table(
            table("role")
                .col(big_pk_auto("id"))
                .col(string_len_uniq("role_key", 50))
                .col(string_len("name", 50))
                .col(text("permissions"))
                .col(string_len("data_scope", 30))
                .col(integer("sort_order").default(0))
                .col(boolean("builtin"))
                .col(string_len_null("remark", 200))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .take(),
        )
        .await?;

        for (name, a, b, ta, tb) in [
            ("user_role", "user_id", "role_id", "app_user", "role"),
            (
                "role_department",
                "role_id",
                "department_id",
                "role",
                "department",
            ),
            (
                "user_covered_department",
                "user_id",
                "department_id",
                "app_user",
                "department",
            ),
        ] {
            m.create_table(
                table(name)
                    .col(big_integer(a))
                    .col(big_integer(b))
                    .primary_key(Index::create().col(a).col(b))
                    .foreign_key(ForeignKey::create().from(name, a).to(ta, "id"))
                    .foreign_key(ForeignKey::create().from(name, b).to(tb, "id"))
                    .take(),
            )
            .await?;
        }

        m.create_table(
            table("setting")
                .col(string_len("key", 100).primary_key())
                .col(text("value"))
                .col(big_integer("updated_at"))
                .take(),
        )
        .await?;

        m.create_table(
            table("session")
                .col(string_len("token_hash", 64).primary_key())
                .col(big_integer("user_id"))
                .col(string_len("kind", 10))
                .col(big_integer("created_at"))
                .col(big_integer("last_seen_at"))
                .col(big_integer("expires_at"))
                .col(string_len("ip", 64))
                .col(string_len("user_agent", 300))
                .foreign_key(
                    ForeignKey::create()
                        .from("session", "user_id")
                        .to("app_user", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;

        m.create_table(
            table("login_log")
                .col(big_pk_auto("id"))
                .col(big_integer("at"))
                .col(string_len("username", 100))
                .col(big_integer_null("user_id"))
                .col(string_len("ip", 64))
                .col(string_len("user_agent", 300))
                .col(boolean("success"))
                .col(string_len("message", 200))
                .take(),
        )
        .await?;
        m.create_index(index("idx_login_log_at", "login_log", &["at"]))
            .await?;

        // The audit trail. `seq` is assigned under the lock on `audit_head`, so it is gap-free and in
        // commit order: the Merkle log of the audit issue takes events as leaves in this order.
        m.create_table(
            table("audit_head")
                .col(integer("id").primary_key())
                .col(big_integer("next_seq"))
                .take(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared("INSERT INTO audit_head (id, next_seq) VALUES (1, 1)")
            .await?;
        m.create_table(
            table("audit_event")
                .col(big_integer("seq").primary_key())
                .col(integer("version"))
                .col(big_integer("at"))
                .col(big_integer_null("actor_id"))
                .col(string_len("actor_name", 100))
                .col(big_integer_null("department_id"))
                .col(string_len("ip", 64))
                .col(string_len("action", 100))
                .col(string_len("object_type", 50))
                .col(string_len("object_id", 100))
                .col(text("changes"))
                .col(string_len_null("prev_hash", 64))
                .col(string_len("leaf_hash", 64))
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_audit_object",
            "audit_event",
            &["object_type", "object_id", "seq"],
        ))
        .await?;
        m.create_index(index("idx_audit_at", "audit_event", &["at"]))
            .await?;
        Ok(())
    }
}

/// 日历管理: the years an administrator added or corrected; the shipped years live in the binary.
struct M0002CalendarYears;

impl MigrationName for M0002CalendarYears {
    fn name(&self) -> &str {
        "m0002_calendar_years"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002CalendarYears {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("calendar_year")
                .col(integer("year").primary_key())
                .col(text("arrangement"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .take(),
        )
        .await
    }
}

/// 巡察整改台账: inspections → sections → problems (main, specific) → measures, progress reports
/// with evidence files. Dates a user enters are `YYYY-MM-DD` text.
struct M0003Ledger;

impl MigrationName for M0003Ledger {
    fn name(&self) -> &str {
        "m0003_ledger"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0003Ledger {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("inspection")
                .col(big_pk_auto("id"))
                .col(string_len("kind", 20))
                .col(string_len("title", 200))
                .col(string_len("team", 100))
                .col(big_integer("department_id"))
                .col(string_len_null("started_on", 10))
                .col(string_len_null("ended_on", 10))
                .col(string_len_null("feedback_on", 10))
                .col(string_len_null("source_name", 200))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("inspection", "department_id")
                        .to("department", "id"),
                )
                .take(),
        )
        .await?;
        m.create_table(
            table("ledger_section")
                .col(big_pk_auto("id"))
                .col(big_integer("inspection_id"))
                .col(integer("seq"))
                .col(string_len("title", 300))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("ledger_section", "inspection_id")
                        .to("inspection", "id"),
                )
                .take(),
        )
        .await?;
        m.create_table(
            table("problem")
                .col(big_pk_auto("id"))
                .col(big_integer("inspection_id"))
                .col(big_integer("section_id"))
                .col(big_integer_null("parent_id"))
                .col(string_len("level", 10))
                .col(integer("seq"))
                .col(string_len_null("category", 200))
                .col(text("title"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("problem", "section_id")
                        .to("ledger_section", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("problem", "parent_id")
                        .to("problem", "id"),
                )
                .take(),
        )
        .await?;
        m.create_table(
            table("measure")
                .col(big_pk_auto("id"))
                .col(big_integer("inspection_id"))
                .col(big_integer("problem_id"))
                .col(integer("seq"))
                .col(text("content"))
                .col(string_len_null("lead_leader", 50))
                .col(big_integer("department_id"))
                .col(string_len_null("owner", 50))
                .col(string_len("due_kind", 10))
                .col(string_len_null("due_on", 10))
                .col(string_len("status", 20))
                .col(string_len("close_out", 10))
                .col(text_null("return_reason"))
                .col(string_len_null("closed_on", 10))
                .col(string_len_null("look_back_on", 10))
                .col(integer("relapses").default(0))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("measure", "problem_id")
                        .to("problem", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("measure", "department_id")
                        .to("department", "id"),
                )
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_measure_inspection",
            "measure",
            &["inspection_id"],
        ))
        .await?;
        m.create_index(index(
            "idx_measure_department",
            "measure",
            &["department_id"],
        ))
        .await?;
        m.create_table(
            table("progress_report")
                .col(big_pk_auto("id"))
                .col(big_integer("measure_id"))
                .col(string_len("reported_on", 10))
                .col(text("content"))
                .col(big_integer_null("reporter_id"))
                .col(string_len("reporter_name", 50))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("progress_report", "measure_id")
                        .to("measure", "id"),
                )
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_progress_measure",
            "progress_report",
            &["measure_id"],
        ))
        .await?;
        m.create_table(
            table("evidence")
                .col(big_pk_auto("id"))
                .col(big_integer("report_id"))
                .col(string_len("file_name", 200))
                .col(string_len("sha256", 64))
                .col(big_integer("size"))
                .col(blob("content"))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("evidence", "report_id")
                        .to("progress_report", "id"),
                )
                .take(),
        )
        .await
    }
}

/// The Merkle tree over the audit events (RFC 6962): its O(log n) frontier, and every completed
/// subtree root so that proofs need only O(log n) reads.
struct M0004AuditTree;

impl MigrationName for M0004AuditTree {
    fn name(&self) -> &str {
        "m0004_audit_tree"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0004AuditTree {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("audit_tree")
                .col(integer("id").primary_key())
                .col(big_integer("size"))
                .col(blob("frontier"))
                .col(string_len("root", 64))
                .take(),
        )
        .await?;
        m.create_table(
            table("audit_node")
                .col(integer("level"))
                .col(big_integer("idx"))
                .col(string_len("hash", 64))
                .primary_key(Index::create().col("level").col("idx"))
                .take(),
        )
        .await?;
        // The tree of the events written before this migration.
        let db = m.get_connection();
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT leaf_hash FROM audit_event ORDER BY seq",
            ))
            .await?;
        let mut frontier = audit::Frontier::new();
        let mut nodes = Vec::new();
        for row in rows {
            let hex: String = row.try_get_by_index(0)?;
            let leaf = audit::Hash::from_hex(&hex)
                .map_err(|e| DbErr::Custom(format!("审计事件的叶哈希无效：{e}")))?;
            frontier
                .append_with(leaf, |node, hash| nodes.push((node, hash.to_hex())))
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        for (node, hash) in nodes {
            let insert = Query::insert()
                .into_table("audit_node")
                .columns(["level", "idx", "hash"])
                .values_panic([
                    i32::from(node.level()).into(),
                    (node.index() as i64).into(),
                    hash.into(),
                ])
                .to_owned();
            db.execute(&insert).await?;
        }
        let insert = Query::insert()
            .into_table("audit_tree")
            .columns(["id", "size", "frontier", "root"])
            .values_panic([
                1.into(),
                (frontier.size() as i64).into(),
                frontier.to_bytes().into(),
                frontier.root().to_hex().into(),
            ])
            .to_owned();
        db.execute(&insert).await?;
        Ok(())
    }
}

/// 周调度 / 月汇报: frozen snapshots of a ledger, so what was true on a date stays as it was.
struct M0005LedgerSnapshots;

impl MigrationName for M0005LedgerSnapshots {
    fn name(&self) -> &str {
        "m0005_ledger_snapshots"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0005LedgerSnapshots {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("ledger_snapshot")
                .col(big_pk_auto("id"))
                .col(big_integer("inspection_id"))
                .col(string_len("kind", 10))
                .col(string_len("taken_on", 10))
                .col(string_len("title", 300))
                .col(text("content"))
                .col(string_len("content_sha256", 64))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("ledger_snapshot", "inspection_id")
                        .to("inspection", "id"),
                )
                .take(),
        )
        .await
    }
}

/// 督办单: escalation notices on a late measure, issued level by level and acknowledged.
struct M0006SupervisionNotices;

impl MigrationName for M0006SupervisionNotices {
    fn name(&self) -> &str {
        "m0006_supervision_notices"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0006SupervisionNotices {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("supervision_notice")
                .col(big_pk_auto("id"))
                .col(big_integer("measure_id"))
                .col(integer("level"))
                .col(string_len("level_name", 20))
                .col(text("content"))
                .col(string_len("issued_by", 50))
                .col(string_len("issued_on", 10))
                .col(string_len_null("acknowledged_by", 50))
                .col(string_len_null("acknowledged_on", 10))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("supervision_notice", "measure_id")
                        .to("measure", "id"),
                )
                .take(),
        )
        .await
    }
}

/// Signed checkpoints of the audit log, the witnesses' cosignatures on them, and the record of each
/// full verification. Checkpoints and cosignatures carry their own signatures: they need no audit event.
struct M0007AuditCheckpoints;

impl MigrationName for M0007AuditCheckpoints {
    fn name(&self) -> &str {
        "m0007_audit_checkpoints"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0007AuditCheckpoints {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("audit_checkpoint")
                .col(big_pk_auto("id"))
                .col(big_integer_uniq("size"))
                .col(string_len("root", 64))
                .col(text("signed_note"))
                .col(big_integer("signed_at"))
                .take(),
        )
        .await?;
        m.create_table(
            table("audit_cosignature")
                .col(big_pk_auto("id"))
                .col(big_integer("checkpoint_id"))
                .col(string_len("witness", 200))
                .col(string_len("signature_line", 400))
                .col(big_integer("timestamp"))
                .col(big_integer("received_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("audit_cosignature", "checkpoint_id")
                        .to("audit_checkpoint", "id"),
                )
                .take(),
        )
        .await?;
        m.create_index(
            index(
                "audit_cosignature_once",
                "audit_cosignature",
                &["checkpoint_id", "witness"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_table(
            table("audit_verification")
                .col(big_pk_auto("id"))
                .col(string_len("cause", 20))
                .col(big_integer("started_at"))
                .col(big_integer("finished_at"))
                .col(boolean("ok"))
                .col(big_integer("size"))
                .col(string_len_null("root", 64))
                .col(text_null("finding"))
                .take(),
        )
        .await
    }
}

/// What rectification produced besides measures: 建章立制 (rules issued) and 问责 (people held
/// accountable), both linked to problems; 配合科室 and 整改目标 on measures; where a problem came from
/// (反馈问题, or 移交问题 / 信访件 handed over by the team); progress-report corrections as new versions.
struct M0008LedgerOutcomes;

impl MigrationName for M0008LedgerOutcomes {
    fn name(&self) -> &str {
        "m0008_ledger_outcomes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0008LedgerOutcomes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        let added: [(&'static str, ColumnDef); 4] = [
            ("measure", string_len_null("supporting", 200)),
            ("measure", string_len_null("target", 500)),
            (
                "problem",
                string_len("origin", 20).default("feedback").take(),
            ),
            ("progress_report", big_integer_null("supersedes_id")),
        ];
        for (t, mut col) in added {
            m.alter_table(Table::alter().table(t).add_column(&mut col).take())
                .await?;
        }
        m.create_table(
            table("rectification_rule")
                .col(big_pk_auto("id"))
                .col(big_integer("inspection_id"))
                .col(big_integer("problem_id"))
                .col(string_len("title", 200))
                .col(string_len_null("doc_no", 100))
                .col(string_len("issued_on", 10))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("rectification_rule", "problem_id")
                        .to("problem", "id"),
                )
                .take(),
        )
        .await?;
        m.create_table(
            table("accountability")
                .col(big_pk_auto("id"))
                .col(big_integer("inspection_id"))
                .col(big_integer("problem_id"))
                .col(string_len("person", 50))
                .col(string_len_null("position", 100))
                .col(string_len("action", 100))
                .col(string_len("decided_on", 10))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("accountability", "problem_id")
                        .to("problem", "id"),
                )
                .take(),
        )
        .await
    }
}

/// 查重: the comparison library (比对库) with each document's text, and the record of every check.
/// The on-disk index under the data directory is derived from `similarity_document`.
struct M0009SimilarityLibrary;

impl MigrationName for M0009SimilarityLibrary {
    fn name(&self) -> &str {
        "m0009_similarity_library"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0009SimilarityLibrary {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("similarity_document")
                .col(big_pk_auto("id"))
                .col(string_len("title", 200))
                .col(string_len("owner", 200))
                .col(big_integer("department_id"))
                .col(string_len("file_name", 255))
                .col(integer("chars"))
                .col(text("content"))
                .col(string_len("content_sha256", 64))
                .col(big_integer_null("uploaded_by"))
                .col(string_len("uploaded_by_name", 50))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("similarity_document", "department_id")
                        .to("department", "id"),
                )
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_similarity_document_department",
            "similarity_document",
            &["department_id"],
        ))
        .await?;
        m.create_table(
            table("similarity_check")
                .col(big_pk_auto("id"))
                .col(big_integer("department_id"))
                .col(big_integer("checked_by"))
                .col(string_len("checked_by_name", 50))
                .col(string_len("title", 200))
                .col(string_len("owner", 200))
                .col(string_len("file_name", 255))
                .col(string_len("content_sha256", 64))
                .col(text("content"))
                .col(integer("total_chars"))
                .col(integer("copied_chars"))
                .col(integer("total_ratio_bp"))
                .col(integer("ratio_excluding_own_bp"))
                .col(integer("max_single_ratio_bp"))
                .col(string_len("verdict", 20))
                .col(integer("sources"))
                .col(text("report"))
                .col(string_len("report_sha256", 64))
                .col(big_integer("created_at"))
                .col(big_integer("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("similarity_check", "department_id")
                        .to("department", "id"),
                )
                .take(),
        )
        .await?;
        m.create_index(index(
            "idx_similarity_check_department",
            "similarity_check",
            &["department_id"],
        ))
        .await
    }
}

/// Each write looks up its object's previous event (for `prev_hash`), and history pages list an
/// object's events: both by (object_type, object_id), newest first. Without this index every audited
/// write scanned the whole log.
struct M0010AuditObjectIndex;

impl MigrationName for M0010AuditObjectIndex {
    fn name(&self) -> &str {
        "m0010_audit_object_index"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0010AuditObjectIndex {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            "idx_audit_object",
            "audit_event",
            &["object_type", "object_id", "seq"],
        ))
        .await
    }
}

/// Events sequenced but not yet in the Merkle log. A write inserts its event here with the next
/// sequence number (one statement inside its transaction); the integrator (`audit::integrate`) moves
/// them to `audit_event` with their `prev_hash` and leaf hash and appends them to the tree. On
/// SQLite a trigger advances `audit_head.next_seq`, so the insert is the write's only audit statement
/// (its `BEGIN IMMEDIATE` already makes it the only writer); PostgreSQL advances it in the insert.
struct M0011AuditPending;

impl MigrationName for M0011AuditPending {
    fn name(&self) -> &str {
        "m0011_audit_pending"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0011AuditPending {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            table("audit_pending")
                .col(big_integer("seq").primary_key())
                .col(integer("version"))
                .col(big_integer("at"))
                .col(big_integer_null("actor_id"))
                .col(string_len("actor_name", 100))
                .col(big_integer_null("department_id"))
                .col(string_len("ip", 64))
                .col(string_len("action", 100))
                .col(string_len("object_type", 50))
                .col(string_len("object_id", 100))
                .col(text("changes"))
                .take(),
        )
        .await?;
        let db = m.get_connection();
        if db.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Sqlite {
            db.execute_unprepared(
                "CREATE TRIGGER audit_pending_sequenced AFTER INSERT ON audit_pending \
                 BEGIN UPDATE audit_head SET next_seq = NEW.seq + 1 WHERE id = 1; END",
            )
            .await?;
        }
        Ok(())
    }
}

/// SQLite: the sequence number becomes the pending table's own `AUTOINCREMENT` rowid, so a write's
/// audit statement is a plain insert. Migration m0011's trigger kept `audit_head` current with an
/// `UPDATE` per event and the insert read the counter through a materialised CTE, which cost more
/// than the business write itself. `sqlite_sequence` keeps the highest number ever given, so a
/// pending event deleted before integration still leaves its gap, and `audit_head` becomes a view
/// of it for the integrator. PostgreSQL keeps its counter row (its lock orders the commits).
struct M0012AuditPendingAutoincrement;

impl MigrationName for M0012AuditPendingAutoincrement {
    fn name(&self) -> &str {
        "m0012_audit_pending_autoincrement"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0012AuditPendingAutoincrement {
    /// All or nothing: the table is rebuilt and the counter moved in one transaction.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != sea_orm_migration::sea_orm::DbBackend::Sqlite {
            return Ok(());
        }
        db.execute_unprepared(
            "CREATE TABLE audit_pending_next ( \
               seq integer NOT NULL PRIMARY KEY AUTOINCREMENT, version integer NOT NULL, \
               at integer NOT NULL, actor_id integer NULL, actor_name varchar(100) NOT NULL, \
               department_id integer NULL, ip varchar(64) NOT NULL, action varchar(100) NOT NULL, \
               object_type varchar(50) NOT NULL, object_id varchar(100) NOT NULL, changes text NOT NULL ); \
             INSERT INTO audit_pending_next SELECT seq, version, at, actor_id, actor_name, department_id, \
               ip, action, object_type, object_id, changes FROM audit_pending; \
             DROP TRIGGER audit_pending_sequenced; \
             DROP TABLE audit_pending; \
             ALTER TABLE audit_pending_next RENAME TO audit_pending; \
             DELETE FROM sqlite_sequence WHERE name IN ('audit_pending', 'audit_pending_next'); \
             INSERT INTO sqlite_sequence (name, seq) SELECT 'audit_pending', next_seq - 1 FROM audit_head WHERE id = 1; \
             DROP TABLE audit_head; \
             CREATE VIEW audit_head AS SELECT 1 AS id, seq + 1 AS next_seq FROM sqlite_sequence \
               WHERE name = 'audit_pending';",
        )
        .await?;
        Ok(())
    }
}

/// Subtrees of fewer than 16 leaves are no longer stored: a proof computes them from the leaves'
/// hashes in `audit_event` (`audit::checkpoints::nodes`), and an append then writes a node for about
/// one leaf in eight instead of two a leaf — on SQLite most of what the append cost at the commit.
struct M0013AuditNodesFromLevelFour;

impl MigrationName for M0013AuditNodesFromLevelFour {
    fn name(&self) -> &str {
        "m0013_audit_nodes_from_level_four"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0013AuditNodesFromLevelFour {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(&format!(
                "DELETE FROM audit_node WHERE level < {}",
                crate::audit::checkpoints::NODES_STORED_FROM_LEVEL
            ))
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::integrate::{IntegrateError, integrate};
    use crate::db::audited::{Actor, AuditedTx};
    use sea_orm_migration::sea_orm::DatabaseConnection;

    async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("query")
            .expect("a row");
        row.try_get_by_index(0).expect("an integer")
    }

    async fn write_event(db: &DatabaseConnection, n: u32) {
        let mut tx = AuditedTx::begin(db, Actor::system("测试"), "test.note")
            .await
            .expect("begin");
        tx.note(("test", &n.to_string()), "n", 0.into(), n.into());
        tx.commit().await.expect("commit");
    }

    /// A SQLite database whose events were sequenced and integrated under m0011 keeps its numbering
    /// through m0012; later writes append from the tree, and a pending event an earlier version left
    /// after a gap stops them, named.
    #[tokio::test]
    async fn m0012_carries_the_sqlite_counter_over() {
        let dir = std::env::temp_dir().join(format!("sunlight-m0012-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let db = crate::db::connect(&crate::db::Location::SqliteDir(dir.clone()))
            .await
            .expect("connect");
        Migrator::up(&db, Some(11)).await.expect("migrate to m0011");
        // Two events sequenced the m0011 way (the trigger advances the counter), not yet integrated.
        db.execute_unprepared(
            "INSERT INTO audit_pending (seq, version, at, actor_id, actor_name, department_id, ip, \
             action, object_type, object_id, changes) VALUES \
             (1, 1, 0, NULL, '系统', NULL, '', 'test.note', 'test', '1', '{\"n\":[0,1]}'), \
             (2, 1, 0, NULL, '系统', NULL, '', 'test.note', 'test', '2', '{\"n\":[0,2]}')",
        )
        .await
        .expect("pending events");
        // Integrated before the upgrade: the pending table is empty, only the counter says 3.
        assert_eq!(integrate(&db).await.expect("integrate"), 2);
        Migrator::up(&db, None).await.expect("migrate to the end");
        assert_eq!(scalar(&db, "SELECT next_seq FROM audit_head").await, 3);

        // Writes now append their events themselves, numbered on from the tree.
        write_event(&db, 3).await;
        assert_eq!(scalar(&db, "SELECT MAX(seq) FROM audit_event").await, 3);
        assert_eq!(scalar(&db, "SELECT size FROM audit_tree").await, 3);
        assert_eq!(scalar(&db, "SELECT COUNT(*) FROM audit_pending").await, 0);

        // A pending row an earlier version left after a gap: the next write is refused, naming it.
        db.execute_unprepared(
            "INSERT INTO audit_pending (seq, version, at, actor_id, actor_name, department_id, ip, \
             action, object_type, object_id, changes) VALUES \
             (5, 1, 0, NULL, '系统', NULL, '', 'test.note', 'test', '5', '{\"n\":[0,5]}')",
        )
        .await
        .expect("a pending event after a gap");
        let mut tx = AuditedTx::begin(&db, Actor::system("测试"), "test.note")
            .await
            .expect("begin");
        tx.note(("test", "6"), "n", 0.into(), 6.into());
        match tx.commit().await {
            Err(crate::db::audited::AuditedError::Log(IntegrateError::Missing(4))) => {}
            other => panic!("expected the missing event 4 to be named, got {other:?}"),
        }
        assert_eq!(scalar(&db, "SELECT size FROM audit_tree").await, 3);
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
