//! The signing time a decision used, recorded and explained: a stamped signature checked,
//! then decided and committed to a real PostgreSQL (`record_batch`); the signature check
//! stored with the decision and `explain` say which time it was and where it came from.

use crate::support;

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::json;
use support::db::{context, prepare_envelope, seed_sample_registries, TestDb};
use support::tsa::{self, RsaTsa, Token};
use support::*;
use time::macros::datetime;
use trp_worker::checks::signature::{check, SignatureInput, TrustStore};
use trp_worker::checks::Facts;
use trp_worker::domain::envelope::Envelope;
use trp_worker::store::commit::{record_batch, Recorded};
use trp_worker::store::explain;

fn our_tsa() -> &'static RsaTsa {
    static TSA: OnceLock<RsaTsa> = OnceLock::new();
    TSA.get_or_init(|| RsaTsa::new("RECORD TSA ROOT"))
}

fn trust() -> TrustStore {
    let tsa = our_tsa();
    trust_with_tsa(&tsa.anchors(), &[tsa.crl()], false)
}

/// Checks `cms` on the sample envelope (`application_id`), decides and commits it, and
/// returns the stored signature check and the `explain` text.
async fn record(db: &TestDb, application_id: &str, cms: &[u8]) -> (serde_json::Value, String) {
    let signature = json!({"method": "eds", "cms": B64.encode(cms)});
    let mut body: serde_json::Value = serde_json::from_str(&envelope_json(signature)).unwrap();
    body["application_id"] = json!(application_id);
    body["message_id"] = json!(uuid::Uuid::new_v4().to_string());
    let envelope = Envelope::parse(body.to_string().as_bytes(), 1 << 20).unwrap();
    let facts = Facts::default();
    let input = SignatureInput {
        envelope: &envelope,
        applicant_iin: Some(IIN),
        facts: &facts,
        now: SUBMITTED_AT,
    };
    let verdict = check(&input, &trust(), &no_otp());
    assert!(verdict.is_decidable());
    let signing_time = verdict.signing_time(&envelope);
    let mut item = prepare_envelope(db, envelope, verdict.failures).await;
    item.signing_time = signing_time;
    let (rules, calendar) = (rules(), calendar());
    let got = record_batch(&db.pool, &[item], &context(&rules, &calendar))
        .await
        .expect("recorded");
    // The fixtures' document is not a whole e-request: refused on documents, which is
    // beside the point here; the signature check is what is looked at.
    assert!(
        matches!(got.as_slice(), [Recorded::Decided { .. }]),
        "{got:?}"
    );
    let explained = explain::load(&db.pool, application_id)
        .await
        .unwrap()
        .expect("taken in");
    let checks = explained.decision.as_ref().unwrap().checks.clone();
    let mut text = Vec::new();
    explain::write_text(&explained, &mut text).unwrap();
    (checks[0].clone(), String::from_utf8(text).unwrap())
}

#[tokio::test]
async fn the_decision_and_explain_name_the_time_used_and_its_source() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let cms = read("rsa-detached.p7s");
    let gen_time = datetime!(2026-11-24 05:00 UTC);
    let token = Token::sha256(&tsa::signature_value(&cms), gen_time);
    let stamped = tsa::stamp(&cms, &[tsa::token(&our_tsa().signer("tsa"), &token)]);

    let (check, text) = record(&db, "TRP-TS-1", &stamped).await;
    assert_eq!(
        (&check["name"], &check["passed"]),
        (&json!("signature"), &json!(true))
    );
    assert_eq!(
        check["signing_time"],
        json!({"at": "2026-11-24T05:00:00Z", "source": "timestamp", "tsa": "CN=TEST TSA,C=KZ"})
    );
    assert!(
        text.contains(
            "signing time 2026-11-24T05:00:00Z (genTime of a time-stamp token by TSA \"CN=TEST TSA,C=KZ\")"
        ),
        "{text}"
    );

    let (check, text) = record(&db, "TRP-TS-2", &cms).await;
    assert_eq!(
        check["signing_time"],
        json!({"at": "2026-11-24T10:15:00+05:00", "source": "submitted_at"})
    );
    assert!(
        text.contains("signing time 2026-11-24T10:15:00+05:00 (submitted_at: no time-stamp token)"),
        "{text}"
    );
    db.drop().await;
}
