//! RFC 3339 instants with an offset, kept together with the exact string they came from
//! (the OTP MAC covers the strings as they stand in the message).

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

/// Kazakhstan's one time zone since 2024-03-01.
pub const KZ_OFFSET: UtcOffset = time::macros::offset!(+5);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not an RFC 3339 instant with an offset")]
pub struct InstantError;

#[derive(Clone, PartialEq, Eq)]
pub struct Instant {
    raw: String,
    at: OffsetDateTime,
}

impl Instant {
    pub fn parse(s: &str) -> Result<Self, InstantError> {
        let at = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| InstantError)?;
        Ok(Self {
            raw: s.to_owned(),
            at,
        })
    }

    pub fn at(&self) -> OffsetDateTime {
        self.at
    }

    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The calendar date in Kazakhstan (+05:00) at this instant.
    pub fn kz_date(&self) -> Date {
        self.at
            .checked_to_offset(KZ_OFFSET)
            .unwrap_or(self.at)
            .date()
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Formats an instant as RFC 3339 (for messages the worker publishes).
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// A calendar date `YYYY-MM-DD` (ISO 8601 extended form), strictly.
pub fn parse_date(s: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let b = s.as_bytes();
    let shape = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
    shape.then(|| Date::parse(s, &format).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn instants_keep_their_string_and_offset() {
        let i = Instant::parse("2026-11-24T10:15:00+05:00").unwrap();
        assert_eq!(i.raw(), "2026-11-24T10:15:00+05:00");
        assert_eq!(i.at(), datetime!(2026-11-24 05:15 UTC));
        assert_eq!(
            Instant::parse("2026-11-24T20:30:00Z").unwrap().kz_date(),
            date!(2026 - 11 - 25)
        );
        for bad in [
            "2026-11-24T10:15:00",
            "2026-11-24",
            "24.11.2026 10:15",
            "",
            "2026-13-01T00:00:00Z",
        ] {
            assert!(Instant::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_are_strict() {
        assert_eq!(parse_date("2026-12-01"), Some(date!(2026 - 12 - 01)));
        for bad in [
            "2026-2-01",
            "2026-02-30",
            "20261201",
            "2026-12-01T00:00",
            "+2026-12-01",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_rfc3339() {
        assert_eq!(
            rfc3339(datetime!(2026-11-25 18:00 +5)),
            "2026-11-25T18:00:00+05:00"
        );
    }
}
