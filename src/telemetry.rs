//! Telemetry in one place: the metric names of contract section 9 and the tracing setup.
//! Metrics are labelled by outcome, reason, code, channel and result only: never by an
//! application id, and never with personal data.

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::config::{ConfigError, Log, LogFormat};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CodeLabel {
    pub code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MethodLabel {
    pub method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NotificationLabels {
    pub channel: &'static str,
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    pub result: &'static str,
}

/// A part `/readyz` waits for: `broker`, `database` or `consuming`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ComponentLabel {
    pub component: &'static str,
}

/// A CA, by its distinguished name: a CA's name is never personal data.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct IssuerLabel {
    pub issuer: String,
}

/// Every metric the worker exports. Cheap to clone (each metric is an `Arc` inside).
#[derive(Clone)]
pub struct Metrics {
    pub registry: Arc<Registry>,
    pub messages_consumed: Counter,
    pub decisions: Family<OutcomeLabel, Counter>,
    pub dead_letters: Family<ReasonLabel, Counter>,
    pub duplicates: Counter,
    pub check_failures: Family<CodeLabel, Counter>,
    pub notifications: Family<NotificationLabels, Counter>,
    pub outbox_backlog: Gauge,
    pub processing_seconds: Histogram,
    pub signature_checks: Family<MethodLabel, Counter>,
    pub reloads: Family<ResultLabel, Counter>,
    pub crl_next_update: Family<IssuerLabel, Gauge>,
    pub deferred_applications: Gauge,
    pub decisions_overdue: Counter,
    /// 1 when a part `/readyz` waits for is up, 0 when not; set from [`crate::http::Health`]
    /// at each scrape, so that an alert sees what `/readyz` says.
    pub ready: Family<ComponentLabel, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let messages_consumed = Counter::default();
        let decisions = Family::<OutcomeLabel, Counter>::default();
        let dead_letters = Family::<ReasonLabel, Counter>::default();
        let duplicates = Counter::default();
        let check_failures = Family::<CodeLabel, Counter>::default();
        let notifications = Family::<NotificationLabels, Counter>::default();
        let outbox_backlog = Gauge::default();
        // 1 ms to about 33 s: a decision takes milliseconds, a stalled one seconds.
        let processing_seconds = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        let signature_checks = Family::<MethodLabel, Counter>::default();
        let reloads = Family::<ResultLabel, Counter>::default();
        let crl_next_update = Family::<IssuerLabel, Gauge>::default();
        let deferred_applications = Gauge::default();
        let decisions_overdue = Counter::default();
        let ready = Family::<ComponentLabel, Gauge>::default();
        // prometheus-client appends `_total` to counters.
        registry.register(
            "trp_messages_consumed",
            "Messages taken from the work queue",
            messages_consumed.clone(),
        );
        registry.register(
            "trp_decisions",
            "Decisions recorded, by outcome",
            decisions.clone(),
        );
        registry.register(
            "trp_dead_letters",
            "Messages dead-lettered, by x-trp-reason",
            dead_letters.clone(),
        );
        registry.register(
            "trp_duplicates",
            "Duplicate applications acknowledged and dropped",
            duplicates.clone(),
        );
        registry.register(
            "trp_check_failures",
            "Check failures, by reason code",
            check_failures.clone(),
        );
        registry.register(
            "trp_notifications",
            "Notification send attempts, by channel and result (sent, retry, failed)",
            notifications.clone(),
        );
        registry.register(
            "trp_outbox_backlog",
            "Messages and notifications not yet sent nor failed for good",
            outbox_backlog.clone(),
        );
        registry.register(
            "trp_processing_seconds",
            "Time from taking a message to acknowledging it",
            processing_seconds.clone(),
        );
        registry.register(
            "trp_signature_checks",
            "Signature checks run, by method (eds, otp); a redelivered application already decided is not checked again",
            signature_checks.clone(),
        );
        registry.register(
            "trp_reloads",
            "Reloads of the trust anchors, CRLs, rules and calendar, by result (ok, error)",
            reloads.clone(),
        );
        registry.register(
            "trp_crl_next_update_timestamp_seconds",
            "When the CRL in force of each CA is due for renewal (its nextUpdate, Unix seconds)",
            crl_next_update.clone(),
        );
        registry.register(
            "trp_deferred_applications",
            "Applications waiting for a fresh CRL, undecided",
            deferred_applications.clone(),
        );
        registry.register(
            "trp_decisions_overdue",
            "Decisions made after their due_at (the one-working-day service term)",
            decisions_overdue.clone(),
        );
        registry.register(
            "trp_ready",
            "1 when the part /readyz waits for (broker, database, consuming) is up, 0 when not",
            ready.clone(),
        );
        Self {
            registry: Arc::new(registry),
            messages_consumed,
            decisions,
            dead_letters,
            duplicates,
            check_failures,
            notifications,
            outbox_backlog,
            processing_seconds,
            signature_checks,
            reloads,
            crl_next_update,
            deferred_applications,
            decisions_overdue,
            ready,
        }
    }

    /// The content type of what [`Metrics::encode`] writes: prometheus-client's text
    /// encoder writes OpenMetrics 1.0 (`_total` counters, `# EOF` at the end).
    pub const CONTENT_TYPE: &'static str =
        "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// The OpenMetrics text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Dependencies held at a level whatever `log.filter` says (a directive added to the filter
