//! "No code path may write a business table without its event": writes are only possible through
//! `AuditedTx`. This test reads the application's source and fails on any write anywhere else.

use std::path::Path;

/// The files allowed to write to the database directly, and why.
const ALLOWED: &[(&str, &str)] = &[
    ("db/audited.rs", "the audited transaction itself"),
    (
        "db/migration.rs",
        "schema migrations and the first row of the audit counter",
    ),
    (
        "db/backup.rs",
        "VACUUM INTO copies the database, it changes no row",
    ),
    (
        "auth/session.rs",
        "sessions are access records, not business data",
    ),
    ("auth/login_log.rs", "the login log is an access record"),
    (
        "audit/checkpoints.rs",
        "checkpoints and cosignatures carry their own signatures; a changed row fails them",
    ),
    (
        "audit/integrate.rs",
        "moves sequenced events into the Merkle log; it writes only the audit tables",
    ),
    (
        "audit/integrity.rs",
        "the record of each full verification is an operational record, not business data",
    ),
];

/// Calls that run a write whatever their receiver: SeaORM executors and raw statements.
const EXECUTING: &[&str] = &[
    ".exec(",
    ".exec_with_returning(",
    ".exec_without_returning(",
    "execute_unprepared(",
    ".execute(",
    ".execute_raw(",
    ".begin()",
    ".transaction(",
    ".transaction::<",
];

/// ActiveModel writes take the connection as their argument: `.insert(db)`, `.update(&state.db)`.
const MODEL_WRITES: &[&str] = &[".insert(", ".update(", ".save(", ".delete("];
const CONNECTIONS: &[&str] = &[
    "db)",
    "db,",
    "&db",
    "&state.db",
    "state.db",
    "&self.db",
    "self.db",
    "conn",
    "txn",
];

/// The source without comments and without any whitespace, so that calls split over lines by
/// rustfmt read as one: `tx\n    .insert(` becomes `tx.insert(`.
fn squeezed(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<String>()
        .split_whitespace()
        .collect()
}

/// Every offending call in squeezed source, with a little context.
fn direct_writes(code: &str) -> Vec<String> {
    let context = |at: usize| {
        let from = code.floor_char_boundary(at.saturating_sub(40));
        let to = code.ceil_char_boundary((at + 60).min(code.len()));
        code[from..to].to_owned()
    };
    let mut found = Vec::new();
    for pattern in EXECUTING {
        found.extend(code.match_indices(pattern).map(|(at, _)| context(at)));
    }
    for pattern in MODEL_WRITES {
        for (at, _) in code.match_indices(pattern) {
            let argument = &code[at + pattern.len()..];
            if CONNECTIONS.iter().any(|c| argument.starts_with(c)) {
                found.push(context(at));
            }
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_audited_transaction_writes() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "the scan sees the source");
    let mut offences = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if ALLOWED.iter().any(|(f, _)| *f == rel) {
            continue;
        }
        for write in direct_writes(&squeezed(&std::fs::read_to_string(&file).unwrap())) {
            offences.push(format!("{rel}: …{write}…"));
        }
    }
    assert!(
        offences.is_empty(),
        "writes outside AuditedTx:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_scan_would_catch_a_direct_write() {
    for write in [
        "department::Entity::delete_by_id(3).exec(db).await?;",
        "db.execute_unprepared(\"UPDATE app_user SET name = 'x'\").await?;",
        "am.update(&state.db).await?;",
        "user::ActiveModel { ..Default::default() }\n        .insert(\n            db,\n        )",
        "let txn = state.db.begin().await?;",
    ] {
        assert_eq!(direct_writes(&squeezed(write)).len(), 1, "{write}");
    }
    // Writes through the audited transaction, map inserts and routes are not writes.
    for fine in [
        "tx.insert(am).await?;",
        "map.insert(k, v);",
        ".route(\"/x\", get(a).delete(b))",
        "g.tx\n    .update(&before, am)",
    ] {
        assert!(direct_writes(&squeezed(fine)).is_empty(), "{fine}");
    }
}
