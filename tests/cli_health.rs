//! `trp-worker health`, the container's HEALTHCHECK: exit 0 when the worker's own
//! `/healthz` on `http.port` answers 200, 1 when it answers otherwise or nothing answers.

use std::process::{Command, Output};

use tokio_util::sync::CancellationToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use trp_worker::http::{self, Health};
use trp_worker::telemetry::Metrics;

fn health(port: u16) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trp-worker"))
        .arg("health")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TRP__HTTP__PORT", port.to_string())
        .output()
        .expect("the binary runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_worker_is_healthy() {
    // The worker's own HTTP server, as `run` serves it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = CancellationToken::new();
    let server = tokio::spawn(http::serve(
        listener,
        Metrics::new(),
        Health::default(),
        stop.clone(),
    ));
    let out = tokio::task::spawn_blocking(move || health(port))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("healthy"));
    stop.cancel();
    server.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_answer_is_not_healthy() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/healthz"))
        .respond_with(ResponseTemplate::new(500))
        .expect(1)
        .mount(&server)
        .await;
    let port = server.address().port();
    let out = tokio::task::spawn_blocking(move || health(port))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("500"),
        "{out:?}"
    );
}

#[test]
fn nothing_listening_is_not_healthy() {
    // A port just freed: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = health(port);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not healthy"),
        "{out:?}"
    );
}
