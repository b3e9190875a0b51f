//! The typed settings. Each struct refuses unknown fields; its doc comments are the user
//! docs, and `config/default.toml` explains each value.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use serde::{Deserialize, Deserializer};
use toml::Table;

use super::connections::{Database, Smtp};
use super::ConfigError;
use crate::checks::signature::{MissingCrls, OtpKey, OtpSettings};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub amqp: Amqp,
    pub database: Database,
    pub http: Http,
    pub signature: Signature,
    pub sms: Sms,
    pub smtp: Smtp,
    pub notifications: Notifications,
    pub batch: Batch,
    pub outbox: Outbox,
    pub rules: RulesFile,
    pub calendar: CalendarDir,
    pub reload: Reload,
    pub shutdown: Shutdown,
    pub log: Log,
}

/// A string or a list of strings (`amqp.url` names one node or several).
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => s.split(',').map(|s| s.trim().to_owned()).collect(),
        OneOrMany::Many(v) => v,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amqp {
    /// Broker URLs, tried in turn. They may carry credentials: never log them.
    #[serde(deserialize_with = "one_or_many")]
    pub url: Vec<String>,
    pub prefetch: u16,
    pub max_in_flight: u16,
    pub applications_exchange: String,
    pub work_queue: String,
    pub dead_letter_queue: String,
    pub decisions_exchange: String,
    pub status_exchange: String,
    /// The work queue's binding key.
    pub submitted_routing_key: String,
    /// The first segment of decisions' and status events' routing keys.
    pub decision_routing_prefix: String,
    pub status_routing_prefix: String,
    pub max_message_bytes: usize,
    /// Deliveries of one message that may fail before it is dead-lettered.
    pub delivery_limit: u32,
    /// The limit comes from an operator's policy: the work queue is declared without it.
    pub delivery_limit_by_policy: bool,
    /// The backoff before a failed delivery is tried again: first delay and ceiling.
    pub retry_base_ms: u32,
    pub retry_max_ms: u32,
}

impl Amqp {
    /// The work queue's delivery limit, as declared (or left to a policy).
    pub fn delivery_limit(&self) -> crate::broker::topology::DeliveryLimit {
        use crate::broker::topology::DeliveryLimit;
        if self.delivery_limit_by_policy {
            DeliveryLimit::ByPolicy
        } else {
            DeliveryLimit::Declared(self.delivery_limit)
        }
    }

