//! Reload without restart (contract section 8): the trust anchors, TSA anchors, CRLs,
//! rules and calendar are one [`Snapshot`], read from their files at start and again on SIGHUP or
//! when a file changes ([`watch`]). A new snapshot replaces the old one whole and at once
//! (an `ArcSwap`), and only when every file parses; a bad file leaves the old one in force.
//!
//! Each application is checked and decided under one snapshot: the handler takes it once,
//! runs the signature check under it and carries the same `Arc` to the commit, which takes
//! the rules, calendar and trust version from it ([`crate::pipeline::commit::Checked`]).

pub mod watch;

use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;
use time::OffsetDateTime;
use tokio::sync::Notify;

use crate::checks::signature::timestamp::TSA_ANCHORS_SETTING;
use crate::checks::signature::trust::{Crls, TrustError, ANCHORS_SETTING, CRLS_SETTING};
use crate::checks::signature::{MissingCrls, Timestamps, TrustStore};
use crate::config::{ConfigError, Settings};
use crate::domain::calendar::Calendar;
use crate::domain::rules::Rules;
use crate::files;
use crate::telemetry::{IssuerLabel, Metrics, ResultLabel};

/// Everything read from the reloadable files; never changed once built.
#[derive(Debug)]
pub struct Snapshot {
    pub rules: Rules,
    pub calendar: Calendar,
    pub trust: TrustStore,
    /// `trust.version()`, computed once: recorded with every decision.
    pub trust_version: String,
}

/// Which files make a [`Snapshot`], from the settings (which are not reloaded).
#[derive(Debug, Clone)]
pub struct Sources {
    pub trust_anchors: Vec<PathBuf>,
    pub crls: Vec<PathBuf>,
    pub missing_crls: MissingCrls,
    /// `signature.tsa_trust_anchors`: watched and reloaded like the trust anchors.
    pub tsa_trust_anchors: Vec<PathBuf>,
    pub require_timestamp: bool,
    pub clock_skew: time::Duration,
    pub rules: PathBuf,
    pub calendar: PathBuf,
}

impl Sources {
    pub fn of(settings: &Settings) -> Self {
        Self {
            trust_anchors: settings.signature.trust_anchors.clone(),
            crls: settings.signature.crls.clone(),
            missing_crls: settings.signature.missing_crls(),
            tsa_trust_anchors: settings.signature.tsa_trust_anchors.clone(),
            require_timestamp: settings.signature.require_timestamp,
            clock_skew: time::Duration::seconds(i64::from(settings.signature.clock_skew_s)),
            rules: settings.rules.file.clone(),
            calendar: settings.calendar.dir.clone(),
        }
    }

    /// Reads every file. The error is one line that starts with the setting and names the
    /// file (`signature.crls: /etc/trp/ca.crl: not a usable CRL: ...`).
    pub fn read(&self) -> Result<Snapshot, ConfigError> {
        if self.trust_anchors.is_empty() {
            return Err(no_trust_anchors());
        }
        let rules =
            files::load_rules(&self.rules).map_err(|e| ConfigError(format!("rules.file: {e}")))?;
        let calendar = files::load_calendar_dir(&self.calendar)
            .map_err(|e| ConfigError(format!("calendar.dir: {e}")))?;
        let trust = self.trust()?;
        Ok(Snapshot {
            rules,
            calendar,
            trust_version: trust.version(),
            trust,
        })
    }
}

impl Sources {
    /// The trust store with its TSAs: the anchors, the TSA anchors and the CRLs, each file
    /// read once and the CRLs parsed once (both stores consult them: [`Crls`]). An error
    /// names the setting and the file.
    pub fn trust(&self) -> Result<TrustStore, ConfigError> {
        if self.trust_anchors.is_empty() {
            return Err(no_trust_anchors());
        }
        let crls = self.crls()?;
        let timestamps = self.timestamps_with(&crls)?;
        let anchors = files::read_each(ANCHORS_SETTING, &self.trust_anchors).map_err(config)?;
        Ok(TrustStore::new(&anchors, &crls)
            .map_err(config)?
            .with_missing_crls(self.missing_crls)
            .with_timestamps(timestamps))
    }

    /// The TSAs (read now) and the time-stamp policy, without the signers' anchors.
    pub fn timestamps(&self) -> Result<Timestamps, ConfigError> {
        self.timestamps_with(&self.crls()?)
    }

    fn crls(&self) -> Result<Arc<Crls>, ConfigError> {
        Crls::parse(&files::read_each(CRLS_SETTING, &self.crls).map_err(config)?).map_err(config)
    }

    fn timestamps_with(&self, crls: &Arc<Crls>) -> Result<Timestamps, ConfigError> {
        let anchors =
            files::read_each(TSA_ANCHORS_SETTING, &self.tsa_trust_anchors).map_err(config)?;
        let tsa = Timestamps::tsa_store(&anchors, crls, self.missing_crls).map_err(config)?;
        Ok(Timestamps::new(
            tsa,
            self.require_timestamp,
            self.clock_skew,
        ))
    }
}

fn config(e: TrustError) -> ConfigError {
    ConfigError(e.to_string())
}

fn no_trust_anchors() -> ConfigError {
    ConfigError("signature.trust_anchors: no file given (set TRP__SIGNATURE__TRUST_ANCHORS)".into())
}

/// The snapshot in force, and where to read the next one from.
pub struct Files {
    sources: Sources,
    current: ArcSwap<Snapshot>,
}

