//! Reading the Excel ledger bureaus keep (the shape `excel.rs` writes, or their own): merged or
//! blank cells continue the row above, a row with only its first cell filled is a section, and
//! deadlines come as Excel dates or as text ("2022年9月底前", "长期坚持", "立行立改"). Every row's
//! problems are named ("第12行：整改时限无法识别：“九月中旬”") before anything is written.

use calendar::NaiveDate;

use super::rules::{Due, Status};
use super::store::{DraftMeasure, DraftProblem, DraftSection};

/// Reads a deadline as bureaus write it.
pub fn parse_due(text: &str) -> Result<Due, String> {
    let t = text.trim().trim_end_matches(['。', '.']);
    match t {
        "长期坚持" | "长期" | "持续推进" => return Ok(Due::LongTerm),
        "立行立改" | "立即整改" => return Ok(Due::Immediate),
        _ => {}
    }
    if let Ok(d) = calendar::parse_date(t) {
        return Ok(Due::Date(d));
    }
    // 2022年9月30日 / 2022年9月30日前 / 2022年9月底前 / 2022年9月底 / 2022年底前 / 2022.9.30
    let t = t.trim_end_matches('前').trim_end_matches('之');
    let nums: Vec<&str> = t
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .collect();
    let year = nums
        .first()
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y));
    let unknown = || {
        format!(
            "整改时限无法识别：“{}”（可填日期、“2022年9月底前”、“长期坚持”或“立行立改”）",
            text.trim()
        )
    };
    let Some(year) = year else {
        return Err(unknown());
    };
    let month = nums.get(1).and_then(|m| m.parse::<u32>().ok());
    let day = nums.get(2).and_then(|d| d.parse::<u32>().ok());
    let end_of_month = |m: u32| {
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, m + 1, 1)
        };
        next.and_then(|n| n.pred_opt())
    };
    let date = match (month, day) {
        (Some(m), Some(d)) => NaiveDate::from_ymd_opt(year, m, d),
        (Some(m), None) if t.ends_with('底') || t.ends_with("月末") || t.ends_with('月') => {
            end_of_month(m)
        }
        (None, None) if t.ends_with("年底") || t.ends_with("年末") || t.ends_with('年') => {
            NaiveDate::from_ymd_opt(year, 12, 31)
        }
        _ => None,
    };
    date.map(Due::Date).ok_or_else(unknown)
}

/// The columns the reader needs, found by their header names.
struct Columns {
    main: usize,
    specific: Option<usize>,
    measure: usize,
    leader: Option<usize>,
    department: Option<usize>,
    owner: Option<usize>,
    supporting: Option<usize>,
    due: usize,
    status: Option<usize>,
}

/// A measure row, read and checked: its line in the sheet and what is wrong with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub line: usize,
    pub section: usize,
    pub main: String,
    pub specific: Option<String>,
    pub measure: Option<DraftMeasure>,
    pub problems: Vec<String>,
}

