//! What went wrong in the database, and whether trying again can help.

use deadpool_postgres::PoolError;
use tokio_postgres::error::SqlState;

use crate::domain::calendar::CalendarError;

/// A store failure. [`StoreError::is_transient`] tells the caller whether to retry the whole
/// unit (the transaction rolled back) or to treat it as a bug or a configuration problem.
///
/// The message never carries PostgreSQL's `DETAIL` (it can quote key values, i.e. personal
/// data): only the SQLSTATE and the primary message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {}", describe(.0))]
    Db(tokio_postgres::Error),
    #[error("database pool: {0}")]
    Pool(String, #[source] Option<PoolTimeout>),
    #[error("database pool configuration: {0}")]
    Config(String),
    #[error("working calendar: {0}")]
    Calendar(#[from] CalendarError),
    #[error("unexpected data in the database: {0}")]
    Unexpected(String),
    /// The migrations cannot be applied as they are (one edited, one unknown, or one
    /// failed): a person must look.
    #[error("migrations: {0}")]
    Migration(String),
}

/// Marks a pool error that a retry can cure (a timeout, a connection that could not be made).
#[derive(Debug, thiserror::Error)]
#[error("transient")]
pub struct PoolTimeout;

pub(super) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        // Without the cause, "error performing TLS handshake" or "error connecting to
        // server" would not say which certificate or address was wrong.
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Db(e)
    }
}

impl From<PoolError> for StoreError {
    fn from(e: PoolError) -> Self {
        match e {
            PoolError::Backend(db) => Self::Db(db),
            PoolError::Timeout(_) => Self::Pool(e.to_string(), Some(PoolTimeout)),
            other => Self::Pool(other.to_string(), None),
        }
    }
}

impl StoreError {
    /// Whether the same work may succeed if tried again: the connection was lost, the server
    /// is shutting down or starting, or the transaction lost a serialization or deadlock
    /// race. Everything else is a bug, a constraint we did not expect, or configuration.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Db(e) => is_transient_db(e),
            Self::Pool(_, marker) => marker.is_some(),
            Self::Config(_) | Self::Calendar(_) | Self::Unexpected(_) | Self::Migration(_) => false,
        }
    }
}

impl StoreError {
    /// Whether the database itself is out of reach (the connection refused, lost or timed
    /// out, the server shutting down or starting, the pool unable to hand out a
    /// connection): no application is at fault, so its delivery must not count toward the
    /// delivery limit, and the worker stops taking deliveries until the database answers.
    /// A lost race (serialization, deadlock, a lock wait that timed out) is transient but
    /// not an outage: the application's delivery is retried and counted.
    pub fn is_outage(&self) -> bool {
        match self {
            Self::Db(e) => match e.code() {
                None => is_connection_trouble(e),
                Some(code) => {
                    code.code().starts_with("08")
                        || [
                            SqlState::ADMIN_SHUTDOWN,
                            SqlState::CRASH_SHUTDOWN,
                            SqlState::CANNOT_CONNECT_NOW,
                            SqlState::TOO_MANY_CONNECTIONS,
                        ]
                        .contains(code)
                }
            },
            Self::Pool(_, marker) => marker.is_some(),
            Self::Config(_) | Self::Calendar(_) | Self::Unexpected(_) | Self::Migration(_) => false,
        }
    }
}

fn is_transient_db(e: &tokio_postgres::Error) -> bool {
    match e.code() {
        None => is_connection_trouble(e),
        Some(code) => {
            code.code().starts_with("08")
                || [
                    SqlState::T_R_SERIALIZATION_FAILURE,
                    SqlState::T_R_DEADLOCK_DETECTED,
                    SqlState::ADMIN_SHUTDOWN,
                    SqlState::CRASH_SHUTDOWN,
                    SqlState::CANNOT_CONNECT_NOW,
                    SqlState::TOO_MANY_CONNECTIONS,
                    SqlState::LOCK_NOT_AVAILABLE,
                    // statement_timeout: the server was too slow this time.
                    SqlState::QUERY_CANCELED,
                ]
                .contains(code)
        }
    }
}

/// An error without a SQLSTATE is transient when it is about the connection (lost, closed,
/// timed out, refused), and a bug of ours otherwise (a wrong type or column).
fn is_connection_trouble(e: &tokio_postgres::Error) -> bool {
    use std::error::Error as _;
    const CONNECTION: [&str; 3] = [
        "error communicating with the server",
        "error connecting to server",
        "timeout waiting for server",
    ];
    e.is_closed()
        || e.source().is_some_and(|s| s.is::<std::io::Error>())
        || CONNECTION.contains(&e.to_string().as_str())
}
