//! Property tests: generated valid codes parse and round-trip, and every one-character substitution
//! of them is rejected; masking never reveals what it hides.
//! The check characters are computed here independently of the crate, from the standards' formulas.

use domain::mask::{mask_name, mask_phone, mask_resident_id, mask_text};
use domain::{Fen, NaiveDate, PhoneNumber, ResidentId, Sex, Uscc};
use proptest::prelude::*;

const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Authority + organisation type pairs of GB 32100-2015 table 1 (with amendments A and N).
const USCC_PREFIXES: [&str; 36] = [
    "11", "12", "13", "19", "21", "29", "31", "32", "33", "34", "35", "39", "41", "49", "51", "52",
    "53", "59", "61", "62", "69", "71", "72", "79", "81", "89", "91", "92", "93", "A1", "A9", "N1",
    "N2", "N3", "N9", "Y1",
];

fn uscc_check(first17: &str) -> char {
    let weights = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = first17
        .chars()
        .zip(weights)
        .map(|(c, w)| USCC_ALPHABET.find(c).unwrap() * w)
        .sum();
    USCC_ALPHABET.chars().nth((31 - sum % 31) % 31).unwrap()
}

fn resident_check(first17: &str) -> char {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    "10X98765432".chars().nth((sum % 11) as usize).unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

prop_compose! {
    fn valid_uscc()(
        prefix in proptest::sample::select(USCC_PREFIXES.to_vec()),
        region in "[0-9]{6}",
        org in proptest::collection::vec(proptest::sample::select(USCC_ALPHABET.chars().collect::<Vec<_>>()), 9),
    ) -> String {
        let first17 = format!("{prefix}{region}{}", org.into_iter().collect::<String>());
        format!("{first17}{}", uscc_check(&first17))
    }
}

prop_compose! {
    /// (number, birth date) with a birth date from 1900-01-01 to today.
    fn valid_resident_id()(region in "[0-9]{6}", days in 0_u64..46_000, sequence in "[0-9]{3}") -> (String, NaiveDate) {
        let birth = day_after_1900(days).min(today());
        let first17 = format!("{region}{}{sequence}", birth.format("%Y%m%d"));
        (format!("{first17}{}", resident_check(&first17)), birth)
    }
}

fn day_after_1900(days: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1)
        .unwrap()
        .checked_add_days(chrono::Days::new(days))
        .unwrap()
}

