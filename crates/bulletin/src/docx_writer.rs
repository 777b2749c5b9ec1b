//! Word (.docx) output: the rendered blocks as an editable document in the usual layout of
//! official documents (公文): A4, 仿宋_GB2312 三号 body text with a two-character indent, title
//! in 宋体 二号 bold, part headings in 黑体, section headings in 楷体_GB2312.
//!
//! Fonts live in named paragraph styles (标题, 标题 1 …), not on each run, so a bureau changes a
//! font once in Word and the whole bulletin follows. Every style sets `w:eastAsia`, the font
//! Word uses for Chinese characters; digits and Latin letters are in Times New Roman.

use std::io::{Cursor, Write};

use quick_xml::escape::escape;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::model::Bulletin;
use crate::render::{Block, BlockKind, Privacy, render_blocks};

/// Writes the bulletin as a .docx file. The only possible error is the zip writer's, which
/// writes into memory here.
pub fn write_docx(bulletin: &Bulletin, privacy: Privacy) -> std::io::Result<Vec<u8>> {
    let document = document_xml(&render_blocks(bulletin, privacy));
    let parts: [(&str, &str); 5] = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", PACKAGE_RELS),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/styles.xml", &styles_xml()),
        ("word/document.xml", &document),
    ];
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in parts {
        zip.start_file(name, SimpleFileOptions::default())?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// Font size 三号 (16 pt) and 二号 (22 pt), in half-points.
const SIZE_3: u32 = 32;
const SIZE_2: u32 = 44;
/// Fixed line spacing of 28 pt, in twentieths of a point.
const LINE: u32 = 560;

/// A paragraph style: id, name Word shows (English built-in names map to 标题 1 … in Chinese
/// Word), East-Asian font, size, bold, alignment, first-line indent in characters, outline level.
struct Style {
    id: &'static str,
    name: &'static str,
    east_asia: &'static str,
    size: u32,
    bold: bool,
    align: &'static str,
    indent_chars: u32,
    outline: Option<u8>,
}

const STYLES: [Style; 8] = [
    Style {
        id: "Normal",
        name: "Normal",
        east_asia: "仿宋_GB2312",
        size: SIZE_3,
        bold: false,
        align: "both",
        indent_chars: 2,
        outline: None,
    },
    Style {
        id: "Title",
        name: "Title",
        east_asia: "宋体",
        size: SIZE_2,
        bold: true,
        align: "center",
        indent_chars: 0,
        outline: None,
    },
    Style {
        id: "Salutation",
        name: "Salutation",
        east_asia: "仿宋_GB2312",
        size: SIZE_3,
        bold: false,
        align: "left",
        indent_chars: 0,
        outline: None,
    },
    Style {
        id: "Heading1",
        name: "heading 1",
        east_asia: "黑体",
        size: SIZE_3,
        bold: false,
        align: "both",
        indent_chars: 2,
        outline: Some(0),
    },
    Style {
        id: "Heading2",
        name: "heading 2",
        east_asia: "楷体_GB2312",
        size: SIZE_3,
        bold: false,
        align: "both",
        indent_chars: 2,
        outline: Some(1),
    },
    Style {
        id: "Heading3",
        name: "heading 3",
        east_asia: "仿宋_GB2312",
        size: SIZE_3,
        bold: true,
        align: "both",
        indent_chars: 2,
        outline: Some(2),
    },
    Style {
        id: "Heading4",
        name: "heading 4",
        east_asia: "仿宋_GB2312",
        size: SIZE_3,
        bold: true,
        align: "both",
        indent_chars: 2,
        outline: Some(3),
    },
    Style {
        id: "Signature",
        name: "Signature",
        east_asia: "仿宋_GB2312",
        size: SIZE_3,
        bold: false,
        align: "right",
        indent_chars: 0,
        outline: None,
    },
];

fn style_id(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Title => "Title",
        BlockKind::Salutation => "Salutation",
        BlockKind::Heading(1) => "Heading1",
        BlockKind::Heading(2) => "Heading2",
        BlockKind::Heading(3) => "Heading3",
        BlockKind::Heading(_) => "Heading4",
        BlockKind::Paragraph => "Normal",
        BlockKind::Signature => "Signature",
    }
}

fn styles_xml() -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr>{}<w:sz w:val="{SIZE_3}"/><w:szCs w:val="{SIZE_3}"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:line="{LINE}" w:lineRule="exact"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
        fonts("仿宋_GB2312")
    );
    for style in &STYLES {
        let outline = style
            .outline
            .map(|level| format!(r#"<w:outlineLvl w:val="{level}"/>"#))
            .unwrap_or_default();
        let indent = match style.indent_chars {
            0 => r#"<w:ind w:firstLine="0" w:firstLineChars="0"/>"#.to_owned(),
            chars => format!(r#"<w:ind w:firstLineChars="{}"/>"#, chars * 100),
        };
        let bold = if style.bold { "<w:b/><w:bCs/>" } else { "" };
        let based_on = if style.id == "Normal" {
            r#"<w:qFormat/>"#.to_owned()
        } else {
            r#"<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>"#.to_owned()
        };
        // Children of w:pPr and w:rPr are in schema order (ind before jc): Word refuses files
        // that are not.
        xml += &format!(
            r#"<w:style w:type="paragraph" w:styleId="{id}"{default}><w:name w:val="{name}"/>{based_on}<w:pPr><w:keepNext w:val="{keep}"/>{indent}<w:jc w:val="{align}"/>{outline}</w:pPr><w:rPr>{fonts}{bold}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr></w:style>"#,
            id = style.id,
            default = if style.id == "Normal" {
                r#" w:default="1""#
            } else {
                ""
            },
            name = style.name,
            keep = u8::from(style.outline.is_some()),
            align = style.align,
            fonts = fonts(style.east_asia),
            size = style.size,
        );
    }
    xml + "</w:styles>"
}

fn fonts(east_asia: &str) -> String {
    format!(
        r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="{east_asia}" w:hint="eastAsia"/>"#
    )
}

fn document_xml(blocks: &[Block]) -> String {
    let mut xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}"><w:body>"#
    );
    for block in blocks {
        xml += &format!(
            r#"<w:p><w:pPr><w:pStyle w:val="{}"/></w:pPr><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
            style_id(block.kind),
            escape(block.text.as_str())
        );
    }
    // A4 with the margins of GB/T 9704: 37 mm top, 35 mm bottom, 28 mm left, 26 mm right.
    xml + r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#
}
