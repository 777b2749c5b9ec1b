//! Server-side form validation: messages in Chinese, shown next to their field.

use std::collections::BTreeMap;

/// Field name → message. Empty means the input is valid.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The message for `field`, or "" (templates show it under the input).
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
    pub fn get(&self, field: &str) -> &str {
        self.0.get(field).map(String::as_str).unwrap_or("")
    }
    /// All messages in one line, for the API and logs.
    pub fn summary(&self) -> String {
        self.0.values().cloned().collect::<Vec<_>>().join("；")
    }
}

/// A required text field: trimmed, not blank, at most `max` characters.
pub fn required(
    errors: &mut FieldErrors,
    field: &str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.add(field, format!("请填写{label}"));
    } else if v.chars().count() > max {
        errors.add(
            field,
            format!("{label}不能超过{max}个字，当前{}个字", v.chars().count()),
        );
    }
    v.to_owned()
}

/// An optional text field: trimmed, at most `max` characters; blank becomes `None`.
pub fn optional(
    errors: &mut FieldErrors,
    field: &str,
    label: &str,
    value: &str,
    max: usize,
) -> Option<String> {
    let v = value.trim();
    if v.chars().count() > max {
        errors.add(
            field,
            format!("{label}不能超过{max}个字，当前{}个字", v.chars().count()),
        );
    }
    (!v.is_empty()).then(|| v.to_owned())
}

/// A mainland mobile number (11 digits, 1[3-9]…) or a landline with area code (0411-12345678).
pub fn phone(errors: &mut FieldErrors, field: &str, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let mobile = v.len() == 11
        && v.bytes().all(|b| b.is_ascii_digit())
        && v.starts_with('1')
        && matches!(v.as_bytes()[1], b'3'..=b'9');
    let landline = match v.split_once('-') {
        Some((area, number)) => {
            area.starts_with('0')
                && (3..=4).contains(&area.len())
                && area.bytes().all(|b| b.is_ascii_digit())
                && (7..=8).contains(&number.len())
                && number.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    };
    if !mobile && !landline {
        errors.add(
            field,
            format!("电话号码“{v}”格式不正确：手机号应为以1开头的11位数字，座机应为“区号-号码”，如0411-12345678"),
        );
    }
    Some(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_and_length() {
        let mut e = FieldErrors::default();
        assert_eq!(required(&mut e, "name", "名称", "  办公室 ", 10), "办公室");
        assert!(e.is_empty());
        required(&mut e, "name", "名称", "   ", 10);
        assert_eq!(e.get("name"), "请填写名称");
        let mut e = FieldErrors::default();
        required(&mut e, "name", "名称", &"科".repeat(11), 10);
        assert_eq!(e.get("name"), "名称不能超过10个字，当前11个字");
    }

    #[test]
    fn phones() {
        for ok in ["13812345678", "0411-12345678", "010-1234567"] {
            let mut e = FieldErrors::default();
            phone(&mut e, "phone", ok);
            assert!(e.is_empty(), "{ok}");
        }
        for bad in [
            "12812345678",
            "1381234567",
            "138123456789",
            "411-12345678",
            "0411-123",
            "abc",
        ] {
            let mut e = FieldErrors::default();
            phone(&mut e, "phone", bad);
            assert!(e.get("phone").contains("格式不正确"), "{bad}");
        }
    }
}
