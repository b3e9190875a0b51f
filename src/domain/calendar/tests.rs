//! Tests of the calendar: `due_at` on the shipped files, parsing errors, and a property test.

use proptest::prelude::*;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime, UtcOffset};

use super::*;

const FILE_2026: &str = include_str!("../../../config/calendar/2026.toml");
const FILE_2027: &str = include_str!("../../../config/calendar/2027.toml");

fn shipped() -> Calendar {
    let years = [FILE_2026, FILE_2027].map(|text| YearCalendar::parse(text).expect("shipped"));
    Calendar::from_years(years.into()).expect("distinct years")
}

fn only(text: &str) -> Calendar {
    Calendar::from_years(vec![YearCalendar::parse(text).expect("valid")]).expect("one year")
}

fn due(calendar: &Calendar, submitted_at: OffsetDateTime) -> OffsetDateTime {
    calendar.due_at(submitted_at).expect("configured year")
}

#[test]
fn tuesday_is_due_wednesday_evening() {
    let submitted = datetime!(2026-11-24 10:15 +5);
    assert_eq!(due(&shipped(), submitted), datetime!(2026-11-25 18:00 +5));
}

#[test]
fn friday_and_the_weekend_are_due_monday() {
    for submitted in [
        datetime!(2026-11-27 09:00 +5),
        datetime!(2026-11-27 23:59:59 +5),
        datetime!(2026-11-28 12:00 +5),
        datetime!(2026-11-29 00:00 +5),
    ] {
        assert_eq!(due(&shipped(), submitted), datetime!(2026-11-30 18:00 +5));
    }
}

#[test]
fn holidays_are_skipped() {
    let cases = [
        // Nauryz: 21-22 March on the weekend move to 24-25 March.
        (
            datetime!(2026-03-20 17:00 +5),
            datetime!(2026-03-26 18:00 +5),
        ),
        (
            datetime!(2026-03-23 11:00 +5),
            datetime!(2026-03-26 18:00 +5),
        ),
        // 8 March on a Sunday moves to Monday 9 March.
        (
            datetime!(2026-03-06 10:00 +5),
            datetime!(2026-03-10 18:00 +5),
        ),
        // New Year: Thursday 1 and Friday 2 January, then the weekend.
        (
            datetime!(2026-01-01 08:00 +5),
            datetime!(2026-01-05 18:00 +5),
        ),
        // Orthodox Christmas, Wednesday 7 January.
        (
            datetime!(2026-01-06 10:00 +5),
            datetime!(2026-01-08 18:00 +5),
        ),
        // Kurban ait, Wednesday 27 May.
        (
            datetime!(2026-05-26 10:00 +5),
            datetime!(2026-05-28 18:00 +5),
        ),
        // Independence Day, Wednesday 16 December.
        (
            datetime!(2026-12-15 10:00 +5),
            datetime!(2026-12-17 18:00 +5),
        ),
    ];
    let calendar = shipped();
    for (submitted, expected) in cases {
        assert_eq!(due(&calendar, submitted), expected, "submitted {submitted}");
    }
}

#[test]
fn new_years_eve_reads_next_years_file() {
    // 1 January is a holiday, 2-3 January the weekend, and 2 January on a Saturday moves the
    // day off to Monday 4 January 2027.
    let submitted = datetime!(2026-12-31 16:00 +5);
    assert_eq!(due(&shipped(), submitted), datetime!(2027-01-05 18:00 +5));
}

#[test]
fn the_local_date_is_taken_at_plus_five() {
    // 20:30 UTC on the 24th is 01:30 on the 25th in Kazakhstan.
    let calendar = shipped();
    let utc = datetime!(2026-11-24 20:30 UTC);
    assert_eq!(due(&calendar, utc), datetime!(2026-11-26 18:00 +5));
    let west = datetime!(2026-11-24 14:00 -7);
    assert_eq!(due(&calendar, west), datetime!(2026-11-26 18:00 +5));
    let just_before = datetime!(2026-11-24 18:59:59 UTC);
    assert_eq!(due(&calendar, just_before), datetime!(2026-11-25 18:00 +5));
}

#[test]
fn a_transferred_saturday_is_a_working_day() {
    let calendar = only(
        r#"
        year = 2026
        version = "test"
        source = "test"
        days_off = [{ date = "2026-11-30", why = "moved from Saturday 28 November" }]
        working_days = [{ date = "2026-11-28", why = "transfer to Monday 30 November" }]
        "#,
    );
    assert_eq!(calendar.is_working_day(date!(2026 - 11 - 28)), Ok(true));
    assert_eq!(calendar.is_working_day(date!(2026 - 11 - 29)), Ok(false));
    assert_eq!(calendar.is_working_day(date!(2026 - 11 - 30)), Ok(false));
    let friday = datetime!(2026-11-27 12:00 +5);
    assert_eq!(due(&calendar, friday), datetime!(2026-11-28 18:00 +5));
    let saturday = datetime!(2026-11-28 12:00 +5);
    assert_eq!(due(&calendar, saturday), datetime!(2026-12-01 18:00 +5));
}

