//! `health`: asks this worker's own `/healthz` on `http.port`, for a container's
//! HEALTHCHECK that has no shell, curl or wget to do it. Exit 0 healthy, 1 not.

use std::process::ExitCode;
use std::time::Duration;

use super::CliError;

/// Longer than a live worker ever takes to answer `/healthz`; shorter than the
/// HEALTHCHECK's own timeout, so that a hung worker is reported by us, with a reason.
const WAIT: Duration = Duration::from_secs(5);

pub fn health() -> Result<ExitCode, CliError> {
    // Docker reserves exit 2: a configuration that does not load is "not healthy" (1) here.
    let settings = super::worker::settings()
        .map_err(|e| CliError::Failed(format!("not healthy: the configuration: {e}")))?;
    let url = format!("http://127.0.0.1:{}/healthz", settings.http.port);
    let client = reqwest::Client::builder()
        .timeout(WAIT)
        .build()
        .map_err(|e| CliError::Failed(format!("cannot make an HTTP client: {e}")))?;
    let answer = super::worker::runtime()?.block_on(async { client.get(&url).send().await });
    match answer {
        Ok(response) if response.status().is_success() => {
            println!("healthy: {url} answered {}", response.status());
            Ok(ExitCode::SUCCESS)
        }
        Ok(response) => Err(CliError::Failed(format!(
            "not healthy: {url} answered {}",
            response.status()
        ))),
        Err(e) => Err(CliError::Failed(format!("not healthy: {url}: {e}"))),
    }
}