/// replaces one of the same target, and a target's own directive outranks a bare level):
/// refinery logs through `log` what `store::migrate` already says once, in our words;
/// tokio-postgres logs every statement's parameters at `debug`, and lapin every frame it
/// reads or writes at `trace`, bodies included: applicants' names, IINs, phone numbers and
/// addresses. An operator's `log.filter = "trace"` must not put them in the logs
/// (`tests/no_secrets_in_output.rs` runs a replica at `trace` and searches its output).
const HELD: &[&str] = &["refinery_core=warn", "tokio_postgres=info", "lapin=debug"];

/// Installs the global tracing subscriber; a second call (tests) is a no-op. A filter that
/// does not parse is an error naming `log.filter`, never a silent `info`.
pub fn init_tracing(log: &Log) -> Result<(), ConfigError> {
    let filter = HELD.iter().fold(log.env_filter()?, |filter, directive| {
        filter.add_directive(directive.parse().expect("a valid directive"))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    // One event per line either way. JSON: the event's fields at the top level beside
    // `timestamp`, `level` and `message` (`{"timestamp":...,"level":"INFO","message":
    // "decided","application_id":"TRP-2026-000123","outcome":"approved"}`), so a log
    // collector indexes `application_id` without unwrapping anything.
    let _ = match log.format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_the_contract_names() {
        let m = Metrics::new();
        m.messages_consumed.inc();
        m.decisions
            .get_or_create(&OutcomeLabel {
                outcome: "approved",
            })
            .inc();
        m.dead_letters
            .get_or_create(&ReasonLabel {
                reason: "envelope.not_json",
            })
            .inc();
        m.duplicates.inc();
        m.check_failures
            .get_or_create(&CodeLabel {
                code: "eligibility.term",
            })
            .inc();
        m.notifications
            .get_or_create(&NotificationLabels {
                channel: "sms",
                result: "retry",
            })
            .inc();
        m.outbox_backlog.set(3);
        m.processing_seconds.observe(0.02);
        m.signature_checks
            .get_or_create(&MethodLabel { method: "eds" })
            .inc();
        m.reloads
            .get_or_create(&ResultLabel { result: "error" })
            .inc();
        m.crl_next_update
            .get_or_create(&IssuerLabel {
                issuer: "CN=TRP TEST INTERMEDIATE,C=KZ".into(),
            })
            .set(2_426_311_738);
        m.deferred_applications.set(2);
        let text = m.encode();
        for line in [
            "trp_messages_consumed_total 1",
            "trp_decisions_total{outcome=\"approved\"} 1",
            "trp_dead_letters_total{reason=\"envelope.not_json\"} 1",
            "trp_duplicates_total 1",
            "trp_check_failures_total{code=\"eligibility.term\"} 1",
            "trp_notifications_total{channel=\"sms\",result=\"retry\"} 1",
            "trp_outbox_backlog 3",
            "trp_processing_seconds_count 1",
            "trp_signature_checks_total{method=\"eds\"} 1",
            "trp_reloads_total{result=\"error\"} 1",
            "trp_crl_next_update_timestamp_seconds{issuer=\"CN=TRP TEST INTERMEDIATE,C=KZ\"} 2426311738",
            "trp_deferred_applications 2",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
        }
    }
}
