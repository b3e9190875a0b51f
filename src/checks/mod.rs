//! The three checks, all of one shape: parsed application and registry facts in, failures out.

pub mod facts;

pub use facts::Facts;
