//! The three checks, all of one shape: parsed application and registry facts in, failures out.

pub mod facts;
pub mod signature;

pub use facts::Facts;