#[test]
fn a_year_not_configured_is_an_error() {
    let calendar = only(FILE_2026);
    let before = calendar.due_at(datetime!(2025-06-10 10:00 +5));
    assert_eq!(before, Err(CalendarError::YearNotConfigured(2025)));
    let year_end = calendar.due_at(datetime!(2026-12-31 10:00 +5));
    assert_eq!(year_end, Err(CalendarError::YearNotConfigured(2027)));
    assert!(year_end.unwrap_err().to_string().contains("2027"));
}

#[test]
fn instants_at_the_edge_of_time_are_errors_not_panics() {
    let calendar = shipped();
    let last = OffsetDateTime::new_in_offset(Date::MAX, time::Time::MIDNIGHT, KZ_OFFSET);
    assert!(calendar.due_at(last).is_err());
    let far_west =
        OffsetDateTime::new_in_offset(Date::MAX, time::Time::MIDNIGHT, time::macros::offset!(-20));
    assert!(matches!(
        calendar.due_at(far_west),
        Err(CalendarError::OutOfRange(_))
    ));
}

#[test]
fn years_and_version_name_every_file() {
    let calendar = shipped();
    assert_eq!(calendar.years().collect::<Vec<_>>(), [2026, 2027]);
    assert_eq!(
        calendar.version(),
        "2026:2026-11-25,2027:2026-11-25-provisional"
    );
}

#[test]
fn the_same_year_twice_or_no_year_is_refused() {
    let twice = vec![
        YearCalendar::parse(FILE_2026).expect("valid"),
        YearCalendar::parse(FILE_2026).expect("valid"),
    ];
    let error = Calendar::from_years(twice).unwrap_err();
    assert_eq!(error, CalendarError::DuplicateYear(2026));
    assert_eq!(
        Calendar::from_years(Vec::new()).unwrap_err(),
        CalendarError::NoYears
    );
}

#[test]
fn the_shipped_files_hold_the_statutory_days_off() {
    let calendar = shipped();
    let days_off = [
        date!(2026 - 01 - 01),
        date!(2026 - 01 - 02),
        date!(2026 - 01 - 07),
        date!(2026 - 03 - 09),
        date!(2026 - 03 - 23),
        date!(2026 - 03 - 24),
        date!(2026 - 03 - 25),
        date!(2026 - 05 - 01),
        date!(2026 - 05 - 07),
        date!(2026 - 05 - 11),
        date!(2026 - 05 - 27),
        date!(2026 - 07 - 06),
        date!(2026 - 10 - 26),
        date!(2026 - 12 - 16),
        date!(2027 - 01 - 01),
        date!(2027 - 01 - 04),
        date!(2027 - 01 - 07),
        date!(2027 - 03 - 08),
        date!(2027 - 03 - 15),
        date!(2027 - 03 - 22),
        date!(2027 - 03 - 23),
        date!(2027 - 03 - 24),
        date!(2027 - 05 - 03),
        date!(2027 - 05 - 07),
        date!(2027 - 05 - 10),
        date!(2027 - 07 - 06),
        date!(2027 - 10 - 25),
        date!(2027 - 12 - 16),
    ];
    for day in days_off {
        assert_eq!(calendar.is_working_day(day), Ok(false), "{day}");
    }
    // 30 August is no longer Constitution Day (new Constitution of 15 March 2026).
    assert_eq!(calendar.is_working_day(date!(2026 - 08 - 31)), Ok(true));
    assert_eq!(calendar.is_working_day(date!(2027 - 08 - 30)), Ok(true));
}

/// Instants from 2026-01-01 00:00 +05:00 to the end of 2027 at +05:00.
const FIRST: i64 = 1_767_207_600;
const LAST: i64 = 1_830_279_599;

proptest! {
    #[test]
    fn due_at_is_the_end_of_the_next_working_day(
        unix in FIRST..=LAST,
        minutes in -(12 * 60)..=(14 * 60),
    ) {
        let calendar = shipped();
        let offset = UtcOffset::from_whole_seconds(minutes * 60).expect("within a day");
        let submitted = OffsetDateTime::from_unix_timestamp(unix).expect("in range").to_offset(offset);
        let local_date = submitted.to_offset(KZ_OFFSET).date();
        let due = match calendar.due_at(submitted) {
            Ok(due) => due,
            Err(error) => {
                // Only the last day of 2027 needs 2028, which is not shipped.
                prop_assert_eq!(local_date, date!(2027 - 12 - 31));
                prop_assert_eq!(error, CalendarError::YearNotConfigured(2028));
                return Ok(());
            }
        };
        prop_assert!(due > submitted);
        prop_assert_eq!(due.offset(), KZ_OFFSET);
        prop_assert_eq!(due.time(), END_OF_WORKING_DAY);
        prop_assert_eq!(calendar.is_working_day(due.date()), Ok(true));
        let mut day = local_date.next_day().expect("in range");
        while day < due.date() {
            prop_assert_eq!(calendar.is_working_day(day), Ok(false), "{} skipped", day);
            day = day.next_day().expect("in range");
        }
    }
}
