//! The 查重 report as a Word file (.docx), laid out like the reports reviewers know (CNKI 文本复制检测
//! 报告单): the figures, per-section ratios, the sources, and each copied passage beside its source
//! with the copied words highlighted.
//!
//! Written with `web::docx`, which sets `w:eastAsia` (宋体), the font Word uses for Chinese
//! characters, so the file reads correctly whatever the reader's Word is set to.

use super::entities::check;
use super::rules::{percent, verdict_label};
use super::stored_report::{Snippet, StoredReport};
use crate::web::docx::{Body, paragraph, run};

/// The .docx bytes of a check's report. The only possible error is the zip writer's, writing into memory.
pub fn write(check: &check::Model, report: &StoredReport) -> std::io::Result<Vec<u8>> {
    let mut body = Body::new(false);
    body.push(document_body(check, report));
    body.finish()
}

fn plain(text: &str) -> String {
    paragraph(None, &run(text, false))
}

/// A table with a header row across the text width of an A4 page, columns of equal width.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths = vec![9000 / header.len().max(1) as u32; header.len()];
    let mut all = vec![header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>()];
    all.extend(rows.iter().cloned());
    crate::web::docx::table(&widths, &all)
}

/// The passage highlighted between its context; an ellipsis where the context does not reach the
/// text's start or end.
fn snippet_runs(s: &Snippet) -> String {
    let ellipsis = |context: &str| if context.is_empty() { "" } else { "…" };
    format!(
        "{}{}{}",
        run(&format!("{}{}", ellipsis(&s.before), s.before), false),
        run(&s.marked, true),
        run(&format!("{}{}", s.after, ellipsis(&s.after)), false)
    )
}

