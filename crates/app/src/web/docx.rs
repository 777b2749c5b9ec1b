//! Word files (.docx) for every feature that hands one out: a minimal WordprocessingML package with
//! Chinese fonts set where Word looks for them (`w:eastAsia`: 宋体 body, 黑体 headings), built from
//! paragraphs and tables. Features compose a body with [`Body`] and call [`Body::finish`].

use std::io::{Cursor, Write};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// 宋体 小四 (12 pt) body text; title and headings in 黑体. Children of `w:rPr` in schema order.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="宋体" w:hint="eastAsia"/><w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="60" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体" w:hint="eastAsia"/><w:b/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体" w:hint="eastAsia"/><w:b/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style></w:styles>"#;

/// Text as XML character data: characters XML 1.0 cannot hold are dropped, line breaks become spaces.
pub fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One run of text, optionally highlighted (red on yellow, as copied text in a 查重 report).
pub fn run(text: &str, highlight: bool) -> String {
    let props = if highlight {
        r#"<w:rPr><w:color w:val="C00000"/><w:highlight w:val="yellow"/></w:rPr>"#
    } else {
        ""
    };
    format!(
        r#"<w:r>{props}<w:t xml:space="preserve">{}</w:t></w:r>"#,
        xml_text(text)
    )
}

/// A paragraph of runs, in a style (`Title`, `Heading1`) or the body style.
pub fn paragraph(style: Option<&str>, runs: &str) -> String {
    let style = style
        .map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#))
        .unwrap_or_default();
    format!("<w:p>{style}{runs}</w:p>")
}

/// A bordered table; the first row is the header, repeated on each page. `widths` in twentieths of a
/// point, one per column.
pub fn table(widths: &[u32], rows: &[Vec<String>]) -> String {
    let grid: String = widths
        .iter()
        .map(|w| format!(r#"<w:gridCol w:w="{w}"/>"#))
        .collect();
    let border = r#"w:val="single" w:sz="4" w:space="0" w:color="808080""#;
    let mut xml = format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/><w:insideH {border}/><w:insideV {border}/></w:tblBorders></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"#
    );
    for (i, row) in rows.iter().enumerate() {
        xml += "<w:tr>";
        if i == 0 {
            xml += "<w:trPr><w:tblHeader/></w:trPr>";
        }
        for (cell, w) in row.iter().zip(widths) {
            let text = if i == 0 {
                format!(
                    r#"<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#,
                    xml_text(cell)
                )
            } else {
                run(cell, false)
            };
            xml += &format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p>{text}</w:p></w:tc>"#
            );
        }
        xml += "</w:tr>";
    }
    xml + "</w:tbl>"
}

/// A document body being built, landscape or portrait A4.
pub struct Body {
    xml: String,
    landscape: bool,
}

impl Body {
    pub fn new(landscape: bool) -> Body {
        Body {
            xml: String::new(),
            landscape,
        }
    }

    pub fn push(&mut self, block: String) {
        self.xml += &block;
    }

    /// The .docx bytes. The only possible error is the zip writer's, writing into memory.
    pub fn finish(self) -> std::io::Result<Vec<u8>> {
        let (w, h, orient) = if self.landscape {
            (16838, 11906, r#" w:orient="landscape""#)
        } else {
            (11906, 16838, "")
        };
        let document = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}<w:sectPr><w:pgSz w:w="{w}" w:h="{h}"{orient}/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
            self.xml
        );
        let parts: [(&str, &str); 5] = [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", PACKAGE_RELS),
            ("word/_rels/document.xml.rels", DOCUMENT_RELS),
            ("word/styles.xml", STYLES),
            ("word/document.xml", &document),
        ];
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in parts {
            zip.start_file(name, SimpleFileOptions::default())?;
            zip.write_all(content.as_bytes())?;
        }
        Ok(zip.finish()?.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_holds_its_text_escaped_and_its_table() {
        let mut body = Body::new(true);
        body.push(paragraph(Some("Title"), &run("周调度表 <第1期>", false)));
        body.push(table(
            &[2000, 3000],
            &[
                vec!["序号".into(), "整改措施".into()],
                vec!["1".into(), "修订办法 & 细则".into()],
            ],
        ));
        let bytes = body.finish().unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(xml.contains("周调度表 &lt;第1期&gt;"));
        assert!(xml.contains("修订办法 &amp; 细则"));
        assert!(xml.contains("<w:tblHeader/>") && xml.contains(r#"w:orient="landscape""#));
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/styles.xml").unwrap(), &mut styles)
            .unwrap();
        assert!(styles.contains(r#"w:eastAsia="宋体""#));
    }
}
