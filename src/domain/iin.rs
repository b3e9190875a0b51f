//! IIN (individual) and BIN (business) identification numbers: 12 digits with a check digit.
//!
//! The check digit follows contract section 3: weights 1..11; where the sum mod 11 is 10,
//! weights 3..11,1,2; where that is 10 too, no number is valid. An IIN also encodes its
//! holder's birth date (YYMMDD) and, in the seventh digit, century and sex.

use std::fmt;

use time::{Date, Month};

/// Why a string is not an IIN or BIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("is not 12 digits")]
    NotTwelveDigits,
    #[error("check digit does not match")]
    CheckDigit,
    #[error("seventh digit is not a century and sex digit (1 to 6)")]
    CenturyDigit,
    #[error("first six digits are not a calendar date")]
    BirthDate,
}

/// The sex recorded in an e-request and encoded in an IIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

const WEIGHTS_FIRST: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const WEIGHTS_SECOND: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// The check digit for the first eleven digits, or `None` where both passes give 10.
pub fn check_digit(first_eleven: &[u8; 11]) -> Option<u8> {
    let pass = |weights: &[u32; 11]| {
        let sum: u32 = first_eleven
            .iter()
            .zip(weights)
            .map(|(&d, &w)| u32::from(d) * w)
            .sum();
        sum % 11
    };
    match pass(&WEIGHTS_FIRST) {
        10 => match pass(&WEIGHTS_SECOND) {
            10 => None,
            c => Some(c as u8),
        },
        c => Some(c as u8),
    }
}

/// Twelve digits whose last is the check digit of the first eleven.
fn parse_digits(s: &str) -> Result<[u8; 12], NumberError> {
    let bytes = s.as_bytes();
    if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(NumberError::NotTwelveDigits);
    }
    let mut digits = [0u8; 12];
    for (d, b) in digits.iter_mut().zip(bytes) {
        *d = b - b'0';
    }
    let first: [u8; 11] = digits[..11].try_into().expect("eleven of twelve");
    match check_digit(&first) {
        Some(c) if c == digits[11] => Ok(digits),
        _ => Err(NumberError::CheckDigit),
    }
}

fn digits_to_string(digits: &[u8; 12]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// An individual's identification number: valid check digit, century and sex digit, and a
/// real birth date. Its `Debug` hides the digits, so it never reaches a log by accident.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Iin {
    digits: [u8; 12],
    birth_date: Date,
    sex: Sex,
}

impl Iin {
    pub fn parse(s: &str) -> Result<Self, NumberError> {
        let digits = parse_digits(s)?;
        let (century, sex) = match digits[6] {
            1 => (1800, Sex::Male),
            2 => (1800, Sex::Female),
            3 => (1900, Sex::Male),
            4 => (1900, Sex::Female),
            5 => (2000, Sex::Male),
            6 => (2000, Sex::Female),
            _ => return Err(NumberError::CenturyDigit),
        };
        let two = |i: usize| i32::from(digits[i]) * 10 + i32::from(digits[i + 1]);
        let month = u8::try_from(two(2))
            .ok()
            .and_then(|m| Month::try_from(m).ok())
            .ok_or(NumberError::BirthDate)?;
        let day = u8::try_from(two(4)).map_err(|_| NumberError::BirthDate)?;
        let birth_date = Date::from_calendar_date(century + two(0), month, day)
            .map_err(|_| NumberError::BirthDate)?;
        Ok(Self {
            digits,
            birth_date,
            sex,
        })
    }

    /// The digits, for the places that need them: the signer's certificate, registries.
    pub fn as_string(&self) -> String {
        digits_to_string(&self.digits)
    }

    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    pub fn sex(&self) -> Sex {
        self.sex
    }
}

impl fmt::Debug for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Iin(****)")
    }
}

/// A business identification number: 12 digits with a valid check digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bin([u8; 12]);

impl Bin {
    pub fn parse(s: &str) -> Result<Self, NumberError> {
        parse_digits(s).map(Self)
    }

    pub fn as_string(&self) -> String {
        digits_to_string(&self.0)
    }
}

