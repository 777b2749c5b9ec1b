//! `sunlight similarity …`: the 查重 engine on files — fill a comparison library (比对库) kept in a
//! directory, check one document against it, and scan it for near-duplicate pairs.
//!
//! Other checks call these commands exactly as written here; the `--json` outputs are their interface.

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use similarity::extract::{collect_files, read_text};
use similarity::{DocId, Document, Index, Report, Settings};

/// Longest excerpt of a passage shown in the plain-text report, in chars.
const EXCERPT_LEN: usize = 40;
/// Longest owner name (申报单位 or 申请人), in chars.
const MAX_OWNER_LEN: usize = 200;
/// Segments at which `index` merges the small ones: a check looks up every segment, and each `index`
/// run adds one. (A long-running server merges on a background thread instead; a command can only
/// merge before it exits.)
const MERGE_AT: usize = 10;

#[derive(Subcommand)]
pub enum SimilarityCommand {
    /// 把 .txt（UTF-8）和 .docx 文件加入比对库；给出目录时加入其中全部此类文件，文档编号为不含扩展名的文件名
    Index {
        /// 比对库目录（不存在时新建）
        #[arg(long, value_name = "目录")]
        index: PathBuf,
        /// 这些文件的申报单位或申请人；查重时同一单位的文献计入“本人已有文献”
        #[arg(long, value_name = "单位", value_parser = owner)]
        owner: Option<String>,
        /// 文件或目录
        #[arg(value_name = "路径", required = true)]
        paths: Vec<PathBuf>,
    },
    /// 将一个文件与比对库比对并输出查重报告（不加入比对库）
    Check {
        /// 比对库目录
        #[arg(long, value_name = "目录")]
        index: PathBuf,
        /// 待查文件（.txt 或 .docx）
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 待查文件的申报单位或申请人：来自同一单位的文献不计入“去除本人已有文献复制比”
        #[arg(long, value_name = "单位", value_parser = owner)]
        owner: Option<String>,
        /// 以 JSON 输出报告
        #[arg(long)]
        json: bool,
    },
    /// 列出比对库中相似度（5字片段 Jaccard）不低于阈值的全部文档对
    Scan {
        /// 比对库目录
        #[arg(long, value_name = "目录")]
        index: PathBuf,
        /// 相似度阈值，0 到 1 之间
        #[arg(long, value_name = "阈值", default_value = "0.5", value_parser = threshold)]
        threshold: f64,
        /// 每行输出一个 JSON 对象 {a, b, jaccard, containment}
        #[arg(long)]
        json: bool,
    },
}

fn threshold(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(t) if (0.0..=1.0).contains(&t) => Ok(t),
        _ => Err(format!("阈值应为0到1之间的小数（如0.5），实为“{text}”")),
    }
}

/// An owner name as given on the command line: trimmed, not empty, no control characters.
fn owner(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("单位名称不能为空".into());
    }
    if name.chars().count() > MAX_OWNER_LEN {
        return Err(format!("单位名称超过{MAX_OWNER_LEN}个字"));
    }
    if name.chars().any(char::is_control) {
        return Err(format!("单位名称“{}”含有控制字符", name.escape_debug()));
    }
    Ok(name.to_owned())
}

pub fn run(cmd: SimilarityCommand) -> ExitCode {
    let result = match cmd {
        SimilarityCommand::Index {
            index,
            owner,
            paths,
        } => add(&index, owner.as_deref().unwrap_or_default(), &paths),
        SimilarityCommand::Check {
            index,
            file,
            owner,
            json,
        } => check(&index, &file, owner.as_deref().unwrap_or_default(), json),
        SimilarityCommand::Scan {
            index,
            threshold,
            json,
        } => scan(&index, threshold, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("错误：{message}");
            ExitCode::FAILURE
        }
    }
}

/// Writes to a locked, buffered stdout; a closed pipe (`| head`) is not an error.
fn write_out(body: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    let mut out = BufWriter::new(io::stdout().lock());
    match body(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(format!("无法写出结果：{e}")),
        _ => Ok(()),
    }
}

/// Opens an existing index for reading; a missing directory is a mistake, not an empty library.
fn open_existing(dir: &Path) -> Result<Index, String> {
    if !dir.is_dir() {
        return Err(format!(
            "比对库目录 {} 不存在，请先用 sunlight similarity index 建立",
            dir.display()
        ));
    }
    Index::open(dir, Settings::default()).map_err(|e| e.to_string())
}

/// A document read from `path`, its id being the file name without extension; `owner` is empty when
/// unknown.
fn document(path: &Path, owner: &str) -> Result<Document, String> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let id = DocId::parse(stem).map_err(|e| format!("{}：{e}", path.display()))?;
    let text = read_text(path).map_err(|e| e.to_string())?;
    Ok(Document {
        id,
        owner: owner.to_owned(),
        text,
    })
}

