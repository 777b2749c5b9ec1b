//! `sunlight audit …`: the tamper-evident log from the command line — verify the live database or an
//! export, export the log, sign a checkpoint, print and check offline proofs, register witnesses,
//! and run a witness for another office.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::store::StoreArgs;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// 核验数据库（或导出目录）：每条事件的哈希、序号连续、对象历史链、默克尔树与本局签名的检查点，以及业务记录与审计记录一致
    Verify(VerifyArgs),
    /// 把审计日志导出到一个新目录：事件、检查点（含联署）、本局公钥，可在没有数据库的电脑上核验
    Export {
        #[command(flatten)]
        store: StoreArgs,
        /// 导出目录（新建或空目录）
        #[arg(value_name = "目录")]
        dir: PathBuf,
    },
    /// 输出一条事件的离线证明文件（c2sp.org/tlog-proof@v1，含事件内容）
    Prove {
        #[command(flatten)]
        store: StoreArgs,
        /// 事件序号
        #[arg(long, value_name = "序号")]
        seq: i64,
    },
    /// 用本局密钥立即签署当前日志的检查点并输出
    Checkpoint(StoreArgs),
    /// 离线核验一个证明文件：事件确在本局签名的日志中
    CheckProof {
        /// 证明文件（.tlog-proof）
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 本局审计日志公钥文件（从本局正式渠道取得）
        #[arg(long, value_name = "文件")]
        key: PathBuf,
    },
    /// 登记一个见证单位的联署公钥（记入操作日志）
    AddWitness {
        #[command(flatten)]
        store: StoreArgs,
        /// 见证人公钥（sunlight audit witness 首次运行时输出）
        #[arg(value_name = "公钥")]
        key: String,
    },
    /// 见证人：取得日志的最新检查点，核对与上次所见一致后联署并交回；拒绝分叉或回滚的日志
    Witness(crate::cmd::witness::WitnessArgs),
}

#[derive(Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// 本局审计日志公钥文件；默认取数据目录中的 audit/log-key.pub
    #[arg(long, value_name = "文件")]
    key: Option<PathBuf>,
    /// 核验导出目录（sunlight audit export 的结果），不连接数据库
    #[arg(long, value_name = "目录")]
    export: Option<PathBuf>,
}

pub fn run(cmd: AuditCommand) -> std::process::ExitCode {
    match cmd {
        AuditCommand::Verify(args) => crate::store::block_on(verify(args)),
        AuditCommand::Export { store, dir } => crate::store::block_on(export(store, dir)),
        AuditCommand::Prove { store, seq } => crate::store::block_on(prove(store, seq)),
        AuditCommand::Checkpoint(store) => crate::store::block_on(checkpoint(store)),
        AuditCommand::CheckProof { file, key } => {
            crate::store::block_on(async move { check_proof(&file, &key) })
        }
        AuditCommand::AddWitness { store, key } => crate::store::block_on(add_witness(store, key)),
        AuditCommand::Witness(args) => crate::cmd::witness::run(args),
    }
}

async fn open(store: &StoreArgs) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let location = store.location()?;
    if let app::db::Location::SqliteDir(dir) = &location
        && !app::db::Location::sqlite_file(dir).exists()
    {
        anyhow::bail!("数据目录 {} 中没有数据库", dir.display());
    }
    app::db::open(&location).await
}

fn public_key(args: &VerifyArgs) -> anyhow::Result<audit::VerifierKey> {
    let path = args
        .key
        .clone()
        .unwrap_or_else(|| app::audit::log_key::public_path(&args.store.data_dir));
    Ok(app::audit::log_key::read_public(&path)?)
}

/// Prints `ok size=N root=BASE64` (and the checkpoint it was checked against), or names the first
/// problem and fails.
async fn verify(args: VerifyArgs) -> anyhow::Result<()> {
    if let Some(dir) = &args.export {
        let key = match &args.key {
            Some(path) => app::audit::log_key::read_public(path)?,
            None => {
                eprintln!(
                    "注意：未给出 --key，使用导出目录自带的公钥；它只能说明导出内部一致，请用本局公布的公钥核验出处"
                );
                app::audit::log_key::read_public(&dir.join("log-key.pub"))?
            }
        };
        return match app::audit::export::verify_export(dir, &key)? {
            Ok(v) => {
                println!("ok size={} root={}", v.log.size, v.log.root.to_base64());
                print_checkpoint(v.log.checkpoint, v.log.size);
                if !v.cosigned_by.is_empty() {
                    println!("最新检查点的见证人联署：{}", v.cosigned_by.join("、"));
                }
                Ok(())
            }
            Err(f) => anyhow::bail!("审计核验未通过 / verification failed\n{f}"),
        };
    }
    let key = public_key(&args)?;
    let db = open(&args.store).await?;
    match app::audit::verify::verify(&db, &key).await? {
        Ok(ok) => {
            println!("ok size={} root={}", ok.size, ok.root.to_base64());
            print_checkpoint(ok.checkpoint, ok.size);
            Ok(())
        }
        Err(finding) => anyhow::bail!("审计核验未通过 / verification failed\n{finding}"),
    }
}

