//! One measure's line: its text and an optional "(整改时限:…;整改进展:…)" at the end, which is
//! how a generated bulletin states the deadline and progress of a measure.

use crate::date;
use crate::model::{Due, Measure, Status};

const DUE: &str = "整改时限:";
const STATUS: &str = "整改进展:";

/// Reads a measure; text that merely ends in brackets stays text.
pub(crate) fn read(text: &str) -> Measure {
    let plain = Measure {
        text: text.to_owned(),
        due: None,
        status: None,
    };
    let Some(inner) = text.strip_suffix(')') else {
        return plain;
    };
    let Some(open) = inner.rfind('(') else {
        return plain;
    };
    let mut measure = Measure {
        text: inner[..open].trim_end().to_owned(),
        due: None,
        status: None,
    };
    for part in inner[open + 1..].split(';') {
        if let Some(due) = part.strip_prefix(DUE).and_then(read_due) {
            measure.due = Some(due);
        } else if let Some(status) = part.strip_prefix(STATUS).and_then(Status::from_text) {
            measure.status = Some(status);
        } else {
            return plain;
        }
    }
    measure
}

fn read_due(text: &str) -> Option<Due> {
    match text {
        "立行立改" => Some(Due::Immediate),
        "长期坚持" => Some(Due::LongTerm),
        _ => date::standalone(text).map(Due::Date),
    }
}

/// Writes a measure so that [`read`] gives it back.
pub(crate) fn write(measure: &Measure) -> String {
    let mut notes = Vec::new();
    if let Some(due) = measure.due {
        notes.push(match due {
            Due::Date(day) => format!("{DUE}{}", date::chinese(day)),
            Due::Immediate => format!("{DUE}立行立改"),
            Due::LongTerm => format!("{DUE}长期坚持"),
        });
    }
    if let Some(status) = measure.status {
        notes.push(format!("{STATUS}{}", status.label()));
    }
    if notes.is_empty() {
        measure.text.clone()
    } else {
        format!("{}({})", measure.text, notes.join(";"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn deadline_and_progress_read_back() {
        let measure = Measure {
            text: "修订《党组议事规则》(试行)".into(),
            due: NaiveDate::from_ymd_opt(2022, 12, 31).map(Due::Date),
            status: Some(Status::InProgress),
        };
        let line = write(&measure);
        assert_eq!(
            line,
            "修订《党组议事规则》(试行)(整改时限:2022年12月31日;整改进展:正在推进中)"
        );
        assert_eq!(read(&line), measure);
    }

    #[test]
    fn brackets_that_are_not_notes_stay_in_the_text() {
        let measure = read("制定工作规程(试行)");
        assert_eq!(measure.text, "制定工作规程(试行)");
        assert_eq!(measure.due, None);
        assert_eq!(
            read("坚持学习(整改时限:立行立改)").due,
            Some(Due::Immediate)
        );
    }
}