impl Files {
    /// Reads every file at start: a bad one stops start-up (exit 2). So does running with
    /// no CRL at all unless `signature.allow_missing_crls` says so; when it does, that is
    /// logged.
    pub fn load(settings: &Settings) -> Result<Self, ConfigError> {
        let sources = Sources::of(settings);
        let snapshot = sources.read()?;
        match (sources.crls.is_empty(), sources.missing_crls) {
            (true, MissingCrls::Wait) => {
                return Err(ConfigError(
                    "signature.crls: no CRL configured; every EDS application would wait \
                     for one (set signature.allow_missing_crls = true to run without \
                     revocation checking)"
                        .into(),
                ))
            }
            (true, MissingCrls::Allow) => tracing::warn!(
                "signature.allow_missing_crls = true and no CRL configured: certificates are \
                 not checked for revocation"
            ),
            (false, MissingCrls::Allow) => tracing::warn!(
                "signature.allow_missing_crls = true: a CA without a configured CRL counts \
                 as revoking nothing"
            ),
            (false, MissingCrls::Wait) => {}
        }
        Ok(Self::new(sources, snapshot))
    }

    pub fn new(sources: Sources, snapshot: Snapshot) -> Self {
        Self {
            sources,
            current: ArcSwap::from_pointee(snapshot),
        }
    }

    /// The snapshot in force now. Hold the `Arc` for as long as one application (or one
    /// batch) needs a consistent set.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    pub fn sources(&self) -> &Sources {
        &self.sources
    }
}

/// Reloads the files: what SIGHUP and a changed file both call.
#[derive(Clone)]
pub struct Reloader {
    files: Arc<Files>,
    metrics: Metrics,
    reloaded: Arc<Notify>,
}

impl Reloader {
    /// Also sets the CRL gauges for the snapshot in force.
    pub fn new(files: Arc<Files>, metrics: Metrics) -> Self {
        crl_gauges(&metrics, &files.current());
        Self {
            files,
            metrics,
            reloaded: Arc::new(Notify::new()),
        }
    }

    pub fn files(&self) -> &Arc<Files> {
        &self.files
    }

    /// Woken after each successful reload (deferred applications may now be decidable).
    pub fn reloaded(&self) -> Arc<Notify> {
        self.reloaded.clone()
    }

    /// Reads every file again. When all parse, the new snapshot replaces the old one at
    /// once; when one does not, the old one stays, one log line names the file, and
    /// `trp_reloads_total{result="error"}` counts it. Blocking (files, CA signatures).
    pub fn reload(&self) -> Result<Arc<Snapshot>, ConfigError> {
        match self.files.sources.read() {
            Ok(snapshot) => {
                let snapshot = Arc::new(snapshot);
                self.files.current.store(snapshot.clone());
                self.count("ok");
                crl_gauges(&self.metrics, &snapshot);
                tracing::info!(
                    rules = %snapshot.rules.version,
                    calendar = %snapshot.calendar.version(),
                    trust = %snapshot.trust_version,
                    "reloaded the trust anchors, CRLs, rules and calendar"
                );
                self.reloaded.notify_one();
                Ok(snapshot)
            }
            Err(e) => {
                self.count("error");
                tracing::error!(error = %e, "reload refused: the files in force stay");
                Err(e)
            }
        }
    }

    fn count(&self, result: &'static str) {
        let label = ResultLabel { result };
        self.metrics.reloads.get_or_create(&label).inc();
    }
}

/// `trp_crl_next_update_timestamp_seconds{issuer}`: per CA, the earliest `nextUpdate` of
/// its configured CRLs; a CA no longer configured disappears.
fn crl_gauges(metrics: &Metrics, snapshot: &Snapshot) {
    let family = &metrics.crl_next_update;
    family.clear();
    for crl in snapshot.trust.revocation().crls() {
        let Some(next) = crl.next_update else {
            continue;
        };
        let label = IssuerLabel {
            issuer: crl.issuer.clone(),
        };
        let gauge = family.get_or_create(&label);
        let secs = next.unix_timestamp();
        let earlier = gauge.get() == 0 || secs < gauge.get();
        if earlier {
            gauge.set(secs);
        }
    }
}

/// Whether every CA in `issuers` has what a revocation check needs now in `snapshot`.
pub fn is_current(snapshot: &Snapshot, issuers: &[String], now: OffsetDateTime) -> bool {
    let revocation = snapshot.trust.revocation();
    issuers
        .iter()
        .all(|issuer| revocation.is_current(issuer, now))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn pki(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/pki")
            .join(name)
    }

    #[test]
    fn the_signers_and_the_tsas_store_share_one_parse_of_the_crls() {
        let sources = Sources {
            trust_anchors: vec![pki("root.pem"), pki("intermediate.pem")],
            crls: vec![pki("intermediate.crl"), pki("root.crl")],
            missing_crls: MissingCrls::Wait,
            tsa_trust_anchors: vec![pki("root.pem")],
            require_timestamp: false,
            clock_skew: time::Duration::seconds(300),
            rules: PathBuf::new(),
            calendar: PathBuf::new(),
        };
        let signers = sources.trust().expect("the test PKI loads");
        let tsa = signers.timestamps().tsa().expect("a TSA store");
        assert!(Arc::ptr_eq(signers.crls(), tsa.crls()));
        assert_eq!(signers.revocation().crls().len(), 2);
        assert_eq!(tsa.revocation().crls().len(), 2);
    }
}
