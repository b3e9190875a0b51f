//! The pure domain: parsed values, rules, calendar, reasons and the decision. No I/O here.

pub mod calendar;
pub mod reason;
