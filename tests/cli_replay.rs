//! `trp-worker explain <id> --replay` through the binary (contract section 9): applications
//! decided by a real worker, then replayed under changed rules, a new CRL, or nothing
//! changed. Nothing is written by a replay.

use crate::support;

use std::process::{Command, Output};

use serde_json::{json, Value};

use support::db::document;
use support::set;
use support::test_ca::TestCa;
use support::worker::{otp_envelope, World};

/// The settings the worker ran with: this world's, with the CA's files.
fn env(world: &World, ca: &TestCa) -> Vec<(String, String)> {
    let mut env = world.env();
    let crls = format!(
        "{},{}",
        ca.path("intermediate.crl").display(),
        ca.path("root.crl").display()
    );
    env.retain(|(k, _)| k != "TRP__SIGNATURE__TRUST_ANCHORS" && k != "TRP__SIGNATURE__CRLS");
    env.push(("TRP__SIGNATURE__TRUST_ANCHORS".into(), ca.anchors()));
    env.push(("TRP__SIGNATURE__CRLS".into(), crls));
    env
}

/// Decides `envelopes` with one replica of `world` under `env`, then stops it.
async fn decide(world: &World, env: &[(String, String)], envelopes: &[Value]) {
    let extra: Vec<(&str, String)> = env
        .iter()
        .filter(|(k, _)| k.starts_with("TRP__SIGNATURE__"))
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let replica = world.start_with(&extra).await;
    for envelope in envelopes {
        world.submit(envelope).await;
    }
    for envelope in envelopes {
        world
            .decision(envelope["application_id"].as_str().unwrap())
            .await;
    }
    replica.stop().await;
}

fn worker(args: &[&str], env: &[(String, String)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trp-worker"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("the binary runs")
}

fn replay(env: &[(String, String)], id: &str) -> Value {
    let out = worker(&["explain", id, "--replay", "--json"], env);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

async fn rows_written(world: &World) -> i64 {
    world
        .db
        .count(
            "SELECT (SELECT count(*) FROM decisions) + (SELECT count(*) FROM outbox)
                  + (SELECT count(*) FROM notifications) + (SELECT count(*) FROM permits)",
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_world_shows_no_difference() {
    let (world, ca) = (World::new().await, TestCa::with_fresh_crls());
    let env = env(&world, &ca);
    let eds = ca.envelope("TRP-RP-EDS", &document(|_| {}), "leaf-a");
    let term = document(|v| set(v, "permit/from", json!("2026-11-01")));
    let refused = otp_envelope("TRP-RP-OTP", &term);
    decide(&world, &env, &[eds, refused]).await;
    let before = rows_written(&world).await;

    for (id, outcome) in [("TRP-RP-EDS", "approved"), ("TRP-RP-OTP", "refused")] {
        let r = replay(&env, id);
        assert_eq!(r["differs"], false, "{id}: {r:#}");
        assert_eq!(r["same_decision"], true, "{id}");
        assert_eq!(r["signature_replayed"], true, "{id}");
        assert_eq!(r["stored"]["outcome"], outcome, "{id}");
        assert_eq!(r["today"], r["stored"], "{id}");
    }
    let text = worker(&["explain", "TRP-RP-OTP", "--replay"], &env);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("no difference"), "{text}");
    assert!(text.contains("eligibility.term"), "{text}");
    assert!(
        !text.contains("77011234567") && !text.contains("900517310006"),
        "no personal data:\n{text}"
    );
    assert_eq!(
        rows_written(&world).await,
        before,
        "a replay writes nothing"
    );
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rules_change_that_turns_a_refusal_into_an_approval_shows_exactly_that() {
    let (world, ca) = (World::new().await, TestCa::with_fresh_crls());
    let env = env(&world, &ca);
    // Medical treatment: six months at most under the shipped rules; this asks for a year.
    let long = document(|v| {
        set(v, "subspecies", json!("medical_treatment"));
        v.as_object_mut().unwrap().remove("employer");
        v["documents"][2] = json!({"kind": "clinic_invitation", "sha256": "ab".repeat(32)});
    });
    decide(&world, &env, &[otp_envelope("TRP-RP-MED", &long)]).await;

    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(support::config("rules.toml")).unwrap();
    let version = shipped.lines().find(|l| l.starts_with("version")).unwrap();
    let order = shipped
        .replace(version, "version = \"2027-01-10.1\"")
        .replace(
            "[subspecies.medical_treatment]",
            "[subspecies.medical_treatment]\n# A ministry order of 2027 allows a year.",
        );
    let order = replace_in_section(
        &order,
        "[subspecies.medical_treatment]",
        "max_term_months = 6",
        "max_term_months = 12",
    );
    let rules = dir.path().join("rules.toml");
    std::fs::write(&rules, order).unwrap();
    let mut today = env.clone();
    today.push(("TRP__RULES__FILE".into(), rules.display().to_string()));

    let r = replay(&today, "TRP-RP-MED");
    assert_eq!(r["stored"]["outcome"], "refused", "{r:#}");
    assert_eq!(r["today"]["outcome"], "approved", "{r:#}");
    assert_eq!(
        r["changes"],
        json!({
            "outcome": true,
            "reasons_added": [],
            "reasons_removed": ["eligibility.term"],
            "due_at": false,
            "rules": true,
            "calendar": false,
            "trust": false,
            "facts": [],
        })
    );
    assert_eq!(r["stored"]["versions"]["rules"], "2026-11-25.1");
    assert_eq!(r["today"]["versions"]["rules"], "2027-01-10.1");
    assert_eq!(r["today"]["reasons"], json!([]));
    assert_eq!(r["differs"], true);
    world.cleanup().await;
}

/// `text` with `from` replaced by `to` in the first place after `section`.
fn replace_in_section(text: &str, section: &str, from: &str, to: &str) -> String {
    let at = text.find(section).expect("the section");
    let (head, tail) = text.split_at(at);
    format!("{head}{}", tail.replacen(from, to, 1))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newly_revoked_certificate_shows_as_signature_revoked_today() {
    let (world, ca) = (World::new().await, TestCa::with_fresh_crls());
    let env = env(&world, &ca);
    decide(
        &world,
        &env,
        &[ca.envelope("TRP-RP-REV", &document(|_| {}), "leaf-a")],
    )
    .await;
    ca.revoke_and_publish("leaf-a");

    let r = replay(&env, "TRP-RP-REV");
    assert_eq!(r["stored"]["outcome"], "approved", "{r:#}");
    assert_eq!(r["today"]["outcome"], "refused", "{r:#}");
    assert_eq!(r["today"]["reasons"][0]["code"], "signature.revoked");
    assert_eq!(r["changes"]["reasons_added"], json!(["signature.revoked"]));
    assert_eq!(r["changes"]["reasons_removed"], json!([]));
    assert_eq!(
        r["changes"]["trust"], true,
        "a new CRL is a new trust version"
    );
    assert_eq!(r["changes"]["rules"], false);
    let signature = |side: &str| r[side]["checks"][0].clone();
    assert_eq!(
        signature("stored"),
        json!({"name": "signature", "passed": true})
    );
    assert_eq!(
        signature("today"),
        json!({"name": "signature", "passed": false})
    );
    world.cleanup().await;
}
