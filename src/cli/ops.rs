//! Operators' commands: `import`, `explain [--replay]`, `dead-letters list|replay`,
//! `retention purge`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::worker::{runtime, settings};
use super::CliError;
use crate::broker;
use crate::store::registries::{self, Registry};

fn pool(settings: &crate::config::Settings) -> Result<deadpool_postgres::Pool, CliError> {
    crate::worker::database_pool(&settings.database, 2).map_err(|e| CliError::Config(e.to_string()))
}

/// Loads a registry from CSV in one transaction; a bad row names its line, nothing loads.
pub fn import(registry: &str, file: PathBuf) -> Result<ExitCode, CliError> {
    let registry = Registry::parse(registry).ok_or_else(|| {
        CliError::Config(format!(
            "unknown registry {registry:?}: biometrics, invalid-documents, mobile-citizens or permits"
        ))
    })?;
    let settings = settings()?;
    let reader = std::fs::File::open(&file)
        .map_err(|e| CliError::Failed(format!("{}: {e}", file.display())))?;
    let bar = std::io::stdout()
        .is_terminal()
        .then(|| indicatif::ProgressBar::new_spinner().with_message(registry.name()));
    runtime()?.block_on(async {
        let pool = pool(&settings)?;
        let report = registries::import(&pool, registry, reader, |rows| {
            if let Some(bar) = &bar {
                bar.set_position(rows);
            }
        })
        .await
        .map_err(|e| CliError::Failed(format!("{}: {e}", file.display())))?;
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        println!("{}: {} row(s) loaded", registry.name(), report.rows);
        Ok(ExitCode::SUCCESS)
    })
}

