//! Masking of personal data for the public version of a bulletin: mobile phone numbers (a
//! person's, unlike an office's landline) and identity-card numbers.

use std::sync::LazyLock;

use regex::Regex;

/// Mobile numbers, also written "138-1234-5678" or "138 1234 5678".
static MOBILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}").expect("constant pattern")
});
/// 18-digit identity-card numbers (last character may be X) and the old 15-digit ones.
static IDENTITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9]{17}[0-9Xx]|[0-9]{15}").expect("constant pattern"));

/// Replaces personal numbers by masked forms: "138****5678", "110101********1234".
pub(crate) fn mask(text: &str) -> String {
    let text = replace_standalone(text, &IDENTITY, |id| {
        format!(
            "{}{}{}",
            &id[..6],
            "*".repeat(id.len() - 10),
            &id[id.len() - 4..]
        )
    });
    replace_standalone(&text, &MOBILE, |mobile| {
        let digits: String = mobile.chars().filter(char::is_ascii_digit).collect();
        format!("{}****{}", &digits[..3], &digits[7..])
    })
}

/// Replaces matches that are whole numbers, not the middle of a longer one (the regex crate has
/// no look-around).
fn replace_standalone(text: &str, pattern: &Regex, masked: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for found in pattern.find_iter(text) {
        let digit_before = text[..found.start()]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit());
        let digit_after = text[found.end()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if digit_before || digit_after {
            continue;
        }
        out.push_str(&text[done..found.start()]);
        out.push_str(&masked(found.as_str()));
        done = found.end();
    }
    out.push_str(&text[done..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_numbers_are_masked() {
        assert_eq!(
            mask("联系人张三,手机13544847908,身份证号11010519491231002X。"),
            "联系人张三,手机135****7908,身份证号110105********002X。"
        );
        assert_eq!(mask("手机138-1234-5678"), "手机138****5678");
    }

    #[test]
    fn office_numbers_and_amounts_stay() {
        let text = "联系电话:0769-22831368、39989809;授信65亿元;编号202212345678901234567";
        assert_eq!(mask(text), text);
    }
}
