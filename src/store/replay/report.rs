//! The replay set beside the stored decision: both sides in one shape ([`Side`]) and what
//! changed ([`Changes`]). The registry facts are shown as what they mean for the checks
//! (registered or not, how many), never as their values: they are personal data.

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::Today;
use crate::checks::signature::CrlGap;
use crate::checks::Facts;
use crate::domain::decision::Decision;
use crate::domain::messages::kz_rfc3339;
use crate::store::commit::json;

/// What the decision row stored.
pub(super) struct Stored {
    pub outcome: String,
    pub due_at: OffsetDateTime,
    pub reasons: Value,
    pub checks: Value,
    pub facts: Value,
    pub rules_version: String,
    pub calendar_version: String,
    pub trust_version: Option<String>,
}

/// `explain --replay`: the stored decision and today's, and what changed.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    pub application_id: String,
    pub replayed_at: String,
    /// `false` for an application taken in before the envelope's signature was kept
    /// (migration 0006): the stored signature verdict stands in for today's.
    pub signature_replayed: bool,
    /// Anything changed: the decision, a version or a registry fact.
    pub differs: bool,
    /// Today's outcome, reasons and `due_at` are the stored ones.
    pub same_decision: bool,
    pub changes: Changes,
    pub stored: Side,
    pub today: Side,
}

/// One decision: stored, or as today's files and registries give it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Side {
    /// `approved` or `refused`; `null` today when the application would wait for a fresh
    /// CRL (then `waiting_for` names the CAs).
    pub outcome: Option<String>,
    pub waiting_for: Vec<String>,
    pub due_at: Option<String>,
    pub reasons: Vec<ReasonView>,
    pub checks: Vec<CheckView>,
    pub versions: Versions,
    pub facts: FactsView,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReasonView {
    pub code: String,
    pub ground: String,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CheckView {
    pub name: String,
    pub passed: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Versions {
    pub rules: String,
    pub calendar: String,
    /// The trust anchors and CRLs; `null` when the decision did not record it.
    pub trust: Option<String>,
}

/// The registry facts as the checks read them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FactsView {
    pub fingerprint_registered: bool,
    /// Rows of the invalid-documents registry sharing a kind and a number or digest with
    /// the application (the documents check decides which match).
    pub invalid_documents: usize,
    pub household_permits_held: u64,
    /// Whom the OTP phone is registered to: `applicant`, `other`, or `none` (not
    /// registered, or not asked: an EDS signature).
    pub phone_holder: &'static str,
}

/// What differs between the two sides. Reasons compare by code.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Changes {
    pub outcome: bool,
    pub reasons_added: Vec<String>,
    pub reasons_removed: Vec<String>,
    pub due_at: bool,
    pub rules: bool,
    pub calendar: bool,
    pub trust: bool,
    /// The facts whose registry rows differ: `fingerprint`, `invalid_documents`,
    /// `household_permits_held`, `phone_holder_iin` (a different value may mean the same).
    pub facts: Vec<String>,
}

impl Changes {
    fn decision(&self) -> bool {
        self.outcome
            || !self.reasons_added.is_empty()
            || !self.reasons_removed.is_empty()
            || self.due_at
    }

    fn any(&self) -> bool {
        self.decision() || self.rules || self.calendar || self.trust || !self.facts.is_empty()
    }
}

