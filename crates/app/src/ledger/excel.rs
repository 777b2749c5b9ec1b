//! The ledger as the Excel sheet bureaus keep (整改台账): one row per measure, the section as a
//! full-width row, main and specific problems merged down over their measures, a frozen header and
//! columns wide enough for Chinese text.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// The columns, with their widths.
pub const COLUMNS: [(&str, f64); 14] = [
    ("序号", 6.0),
    ("方面/主要问题", 26.0),
    ("具体问题", 26.0),
    ("整改措施", 36.0),
    ("牵头领导", 10.0),
    ("责任科室", 14.0),
    ("配合科室", 14.0),
    ("责任人", 10.0),
    ("整改时限", 12.0),
    ("整改进展", 36.0),
    ("状态", 10.0),
    ("佐证材料", 20.0),
    ("销号日期", 12.0),
    ("备注", 16.0),
];

/// One measure's row, already in words.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MeasureRow {
    pub content: String,
    pub lead_leader: String,
    pub department: String,
    pub supporting: String,
    pub owner: String,
    pub due: String,
    pub progress: String,
    pub status: String,
    pub evidence: String,
    pub closed_on: String,
    pub remark: String,
}

/// A problem with its measures; a main problem's specific problems are its children.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProblemRows {
    pub title: String,
    pub measures: Vec<MeasureRow>,
    pub children: Vec<ProblemRows>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SectionRows {
    pub title: String,
    pub problems: Vec<ProblemRows>,
}

/// The workbook's bytes.
pub fn workbook(title: &str, sections: &[SectionRows]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("整改台账")?;
    let border = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let head = border
        .clone()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_align(FormatAlign::Center);
    let banner = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let section_format = border.clone().set_bold().set_background_color("#F2F2F2");
    let last_column = (COLUMNS.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last_column, title, &banner)?;
    ws.set_row_height(0, 30)?;
    for (c, (name, width)) in COLUMNS.iter().enumerate() {
        ws.set_column_width(c as u16, *width)?;
        ws.write_string_with_format(1, c as u16, *name, &head)?;
    }
    ws.set_freeze_panes(2, 0)?;
    let mut row: u32 = 2;
    let mut number = 0;
    for s in sections {
        ws.merge_range(row, 0, row, last_column, &s.title, &section_format)?;
        row += 1;
        for main in &s.problems {
            // A main problem without specific problems holds its measures itself.
            let items: Vec<(&ProblemRows, Option<&ProblemRows>)> = if main.children.is_empty() {
                vec![(main, None)]
            } else {
                std::iter::once((main, None))
                    .filter(|_| !main.measures.is_empty())
                    .chain(main.children.iter().map(|c| (main, Some(c))))
                    .collect()
            };
            let main_first = row;
            for (owner, specific) in items {
                let measures = match specific {
                    Some(c) => &c.measures,
                    None => &owner.measures,
                };
                let height = measures.len().max(1) as u32;
                let first = row;
                for (i, m) in measures.iter().enumerate() {
                    number += 1;
                    let r = row + i as u32;
                    let cells = [
                        number.to_string(),
                        String::new(),
                        String::new(),
                        m.content.clone(),
                        m.lead_leader.clone(),
                        m.department.clone(),
                        m.supporting.clone(),
                        m.owner.clone(),
                        m.due.clone(),
                        m.progress.clone(),
                        m.status.clone(),
                        m.evidence.clone(),
                        m.closed_on.clone(),
                        m.remark.clone(),
                    ];
                    for (c, v) in cells.iter().enumerate() {
                        if c != 1 && c != 2 {
                            ws.write_string_with_format(r, c as u16, v, &border)?;
                        }
                    }
                }
                if measures.is_empty() {
                    for c in [0u16, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] {
                        ws.write_string_with_format(row, c, "", &border)?;
                    }
                }
                let specific_title = specific.map(|c| c.title.as_str()).unwrap_or("");
                cell_or_merge(ws, first, first + height - 1, 2, specific_title, &border)?;
                row += height;
            }
            cell_or_merge(ws, main_first, row - 1, 1, &main.title, &border)?;
        }
    }
    book.save_to_buffer()
}

fn cell_or_merge(
    ws: &mut rust_xlsxwriter::Worksheet,
    first: u32,
    last: u32,
    column: u16,
    text: &str,
    f: &Format,
) -> Result<(), XlsxError> {
    if last > first {
        ws.merge_range(first, column, last, column, text, f)?;
    } else {
        ws.write_string_with_format(first, column, text, f)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Reader;

    fn measure(content: &str) -> MeasureRow {
        MeasureRow {
            content: content.into(),
            status: "正在推进中".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_sheet_reads_back_with_its_hierarchy_merged() {
        let sections = vec![SectionRows {
            title: "（一）党的建设方面".into(),
            problems: vec![
                ProblemRows {
                    title: "主要问题甲".into(),
                    measures: vec![],
                    children: vec![
                        ProblemRows {
                            title: "具体问题一".into(),
                            measures: vec![measure("措施1"), measure("措施2")],
                            children: vec![],
                        },
                        ProblemRows {
                            title: "具体问题二".into(),
                            measures: vec![measure("措施3")],
                            children: vec![],
                        },
                    ],
                },
                ProblemRows {
                    title: "主要问题乙".into(),
                    measures: vec![measure("措施4")],
                    children: vec![],
                },
            ],
        }];
        let bytes = workbook("某局巡察整改台账", &sections).unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let merged: Vec<String> = book
            .merge_cells_by_sheet_name("整改台账")
            .unwrap()
            .iter()
            .map(|d| format!("{:?}-{:?}", d.start, d.end))
            .collect();
        // Title row, section row, 主要问题甲 over three rows, 具体问题一 over two.
        assert!(merged.contains(&"(0, 0)-(0, 13)".to_owned()), "{merged:?}");
        assert!(merged.contains(&"(2, 0)-(2, 13)".to_owned()), "{merged:?}");
        assert!(merged.contains(&"(3, 1)-(5, 1)".to_owned()), "{merged:?}");
        assert!(merged.contains(&"(3, 2)-(4, 2)".to_owned()), "{merged:?}");
        let range = book.worksheet_range("整改台账").unwrap();
        let cell = |r: u32, c: u32| {
            range
                .get_value((r, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        assert_eq!(cell(1, 3), "整改措施");
        assert_eq!(cell(2, 0), "（一）党的建设方面");
        assert_eq!(
            (
                cell(3, 1).as_str(),
                cell(3, 2).as_str(),
                cell(3, 3).as_str()
            ),
            ("主要问题甲", "具体问题一", "措施1")
        );
        assert_eq!(
            (
                cell(5, 0).as_str(),
                cell(5, 2).as_str(),
                cell(5, 3).as_str()
            ),
            ("3", "具体问题二", "措施3")
        );
        assert_eq!(
            (cell(6, 1).as_str(), cell(6, 3).as_str()),
            ("主要问题乙", "措施4")
        );
    }
}
