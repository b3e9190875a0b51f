//! The forgery corpus (issue 16, item 3; docs/reliability.md): one table of forged
//! applications, each with the outcome it must get, run through the envelope and the
//! signature check exactly as the worker runs them. Every one is refused with its codes or
//! dead-lettered with its reason; none is approved. A few go through a whole worker too.
//!
//! RSA and P-256 come from the committed PKI (tests/pki/make.sh) and from certificates
//! made here with openssl (`openssl_pki`); GOST 34.10-2015 512 from `gost`.

use crate::support;

#[path = "forgery_corpus/cases.rs"]
mod cases;
#[path = "forgery_corpus/certificates.rs"]
mod certificates;
#[path = "forgery_corpus/edit.rs"]
mod edit;
#[path = "forgery_corpus/encodings.rs"]
mod encodings;
#[path = "forgery_corpus/gost.rs"]
mod gost;
#[path = "forgery_corpus/openssl_pki.rs"]
mod openssl_pki;
#[path = "forgery_corpus/signed_bytes.rs"]
mod signed_bytes;

use serde_json::json;
use time::OffsetDateTime;

use cases::{Corpus, Forgery, Outcome};
use support::db::document as sample_document;
use support::*;
use trp_worker::checks::signature::{self, SignatureInput};
use trp_worker::domain::envelope::Envelope;

/// The envelope size limit the worker runs with (`amqp.max_message_bytes`, shipped default).
fn max_message_bytes() -> usize {
    support::worker::settings(&[]).amqp.max_message_bytes
}

/// What the worker does with `body`: the envelope parsed under the size limit, then the
/// signature check (an IIN of `applicant_iin`, the sample's facts, now as the clock).
fn outcome(body: &[u8], trust: &signature::TrustStore, applicant_iin: &str) -> Outcome {
    let envelope = match Envelope::parse(body, max_message_bytes()) {
        Ok(envelope) => envelope,
        Err(e) => return Outcome::DeadLetter(e.reason),
    };
    let input = SignatureInput {
        envelope: &envelope,
        applicant_iin: Some(applicant_iin),
        facts: &facts(),
        now: OffsetDateTime::now_utc(),
    };
    let verdict = signature::check(&input, trust, &no_otp());
    if !verdict.is_decidable() {
        return Outcome::Waits;
    }
    match codes(&verdict.failures) {
        found if found.is_empty() => Outcome::Approved,
        found => Outcome::Refused(found),
    }
}