pub(super) fn compare(
    application_id: &str,
    stored: Stored,
    today: Result<Decision, Vec<CrlGap>>,
    facts: &Facts,
    applicant_iin: Option<&str>,
    config: &Today<'_>,
    signature_replayed: bool,
) -> Replay {
    let today_facts = json::facts(facts);
    let versions = Versions {
        rules: config.snapshot.rules.version.clone(),
        calendar: config.snapshot.calendar.version(),
        trust: Some(config.snapshot.trust_version.clone()),
    };
    let today = match today {
        Ok(d) => Side {
            outcome: Some(d.outcome.as_str().to_owned()),
            waiting_for: Vec::new(),
            due_at: Some(kz_rfc3339(d.due_at)),
            reasons: reasons(&serde_json::to_value(&d.reasons).unwrap_or_default()),
            checks: d
                .checks
                .iter()
                .map(|c| CheckView {
                    name: c.name.as_str().to_owned(),
                    passed: c.passed(),
                })
                .collect(),
            versions,
            facts: facts_view(&today_facts, applicant_iin),
        },
        Err(gaps) => Side {
            outcome: None,
            waiting_for: gaps.iter().map(|g| g.issuer.clone()).collect(),
            due_at: None,
            reasons: Vec::new(),
            checks: Vec::new(),
            versions,
            facts: facts_view(&today_facts, applicant_iin),
        },
    };
    let stored_side = Side {
        outcome: Some(stored.outcome),
        waiting_for: Vec::new(),
        due_at: Some(kz_rfc3339(stored.due_at)),
        reasons: reasons(&stored.reasons),
        checks: checks(&stored.checks),
        versions: Versions {
            rules: stored.rules_version,
            calendar: stored.calendar_version,
            trust: stored.trust_version,
        },
        facts: facts_view(&stored.facts, applicant_iin),
    };
    let codes = |s: &Side| s.reasons.iter().map(|r| r.code.clone()).collect::<Vec<_>>();
    let (was, now) = (codes(&stored_side), codes(&today));
    let changes = Changes {
        outcome: stored_side.outcome != today.outcome,
        reasons_added: now.iter().filter(|c| !was.contains(c)).cloned().collect(),
        reasons_removed: was.iter().filter(|c| !now.contains(c)).cloned().collect(),
        due_at: today.due_at.is_some() && stored_side.due_at != today.due_at,
        rules: stored_side.versions.rules != today.versions.rules,
        calendar: stored_side.versions.calendar != today.versions.calendar,
        trust: stored_side.versions.trust != today.versions.trust,
        facts: [
            "fingerprint",
            "invalid_documents",
            "household_permits_held",
            "phone_holder_iin",
        ]
        .into_iter()
        .filter(|k| stored.facts[k] != today_facts[k])
        .map(str::to_owned)
        .collect(),
    };
    Replay {
        application_id: application_id.to_owned(),
        replayed_at: kz_rfc3339(
            config
                .now
                .replace_millisecond(config.now.millisecond())
                .unwrap_or(config.now),
        ),
        signature_replayed,
        differs: changes.any(),
        same_decision: !changes.decision(),
        changes,
        stored: stored_side,
        today,
    }
}

fn reasons(v: &Value) -> Vec<ReasonView> {
    let text = |r: &Value, k: &str| r[k].as_str().unwrap_or_default().to_owned();
    v.as_array()
        .into_iter()
        .flatten()
        .map(|r| ReasonView {
            code: text(r, "code"),
            ground: text(r, "ground"),
            detail: text(r, "detail"),
        })
        .collect()
}

fn checks(v: &Value) -> Vec<CheckView> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|c| CheckView {
            name: c["name"].as_str().unwrap_or("?").to_owned(),
            passed: c["passed"].as_bool().unwrap_or(false),
        })
        .collect()
}

fn facts_view(facts: &Value, applicant_iin: Option<&str>) -> FactsView {
    FactsView {
        fingerprint_registered: !facts["fingerprint"].is_null(),
        invalid_documents: facts["invalid_documents"].as_array().map_or(0, Vec::len),
        household_permits_held: facts["household_permits_held"].as_u64().unwrap_or(0),
        phone_holder: match facts["phone_holder_iin"].as_str() {
            None => "none",
            Some(holder) if Some(holder) == applicant_iin => "applicant",
            Some(_) => "other",
        },
    }
}

