//! Tests of reading a calendar file: what is accepted, and that each mistake is named.

use proptest::prelude::*;
use time::macros::date;
use time::Weekday;

use super::super::{CalendarError, YearCalendar};

const HEAD: &str = "year = 2026\nversion = \"2026-11-25\"\nsource = \"test\"\n";

fn parse_with(body: &str) -> Result<YearCalendar, CalendarError> {
    YearCalendar::parse(&format!("{HEAD}{body}"))
}

fn error_of(body: &str) -> CalendarError {
    parse_with(body).expect_err("the file is wrong")
}

#[test]
fn a_minimal_file_is_a_year_of_plain_weeks() {
    let year = parse_with("").expect("valid");
    assert_eq!(year.year(), 2026);
    assert_eq!(year.version(), "2026-11-25");
    assert_eq!(year.source(), "test");
}

#[test]
fn bare_toml_dates_are_accepted() {
    let year = parse_with("days_off = [{ date = 2026-12-16, why = \"Independence Day\" }]\n");
    assert!(year.is_ok(), "{year:?}");
}

#[test]
fn a_date_outside_the_year_is_named() {
    let error = error_of("days_off = [{ date = \"2027-01-01\", why = \"New Year\" }]\n");
    let expected = CalendarError::DateOutsideYear {
        key: "days_off",
        date: date!(2027 - 01 - 01),
        year: 2026,
    };
    assert_eq!(error, expected);
    assert_eq!(
        error.to_string(),
        "`days_off`: 2027-01-01 is not in the file's year 2026"
    );
}

#[test]
fn a_weekend_day_off_is_refused() {
    let error = error_of("days_off = [{ date = \"2026-03-08\", why = \"Women's Day\" }]\n");
    let expected = CalendarError::WeekendDayOff {
        date: date!(2026 - 03 - 08),
        weekday: Weekday::Sunday,
    };
    assert_eq!(error, expected);
    assert!(error.to_string().contains("2026-03-08 is a Sunday"));
}

#[test]
fn a_weekday_working_day_is_refused() {
    let error = error_of("working_days = [{ date = \"2026-11-27\", why = \"transfer\" }]\n");
    let expected = CalendarError::WeekdayWorkingDay {
        date: date!(2026 - 11 - 27),
        weekday: Weekday::Friday,
    };
    assert_eq!(error, expected);
}

#[test]
fn a_date_listed_twice_is_refused() {
    let error = error_of(
        "days_off = [\n{ date = \"2026-12-16\", why = \"a\" },\n{ date = 2026-12-16, why = \"b\" },\n]\n",
    );
    let expected = CalendarError::DuplicateDate {
        key: "days_off",
        date: date!(2026 - 12 - 16),
    };
    assert_eq!(error, expected);
}

#[test]
fn a_malformed_date_is_named() {
    for (value, shown) in [
        ("\"2026-02-30\"", "2026-02-30"),
        ("\"16.12.2026\"", "16.12.2026"),
        ("2026-12-16T10:00:00", "2026-12-16T10:00:00"),
        ("20261216", "20261216"),
    ] {
        let error = error_of(&format!("days_off = [{{ date = {value}, why = \"x\" }}]\n"));
        let expected = CalendarError::BadDate {
            key: "days_off",
            value: shown.to_owned(),
        };
        assert_eq!(error, expected);
    }
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let error = error_of("holidays = []\n");
    let text = error.to_string();
    assert!(
        text.starts_with("line 4: unknown field `holidays`"),
        "{text}"
    );
    assert!(!text.contains('\n'), "{text}");
    let nested = error_of("days_off = [{ date = \"2026-12-16\", reason = \"x\" }]\n");
    assert!(
        nested.to_string().contains("unknown field `reason`"),
        "{nested}"
    );
}

#[test]
fn broken_toml_and_missing_keys_are_one_line() {
    let broken = YearCalendar::parse("year = 2026\nversion = \"x\nsource = \"y\"\n").unwrap_err();
    assert!(broken.to_string().starts_with("line 2: "), "{broken}");
    let missing = YearCalendar::parse("year = 2026\nsource = \"y\"\n").unwrap_err();
    assert!(
        missing.to_string().contains("missing field `version`"),
        "{missing}"
    );
    let wrong_type = YearCalendar::parse("year = \"2026\"\n").unwrap_err();
    assert!(matches!(wrong_type, CalendarError::Syntax { .. }));
}

#[test]
fn header_values_are_checked() {
    let empty_version = YearCalendar::parse("year = 2026\nversion = \"\"\nsource = \"s\"\n");
    let expected = CalendarError::EmptyField { key: "version" };
    assert_eq!(empty_version.unwrap_err(), expected);
    let comma = YearCalendar::parse("year = 2026\nversion = \"a,b\"\nsource = \"s\"\n");
    assert_eq!(comma.unwrap_err(), CalendarError::BadVersion("a,b".into()));
    let blank_source = YearCalendar::parse("year = 2026\nversion = \"v\"\nsource = \" \"\n");
    let expected = CalendarError::EmptyField { key: "source" };
    assert_eq!(blank_source.unwrap_err(), expected);
    let huge = YearCalendar::parse("year = 100000\nversion = \"v\"\nsource = \"s\"\n");
    assert_eq!(huge.unwrap_err(), CalendarError::YearOutOfRange(100_000));
}

#[test]
fn every_day_needs_a_reason() {
    let error = error_of("days_off = [{ date = \"2026-12-16\", why = \"\" }]\n");
    let expected = CalendarError::MissingWhy {
        key: "days_off",
        date: date!(2026 - 12 - 16),
    };
    assert_eq!(error, expected);
}

proptest! {
    /// Whatever an operator writes, parsing answers with a value or an error, never a panic,
    /// and every error is one line.
    #[test]
    fn parsing_never_panics(
        body in "(days_off|working_days|year|why|date|[a-z]{1,3}| |=|\\[|\\]|\\{|\\}|,|\"|-|[0-9]{1,5}|\n){0,40}",
    ) {
        if let Err(error) = parse_with(&body) {
            prop_assert!(!error.to_string().contains('\n'), "{}", error);
        }
    }
}
