//! The three layers of settings as TOML tables: the defaults, the `TRP_CONFIG` file, the
//! environment. Every key a layer sets must exist in the defaults (except the secrets,
//! which exist nowhere but in the environment), so a misspelt setting is an error, not a
//! silently ignored line.

use std::path::Path;

use toml::{Table, Value};

use super::{ConfigError, SECRETS};

pub fn parse_file(text: &str, path: &Path) -> Result<Table, ConfigError> {
    text.parse::<Table>().map_err(|e| {
        let line = e.message().replace('\n', " ");
        ConfigError(format!("{}: {line}", path.display()))
    })
}

fn is_secret(section: &str, key: &str) -> bool {
    SECRETS.iter().any(|&(s, k)| s == section && k == key)
}

/// Secrets never live in a file (they would end up in the repository or an image).
pub fn refuse_secrets_in_file(table: &Table, path: &Path) -> Result<(), ConfigError> {
    for &(section, key) in &SECRETS {
        if table.get(section).and_then(|s| s.get(key)).is_some() {
            return Err(ConfigError(format!(
                "{section}.{key} is a secret: set TRP__{}__{} in the environment, not in {}",
                section.to_uppercase(),
                key.to_uppercase(),
                path.display()
            )));
        }
    }
    Ok(())
}

/// Lays `overlay` over `base`, section by section; a key the defaults lack is refused.
pub fn merge(base: &mut Table, overlay: Table, path: &Path) -> Result<(), ConfigError> {
    for (section, value) in overlay {
        let unknown =
            |name: &str| ConfigError(format!("{}: unknown setting {name}", path.display()));
        let Some(Value::Table(target)) = base.get_mut(&section) else {
            return Err(unknown(&section));
        };
        let Value::Table(entries) = value else {
            return Err(ConfigError(format!(
                "{}: {section} is not a table",
                path.display()
            )));
        };
        for (key, value) in entries {
            if !target.contains_key(&key) {
                return Err(unknown(&format!("{section}.{key}")));
            }
            target.insert(key, value);
        }
    }
    Ok(())
}

/// Applies every `TRP__SECTION__KEY` variable, typed like the default it overrides.
pub fn apply_env(table: &mut Table, env: &[(String, String)]) -> Result<(), ConfigError> {
    for (name, raw) in env {
        let Some(rest) = name.strip_prefix("TRP__") else {
            continue;
        };
        let unknown = || ConfigError(format!("{name}: unknown setting"));
        let (section, key) = rest.split_once("__").ok_or_else(unknown)?;
        let (section, key) = (section.to_lowercase(), key.to_lowercase());
        let Some(Value::Table(target)) = table.get_mut(&section) else {
            return Err(unknown());
        };
        let value = if is_secret(&section, &key) {
            Value::String(raw.clone())
        } else {
            let default = target.get(&key).ok_or_else(unknown)?;
            typed_like(default, raw).map_err(|why| ConfigError(format!("{name}: {why}")))?
        };
        target.insert(key, value);
    }
    Ok(())
}

/// `raw` read as the type of `default`: a list is comma-separated.
fn typed_like(default: &Value, raw: &str) -> Result<Value, &'static str> {
    match default {
        Value::Integer(_) => raw
            .trim()
            .parse()
            .map(Value::Integer)
            .map_err(|_| "is not an integer"),
        Value::Boolean(_) => match raw.trim() {
            "true" => Ok(Value::Boolean(true)),
            "false" => Ok(Value::Boolean(false)),
            _ => Err("is not true or false"),
        },
        Value::Float(_) => raw
            .trim()
            .parse()
            .map(Value::Float)
            .map_err(|_| "is not a number"),
        Value::Array(_) => Ok(Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        )),
        _ => Ok(Value::String(raw.to_owned())),
    }
}