impl fmt::Display for Bin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn contract_example_iin_and_bin_are_valid() {
        let iin = Iin::parse("900517310006").unwrap();
        assert_eq!(iin.birth_date(), date!(1990 - 05 - 17));
        assert_eq!(iin.sex(), Sex::Male);
        assert_eq!(iin.as_string(), "900517310006");
        assert_eq!(
            Bin::parse("180240012342").unwrap().to_string(),
            "180240012342"
        );
    }

    #[test]
    fn second_weight_pass_is_used_when_the_first_gives_ten() {
        // 00000000001 gives 11 with the first weights (11 mod 11 = 0); find a case that gives
        // ten: digit 10 at position 10 -> 10*10 = 100 = 1 mod 11. Search instead of guessing.
        let found = (0..100_000u32).find_map(|n| {
            let s = format!("9005173{n:04}");
            let first: [u8; 11] = std::array::from_fn(|i| s.as_bytes()[i] - b'0');
            let sum: u32 = first
                .iter()
                .zip(WEIGHTS_FIRST)
                .map(|(&d, w)| u32::from(d) * w)
                .sum();
            (sum % 11 == 10).then_some((first, s))
        });
        let (first, s) = found.expect("some number needs the second pass");
        let second: u32 = first
            .iter()
            .zip(WEIGHTS_SECOND)
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        match check_digit(&first) {
            Some(c) => {
                assert_eq!(u32::from(c), second % 11);
                assert!(Iin::parse(&format!("{s}{c}")).is_ok());
            }
            None => assert_eq!(second % 11, 10),
        }
    }

    #[test]
    fn named_errors() {
        assert_eq!(Iin::parse("90051731000"), Err(NumberError::NotTwelveDigits));
        assert_eq!(
            Iin::parse("90051731000a"),
            Err(NumberError::NotTwelveDigits)
        );
        assert_eq!(
            Iin::parse("９００517310006"),
            Err(NumberError::NotTwelveDigits)
        );
        assert_eq!(Iin::parse("900517310007"), Err(NumberError::CheckDigit));
        assert!(Bin::parse("180240012343").is_err());
    }

    #[test]
    fn iin_debug_hides_the_digits() {
        let iin = Iin::parse("900517310006").unwrap();
        assert!(!format!("{iin:?}").contains("900517"));
    }

    /// A valid IIN for a birth date, sex digit and serial, when the serial has a check digit.
    fn make_iin(date: Date, century_digit: u8, serial: u32) -> Option<String> {
        let s = format!(
            "{:02}{:02}{:02}{}{:04}",
            date.year() % 100,
            u8::from(date.month()),
            date.day(),
            century_digit,
            serial
        );
        let first: [u8; 11] = std::array::from_fn(|i| s.as_bytes()[i] - b'0');
        check_digit(&first).map(|c| format!("{s}{c}"))
    }

    fn arb_iin() -> impl Strategy<Value = (String, Date, Sex)> {
        (0i32..(3 * 36524), 0u8..2, 0u32..10_000).prop_filter_map(
            "no check digit",
            |(days, female, serial)| {
                let date = date!(1800 - 01 - 01) + time::Duration::days(days.into());
                let century = (date.year() - 1800) / 100;
                let digit = 1 + 2 * century as u8 + female;
                let sex = if female == 1 { Sex::Female } else { Sex::Male };
                make_iin(date, digit, serial).map(|s| (s, date, sex))
            },
        )
    }

    proptest! {
        #[test]
        fn every_generated_iin_parses((s, date, sex) in arb_iin()) {
            let iin = Iin::parse(&s).unwrap();
            prop_assert_eq!(iin.birth_date(), date);
            prop_assert_eq!(iin.sex(), sex);
            prop_assert!(Bin::parse(&s).is_ok());
        }

        #[test]
        fn one_changed_digit_is_caught_unless_valid_again(
            (s, _, _) in arb_iin(), pos in 0usize..12, delta in 1u8..10
        ) {
            let mut bytes = s.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            let first: [u8; 11] = std::array::from_fn(|i| changed.as_bytes()[i] - b'0');
            let still_checks = check_digit(&first) == Some(changed.as_bytes()[11] - b'0');
            // A single changed digit always breaks the first weight pass unless it lands
            // on another number whose check digit agrees.
            prop_assert_eq!(Bin::parse(&changed).is_ok(), still_checks);
            if !still_checks {
                prop_assert!(Iin::parse(&changed).is_err());
            }
        }

        #[test]
        fn never_panics_on_any_string(s in ".{0,20}") {
            let _ = Iin::parse(&s);
            let _ = Bin::parse(&s);
        }
    }
}
