//! The demo's portal: publishes sample applications (signed by OTP with the key in
//! `TRP__SIGNATURE__OTP_KEY`) to the applications exchange, then prints each decision the
//! worker publishes. `cargo run --example submit -- [count]`.
//!
//! The applications vary: most are approved; some are refused (a permit starting in the
//! past, the household quota, an unknown phone) so the demo shows reasons too.

use std::time::Duration;

use base64::Engine as _;
use futures_util::StreamExt;
use hmac::Mac;
use lapin::options::{
    BasicConsumeOptions, BasicPublishOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::BasicProperties;
use serde_json::{json, Value};
use trp_worker::domain::{ids::Sha256, sample};

fn sign_otp(key: &[u8], document: &[u8]) -> Value {
    let (otp_id, phone) = (uuid::Uuid::new_v4().to_string(), "+77011234567");
    let (issued, confirmed) = ("2026-11-24T10:13:10+05:00", "2026-11-24T10:14:02+05:00");
    let digest = Sha256::digest(document).to_hex();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("{otp_id}\n{phone}\n{issued}\n{confirmed}\n{digest}").as_bytes());
    let mac = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    json!({"method": "otp", "otp_id": otp_id, "phone": phone,
           "issued_at": issued, "confirmed_at": confirmed, "mac": mac})
}

/// The i-th demo application's e-request.
fn request(i: usize) -> Value {
    let mut r = sample::request();
    r["language"] = json!(["ru", "kk", "en"][i % 3]);
    r["applicant"]["contacts"]["email"] = json!(format!("applicant{i}@example.org"));
    match i % 5 {
        3 => r["permit"]["from"] = json!("2026-01-01"),
        4 => r["employer"]["household"] = json!(true),
        _ => {}
    }
    r
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let key = std::env::var("TRP__SIGNATURE__OTP_KEY")?;
    let key = base64::engine::general_purpose::STANDARD.decode(key.trim())?;
    let url = std::env::var("TRP__AMQP__URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let conn = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    // A queue of our own on the decisions exchange, to print what the worker decides.
    let q = ch
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
    ch.queue_bind(
        q.name().clone(),
        "trp.decisions".into(),
        "#".into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await?;
    let run = uuid::Uuid::new_v4().simple().to_string();
    for i in 0..count {
        let document = serde_json::to_vec(&request(i))?;
        let id = format!("DEMO-{}-{i:04}", &run[..8]);
        let envelope = sample::envelope(&id, &document, sign_otp(&key, &document));
        let message_id = envelope["message_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let properties = BasicProperties::default()
            .with_message_id(message_id.into())
            .with_content_type("application/json".into())
            .with_delivery_mode(2);
        ch.basic_publish(
            "trp.applications".into(),
            "application.submitted".into(),
            BasicPublishOptions::default(),
            &serde_json::to_vec(&envelope)?,
            properties,
        )
        .await?;
    }
    println!("submitted {count} applications; waiting for decisions");
    let mut consumer = ch
        .basic_consume(
            q.name().clone(),
            "demo".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
    let mut seen = 0;
    while seen < count {
        let Ok(Some(delivery)) =
            tokio::time::timeout(Duration::from_secs(30), consumer.next()).await
        else {
            println!("no decision for 30 s; is the worker running?");
            break;
        };
        let d: Value = serde_json::from_slice(&delivery?.data)?;
        let reasons: Vec<&str> = d["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["code"].as_str())
            .collect();
        println!(
            "{}  {:<8}  {}  {}",
            d["application_id"].as_str().unwrap_or("?"),
            d["outcome"].as_str().unwrap_or("?"),
            d["permit"]["number"].as_str().unwrap_or(""),
            reasons.join(", ")
        );
        seen += 1;
    }
    Ok(())
}
