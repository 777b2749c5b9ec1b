//! Money as an integer number of 分 (1 元 = 100 分), so sums never drift.

use std::fmt;
use std::str::FromStr;

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FenError {
    #[error("金额不能为空")]
    Empty,
    #[error("金额第{position}位字符'{found}'无效")]
    Char { position: usize, found: char },
    #[error("金额格式无效：{input}")]
    Format { input: String },
    #[error("金额的千分位逗号位置不对：{input}")]
    Grouping { input: String },
    #[error("以{unit}为单位最多{max}位小数（不足1分）：{input}")]
    TooPrecise {
        unit: &'static str,
        max: usize,
        input: String,
    },
    #[error("金额超出范围：{input}")]
    Overflow { input: String },
}

/// An amount in 分. Any `i64` is a valid amount (refunds and recoveries are negative).
///
/// Parses "12.34", "1,234.50 元", "¥12", "1.5万元", "2亿元"; displays yuan with two decimals
/// ("1234.50"). Serialises as the integer number of 分, the form stored in the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fen(i64);

/// Units a text may end with: suffix, name for messages, 分 per unit, decimals allowed.
const UNITS: [(&str, &str, i64, usize); 4] = [
    ("亿元", "亿元", 10_000_000_000, 10),
    ("万元", "万元", 1_000_000, 6),
    ("万", "万元", 1_000_000, 6),
    ("元", "元", 100, 2),
];

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub const fn from_fen(fen: i64) -> Self {
        Self(fen)
    }

    pub const fn as_fen(self) -> i64 {
        self.0
    }

    pub fn parse(input: &str) -> Result<Self, FenError> {
        let text = input.trim();
        let text = text.strip_prefix(['¥', '￥']).unwrap_or(text).trim_start();
        let (number, unit, per_unit, max_decimals) = UNITS
            .iter()
            .find_map(|(suffix, unit, per_unit, max)| {
                text.strip_suffix(suffix)
                    .map(|number| (number.trim_end(), *unit, *per_unit, *max))
            })
            .unwrap_or((text, "元", 100, 2));
        if number.is_empty() {
            return Err(FenError::Empty);
        }
        if let Some((index, found)) = number
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-')))
        {
            return Err(FenError::Char {
                position: index + 1,
                found,
            });
        }
        let format_error = || FenError::Format {
            input: input.trim().to_owned(),
        };
        let (negative, unsigned) = match number.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, number),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        if whole.is_empty()
            || fraction.contains(['.', ',', '-'])
            || whole.contains('-')
            || unsigned.ends_with('.')
        {
            return Err(format_error());
        }
        let whole = ungroup(whole).ok_or_else(|| FenError::Grouping {
            input: input.trim().to_owned(),
        })?;
        if fraction.len() > max_decimals {
            return Err(FenError::TooPrecise {
                unit,
                max: max_decimals,
                input: input.trim().to_owned(),
            });
        }
        let overflow = || FenError::Overflow {
            input: input.trim().to_owned(),
        };
        let whole: i64 = whole.parse().map_err(|_| overflow())?;
        // Each unit allows exactly as many decimals as it has digits of 分 (元: 2, 万元: 6, 亿元: 10),
        // so the fraction padded to that width is already a number of 分.
        let fraction_fen: i64 = if fraction.is_empty() {
            0
        } else {
            format!("{fraction:0<max_decimals$}")
                .parse()
                .map_err(|_| format_error())?
        };
        let whole_fen = whole.checked_mul(per_unit).ok_or_else(overflow)?;
        // Negative amounts are built downwards so that i64::MIN, as displayed, reads back.
        let fen = if negative {
            (-whole_fen).checked_sub(fraction_fen)
        } else {
            whole_fen.checked_add(fraction_fen)
        };
        fen.map(Self).ok_or_else(overflow)
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    pub fn checked_mul(self, factor: i64) -> Option<Fen> {
        self.0.checked_mul(factor).map(Fen)
    }

    /// The sum of many amounts, `None` on overflow.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Fen>) -> Option<Fen> {
        amounts.into_iter().try_fold(Fen::ZERO, Fen::checked_add)
    }

    /// The amount in 万元 for reports; displays with two decimals unless a precision is given
    /// (`{:.4}`), rounding half away from zero.
    pub fn to_wan_yuan(self) -> WanYuan {
        WanYuan(self.0)
    }
}

/// Removes thousands separators, or `None` if they are misplaced ("1,23").
fn ungroup(whole: &str) -> Option<String> {
    let groups: Vec<&str> = whole.split(',').collect();
    let (first, rest) = groups.split_first()?;
    let well_placed =
        !first.is_empty() && first.len() <= 3 && rest.iter().all(|group| group.len() == 3);
    (groups.len() == 1 || well_placed).then(|| groups.concat())
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let fen = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", fen / 100, fen % 100)
    }
}

