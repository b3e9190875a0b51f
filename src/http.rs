//! `/healthz` (the process lives), `/readyz` (broker and database reachable, consuming) and
//! `/metrics` (OpenMetrics text, which Prometheus reads) on `http.port`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::telemetry::{ComponentLabel, Metrics};

/// What `/readyz` reports; the worker's loops set the flags as connections come and go.
#[derive(Clone, Default)]
pub struct Health {
    broker: Arc<AtomicBool>,
    database: Arc<AtomicBool>,
    consuming: Arc<AtomicBool>,
}

impl Health {
    pub fn set_broker(&self, up: bool) {
        self.broker.store(up, Ordering::Relaxed);
    }

    pub fn set_database(&self, up: bool) {
        self.database.store(up, Ordering::Relaxed);
    }

    pub fn set_consuming(&self, up: bool) {
        self.consuming.store(up, Ordering::Relaxed);
    }

    /// Each part `/readyz` waits for, by name, and whether it is up.
    fn parts(&self) -> [(&'static str, bool); 3] {
        [
            ("broker", self.broker.load(Ordering::Relaxed)),
            ("database", self.database.load(Ordering::Relaxed)),
            ("consuming", self.consuming.load(Ordering::Relaxed)),
        ]
    }

    /// What is not ready, by name; empty when ready.
    pub fn missing(&self) -> Vec<&'static str> {
        self.parts()
            .into_iter()
            .filter(|(_, up)| !up)
            .map(|(name, _)| name)
            .collect()
    }
}

#[derive(Clone)]
struct AppState {
    metrics: Metrics,
    health: Health,
}

pub fn router(metrics: Metrics, health: Health) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(AppState { metrics, health })
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let missing = state.health.missing();
    if missing.is_empty() {
        (StatusCode::OK, "ready\n".to_owned())
    } else {
        let body = format!("not ready: {}\n", missing.join(", "));
        (StatusCode::SERVICE_UNAVAILABLE, body)
    }
}

/// The metrics in OpenMetrics text. Served as what it is to a scraper that asks for it
/// (Prometheus does, in `Accept`); as plain text to anyone else, so that a browser shows the
/// page instead of offering to download a file of an unknown type.
async fn metrics_text(State(state): State<AppState>, headers: HeaderMap) -> impl IntoResponse {
    for (component, up) in state.health.parts() {
        let gauge = state
            .metrics
            .ready
            .get_or_create(&ComponentLabel { component });
        gauge.set(i64::from(up));
    }
    let openmetrics = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"));
    let content_type = if openmetrics {
        Metrics::CONTENT_TYPE
    } else {
        "text/plain; charset=utf-8"
    };
    (
        [(header::CONTENT_TYPE, content_type)],
        state.metrics.encode(),
    )
}

/// Serves until `shutdown` is cancelled.
pub async fn serve(
    listener: TcpListener,
    metrics: Metrics,
    health: Health,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, router(metrics, health))
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn get(port: u16, path: &str) -> String {
        get_accepting(port, path, "*/*").await
    }

    async fn get_accepting(port: u16, path: &str, accept: &str) -> String {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    fn content_type(response: &str) -> &str {
        let (head, _) = response.split_once("\r\n\r\n").expect("a response");
        head.lines()
            .find_map(|l| l.strip_prefix("content-type: "))
            .expect("a content type")
    }

    /// What Prometheus sends in `Accept` when it scrapes.
    const PROMETHEUS_ACCEPT: &str = "application/openmetrics-text;version=1.0.0,\
        application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    /// A scraper that asks for OpenMetrics gets it named so (the body is OpenMetrics: it ends
    /// with `# EOF`); a browser gets the same text as plain text, which it shows.
    #[tokio::test]
    async fn metrics_are_openmetrics_to_prometheus_and_plain_text_to_a_browser() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(serve(
            listener,
            Metrics::new(),
            Health::default(),
            shutdown.clone(),
        ));

        let scraped = get_accepting(port, "/metrics", PROMETHEUS_ACCEPT).await;
        assert!(scraped.trim_end().ends_with("# EOF"), "{scraped}");
        assert_eq!(
            content_type(&scraped),
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        );
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        let shown = get_accepting(port, "/metrics", browser).await;
        assert_eq!(content_type(&shown), "text/plain; charset=utf-8");
        assert!(shown.contains("trp_messages_consumed_total 0"), "{shown}");

        shutdown.cancel();
        server.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn health_readiness_and_metrics() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (metrics, health, shutdown) =
            (Metrics::new(), Health::default(), CancellationToken::new());
        metrics.duplicates.inc();
        let server = tokio::spawn(serve(listener, metrics, health.clone(), shutdown.clone()));

        assert!(get(port, "/healthz").await.starts_with("HTTP/1.1 200"));
        let not_ready = get(port, "/readyz").await;
        assert!(not_ready.starts_with("HTTP/1.1 503"), "{not_ready}");
        assert!(not_ready.contains("not ready: broker, database, consuming"));
        health.set_broker(true);
        health.set_database(true);
        assert!(get(port, "/readyz").await.contains("not ready: consuming"));
        health.set_consuming(true);
        assert!(get(port, "/readyz").await.starts_with("HTTP/1.1 200"));
        let metrics_text = get(port, "/metrics").await;
        assert!(
            metrics_text.contains("trp_duplicates_total 1"),
            "{metrics_text}"
        );
        for part in ["broker", "database", "consuming"] {
            let line = format!("trp_ready{{component=\"{part}\"}} 1");
            assert!(metrics_text.lines().any(|l| l == line), "{metrics_text}");
        }
        health.set_database(false);
        let metrics_text = get(port, "/metrics").await;
        let down = "trp_ready{component=\"database\"} 0";
        assert!(metrics_text.lines().any(|l| l == down), "{metrics_text}");

        shutdown.cancel();
        server.await.unwrap().unwrap();
    }
}
