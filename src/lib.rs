//! trp-worker: decides applications for a temporary residence permit.
//!
//! The pure core lives in [`domain`] and [`checks`]; I/O (broker, database, mail, SMS)
//! stays at the edges and arrives with later modules.

pub mod checks;
pub mod cli;
pub mod domain;
