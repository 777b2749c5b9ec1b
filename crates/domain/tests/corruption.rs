//! Every single-character corruption of the valid examples of DOMAIN.md §2 is rejected: each
//! substitution by any other character (in the alphabet or not, half- or full-width), each swap
//! of two neighbouring characters, each character dropped or doubled. The check character schemes
//! (mod 31 over a 31-character alphabet, ISO 7064 MOD 11-2 over digits) guarantee it for
//! substitutions and neighbour swaps; this proves the implementation keeps the guarantee.

use domain::{NaiveDate, ResidentId, ResidentIdError, Uscc, UsccError};

const USCC_EXAMPLE: &str = "91110000600037341L";
const RESIDENT_ID_EXAMPLE: &str = "11010519491231002X";

/// Characters tried in every position: printable ASCII, full-width digits and letters, a space
/// and a few characters pasted from documents.
fn candidates() -> Vec<char> {
    let mut chars: Vec<char> = ('!'..='~').collect();
    chars.extend(['０', '９', 'Ｘ', 'Ｌ', '　', ' ', '·', '一', 'é']);
    chars
}

/// All texts that differ from `valid` in exactly one position, with that (1-based) position.
/// A letter replaced by its other case is the same code, not a corruption.
fn substitutions(valid: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = valid.chars().collect();
    let mut out = Vec::new();
    for index in 0..chars.len() {
        for replacement in candidates() {
            if replacement.eq_ignore_ascii_case(&chars[index]) {
                continue;
            }
            let mut corrupted = chars.clone();
            corrupted[index] = replacement;
            out.push((index + 1, corrupted.into_iter().collect()));
        }
    }
    out
}

/// Neighbour swaps that change the text, each character dropped, and each character doubled.
fn slips(valid: &str) -> Vec<String> {
    let chars: Vec<char> = valid.chars().collect();
    let mut out = Vec::new();
    for index in 0..chars.len() {
        if index + 1 < chars.len() && chars[index] != chars[index + 1] {
            let mut swapped = chars.clone();
            swapped.swap(index, index + 1);
            out.push(swapped.into_iter().collect());
        }
        let mut dropped = chars.clone();
        dropped.remove(index);
        out.push(dropped.into_iter().collect());
        let mut doubled = chars.clone();
        doubled.insert(index, chars[index]);
        out.push(doubled.into_iter().collect());
    }
    out
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

#[test]
fn the_examples_are_valid() {
    assert_eq!(Uscc::parse(USCC_EXAMPLE).unwrap().as_str(), USCC_EXAMPLE);
    let id = ResidentId::parse(RESIDENT_ID_EXAMPLE, today()).unwrap().id;
    assert_eq!(id.as_str(), RESIDENT_ID_EXAMPLE);
}

#[test]
fn every_substitution_in_the_uscc_example_is_rejected() {
    let corrupted = substitutions(USCC_EXAMPLE);
    assert!(corrupted.len() > 18 * 90, "{}", corrupted.len());
    for (position, code) in corrupted {
        let error = Uscc::parse(&code).expect_err(&code);
        let alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        let replacement = code.chars().nth(position - 1).unwrap();
        if position == 18 && alphabet.contains(replacement.to_ascii_uppercase()) {
            assert!(
                matches!(error, UsccError::CheckChar { expected: 'L', .. }),
                "{code}: {error}"
            );
        }
    }
}

#[test]
fn every_substitution_in_the_resident_id_example_is_rejected() {
    let corrupted = substitutions(RESIDENT_ID_EXAMPLE);
    assert!(corrupted.len() > 18 * 90, "{}", corrupted.len());
    for (position, number) in corrupted {
        let error = ResidentId::parse(&number, today()).expect_err(&number);
        let replacement = number.chars().nth(position - 1).unwrap();
        if position == 18 && replacement.is_ascii_digit() {
            assert!(
                matches!(error, ResidentIdError::CheckChar { expected: 'X', .. }),
                "{number}: {error}"
            );
        }
    }
}

#[test]
fn every_swap_drop_and_double_is_rejected() {
    for code in slips(USCC_EXAMPLE) {
        assert!(Uscc::parse(&code).is_err(), "{code}");
    }
    for number in slips(RESIDENT_ID_EXAMPLE) {
        // A dropped or doubled digit gives 17 or 19 characters, never the 15 of an old number.
        assert!(ResidentId::parse(&number, today()).is_err(), "{number}");
    }
}
