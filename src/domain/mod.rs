//! The pure domain: parsed values, rules, calendar, reasons and the decision. No I/O here.

pub mod calendar;
pub mod citizenship;
pub mod dead_letter;
pub mod decision;
pub mod envelope;
pub mod ids;
pub mod iin;
pub mod instant;
pub mod messages;
pub mod reason;
pub mod request;
pub mod rules;
#[cfg(any(test, feature = "testkit"))]
pub mod sample;
pub mod texts;
