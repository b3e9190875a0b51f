//! One connection to the first broker node that answers.

use lapin::{Connection, ConnectionProperties};

use super::BrokerError;

/// Connects to the first of `urls` that accepts us, trying them in order (the nodes of a
/// cluster). An entry may itself be a comma-separated list, as `amqp.url` is in an
/// environment variable. `name` shows in the management UI beside the connection.
///
/// lapin 4 needs no executor set-up: with its default `tokio` feature it runs on the
/// ambient tokio runtime, so this must be called from within one.
pub async fn connect(urls: &[String], name: &str) -> Result<Connection, BrokerError> {
    let urls: Vec<&str> = urls
        .iter()
        .flat_map(|u| u.split(','))
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect();
    let mut last = None;
    for (index, url) in urls.iter().enumerate() {
        let properties = ConnectionProperties::default().with_connection_name(name.into());
        match Connection::connect(url, properties).await {
            Ok(connection) => {
                tracing::info!(node = index, "connected to the broker");
                return Ok(connection);
            }
            // The URL may carry a password: name the node by its position, never the URL.
            Err(e) => {
                tracing::warn!(node = index, error = %e, "broker node did not accept the connection");
                last = Some(e);
            }
        }
    }
    match last {
        Some(source) => Err(BrokerError::Connect {
            tried: urls.len(),
            source,
        }),
        None => Err(BrokerError::NoUrl),
    }
}
