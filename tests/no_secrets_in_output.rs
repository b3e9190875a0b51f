//! Nothing secret or personal in what the worker writes (issue 16, item 4; STYLE: secrets and
//! personal data never reach logs or metrics): two replicas of the real binary, one logging
//! text and one JSON, our own crate at `debug`, take approvals and refusals (OTP and EDS),
//! envelopes that are dead-lettered, an SMS gateway answering 503, a mail server that is
//! down and then asks for a login, and a database and a broker that go away and come back.
//! Then everything they wrote to stdout and stderr, and their `/metrics`, is searched for the
//! OTP key, the SMS token, the SMTP and database passwords (as given, and in the encodings
//! they travel in) and every IIN, phone, e-mail address, name and passport number used.

use crate::support;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Child;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};
use uuid::Uuid;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use support::amqp::eventually;
use support::db::document;
use support::set;
use support::smtp_node::node_smtp;
use support::tcp_gate::TcpGate;
use support::worker::{
    eds_envelope, free_port, http_get, otp_envelope, signal, spawn_binary, World, OTP_KEY,
};

/// One applicant of the run: what identifies them, all of it searched for afterwards.
struct Person {
    id: &'static str,
    surname: &'static str,
    given_name: &'static str,
    email: String,
}

impl Person {
    fn new(id: &'static str, surname: &'static str, given_name: &'static str) -> Self {
        let email = format!(
            "{}.{}@example.org",
            given_name.to_lowercase(),
            Uuid::new_v4().simple()
        );
        Person {
            id,
            surname,
            given_name,
            email,
        }
    }

    /// The sample e-request as this person's, with `change` applied.
    fn document(&self, change: impl FnOnce(&mut Value)) -> Vec<u8> {
        document(|v| {
            set(v, "applicant/surname", json!(self.surname));
            set(v, "applicant/given_name", json!(self.given_name));
            set(v, "applicant/patronymic", json!("ERKINOVICH"));
            set(v, "applicant/contacts/email", json!(self.email));
            change(v);
        })
    }
}

/// The sample's IIN, phone and passport number: every person of the run has them (the test
/// PKI's certificates and the sample registries carry this IIN and phone).
const IIN: &str = "900517310006";
const PHONE: &str = "77011234567";
const PASSPORT: &str = "FA1234567";

/// A replica of the real binary writing stdout and stderr to `out`, /metrics on `port`.
fn replica(env: &[(String, String)], port: u16, format: &str, filter: &str, out: &Path) -> Child {
    let mut env = env.to_vec();
    env.extend([
        ("TRP__HTTP__PORT".to_owned(), port.to_string()),
        ("TRP__LOG__FORMAT".to_owned(), format.to_owned()),
        ("TRP__LOG__FILTER".to_owned(), filter.to_owned()),
    ]);
    spawn_binary(&env, out)
}

async fn stop(mut child: Child) {
    signal(&child, "TERM");
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0), "a replica stops cleanly on SIGTERM");
}

