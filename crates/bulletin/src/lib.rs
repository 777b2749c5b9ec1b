//! Read and write 巡察整改情况通报 (rectification bulletins) as a ledger tree.
//!
//! [`parse`] turns the text of a published bulletin into a [`Bulletin`]: the inspection it
//! reports on, its sections (方面), main and specific problems with their measures, progress and
//! status, further plans and contact details. It reads the layouts of the seeds 001–003, in
//! Simplified or Traditional characters, with full-width or ASCII brackets and digits.
//! [`parse_docx`] does the same for a Word file. What the text states about itself ("细化为24个
//! 主要问题、49个具体问题") is compared with what was found, and every difference is a
//! [`Warning`] for the user, never hidden.
//!
//! [`render_blocks`] and [`render_text`] write a bulletin back in the layout of seed 001, so
//! that `parse(render_text(b))` gives `b` again; [`write_docx`] writes the same as an editable
//! Word file with Chinese official-document fonts, and `parse_docx(write_docx(b))` gives `b`.
//! With [`Privacy::Public`] personal phone and identity-card numbers are masked.
//!
//! Pure library: no database; files are read and written as bytes by the caller.

mod date;
mod document;
mod docx;
mod docx_writer;
mod figures;
mod mask;
mod measure;
mod model;
mod opening;
mod problems;
mod render;
mod summary;
mod text;

use std::fmt;

use serde::Serialize;

pub use docx::{docx_text, parse_docx};
pub use docx_writer::write_docx;
pub use model::{
    Bulletin, Contact, Due, InspectionInfo, InspectionKind, Level, Measure, Problem, Section,
    StatedFigures, Status,
};
pub use render::{Block, BlockKind, Privacy, render_blocks, render_text};
pub use summary::Summary;

/// Reads a bulletin from its UTF-8 text.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    document::parse(text)
}

/// A parsed bulletin and what the user should know about the parse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parsed {
    pub bulletin: Bulletin,
    pub warnings: Vec<Warning>,
}

impl Parsed {
    pub fn summary(&self) -> Summary {
        Summary::of(&self.bulletin)
    }
}

/// Something the user should check: a stated figure the tree does not bear out, or text that
/// could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// 1-based line of the input the warning is about, if it is about one line.
    pub line: Option<usize>,
    pub message: String,
}

impl Warning {
    pub(crate) fn at(line: usize, message: &str) -> Self {
        Warning {
            line: Some(line),
            message: message.to_owned(),
        }
    }

    pub(crate) fn general(message: String) -> Self {
        Warning {
            line: None,
            message,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "第{line}行：{}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Why a text could not be read as a bulletin. Messages are for users, in Chinese.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error(
        "通报内容为空：应为巡察整改情况通报的正文（巡察情况、整改工作组织情况、整改落实情况等）"
    )]
    Empty,
    #[error(
        "未找到巡察情况说明：通报开头应有一段形如“2022年3月21日至6月15日，市委第五巡察组对市科技局党组进行了巡察”的文字"
    )]
    NoInspection,
    #[error(
        "第{line}行前未找到整改落实情况部分：巡察情况说明之后应有以“一、”“二、”开头的部分标题，第二部分列出整改的问题"
    )]
    NoRectificationPart { line: usize },
    #[error(
        "第{line}行的部分中未找到任何问题：应有“(一)……方面”“1.……”“一是关于“……”的问题”等形式的问题"
    )]
    NoProblems { line: usize },
    #[error("不是有效的 Word 文档（.docx）：{0}")]
    Docx(String),
    #[error("繁简转换词典无法加载，请报告此问题")]
    Converter,
}
