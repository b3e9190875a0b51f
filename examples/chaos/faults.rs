//! The faults: kill -9 of a replica (and starting it again), a restart of RabbitMQ and of
//! PostgreSQL (stopped, left down a few seconds, started again by scripts/services.sh), and
//! the sinks' windows. The schedule is laid over the run's fault window of S seconds.

use std::time::Duration;

use anyhow::{bail, Context as _};
use tokio::process::Command;

/// What happens when, as fractions of the fault window.
pub struct Schedule {
    pub sms_503: (f64, f64),
    pub rabbitmq_restart: f64,
    pub mail_down: (f64, f64),
    pub postgres_restart: f64,
}

pub const SCHEDULE: Schedule = Schedule {
    sms_503: (0.10, 0.35),
    rabbitmq_restart: 0.30,
    mail_down: (0.45, 0.70),
    postgres_restart: 0.60,
};

/// How long a restarted service stays down before it is started again.
pub const DOWN: Duration = Duration::from_secs(3);

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

async fn run(what: &str, command: &mut Command) -> anyhow::Result<()> {
    let out = command
        .output()
        .await
        .with_context(|| format!("running {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Starts whatever of PostgreSQL and RabbitMQ is down (scripts/services.sh, idempotent).
pub async fn services_up() -> anyhow::Result<()> {
    run(
        "scripts/services.sh",
        Command::new("bash")
            .arg("scripts/services.sh")
            .current_dir(root()),
    )
    .await
}

fn as_root(args: &[&str]) -> Command {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut command = Command::new(if root { args[0] } else { "sudo" });
    command.args(if root { &args[1..] } else { args });
    command
}

/// Restarts RabbitMQ: `full`, the node (`rabbitmqctl stop`, then scripts/services.sh starts
/// it: about 40 s here, most of it the node's start); else the application inside the node
/// (`rabbitmqctl stop_app` / `start_app`: about 4 s), which clients see the same way:
/// connections closed, the port refusing, queues recovered from disk. Down [`DOWN`] between.
pub async fn restart_rabbitmq(full: bool) -> anyhow::Result<()> {
    let stop = if full { "stop" } else { "stop_app" };
    run(
        "rabbitmqctl stop",
        &mut as_root(&["rabbitmqctl", "-q", stop]),
    )
    .await?;
    tokio::time::sleep(DOWN).await;
    if !full {
        run(
            "rabbitmqctl start_app",
            &mut as_root(&["rabbitmqctl", "-q", "start_app"]),
        )
        .await?;
    }
    services_up().await
}

/// Stops PostgreSQL (fast: sessions cut), waits [`DOWN`], starts it again.
pub async fn restart_postgres() -> anyhow::Result<()> {
    let services = std::env::var("TRP_SERVICES_DIR").unwrap_or("/var/tmp/trp-services".into());
    let bin = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL is installed under /usr/lib/postgresql")?
        .flatten()
        .map(|e| e.path().join("bin"))
        .max_by_key(|p| {
            let version = p
                .parent()
                .and_then(|v| v.file_name())
                .map(|v| v.to_string_lossy().into_owned());
            version.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0)
        })
        .context("a PostgreSQL version directory")?;
    let stop = format!("{}/pg_ctl -D '{services}/pg' -m fast stop", bin.display());
    run(
        "pg_ctl stop",
        &mut as_root(&["su", "postgres", "-s", "/bin/sh", "-c", &stop]),
    )
    .await?;
    tokio::time::sleep(DOWN).await;
    services_up().await
}
