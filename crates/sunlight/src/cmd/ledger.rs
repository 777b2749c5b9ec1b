//! `sunlight ledger …`: the rectification ledger (巡察整改台账) from the command line.
//!
//! `import-bulletin --dry-run` reads a published 整改情况通报 (UTF-8 text or Word .docx) and shows
//! the draft ledger it proposes: a one-line summary or the whole tree as JSON. Headline figures the
//! text states but the tree does not bear out are warnings on stderr. Without `--dry-run` the
//! ledger is created in the database, in one audited transaction.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bulletin::Parsed;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// 读取已发布的巡察整改情况通报（UTF-8 文本或 Word .docx），生成整改台账草稿
    ImportBulletin {
        /// 通报文件：.txt（UTF-8）或 .docx
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 只解析并显示结果，不写入数据库
        #[arg(long)]
        dry_run: bool,
        /// 输出一行统计：sections=N main=N specific=N measures=N completed=N in_progress=N（默认）
        #[arg(long, conflicts_with = "json")]
        summary: bool,
        /// 以 JSON 输出解析得到的完整通报结构
        #[arg(long)]
        json: bool,
        /// 被巡察单位（部门名称或编码）；默认为最上级部门
        #[arg(long, value_name = "部门")]
        department: Option<String>,
        #[command(flatten)]
        store: crate::store::StoreArgs,
    },
}

pub fn run(cmd: LedgerCommand) -> ExitCode {
    match cmd {
        LedgerCommand::ImportBulletin {
            file,
            dry_run,
            summary: _,
            json,
            department,
            store,
        } => match read(&file) {
            Ok(parsed) if dry_run => show(&parsed, json),
            Ok(parsed) => {
                for warning in &parsed.warnings {
                    eprintln!("警告：{warning}");
                }
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                crate::store::block_on(import(parsed, name, department, store))
            }
            Err(message) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Reads and parses the file; the error is a message for the user, naming the file.
fn read(file: &Path) -> Result<Parsed, String> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|e| format!("无法读取文件 {name}：{e}"))?;
    app::ledger::import::read(&name, &bytes)
}

fn show(parsed: &Parsed, json: bool) -> ExitCode {
    for warning in &parsed.warnings {
        eprintln!("警告：{warning}");
    }
    if json {
        match serde_json::to_string_pretty(&parsed.bulletin) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("无法输出 JSON：{e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        println!("{}", parsed.summary());
    }
    ExitCode::SUCCESS
}

/// Creates the ledger in the database for the inspected unit.
async fn import(
    parsed: Parsed,
    source: String,
    department: Option<String>,
    store: crate::store::StoreArgs,
) -> anyhow::Result<()> {
    use app::org::entities::department as dept;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let db = app::db::open(&store.location()?).await?;
    let unit = match &department {
        Some(key) => dept::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(dept::Column::Name.eq(key.as_str()))
                    .add(dept::Column::Code.eq(key.as_str())),
            )
            .one(&db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("没有名称或编码为“{key}”的部门"))?,
        None => dept::Entity::find()
            .filter(dept::Column::ParentId.is_null())
            .order_by_asc(dept::Column::Id)
            .one(&db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("数据库中还没有部门：请先启动一次 sunlight serve"))?,
    };
    let draft = app::ledger::import::draft(&parsed.bulletin, unit.id, &source);
    let (sections, main, specific, measures) = app::ledger::import::counts(&draft);
    let actor = app::db::audited::Actor::system("命令行导入（sunlight ledger import-bulletin）");
    let id = app::ledger::store::create(&db, actor, "ledger.inspection.import", &draft)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "已导入整改台账（编号{id}，{}）：{sections}个方面、{main}个主要问题、{specific}个具体问题、{measures}条整改措施",
        unit.name
    );
    Ok(())
}
