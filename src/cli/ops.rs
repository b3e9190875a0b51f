//! Operators' commands: `import`, `explain`, `dead-letters list|replay`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::worker::{runtime, settings};
use super::CliError;
use crate::broker;
use crate::store::registries::{self, Registry};

fn pool(settings: &crate::config::Settings) -> Result<deadpool_postgres::Pool, CliError> {
    settings
        .database
        .pool(2)
        .map_err(|e| CliError::Config(e.to_string()))
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
        let mut out = std::io::stdout().lock();
        let written = if json {
            serde_json::to_writer_pretty(&mut out, &found)
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(out))
        } else {
            crate::store::explain::write_text(&found, &mut out)
        };
        written.map_err(|e| CliError::Failed(e.to_string()))?;
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
