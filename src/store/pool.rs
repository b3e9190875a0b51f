//! The connection pool, built from a `postgres://` URL and [`Options`]: every wait on the
//! database is bounded (connecting, waiting for a pooled connection, a statement, a lock),
//! so a database that hangs, or a lock held elsewhere, becomes a transient error the caller
//! retries instead of a task that waits forever.

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use tokio_postgres::config::SslMode;
use tokio_postgres::NoTls;

use super::tls;
use super::StoreError;

pub use super::tls::Tls;

/// How connections are made and how long anything may wait. [`Options::new`] gives the
/// defaults of `config/default.toml`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Connections in the pool.
    pub size: usize,
    /// Making one connection: TCP, TLS and start-up (`database.connect_timeout_s`).
    pub connect_timeout: Duration,
    /// The server cancels a statement running longer (`database.statement_timeout_ms`).
    pub statement_timeout: Duration,
    /// The server gives up a lock wait longer than this (`database.lock_timeout_ms`).
    pub lock_timeout: Duration,
    /// Waiting for a free connection when all are in use (`database.pool_wait_timeout_ms`).
    pub wait_timeout: Duration,
    pub tls: Tls,
}

impl Options {
    /// `size` connections, the shipped timeouts, no TLS.
    pub fn new(size: usize) -> Self {
        Self {
            size,
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(5),
            wait_timeout: Duration::from_secs(5),
            tls: Tls::Disable,
        }
    }
}

/// A pool of at most `size` connections to `url`, with the shipped timeouts and no TLS.
/// Connections are made lazily, so this succeeds without a reachable server; the first
/// query reports it.
pub fn pool(url: &str, size: usize) -> Result<Pool, StoreError> {
    build(url, None, &Options::new(size))
}

/// The connection settings: `url`, with `password` (from `TRP__DATABASE__PASSWORD`, never
/// from a file) when one is given, and the timeouts of `options`. Statement and lock
/// timeouts travel in the start-up packet (`options=-c ...`): they hold from the first
/// statement, cost no round trip, and survive `RESET ALL`.
fn config(
    url: &str,
    password: Option<&str>,
    options: &Options,
) -> Result<tokio_postgres::Config, StoreError> {
    let mut config = tokio_postgres::Config::from_str(url)
        .map_err(|_| StoreError::Config("database.url is not a valid PostgreSQL URL".into()))?;
    if let Some(password) = password {
        config.password(password);
    }
    let timeouts = format!(
        "-c statement_timeout={} -c lock_timeout={}",
        options.statement_timeout.as_millis(),
        options.lock_timeout.as_millis()
    );
    let startup = match config.get_options() {
        Some(given) if !given.trim().is_empty() => format!("{given} {timeouts}"),
        _ => timeouts,
    };
    config.options(&startup);
    config.connect_timeout(options.connect_timeout);
    // `database.tls` decides, whatever `sslmode` the URL names.
    config.ssl_mode(match options.tls {
        Tls::Disable => SslMode::Disable,
        Tls::Require | Tls::VerifyFull { .. } => SslMode::Require,
    });
    Ok(config)
}

/// Like [`pool`], with the database password kept out of the URL and every option given.
pub fn build(url: &str, password: Option<&str>, options: &Options) -> Result<Pool, StoreError> {
    let config = config(url, password, options)?;
    if options.size == 0 {
        return Err(StoreError::Config("database.pool_size is 0".into()));
    }
    let manager_config = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = match tls::connector(&options.tls)? {
        Some(tls) => Manager::from_config(config, tls, manager_config),
        None => Manager::from_config(config, NoTls, manager_config),
    };
    // `pool.get()` never waits longer than the wait for a free connection plus the making
    // of a new one.
    let timeouts = Timeouts {
        wait: Some(options.wait_timeout),
        create: Some(options.connect_timeout),
        recycle: Some(options.connect_timeout),
    };
    Pool::builder(manager)
        .max_size(options.size)
        .runtime(Runtime::Tokio1)
        .timeouts(timeouts)
        .build()
        .map_err(|e| StoreError::Config(format!("database pool: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_from_the_environment_is_used() {
        let options = Options::new(1);
        let c = config(
            "postgres://trp@db.example:5432/trp",
            Some("s3cret"),
            &options,
        )
        .unwrap();
        assert_eq!(c.get_password(), Some(&b"s3cret"[..]));
        assert_eq!(c.get_user(), Some("trp"));
        let without = config("postgres://trp@db.example:5432/trp", None, &options).unwrap();
        assert_eq!(without.get_password(), None);
        assert!(config("not a url", None, &options).is_err());
    }

    #[test]
    fn timeouts_reach_the_server_beside_the_url_options() {
        let mut options = Options::new(1);
        options.statement_timeout = Duration::from_millis(1500);
        options.lock_timeout = Duration::from_millis(250);
        let c = config("postgres://trp@db/trp", None, &options).unwrap();
        assert_eq!(
            c.get_options(),
            Some("-c statement_timeout=1500 -c lock_timeout=250")
        );
        assert_eq!(c.get_connect_timeout(), Some(&Duration::from_secs(5)));
        assert_eq!(c.get_ssl_mode(), SslMode::Disable);
        let c = config(
            "postgres://trp@db/trp?options=-c%20search_path%3Dtrp&sslmode=require",
            None,
            &options,
        )
        .unwrap();
        assert_eq!(
            c.get_options(),
            Some("-c search_path=trp -c statement_timeout=1500 -c lock_timeout=250")
        );
        assert_eq!(c.get_ssl_mode(), SslMode::Disable, "database.tls decides");
    }
}