proptest! {
    #[test]
    fn generated_usccs_parse_and_round_trip(code in valid_uscc()) {
        let parsed = Uscc::parse(&code).unwrap();
        prop_assert_eq!(parsed.to_string(), code.clone());
        prop_assert_eq!(Uscc::check_char_for(&code[..17]), code.chars().last());
        prop_assert_eq!(code.to_lowercase().parse::<Uscc>().unwrap(), parsed.clone());
        let json = serde_json::to_string(&parsed).unwrap();
        prop_assert_eq!(serde_json::from_str::<Uscc>(&json).unwrap(), parsed.clone());
        prop_assert_eq!(parsed.region_code(), &code[2..8]);
        prop_assert_eq!(parsed.org_code(), &code[8..17]);
    }

    #[test]
    fn generated_resident_ids_parse_and_round_trip((number, birth) in valid_resident_id()) {
        let parsed = ResidentId::parse(&number, today()).unwrap();
        prop_assert!(!parsed.upgraded_from_15);
        let id = parsed.id;
        prop_assert_eq!(id.to_string(), number.clone());
        prop_assert_eq!(id.birth_date(), birth);
        let odd = number.as_bytes()[16] % 2 == 1;
        prop_assert_eq!(id.sex(), if odd { Sex::Male } else { Sex::Female });
        prop_assert_eq!(number.to_lowercase().parse::<ResidentId>().unwrap(), id.clone());
        let json = serde_json::to_string(&id).unwrap();
        prop_assert_eq!(serde_json::from_str::<ResidentId>(&json).unwrap(), id.clone());
    }

    /// Any one character of a generated valid code replaced by another character of the
    /// alphabet is rejected.
    #[test]
    fn substitutions_in_generated_usccs_are_rejected(code in valid_uscc(), position in 0usize..18, shift in 1usize..31) {
        let mut chars: Vec<char> = code.chars().collect();
        let value = USCC_ALPHABET.find(chars[position]).unwrap();
        chars[position] = USCC_ALPHABET.chars().nth((value + shift) % 31).unwrap();
        let corrupted: String = chars.into_iter().collect();
        prop_assert!(Uscc::parse(&corrupted).is_err(), "{} → {}", code, corrupted);
    }

    /// Any one character of a generated valid number replaced by another digit (or X) is rejected.
    #[test]
    fn substitutions_in_generated_resident_ids_are_rejected((number, _) in valid_resident_id(), position in 0usize..18, shift in 1usize..11) {
        const CHARS: &str = "0123456789X";
        let mut chars: Vec<char> = number.chars().collect();
        let value = CHARS.find(chars[position]).unwrap();
        chars[position] = CHARS.chars().nth((value + shift) % 11).unwrap();
        let corrupted: String = chars.into_iter().collect();
        prop_assert!(ResidentId::parse(&corrupted, today()).is_err(), "{} → {}", number, corrupted);
    }

    #[test]
    fn fifteen_digit_numbers_upgrade_to_eighteen(region in "[0-9]{6}", days in 0_u64..36_500, sequence in "[0-9]{3}") {
        let birth = day_after_1900(days);
        let old = format!("{region}{}{sequence}", birth.format("%y%m%d"));
        let parsed = ResidentId::parse(&old, today()).unwrap();
        prop_assert!(parsed.upgraded_from_15);
        let first17 = format!("{region}{}{sequence}", birth.format("%Y%m%d"));
        prop_assert_eq!(parsed.id.as_str(), format!("{first17}{}", resident_check(&first17)));
    }

    #[test]
    fn masked_resident_ids_hide_positions_7_to_14((number, _) in valid_resident_id()) {
        let id: ResidentId = number.parse().unwrap();
        let masked: Vec<char> = mask_resident_id(&id).chars().collect();
        let clear: Vec<char> = number.chars().collect();
        prop_assert_eq!(masked.len(), 18);
        for index in 0..18 {
            let expected = if (6..14).contains(&index) { '*' } else { clear[index] };
            prop_assert_eq!(masked[index], expected);
        }
    }

    #[test]
    fn masked_mobiles_hide_positions_4_to_7(number in "1[3-9][0-9]{9}") {
        let masked = mask_phone(&PhoneNumber::parse(&number).unwrap());
        prop_assert_eq!(masked, format!("{}****{}", &number[..3], &number[7..]));
    }

    #[test]
    fn masked_landlines_show_only_area_code_and_last_two(area in "0[3-9][0-9]{2}", local in "[2-9][0-9]{6,7}") {
        let masked = mask_phone(&PhoneNumber::parse(&format!("{area}{local}")).unwrap());
        let hidden = "*".repeat(local.len() - 2);
        prop_assert_eq!(masked, format!("{area}-{hidden}{}", &local[local.len() - 2..]));
    }

    #[test]
    fn masked_names_show_at_most_the_surname(name in "[\u{4e00}-\u{9fa5}]{2,4}") {
        let masked = mask_name(&name);
        prop_assert_eq!(masked.chars().count(), name.chars().count());
        prop_assert!(masked.chars().skip(2).all(|c| c == '*'));
        prop_assert_eq!(masked.chars().next(), name.chars().next());
    }

    #[test]
    fn generic_masking_hides_at_least_half(raw in "[0-9A-Za-z]{0,40}") {
        let masked = mask_text(&raw);
        let hidden = masked.chars().filter(|c| *c == '*').count();
        prop_assert!(hidden * 2 >= raw.chars().count(), "{} → {}", raw, masked);
    }

    #[test]
    fn money_round_trips_through_display(fen in any::<i64>()) {
        let amount = Fen::from_fen(fen);
        prop_assert_eq!(amount.to_string().parse::<Fen>().unwrap(), amount);
    }

    #[test]
    fn money_arithmetic_matches_wide_integers(a in any::<i64>(), b in any::<i64>()) {
        let wide = i128::from(a) + i128::from(b);
        let sum = Fen::from_fen(a).checked_add(Fen::from_fen(b));
        prop_assert_eq!(sum.map(Fen::as_fen).map(i128::from), i64::try_from(wide).ok().map(i128::from));
    }
}