async fn count(world: &World, sql: &str) -> i64 {
    world.db.count(sql).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_and_no_personal_data_in_stdout_stderr_or_metrics() {
    let world = World::new().await;
    let b64 = base64::engine::general_purpose::STANDARD;
    let sms_token = format!("sms-token-{}", Uuid::new_v4().simple());
    let (smtp_user, smtp_password) = ("trp-mailer", format!("smtp-pw-{}", Uuid::new_v4().simple()));
    let db_password = format!("db-pw-{}", Uuid::new_v4().simple());

    // The SMS gateway: three 503s first, then it takes every message with our token.
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sms"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(3)
        .with_priority(1)
        .mount(&gateway)
        .await;
    Mock::given(method("POST"))
        .and(path("/sms"))
        .and(header(
            "Authorization",
            format!("Bearer {sms_token}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&gateway)
        .await;

    // The mail server asks for our login; it is down (its gate shut) until the decisions.
    let mail = tempfile::tempdir().unwrap();
    let (_smtp, smtp_port) = node_smtp(
        "smtp_auth.js",
        &[
            smtp_user.as_ref(),
            smtp_password.as_ref(),
            mail.path().as_os_str(),
        ],
    )
    .await;
    let smtp_gate = TcpGate::start(SocketAddr::from(([127, 0, 0, 1], smtp_port))).await;
    smtp_gate.shut();
    // The database and the broker, each behind a gate of its own.
    let db_gate = TcpGate::start(SocketAddr::from(([127, 0, 0, 1], 5432))).await;
    let amqp_gate = TcpGate::start(SocketAddr::from(([127, 0, 0, 1], 5672))).await;

    let env = world.env_with(&[
        ("TRP__DATABASE__URL", db_gate.postgres_url(&world.db.url)),
        ("TRP__DATABASE__PASSWORD", db_password.clone()),
        (
            "TRP__AMQP__URL",
            format!("amqp://guest:guest@127.0.0.1:{}/%2f", amqp_gate.port),
        ),
        ("TRP__SMS__URL", format!("{}/sms", gateway.uri())),
        ("TRP__SMS__TOKEN", sms_token.clone()),
        ("TRP__SMTP__HOST", "127.0.0.1".into()),
        ("TRP__SMTP__PORT", smtp_gate.port.to_string()),
        ("TRP__SMTP__TLS", "none".into()),
        ("TRP__SMTP__USERNAME", smtp_user.into()),
        ("TRP__SMTP__PASSWORD", smtp_password.clone()),
        ("TRP__NOTIFICATIONS__RETRY_BASE_S", "1".into()),
        ("TRP__NOTIFICATIONS__RETRY_MAX_S", "2".into()),
    ]);

    let out = tempfile::tempdir().unwrap();
    let ports = [free_port(), free_port()];
    let outputs = [out.path().join("text.log"), out.path().join("json.log")];
    let replicas = [
        replica(&env, ports[0], "text", "trace", &outputs[0]),
        replica(&env, ports[1], "json", "info", &outputs[1]),
    ];

    let people = [
        Person::new("TRP-SEC-1", "ZHUMABEKOVA", "SAULE"),
        Person::new("TRP-SEC-2", "NURLANOV", "TIMUR"),
        Person::new("TRP-SEC-3", "ABDULLAEV", "RUSTAM"),
        Person::new("TRP-SEC-4", "PETROVA", "ALINA"),
    ];
    // An OTP approval and an RSA EDS approval.
    world
        .submit(&otp_envelope(people[0].id, &people[0].document(|_| {})))
        .await;
    world
        .submit(&eds_envelope(
            people[1].id,
            &people[1].document(|_| {}),
            "leaf-rsa",
        ))
        .await;
    assert_eq!(world.decision(people[0].id).await["outcome"], "approved");
    assert_eq!(world.decision(people[1].id).await["outcome"], "approved");

    // The database goes away for a while, then the broker.
    db_gate.shut();
    tokio::time::sleep(Duration::from_secs(3)).await;
    db_gate.open();
    amqp_gate.shut();
    tokio::time::sleep(Duration::from_secs(3)).await;
    amqp_gate.open();

    // Two refusals: a term longer than the contract allows, a revoked certificate.
    world
        .submit(&otp_envelope(
            people[2].id,
            &people[2].document(|v| set(v, "permit/until", json!("2029-11-30"))),
        ))
        .await;
    world
        .submit(&eds_envelope(
            people[3].id,
            &people[3].document(|_| {}),
            "leaf-revoked",
        ))
        .await;
    // Two envelopes dead-lettered, each full of personal data: not JSON, and JSON whose
    // document is not base64.
    let not_json = format!(
        "iin={IIN} phone=+{PHONE} name={} {} email={}",
        people[0].surname, people[0].given_name, people[0].email
    );
    world
        .broker
        .submit(not_json.as_bytes(), &Uuid::new_v4().to_string())
        .await;
    let mut bad = otp_envelope("TRP-SEC-5", &people[1].document(|_| {}));
    bad["document"] = json!(format!("{IIN} {} {}", people[1].surname, people[1].email));
    world
        .broker
        .submit(
            &serde_json::to_vec(&bad).unwrap(),
            bad["message_id"].as_str().unwrap(),
        )
        .await;

    let refused = world.decision(people[2].id).await;
    assert_eq!(refused["outcome"], "refused", "{refused}");
    let revoked = world.decision(people[3].id).await;
    assert_eq!(revoked["outcome"], "refused", "{revoked}");
    assert!(
        revoked.to_string().contains("signature.revoked"),
        "{revoked}"
    );
    let dead = eventually(Duration::from_secs(60), || async {
        world
            .broker
            .ready(&world.broker.names.dead_letter_queue)
            .await
            == 2
    });
    assert!(dead.await, "both envelopes dead-lettered");

    // The mail server comes back: every notification is delivered, the SMS ones past the
    // gateway's 503s and the e-mails after a login with our password.
    smtp_gate.open();
    // A notification claimed just as the database went away waits out its lease (60 s for
    // e-mail) before another attempt: that is the design, so the wait allows for it.
    let delivered = eventually(Duration::from_secs(150), || async {
        count(
            &world,
            "SELECT count(*) FROM notifications WHERE state = 'sent'",
        )
        .await
            == 16
    });
    assert!(
        delivered.await,
        "16 notifications sent: {} of them",
        count(
            &world,
            "SELECT count(*) FROM notifications WHERE state = 'sent'"
        )
        .await
    );
    let requests = gateway.received_requests().await.unwrap();
    assert!(requests.len() >= 8 + 3, "8 SMS after 3 refusals");
    let logins = std::fs::read_to_string(mail.path().join("auth.log")).unwrap();
    assert!(
        logins.lines().any(|l| l == "ok"),
        "the mail server took our login"
    );
    assert!(!logins.lines().any(|l| l == "refused"), "{logins}");

    let mut metrics = String::new();
    for port in ports {
        let got = http_get(port, "/metrics").await;
        assert!(
            got.starts_with("HTTP/1.1 200") && got.contains("# TYPE trp_"),
            "{got}"
        );
        metrics.push_str(&got);
    }
    for child in replicas {
        stop(child).await;
    }
    let mut written = String::new();
    for output in &outputs {
        written.push_str(&std::fs::read_to_string(output).unwrap());
    }
    // What was written is the real thing: decisions, and the outages it went through.
    for id in people.iter().map(|p| p.id) {
        assert!(written.contains(id), "{id} named in the logs:\n{written}");
    }
    assert!(
        written.contains("WARN") || written.contains("\"level\":\"WARN\""),
        "the outages left warnings:\n{written}"
    );

    let mut forbidden: Vec<(String, String)> = vec![
        (
            "the OTP key".into(),
            String::from_utf8(OTP_KEY.to_vec()).unwrap(),
        ),
        ("the OTP key in base64".into(), b64.encode(OTP_KEY)),
        ("the SMS token".into(), sms_token.clone()),
        ("the SMTP password".into(), smtp_password.clone()),
        (
            "the SMTP password in base64".into(),
            b64.encode(&smtp_password),
        ),
        (
            "the SMTP login as AUTH PLAIN sends it".into(),
            b64.encode(format!("\0{smtp_user}\0{smtp_password}")),
        ),
        ("the database password".into(), db_password.clone()),
        ("an IIN".into(), IIN.into()),
        ("a phone number".into(), PHONE.into()),
        ("a passport number".into(), PASSPORT.into()),
        ("a patronymic".into(), "ERKINOVICH".into()),
    ];
    for p in &people {
        // Any application's document as published: base64 of the e-request's JSON.
        let published = b64.encode(p.document(|_| {}));
        forbidden.push(("a document".into(), published[..40].to_owned()));
        forbidden.push(("a surname".into(), p.surname.into()));
        forbidden.push(("a given name".into(), p.given_name.into()));
        forbidden.push(("an e-mail address".into(), p.email.clone()));
        forbidden.push((
            "an e-mail address's local part".into(),
            p.email.split('@').next().unwrap().to_owned(),
        ));
    }
    let (written_lower, metrics_lower) = (written.to_lowercase(), metrics.to_lowercase());
    for (what, value) in &forbidden {
        // As text, whatever the case; and as a Rust byte list (`[57, 48, 48, ...]`), the way a
        // dependency's trace prints a buffer it read or wrote.
        let bytes = value
            .bytes()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        for (form, value) in [("", value.to_lowercase()), (" as bytes", bytes)] {
            for (place, text) in [
                ("stdout or stderr", &written_lower),
                ("/metrics", &metrics_lower),
            ] {
                let lines: Vec<&str> = text.lines().filter(|l| l.contains(&value)).collect();
                assert!(
                    lines.is_empty(),
                    "{what}{form} in {place}, {} lines; the first:\n{}",
                    lines.len(),
                    lines[0].chars().take(2000).collect::<String>()
                );
            }
        }
    }
    world.cleanup().await;
}
