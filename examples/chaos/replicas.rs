//! The three replicas of a chaos run (killed, started again, stopped), and whether the run
//! has settled.

use std::time::Duration;

use rand::RngExt as _;

use crate::checks;
use crate::processes;
use crate::receipts::Receipts;
use crate::workers::{Replica, Workers};
use crate::world::World;

/// The replicas and what befell them.
pub struct Replicas<'a> {
    pub workers: Workers<'a>,
    pub running: Vec<Replica>,
    pub killed: usize,
    /// Replicas found exited without being killed (each started again).
    pub exited: Vec<String>,
}

impl Replicas<'_> {
    pub fn start(&mut self, count: usize) -> anyhow::Result<()> {
        for index in 0..count {
            self.running.push(self.workers.spawn("chaos", index)?);
        }
        Ok(())
    }

    pub async fn kill_one(&mut self) -> anyhow::Result<()> {
        let index = rand::rng().random_range(0..self.running.len());
        let replica = &mut self.running[index];
        replica.child.start_kill()?;
        let _ = replica.child.wait().await;
        self.killed += 1;
        self.running[index] = self.workers.spawn("chaos", index)?;
        Ok(())
    }

    /// Starts again any replica that exited by itself.
    pub fn revive(&mut self) -> anyhow::Result<()> {
        for index in 0..self.running.len() {
            if let Some(status) = self.running[index].child.try_wait()? {
                self.exited.push(format!(
                    "replica {index} exited by itself ({status}); log {}",
                    self.running[index].log.display()
                ));
                self.running[index] = self.workers.spawn("chaos", index)?;
            }
        }
        Ok(())
    }

    pub async fn stop(&mut self) -> usize {
        let mut unclean = 0;
        for r in &mut self.running {
            unclean += usize::from(!processes::stop(&mut r.child, Duration::from_secs(40)).await);
        }
        unclean
    }
}

/// Whether everything is out: every application decided, every outbox row sent and
/// received, no notification pending.
pub async fn settled(world: &World, receipts: &Receipts, n: usize) -> (bool, String) {
    let Ok(db) = checks::database(&world.url).await else {
        return (false, "the database is not reachable".into());
    };
    let query = "SELECT (SELECT count(*) FROM decisions), \
                 (SELECT count(*) FROM outbox), (SELECT count(*) FROM outbox WHERE sent_at IS NULL), \
                 (SELECT count(*) FROM notifications WHERE state = 'pending')";
    let Ok(row) = db.query_one(query, &[]).await else {
        return (false, "the database did not answer".into());
    };
    let (decided, outbox, unsent, pending): (i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    let received = receipts.distinct() as i64;
    let done = decided as usize >= n && unsent == 0 && pending == 0 && received >= outbox;
    (
        done,
        format!(
            "{decided} of {n} decided, {unsent} of {outbox} messages unsent, {received} received, \
             {pending} notifications pending"
        ),
    )
}
