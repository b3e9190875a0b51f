//! The demo's portal and its reader (`bash scripts/demo.sh` runs it; README "Demo").
//!
//! `demo pki <dir>` writes a development GOST 34.10-2015 (512-bit) PKI with the national
//! CA's algorithm identifiers (root, intermediate and their CRLs) into `<dir>`, and prints the
//! trust anchors and CRLs to configure, comma-separated, on two lines: the committed RSA test
//! PKI's and these.
//!
//! `demo submit <dir> <sms-log> <mail-api> <metrics-url>...` publishes, submitted now, one
//! application of each kind the demo shows (OTP, RSA EDS and GOST EDS approvals, a refusal
//! on each ground, a duplicate, a conflict and an envelope error), waits for every decision,
//! dead letter and notification, prints one table, and exits 1 unless every row came out
//! as expected. `<sms-log>` is the demo SMS gateway's log, `<mail-api>` MailDev's base URL,
//! each `<metrics-url>` one replica's `/metrics`.

#[path = "../tests/support/gost_cms.rs"]
mod gost_cms;
#[path = "../tests/support/gost_pki.rs"]
mod gost_pki;
#[path = "../benches/pipeline/signing.rs"]
#[allow(dead_code)]
mod signing;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use base64::Engine as _;
use futures_util::StreamExt;
use hmac::Mac;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicNackOptions, BasicPublishOptions,
    QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration as Span, OffsetDateTime, UtcOffset};
use trp_worker::broker::header_str;
use trp_worker::domain::ids::Sha256;
use trp_worker::domain::sample;

use signing::Signing;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const WAIT: Duration = Duration::from_secs(90);

/// How an application is signed.
#[derive(Clone, Copy)]
enum Method {
    Otp,
    Rsa,
    Gost,
    /// RSA by a certificate of a CA nobody configured.
    Rogue,
}

impl Method {
    fn label(self) -> &'static str {
        match self {
            Self::Otp => "OTP",
            Self::Rsa => "EDS RSA",
            Self::Gost => "EDS GOST 2015-512",
            Self::Rogue => "EDS RSA (unknown CA)",
        }
    }
}

/// What must come of a case.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Expect {
    Approved,
    Refused(&'static str),
    Duplicate,
    DeadLetter(&'static str),
}

struct Case {
    id: String,
    method: Method,
    expect: Expect,
    envelope: Vec<u8>,
    message_id: String,
}

/// What the demo saw of one case.
#[derive(Default)]
struct Seen {
    outcome: String,
    reasons: Vec<String>,
    permit: String,
    sms: usize,
    email: usize,
}

fn now_kz() -> OffsetDateTime {
    OffsetDateTime::now_utc().to_offset(UtcOffset::from_hms(5, 0, 0).expect("+05:00"))
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).expect("an instant formats")
}

/// The sample e-request, moved to today: a permit from three days on, for a year.
fn request(language: &str) -> Value {
    let today = now_kz().date();
    let from = today + Span::days(3);
    let until = from
        .replace_year(from.year() + 1)
        .unwrap_or(from + Span::days(365))
        - Span::days(1);
    let mut r = sample::request();
    sample::set(&mut r, "language", json!(language));
    sample::set(&mut r, "permit/from", json!(from.to_string()));
    sample::set(&mut r, "permit/until", json!(until.to_string()));
    sample::set(
        &mut r,
        "employer/contract/valid_until",
        json!(until.to_string()),
    );
    r
}

/// The portal's OTP attestation of `document`: issued two minutes ago, confirmed one
/// minute ago, for the sample applicant's phone.
fn otp(key: &[u8], document: &[u8]) -> Value {
    let now = now_kz();
    let (otp_id, phone) = (uuid::Uuid::new_v4().to_string(), "+77011234567");
    let issued = rfc3339(now - Span::minutes(2));
    let confirmed = rfc3339(now - Span::minutes(1));
    let digest = Sha256::digest(document).to_hex();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("{otp_id}\n{phone}\n{issued}\n{confirmed}\n{digest}").as_bytes());
    json!({"method": "otp", "otp_id": otp_id, "phone": phone, "issued_at": issued,
           "confirmed_at": confirmed, "mac": B64.encode(mac.finalize().into_bytes())})
}

fn envelope(id: &str, document: &[u8], signature: Value) -> Value {
    let mut e = sample::envelope(id, document, signature);
    e["submitted_at"] = json!(rfc3339(now_kz()));
    e
}

