//! 备份与恢复: a consistent online copy of the embedded database, and its restore into an empty
//! data directory. PostgreSQL has its own tools (pg_dump / pg_restore); for it we say the command.

use std::path::{Path, PathBuf};

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::Location;

/// What `backup` did.
pub enum Backup {
    /// The SQLite database was copied to this file.
    Written(PathBuf),
    /// PostgreSQL: run this command (it needs the server's own client tools).
    PgDumpCommand(String),
}

/// Copies the live database to `file` without stopping the server (SQLite `VACUUM INTO` reads one
/// consistent snapshot). Refuses to overwrite an existing file.
pub async fn backup(
    db: &DatabaseConnection,
    location: &Location,
    file: &Path,
) -> anyhow::Result<Backup> {
    match location {
        Location::Postgres(url) => Ok(Backup::PgDumpCommand(format!(
            "pg_dump --format=custom --no-owner --file '{}' '{}'",
            file.display(),
            url
        ))),
        Location::SqliteDir(_) => {
            if file.exists() {
                anyhow::bail!(
                    "备份文件 {} 已存在，不会覆盖；请换一个文件名",
                    file.display()
                );
            }
            let target = file.to_str().ok_or_else(|| {
                anyhow::anyhow!("备份文件路径 {} 不是有效的 UTF-8", file.display())
            })?;
            db.execute_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                "VACUUM INTO ?",
                [target.into()],
            ))
            .await
            .map_err(|e| anyhow::anyhow!("备份到 {} 失败：{e}", file.display()))?;
            Ok(Backup::Written(file.to_owned()))
        }
    }
}

/// The first 16 bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Restores a backup made by [`backup`] into `dir`, which must not hold a database yet. The copy is
/// checked (`PRAGMA integrity_check`) and migrated before it takes the database's place, so a bad
/// file leaves the directory as it was.
pub async fn restore(file: &Path, dir: &Path) -> anyhow::Result<PathBuf> {
    let target = Location::sqlite_file(dir);
    if target.exists() {
        anyhow::bail!(
            "数据目录 {} 中已有数据库，恢复只能在空数据目录中进行",
            dir.display()
        );
    }
    let mut header = [0u8; 16];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(file)
            .map_err(|e| anyhow::anyhow!("无法打开备份文件 {}：{e}", file.display()))?;
        f.read_exact(&mut header).map_err(|_| {
            anyhow::anyhow!("{} 不是 Sunlight 的备份文件（文件过短）", file.display())
        })?;
    }
    if &header != SQLITE_HEADER {
        anyhow::bail!(
            "{} 不是 Sunlight 的备份文件（不是 SQLite 数据库）",
            file.display()
        );
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("无法创建数据目录 {}：{e}", dir.display()))?;
    let staging = dir.join("sunlight.db.restoring");
    std::fs::copy(file, &staging).map_err(|e| anyhow::anyhow!("无法复制备份文件：{e}"))?;
    let checked = check_and_migrate(&staging).await;
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&staging);
        return Err(e);
    }
    std::fs::rename(&staging, &target).map_err(|e| anyhow::anyhow!("无法放置恢复的数据库：{e}"))?;
    Ok(target)
}

async fn check_and_migrate(file: &Path) -> anyhow::Result<()> {
    let url = format!("sqlite://{}?mode=rw", file.display());
    let db = sea_orm::Database::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("无法打开备份文件：{e}"))?;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA integrity_check",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("备份文件完整性检查没有结果"))?;
    let verdict: String = row.try_get_by_index(0)?;
    if verdict != "ok" {
        anyhow::bail!("备份文件已损坏：{verdict}");
    }
    let has_audit: Option<sea_orm::QueryResult> = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_event'",
        ))
        .await?;
    if has_audit.is_none() {
        anyhow::bail!(
            "{} 不是 Sunlight 的备份文件（缺少操作日志表）",
            file.display()
        );
    }
    super::migrate(&db).await?;
    db.close().await?;
    Ok(())
}
