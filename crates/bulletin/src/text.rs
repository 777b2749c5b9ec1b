//! Text normalisation and the small pieces of Chinese numbering the parser needs.

use std::sync::OnceLock;

use ferrous_opencc::{OpenCC, config::BuiltinConfig};

use crate::ParseError;

/// One non-empty line of the normalised text with its 1-based line number in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub number: usize,
    pub text: String,
}

/// Byte-order mark removed, Traditional → Simplified, full-width ASCII forms → ASCII, then non-empty trimmed lines.
///
/// Folding full-width forms lets "（一）" and "(一)", "１．" and "1." read the same; the seeds
/// themselves use the ASCII forms, so the stored text looks like them.
pub(crate) fn normalise(text: &str) -> Result<Vec<Line>, ParseError> {
    // Files saved by Windows Notepad start with a byte-order mark.
    let mut simplified = t2s()?.convert(text.trim_start_matches('\u{feff}'));
    for (traditional, simple) in T2S_PHRASES {
        if simplified.contains(traditional) {
            simplified = simplified.replace(traditional, simple);
        }
    }
    Ok(simplified
        .lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let folded: String = line.chars().map(fold).collect();
            let trimmed = folded.trim();
            (!trimmed.is_empty()).then(|| Line {
                number: index + 1,
                text: trimmed.to_owned(),
            })
        })
        .collect())
}

/// Words the converter leaves in their Traditional form because the character also exists in
/// Simplified text (覆 as in 覆盖): "批覆" must read as "批复" for the tree to be the same.
const T2S_PHRASES: [(&str, &str); 4] = [
    ("批覆", "批复"),
    ("答覆", "答复"),
    ("回覆", "回复"),
    ("反覆", "反复"),
];

fn t2s() -> Result<&'static OpenCC, ParseError> {
    static CONVERTER: OnceLock<Option<OpenCC>> = OnceLock::new();
    CONVERTER
        .get_or_init(|| OpenCC::from_config(BuiltinConfig::T2s).ok())
        .as_ref()
        .ok_or(ParseError::Converter)
}

/// Maps a full-width ASCII form (U+FF01–U+FF5E) and the ideographic space to ASCII.
fn fold(c: char) -> char {
    match c {
        '\u{3000}' | '\u{a0}' => ' ',
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        _ => c,
    }
}

const DIGITS: &str = "零一二三四五六七八九";

/// Value of a Chinese numeral up to 九十九 ("二十四", "十", "三").
pub(crate) fn chinese_number(text: &str) -> Option<u32> {
    let digit = |c: char| {
        DIGITS
            .chars()
            .position(|d| d == c)
            .or((c == '〇').then_some(0))
            .or((c == '两').then_some(2))
            .map(|p| p as u32)
    };
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// Chinese numeral for 1..=99, as used in "一是", "(二十)", "三、".
pub(crate) fn chinese_numeral(n: u32) -> String {
    let digit = |d: u32| DIGITS.chars().nth(d as usize).unwrap_or('零');
    match n {
        0..=9 => digit(n).to_string(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", digit(n - 10)),
        _ if n.is_multiple_of(10) => format!("{}十", digit(n / 10 % 10)),
        _ => format!("{}十{}", digit(n / 10 % 10), digit(n % 10)),
    }
}

/// A number written in ASCII digits or Chinese numerals.
pub(crate) fn number(text: &str) -> Option<u32> {
    text.parse().ok().or_else(|| chinese_number(text))
}

/// Circled numbers ①..⑳ as the lists of measures and progress use them.
pub(crate) fn circled(n: usize) -> Option<char> {
    (1..=20)
        .contains(&n)
        .then(|| char::from_u32(0x2460 + n as u32 - 1))
        .flatten()
}

/// Removes the list enumerator of item number `expected` (1-based) from a line: "①", "(3)", or
/// the bare "11" some texts fall back to after ⑩.
pub(crate) fn strip_item_number(line: &str, expected: usize) -> &str {
    let mut chars = line.chars();
    if let Some(c) = chars.next()
        && ('\u{2460}'..='\u{2473}').contains(&c)
    {
        return chars.as_str().trim_start();
    }
    if let Some(rest) = line.strip_prefix('(')
        && let Some((inside, after)) = rest.split_once(')')
        && inside.parse::<usize>().is_ok_and(|n| n == expected)
    {
        return after.trim_start();
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if expected > 10 && digits > 0 && line[..digits].parse::<usize>().is_ok_and(|n| n == expected) {
        return &line[digits..];
    }
    line
}

/// The text inside a leading “…” (nested quotes kept), and what follows the closing quote.
/// An unbalanced quote falls back to the last ” of the text.
pub(crate) fn quoted(text: &str) -> Option<(&str, &str)> {
    let body = text.strip_prefix('“')?;
    let mut depth = 0usize;
    for (at, c) in body.char_indices() {
        match c {
            '“' => depth += 1,
            '”' if depth == 0 => return Some((&body[..at], &body[at + c.len_utf8()..])),
            '”' => depth -= 1,
            _ => {}
        }
    }
    let at = body.rfind('”')?;
    Some((&body[..at], &body[at + '”'.len_utf8()..]))
}

/// Removes one trailing full stop: titles are stored without it.
pub(crate) fn without_full_stop(text: &str) -> &str {
    text.strip_suffix('。').unwrap_or(text).trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_forms_and_traditional_characters_are_normalised() {
        let lines = normalise("\u{feff}（一）學習貫徹不到位\n\n　１．關於問題，予以批覆").unwrap();
        assert_eq!(lines[0].text, "(一)学习贯彻不到位");
        assert_eq!(lines[1].number, 3);
        assert_eq!(lines[1].text, "1.关于问题,予以批复");
    }

    #[test]
    fn chinese_numerals_read_and_write() {
        for n in 1..=99 {
            assert_eq!(chinese_number(&chinese_numeral(n)), Some(n), "{n}");
        }
        assert_eq!(chinese_number("二十四"), Some(24));
        assert_eq!(chinese_number("两"), Some(2));
        assert_eq!(chinese_number("是"), None);
    }

    #[test]
    fn item_numbers_are_removed_only_where_they_are_numbers() {
        assert_eq!(strip_item_number("①召开会议", 1), "召开会议");
        assert_eq!(strip_item_number("(21)召开会议", 21), "召开会议");
        assert_eq!(
            strip_item_number("11已完善《党组议事规则》", 11),
            "已完善《党组议事规则》"
        );
        assert_eq!(strip_item_number("15条政策已调整", 1), "15条政策已调整");
        assert_eq!(circled(1), Some('①'));
        assert_eq!(circled(21), None);
    }

    #[test]
    fn quotes_nest() {
        assert_eq!(
            quoted("“实施“揭榜挂帅”不够”问题"),
            Some(("实施“揭榜挂帅”不够", "问题"))
        );
        assert_eq!(quoted("“未闭合“问题”"), Some(("未闭合“问题", "")));
        assert_eq!(quoted("没有引号"), None);
    }
}