impl FromStr for Fen {
    type Err = FenError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Fen {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Fen {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        i64::deserialize(deserializer).map(Fen)
    }
}

/// An amount shown in 万元; see [`Fen::to_wan_yuan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WanYuan(i64);

impl fmt::Display for WanYuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // 1 万元 = 1,000,000 分, so six decimals are exact.
        let decimals = f.precision().unwrap_or(2).min(6) as u32;
        let step = 10_u128.pow(6 - decimals);
        let units = (u128::from(self.0.unsigned_abs()) + step / 2) / step;
        let sign = if self.0 < 0 && units != 0 { "-" } else { "" };
        let scale = 10_u128.pow(decimals);
        if decimals == 0 {
            write!(f, "{sign}{units}")
        } else {
            write!(
                f,
                "{sign}{}.{:0width$}",
                units / scale,
                units % scale,
                width = decimals as usize
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fen(input: &str) -> i64 {
        Fen::parse(input).unwrap().as_fen()
    }

    #[test]
    fn parses_the_ways_amounts_are_written() {
        assert_eq!(fen("12.34"), 1234);
        assert_eq!(fen("12.3"), 1230);
        assert_eq!(fen("12"), 1200);
        assert_eq!(fen("1,234.50 元"), 123_450);
        assert_eq!(fen("1234.5元"), 123_450);
        assert_eq!(fen("¥12.00"), 1200);
        assert_eq!(fen("￥ 1,000"), 100_000);
        assert_eq!(fen("1.5万元"), 1_500_000);
        assert_eq!(fen("1.5万"), 1_500_000);
        assert_eq!(fen("0.0001万元"), 100);
        assert_eq!(fen("2.5亿元"), 25_000_000_000);
        assert_eq!(fen("-3.05"), -305);
        assert_eq!(fen("0"), 0);
    }

    #[test]
    fn every_error_has_its_chinese_message() {
        let message = |input: &str| Fen::parse(input).unwrap_err().to_string();
        assert_eq!(message(""), "金额不能为空");
        assert_eq!(message("元"), "金额不能为空");
        assert_eq!(message("12a.5"), "金额第3位字符'a'无效");
        assert_eq!(message("1..2"), "金额格式无效：1..2");
        assert_eq!(message(".5"), "金额格式无效：.5");
        assert_eq!(message("12."), "金额格式无效：12.");
        assert_eq!(message("1,23.45"), "金额的千分位逗号位置不对：1,23.45");
        assert_eq!(
            message("12.345"),
            "以元为单位最多2位小数（不足1分）：12.345"
        );
        assert_eq!(
            message("1.0000001万元"),
            "以万元为单位最多6位小数（不足1分）：1.0000001万元"
        );
        assert_eq!(
            message("99999999999999999999"),
            "金额超出范围：99999999999999999999"
        );
        assert_eq!(
            message("100000000000亿元"),
            "金额超出范围：100000000000亿元"
        );
    }

    #[test]
    fn displays_yuan_with_two_decimals_and_reads_it_back() {
        for (amount, shown) in [
            (123_450, "1234.50"),
            (5, "0.05"),
            (-305, "-3.05"),
            (0, "0.00"),
        ] {
            assert_eq!(Fen::from_fen(amount).to_string(), shown);
            assert_eq!(fen(shown), amount);
        }
        assert_eq!(Fen::from_fen(i64::MIN).to_string(), "-92233720368547758.08");
        assert_eq!(fen("-92233720368547758.08"), i64::MIN);
    }

    #[test]
    fn wan_yuan_for_reports() {
        assert_eq!(
            Fen::parse("1.5万元").unwrap().to_wan_yuan().to_string(),
            "1.50"
        );
        assert_eq!(
            Fen::from_fen(123_456_789).to_wan_yuan().to_string(),
            "123.46"
        );
        assert_eq!(
            format!("{:.4}", Fen::from_fen(123_456_789).to_wan_yuan()),
            "123.4568"
        );
        assert_eq!(
            format!("{:.0}", Fen::from_fen(1_500_000).to_wan_yuan()),
            "2"
        );
        assert_eq!(Fen::from_fen(-4_999).to_wan_yuan().to_string(), "0.00");
        assert_eq!(Fen::from_fen(-5_000).to_wan_yuan().to_string(), "-0.01");
    }

    #[test]
    fn arithmetic_is_checked() {
        let a = Fen::from_fen(150);
        assert_eq!(a.checked_add(Fen::from_fen(50)), Some(Fen::from_fen(200)));
        assert_eq!(a.checked_sub(Fen::from_fen(200)), Some(Fen::from_fen(-50)));
        assert_eq!(a.checked_mul(3), Some(Fen::from_fen(450)));
        assert_eq!(Fen::from_fen(i64::MAX).checked_add(Fen::from_fen(1)), None);
        assert_eq!(Fen::from_fen(i64::MIN).checked_sub(Fen::from_fen(1)), None);
        assert_eq!(Fen::from_fen(i64::MAX).checked_mul(2), None);
        assert_eq!(Fen::checked_sum([a, a, a]), Some(Fen::from_fen(450)));
        assert_eq!(Fen::checked_sum([Fen::from_fen(i64::MAX), a]), None);
    }

    #[test]
    fn serialises_as_integer_fen() {
        assert_eq!(
            serde_json::to_string(&Fen::from_fen(123_450)).unwrap(),
            "123450"
        );
        assert_eq!(
            serde_json::from_str::<Fen>("-305").unwrap(),
            Fen::from_fen(-305)
        );
    }
}
