//! Excel exports the way bureaus keep their sheets: a bold frozen header, columns wide enough for
//! Chinese text, every cell as text so that codes and phone numbers keep their leading zeros.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};

use super::error::AppError;

/// A column: its header and its width in Excel's units (one Chinese character ≈ 2).
pub struct Column {
    pub header: &'static str,
    pub width: f64,
}

/// The workbook's bytes: one sheet named `sheet`, the header row, then `rows`.
pub fn workbook(
    sheet: &str,
    columns: &[Column],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7");
    let cell = Format::new().set_border(FormatBorder::Thin);
    for (c, col) in columns.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, col.width)?;
        ws.write_string_with_format(0, c, col.header, &head)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            ws.write_string_with_format(r as u32 + 1, c as u16, value, &cell)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// An .xlsx download named `file_name`.
pub fn download(file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, super::attachment(file_name)),
        ],
        bytes,
    )
        .into_response()
}

/// Builds and sends a sheet in one step.
pub fn sheet_response(
    file_name: &str,
    sheet: &str,
    columns: &[Column],
    rows: &[Vec<String>],
) -> Result<Response, AppError> {
    let bytes = workbook(sheet, columns, rows).map_err(AppError::internal)?;
    Ok(download(file_name, bytes))
}

/// The cells of the first sheet of an uploaded .xlsx, as text the way Excel shows it: whole numbers
/// without ".0" (phone numbers typed as numbers), dates as YYYY-MM-DD.
pub fn read_first_sheet(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    use calamine::{Data, Reader};
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|_| {
            "文件不是有效的 Excel（.xlsx）文件；请用导入模板填写后另存为 .xlsx".to_owned()
        })?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("Excel 文件中没有工作表")?
        .map_err(|e| format!("无法读取第一个工作表：{e}"))?;
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    Data::DateTime(d) => d
                        .as_datetime()
                        .map(|t| t.format("%Y-%m-%d").to_string())
                        .unwrap_or_else(|| d.to_string()),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}