#[test]
fn every_forgery_gets_its_outcome_and_none_is_approved() {
    let corpus = Corpus::new();
    let cases = corpus.cases();
    let mut wrong = Vec::new();
    for case in &cases {
        let got = outcome(&case.body, corpus.trust(case.store), case.applicant_iin);
        assert_ne!(got, Outcome::Approved, "{} was approved", case.name);
        if got != case.expect {
            wrong.push(format!(
                "{}: expected {:?}, got {got:?}",
                case.name, case.expect
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    // Every kind the issue names has a case, and every expected outcome is a refusal or a
    // dead letter.
    for forgery in Forgery::ALL {
        assert!(
            cases.iter().any(|c| c.forgery == forgery),
            "no case of {forgery:?}"
        );
    }
    for case in &cases {
        assert!(
            matches!(&case.expect, Outcome::Refused(c) if !c.is_empty())
                || matches!(case.expect, Outcome::DeadLetter(_)),
            "{}",
            case.name
        );
    }
}

#[test]
fn the_genuine_signatures_the_forgeries_start_from_are_approved() {
    // The same harness approves the untouched signatures of every family and trust store,
    // so each forgery above is refused for what was forged, not for the harness.
    let corpus = Corpus::new();
    for case in corpus.genuine() {
        let got = outcome(&case.body, corpus.trust(case.store), case.applicant_iin);
        assert_eq!(got, Outcome::Approved, "{}", case.name);
    }
}

#[test]
fn the_check_itself_refuses_oversize_and_deeply_nested_input() {
    // The envelope keeps these out of the worker; `trp-worker signature` and replays call
    // the check directly, so it must refuse them too, without a panic or a stack overflow.
    let good = read("p256-detached.p7s");
    let huge = edit::signer_certificate(&good, |cert| {
        let extensions = cert.tbs_certificate.extensions.get_or_insert_with(Vec::new);
        extensions.push(edit::huge_extension(8 << 20));
    });
    assert!(huge.len() > 8 << 20);
    let found = codes(&failures(&huge, &document(), &trust()));
    assert_eq!(
        found,
        [trp_worker::domain::reason::ReasonCode::SignatureUntrusted]
    );
    for nested in [
        edit::nested_definite(100_000),
        edit::nested_indefinite(1_000_000),
    ] {
        let found = codes(&failures(&nested, &document(), &trust()));
        assert_eq!(
            found,
            [trp_worker::domain::reason::ReasonCode::SignatureInvalid]
        );
    }
}

/// Publishes, as the portal would: a tampered document, a signature under the impostor
/// intermediate, a CMS nested 100,000 deep, an oversize envelope and one nested too deep
/// to read, all over the contract's sample e-request.
async fn submit_forgeries(world: &support::worker::World) {
    let genuine = sample_document(|_| {});
    let mut tampered = support::worker::eds_envelope("TRP-FORGED-DOC", &genuine, "leaf-rsa");
    let forged = sample_document(|v| set(v, "employer/name", json!("TOO Forged")));
    tampered["document"] = json!(cases::b64(&forged));
    world.submit(&tampered).await;

    let pki = openssl_pki::OpensslPki::new();
    let cms = pki.sign("impostor-rsa", &genuine, &["impostor", "impostor-root"]);
    world
        .submit(&cases::envelope("TRP-FORGED-CA", &genuine, &cms))
        .await;

    let nested = edit::nested_indefinite(100_000);
    world
        .submit(&cases::envelope("TRP-FORGED-DEEP", &genuine, &nested))
        .await;

    let oversize = cases::oversize_envelope("TRP-FORGED-BIG", &genuine);
    world.submit(&oversize).await;
    let bomb = cases::nested_json_envelope("TRP-FORGED-JSON", &genuine);
    let id = uuid::Uuid::new_v4().to_string();
    world.broker.submit(&bomb, &id).await;
}

/// Through a whole worker: the tampered document, the impostor intermediate and the CMS
/// nested 100,000 deep are refused with their codes; the oversize envelope and the one
/// nested too deep to read are dead-lettered and decided never.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgeries_through_the_worker_are_refused_or_dead_lettered() {
    use support::amqp::{eventually, header};
    let world = support::worker::World::new().await;
    let replica = world.start().await;
    submit_forgeries(&world).await;

    for (id, code) in [
        ("TRP-FORGED-DOC", "signature.invalid"),
        ("TRP-FORGED-CA", "signature.untrusted"),
        ("TRP-FORGED-DEEP", "signature.invalid"),
    ] {
        let d = world.decision(id).await;
        assert_eq!(d["outcome"], "refused", "{id}: {d}");
        let reasons: Vec<_> = d["reasons"].as_array().unwrap().iter().collect();
        assert_eq!(reasons.len(), 1, "{id}: {d}");
        assert_eq!(reasons[0]["code"], code, "{id}: {d}");
    }
    let dlq = world.broker.names.dead_letter_queue.clone();
    let dead = eventually(std::time::Duration::from_secs(60), || async {
        world.broker.ready(&dlq).await >= 2
    });
    assert!(
        dead.await,
        "the oversize and the nested envelopes are dead-lettered"
    );
    let mut reasons = Vec::new();
    while let Some(got) = world.broker.take(&dlq).await {
        reasons.extend(header(&got.delivery.properties, "x-trp-reason"));
    }
    reasons.sort();
    assert_eq!(reasons, ["envelope.not_json", "envelope.too_large"]);
    let decided = "SELECT count(*) FROM decisions WHERE application_id LIKE 'TRP-FORGED-%' \
                   AND outcome = 'approved'";
    assert_eq!(world.db.count(decided).await, 0);
    let big = "SELECT count(*) FROM decisions WHERE application_id = 'TRP-FORGED-BIG'";
    assert_eq!(world.db.count(big).await, 0);
    replica.stop().await;
    world.cleanup().await;
}