fn add(dir: &Path, owner: &str, paths: &[PathBuf]) -> Result<(), String> {
    let files = collect_files(paths).map_err(|e| e.to_string())?;
    if files.is_empty() {
        return Err("所给路径中没有 .txt 或 .docx 文件".into());
    }
    // Every file is read before anything is written: one bad file adds nothing.
    let mut docs = Vec::with_capacity(files.len());
    let mut errors = Vec::new();
    let mut seen: HashMap<DocId, &Path> = HashMap::new();
    for file in &files {
        match document(file, owner) {
            Ok(doc) => {
                if let Some(first) = seen.insert(doc.id.clone(), file) {
                    errors.push(format!(
                        "{} 与 {} 的文档编号同为“{}”，请改名后再加入",
                        first.display(),
                        file.display(),
                        doc.id
                    ));
                }
                docs.push(doc);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(format!(
            "{}处问题，未加入任何文件：\n{}",
            errors.len(),
            errors.join("\n")
        ));
    }
    let mut index = Index::open(dir, Settings::default()).map_err(|e| e.to_string())?;
    let added = index.add(docs).map_err(|e| e.to_string())?;
    let total = index.len();
    let before = index.segment_count();
    if before >= MERGE_AT {
        index.merge().map_err(|e| e.to_string())?;
    }
    write_out(|out| {
        writeln!(
            out,
            "已加入{}篇（其中{}篇替换了同编号的旧版本），比对库现有{total}篇",
            added.added, added.replaced
        )?;
        if index.segment_count() < before {
            writeln!(
                out,
                "已将{}个索引段合并为{}个",
                before,
                index.segment_count()
            )?;
        }
        Ok(())
    })
}

fn check(dir: &Path, file: &Path, owner: &str, json: bool) -> Result<(), String> {
    let index = open_existing(dir)?;
    let doc = document(file, owner)?;
    let report = index.check(&doc).map_err(|e| e.to_string())?;
    if json {
        return write_out(|out| writeln!(out, "{}", report.to_json()));
    }
    let mut sources = HashMap::new();
    for source in &report.sources {
        sources.insert(
            source.id.clone(),
            index.text(&source.id).map_err(|e| e.to_string())?,
        );
    }
    write_out(|out| {
        print_report(
            out,
            &file.display().to_string(),
            &doc.text,
            &report,
            &sources,
        )
    })
}

fn percent(ratio: f64) -> String {
    format!("{:.1}%", ratio * 100.0)
}

/// `[start, end)` chars of `text`, shortened in the middle to [`EXCERPT_LEN`] chars.
fn excerpt(text: &str, start: u32, end: u32) -> String {
    let chars: Vec<char> = text
        .chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect();
    let flat = |cs: &[char]| {
        cs.iter()
            .map(|&c| if c.is_whitespace() { ' ' } else { c })
            .collect::<String>()
    };
    if chars.len() <= EXCERPT_LEN {
        flat(&chars)
    } else {
        let half = EXCERPT_LEN / 2;
        format!(
            "{}……{}",
            flat(&chars[..half]),
            flat(&chars[chars.len() - half..])
        )
    }
}

fn print_report(
    out: &mut dyn Write,
    name: &str,
    text: &str,
    report: &Report,
    sources: &HashMap<String, String>,
) -> io::Result<()> {
    writeln!(out, "查重报告：{name}")?;
    writeln!(out, "结论：{}", report.verdict.label())?;
    writeln!(out, "总文字复制比：{}", percent(report.total_ratio))?;
    writeln!(
        out,
        "去除本人已有文献复制比：{}",
        percent(report.ratio_excluding_own)
    )?;
    writeln!(
        out,
        "单篇最大文字复制比：{}",
        percent(report.max_single_ratio)
    )?;
    writeln!(out, "重复字数：{}", report.copied_chars)?;
    writeln!(out, "总字数：{}", report.total_chars)?;
    if !report.sections.is_empty() {
        writeln!(out, "\n分节\t总字数\t重复字数\t文字复制比")?;
        for s in &report.sections {
            writeln!(
                out,
                "{}\t{}\t{}\t{}",
                s.name,
                s.total_chars,
                s.copied_chars,
                percent(s.ratio)
            )?;
        }
    }
    if report.sources.is_empty() {
        return writeln!(out, "\n比对库中未发现相同或相似的文字");
    }
    writeln!(out, "\n相似文献\t文字复制比\t重复字数\t相似度\t单位")?;
    for s in &report.sources {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            s.id,
            percent(s.ratio),
            s.copied_chars,
            percent(s.jaccard),
            if s.owner.is_empty() { "—" } else { &s.owner }
        )?;
    }
    for s in &report.sources {
        let source_text = sources.get(&s.id).map_or("", String::as_str);
        writeln!(out, "\n与“{}”相同的文字（位置按字计，从0起）", s.id)?;
        if !s.sections.is_empty() {
            let by_section: Vec<String> = s
                .sections
                .iter()
                .map(|x| format!("{} {}", x.name, percent(x.jaccard)))
                .collect();
            writeln!(out, "  分节相似度：{}", by_section.join("，"))?;
        }
        for p in &s.passages {
            writeln!(
                out,
                "  本文 {}–{}：{}",
                p.start,
                p.end,
                excerpt(text, p.start, p.end)
            )?;
            writeln!(
                out,
                "  来源 {}–{}：{}",
                p.source_start,
                p.source_end,
                excerpt(source_text, p.source_start, p.source_end)
            )?;
        }
    }
    Ok(())
}

fn scan(dir: &Path, threshold: f64, json: bool) -> Result<(), String> {
    let index = open_existing(dir)?;
    let pairs = index.scan(threshold).map_err(|e| e.to_string())?;
    write_out(|out| {
        if json {
            for pair in &pairs {
                writeln!(out, "{}", pair.to_json())?;
            }
            return Ok(());
        }
        if pairs.is_empty() {
            return writeln!(
                out,
                "比对库{}篇文档中没有相似度不低于{}的文档对",
                index.len(),
                percent(threshold)
            );
        }
        writeln!(out, "文档甲\t文档乙\t相似度\t包含度")?;
        for p in &pairs {
            writeln!(
                out,
                "{}\t{}\t{}\t{}",
                p.a,
                p.b,
                percent(p.jaccard),
                percent(p.containment)
            )?;
        }
        Ok(())
    })
}
