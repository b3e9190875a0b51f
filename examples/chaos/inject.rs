//! TRP_CHAOS_INJECT: a forged decision message after the run, to show the checks fail.

use anyhow::Context as _;

use crate::world::{self, World};
use crate::{checks, say};

/// TRP_CHAOS_INJECT: after the run, publishes a forged decision message, to show that the
/// checks catch it. `decision`: a repeat of a decision message (same message id) with other
/// bytes. `permit`: a decision message for another application carrying a permit number
/// already issued.
pub async fn inject(world: &World) -> anyhow::Result<()> {
    let Ok(what) = std::env::var("TRP_CHAOS_INJECT") else {
        return Ok(());
    };
    let db = checks::database(&world.url).await?;
    let row = db
        .query_one(
            "SELECT message_id::text, body FROM outbox WHERE destination = 'decisions' \
             AND routing_key = 'decision.approved' ORDER BY id LIMIT 1",
            &[],
        )
        .await
        .context("an approval to forge from")?;
    let (mut id, body): (String, Vec<u8>) = (row.get(0), row.get(1));
    let mut forged: serde_json::Value = serde_json::from_slice(&body)?;
    match what.as_str() {
        "decision" => forged["decided_at"] = "2026-11-24T10:15:01+05:00".into(),
        "permit" => {
            id = uuid::Uuid::new_v4().to_string();
            let other: String = db
                .query_one(
                    "SELECT application_id FROM decisions WHERE outcome = 'refused' LIMIT 1",
                    &[],
                )
                .await?
                .get(0);
            forged["message_id"] = id.as_str().into();
            forged["application_id"] = other.into();
        }
        other => anyhow::bail!("TRP_CHAOS_INJECT={other:?}: decision or permit"),
    }
    say(format_args!("injecting a forged decision message ({what})"));
    let connection = world::broker().await?;
    let channel = connection.create_channel().await?;
    channel
        .basic_publish(
            world.names.decisions_exchange.as_str().into(),
            "decision.approved".into(),
            lapin::options::BasicPublishOptions::default(),
            &serde_json::to_vec(&forged)?,
            lapin::BasicProperties::default().with_message_id(id.as_str().into()),
        )
        .await?
        .await?;
    let _ = connection.close(200, "chaos inject".into()).await;
    Ok(())
}
