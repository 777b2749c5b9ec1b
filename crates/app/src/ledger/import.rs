//! A published bulletin (整改情况通报), as parsed by the `bulletin` crate, becomes a draft ledger:
//! its sections, main and specific problems and measures, with the status the text states.

use bulletin::{Bulletin, InspectionKind, Level};

use super::rules::{Due, Status};
use super::store::{Draft, DraftMeasure, DraftProblem, DraftSection};

/// The draft ledger of a bulletin, for the inspected unit `department_id`.
pub fn draft(b: &Bulletin, department_id: i64, source_name: &str) -> Draft {
    let info = &b.inspection;
    let kind = match info.kind {
        InspectionKind::Tour => "tour",
        InspectionKind::Patrol => "patrol",
        InspectionKind::Audit => "audit",
        InspectionKind::Special => "special",
    };
    let title = b
        .title
        .clone()
        .unwrap_or_else(|| format!("{}{}反馈问题整改", info.team, info.kind.label()));
    Draft {
        kind: kind.into(),
        title: title.chars().take(200).collect(),
        team: info.team.chars().take(100).collect(),
        department_id,
        started_on: info.start.map(|d| d.to_string()),
        ended_on: info.end.map(|d| d.to_string()),
        feedback_on: info.feedback_date.map(|d| d.to_string()),
        source_name: Some(source_name.chars().take(200).collect()),
        sections: b
            .sections
            .iter()
            .map(|s| DraftSection {
                title: s.title.clone().unwrap_or_else(|| "（通报未分方面）".into()),
                problems: s.problems.iter().map(|p| problem(p, None)).collect(),
            })
            .collect(),
    }
}

fn problem(p: &bulletin::Problem, inherited: Option<bulletin::Status>) -> DraftProblem {
    let stated = p.status.or(inherited);
    debug_assert!(p.level == Level::Main || p.children.is_empty());
    DraftProblem {
        category: p.category.clone(),
        title: p.title.clone(),
        measures: p
            .measures
            .iter()
            .map(|m| {
                DraftMeasure::stated(
                    m.text.clone(),
                    due(m.due),
                    status(m.status.or(stated), m.due),
                )
            })
            .collect(),
        children: p.children.iter().map(|c| problem(c, None)).collect(),
    }
}

fn due(d: Option<bulletin::Due>) -> Due {
    match d {
        Some(bulletin::Due::Date(d)) => Due::Date(d),
        Some(bulletin::Due::LongTerm) => Due::LongTerm,
        Some(bulletin::Due::Immediate) | None => Due::Immediate,
    }
}

/// The stated status; a measure the text says nothing about is in progress, a 长期坚持 one is long-term.
fn status(s: Option<bulletin::Status>, d: Option<bulletin::Due>) -> Status {
    match (s, d) {
        (Some(bulletin::Status::NotStarted), _) => Status::NotStarted,
        (Some(bulletin::Status::InProgress), _) => Status::InProgress,
        (Some(bulletin::Status::Completed), _) => Status::Completed,
        (Some(bulletin::Status::Closed), _) => Status::Closed,
        (Some(bulletin::Status::LongTerm), _) | (None, Some(bulletin::Due::LongTerm)) => {
            Status::LongTerm
        }
        (None, _) => Status::InProgress,
    }
}

/// Reads an uploaded or named file: Word (.docx) by its first bytes, otherwise UTF-8 text. The
/// error says what to do, naming the file.
pub fn read(name: &str, bytes: &[u8]) -> Result<bulletin::Parsed, String> {
    let parsed = if bytes.starts_with(b"PK\x03\x04") {
        bulletin::parse_docx(bytes)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(format!(
            "{name} 是旧版 Word 文档（.doc），无法读取：请在 Word 中“另存为” .docx 后再导入"
        ));
    } else {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            format!(
                "{name} 不是 UTF-8 编码的文本（第{}字节处无效）：如为 GBK 编码，请用记事本等“另存为” UTF-8 后再导入",
                e.valid_up_to() + 1
            )
        })?;
        bulletin::parse(text)
    };
    parsed.map_err(|e| format!("无法解析通报 {name}：{e}"))
}

/// Counts of a draft — sections, main problems, specific problems, measures — as bulletins count
/// them: where problems are broken down at all, a main problem rectified as an item of its own (it
/// has no specific problems, or measures of its own besides them) counts as a specific problem too.
pub fn counts(d: &Draft) -> (usize, usize, usize, usize) {
    let main: Vec<&DraftProblem> = d.sections.iter().flat_map(|s| &s.problems).collect();
    let children: Vec<&DraftProblem> = main.iter().flat_map(|p| &p.children).collect();
    let specific = if children.is_empty() {
        0
    } else {
        children.len()
            + main
                .iter()
                .filter(|p| p.children.is_empty() || !p.measures.is_empty())
                .count()
    };
    let measures = main.iter().chain(&children).map(|p| p.measures.len()).sum();
    (d.sections.len(), main.len(), specific, measures)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(prefix: &str) -> String {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds");
        let entry = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .unwrap();
        std::fs::read_to_string(entry).unwrap()
    }

    #[test]
    fn seed_001_becomes_a_ledger_with_its_structure_and_stated_statuses() {
        let parsed = bulletin::parse(&seed("001_")).unwrap();
        let d = draft(&parsed.bulletin, 7, "001.txt");
        assert_eq!(counts(&d), (4, 24, 47, 175));
        assert_eq!(d.kind, "patrol");
        let all: Vec<&DraftMeasure> = d
            .sections
            .iter()
            .flat_map(|s| &s.problems)
            .flat_map(|p| p.children.iter().chain(std::iter::once(p)))
            .flat_map(|p| &p.measures)
            .collect();
        assert!(all.iter().any(|m| m.status == Status::Completed));
        assert!(all.iter().any(|m| m.status == Status::InProgress));
    }
}
