//! Reading document text from files: UTF-8 `.txt`, and `.docx` (the text of `word/document.xml`).

use std::io::Read;
use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::Error;

/// Whether `path` names a file this module can read (by extension).
pub fn is_supported(path: &Path) -> bool {
    matches!(extension(path).as_deref(), Some("txt" | "docx"))
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

fn unreadable(path: &Path, reason: impl Into<String>) -> Error {
    Error::Unreadable {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// The text of a `.txt` or `.docx` file.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    text_of(path, bytes)
}

/// The text of a file already in memory (an upload), read as its name's extension says; errors
/// name the file by `path`.
pub fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, Error> {
    match extension(path).as_deref() {
        Some("txt") => {
            let text = String::from_utf8(bytes).map_err(|e| {
                unreadable(
                    path,
                    format!(
                        "第{}字节起不是 UTF-8 编码，请另存为 UTF-8 文本",
                        e.utf8_error().valid_up_to() + 1
                    ),
                )
            })?;
            Ok(text
                .strip_prefix('\u{feff}')
                .map(str::to_owned)
                .unwrap_or(text))
        }
        Some("docx") => docx_text(&bytes).map_err(|reason| unreadable(path, reason)),
        _ => Err(unreadable(path, "只支持 .txt 和 .docx 文件")),
    }
}

/// Supported files named by `paths`: a file as given, a directory by every supported file directly
/// in it (sorted by name).
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && is_supported(p))
                .collect();
            found.sort();
            files.extend(found);
        } else if !path.exists() {
            return Err(unreadable(path, "文件或目录不存在"));
        } else if is_supported(path) {
            files.push(path.clone());
        } else {
            return Err(unreadable(path, "只支持 .txt 和 .docx 文件"));
        }
    }
    Ok(files)
}

/// Text of `word/document.xml`: runs of `<w:t>`, a line break per paragraph, tabs and breaks kept.
fn docx_text(bytes: &[u8]) -> Result<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("不是有效的 .docx（zip）文件：{e}"))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|_| "缺少 word/document.xml，不是 Word 文档".to_owned())?
        .read_to_string(&mut xml)
        .map_err(|e| format!("word/document.xml 无法解压：{e}"))?;
    let mut reader = Reader::from_str(&xml);
    let mut text = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event().map_err(|e| {
            format!(
                "word/document.xml 第{}字节处格式错误：{e}",
                reader.buffer_position()
            )
        })? {
            Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            Event::End(e) if e.name().as_ref() == "w:p" => text.push('\n'),
            Event::Empty(e) if e.name().as_ref() == "w:tab" => text.push('\t'),
            Event::Empty(e) if matches!(e.name().as_ref(), "w:br" | "w:cr") => text.push('\n'),
            Event::Text(t) if in_text => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                let name = r.xml10_content();
                let resolved = match quick_xml::escape::resolve_predefined_entity(&name) {
                    Some(s) => Some(s.to_owned()),
                    None => r.resolve_char_ref().ok().flatten().map(String::from),
                };
                text.push_str(&resolved.unwrap_or_default());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(text)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal .docx holding `paragraphs`.
    pub(crate) fn make_docx(paragraphs: &[&str]) -> Vec<u8> {
        let body: String = paragraphs
            .iter()
            .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
            .collect();
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
        );
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn reads_docx_paragraphs_and_entities() {
        let bytes = make_docx(&["一、立项依据", "A&amp;B 研究&#x5185;容"]);
        assert_eq!(docx_text(&bytes).unwrap(), "一、立项依据\nA&B 研究内容\n");
    }

    #[test]
    fn rejects_non_docx() {
        assert!(
            docx_text(b"not a zip")
                .unwrap_err()
                .contains("不是有效的 .docx")
        );
    }

    #[test]
    fn reads_txt_and_reports_bad_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("a.txt");
        std::fs::write(&good, "\u{feff}正文").unwrap();
        assert_eq!(read_text(&good).unwrap(), "正文");
        let bad = dir.path().join("b.txt");
        std::fs::write(&bad, [0xe6, 0xad, 0xa3, 0xff]).unwrap();
        assert!(
            read_text(&bad)
                .unwrap_err()
                .to_string()
                .contains("第4字节起不是 UTF-8")
        );
        std::fs::write(dir.path().join("c.pdf"), "x").unwrap();
        let files = collect_files(&[dir.path().to_owned()]).unwrap();
        assert_eq!(files, vec![good, bad]);
        let missing = collect_files(&[dir.path().join("无.txt")]).unwrap_err();
        assert!(
            missing
                .to_string()
                .ends_with("无.txt 无法读取：文件或目录不存在"),
            "{missing}"
        );
    }
}
