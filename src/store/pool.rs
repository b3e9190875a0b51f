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
    pool_with_password(url, None, size)
}

/// The connection settings: `url`, with `password` (from `TRP__DATABASE__PASSWORD`, never
/// from a file) when one is given.
fn config(url: &str, password: Option<&str>) -> Result<tokio_postgres::Config, StoreError> {
    let mut config = tokio_postgres::Config::from_str(url)
        .map_err(|_| StoreError::Config("database.url is not a valid PostgreSQL URL".into()))?;
    if let Some(password) = password {
        config.password(password);
    }
    Ok(config)
}

/// Like [`pool`], with the database password kept out of the URL.
pub fn pool_with_password(
    url: &str,
    password: Option<&str>,
    size: usize,
) -> Result<Pool, StoreError> {
    let config = config(url, password)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_from_the_environment_is_used() {
        let c = config("postgres://trp@db.example:5432/trp", Some("s3cret")).unwrap();
        assert_eq!(c.get_password(), Some(&b"s3cret"[..]));
        assert_eq!(c.get_user(), Some("trp"));
        let without = config("postgres://trp@db.example:5432/trp", None).unwrap();
        assert_eq!(without.get_password(), None);
        assert!(config("not a url", None).is_err());
    }
}
