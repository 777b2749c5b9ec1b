//! `sunlight ledger import-bulletin … --dry-run` end to end on the published seed bulletins:
//! stdout, warnings on stderr, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn seed(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../../shared/seeds/{name}"))
}

const SEED_001: &str = "001_bc0deb5ebaaa86f1.txt";
const SEED_002: &str = "002_7f9aef61c5fa0b5a.txt";
const SEED_003: &str = "003_498a692be3e6a6d3.txt";

/// A file under this test binary's scratch directory.
fn scratch(name: &str, content: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ledger_cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn import(file: &Path, flags: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(["ledger", "import-bulletin"])
        .arg(file)
        .args(flags)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn the_summary_of_seed_001_and_the_figures_it_states_but_does_not_bear_out() {
    let out = import(&seed(SEED_001), &["--dry-run", "--summary"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "sections=4 main=24 specific=47 measures=175 completed=45 in_progress=2\n"
    );
    assert_eq!(
        stderr(&out),
        "警告：通报称49个具体问题，解析得到47个\n\
         警告：通报称177条整改措施，解析得到175条\n\
         警告：通报称已经完成整改47个，解析得到45个标明“已完成”的问题\n"
    );
}

#[test]
fn the_summaries_of_seeds_002_and_003() {
    let out = import(&seed(SEED_002), &["--dry-run", "--summary"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "sections=0 main=19 specific=0 measures=61 completed=0 in_progress=0\n"
    );
    assert_eq!(stderr(&out), "警告：通报称3个方面，解析得到0个\n");

    let out = import(&seed(SEED_003), &["--dry-run", "--summary"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "sections=6 main=17 specific=0 measures=47 completed=0 in_progress=0\n"
    );
    assert_eq!(stderr(&out), "");
}

#[test]
fn json_prints_the_whole_tree() {
    let out = import(&seed(SEED_003), &["--dry-run", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tree: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        tree["title"],
        "中共东莞市科学技术局党组关于巡察整改进展情况的通报"
    );
    assert_eq!(tree["inspection"]["team"], "市委第一巡察组");
    assert_eq!(tree["inspection"]["feedback_date"], "2024-01-09");
    let sections = tree["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 6);
    let first = &sections[0]["problems"][0];
    assert_eq!(first["title"], "扎实推进政治建设工作");
    assert_eq!(first["level"], "main");
    assert_eq!(first["measures"].as_array().unwrap().len(), 2);
}

#[test]
fn a_word_file_gives_the_same_summary_as_its_text() {
    let text = std::fs::read_to_string(seed(SEED_001)).unwrap();
    let parsed = bulletin::parse(&text).unwrap();
    let docx = bulletin::write_docx(&parsed.bulletin, bulletin::Privacy::Internal).unwrap();
    let file = scratch("001.docx", &docx);
    let out = import(&file, &["--dry-run", "--summary"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "sections=4 main=24 specific=47 measures=175 completed=45 in_progress=2\n"
    );
    assert!(stderr(&out).contains("警告：通报称49个具体问题，解析得到47个"));
}

#[test]
fn without_dry_run_it_imports_and_says_why_it_cannot() {
    // An empty data directory has no department to import the ledger for.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ledger-empty-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.display().to_string();
    let out = import(&seed(SEED_001), &["--data-dir", &data]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("数据库中还没有部门"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unreadable_files_are_explained_in_chinese() {
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("没有这个文件.txt");
    let out = import(&missing, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("无法读取文件 "),
        "{}",
        stderr(&out)
    );

    // "巡察整改" in GBK: its first two bytes happen to be a valid UTF-8 character (U+0472).
    let gbk = scratch("gbk.txt", &[0xD1, 0xB2, 0xB2, 0xEC, 0xD5, 0xFB, 0xB8, 0xC4]);
    let out = import(&gbk, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("不是 UTF-8 编码的文本（第3字节处无效）"),
        "{}",
        stderr(&out)
    );

    let notes = scratch("notes.txt", "会议纪要\n今天讨论了预算。\n".as_bytes());
    let out = import(&notes, &["--dry-run", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("无法解析通报"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("未找到巡察情况说明"),
        "{}",
        stderr(&out)
    );

    let broken = scratch("broken.docx", b"PK\x03\x04 not really a zip");
    let out = import(&broken, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("不是有效的 Word 文档（.docx）"),
        "{}",
        stderr(&out)
    );
}
