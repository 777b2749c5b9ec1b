//! `sunlight similarity …` end to end: the commands other checks call, their outputs and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sunlight(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("similarity-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Pseudo-random Chinese text with a full stop every 20 chars, the same for the same seed.
fn text(seed: u64, len: usize) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if i % 20 == 19 {
                '。'
            } else {
                char::from_u32(0x4E00 + (x % 3000) as u32).unwrap()
            }
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn s(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn index_a_directory_then_check_a_file_with_a_copied_passage() {
    let dir = scratch("check");
    let library = dir.join("library");
    std::fs::create_dir(&library).unwrap();
    let source = text(1, 600);
    write(&library, "2024-001.txt", &source);
    write(&library, "2024-002.txt", &text(2, 600));
    write(&library, "说明.pdf", "不是文本");
    let index = dir.join("index");
    let out = sunlight(&["similarity", "index", "--index", &s(&index), &s(&library)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("已加入2篇"), "{}", stdout(&out));

    // 300 own chars, then chars 100..300 of 2024-001, then 300 own chars.
    let copied: String = source.chars().skip(100).take(200).collect();
    let query = write(
        &dir,
        "新申报.txt",
        &format!("{}{copied}{}", text(3, 300), text(4, 300)),
    );
    let out = sunlight(&[
        "similarity",
        "check",
        "--index",
        &s(&index),
        &query,
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let sources = report["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0]["id"], "2024-001");
    let passages = sources[0]["passages"].as_array().unwrap();
    assert_eq!(passages.len(), 1);
    // The run ends on a full stop, which is not compared: it ends one char early on both sides.
    let p = &passages[0];
    assert_eq!((&p["start"], &p["end"]), (&300.into(), &499.into()));
    assert_eq!(
        (&p["source_start"], &p["source_end"]),
        (&100.into(), &299.into())
    );
    // 190 of the 760 compared chars (full stops are not counted) are copied.
    let ratio = report["total_ratio"].as_f64().unwrap();
    assert!((ratio - 190.0 / 760.0).abs() < 1e-9, "{ratio}");
    assert_eq!(sources[0]["ratio"].as_f64(), Some(ratio));

    // The plain report shows the figures and both sides of the passage.
    let out = sunlight(&["similarity", "check", "--index", &s(&index), &query]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plain = stdout(&out);
    assert!(plain.contains("总文字复制比：25.0%"), "{plain}");
    assert!(plain.contains("总字数：760"), "{plain}");
    assert!(plain.contains("本文 300–499："), "{plain}");
    assert!(plain.contains("2024-001\t25.0%\t190\t"), "{plain}");
    let head: String = copied.chars().take(20).collect();
    assert!(plain.contains(&format!("来源 100–299：{head}")), "{plain}");
}

#[test]
fn scan_prints_pairs_at_or_above_the_threshold_as_json_lines() {
    let dir = scratch("scan");
    let base = text(10, 2000);
    let edited: String = base
        .chars()
        .take(1600)
        .chain(text(11, 400).chars())
        .collect();
    let files = [
        write(&dir, "A.txt", &base),
        write(&dir, "B.txt", &edited),
        write(&dir, "C.txt", &text(12, 2000)),
    ];
    let index = s(&dir.join("index"));
    for file in &files {
        // One file per call: the index grows by appending.
        let out = sunlight(&["similarity", "index", "--index", &index, file]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = sunlight(&["similarity", "scan", "--index", &index, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{}", stdout(&out));
    assert_eq!((&lines[0]["a"], &lines[0]["b"]), (&"A".into(), &"B".into()));
    let jaccard = lines[0]["jaccard"].as_f64().unwrap();
    assert!(jaccard > 0.6 && jaccard < 0.7, "{jaccard}");
    assert!(lines[0]["containment"].as_f64().unwrap() > 0.75);

    let out = sunlight(&[
        "similarity",
        "scan",
        "--index",
        &index,
        "--threshold",
        "0.7",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let out = sunlight(&[
        "similarity",
        "scan",
        "--index",
        &index,
        "--threshold",
        "0.7",
    ]);
    assert!(
        stdout(&out).contains("比对库3篇文档中没有相似度不低于70.0%的文档对"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn sources_of_the_same_owner_are_left_out_of_the_second_ratio() {
    let dir = scratch("owner");
    let index = s(&dir.join("index"));
    let mine = text(40, 400);
    let theirs = text(41, 400);
    for (name, owner, body) in [
        ("MINE.txt", "单位甲", &mine),
        ("THEIRS.txt", " 单位乙 ", &theirs),
    ] {
        let file = write(&dir, name, body);
        let out = sunlight(&[
            "similarity",
            "index",
            "--index",
            &index,
            "--owner",
            owner,
            &file,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // Half of the query comes from the applicant's own earlier document, half from another's.
    let half = |t: &str| t.chars().take(200).collect::<String>();
    let query = write(&dir, "Q.txt", &format!("{}{}", half(&mine), half(&theirs)));
    let check = |owner: Option<&str>, json: bool| {
        let mut args = vec!["similarity", "check", "--index", &index, &query];
        args.extend(owner.map(|o| ["--owner", o]).into_iter().flatten());
        if json {
            args.push("--json");
        }
        let out = sunlight(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let report: serde_json::Value = serde_json::from_str(&check(Some("单位甲"), true)).unwrap();
    assert_eq!(report["total_ratio"].as_f64(), Some(1.0));
    let excluding_own = report["ratio_excluding_own"].as_f64().unwrap();
    assert!((excluding_own - 0.5).abs() < 0.01, "{excluding_own}");
    let owners: Vec<(&str, &str)> = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["owner"].as_str().unwrap()))
        .collect();
    assert_eq!(owners.len(), 2);
    assert!(owners.contains(&("MINE", "单位甲")) && owners.contains(&("THEIRS", "单位乙")));
    assert!(check(Some("单位甲"), false).contains("去除本人已有文献复制比：50."));

    // Without an owner nothing is the applicant's own; another owner's own is THEIRS.
    let report: serde_json::Value = serde_json::from_str(&check(None, true)).unwrap();
    assert_eq!(report["ratio_excluding_own"].as_f64(), Some(1.0));
    let plain = check(Some("单位乙"), false);
    assert!(plain.contains("去除本人已有文献复制比：50."), "{plain}");
    assert!(
        plain.contains("\t单位甲\n") && plain.contains("\t单位乙\n"),
        "{plain}"
    );

    let out = sunlight(&[
        "similarity",
        "check",
        "--index",
        &index,
        "--owner",
        "  ",
        &query,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("单位名称不能为空"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn segments_are_merged_once_ten_have_accumulated() {
    let dir = scratch("merge");
    let index = s(&dir.join("index"));
    for i in 0..10u64 {
        let file = write(&dir, &format!("D{i}.txt"), &text(60 + i, 300));
        let out = sunlight(&["similarity", "index", "--index", &index, &file]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            stdout(&out).contains("个索引段合并为1个"),
            i == 9,
            "{}",
            stdout(&out)
        );
    }
    let segments = std::fs::read_dir(&index)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".seg")
        })
        .count();
    assert_eq!(segments, 1);
    let query = write(&dir, "Q.txt", &text(64, 300));
    let out = sunlight(&["similarity", "check", "--index", &index, &query, "--json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["sources"][0]["id"], "D4");
    assert_eq!(report["total_ratio"].as_f64(), Some(1.0));
}

#[test]
fn mistakes_are_explained_and_change_nothing() {
    let dir = scratch("errors");
    let index = s(&dir.join("index"));
    let good = write(&dir, "good.txt", &text(20, 300));
    let bad = dir.join("bad.txt");
    std::fs::write(&bad, [0xe6, 0xad, 0xa3, 0xff]).unwrap();

    let out = sunlight(&["similarity", "check", "--index", &index, &good]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("比对库目录") && stderr(&out).contains("不存在"),
        "{}",
        stderr(&out)
    );

    let out = sunlight(&["similarity", "index", "--index", &index, &good]);
    assert!(out.status.success(), "{}", stderr(&out));
    let other = write(&dir, "other.txt", &text(21, 300));
    let out = sunlight(&["similarity", "index", "--index", &index, &other, &s(&bad)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("bad.txt") && stderr(&out).contains("不是 UTF-8"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("未加入任何文件"), "{}", stderr(&out));
    let out = sunlight(&["similarity", "check", "--index", &index, &other, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        report["sources"],
        serde_json::json!([]),
        "other.txt must not have been added"
    );

    let out = sunlight(&[
        "similarity",
        "scan",
        "--index",
        &index,
        "--threshold",
        "1.5",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("阈值应为0到1之间的小数"),
        "{}",
        stderr(&out)
    );
    let out = sunlight(&[
        "similarity",
        "index",
        "--index",
        &index,
        &s(&dir.join("missing.txt")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("missing.txt 无法读取：文件或目录不存在"),
        "{}",
        stderr(&out)
    );
}
