//! Backup and restore lose nothing: users, departments, settings and the whole audit trail come back,
//! and the restored data can be logged into.

use crate::common::{PASSWORD, backend_is_postgres, demo_app, scalar_i64};

const TABLES: [&str; 8] = [
    "department",
    "app_user",
    "role",
    "user_role",
    "setting",
    "audit_event",
    "audit_pending",
    "login_log",
];

#[tokio::test]
async fn a_backup_restores_everything() {
    let app = demo_app().await;
    let admin = app.login("admin", PASSWORD).await;
    let r = app
        .post_form(
            &admin,
            "/system/settings",
            &crate::common::settings_form(&[("login.max_failures", "7")]),
        )
        .await;
    assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
    let leaf_before: String = last_leaf(&app.db).await;
    let mut counts = Vec::new();
    for t in TABLES {
        counts.push(app.count(t).await);
    }
    let dir = std::env::temp_dir().join(format!("sunlight-backup-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("backup.db");

    if backend_is_postgres() {
        // PostgreSQL is backed up with its own tools: the command we print must really work.
        let app::db::backup::Backup::PgDumpCommand(cmd) =
            app::db::backup::backup(&app.db, &app.location, &file)
                .await
                .unwrap()
        else {
            panic!("PostgreSQL backups are made with pg_dump")
        };
        run(&cmd);
        let target = crate::common::fresh_location().await;
        let app::db::Location::Postgres(url) = &target else {
            unreachable!()
        };
        run(&format!(
            "pg_restore --no-owner --dbname '{url}' '{}'",
            file.display()
        ));
        let restored = app::db::open(&target).await.unwrap();
        for (t, n) in TABLES.iter().zip(&counts) {
            assert_eq!(
                scalar_i64(&restored, &format!("SELECT COUNT(*) FROM {t}")).await,
                *n,
                "{t}"
            );
        }
        assert_eq!(last_leaf(&restored).await, leaf_before);
    } else {
        let app::db::backup::Backup::Written(path) =
            app::db::backup::backup(&app.db, &app.location, &file)
                .await
                .unwrap()
        else {
            panic!("SQLite is backed up to a file")
        };
        assert!(path.exists());
        // A second backup to the same file is refused rather than overwriting it.
        assert!(
            app::db::backup::backup(&app.db, &app.location, &file)
                .await
                .is_err()
        );
        let target = dir.join("restored");
        app::db::backup::restore(&file, &target).await.unwrap();
        // Restoring over existing data is refused.
        let err = app::db::backup::restore(&file, &target)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("已有数据库"), "{err}");
        let location = app::db::Location::SqliteDir(target);
        let restored = app::db::open(&location).await.unwrap();
        for (t, n) in TABLES.iter().zip(&counts) {
            assert_eq!(
                scalar_i64(&restored, &format!("SELECT COUNT(*) FROM {t}")).await,
                *n,
                "{t}"
            );
        }
        assert_eq!(last_leaf(&restored).await, leaf_before);
        assert_eq!(
            app::settings::get_int(&restored, "login.max_failures")
                .await
                .unwrap(),
            7
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn restoring_a_file_that_is_not_a_backup_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("sunlight-restore-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("notes.txt");
    std::fs::write(&file, "这不是数据库，只是一份会议记录。").unwrap();
    let target = dir.join("data");
    let err = app::db::backup::restore(&file, &target)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("不是 Sunlight 的备份文件"), "{err}");
    assert!(!app::db::Location::sqlite_file(&target).exists());
    let _ = std::fs::remove_dir_all(&dir);
}

async fn last_leaf(db: &sea_orm::DatabaseConnection) -> String {
    use sea_orm::ConnectionTrait;
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT leaf_hash FROM audit_event ORDER BY seq DESC LIMIT 1",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index(0).unwrap()
}

fn run(cmd: &str) {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .status()
        .unwrap();
    assert!(status.success(), "{cmd}");
}
