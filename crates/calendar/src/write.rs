//! Writing a year back in the file format [`YearArrangement::parse`] reads.

use std::fmt::{self, Write as _};

use toml_writer::{TomlStringBuilder, TomlWrite as _};

use crate::arrangement::YearArrangement;

impl YearArrangement {
    /// The arrangement in the year-file format; parsing the result gives the same arrangement.
    /// The shipped files are written exactly this way (a test checks it).
    pub fn to_toml(&self) -> String {
        self.to_string()
    }
}

fn string(out: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    out.value(TomlStringBuilder::new(text).as_basic())
}

fn strings<T: AsRef<str>>(out: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    out.write_char('[')?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        string(out, item.as_ref())?;
    }
    out.write_char(']')
}

impl fmt::Display for YearArrangement {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(out, "year = {}", self.year)?;
        if let Some(title) = &self.title {
            out.write_str("title = ")?;
            string(out, title)?;
            out.write_char('\n')?;
        }
        out.write_str("source = ")?;
        string(out, &self.source)?;
        out.write_char('\n')?;
        if !self.amended_by.is_empty() {
            out.write_str("amended_by = ")?;
            strings(out, &self.amended_by)?;
            out.write_char('\n')?;
        }
        if let Some(note) = &self.note {
            out.write_str("note = ")?;
            string(out, note)?;
            out.write_char('\n')?;
        }
        for holiday in &self.holidays {
            out.write_str("\n[[holiday]]\nname = ")?;
            string(out, &holiday.name)?;
            out.write_str("\noff = ")?;
            let off: Vec<String> = holiday.off.iter().map(ToString::to_string).collect();
            strings(out, &off)?;
            out.write_char('\n')?;
            if !holiday.makeup.is_empty() {
                out.write_str("makeup = ")?;
                let makeup: Vec<String> = holiday.makeup.iter().map(ToString::to_string).collect();
                strings(out, &makeup)?;
                out.write_char('\n')?;
            }
        }
        Ok(())
    }
}
