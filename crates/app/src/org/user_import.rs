//! 用户导入: the rules that turn the rows of an Excel sheet into user inputs. Pure: the pages read
//! the file and check each input against the database (duplicates, scope) the same way a form is.

use super::users::Input;

/// The sheet's columns; the header row may order them freely. Starred ones are required.
pub const HEADERS: [(&str, bool); 6] = [
    ("用户名", true),
    ("姓名", true),
    ("部门", true),
    ("手机号码", false),
    ("电子邮箱", false),
    ("角色", false),
];

/// The most rows one import takes: larger lists are split by the administrator.
pub const MAX_ROWS: usize = 2000;

/// One data row of the sheet with its row number as Excel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetRow {
    pub line: usize,
    pub username: String,
    pub name: String,
    pub department: String,
    pub phone: String,
    pub email: String,
    pub roles: String,
}

/// Reads the header row and the data rows after it; blank rows are skipped.
pub fn read_rows(cells: &[Vec<String>]) -> Result<Vec<SheetRow>, String> {
    let header = cells
        .first()
        .ok_or("表格是空的：第1行应为表头（用户名、姓名、部门……）")?;
    let mut columns = [None; 6];
    for (i, (name, required)) in HEADERS.iter().enumerate() {
        columns[i] = header.iter().position(|h| h.trim() == *name);
        if columns[i].is_none() && *required {
            return Err(format!("第1行表头缺少“{name}”列；请使用导入模板"));
        }
    }
    let get = |row: &Vec<String>, i: usize| {
        columns[i]
            .and_then(|c| row.get(c))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    for (n, row) in cells.iter().enumerate().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(SheetRow {
            line: n + 1,
            username: get(row, 0),
            name: get(row, 1),
            department: get(row, 2),
            phone: get(row, 3),
            email: get(row, 4),
            roles: get(row, 5),
        });
    }
    if rows.is_empty() {
        return Err("表格中没有数据行".into());
    }
    if rows.len() > MAX_ROWS {
        return Err(format!(
            "一次最多导入{MAX_ROWS}行，本表有{}行；请分批导入",
            rows.len()
        ));
    }
    Ok(rows)
}

/// Resolves names to ids: the department by its exact name among those in the importer's scope,
/// roles by name, separated by 、，, or spaces. Problems are returned as messages for the row.
pub fn to_input(
    row: &SheetRow,
    departments: &[(i64, String)],
    roles: &[(i64, String)],
) -> Result<Input, Vec<String>> {
    let mut problems = Vec::new();
    let matching: Vec<i64> = departments
        .iter()
        .filter(|(_, n)| *n == row.department)
        .map(|(id, _)| *id)
        .collect();
    let department_id = match matching.as_slice() {
        [id] => id.to_string(),
        [] if row.department.is_empty() => String::new(),
        [] => {
            problems.push(format!(
                "部门“{}”不存在或不在您的数据权限内",
                row.department
            ));
            String::new()
        }
        _ => {
            problems.push(format!(
                "部门名称“{}”不唯一，请联系管理员区分",
                row.department
            ));
            String::new()
        }
    };
    let mut role_ids = Vec::new();
    for name in row
        .roles
        .split(['、', '，', ',', ' ', ';', '；'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match roles.iter().find(|(_, n)| n == name) {
            Some((id, _)) => role_ids.push(id.to_string()),
            None => problems.push(format!("角色“{name}”不存在")),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Input {
        username: row.username.clone(),
        name: row.name.clone(),
        department_id,
        phone: row.phone.clone(),
        email: row.email.clone(),
        status: "active".into(),
        roles: role_ids,
        covered: Vec::new(),
    })
}

/// Usernames that appear more than once in the file: (line, message) for every repeat.
pub fn repeated_usernames(rows: &[SheetRow]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.username.is_empty() {
            continue;
        }
        if let Some(first) = rows[..i]
            .iter()
            .find(|p| p.username.eq_ignore_ascii_case(&r.username))
        {
            out.push((
                r.line,
                format!("用户名“{}”与第{}行重复", r.username, first.line),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    #[test]
    fn headers_in_any_order_and_blank_rows_skipped() {
        let rows = read_rows(&cells(&[
            &["姓名", "用户名", "部门", "备注"],
            &["张三", "zhangsan", "办公室", "x"],
            &["", "", "", ""],
            &["李四", "lisi", "人事处", ""],
        ]))
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (
                rows[0].line,
                rows[0].username.as_str(),
                rows[0].name.as_str()
            ),
            (2, "zhangsan", "张三")
        );
        assert_eq!(
            rows[1].line, 4,
            "row numbers are Excel's, blank rows included"
        );
    }

    #[test]
    fn a_missing_required_column_or_no_data_is_explained() {
        assert_eq!(
            read_rows(&cells(&[&["用户名", "姓名"], &["a", "b"]])).unwrap_err(),
            "第1行表头缺少“部门”列；请使用导入模板"
        );
        assert_eq!(
            read_rows(&cells(&[&["用户名", "姓名", "部门"]])).unwrap_err(),
            "表格中没有数据行"
        );
        assert!(read_rows(&[]).is_err());
    }

    #[test]
    fn names_resolve_to_ids_or_say_why_not() {
        let depts = vec![
            (1, "办公室".to_owned()),
            (2, "人事处".to_owned()),
            (3, "人事处".to_owned()),
        ];
        let roles = vec![(10, "经办人".to_owned()), (11, "处室负责人".to_owned())];
        let row = |dept: &str, roles: &str| SheetRow {
            line: 5,
            username: "u".into(),
            name: "n".into(),
            department: dept.into(),
            phone: String::new(),
            email: String::new(),
            roles: roles.into(),
        };
        let input = to_input(&row("办公室", "经办人、处室负责人"), &depts, &roles).unwrap();
        assert_eq!(
            (input.department_id.as_str(), input.roles.clone()),
            ("1", vec!["10".to_owned(), "11".to_owned()])
        );
        assert_eq!(
            to_input(&row("科技处", ""), &depts, &roles).unwrap_err(),
            vec!["部门“科技处”不存在或不在您的数据权限内"]
        );
        assert_eq!(
            to_input(&row("人事处", "局长"), &depts, &roles).unwrap_err(),
            vec![
                "部门名称“人事处”不唯一，请联系管理员区分",
                "角色“局长”不存在"
            ]
        );
    }

    #[test]
    fn repeats_name_the_first_line() {
        let r = |line, u: &str| SheetRow {
            line,
            username: u.into(),
            name: String::new(),
            department: String::new(),
            phone: String::new(),
            email: String::new(),
            roles: String::new(),
        };
        assert_eq!(
            repeated_usernames(&[r(2, "a"), r(3, "b"), r(4, "A")]),
            vec![(4, "用户名“A”与第2行重复".to_owned())]
        );
    }
}