    /// The backoff before a failed delivery is tried again.
    pub fn retry(&self) -> crate::retry::Backoff {
        crate::retry::Backoff::new(
            Duration::from_millis(self.retry_base_ms.into()),
            Duration::from_millis(self.retry_max_ms.into()),
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Http {
    pub port: u16,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub trust_anchors: Vec<PathBuf>,
    pub crls: Vec<PathBuf>,
    /// `true`: a CA on a signer's path without a configured CRL counts as revoking
    /// nothing (and `crls` may be empty: no revocation checking at all). `false` (the
    /// default): an application whose chain has such a CA waits, undecided.
    pub allow_missing_crls: bool,
    pub otp_lifetime_s: u32,
    /// How far `submitted_at` may lie after the moment the message arrived (and a
    /// time-stamp token's `genTime` after `submitted_at`).
    pub clock_skew_s: u32,
    /// PEM files of the time-stamping authorities' roots and intermediates; empty: no
    /// time-stamp token verifies.
    pub tsa_trust_anchors: Vec<PathBuf>,
    /// `true`: an EDS signature without a valid time-stamp token is `signature.invalid`.
    pub require_timestamp: bool,
    /// Base64, from `TRP__SIGNATURE__OTP_KEY` only.
    pub otp_key: Option<SecretString>,
}

impl Signature {
    /// The policy for a CA without a configured CRL (`signature.allow_missing_crls`).
    pub fn missing_crls(&self) -> MissingCrls {
        if self.allow_missing_crls {
            MissingCrls::Allow
        } else {
            MissingCrls::Wait
        }
    }

    /// The OTP settings. Without a key, OTP signatures cannot be checked: where `required`,
    /// that is an error naming the setting; otherwise an empty key fails every OTP.
    pub fn otp(&self, required: bool) -> Result<OtpSettings, ConfigError> {
        let key = match self.otp_key_bytes()? {
            Some(bytes) => OtpKey::new(bytes.expose_secret().to_vec()),
            None if required => {
                return Err(ConfigError(
                    "signature.otp_key: not set (set TRP__SIGNATURE__OTP_KEY, base64)".into(),
                ))
            }
            None => OtpKey::new(Vec::new()),
        };
        let lifetime = time::Duration::seconds(i64::from(self.otp_lifetime_s));
        Ok(OtpSettings { key, lifetime })
    }

    /// The OTP attestation key's bytes; `None` where no key is set.
    pub fn otp_key_bytes(&self) -> Result<Option<SecretSlice<u8>>, ConfigError> {
        let Some(key) = &self.otp_key else {
            return Ok(None);
        };
        base64::engine::general_purpose::STANDARD
            .decode(key.expose_secret().trim())
            .map(|bytes| Some(SecretSlice::from(bytes)))
            .map_err(|_| ConfigError("signature.otp_key is not standard base64".into()))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sms {
    pub url: String,
    pub timeout_s: u32,
    /// From `TRP__SMS__TOKEN` only.
    pub token: Option<SecretString>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notifications {
    pub max_age_h: u32,
    pub retry_base_s: u32,
    pub retry_max_s: u32,
    /// Notifications one sender claims and sends at once, per channel.
    pub batch: u16,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub max_size: u16,
    pub max_wait_ms: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outbox {
    pub batch: u16,
    pub lease_s: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    pub file: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarDir {
    pub dir: PathBuf,
}

/// Reloading the trust anchors, CRLs, rules and calendar without a restart: on SIGHUP, and
/// when one of their files changes (`docs/operations.md`, "Reload").
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reload {
    /// How often the files are looked at (size, modification time, inode), in
    /// milliseconds; a change is read once it has stayed put for one more look. 0: only
    /// SIGHUP reloads.
    pub poll_ms: u32,
}

impl Reload {
    /// The polling interval; `None` when files are not watched.
    pub fn poll(&self) -> Option<Duration> {
        (self.poll_ms > 0).then(|| Duration::from_millis(self.poll_ms.into()))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shutdown {
    pub grace_s: u32,
}

impl Shutdown {
    pub fn grace(&self) -> Duration {
        Duration::from_secs(self.grace_s.into())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    pub filter: String,
    pub format: LogFormat,
}

impl Log {
    /// The tracing filter; one that does not parse is an error naming the setting.
    pub fn env_filter(&self) -> Result<tracing_subscriber::EnvFilter, ConfigError> {
        tracing_subscriber::EnvFilter::try_new(&self.filter).map_err(|e| {
            ConfigError(format!(
                "log.filter: {:?} is not a tracing filter ({e})",
                self.filter
            ))
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Deserialises the merged table, naming the key on error, then checks the ranges.
pub fn from_table(table: Table) -> Result<Settings, ConfigError> {
    let settings: Settings =
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner().message().replace('\n', " ");
            ConfigError(format!("{path}: {inner}"))
        })?;
    settings.validate()?;
    Ok(settings)
}

impl Settings {
    fn validate(&self) -> Result<(), ConfigError> {
        let checks: [(bool, &str, &str); 19] = [
            (
                self.amqp.delivery_limit > 0,
                "amqp.delivery_limit",
                "must be at least 1",
            ),
            (
                self.amqp.retry_base_ms > 0 && self.amqp.retry_base_ms <= self.amqp.retry_max_ms,
                "amqp.retry_base_ms",
                "must be at least 1 and at most amqp.retry_max_ms",
            ),
            (
                [
                    &self.amqp.submitted_routing_key,
                    &self.amqp.decision_routing_prefix,
                    &self.amqp.status_routing_prefix,
                ]
                .iter()
                .all(|k| !k.is_empty() && k.len() <= 200),
                "amqp.submitted_routing_key",
                "and the routing prefixes must be 1 to 200 bytes",
            ),
            (
                self.amqp.url.iter().any(|u| !u.is_empty()),
                "amqp.url",
                "names no broker",
            ),
            (
                self.amqp.prefetch > 0,
                "amqp.prefetch",
                "must be at least 1",
            ),
            (
                self.amqp.max_in_flight > 0,
                "amqp.max_in_flight",
                "must be at least 1",
            ),
            (
                self.amqp.max_message_bytes >= 1024,
                "amqp.max_message_bytes",
                "must be at least 1024",
            ),
            (
                self.database.pool_size > 0,
                "database.pool_size",
                "must be at least 1",
            ),
            (
                self.database.connect_timeout_s > 0,
                "database.connect_timeout_s",
                "must be at least 1",
            ),
            (
                self.database.statement_timeout_ms > 0,
                "database.statement_timeout_ms",
                "must be at least 1 (0 would let a statement run forever)",
            ),
            (
                self.database.lock_timeout_ms > 0,
                "database.lock_timeout_ms",
                "must be at least 1 (0 would let a lock wait forever)",
            ),
            (
                self.database.pool_wait_timeout_ms > 0,
                "database.pool_wait_timeout_ms",
                "must be at least 1",
            ),
            (
                self.signature.otp_lifetime_s > 0,
                "signature.otp_lifetime_s",
                "must be at least 1",
            ),
            (
                self.sms.timeout_s > 0,
                "sms.timeout_s",
                "must be at least 1",
            ),
            (
                self.batch.max_size > 0,
                "batch.max_size",
                "must be at least 1",
            ),
            (self.outbox.batch > 0, "outbox.batch", "must be at least 1"),
            (
                self.notifications.batch > 0,
                "notifications.batch",
                "must be at least 1",
            ),
            (
                self.outbox.lease_s > 0,
                "outbox.lease_s",
                "must be at least 1",
            ),
            (
                self.notifications.retry_base_s > 0
                    && self.notifications.retry_base_s <= self.notifications.retry_max_s,
                "notifications.retry_base_s",
                "must be at least 1 and at most notifications.retry_max_s",
            ),
        ];
        for (ok, key, why) in checks {
            if !ok {
                return Err(ConfigError(format!("{key} {why}")));
            }
        }
        self.smtp.check()?;
        self.log.env_filter()?;
        self.database.tls_roots()?;
        self.signature.otp_key_bytes()?;
        if self.database.url.parse::<tokio_postgres::Config>().is_err() {
            return Err(ConfigError("database.url is not a PostgreSQL URL".into()));
        }
        Ok(())
    }
}