/// The sheet's sections and measure lines. `department` resolves a 责任科室 name to an id in the
/// importer's scope.
pub fn read(
    cells: &[Vec<String>],
    department: impl Fn(&str) -> Option<i64>,
) -> Result<(Vec<String>, Vec<Line>), String> {
    let header_row = cells
        .iter()
        .position(|r| r.iter().any(|c| c.trim() == "整改措施"))
        .ok_or("找不到表头：须有“整改措施”列（请使用导出的台账格式）")?;
    let header = &cells[header_row];
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.trim()));
    let cols = Columns {
        main: find(&["方面/主要问题", "主要问题", "问题"]).ok_or("表头缺少“主要问题”列")?,
        specific: find(&["具体问题"]),
        measure: find(&["整改措施"]).ok_or("表头缺少“整改措施”列")?,
        leader: find(&["牵头领导", "责任领导"]),
        department: find(&["责任科室", "责任部门", "责任单位"]),
        owner: find(&["责任人"]),
        supporting: find(&["配合科室", "配合部门", "配合单位"]),
        due: find(&["整改时限", "完成时限"]).ok_or("表头缺少“整改时限”列")?,
        status: find(&["状态", "整改状态"]),
    };
    let cell = |row: &Vec<String>, c: Option<usize>| {
        c.and_then(|c| row.get(c))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut sections: Vec<String> = Vec::new();
    let mut lines = Vec::new();
    let (mut main, mut specific) = (String::new(), None::<String>);
    for (n, row) in cells.iter().enumerate().skip(header_row + 1) {
        let filled: Vec<usize> = (0..row.len())
            .filter(|c| !row[*c].trim().is_empty())
            .collect();
        if filled.is_empty() {
            continue;
        }
        let measure_text = cell(row, Some(cols.measure));
        if filled.len() == 1 && measure_text.is_empty() && cell(row, Some(cols.main)).is_empty() {
            sections.push(row[filled[0]].trim().to_owned());
            main.clear();
            specific = None;
            continue;
        }
        let line = n + 1;
        let this_main = cell(row, Some(cols.main));
        if !this_main.is_empty() {
            main = this_main;
            specific = None;
        }
        let this_specific = cell(row, cols.specific);
        if !this_specific.is_empty() {
            specific = Some(this_specific);
        }
        let mut problems = Vec::new();
        if main.is_empty() {
            problems.push("没有所属的主要问题".to_owned());
        }
        if measure_text.is_empty() {
            problems.push("整改措施为空".to_owned());
        }
        let due = parse_due(&cell(row, Some(cols.due)))
            .map_err(|e| problems.push(e))
            .ok();
        let status_text = cell(row, cols.status);
        let status = if status_text.is_empty() {
            Some(if matches!(due, Some(Due::LongTerm)) {
                Status::LongTerm
            } else {
                Status::NotStarted
            })
        } else {
            let s = Status::ALL
                .into_iter()
                .find(|s| s.label() == status_text || s.key() == status_text);
            if s.is_none() {
                problems.push(format!("状态无法识别：“{status_text}”（应为未启动、正在推进中、已完成、已销号或长期坚持）"));
            }
            s
        };
        let dept_name = cell(row, cols.department);
        let department_id = if dept_name.is_empty() {
            None
        } else {
            let found = department(&dept_name);
            if found.is_none() {
                problems.push(format!("责任科室“{dept_name}”不存在或不在您的数据权限内"));
            }
            found
        };
        let text = |s: String| (!s.is_empty()).then_some(s);
        let measure = match (problems.is_empty(), due, status) {
            (true, Some(due), Some(status)) => Some(DraftMeasure {
                content: measure_text,
                due,
                status,
                department_id,
                lead_leader: text(cell(row, cols.leader)),
                owner: text(cell(row, cols.owner)),
                supporting: text(cell(row, cols.supporting)),
            }),
            _ => None,
        };
        lines.push(Line {
            line,
            section: sections.len().saturating_sub(1),
            main: main.clone(),
            specific: specific.clone(),
            measure,
            problems,
        });
    }
    if lines.is_empty() {
        return Err("表格中没有整改措施".into());
    }
    if sections.is_empty() {
        sections.push("（台账未分方面）".into());
    }
    Ok((sections, lines))
}