fn case(id: String, method: Method, expect: Expect, envelope: &Value) -> Case {
    Case {
        id,
        method,
        expect,
        message_id: envelope["message_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        envelope: serde_json::to_vec(envelope).expect("JSON"),
    }
}

/// The demo's applications: the first six are decided; the last three (a duplicate, a
/// conflict and an envelope error) are published once those decisions are in.
fn cases(signing: &Signing, otp_key: &[u8], run: &str) -> anyhow::Result<Vec<Case>> {
    let id = |n: u32| format!("DEMO-{run}-{n:02}");
    let doc = |language: &str, edit: &dyn Fn(&mut Value)| {
        let mut r = request(language);
        edit(&mut r);
        serde_json::to_vec(&r).expect("JSON")
    };
    let plain = doc("ru", &|_| {});
    let english = doc("en", &|_| {});
    let kazakh = doc("kk", &|_| {});
    let late = doc("en", &|r| {
        let past = (now_kz().date() - Span::days(30)).to_string();
        sample::set(r, "permit/from", json!(past));
    });
    let household = doc("kk", &|r| sample::set(r, "employer/household", json!(true)));
    let first = envelope(&id(1), &plain, otp(otp_key, &plain));
    let mut again = first.clone();
    again["message_id"] = json!(uuid::Uuid::new_v4().to_string());
    let other = doc("en", &|r| {
        sample::set(r, "permit/until", json!("2027-06-30"))
    });
    let mut bad_base64 = envelope(&id(9), &plain, otp(otp_key, &plain));
    bad_base64["document"] = json!("this is not base64!");
    Ok(vec![
        case(id(1), Method::Otp, Expect::Approved, &first),
        case(
            id(2),
            Method::Rsa,
            Expect::Approved,
            &envelope(&id(2), &english, signing.openssl("leaf-rsa", &english)?),
        ),
        case(
            id(3),
            Method::Gost,
            Expect::Approved,
            &envelope(&id(3), &kazakh, signing.gost(&kazakh)),
        ),
        case(
            id(4),
            Method::Rogue,
            Expect::Refused("signature.untrusted"),
            &envelope(&id(4), &plain, signing.openssl("leaf-rogue", &plain)?),
        ),
        case(
            id(5),
            Method::Otp,
            Expect::Refused("eligibility.term"),
            &envelope(&id(5), &late, otp(otp_key, &late)),
        ),
        case(
            id(6),
            Method::Otp,
            Expect::Refused("eligibility.household_quota"),
            &envelope(&id(6), &household, otp(otp_key, &household)),
        ),
        case(id(1), Method::Otp, Expect::Duplicate, &again),
        case(
            id(2),
            Method::Rsa,
            Expect::DeadLetter("conflict"),
            &envelope(&id(2), &other, signing.openssl("leaf-rsa", &other)?),
        ),
        case(
            id(9),
            Method::Otp,
            Expect::DeadLetter("envelope.base64"),
            &bad_base64,
        ),
    ])
}

async fn publish(ch: &Channel, c: &Case) -> anyhow::Result<()> {
    let properties = BasicProperties::default()
        .with_message_id(c.message_id.as_str().into())
        .with_content_type("application/json".into())
        .with_delivery_mode(2);
    ch.basic_publish(
        "trp.applications".into(),
        "application.submitted".into(),
        BasicPublishOptions::default(),
        &c.envelope,
        properties,
    )
    .await?
    .await?;
    Ok(())
}

/// Waits until the decisions of `ids` have come to `queue`.
async fn decisions(
    ch: &Channel,
    queue: &str,
    ids: &[&str],
    seen: &mut BTreeMap<String, Seen>,
) -> anyhow::Result<()> {
    let mut consumer = ch
        .basic_consume(
            queue.into(),
            "demo".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
    let deadline = Instant::now() + WAIT;
    while ids.iter().any(|id| !seen.contains_key(*id)) {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some(delivery)) = tokio::time::timeout(left, consumer.next()).await else {
            bail!(
                "no decision for {} s; see the workers' logs",
                WAIT.as_secs()
            );
        };
        let d: Value = serde_json::from_slice(&delivery?.data)?;
        let id = d["application_id"].as_str().unwrap_or_default().to_owned();
        let reasons = d["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["code"].as_str().map(str::to_owned))
            .collect();
        seen.insert(
            id,
            Seen {
                outcome: d["outcome"].as_str().unwrap_or("?").to_owned(),
                reasons,
                permit: d["permit"]["number"].as_str().unwrap_or("").to_owned(),
                ..Seen::default()
            },
        );
    }
    Ok(())
}

/// The `x-trp-reason` of this run's dead letters, by message id. This run's are taken off
/// the queue; anything else there is put back as it was.
async fn dead_letters(ch: &Channel, ours: &[&str]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut found = BTreeMap::new();
    let deadline = Instant::now() + WAIT;
    while found.len() < ours.len() && Instant::now() < deadline {
        let mut others = Vec::new();
        while let Some(m) = ch
            .basic_get(
                "trp.applications.dead".into(),
                BasicGetOptions { no_ack: false },
            )
            .await?
        {
            let id = m
                .delivery
                .properties
                .message_id()
                .as_ref()
                .map(|s| s.to_string());
            match id.filter(|id| ours.contains(&id.as_str())) {
                Some(id) => {
                    let reason = header_str(&m.delivery.properties, "x-trp-reason");
                    found.insert(id, reason.unwrap_or_default());
                    m.delivery.acker.ack(BasicAckOptions::default()).await?;
                }
                None => others.push(m),
            }
        }
        for m in others {
            let back = BasicNackOptions {
                requeue: true,
                ..Default::default()
            };
            m.delivery.acker.nack(back).await?;
        }
        if found.len() < ours.len() {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    Ok(found)
}

/// `trp_duplicates_total`, summed over the replicas.
async fn duplicates(http: &reqwest::Client, metrics: &[String]) -> anyhow::Result<f64> {
    let mut total = 0.0;
    for url in metrics {
        let text = http
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?;
        total += text
            .lines()
            .filter_map(|l| l.strip_prefix("trp_duplicates_total "))
            .filter_map(|v| v.trim().parse::<f64>().ok())
            .sum::<f64>();
    }
    Ok(total)
}

/// Counts, for each decided application, the SMS the demo gateway took and the e-mails
/// MailDev holds that name it; waits until each has two of each (received and decided).
async fn notifications(
    http: &reqwest::Client,
    sms_log: &Path,
    mail_api: &str,
    seen: &mut BTreeMap<String, Seen>,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        let sms = std::fs::read_to_string(sms_log).unwrap_or_default();
        let mails: Vec<Value> = http
            .get(format!("{mail_api}/email"))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let subjects: Vec<&str> = mails.iter().filter_map(|m| m["subject"].as_str()).collect();
        for (id, s) in seen.iter_mut() {
            s.sms = sms.lines().filter(|l| l.contains(id.as_str())).count();
            s.email = subjects.iter().filter(|l| l.contains(id.as_str())).count();
        }
        let done = seen.values().all(|s| s.sms >= 2 && s.email >= 2);
        if done || Instant::now() >= deadline {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// One row of the table, and whether it is what the case expects.
fn row(
    c: &Case,
    seen: &BTreeMap<String, Seen>,
    dead: &BTreeMap<String, String>,
    dups: f64,
) -> (String, bool) {
    let (outcome, reasons, permit, sms, email, ok) = match &c.expect {
        Expect::Approved | Expect::Refused(_) => {
            let s = seen.get(&c.id);
            let outcome = s.map_or("none", |s| s.outcome.as_str()).to_owned();
            let reasons = s.map(|s| s.reasons.join(", ")).unwrap_or_default();
            let delivered = s.is_some_and(|s| s.sms >= 2 && s.email >= 2);
            let right = match (&c.expect, s) {
                (Expect::Approved, Some(s)) => s.outcome == "approved" && !s.permit.is_empty(),
                (Expect::Refused(code), Some(s)) => {
                    s.outcome == "refused" && s.reasons.iter().any(|r| r == code)
                }
                _ => false,
            };
            (
                outcome,
                reasons,
                s.map(|s| s.permit.clone()).unwrap_or_default(),
                s.map_or(0, |s| s.sms).to_string(),
                s.map_or(0, |s| s.email).to_string(),
                right && delivered,
            )
        }
        Expect::Duplicate => (
            "duplicate".to_owned(),
            "acknowledged and dropped".to_owned(),
            String::new(),
            "-".to_owned(),
            "-".to_owned(),
            dups >= 1.0,
        ),
        Expect::DeadLetter(reason) => {
            let got = dead.get(&c.message_id).cloned().unwrap_or_default();
            let ok = got == *reason;
            (
                "dead-letter".to_owned(),
                got,
                String::new(),
                "-".to_owned(),
                "-".to_owned(),
                ok,
            )
        }
    };
    let mark = if ok { "" } else { "  <- not as expected" };
    let line = format!(
        "{:<17} {:<21} {:<11} {:<30} {:<17} {:>3} {:>6}{mark}",
        c.id,
        c.method.label(),
        outcome,
        if reasons.is_empty() { "-" } else { &reasons },
        if permit.is_empty() { "-" } else { &permit },
        sms,
        email
    );
    (line, ok)
}

async fn submit(args: &[String]) -> anyhow::Result<bool> {
    let [dir, sms_log, mail_api, metrics @ ..] = args else {
        bail!("usage: demo submit <dir> <sms-log> <mail-api> <metrics-url>...");
    };
    let scratch = PathBuf::from(dir).join("scratch");
    std::fs::create_dir_all(&scratch)?;
    let signing = Signing::new(&scratch)?;
    let otp_key = std::env::var("TRP__SIGNATURE__OTP_KEY").context("TRP__SIGNATURE__OTP_KEY")?;
    let otp_key = B64
        .decode(otp_key.trim())
        .context("the OTP key is base64")?;
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let cases = cases(&signing, &otp_key, &run)?;

    let url = std::env::var("TRP__AMQP__URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let conn = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    ch.confirm_select(Default::default()).await?;
    let exclusive = QueueDeclareOptions {
        exclusive: true,
        ..Default::default()
    };
    let q = ch
        .queue_declare("".into(), exclusive, FieldTable::default())
        .await?;
    ch.queue_bind(
        q.name().clone(),
        "trp.decisions".into(),
        "#".into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await?;

    let (first, later) = cases.split_at(6);
    for c in first {
        publish(&ch, c).await?;
    }
    let ids: Vec<&str> = first.iter().map(|c| c.id.as_str()).collect();
    let mut seen = BTreeMap::new();
    decisions(&ch, q.name().as_str(), &ids, &mut seen).await?;
    for c in later {
        publish(&ch, c).await?;
    }
    let letters: Vec<&str> = later
        .iter()
        .filter(|c| matches!(c.expect, Expect::DeadLetter(_)))
        .map(|c| c.message_id.as_str())
        .collect();
    let dead = dead_letters(&ch, &letters).await?;
    let http = reqwest::Client::new();
    let mut dups = 0.0;
    let deadline = Instant::now() + WAIT;
    while dups < 1.0 && Instant::now() < deadline {
        dups = duplicates(&http, metrics).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    notifications(&http, Path::new(sms_log), mail_api, &mut seen).await?;
    let _ = conn.close(200, "OK".into()).await;

    println!(
        "{:<17} {:<21} {:<11} {:<30} {:<17} {:>3} {:>6}",
        "application", "method", "outcome", "reasons", "permit", "SMS", "e-mail"
    );
    let mut all = true;
    for c in &cases {
        let (line, ok) = row(c, &seen, &dead, dups);
        println!("{line}");
        all &= ok;
    }
    println!();
    println!(
        "SMS and e-mail: how many the gateway and MailDev took for the application \
         (received, then the decision)."
    );
    if all {
        println!(
            "demo: all {} applications came out as expected",
            cases.len()
        );
    } else {
        println!("demo: some applications did not come out as expected (marked above)");
    }
    Ok(all)
}

fn pki(args: &[String]) -> anyhow::Result<()> {
    let [dir] = args else {
        bail!("usage: demo pki <dir>");
    };
    std::fs::create_dir_all(dir)?;
    let signing = Signing::new(Path::new(dir))?;
    let join = |paths: &[PathBuf]| -> String {
        let all: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        all.join(",")
    };
    println!("{}", join(&signing.anchors));
    println!("{}", join(&signing.crls));
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("pki") => pki(&args[1..]).map(|()| true),
        Some("submit") => submit(&args[1..]).await,
        _ => Err(anyhow::anyhow!(
            "usage: demo pki <dir> | demo submit <dir> <sms-log> <mail-api> <metrics-url>..."
        )),
    };
    match result {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("demo: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
