//! The database: one connection pool for SQLite (embedded default) or PostgreSQL, migrated on start.
//!
//! Reads go through [`sea_orm::DatabaseConnection`] with the viewer's scope applied by the feature's
//! storage code; every write goes through [`audited::AuditedTx`], which is the one place that opens a
//! write transaction and records its audit event.

pub mod audited;
pub mod backup;
mod migration;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;

pub use migration::Migrator;

/// Where the data lives.
#[derive(Clone, Debug)]
pub enum Location {
    /// `DIR/sunlight.db`, created if missing.
    SqliteDir(PathBuf),
    /// A `postgres://…` URL.
    Postgres(String),
}

impl Location {
    pub fn sqlite_file(dir: &Path) -> PathBuf {
        dir.join("sunlight.db")
    }
}

/// Opens the pool (creating the SQLite directory and file if needed).
pub async fn connect(location: &Location) -> anyhow::Result<DatabaseConnection> {
    let mut opts = match location {
        Location::SqliteDir(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("无法创建数据目录 {}：{e}", dir.display()))?;
            let file = Location::sqlite_file(dir);
            let mut opts = ConnectOptions::new(format!("sqlite://{}?mode=rwc", file.display()));
            opts.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
            });
            opts.max_connections(8);
            opts
        }
        Location::Postgres(url) => {
            let mut opts = ConnectOptions::new(url.clone());
            opts.max_connections(16);
            opts
        }
    };
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10));
    let db = Database::connect(opts)
        .await
        .map_err(|e| anyhow::anyhow!("无法连接数据库：{e}"))?;
    Ok(db)
}

/// Runs every pending migration; the same migrations serve both backends.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .map_err(|e| anyhow::anyhow!("数据库迁移失败：{e}"))
}

/// Opens and migrates.
pub async fn open(location: &Location) -> anyhow::Result<DatabaseConnection> {
    let db = connect(location).await?;
    migrate(&db).await?;
    Ok(db)
}

pub fn is_postgres(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// Milliseconds since the Unix epoch: every instant is stored this way so that it reads back exactly
/// on both backends (the audit leaf hashes are recomputed from stored rows).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    /// A statement with a bound LIMIT (every sea-orm `.one()`) or LIKE pattern is compiled once,
    /// not at every run: SQLite is built with its query planner stability guarantee
    /// (`.cargo/config.toml`).
    #[tokio::test]
    async fn the_embedded_sqlite_keeps_statements_compiled() {
        let db = sea_orm::Database::connect("sqlite::memory:")
            .await
            .expect("an in-memory SQLite");
        let rows = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA compile_options",
            ))
            .await
            .expect("compile options");
        let options: Vec<String> = rows
            .iter()
            .map(|r| r.try_get_by_index(0).expect("an option"))
            .collect();
        assert!(
            options.iter().any(|o| o == "ENABLE_QPSG"),
            "SQLite built without ENABLE_QPSG: {options:?}"
        );
    }
}