/// The draft sections from the lines that passed (all of them, or the user chose the valid ones).
pub fn sections(titles: &[String], lines: &[Line]) -> Vec<DraftSection> {
    let mut out: Vec<DraftSection> = titles
        .iter()
        .map(|t| DraftSection {
            title: t.clone(),
            problems: Vec::new(),
        })
        .collect();
    for l in lines {
        let Some(m) = &l.measure else { continue };
        let Some(section) = out.get_mut(l.section) else {
            continue;
        };
        let main = match section.problems.iter().position(|p| p.title == l.main) {
            Some(i) => i,
            None => {
                section.problems.push(DraftProblem {
                    category: None,
                    title: l.main.clone(),
                    measures: vec![],
                    children: vec![],
                });
                section.problems.len() - 1
            }
        };
        let main = &mut section.problems[main];
        match &l.specific {
            None => main.measures.push(m.clone()),
            Some(title) => match main.children.iter_mut().find(|c| &c.title == title) {
                Some(child) => child.measures.push(m.clone()),
                None => main.children.push(DraftProblem {
                    category: None,
                    title: title.clone(),
                    measures: vec![m.clone()],
                    children: vec![],
                }),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Due {
        Due::Date(NaiveDate::from_ymd_opt(y, m, day).unwrap())
    }

    #[test]
    fn deadlines_as_bureaus_write_them() {
        assert_eq!(parse_due("2022年9月底前"), Ok(d(2022, 9, 30)));
        assert_eq!(parse_due("2024年2月底"), Ok(d(2024, 2, 29)));
        assert_eq!(parse_due("2022年12月31日前"), Ok(d(2022, 12, 31)));
        assert_eq!(parse_due("2023年底前"), Ok(d(2023, 12, 31)));
        assert_eq!(parse_due("2022-09-30"), Ok(d(2022, 9, 30)));
        assert_eq!(parse_due("2022.9.30"), Ok(d(2022, 9, 30)));
        assert_eq!(parse_due("长期坚持"), Ok(Due::LongTerm));
        assert_eq!(parse_due("立行立改"), Ok(Due::Immediate));
        assert_eq!(
            parse_due("九月中旬").unwrap_err(),
            "整改时限无法识别：“九月中旬”（可填日期、“2022年9月底前”、“长期坚持”或“立行立改”）"
        );
        assert!(parse_due("2022年2月30日").is_err());
        assert!(parse_due("").is_err());
    }

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn merged_and_blank_cells_continue_the_row_above() {
        let cells = sheet(&[
            &["某局巡察整改台账", "", "", "", "", "", ""],
            &[
                "序号",
                "方面/主要问题",
                "具体问题",
                "整改措施",
                "责任科室",
                "整改时限",
                "状态",
            ],
            &["（一）党的建设方面", "", "", "", "", "", ""],
            &[
                "1",
                "主要问题甲",
                "具体问题一",
                "措施1",
                "办公室",
                "2022年9月底前",
                "已完成",
            ],
            &["2", "", "", "措施2", "", "长期坚持", ""],
            &[
                "3",
                "",
                "具体问题二",
                "措施3",
                "人事处",
                "九月中旬",
                "正在推进中",
            ],
            &["（二）作风建设方面", "", "", "", "", "", ""],
            &[
                "4",
                "主要问题乙",
                "",
                "措施4",
                "宣传处",
                "立行立改",
                "进行中",
            ],
        ]);
        let dept = |name: &str| match name {
            "办公室" => Some(1),
            "人事处" => Some(2),
            _ => None,
        };
        let (sections, lines) = read(&cells, dept).unwrap();
        assert_eq!(sections, ["（一）党的建设方面", "（二）作风建设方面"]);
        assert_eq!(lines.len(), 4);
        assert_eq!(
            (lines[1].main.as_str(), lines[1].specific.as_deref()),
            ("主要问题甲", Some("具体问题一"))
        );
        assert_eq!(lines[1].measure.as_ref().unwrap().status, Status::LongTerm);
        assert_eq!(
            lines[2].problems,
            vec![
                "整改时限无法识别：“九月中旬”（可填日期、“2022年9月底前”、“长期坚持”或“立行立改”）"
            ]
        );
        assert_eq!(lines[2].line, 6);
        assert_eq!(
            lines[3].problems.len(),
            2,
            "unknown status and unknown department: {:?}",
            lines[3].problems
        );
        let drafted = super::sections(&sections, &lines);
        assert_eq!(drafted[0].problems[0].children[0].measures.len(), 2);
        assert!(
            drafted[1].problems.is_empty(),
            "the only measure of section two was invalid"
        );
    }

    #[test]
    fn supporting_departments_are_read_as_written() {
        let cells = sheet(&[
            &[
                "序号",
                "方面/主要问题",
                "整改措施",
                "责任科室",
                "配合科室",
                "整改时限",
            ],
            &["（一）党的建设方面", "", "", "", "", ""],
            &[
                "1",
                "主要问题甲",
                "措施1",
                "办公室",
                "人事处、财务处",
                "立行立改",
            ],
            &["2", "", "措施2", "办公室", "", "长期坚持"],
        ]);
        let (_, lines) = read(&cells, |_| Some(1)).unwrap();
        let supporting = |i: usize| lines[i].measure.as_ref().unwrap().supporting.clone();
        assert_eq!(supporting(0).as_deref(), Some("人事处、财务处"));
        assert_eq!(supporting(1), None, "a blank 配合科室 is not inherited");
    }

    #[test]
    fn a_sheet_without_the_columns_is_explained() {
        assert!(
            read(&sheet(&[&["姓名", "电话"]]), |_| None)
                .unwrap_err()
                .contains("整改措施")
        );
    }
}