fn document_body(check: &check::Model, r: &StoredReport) -> String {
    let mut body = paragraph(Some("Title"), &run("文本复制检测报告单", false));
    for line in [
        format!("检测文献：{}（{}）", check.title, check.file_name),
        format!(
            "申请人/单位：{}",
            if check.owner.is_empty() {
                "未填写"
            } else {
                &check.owner
            }
        ),
        format!(
            "检测人：{}　检测时间：{}",
            check.checked_by_name,
            crate::web::fmt_ms(check.created_at)
        ),
        "比对范围：比对库中检测人数据权限内的文献".to_owned(),
    ] {
        body += &plain(&line);
    }
    body += &paragraph(Some("Heading1"), &run("一、检测结果", false));
    body += &table(
        &["指标", "结果"],
        &[
            vec!["总文字复制比".into(), percent(r.total_ratio_bp)],
            vec![
                "去除本人已有文献复制比".into(),
                percent(r.ratio_excluding_own_bp),
            ],
            vec!["单篇最大文字复制比".into(), percent(r.max_single_ratio_bp)],
            vec!["重复字数".into(), r.copied_chars.to_string()],
            vec!["总字数".into(), r.total_chars.to_string()],
            vec![
                "结论".into(),
                format!(
                    "{}（疑似重复阈值{}%，重复阈值{}%）",
                    verdict_label(&r.verdict),
                    r.suspected_pct,
                    r.duplicate_pct
                ),
            ],
        ],
    );
    body += &paragraph(Some("Heading1"), &run("二、分段检测结果", false));
    if r.sections.is_empty() {
        body += &plain("未识别出章节。");
    } else {
        let rows: Vec<Vec<String>> = r
            .sections
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    s.total_chars.to_string(),
                    s.copied_chars.to_string(),
                    percent(s.ratio_bp),
                ]
            })
            .collect();
        body += &table(&["章节", "字数", "重复字数", "文字复制比"], &rows);
    }
    body += &paragraph(Some("Heading1"), &run("三、相似文献", false));
    if r.sources.is_empty() {
        body += &plain("未发现相似文献。");
    } else {
        let rows: Vec<Vec<String>> = r
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    (i + 1).to_string(),
                    s.title.clone(),
                    s.owner.clone(),
                    s.department.clone(),
                    percent(s.ratio_bp),
                    s.copied_chars.to_string(),
                ]
            })
            .collect();
        body += &table(
            &[
                "序号",
                "标题",
                "申请人/单位",
                "部门",
                "文字复制比",
                "重复字数",
            ],
            &rows,
        );
        body += &paragraph(Some("Heading1"), &run("四、片段对照", false));
        for (i, s) in r.sources.iter().enumerate() {
            body += &plain(&format!(
                "{}. {}（文字复制比{}）",
                i + 1,
                s.title,
                percent(s.ratio_bp)
            ));
            for (j, p) in s.passages.iter().enumerate() {
                body += &paragraph(
                    None,
                    &(run(&format!("片段{}　检测文献：", j + 1), false) + &snippet_runs(&p.text)),
                );
                body += &paragraph(
                    None,
                    &(run("　　　　相似文献：", false) + &snippet_runs(&p.source)),
                );
            }
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::similarity::stored_report::{PassageRow, SectionRow, SourceRow};
    use std::io::Read;

    fn check_row() -> check::Model {
        check::Model {
            id: 1,
            department_id: 1,
            checked_by: 1,
            checked_by_name: "王伟".into(),
            title: "新申报书 <草稿>".into(),
            owner: String::new(),
            file_name: "a.txt".into(),
            content_sha256: String::new(),
            content: String::new(),
            total_chars: 100,
            copied_chars: 40,
            total_ratio_bp: 4000,
            ratio_excluding_own_bp: 4000,
            max_single_ratio_bp: 4000,
            verdict: "clear".into(),
            sources: 1,
            report: String::new(),
            report_sha256: String::new(),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn report() -> StoredReport {
        let snippet = |m: &str| Snippet {
            before: "前\u{1}文".into(),
            marked: m.into(),
            after: "后文".into(),
        };
        StoredReport {
            total_ratio_bp: 4000,
            ratio_excluding_own_bp: 3500,
            max_single_ratio_bp: 4000,
            copied_chars: 40,
            total_chars: 100,
            verdict: "clear".into(),
            suspected_pct: 50,
            duplicate_pct: 80,
            sections: vec![SectionRow {
                name: "研究内容".into(),
                total_chars: 100,
                copied_chars: 40,
                ratio_bp: 4000,
            }],
            sources: vec![SourceRow {
                document_id: 3,
                title: "旧申报书".into(),
                owner: "单位".into(),
                department: "高新技术处".into(),
                ratio_bp: 4000,
                copied_chars: 40,
                jaccard_bp: 1000,
                passages: vec![PassageRow {
                    start: 0,
                    end: 2,
                    source_start: 0,
                    source_end: 2,
                    text: snippet("复制的话"),
                    source: snippet("复制的话"),
                }],
            }],
        }
    }

    #[test]
    fn the_word_file_holds_the_figures_and_highlighted_passages() {
        let bytes = write(&check_row(), &report()).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        for wanted in [
            "总文字复制比",
            "40.00%",
            "去除本人已有文献复制比",
            "35.00%",
            "新申报书 &lt;草稿&gt;",
            "研究内容",
            "旧申报书",
            r#"<w:highlight w:val="yellow"/></w:rPr><w:t xml:space="preserve">复制的话</w:t>"#,
        ] {
            assert!(xml.contains(wanted), "{wanted} missing");
        }
        assert!(!xml.contains('\u{1}'), "control characters are dropped");
        let mut styles = String::new();
        zip.by_name("word/styles.xml")
            .unwrap()
            .read_to_string(&mut styles)
            .unwrap();
        assert!(styles.contains(r#"w:eastAsia="宋体""#));
        // Every part is well-formed XML.
        for part in [xml, styles] {
            let mut reader = quick_xml::Reader::from_str(&part);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("malformed XML: {e}"),
                }
            }
        }
    }
}
