//! The pure domain: parsed values, rules, calendar, reasons and the decision. No I/O here.

pub mod citizenship;
pub mod ids;
pub mod iin;
pub mod reason;
pub mod texts;
