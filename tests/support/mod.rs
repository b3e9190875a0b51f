//! Shared by the pure integration tests: the sample application taken from the bytes of
//! an envelope to a decision, the way the worker takes it.
#![allow(dead_code)]

pub mod amqp;
pub mod db;
pub mod gost_cms;
pub mod gost_pki;
pub mod notify;
pub mod openssl;
pub mod pg_proxy;
pub mod pki;
pub mod smtp_node;
pub mod tcp_gate;
pub mod test_ca;
pub mod tls;
pub mod tsa;
pub mod worker;
#[allow(unused_imports)]
pub use pki::*;

use std::path::Path;

use serde_json::{json, Value};
use time::macros::datetime;

use trp_worker::checks::facts::Facts;
use trp_worker::checks::run;
use trp_worker::domain::calendar::Calendar;
use trp_worker::domain::decision::{decide, Decision};
use trp_worker::domain::envelope::Envelope;
use trp_worker::domain::reason::Failure;
use trp_worker::domain::request::ERequest;
use trp_worker::domain::rules::Rules;
use trp_worker::domain::sample;
use trp_worker::files;

pub fn config(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("config")
        .join(path)
}

pub fn calendar() -> Calendar {
    files::load_calendar_dir(&config("calendar")).expect("shipped calendar loads")
}

pub fn rules() -> Rules {
    files::load_rules(&config("rules.toml")).expect("shipped rules load")
}

/// Facts under which the sample is approved.
pub fn facts() -> Facts {
    Facts::sample()
}

#[allow(unused_imports)]
pub use trp_worker::domain::sample::set;

/// Decides an application whose document bytes are `document`, under `facts` and `rules`,
/// with what the signature check found given as `signature`.
pub fn decide_bytes(
    document: &[u8],
    signature: Vec<Failure>,
    facts: &Facts,
    rules: &Rules,
) -> Decision {
    let body = sample::envelope(
        "TRP-2026-000123",
        document,
        json!({"method": "eds", "cms": "MA=="}),
    );
    let envelope = Envelope::parse(&serde_json::to_vec(&body).unwrap(), 1 << 20).expect("envelope");
    let parsed = ERequest::parse(&envelope.document);
    let reports = run(
        signature,
        parsed.as_ref(),
        envelope.submitted_at.kz_date(),
        facts,
        rules,
    );
    decide(
        parsed.as_ref(),
        reports,
        envelope.submitted_at(),
        datetime!(2026-11-24 10:15:00.412 +5),
        &calendar(),
    )
    .expect("calendar covers 2026")
}

/// The sample and its approving facts with `change` applied to both, decided.
pub fn decide_sample(change: impl FnOnce(&mut Value, &mut Facts)) -> Decision {
    let (mut v, mut f) = (sample::request(), facts());
    change(&mut v, &mut f);
    decide_bytes(&serde_json::to_vec(&v).unwrap(), Vec::new(), &f, &rules())
}
