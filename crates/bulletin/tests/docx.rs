//! Word files: a bulletin written as .docx opens as a Word document with Chinese fonts and
//! reads back as the same bulletin.

mod common;

use std::collections::HashMap;
use std::io::{Cursor, Read};

use bulletin::{Privacy, parse, parse_docx, write_docx};
use common::{SEED_001, SEEDS};
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

fn part(docx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

fn attribute(element: &BytesStart, name: &str) -> Option<String> {
    element.try_get_attribute(name).unwrap().map(|a| {
        a.normalized_value(XmlVersion::Implicit1_0)
            .unwrap()
            .into_owned()
    })
}

/// Paragraphs of document.xml as (style id, text).
fn paragraphs(xml: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let (mut style, mut text, mut in_text) = (String::new(), String::new(), false);
    loop {
        match reader.read_event().unwrap() {
            Event::Empty(e) if e.name().as_ref() == "w:pStyle" => {
                style = attribute(&e, "w:val").unwrap();
            }
            Event::Start(e) if e.name().as_ref() == "w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == "w:t" => in_text = false,
            Event::Text(t) if in_text => text += &t.xml10_content(),
            Event::GeneralRef(r) if in_text => {
                text += quick_xml::escape::resolve_predefined_entity(&r).unwrap();
            }
            Event::End(e) if e.name().as_ref() == "w:p" => {
                out.push((std::mem::take(&mut style), std::mem::take(&mut text)));
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

/// East-Asian font of each paragraph style in styles.xml.
fn east_asian_fonts(xml: &str) -> HashMap<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut fonts = HashMap::new();
    let mut style = None;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == "w:style" => {
                style = attribute(&e, "w:styleId");
            }
            Event::Empty(e) if e.name().as_ref() == "w:rFonts" => {
                if let (Some(style), Some(font)) = (&style, attribute(&e, "w:eastAsia")) {
                    fonts.insert(style.clone(), font);
                }
            }
            Event::Eof => return fonts,
            _ => {}
        }
    }
}

#[test]
fn the_word_file_has_the_text_in_official_document_fonts() {
    let bulletin = parse(SEED_001).unwrap().bulletin;
    let docx = write_docx(&bulletin, Privacy::Public).unwrap();
    assert!(part(&docx, "[Content_Types].xml").contains("wordprocessingml.document.main+xml"));
    let paragraphs = paragraphs(&part(&docx, "word/document.xml"));
    let fonts = east_asian_fonts(&part(&docx, "word/styles.xml"));
    let font_of = |text: &str| {
        let (style, _) = paragraphs
            .iter()
            .find(|(_, t)| t == text)
            .unwrap_or_else(|| panic!("no paragraph {text}"));
        fonts[style].as_str()
    };
    assert_eq!(
        font_of("中共大连市科学技术局党组关于市委常规巡察整改情况的通报"),
        "宋体"
    );
    assert_eq!(
        font_of("二、坚持成果导向,强化责任担当作为,确保整改工作取得新成效"),
        "黑体"
    );
    assert_eq!(font_of("整改进展情况:正在推进中。"), "仿宋_GB2312");
    assert_eq!(font_of("2023年5月15日"), "仿宋_GB2312");
    assert!(
        paragraphs
            .iter()
            .any(|(style, text)| style == "Heading2" && text.starts_with("(一)学习贯彻落实"))
    );
    assert_eq!(fonts["Heading2"], "楷体_GB2312");
    // Measures and progress of the whole seed are there, paragraph by paragraph.
    assert!(
        paragraphs
            .iter()
            .any(|(_, t)| t.starts_with("⑩局党组加强机关廉政文化建设"))
    );
    assert!(
        paragraphs
            .iter()
            .any(|(_, t)| t.starts_with("⑪已完善《党组议事规则》"))
    );
}

#[test]
fn every_seed_reads_back_from_its_word_file() {
    for (name, seed) in SEEDS {
        let bulletin = parse(seed).unwrap().bulletin;
        let docx = write_docx(&bulletin, Privacy::Internal).unwrap();
        let again = parse_docx(&docx).unwrap();
        assert_eq!(again.bulletin, bulletin, "{name}");
    }
}

#[test]
fn the_public_word_file_masks_personal_numbers() {
    let text = SEED_001.replace(
        "⑤局党组成员与各处室负责人开展廉政谈话1次。",
        "⑤局党组成员与各处室负责人开展廉政谈话1次,联系人手机13912345678。",
    );
    let bulletin = parse(&text).unwrap().bulletin;
    let public = part(
        &write_docx(&bulletin, Privacy::Public).unwrap(),
        "word/document.xml",
    );
    assert!(public.contains("联系人手机139****5678"));
    assert!(!public.contains("13912345678"));
    let internal = part(
        &write_docx(&bulletin, Privacy::Internal).unwrap(),
        "word/document.xml",
    );
    assert!(internal.contains("13912345678"));
}
