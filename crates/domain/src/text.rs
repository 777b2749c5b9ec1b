//! Input clean-up shared by the identifiers, and the trait impls every string-backed type has.
//!
//! Codes arrive pasted from Word, Excel and web forms: lower case and stray spaces around them are
//! harmless and fixed silently; full-width characters and spaces inside are refused with a message,
//! because silently "fixing" them would hide a copy from the wrong column.

/// A problem with the characters of an input, found before the rules of its type are checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("第{position}位是全角字符'{found}'，请改用半角字符")]
    FullWidth { position: usize, found: char },
    #[error("第{position}位是空格，号码中间不能有空格")]
    InteriorSpace { position: usize },
}

/// Trims surrounding whitespace and upper-cases ASCII letters; refuses full-width characters
/// and whitespace inside. Positions are 1-based and count characters of the trimmed input.
pub(crate) fn normalise(input: &str) -> Result<String, InputError> {
    let trimmed = input.trim();
    for (index, c) in trimmed.chars().enumerate() {
        let position = index + 1;
        if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
            return Err(InputError::FullWidth { position, found: c });
        }
        if c.is_whitespace() {
            return Err(InputError::InteriorSpace { position });
        }
    }
    Ok(trimmed.to_ascii_uppercase())
}

/// `Display`, `AsRef<str>` and serde for a type that wraps its canonical `String` as field `.0`
/// and implements `FromStr`: serialising writes the canonical text, deserialising goes through
/// the parser, so a stored value can never bypass the rules.
macro_rules! string_backed {
    ($type:ty) => {
        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $type {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::serde::Serialize for $type {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $type {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_backed;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_upper_cases() {
        assert_eq!(
            normalise("  91110000600037341l\t").unwrap(),
            "91110000600037341L"
        );
        assert_eq!(
            normalise("\u{3000}11010519491231002x\u{3000}").unwrap(),
            "11010519491231002X"
        );
    }

    #[test]
    fn refuses_full_width_and_interior_spaces() {
        assert_eq!(
            normalise("9111０").unwrap_err().to_string(),
            "第5位是全角字符'０'，请改用半角字符"
        );
        assert_eq!(
            normalise(" 911 10").unwrap_err().to_string(),
            "第4位是空格，号码中间不能有空格"
        );
        assert_eq!(
            normalise("91\u{3000}1").unwrap_err(),
            InputError::InteriorSpace { position: 3 }
        );
    }
}
