//! The Kazakhstan working calendar: which days are working days, and when a decision is due.
//!
//! One [`YearCalendar`] per year, parsed from a TOML file (format in `docs/calendar.md`); a
//! [`Calendar`] joins the configured years. Pure: no files, no clock. The contract's
//! `due_at` (section 5) is [`Calendar::due_at`].

mod parse;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use time::macros::time;
use time::{Date, OffsetDateTime, Time, Weekday};

/// Kazakhstan's only time zone since 2024-03-01: UTC+05:00.
pub use super::instant::KZ_OFFSET;

/// The end of the working day: a term of one working day runs out at this local time.
pub const END_OF_WORKING_DAY: Time = time!(18:00);

/// Why a calendar file or a calendar question was refused. Every message is one line and names
/// the key, date or year at fault, so an operator can fix the file without reading code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("no working calendar is configured for {0}; add a calendar file for {0}")]
    YearNotConfigured(i32),
    #[error("the working calendar for {0} is configured twice")]
    DuplicateYear(i32),
    #[error("no working calendar year is configured")]
    NoYears,
    #[error("{}", syntax_message(*.line, .message))]
    Syntax {
        line: Option<usize>,
        message: String,
    },
    #[error("`year` = {0} is outside 1..=9999")]
    YearOutOfRange(i32),
    #[error("`{key}` must not be empty")]
    EmptyField { key: &'static str },
    #[error("`version` = {0:?} may hold only ASCII letters, digits, '.', '-' and '_'")]
    BadVersion(String),
    #[error("`{key}`: {value:?} is not a date written YYYY-MM-DD")]
    BadDate { key: &'static str, value: String },
    #[error("`{key}`: {date} is not in the file's year {year}")]
    DateOutsideYear {
        key: &'static str,
        date: Date,
        year: i32,
    },
    #[error(
        "`days_off`: {date} is a {weekday}, off anyway; list the weekday the day off moves to"
    )]
    WeekendDayOff { date: Date, weekday: Weekday },
    #[error(
        "`working_days`: {date} is a {weekday}; only a Saturday or Sunday can be made working"
    )]
    WeekdayWorkingDay { date: Date, weekday: Weekday },
    #[error("`{key}`: {date} is listed twice")]
    DuplicateDate { key: &'static str, date: Date },
    #[error("`{key}`: {date} needs a non-empty `why`")]
    MissingWhy { key: &'static str, date: Date },
    #[error("{0} is too close to the limits of the supported dates to compute a due date")]
    OutOfRange(OffsetDateTime),
}

fn syntax_message(line: Option<usize>, message: &str) -> String {
    match line {
        Some(line) => format!("line {line}: {message}"),
        None => message.to_owned(),
    }
}

/// The working calendar of one year, as its file states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearCalendar {
    year: i32,
    version: String,
    source: String,
    /// Weekdays that are not worked: public holidays, holidays moved off a weekend, and days
    /// off moved here by a transfer act.
    days_off: BTreeSet<Date>,
    /// Saturdays and Sundays that are worked because a transfer act says so.
    working_days: BTreeSet<Date>,
}

impl YearCalendar {
    /// Parses and checks one year's TOML file (format in `docs/calendar.md`).
    pub fn parse(toml_text: &str) -> Result<YearCalendar, CalendarError> {
        parse::parse_year(toml_text)
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    /// What the file calls its edition, e.g. the date it was compiled.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The acts and publications the file was compiled from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether `date`, which must be in this year, is worked.
    fn is_working_day(&self, date: Date) -> bool {
        if is_weekend(date.weekday()) {
            self.working_days.contains(&date)
        } else {
            !self.days_off.contains(&date)
        }
    }
}

fn is_weekend(weekday: Weekday) -> bool {
    matches!(weekday, Weekday::Saturday | Weekday::Sunday)
}

/// The working calendar over every configured year.
#[derive(Clone, Debug)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
}

impl Calendar {
    /// Joins years into one calendar. Refuses an empty list and a year given twice, because
    /// either would make the answer depend on which file happened to be read.
    pub fn from_years(years: Vec<YearCalendar>) -> Result<Calendar, CalendarError> {
        if years.is_empty() {
            return Err(CalendarError::NoYears);
        }
        let mut by_year = BTreeMap::new();
        for year in years {
            let number = year.year;
            if by_year.insert(number, year).is_some() {
                return Err(CalendarError::DuplicateYear(number));
            }
        }
        Ok(Calendar { years: by_year })
    }

    /// Whether `date` is a working day: not a Saturday or Sunday unless a transfer act made it
    /// one, and not a day off. Errs when the date's year is not configured, because guessing
    /// would silently give a wrong `due_at`.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        let year = self
            .years
            .get(&date.year())
            .ok_or(CalendarError::YearNotConfigured(date.year()))?;
        Ok(year.is_working_day(date))
    }

    /// The end (18:00 +05:00) of the first working day after the day of `submitted_at`.
    ///
    /// `submitted_at` is read at +05:00 whatever offset it carries, and its local date is the
    /// submission day; the due day is the first working day strictly after it, so a submission
    /// on a Friday evening, a weekend or a holiday is due on the next working day. Instants
    /// before 2024-03-01, when part of Kazakhstan was still on +06:00, are read at +05:00 too:
    /// the worker decides new applications only, so those never occur in practice.
    ///
    /// Errs when a year the search reaches is not configured (e.g. a submission on
    /// 31 December needs next year's file).
    pub fn due_at(&self, submitted_at: OffsetDateTime) -> Result<OffsetDateTime, CalendarError> {
        let local = submitted_at
            .checked_to_offset(KZ_OFFSET)
            .ok_or(CalendarError::OutOfRange(submitted_at))?;
        let mut day = local.date();
        // Ends: every step moves one day on, and a year that is not configured stops it.
        loop {
            day = day
                .next_day()
                .ok_or(CalendarError::OutOfRange(submitted_at))?;
            if self.is_working_day(day)? {
                return Ok(OffsetDateTime::new_in_offset(
                    day,
                    END_OF_WORKING_DAY,
                    KZ_OFFSET,
                ));
            }
        }
    }

    /// Which files this calendar was built from, e.g. `2026:2026-11-25,2027:2026-11-25`, so a
    /// decision can record the calendar it used.
    pub fn version(&self) -> String {
        self.years
            .values()
            .map(|year| format!("{}:{}", year.year, year.version))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The configured years, in order.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }
}
