//! 查重 rules, pure: reading an uploaded file, the key of a library document in the index, and the
//! figures as stored (basis points) and shown (percent, verdict).

use std::path::Path;

use sha2::{Digest, Sha256};
use similarity::{Thresholds, Verdict};

/// Longest title and owner, in characters.
pub const MAX_TITLE: usize = 200;

/// The text of an uploaded file, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// 字数 as the report counts them: letters and digits after normalisation.
    pub chars: usize,
    pub sha256: String,
}

/// Reads an uploaded `.txt` (UTF-8) or `.docx` file. The message names the file and says what is wrong.
pub fn read_upload(file_name: &str, bytes: Vec<u8>, max_chars: usize) -> Result<Text, String> {
    let name = base_name(file_name);
    if bytes.is_empty() {
        return Err(format!("{name} 是空文件"));
    }
    let text = similarity::extract::text_of(Path::new(&name), bytes).map_err(|e| e.to_string())?;
    let chars = similarity::normalize::normalize(&text).len();
    if chars == 0 {
        return Err(format!("{name} 中没有可比对的文字（只有空白或标点）"));
    }
    if chars > max_chars {
        return Err(format!(
            "{name} 共{chars}字，超过单篇上限{max_chars}字（可在参数设置“查重单篇最大字数”中调整）"
        ));
    }
    let sha256 = sha256_hex(&text);
    Ok(Text {
        text,
        chars,
        sha256,
    })
}

/// SHA-256 of a text in lower-case hex: how texts and reports are on record in the audit trail.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The file name without any folder a browser may send (`C:\材料\申报书.docx`).
pub fn base_name(file_name: &str) -> String {
    file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .trim()
        .to_owned()
}

/// The title a document gets when none is entered: its file name without the extension.
pub fn default_title(file_name: &str) -> String {
    let name = base_name(file_name);
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name.as_str(),
    };
    stem.chars().take(MAX_TITLE).collect()
}

/// The id of a library document in the on-disk index: the row id and the start of its text's hash,
/// so an index that holds another text under the same row id is seen to be out of step.
pub fn index_key(id: i64, sha256: &str) -> String {
    format!("{id}-{}", sha256.get(..16).unwrap_or(sha256))
}

/// The row id in an index key.
pub fn id_of_key(key: &str) -> Option<i64> {
    key.split_once('-')?.0.parse().ok()
}

/// A ratio in basis points (万分之一), exact in both databases and in the audit trail.
pub fn bp(ratio: f64) -> i32 {
    (ratio.clamp(0.0, 1.0) * 10_000.0).round() as i32
}

/// Basis points as users read them: `45.23%`. Takes the value or a reference, as templates hold either.
pub fn percent(bp: impl std::borrow::Borrow<i32>) -> String {
    let bp = *bp.borrow();
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// The bureau's thresholds (settings in whole percent).
pub fn thresholds(suspected_pct: i64, duplicate_pct: i64) -> Thresholds {
    Thresholds {
        suspected: suspected_pct as f64 / 100.0,
        duplicate: duplicate_pct as f64 / 100.0,
    }
}

pub fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Clear => "clear",
        Verdict::Suspected => "suspected",
        Verdict::Duplicate => "duplicate",
    }
}

pub fn verdict_label(key: &str) -> &'static str {
    match key {
        "duplicate" => Verdict::Duplicate.label(),
        "suspected" => Verdict::Suspected.label(),
        _ => Verdict::Clear.label(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_read_or_refused_by_name() {
        let ok = read_upload(
            "甲.txt",
            "\u{feff}研究内容：一二三".as_bytes().to_vec(),
            100,
        )
        .unwrap();
        assert_eq!(ok.text, "研究内容：一二三");
        assert_eq!(ok.chars, 7);
        assert_eq!(ok.sha256.len(), 64);
        let e = read_upload("C:\\材料\\乙.txt", vec![0x41, 0x42, 0xff], 100).unwrap_err();
        assert!(e.starts_with("乙.txt 无法读取：第3字节起不是 UTF-8"), "{e}");
        let e = read_upload("丙.docx", b"PK not really".to_vec(), 100).unwrap_err();
        assert!(
            e.contains("丙.docx") && e.contains("不是有效的 .docx"),
            "{e}"
        );
        let e = read_upload("丁.pdf", b"x".to_vec(), 100).unwrap_err();
        assert!(e.contains("只支持 .txt 和 .docx"), "{e}");
        assert_eq!(
            read_upload("戊.txt", Vec::new(), 100).unwrap_err(),
            "戊.txt 是空文件"
        );
        assert!(
            read_upload("己.txt", "，。 \n".as_bytes().to_vec(), 100)
                .unwrap_err()
                .contains("没有可比对的文字")
        );
        let e = read_upload("庚.txt", "一二三四五六".as_bytes().to_vec(), 5).unwrap_err();
        assert!(e.starts_with("庚.txt 共6字，超过单篇上限5字"), "{e}");
    }

    #[test]
    fn titles_keys_and_figures() {
        assert_eq!(default_title("/tmp/申报书（终稿）.docx"), "申报书（终稿）");
        assert_eq!(default_title(".txt"), ".txt");
        assert_eq!(default_title("无扩展名"), "无扩展名");
        assert_eq!(index_key(17, "abcdef0123456789ffff"), "17-abcdef0123456789");
        assert_eq!(id_of_key("17-abcdef0123456789"), Some(17));
        assert_eq!(id_of_key("check"), None);
        assert_eq!(bp(0.452_34), 4523);
        assert_eq!(bp(1.5), 10_000);
        assert_eq!(percent(4523), "45.23%");
        assert_eq!(percent(5), "0.05%");
        assert_eq!(verdict_label("suspected"), "疑似重复");
        assert_eq!(verdict_label(""), "未见明显重复");
    }
}
