//! `sunlight`: the one binary of the platform.
mod cmd;
mod store;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "sunlight",
    version,
    about = "阳光监管 Sunlight — 科技局监管平台"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    // One variant per command group; each group lives in its own module under `cmd/` or in `store`.
    /// 启动网页服务（默认 127.0.0.1:8080，数据在 ./sunlight-data/）
    Serve(store::ServeArgs),
    /// 只执行数据库迁移
    Migrate(store::StoreArgs),
    /// 在线备份数据库到文件（SQLite；PostgreSQL 时给出 pg_dump 命令）
    Backup {
        #[command(flatten)]
        store: store::StoreArgs,
        /// 备份文件
        file: PathBuf,
    },
    /// 把备份文件恢复到空数据目录
    Restore {
        #[command(flatten)]
        store: store::StoreArgs,
        /// 备份文件
        file: PathBuf,
    },
    /// 向空数据库生成演示数据
    Demo(store::DemoArgs),
    /// 审计日志：核验、导出、签署检查点、离线证明、见证
    Audit {
        #[command(subcommand)]
        cmd: cmd::audit::AuditCommand,
    },
    /// 工作日历：工作日、法定节假日与调休、公示期计算
    Calendar {
        #[command(subcommand)]
        cmd: cmd::calendar::CalendarCommand,
    },
    /// 巡察整改台账：导入已发布的整改情况通报
    Ledger {
        #[command(subcommand)]
        cmd: cmd::ledger::LedgerCommand,
    },
    /// 查重：建立比对库、检查文档的文字复制比、找出相似的文档对
    Similarity {
        #[command(subcommand)]
        cmd: cmd::similarity::SimilarityCommand,
    },
    /// 证件号码：检查统一社会信用代码、公民身份号码并说明其含义
    Id {
        #[command(subcommand)]
        cmd: cmd::id::IdCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match cli.command {
        // One arm per variant above.
        Command::Serve(args) => store::block_on(store::serve(args)),
        Command::Migrate(args) => store::block_on(store::migrate(args)),
        Command::Backup { store, file } => store::block_on(store::backup(store, file)),
        Command::Restore { store, file } => store::block_on(store::restore(store, file)),
        Command::Demo(args) => store::block_on(store::demo(args)),
        Command::Audit { cmd } => cmd::audit::run(cmd),
        Command::Calendar { cmd } => cmd::calendar::run(cmd),
        Command::Id { cmd } => cmd::id::run(cmd),
        Command::Similarity { cmd } => cmd::similarity::run(cmd),
        Command::Ledger { cmd } => cmd::ledger::run(cmd),
    }
}

/// Structured logs on stderr; `RUST_LOG` chooses what (default: info for Sunlight, warn for the rest).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("warn,app=info,sunlight=info,tower_http=info")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