/// The replay as an operator reads it: the two sides in columns, then the reasons of each,
/// then one line of what changed.
pub fn write_text(r: &Replay, out: &mut impl std::io::Write) -> std::io::Result<()> {
    writeln!(
        out,
        "application {} replayed under today's files and registries at {}",
        r.application_id, r.replayed_at
    )?;
    let row = |out: &mut dyn std::io::Write, name: &str, was: &str, now: &str| {
        writeln!(out, "  {name:<12} {was:<34} {now}")
    };
    let (s, t) = (&r.stored, &r.today);
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    row(out, "", "stored", "today")?;
    let today_outcome = match &t.outcome {
        Some(o) => o.clone(),
        None => format!("waits for a fresh CRL of {}", t.waiting_for.join("; ")),
    };
    row(out, "outcome", &or_dash(&s.outcome), &today_outcome)?;
    row(out, "due", &or_dash(&s.due_at), &or_dash(&t.due_at))?;
    for check in &s.checks {
        let now = t.checks.iter().find(|c| c.name == check.name);
        let word = |passed: bool| if passed { "passed" } else { "failed" };
        row(
            out,
            &check.name,
            word(check.passed),
            now.map_or("-", |c| word(c.passed)),
        )?;
    }
    // Versions can be long (the trust version is a SHA-256): the stored one, then today's
    // as `same` or the new one, each on a line of its own.
    let versions = [
        ("rules", Some(&s.versions.rules), Some(&t.versions.rules)),
        (
            "calendar",
            Some(&s.versions.calendar),
            Some(&t.versions.calendar),
        ),
        (
            "trust",
            s.versions.trust.as_ref(),
            t.versions.trust.as_ref(),
        ),
    ];
    for (name, was, now) in versions {
        let was = was.map_or("-", String::as_str);
        let now = now.map_or("-", String::as_str);
        writeln!(out, "  {name:<12} stored {was}")?;
        writeln!(
            out,
            "  {:<12} today  {}",
            "",
            if was == now { "same" } else { now }
        )?;
    }
    let facts = |f: &FactsView| {
        format!(
            "fingerprints {}, invalid-doc rows {}, household {}, phone {}",
            if f.fingerprint_registered {
                "yes"
            } else {
                "no"
            },
            f.invalid_documents,
            f.household_permits_held,
            f.phone_holder
        )
    };
    writeln!(out, "  facts stored {}", facts(&s.facts))?;
    writeln!(out, "  facts today  {}", facts(&t.facts))?;
    for (label, side) in [("stored", s), ("today", t)] {
        writeln!(out, "reasons {label}")?;
        if side.reasons.is_empty() {
            writeln!(out, "  (none)")?;
        }
        for reason in &side.reasons {
            writeln!(
                out,
                "  {} ({}): {}",
                reason.code, reason.ground, reason.detail
            )?;
        }
    }
    if !r.signature_replayed {
        writeln!(
            out,
            "signature not replayed: taken in before the envelope's signature was kept; its stored verdict stands"
        )?;
    }
    writeln!(out, "{}", changed_line(r))
}

fn changed_line(r: &Replay) -> String {
    if !r.differs {
        return "no difference: today's files and registries give the stored decision".into();
    }
    let c = &r.changes;
    let mut parts = Vec::new();
    if c.outcome {
        parts.push("outcome".to_owned());
    }
    let mut reasons: Vec<String> = Vec::new();
    reasons.extend(c.reasons_added.iter().map(|code| format!("+{code}")));
    reasons.extend(c.reasons_removed.iter().map(|code| format!("-{code}")));
    if !reasons.is_empty() {
        parts.push(format!("reasons {}", reasons.join(" ")));
    }
    for (changed, name) in [
        (c.due_at, "due time"),
        (c.rules, "rules"),
        (c.calendar, "calendar"),
        (c.trust, "trust anchors and CRLs"),
    ] {
        if changed {
            parts.push(name.to_owned());
        }
    }
    if !c.facts.is_empty() {
        parts.push(format!("registry facts ({})", c.facts.join(", ")));
    }
    format!("changed: {}", parts.join("; "))
}
