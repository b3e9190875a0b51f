//! Dates and times as a person reads them: "25.11.2026 18:00" in kk and ru,
//! "25 November 2026, 18:00" in en, always on Astana time (+05:00).

use time::macros::offset;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::domain::ids::Language;

/// Kazakhstan has kept one time zone, UTC+5, since March 2024; deadlines are stated in it.
const ASTANA: UtcOffset = offset!(+5);

/// A calendar date: `01.12.2026` (kk, ru) or `1 December 2026` (en).
pub fn date(language: Language, d: Date) -> String {
    match language {
        Language::Kk | Language::Ru => {
            format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
        }
        // `Month` displays as its English name.
        Language::En => format!("{} {} {}", d.day(), d.month(), d.year()),
    }
}

/// An instant as a date and a time of day on Astana time, whatever offset it carries.
pub fn date_time(language: Language, at: OffsetDateTime) -> String {
    // Only instants at the very edge of `time`'s range cannot be shifted; show those as given
    // rather than fail a notification.
    let at = at.checked_to_offset(ASTANA).unwrap_or(at);
    let day = date(language, at.date());
    let separator = match language {
        Language::Kk | Language::Ru => " ",
        Language::En => ", ",
    };
    format!("{day}{separator}{:02}:{:02}", at.hour(), at.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates_per_language() {
        let d = date!(2026 - 12 - 01);
        assert_eq!(date(Language::Kk, d), "01.12.2026");
        assert_eq!(date(Language::Ru, d), "01.12.2026");
        assert_eq!(date(Language::En, d), "1 December 2026");
    }

    #[test]
    fn instants_are_shown_on_astana_time() {
        let due = datetime!(2026-11-25 13:00 UTC);
        assert_eq!(date_time(Language::Ru, due), "25.11.2026 18:00");
        assert_eq!(date_time(Language::Kk, due), "25.11.2026 18:00");
        assert_eq!(date_time(Language::En, due), "25 November 2026, 18:00");
        let moscow = datetime!(2026-11-25 16:00 +03:00);
        assert_eq!(date_time(Language::En, moscow), "25 November 2026, 18:00");
        let late = datetime!(2026-12-31 20:30 UTC);
        assert_eq!(date_time(Language::Ru, late), "01.01.2027 01:30");
    }

    #[test]
    fn edge_of_range_does_not_panic() {
        let _ = date_time(
            Language::En,
            OffsetDateTime::new_utc(Date::MAX, time::Time::MIDNIGHT),
        );
    }
}
