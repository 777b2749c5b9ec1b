//! Command groups that open the application's database: serve, migrate, backup, restore, demo.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use app::db::Location;
use app::demo::{Account, Scale};
use clap::{Args, ValueEnum};

/// Where the data lives: SQLite under `--data-dir` unless a PostgreSQL URL is given.
#[derive(Args, Clone, Debug)]
pub struct StoreArgs {
    /// 数据目录：内置 SQLite 数据库、本局签名密钥、查重比对库所在目录（使用 PostgreSQL 时仍需要）
    #[arg(long, value_name = "DIR", default_value = "sunlight-data")]
    pub data_dir: PathBuf,
    /// PostgreSQL 连接串，例如 postgres://user@127.0.0.1/sunlight；给出时不使用 SQLite
    #[arg(long, value_name = "URL", env = "SUNLIGHT_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl StoreArgs {
    pub fn location(&self) -> anyhow::Result<Location> {
        match &self.database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Location::Postgres(url.clone()))
            }
            Some(url) if url.is_empty() => Ok(Location::SqliteDir(self.data_dir.clone())),
            Some(_) => anyhow::bail!(
                "--database-url 只支持 postgres:// 开头的 PostgreSQL 连接串；使用 SQLite 时请用 --data-dir"
            ),
            None => Ok(Location::SqliteDir(self.data_dir.clone())),
        }
    }
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// 监听地址与端口
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub store: StoreArgs,
    /// 演示模式：空数据库中生成演示数据，所有演示账号密码为 Demo@2026
    #[arg(long)]
    pub demo: bool,
    /// 通过 HTTPS 对外提供服务时设置：Cookie 加 Secure 标记
    #[arg(long)]
    pub secure_cookies: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ScaleArg {
    /// 一个市科技局
    Small,
    /// 一个市科技局，每个处室有更多人员
    City,
    /// 一个省科技厅和三个市科技局
    Province,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// 规模
    #[arg(long, value_enum, default_value = "small")]
    pub scale: ScaleArg,
    /// 随机种子：同一种子总是生成同样的数据
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

fn scale(s: ScaleArg) -> Scale {
    match s {
        ScaleArg::Small => Scale::Small,
        ScaleArg::City => Scale::City,
        ScaleArg::Province => Scale::Province,
    }
}

/// Runs an async command on a fresh runtime and turns its error into a Chinese message and exit 1.
pub fn block_on(f: impl std::future::Future<Output = anyhow::Result<()>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(f) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let location = args.store.location()?;
    let db = app::db::open(&location).await?;
    if args.demo {
        if app::demo::has_users(&db).await? && !app::demo::is_demo_database(&db).await? {
            anyhow::bail!("数据目录中是正式数据，不能以演示模式启动；请换一个 --data-dir");
        }
        if app::demo::has_users(&db).await? {
            app::demo::ensure_builtin_roles(&db).await?;
        } else {
            app::demo::generate(&db, Scale::Small, 2026).await?;
        }
        print_accounts(&app::demo::accounts(&db).await?);
    } else if app::demo::is_demo_database(&db).await? {
        anyhow::bail!(
            "数据目录中是演示数据（演示账号的密码是公开的），只能加 --demo 启动；正式使用请换一个 --data-dir"
        );
    } else if let Some(password) = app::demo::first_start(&db).await? {
        println!("首次启动：已创建管理员账号 admin，一次性密码：{password}");
        println!("请立即登录并修改密码；此密码只显示这一次。");
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| anyhow::anyhow!("无法监听 {}：{e}", args.listen))?;
    let shutdown = app::web::shutdown_signal();
    let local = listener.local_addr()?;
    println!("阳光监管 Sunlight 已启动：http://{local}/");
    tracing::info!(%local, "listening");
    let config = app::web::Config {
        demo: args.demo,
        secure_cookies: args.secure_cookies,
        data_dir: args.store.data_dir.clone(),
    };
    let state = app::web::AppState::new(db, config)?;
    println!(
        "本局审计日志公钥（供纪检组、审计局等核验）：{}",
        state.log_key.verifier()
    );
    app::web::serve(state, listener, shutdown).await
}

fn print_accounts(accounts: &[Account]) {
    println!(
        "演示模式：所有演示账号的密码都是 {}",
        app::demo::DEMO_PASSWORD
    );
    for a in accounts {
        println!(
            "  {:<14}{}（{}，{}）",
            a.username, a.role, a.name, a.department
        );
    }
}

pub async fn migrate(store: StoreArgs) -> anyhow::Result<()> {
    app::db::open(&store.location()?).await?;
    app::audit::log_key::load_or_create(&store.data_dir)?;
    println!("数据库迁移完成");
    Ok(())
}

pub async fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let db = app::db::open(&args.store.location()?).await?;
    app::audit::log_key::load_or_create(&args.store.data_dir)?;
    let accounts = app::demo::generate(&db, scale(args.scale), args.seed).await?;
    print_accounts(&accounts);
    Ok(())
}

pub async fn backup(store: StoreArgs, file: PathBuf) -> anyhow::Result<()> {
    let location = store.location()?;
    if let Location::SqliteDir(dir) = &location
        && !Location::sqlite_file(dir).exists()
    {
        anyhow::bail!("数据目录 {} 中没有数据库", dir.display());
    }
    let db = app::db::open(&location).await?;
    match app::db::backup::backup(&db, &location, &file).await? {
        app::db::backup::Backup::Written(path) => println!("已备份到 {}", path.display()),
        app::db::backup::Backup::PgDumpCommand(cmd) => {
            println!("PostgreSQL 请使用它自己的备份工具（恢复用 pg_restore）：");
            println!("{cmd}");
        }
    }
    Ok(())
}

pub async fn restore(store: StoreArgs, file: PathBuf) -> anyhow::Result<()> {
    match store.location()? {
        Location::Postgres(_) => {
            anyhow::bail!("PostgreSQL 请用 pg_restore 恢复 pg_dump 生成的备份")
        }
        Location::SqliteDir(dir) => {
            let path = app::db::backup::restore(&file, &dir).await?;
            println!("已恢复到 {}", path.display());
            if !app::audit::log_key::private_path(&dir).exists() {
                println!(
                    "注意：备份不含本局签名密钥。请把原数据目录中的 audit/log-key 与 audit/log-key.pub 复制到 {}，否则启动时会生成新密钥，原有检查点将无法用新公钥核验。",
                    dir.join("audit").display()
                );
            }
            Ok(())
        }
    }
}
