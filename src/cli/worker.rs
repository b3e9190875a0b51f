//! `run` and `migrate`: the worker itself, and its migrations alone.

use std::process::ExitCode;

use tokio_util::sync::CancellationToken;

use super::CliError;
use crate::config::{self, Settings};
use crate::worker::{self, Loaded};

pub fn settings() -> Result<Settings, CliError> {
    config::load().map_err(|e| CliError::Config(e.to_string()))
}

pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the runtime: {e}")))
}

/// Applies pending migrations, declares the topology and consumes until SIGTERM or SIGINT;
/// then drains within `shutdown.grace_s`.
pub fn run() -> Result<ExitCode, CliError> {
    let settings = settings()?;
    crate::telemetry::init_tracing(&settings.log).map_err(|e| CliError::Config(e.to_string()))?;
    let loaded = Loaded::from_settings(&settings).map_err(|e| CliError::Config(e.to_string()))?;
    let grace = settings.shutdown.grace();
    runtime()?.block_on(async move {
        let shutdown = CancellationToken::new();
        let running = worker::start(settings, loaded, shutdown.clone())
            .await
            .map_err(|e| CliError::Failed(format!("cannot start: {e:#}")))?;
        tracing::info!(http = %running.http_addr, "started");
        let mut done = running.done;
        tokio::select! {
            () = wait_for_signal() => {}
            // The worker stopped by itself: it could not go on.
            ended = &mut done => return ended_by_itself(ended),
        }
        tracing::info!(
            grace_s = grace.as_secs(),
            "stopping: finishing what is in flight"
        );
        shutdown.cancel();
        match tokio::time::timeout(grace, done).await {
            Ok(Ok(Err(fatal))) => return Err(failed(fatal)),
            Ok(_) => tracing::info!("stopped cleanly"),
            Err(_) => tracing::warn!(
                "grace period over; stopping with work unacknowledged (it will be redelivered)"
            ),
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// Exit status for a worker that stopped before it was asked to: 2 for what an operator
/// must change, 1 for a bug.
fn ended_by_itself(
    ended: Result<Result<(), worker::Fatal>, tokio::task::JoinError>,
) -> Result<ExitCode, CliError> {
    match ended {
        Ok(Err(fatal)) => Err(failed(fatal)),
        Ok(Ok(())) => Err(CliError::Failed("the worker stopped unasked".into())),
        Err(e) => Err(CliError::Failed(format!(
            "the worker's main task failed: {e}"
        ))),
    }
}

fn failed(fatal: worker::Fatal) -> CliError {
    match fatal {
        worker::Fatal::Configuration(m) => CliError::Config(m),
        worker::Fatal::Task(m) => CliError::Failed(m),
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

pub fn migrate() -> Result<ExitCode, CliError> {
    let settings = settings()?;
    crate::telemetry::init_tracing(&settings.log).map_err(|e| CliError::Config(e.to_string()))?;
    runtime()?.block_on(async {
        let pool = crate::worker::database_pool(&settings.database, 2)
            .map_err(|e| CliError::Config(e.to_string()))?;
        let applied = crate::store::migrate::migrate(&pool)
            .await
            .map_err(|e| CliError::Failed(format!("migrate: {e}")))?;
        println!("{} migration(s) applied", applied.len());
        Ok(ExitCode::SUCCESS)
    })
}
