//! `sunlight audit witness`: a small witness (见证人) that another office — 纪检组, 审计局, 财政局 — runs
//! on its own machine. Each round it fetches the log's latest checkpoint and a consistency proof from
//! the checkpoint it cosigned last, checks both with the `audit` crate's witness state machine, keeps
//! the new checkpoint, and hands its cosignature back to the log. A forked or rolled-back log is
//! refused with a non-zero exit, and its state is left as it was.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use audit::{KeyKind, KeyName, SignedCheckpoint, SignerKey, VerifierKey, Witness};
use clap::Args;
use rand::TryRngCore as _;

#[derive(Args)]
pub struct WitnessArgs {
    /// 见证人状态目录：见证人密钥与每个日志最后联署的检查点（首次运行时创建）
    #[arg(long, value_name = "目录")]
    state: PathBuf,
    /// 首次运行时见证人密钥的名称，例如 jijianzu.example/witness
    #[arg(long, value_name = "名称", default_value = "sunlight-witness")]
    name: String,
    /// 被见证的阳光监管服务器地址，例如 http://10.0.0.5:8080；不给出时只创建并输出见证人公钥
    #[arg(long, value_name = "URL")]
    log: Option<String>,
    /// 被见证日志的公钥文件（从该局正式渠道取得）
    #[arg(long, value_name = "文件", requires = "log")]
    log_key: Option<PathBuf>,
    /// 每隔多少分钟见证一次（不给出时只见证一次）
    #[arg(long, value_name = "分钟")]
    every: Option<u64>,
}

pub fn run(args: WitnessArgs) -> ExitCode {
    match round_or_loop(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

fn round_or_loop(args: &WitnessArgs) -> anyhow::Result<()> {
    let key = load_or_create_key(&args.state, &args.name)?;
    println!(
        "见证人公钥（请被见证单位用 sunlight audit add-witness 登记）：{}",
        key.verifier()
    );
    let Some(log) = &args.log else {
        return Ok(());
    };
    let log_key_path = args
        .log_key
        .as_ref()
        .context("给出 --log 时须用 --log-key 给出该日志的公钥文件")?;
    let log_key = app::audit::log_key::read_public(log_key_path)?;
    loop {
        round(&args.state, &key, log.trim_end_matches('/'), &log_key)?;
        match args.every {
            Some(minutes) => std::thread::sleep(Duration::from_secs(minutes.max(1) * 60)),
            None => return Ok(()),
        }
    }
}

fn key_path(state: &Path) -> PathBuf {
    state.join("witness-key")
}

fn load_or_create_key(state: &Path, name: &str) -> anyhow::Result<SignerKey> {
    let path = key_path(state);
    if let Ok(text) = std::fs::read_to_string(&path) {
        return SignerKey::parse(text.trim())
            .with_context(|| format!("见证人密钥 {} 已损坏", path.display()));
    }
    std::fs::create_dir_all(state)
        .with_context(|| format!("无法创建状态目录 {}", state.display()))?;
    let name = KeyName::new(name)?;
    let mut seed = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut seed)
        .map_err(|e| anyhow::anyhow!("无法取得随机数：{e}"))?;
    let key = SignerKey::from_seed(name, KeyKind::Cosignature, seed);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("无法创建见证人密钥 {}", path.display()))?;
    std::io::Write::write_all(&mut file, format!("{}\n", key.to_private_text()).as_bytes())?;
    file.sync_all()?;
    std::fs::write(
        state.join("witness-key.pub"),
        format!("{}\n", key.verifier()),
    )?;
    Ok(key)
}

/// The file holding the latest checkpoint cosigned for a log (named by a hash of its origin).
fn log_state_path(state: &Path, origin: &str) -> PathBuf {
    let digest = audit::leaf_hash(origin.as_bytes()).to_hex();
    state
        .join("logs")
        .join(format!("{}.checkpoint", &digest[..16]))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn get(agent: &ureq::Agent, url: &str) -> anyhow::Result<String> {
    let mut resp = agent
        .get(url)
        .call()
        .with_context(|| format!("无法连接 {url}"))?;
    let status = resp.status();
    let body = resp.body_mut().read_to_string()?;
    if !status.is_success() {
        anyhow::bail!("{url} 答复 {status}：{}", body.trim());
    }
    Ok(body)
}

/// One round: fetch, check, cosign, keep, hand back.
fn round(state: &Path, key: &SignerKey, log: &str, log_key: &VerifierKey) -> anyhow::Result<()> {
    let origin = log_key.name().as_str().to_owned();
    let mut witness = Witness::new(key.clone())?;
    let saved_path = log_state_path(state, &origin);
    match std::fs::read_to_string(&saved_path) {
        Ok(text) => witness.restore_log(log_key.clone(), &text)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            witness.add_log(&origin, log_key.clone())?
        }
        Err(e) => return Err(e).context(format!("无法读取 {}", saved_path.display())),
    }
    let known_size = witness.logs().get(&origin).map_or(0, |l| l.size());

    let agent = agent();
    let text = get(&agent, &format!("{log}/audit/checkpoint"))?;
    let checkpoint = SignedCheckpoint::parse(&text).context("日志给出的检查点格式无效")?;
    let new_size = checkpoint.checkpoint().size();
    let proof = if known_size > 0 && known_size < new_size {
        get(
            &agent,
            &format!("{log}/audit/consistency?old={known_size}&new={new_size}"),
        )?
    } else {
        String::new()
    };
    let request = format!("old {known_size}\n{proof}\n{text}");
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let line = witness
        .add_checkpoint(&request, timestamp)
        .map_err(|e| anyhow::anyhow!("拒绝联署 / refused：{e}"))?;

    // Keep the new checkpoint before answering, as tlog-witness requires.
    let latest = witness
        .logs()
        .get(&origin)
        .and_then(|l| l.latest.as_ref())
        .context("见证状态缺失")?
        .to_string();
    let dir = saved_path.parent().context("状态目录无效")?;
    std::fs::create_dir_all(dir)?;
    let tmp = saved_path.with_extension("tmp");
    std::fs::write(&tmp, &latest)?;
    std::fs::rename(&tmp, &saved_path)?;
    println!("已联署 {origin} 大小为{new_size}的检查点（上次见证的大小为{known_size}）");

    let mut resp = agent
        .post(&format!("{log}/audit/cosignature?size={new_size}"))
        .content_type("text/plain; charset=utf-8")
        .send(line.to_string())
        .with_context(|| format!("无法把联署交回 {log}"))?;
    let status = resp.status();
    let body = resp.body_mut().read_to_string()?;
    if !status.is_success() {
        anyhow::bail!("日志未接受联署（{status}）：{}", body.trim());
    }
    print!("{body}");
    Ok(())
}
