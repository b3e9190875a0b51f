//! The messages the worker really publishes match docs/asyncapi.yaml: each decision and
//! status event against its payload schema in docs/asyncapi/ and its AMQP properties and
//! routing key against the document's bindings; each dead letter's headers against theirs;
//! and the envelopes the tests publish as the portal against the consumed message's schema.

use crate::support;

use std::path::Path;
use std::time::Duration;

use jsonschema::Validator;
use lapin::message::BasicGetMessage;
use lapin::types::AMQPValue;
use serde_json::{json, Map, Value};

use support::db::document;
use support::set;
use support::worker::{eds_envelope, otp_envelope, World};

/// The JSON Schema `file` of docs/asyncapi/, compiled with format assertions on (dates,
/// date-times and UUIDs are checked, not just annotated).
fn schema(file: &str) -> Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/asyncapi")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("the schema file");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{file} is a valid JSON Schema: {e}"))
}

/// Every way `value` breaks `validator`, one line each; empty when it conforms.
fn violations(validator: &Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn assert_conforms(validator: &Validator, value: &Value, what: &str) {
    let found = violations(validator, value);
    assert!(
        found.is_empty(),
        "{what} breaks its schema: {found:#?}\n{value}"
    );
}

/// Takes every message on `queue` until `n` have come (60 s at most).
async fn take(world: &World, queue: &str, n: usize) -> Vec<BasicGetMessage> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while got.len() < n && tokio::time::Instant::now() < deadline {
        match world.broker.take(queue).await {
            Some(m) => got.push(m),
            None => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    assert!(got.len() >= n, "{} of {n} messages on {queue}", got.len());
    got
}

/// The AMQP properties and routing key that the document's bindings and the contract
/// (section 1) give every message the worker publishes.
fn assert_published_properties(
    m: &BasicGetMessage,
    body: &Value,
    routing_prefix: &str,
    field: &str,
) {
    let p = &m.delivery.properties;
    let message_id = p.message_id().as_ref().map(|s| s.to_string());
    assert_eq!(message_id.as_deref(), body["message_id"].as_str(), "{body}");
    assert_eq!(
        p.kind().as_ref().map(|s| s.to_string()).as_deref(),
        body["schema"].as_str(),
        "the AMQP type is the schema name"
    );
    assert_eq!(
        p.content_type().as_ref().map(|s| s.to_string()).as_deref(),
        Some("application/json")
    );
    assert_eq!(*p.delivery_mode(), Some(2), "persistent");
    assert!(p.timestamp().is_some(), "a timestamp");
    let key = format!("{routing_prefix}.{}", body[field].as_str().unwrap_or("?"));
    assert_eq!(m.delivery.routing_key.as_str(), key);
}

/// The dead letter's headers as the JSON object the headers schema describes.
fn headers_json(m: &BasicGetMessage) -> Value {
    let mut out = Map::new();
    if let Some(table) = m.delivery.properties.headers() {
        for (k, v) in table.inner() {
            let text = match v {
                AMQPValue::LongString(s) => json!(String::from_utf8_lossy(s.as_bytes())),
                AMQPValue::ShortString(s) => json!(s.as_str()),
                other => json!(format!("{other:?}")),
            };
            out.insert(k.to_string(), text);
        }
    }
    Value::Object(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_messages_match_the_asyncapi_document() {
    let (submitted, decision, status, dead) = (
        schema("application-submitted.v1.json"),
        schema("decision.v1.json"),
        schema("status.v1.json"),
        schema("dead-letter-headers.json"),
    );
    let world = World::new().await;
    let replica = world.start().await;
    let envelopes = [
        eds_envelope("TRP-AA-1", &document(|_| {}), "leaf-rsa"),
        otp_envelope(
            "TRP-AA-2",
            &document(|v| set(v, "permit/from", json!("2026-11-01"))),
        ),
        otp_envelope("TRP-AA-3", b"not json"),
    ];
    for envelope in &envelopes {
        let id = envelope["application_id"].as_str().unwrap_or("?");
        assert_conforms(&submitted, envelope, id);
        world.submit(envelope).await;
    }
    world.broker.submit(b"not json at all", "aa-not-json").await;

    let decisions = take(&world, &world.decisions, 3).await;
    let mut outcomes = Vec::new();
    for m in &decisions {
        let body: Value = serde_json::from_slice(&m.delivery.data).expect("JSON");
        assert_conforms(&decision, &body, "a decision");
        assert_published_properties(m, &body, "decision", "outcome");
        outcomes.push((body["application_id"].clone(), body["outcome"].clone()));
    }
    outcomes.sort_by_key(|(id, _)| id.to_string());
    assert_eq!(
        outcomes,
        [
            (json!("TRP-AA-1"), json!("approved")),
            (json!("TRP-AA-2"), json!("refused")),
            (json!("TRP-AA-3"), json!("refused")),
        ]
    );
    // received, then the outcome, for each of the three.
    for m in take(&world, &world.status, 6).await {
        let body: Value = serde_json::from_slice(&m.delivery.data).expect("JSON");
        assert_conforms(&status, &body, "a status event");
        assert_published_properties(&m, &body, "status", "state");
    }
    let dlq = world.broker.names.dead_letter_queue.clone();
    let letters = take(&world, &dlq, 1).await;
    let headers = headers_json(&letters[0]);
    assert_conforms(&dead, &headers, "a dead letter's headers");
    assert_eq!(headers["x-trp-reason"], "envelope.not_json");
    assert_eq!(letters[0].delivery.data, b"not json at all", "body intact");

    replica.stop().await;
    world.cleanup().await;
}

/// The schemas are not vacuous: what the contract forbids, they refuse.
#[test]
fn the_schemas_refuse_what_the_contract_forbids() {
    let decision = schema("decision.v1.json");
    let approved = json!({
        "schema": "trp.decision.v1",
        "message_id": "0b6f0c3e-4a55-4a1e-9d0e-5f3c2a7b9e11",
        "application_id": "TRP-2026-000123",
        "outcome": "approved",
        "decided_at": "2026-11-24T10:15:00.412+05:00",
        "due_at": "2026-11-25T18:00:00+05:00",
        "permit": { "number": "TRP-2026-0000001", "subspecies": "employment",
                    "valid_from": "2026-12-01", "valid_until": "2027-11-30" },
        "reasons": [],
        "checks": [
            { "name": "signature", "passed": true },
            { "name": "documents", "passed": true },
            { "name": "eligibility", "passed": true }
        ]
    });
    assert_conforms(&decision, &approved, "the contract's approval");
    let broken: [(&str, &str, Value); 5] = [
        (
            "an unknown reason code",
            "/reasons",
            json!([{ "code": "eligibility.mood",
            "ground": "non_compliance", "basis": "b", "detail": "d" }]),
        ),
        ("an approval without a permit", "/permit", Value::Null),
        ("a message id that is no UUID", "/message_id", json!("42")),
        (
            "a due time that is not 18:00 in Kazakhstan",
            "/due_at",
            json!("2026-11-25T12:00:00Z"),
        ),
        (
            "a field the contract does not have",
            "/iin",
            json!("900517310006"),
        ),
    ];
    for (what, pointer, value) in broken {
        let mut body = approved.clone();
        let field = pointer.trim_start_matches('/');
        body[field] = value;
        assert!(
            !violations(&decision, &body).is_empty(),
            "the decision schema takes {what}"
        );
    }
    let envelope = schema("application-submitted.v1.json");
    let bad_id = json!({
        "schema": "trp.application.submitted.v1",
        "message_id": "0b6f0c3e-4a55-4a1e-9d0e-5f3c2a7b9e11",
        "application_id": "TRP 2026/1",
        "submitted_at": "2026-11-24T10:15:00+05:00",
        "document": "e30=",
        "signature": { "method": "eds", "cms": "MA==" }
    });
    assert!(!violations(&envelope, &bad_id).is_empty());
}
