//! The arrangements shipped with the crate, one file per year under `data/`.

use crate::arrangement::YearArrangement;
use crate::calendar::Calendar;

/// The shipped year files, oldest first.
pub(crate) const FILES: [&str; 23] = [
    include_str!("../data/2004.toml"),
    include_str!("../data/2005.toml"),
    include_str!("../data/2006.toml"),
    include_str!("../data/2007.toml"),
    include_str!("../data/2008.toml"),
    include_str!("../data/2009.toml"),
    include_str!("../data/2010.toml"),
    include_str!("../data/2011.toml"),
    include_str!("../data/2012.toml"),
    include_str!("../data/2013.toml"),
    include_str!("../data/2014.toml"),
    include_str!("../data/2015.toml"),
    include_str!("../data/2016.toml"),
    include_str!("../data/2017.toml"),
    include_str!("../data/2018.toml"),
    include_str!("../data/2019.toml"),
    include_str!("../data/2020.toml"),
    include_str!("../data/2021.toml"),
    include_str!("../data/2022.toml"),
    include_str!("../data/2023.toml"),
    include_str!("../data/2024.toml"),
    include_str!("../data/2025.toml"),
    include_str!("../data/2026.toml"),
];

impl Calendar {
    /// Every shipped year (2004–2026). The application adds later years from its database with
    /// [`Calendar::add_year`].
    pub fn builtin() -> Self {
        let mut calendar = Self::new();
        for text in FILES {
            // The shipped files are compiled in and checked by the tests below, so a failure
            // here is a bug in this crate, not bad input.
            let year =
                YearArrangement::parse(text).unwrap_or_else(|e| panic!("内置放假安排有误：{e}"));
            if let Err(e) = calendar.add_year(year) {
                panic!("内置放假安排有误：{e}");
            }
        }
        calendar
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_file_parses_and_is_written_back_identically() {
        for text in FILES {
            let year = YearArrangement::parse(text).unwrap();
            assert_eq!(
                year.to_toml(),
                text,
                "{} is not in canonical form",
                year.year()
            );
        }
    }

    #[test]
    fn builtin_knows_2004_to_2026_each_with_its_notice() {
        let cal = Calendar::builtin();
        assert_eq!(cal.years(), (2004..=2026).collect::<Vec<_>>());
        for y in cal.years() {
            let a = cal.arrangement(y).unwrap();
            assert!(a.source().starts_with("http"), "{y}");
            assert_eq!(
                a.title(),
                Some(format!("国务院办公厅关于{y}年部分节假日安排的通知").as_str())
            );
        }
    }
}
