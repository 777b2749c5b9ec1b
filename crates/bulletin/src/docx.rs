//! Word (.docx) input: the paragraphs of `word/document.xml`, one line each.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

use crate::{ParseError, Parsed};

/// Reads a bulletin from the bytes of a .docx file.
pub fn parse_docx(bytes: &[u8]) -> Result<Parsed, ParseError> {
    crate::parse(&docx_text(bytes)?)
}

/// The text of a .docx file: one line per paragraph, tabs and line breaks kept.
pub fn docx_text(bytes: &[u8]) -> Result<String, ParseError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ParseError::Docx(format!("文件不是 zip 格式（{e}）")))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|_| ParseError::Docx("缺少正文 word/document.xml".to_owned()))?
        .read_to_string(&mut xml)
        .map_err(|e| ParseError::Docx(format!("word/document.xml 无法读取（{e}）")))?;
    paragraphs(&xml)
}

fn paragraphs(xml: &str) -> Result<String, ParseError> {
    let mut reader = Reader::from_str(xml);
    let mut text = String::new();
    // Only text inside <w:t> is content; other elements carry field codes and properties.
    let mut in_text = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            ParseError::Docx(format!(
                "word/document.xml 第{}字节处格式错误（{e}）",
                reader.error_position()
            ))
        })?;
        match event {
            Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            Event::End(e) if e.name().as_ref() == "w:p" => text.push('\n'),
            Event::Empty(e) if e.name().as_ref() == "w:tab" => text.push('\t'),
            Event::Empty(e) if matches!(e.name().as_ref(), "w:br" | "w:cr") => text.push('\n'),
            Event::Text(t) if in_text => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                let resolved = r.resolve_char_ref().ok().flatten();
                match resolved {
                    Some(c) => text.push(c),
                    None => text.push_str(resolve_predefined_entity(&r).unwrap_or_default()),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_join_and_paragraphs_split() {
        let xml = r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
            <w:p><w:r><w:t>一、整改</w:t></w:r><w:r><w:t xml:space="preserve">工作 &amp; 组织</w:t></w:r></w:p>
            <w:p><w:r><w:instrText>PAGE</w:instrText><w:t>第二段</w:t><w:tab/><w:t>&#x4E09;</w:t></w:r></w:p>
            </w:body></w:document>"#;
        assert_eq!(
            paragraphs(xml).unwrap(),
            "一、整改工作 & 组织\n第二段\t三\n"
        );
    }

    #[test]
    fn a_file_that_is_not_a_docx_is_refused_in_chinese() {
        let error = docx_text(b"not a zip").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("不是有效的 Word 文档（.docx）：文件不是 zip 格式")
        );
    }
}
