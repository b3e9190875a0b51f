//! Settings (contract sections 8 and 9): `config/default.toml` holds every setting with its
//! default; the file named by `TRP_CONFIG` is layered over it; `TRP__SECTION__KEY`
//! environment variables override both. Unknown keys are refused; secrets come from the
//! environment only and sit in types that cannot be printed.

mod connections;
mod layers;
mod settings;

pub use connections::*;
pub use settings::*;

use std::path::{Path, PathBuf};

/// A setting that cannot be used: the message names it, in one line (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// The defaults as built into the binary, used when `config/default.toml` is not on disk.
const BUILT_IN_DEFAULTS: &str = include_str!("../config/default.toml");

/// The keys that only the environment may set.
pub const SECRETS: [(&str, &str); 4] = [
    ("database", "password"),
    ("signature", "otp_key"),
    ("sms", "token"),
    ("smtp", "password"),
];

/// Loads the settings from the process environment and the working directory.
pub fn load() -> Result<Settings, ConfigError> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    load_from(Path::new("config/default.toml"), &env)
}

/// Loads the settings with `defaults_path` (built-in defaults when absent) and `env`.
pub fn load_from(defaults_path: &Path, env: &[(String, String)]) -> Result<Settings, ConfigError> {
    let defaults = match std::fs::read_to_string(defaults_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BUILT_IN_DEFAULTS.to_owned(),
        Err(e) => return Err(ConfigError(format!("{}: {e}", defaults_path.display()))),
    };
    let mut table = layers::parse_file(&defaults, defaults_path)?;
    layers::refuse_secrets_in_file(&table, defaults_path)?;
    if let Some((_, path)) = env.iter().find(|(k, _)| k == "TRP_CONFIG") {
        let path = PathBuf::from(path);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| ConfigError(format!("TRP_CONFIG={}: {e}", path.display())))?;
        let overlay = layers::parse_file(&text, &path)?;
        layers::refuse_secrets_in_file(&overlay, &path)?;
        layers::merge(&mut table, overlay, &path)?;
    }
    layers::apply_env(&mut table, env)?;
    settings::from_table(table)
}

#[cfg(test)]
#[path = "config/tests.rs"]
mod tests;
