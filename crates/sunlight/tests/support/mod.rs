//! Running the real binary: fresh data locations for either backend, and a server on a free port.

#![allow(dead_code)] // each test file uses a part of this module

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

pub const BIN: &str = env!("CARGO_BIN_EXE_sunlight");
static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn postgres() -> bool {
    match std::env::var("SUNLIGHT_TEST_DB").as_deref() {
        Ok("postgres") => true,
        Ok("sqlite") | Err(_) => false,
        Ok(other) => panic!("SUNLIGHT_TEST_DB={other}: expected sqlite or postgres"),
    }
}

fn pg_base() -> String {
    std::env::var("SUNLIGHT_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Where a test's data lives: arguments for the binary (`--data-dir` or `--database-url`).
pub struct Store {
    pub dir: PathBuf,
    pub args: Vec<String>,
}

impl Store {
    /// A fresh, empty store of the backend under test, plus a scratch directory.
    pub fn fresh(name: &str) -> Store {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let args = if postgres() {
            let db = format!("sunlight_t_cli_{}_{n}", std::process::id());
            psql(&format!("DROP DATABASE IF EXISTS {db}"));
            psql(&format!("CREATE DATABASE {db}"));
            let (prefix, _) = pg_base()
                .rsplit_once('/')
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .unwrap();
            // The data directory still holds the files outside the database (the log's key).
            vec![
                "--database-url".into(),
                format!("{prefix}/{db}"),
                "--data-dir".into(),
                dir.join("data").display().to_string(),
            ]
        } else {
            vec!["--data-dir".into(), dir.join("data").display().to_string()]
        };
        Store { dir, args }
    }
}

pub fn psql(sql: &str) {
    let out = Command::new("psql")
        .arg(pg_base())
        .arg("-qc")
        .arg(sql)
        .output()
        .expect("psql is installed");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the binary to completion: (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("SUNLIGHT_DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running `sunlight serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
    /// What the server printed before it started listening.
    pub banner: String,
}

impl Server {
    /// The child is killed and waited for in `Drop`.
    #[allow(clippy::zombie_processes)]
    pub fn start(store: &Store, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(&store.args)
            .args(extra)
            .env_remove("SUNLIGHT_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                let _ = child.wait();
                panic!("the server stopped before listening:\n{banner}");
            }
            if let Some(url) = line.trim().strip_prefix("阳光监管 Sunlight 已启动：") {
                let url = url.trim_end_matches('/').to_owned();
                // Keep draining stdout so the server never blocks on a full pipe.
                std::thread::spawn(move || for _ in reader.lines() {});
                return Server { child, url, banner };
            }
            banner.push_str(&line);
        }
    }
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
