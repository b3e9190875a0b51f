//! trp-worker: decides applications for a temporary residence permit.
//!
//! The pure core lives in [`domain`] and [`checks`]; I/O (broker, database, mail, SMS)
//! stays at the edges: [`files`] reads configuration files, [`broker`] speaks to RabbitMQ,
//! [`store`] to PostgreSQL and [`notify`] to the SMS gateway and the mail server.
//!
//! No `unsafe` here: memory safety is the compiler's to prove (docs/reliability.md, why CI's
//! fuzz build can do without a sanitizer).
#![forbid(unsafe_code)]

pub mod broker;
pub mod checks;
pub mod cli;
pub mod config;
pub mod domain;
pub mod files;
pub mod http;
pub mod notify;
pub mod pipeline;
pub mod reload;
pub mod retry;
pub mod store;
pub mod telemetry;
pub mod worker;