fn print_checkpoint(checked: Option<u64>, size: u64) {
    match checked {
        Some(c) if c == size => println!("与本局签名的检查点（大小{c}）一致"),
        Some(c) => println!(
            "与本局签名的检查点（大小{c}）一致；其后{}条事件尚无签名检查点",
            size - c
        ),
        None if size > 0 => println!("尚无签名检查点：日志内部一致，但未经本局密钥签名"),
        None => {}
    }
}

async fn export(store: StoreArgs, dir: PathBuf) -> anyhow::Result<()> {
    let db = open(&store).await?;
    let key = app::audit::log_key::load_or_create(&store.data_dir)?;
    let done = app::audit::export::export(&db, &key, &dir).await?;
    println!(
        "已导出{}条审计事件、{}个检查点到 {}",
        done.events,
        done.checkpoints,
        dir.display()
    );
    println!(
        "核验：sunlight audit verify --export {} --key 本局公布的公钥文件",
        dir.display()
    );
    Ok(())
}

async fn prove(store: StoreArgs, seq: i64) -> anyhow::Result<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = open(&store).await?;
    let key = app::audit::log_key::load_or_create(&store.data_dir)?;
    let event = app::audit::entity::Entity::find()
        .filter(app::audit::entity::Column::Seq.eq(seq))
        .one(&db)
        .await?
        .with_context(|| format!("没有第{seq}号审计事件"))?;
    let index = (seq - 1) as u64;
    let checkpoint = match app::audit::checkpoints::latest(&db).await? {
        Some(c) if c.size > index => c,
        _ => app::audit::checkpoints::sign_current(&db, &key)
            .await?
            .context("日志为空")?,
    };
    let proof = app::audit::checkpoints::inclusion_proof(&db, index, checkpoint.size).await?;
    let bytes = event
        .to_event()
        .map_err(|e| anyhow::anyhow!("第{seq}号审计事件无法读取：{e}"))?
        .canonical_bytes();
    let bundle = audit::ProofBundle::new(index, proof, checkpoint.signed).with_extra(bytes);
    print!("{bundle}");
    Ok(())
}

async fn checkpoint(store: StoreArgs) -> anyhow::Result<()> {
    let db = open(&store).await?;
    let key = app::audit::log_key::load_or_create(&store.data_dir)?;
    match app::audit::checkpoints::sign_current(&db, &key).await? {
        Some(c) => {
            print!("{}", c.text());
            Ok(())
        }
        None => anyhow::bail!("日志为空，没有可签署的内容"),
    }
}

fn check_proof(file: &Path, key: &Path) -> anyhow::Result<()> {
    let key = app::audit::log_key::read_public(key)?;
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("无法读取证明文件 {}", file.display()))?;
    let bundle = audit::ProofBundle::parse(&text)?;
    let verified = audit::verify_bundle(&bundle, &audit::Verifiers::from(key))
        .map_err(|e| anyhow::anyhow!("证明不成立 / proof does not verify：{e}"))?;
    println!(
        "ok index={} size={} root={}",
        verified.index,
        verified.checkpoint.checkpoint.size(),
        verified.checkpoint.checkpoint.root().to_base64()
    );
    println!("{}", String::from_utf8_lossy(&verified.leaf_input));
    Ok(())
}

async fn add_witness(store: StoreArgs, key: String) -> anyhow::Result<()> {
    let key = audit::VerifierKey::parse(key.trim()).context("见证人公钥无效")?;
    if key.kind() != audit::KeyKind::Cosignature {
        anyhow::bail!("这是日志签名公钥，不是见证人的联署公钥");
    }
    let db = open(&store).await?;
    if app::audit::integrity::register_witness(&db, &key).await? {
        println!("已登记见证人 {}", key.name());
    } else {
        println!("见证人 {} 已登记过", key.name());
    }
    Ok(())
}