/// Prints the stored decision, checks, reasons and notifications of one application.
pub fn explain(application_id: &str, json: bool) -> Result<ExitCode, CliError> {
    let settings = settings()?;
    runtime()?.block_on(async {
        let pool = pool(&settings)?;
        let found = crate::store::explain::load(&pool, application_id)
            .await
            .map_err(|e| CliError::Failed(format!("explain: {e}")))?;
        let Some(found) = found else {
            eprintln!("{application_id}: not taken in");
            return Ok(ExitCode::from(1));
        };
        print(&found, json, crate::store::explain::write_text)?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Prints `found` to stdout: pretty JSON with `--json`, else as `text` writes it.
fn print<T: serde::Serialize>(
    found: &T,
    json: bool,
    text: impl FnOnce(&T, &mut std::io::StdoutLock<'static>) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let written = if json {
        serde_json::to_writer_pretty(&mut out, found)
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out))
    } else {
        text(found, &mut out)
    };
    written.map_err(|e| CliError::Failed(e.to_string()))
}

/// `explain --replay`: the stored decision beside today's (`store::replay`). Exit 0 whether
/// or not they differ; 1 when there is nothing to replay (unknown, undecided, purged).
pub fn replay(application_id: &str, json: bool) -> Result<ExitCode, CliError> {
    use crate::store::replay::{self, Replayed, Today};
    let settings = settings()?;
    let config = |e: crate::config::ConfigError| CliError::Config(e.to_string());
    let snapshot = crate::reload::Sources::of(&settings)
        .read()
        .map_err(config)?;
    let has_key = settings
        .signature
        .otp_key_bytes()
        .map_err(config)?
        .is_some();
    let otp = settings.signature.otp(false).map_err(config)?;
    let today = Today {
        snapshot: &snapshot,
        otp: has_key.then_some(&otp),
        now: time::OffsetDateTime::now_utc(),
    };
    runtime()?.block_on(async {
        let pool = pool(&settings)?;
        let replayed = replay::replay(&pool, application_id, &today)
            .await
            .map_err(|e| CliError::Failed(format!("explain --replay: {e}")))?;
        let found = match replayed {
            Replayed::Done(found) => found,
            Replayed::NotFound => return not_replayed(application_id, "not taken in"),
            Replayed::NotDecided => return not_replayed(application_id, "not decided"),
            Replayed::Purged(at) => {
                let at = crate::domain::messages::kz_rfc3339(at);
                let why = format!("cannot be replayed: its envelope was purged at {at} (retention); `explain` shows the stored decision");
                return not_replayed(application_id, &why);
            }
            Replayed::NoOtpKey => {
                return Err(CliError::Config(
                    "signature.otp_key: not set (set TRP__SIGNATURE__OTP_KEY, base64); an OTP application cannot be replayed without it".into(),
                ))
            }
        };
        print(&*found, json, replay::write_text)?;
        Ok(ExitCode::SUCCESS)
    })
}

fn not_replayed(application_id: &str, why: &str) -> Result<ExitCode, CliError> {
    eprintln!("{application_id}: {why}");
    Ok(ExitCode::from(1))
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Blanks the personal data of applications decided more than `--older-than` days ago
    /// (dry run unless `--apply`): document, signature, notification addresses and texts,
    /// registry facts. The decision, reasons, versions, digest and permit stay.
    Purge {
        #[arg(long, value_name = "DAYS")]
        older_than: u32,
        #[arg(long)]
        apply: bool,
    },
}

pub fn retention(cmd: RetentionCommand) -> Result<ExitCode, CliError> {
    let RetentionCommand::Purge { older_than, apply } = cmd;
    let settings = settings()?;
    let now = time::OffsetDateTime::now_utc();
    let cutoff = now - time::Duration::days(i64::from(older_than));
    let cutoff_text = crate::domain::messages::kz_rfc3339(cutoff);
    runtime()?.block_on(async {
        let pool = pool(&settings)?;
        let failed = |e: crate::store::StoreError| CliError::Failed(format!("retention: {e}"));
        use crate::store::retention;
        let (verb, counts) = if apply {
            let counts = retention::purge(&pool, cutoff, now).await.map_err(failed)?;
            ("purged", counts)
        } else {
            let counts = retention::plan(&pool, cutoff).await.map_err(failed)?;
            ("would purge (dry run; --apply to purge)", counts)
        };
        println!(
            "{verb}: {} application(s) decided before {cutoff_text}, {} notification(s)",
            counts.applications, counts.notifications
        );
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Debug, Subcommand)]
pub enum DeadLettersCommand {
    /// Shows what is in the dead-letter queue and why.
    List {
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Re-publishes the chosen dead letters to the work queue.
    Replay {
        #[arg(required = true)]
        message_ids: Vec<String>,
    },
}

pub fn dead_letters(cmd: DeadLettersCommand) -> Result<ExitCode, CliError> {
    let settings = settings()?;
    let names = crate::worker::names(&settings);
    runtime()?.block_on(async {
        let failed = |e: broker::BrokerError| CliError::Failed(format!("dead-letters: {e}"));
        let connection = broker::connect::connect(&settings.amqp.url, "trp-worker dead-letters")
            .await
            .map_err(failed)?;
        let channel = connection
            .create_channel()
            .await
            .map_err(|e| failed(e.into()))?;
        broker::topology::declare(&channel, &names, settings.amqp.delivery_limit())
            .await
            .map_err(failed)?;
        match cmd {
            DeadLettersCommand::List { limit } => {
                let letters = broker::dead_letters::list(&channel, &names, limit)
                    .await
                    .map_err(failed)?;
                for l in &letters {
                    println!(
                        "{}\t{}\t{}\t{} bytes",
                        l.message_id.as_deref().unwrap_or("-"),
                        l.reason.as_deref().unwrap_or("-"),
                        l.error.as_deref().unwrap_or("-"),
                        l.body_len
                    );
                }
                println!("{} dead letter(s)", letters.len());
            }
            DeadLettersCommand::Replay { message_ids } => {
                let replayed = broker::dead_letters::replay(&channel, &names, &message_ids)
                    .await
                    .map_err(failed)?;
                println!("{replayed} of {} replayed", message_ids.len());
            }
        }
        let _ = connection.close(200, "done".into()).await;
        Ok(ExitCode::SUCCESS)
    })
}
