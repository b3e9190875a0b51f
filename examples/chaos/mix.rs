//! The chaos load: the pipeline benchmark's mix (40 % GOST 2015-512 EDS, 20 % RSA EDS, 10 %
//! P-256 EDS, 30 % OTP; one in ten refused for a permit term that starts before submission)
//! with one application in seven for household work, spread over [`EMPLOYERS`] household
//! employers (so each holds far more applications than its quota of five), and one designed
//! dead letter (a body that is no envelope) every [`POISON_EVERY`] applications.

use std::collections::HashMap;

use anyhow::bail;
use lapin::options::BasicPublishOptions;
use lapin::{BasicProperties, Channel, PublisherConfirm};
use serde_json::{json, Value};
use trp_worker::domain::iin::check_digit;
use trp_worker::domain::sample;

use crate::signing::Signing;

pub use crate::signing::Signer as Kind;

/// Household employers; every application for household work names one of them.
pub const EMPLOYERS: usize = 4;
/// One poison message (dead-lettered by design) per this many applications.
pub const POISON_EVERY: usize = 500;

/// What an application is to get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Plan {
    Approved,
    /// Refused for `eligibility.term` alone.
    RefusedTerm,
    /// Household work for employer `e`: approved while the employer holds fewer than five
    /// valid household permits, else refused for `eligibility.household_quota` alone.
    Household(usize),
}

/// Application `i`'s signature kind and plan.
pub fn plan(i: usize) -> (Kind, Plan) {
    let kind = Kind::CYCLE[i % 10];
    if i % 7 == 3 {
        return (kind, Plan::Household((i / 7) % EMPLOYERS));
    }
    let refused = (i / 10) % 10 == i % 10;
    (
        kind,
        if refused {
            Plan::RefusedTerm
        } else {
            Plan::Approved
        },
    )
}

/// The BIN of household employer `e`: eleven digits and their check digit.
pub fn employer_bin(e: usize) -> String {
    (0..100)
        .find_map(|k| {
            let first = format!("{:011}", 18_024_000_000u64 + (e as u64) * 100 + k);
            let digits: [u8; 11] = first
                .bytes()
                .map(|b| b - b'0')
                .collect::<Vec<_>>()
                .try_into()
                .ok()?;
            Some(format!("{first}{}", check_digit(&digits)?))
        })
        .expect("some BIN of a hundred has a check digit")
}

/// Documents and their signatures, made once: per kind and plan.
pub struct Mix {
    signed: HashMap<(&'static str, Plan), (Vec<u8>, Value)>,
}

pub struct Envelope {
    pub application_id: String,
    pub plan: Plan,
    pub message_id: String,
    pub bytes: Vec<u8>,
}

impl Mix {
    pub fn new(signing: &Signing) -> anyhow::Result<Self> {
        let trust = signing.trust_store()?;
        let mut plans = vec![Plan::Approved, Plan::RefusedTerm];
        plans.extend((0..EMPLOYERS).map(Plan::Household));
        let mut signed = HashMap::new();
        for plan in plans {
            let mut request = sample::request();
            match plan {
                Plan::Approved => {}
                Plan::RefusedTerm => request["permit"]["from"] = json!("2026-01-01"),
                Plan::Household(e) => {
                    request["employer"]["household"] = json!(true);
                    request["employer"]["bin"] = json!(employer_bin(e));
                    request["employer"]["name"] = json!(format!("Household {e}"));
                }
            }
            let document = serde_json::to_vec(&request)?;
            for kind in Kind::ALL {
                let signature = signing.sign(kind, &trust, &document)?;
                signed.insert((kind.label(), plan), (document.clone(), signature));
            }
        }
        Ok(Self { signed })
    }

    pub fn envelope(&self, prefix: &str, i: usize) -> Envelope {
        let (kind, plan) = plan(i);
        let (document, signature) = &self.signed[&(kind.label(), plan)];
        let application_id = format!("{prefix}-{i:07}");
        let body = sample::envelope(&application_id, document, signature.clone());
        let message_id = body["message_id"].as_str().unwrap_or_default().to_owned();
        Envelope {
            application_id,
            plan,
            message_id,
            bytes: serde_json::to_vec(&body).expect("JSON"),
        }
    }
}

/// The body of designed dead letter `k`: not JSON, so the worker dead-letters it.
pub fn poison(k: usize) -> Vec<u8> {
    format!("chaos poison {k}: not an envelope").into_bytes()
}

async fn send(
    channel: &Channel,
    exchange: &str,
    message_id: &str,
    bytes: &[u8],
) -> anyhow::Result<PublisherConfirm> {
    let properties = BasicProperties::default()
        .with_message_id(message_id.into())
        .with_content_type("application/json".into())
        .with_delivery_mode(2);
    Ok(channel
        .basic_publish(
            exchange.into(),
            "application.submitted".into(),
            BasicPublishOptions::default(),
            bytes,
            properties,
        )
        .await?)
}

/// What was published: each application's plan, and the designed dead letters' bodies.
pub struct Published {
    pub plans: HashMap<String, Plan>,
    pub poison: Vec<Vec<u8>>,
}

/// Publishes applications `0..n` and the poison among them, with confirms (at most 512
/// unconfirmed at a time).
pub async fn publish(
    channel: &Channel,
    exchange: &str,
    mix: &Mix,
    prefix: &str,
    n: usize,
) -> anyhow::Result<Published> {
    let mut published = Published {
        plans: HashMap::with_capacity(n),
        poison: Vec::new(),
    };
    let mut pending = std::collections::VecDeque::new();
    for i in 0..n {
        let e = mix.envelope(prefix, i);
        pending.push_back(send(channel, exchange, &e.message_id, &e.bytes).await?);
        published.plans.insert(e.application_id, e.plan);
        if i % POISON_EVERY == POISON_EVERY / 2 || (n < POISON_EVERY && i == n / 2) {
            let k = published.poison.len();
            let body = poison(k);
            let id = format!("{prefix}-poison-{k}");
            pending.push_back(send(channel, exchange, &id, &body).await?);
            published.poison.push(body);
        }
        while pending.len() >= 512 {
            confirmed(pending.pop_front().expect("not empty")).await?;
        }
    }
    for confirm in pending {
        confirmed(confirm).await?;
    }
    Ok(published)
}

async fn confirmed(confirm: PublisherConfirm) -> anyhow::Result<()> {
    if !confirm.await?.is_ack() {
        bail!("the broker refused a message (nack)");
    }
    Ok(())
}
