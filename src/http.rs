//! `/healthz` (the process lives), `/readyz` (broker and database reachable, consuming) and
//! `/metrics` (OpenMetrics text, which Prometheus reads) on `http.port`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
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

async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    for (component, up) in state.health.parts() {
        let gauge = state
            .metrics
            .ready
            .get_or_create(&ComponentLabel { component });
        gauge.set(i64::from(up));
    }
    (
        [(header::CONTENT_TYPE, Metrics::CONTENT_TYPE)],
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
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    /// The content type names the format the body is in: OpenMetrics ends with `# EOF`,
    /// Prometheus' text format 0.0.4 does not.
    fn assert_metrics_type_matches_format(response: &str) {
        let (head, body) = response.split_once("\r\n\r\n").expect("a response");
        let content_type = head
            .lines()
            .find_map(|l| l.strip_prefix("content-type: "))
            .expect("a content type");
        let expected = if body.trim_end().ends_with("# EOF") {
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        } else {
            "text/plain; version=0.0.4; charset=utf-8"
        };
        assert_eq!(content_type, expected, "{body}");
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
        assert_metrics_type_matches_format(&metrics_text);
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
