//! The command line (contract section 9): parsing with clap, dispatch to one file per
//! command group. `main.rs` only calls [`main`].

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod health;
pub mod ops;
pub mod signature;
pub mod worker;

#[derive(Debug, Parser)]
#[command(
    name = "trp-worker",
    version,
    about = "Decides temporary residence permit applications"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Applies pending migrations, declares the topology, consumes until SIGTERM or SIGINT.
    Run,
    /// Applies pending migrations and exits.
    Migrate,
    /// Loads a registry from CSV in one transaction: biometrics, invalid-documents,
    /// mobile-citizens or permits.
    Import {
        registry: String,
        file: std::path::PathBuf,
    },
    /// Prints the stored decision, every check and reason, and the notifications.
    Explain {
        application_id: String,
        #[arg(long)]
        json: bool,
        /// Runs the three checks again under today's files and registries (nothing is
        /// written, published or sent) and prints both decisions and what changed.
        #[arg(long)]
        replay: bool,
    },
    /// The dead-letter queue: list what is there and why, or replay chosen messages.
    #[command(subcommand)]
    DeadLetters(ops::DeadLettersCommand),
    /// Personal data past its term: blank it, keeping the audit trail.
    #[command(subcommand)]
    Retention(ops::RetentionCommand),
    /// Certificates against the configured trust anchors and CRLs.
    #[command(subcommand)]
    Certificate(signature::CertificateCommand),
    /// The signature check alone.
    #[command(subcommand)]
    Signature(signature::SignatureCommand),
    /// RFC 3161 time-stamp tokens against the configured TSA anchors and CRLs.
    #[command(subcommand)]
    Timestamp(signature::TimestampCommand),
    /// Asks this worker's own /healthz (http.port): exit 0 healthy, 1 not.
    Health,
}

/// Exit status of contract section 9: 0 success, 1 refused or failed, 2 usage or
/// configuration.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS // --help, --version
            };
        }
    };
    let result = match cli.command {
        Command::Run => worker::run(),
        Command::Migrate => worker::migrate(),
        Command::Import { registry, file } => ops::import(&registry, file),
        Command::Explain {
            application_id,
            json,
            replay: false,
        } => ops::explain(&application_id, json),
        Command::Explain {
            application_id,
            json,
            replay: true,
        } => ops::replay(&application_id, json),
        Command::Retention(cmd) => ops::retention(cmd),
        Command::DeadLetters(cmd) => ops::dead_letters(cmd),
        // Stdout is locked only for the commands that print their verdict: a lock held
        // during `run` would block every log line written from another thread.
        Command::Certificate(cmd) => signature::certificate(cmd, &mut std::io::stdout().lock()),
        Command::Signature(cmd) => signature::signature(cmd, &mut std::io::stdout().lock()),
        Command::Timestamp(cmd) => signature::timestamp(cmd, &mut std::io::stdout().lock()),
        Command::Health => health::health(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
}

/// A command that could not run: bad usage or configuration (exit 2), or anything else (1).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Config(_) => ExitCode::from(2),
            Self::Failed(_) => ExitCode::from(1),
        }
    }
}
