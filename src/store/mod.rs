//! PostgreSQL: the pool, migrations, registry facts, the one transaction that records a
//! batch of decisions with everything they cause, the outbox, the notifications to send
//! and registry imports.
//! Schema and choices: `docs/storage.md`.

pub mod commit;
pub mod deferred;
mod error;
pub mod explain;
pub mod facts;
pub mod migrate;
pub mod notifications;
pub mod outbox;
pub mod pool;
pub mod registries;
pub mod replay;
pub mod retention;
pub mod seen;
pub(crate) mod tls;

pub use error::StoreError;
pub use pool::pool;
