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
    match domain::PhoneNumber::parse(v) {
        Ok(p) => Some(p.as_str().to_owned()),
        Err(e) => {
            errors.add(field, format!("电话号码“{v}”有误：{e}"));
            Some(v.to_owned())
        }
    }
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
        for (ok, stored) in [
            ("13812345678", "13812345678"),
            ("138 1234 5678", "13812345678"),
            ("0411-12345678", "0411-12345678"),
            ("010-12345678", "010-12345678"),
        ] {
            let mut e = FieldErrors::default();
            assert_eq!(phone(&mut e, "phone", ok).as_deref(), Some(stored));
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
            assert!(
                e.get("phone")
                    .starts_with(&format!("电话号码“{bad}”有误：")),
                "{bad}"
            );
        }
    }
}
