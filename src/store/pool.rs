//! The connection pool, built from a `postgres://` URL.

use std::str::FromStr;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use super::StoreError;

/// A pool of at most `size` connections to `url`. Connections are made lazily, so this
/// succeeds without a reachable server; the first query reports it.
///
/// Plain TCP (`NoTls`): the database runs beside the worker on a trusted network today.
/// TLS to the database is a follow-up (a `tokio-postgres-rustls` connector here).
pub fn pool(url: &str, size: usize) -> Result<Pool, StoreError> {
    let config = tokio_postgres::Config::from_str(url)
        .map_err(|_| StoreError::Config("database.url is not a valid PostgreSQL URL".into()))?;
    if size == 0 {
        return Err(StoreError::Config("database.pool_size is 0".into()));
    }
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|e| StoreError::Config(format!("database pool: {e}")))
}
