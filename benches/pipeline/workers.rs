//! The release worker as the bench runs it: child processes of `trp-worker run`, configured
//! purely by `TRP__SECTION__KEY` variables (nothing inherited), each with its own HTTP port
//! and log file; `migrate` and `import` the same way; and a few counters from `/metrics`.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{bail, Context as _};
use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

use crate::signing::Signing;
use crate::sinks::Sinks;
use crate::world::{self, World};

/// How to start a worker of one world.
pub struct Workers<'a> {
    pub binary: &'a Path,
    pub world: &'a World,
    pub signing: &'a Signing,
    pub sinks: &'a Sinks,
    pub logs: &'a Path,
    /// The SMS gateway's token (a secret: environment only).
    pub sms_token: &'a str,
    /// More `TRP__SECTION__KEY` settings, after (so over) the ones above.
    pub extra: &'a [(&'static str, String)],
}

fn list(paths: &[PathBuf]) -> String {
    let all: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    all.join(",")
}

/// A port free now on loopback, for a replica's `/metrics`.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A running replica.
pub struct Replica {
    pub child: Child,
    pub pid: u32,
    pub port: u16,
    pub log: PathBuf,
}

impl Workers<'_> {
    /// Replica `index`'s settings: the run's broker nodes start at a node of its own
    /// (index modulo their number), so that replicas spread over a cluster's nodes.
    fn env(&self, port: u16, index: usize) -> Vec<(&'static str, String)> {
        let n = &self.world.names;
        let mut nodes = world::brokers().to_vec();
        let first = index % nodes.len();
        nodes.rotate_left(first);
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut env = vec![
            ("TRP__DATABASE__URL", self.world.url.clone()),
            ("TRP__AMQP__URL", nodes.join(",")),
            (
                "TRP__AMQP__APPLICATIONS_EXCHANGE",
                n.applications_exchange.clone(),
            ),
            ("TRP__AMQP__WORK_QUEUE", n.work_queue.clone()),
            ("TRP__AMQP__DEAD_LETTER_QUEUE", n.dead_letter_queue.clone()),
            (
                "TRP__AMQP__DECISIONS_EXCHANGE",
                n.decisions_exchange.clone(),
            ),
            ("TRP__AMQP__STATUS_EXCHANGE", n.status_exchange.clone()),
            ("TRP__HTTP__PORT", port.to_string()),
            ("TRP__SIGNATURE__TRUST_ANCHORS", list(&self.signing.anchors)),
            ("TRP__SIGNATURE__CRLS", list(&self.signing.crls)),
            ("TRP__SIGNATURE__OTP_KEY", b64.encode(&self.signing.otp_key)),
            (
                "TRP__SMS__URL",
                format!("http://127.0.0.1:{}/sms", self.sinks.sms_port),
            ),
            ("TRP__SMS__TOKEN", self.sms_token.to_owned()),
            ("TRP__SMTP__HOST", "127.0.0.1".to_owned()),
            ("TRP__SMTP__PORT", self.sinks.smtp_port.to_string()),
            ("TRP__LOG__FILTER", "warn".to_owned()),
        ];
        env.extend(self.extra.iter().cloned());
        env
    }

    fn command(
        &self,
        args: &[&str],
        port: u16,
        index: usize,
        log: &Path,
    ) -> anyhow::Result<Command> {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let mut command = Command::new(self.binary);
        command
            .args(args)
            .env_clear()
            .envs(self.env(port, index))
            // config/default.toml names the rules and calendar relative to the project.
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .kill_on_drop(true);
        Ok(command)
    }

    /// Runs a one-shot command (`migrate`, `import ...`) and fails unless it exits 0.
    pub async fn once(&self, args: &[&str]) -> anyhow::Result<()> {
        let log = self.logs.join("setup.log");
        let status = self.command(args, 0, 0, &log)?.status().await?;
        if !status.success() {
            bail!(
                "trp-worker {} exited {status} (log: {})",
                args.join(" "),
                log.display()
            );
        }
        Ok(())
    }

    /// Applies the migrations and loads the sample registries (the applicant's
    /// fingerprints and phone) with the worker's own CLI.
    pub async fn prepare(&self) -> anyhow::Result<()> {
        self.once(&["migrate"]).await?;
        for registry in ["biometrics", "mobile-citizens"] {
            let file = format!("demo/{registry}.csv");
            self.once(&["import", registry, &file]).await?;
        }
        Ok(())
    }

    /// Starts replica `index` of `label`.
    pub fn spawn(&self, label: &str, index: usize) -> anyhow::Result<Replica> {
        let port = free_port()?;
        let log = self.logs.join(format!("worker-{label}-{index}.log"));
        let child = self
            .command(&["run"], port, index, &log)?
            .spawn()
            .with_context(|| format!("starting {}", self.binary.display()))?;
        let pid = child.id().context("the worker has a pid")?;
        Ok(Replica {
            child,
            pid,
            port,
            log,
        })
    }
}

impl Replica {
    /// Fails if the replica has exited.
    pub fn alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!(
                "a worker exited early ({status}); log: {}",
                self.log.display()
            );
        }
        Ok(())
    }

    /// Counters worth a look from `/metrics`: dead letters, duplicates, notification
    /// retries and failures.
    pub async fn counters(&self) -> String {
        let text = metrics(self.port).await.unwrap_or_default();
        let sum = |prefix: &str, filter: &str| -> f64 {
            text.lines()
                .filter(|l| l.starts_with(prefix) && l.contains(filter))
                .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
                .sum::<f64>()
                + 0.0 // the sum of nothing is -0.0
        };
        format!(
            "dead letters {}, duplicates {}, notification retries {}, failed {}",
            sum("trp_dead_letters_total", ""),
            sum("trp_duplicates_total", ""),
            sum("trp_notifications_total", "result=\"retry\""),
            sum("trp_notifications_total", "result=\"failed\""),
        )
    }
}

async fn metrics(port: u16) -> anyhow::Result<String> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response)
}
