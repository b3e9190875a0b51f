//! Reading one year's calendar file: TOML text in, a checked [`YearCalendar`] out.

use std::collections::BTreeSet;

use serde::Deserialize;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::Date;

use super::{is_weekend, CalendarError, YearCalendar};

const DAYS_OFF: &str = "days_off";
const WORKING_DAYS: &str = "working_days";
const DATE_FORMAT: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// The file as written; checked into a [`YearCalendar`] by [`parse_year`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: i32,
    version: String,
    source: String,
    #[serde(default)]
    days_off: Vec<RawDay>,
    #[serde(default)]
    working_days: Vec<RawDay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    /// A quoted `"2026-01-01"` or a bare TOML date `2026-01-01`; operators write either.
    date: toml::Value,
    why: String,
}

pub(super) fn parse_year(text: &str) -> Result<YearCalendar, CalendarError> {
    let raw: RawYear = toml::from_str(text).map_err(|error| syntax_error(text, &error))?;
    if !(1..=9999).contains(&raw.year) {
        return Err(CalendarError::YearOutOfRange(raw.year));
    }
    check_version(&raw.version)?;
    if raw.source.trim().is_empty() {
        return Err(CalendarError::EmptyField { key: "source" });
    }
    // A day off on a weekend would change nothing, so listing one is taken as a mistake: the
    // operator most likely meant the weekday the holiday moves to.
    let days_off = collect_days(DAYS_OFF, &raw.days_off, raw.year, |date| {
        if is_weekend(date.weekday()) {
            Err(CalendarError::WeekendDayOff {
                date,
                weekday: date.weekday(),
            })
        } else {
            Ok(())
        }
    })?;
    let working_days = collect_days(WORKING_DAYS, &raw.working_days, raw.year, |date| {
        if is_weekend(date.weekday()) {
            Ok(())
        } else {
            Err(CalendarError::WeekdayWorkingDay {
                date,
                weekday: date.weekday(),
            })
        }
    })?;
    Ok(YearCalendar {
        year: raw.year,
        version: raw.version,
        source: raw.source,
        days_off,
        working_days,
    })
}

/// The version goes into `Calendar::version` as `year:version,...`, so it must not hold the
/// separators, and it must say something.
fn check_version(version: &str) -> Result<(), CalendarError> {
    if version.is_empty() {
        return Err(CalendarError::EmptyField { key: "version" });
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    if version.chars().all(allowed) {
        Ok(())
    } else {
        Err(CalendarError::BadVersion(version.to_owned()))
    }
}

fn collect_days(
    key: &'static str,
    entries: &[RawDay],
    year: i32,
    check_weekday: impl Fn(Date) -> Result<(), CalendarError>,
) -> Result<BTreeSet<Date>, CalendarError> {
    let mut dates = BTreeSet::new();
    for entry in entries {
        let date = parse_date(key, &entry.date)?;
        if date.year() != year {
            return Err(CalendarError::DateOutsideYear { key, date, year });
        }
        if entry.why.trim().is_empty() {
            return Err(CalendarError::MissingWhy { key, date });
        }
        check_weekday(date)?;
        if !dates.insert(date) {
            return Err(CalendarError::DuplicateDate { key, date });
        }
    }
    Ok(dates)
}

fn parse_date(key: &'static str, value: &toml::Value) -> Result<Date, CalendarError> {
    let text = match value {
        toml::Value::String(text) => text.clone(),
        // A bare TOML date prints as YYYY-MM-DD; a date-time or a time prints longer and so
        // fails the format below, which is what we want.
        toml::Value::Datetime(datetime) => datetime.to_string(),
        other => other.to_string(),
    };
    Date::parse(&text, DATE_FORMAT).map_err(|_| CalendarError::BadDate { key, value: text })
}

/// Turns toml's multi-line report into one line that names the line of the file.
fn syntax_error(text: &str, error: &toml::de::Error) -> CalendarError {
    let line = error
        .span()
        .and_then(|span| text.get(..span.start))
        .map(|before| before.matches('\n').count() + 1);
    let message = error
        .message()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    CalendarError::Syntax { line, message }
}

#[cfg(test)]
mod tests;
