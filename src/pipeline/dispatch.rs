//! What a committed batch wrote goes straight from memory to this replica's relay and
//! senders, right after the commit: no read of the outbox or the notifications for it.
//! PostgreSQL stays the durable record: the rows carry a lease ([`Leases`]) for as long as
//! the in-memory copy may be used; a copy that waited longer is dropped, and the rows are
//! taken up by the scans of any replica once the lease has run out. Handing over never
//! blocks a commit: when a queue is full the rows simply wait for their lease.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio::time::Instant;

use crate::domain::request::Channel;
use crate::store::commit::{Leases, Written};
use crate::store::notifications::Notification;
use crate::store::outbox::OutboxRow;

/// Batches a queue holds before it refuses more (their rows then wait for the lease).
pub const QUEUE_BATCHES: usize = 1024;

/// Rows of one batch, usable from memory until `until` (the lease, counted from before
/// the transaction began, so it ends no later than the one stored).
#[derive(Debug)]
pub struct Fresh<T> {
    pub rows: Vec<T>,
    pub until: Instant,
}

impl<T> Fresh<T> {
    /// Whether work that may take `margin` can still start on these rows.
    pub fn live(&self, margin: Duration) -> bool {
        Instant::now() + margin < self.until
    }
}

/// Gathers up to `max` rows: `first`, then whatever else is queued already, keeping only
/// batches still live for `margin`. Returns the rows and how many were left to the lease.
pub fn gather<T>(
    first: Fresh<T>,
    queue: &mut mpsc::Receiver<Fresh<T>>,
    max: usize,
    margin: Duration,
) -> (Vec<T>, usize) {
    let (mut rows, mut stale) = (Vec::new(), 0);
    let mut next = Some(first);
    while let Some(batch) = next.take() {
        if batch.live(margin) {
            rows.extend(batch.rows);
        } else {
            stale += batch.rows.len();
        }
        if rows.len() < max {
            next = queue.try_recv().ok();
        }
    }
    (rows, stale)
}

/// The sending half, held by the committer.
#[derive(Clone)]
pub struct Dispatch {
    outbox: mpsc::Sender<Fresh<OutboxRow>>,
    sms: mpsc::Sender<Fresh<Notification>>,
    email: mpsc::Sender<Fresh<Notification>>,
    leases: Leases,
}

/// The receiving halves of the channel senders (the relay's comes on its own).
pub struct Queues {
    pub sms: mpsc::Receiver<Fresh<Notification>>,
    pub email: mpsc::Receiver<Fresh<Notification>>,
}

impl Queues {
    /// The queue of `channel`'s sender.
    pub fn take(&mut self, channel: Channel) -> mpsc::Receiver<Fresh<Notification>> {
        let (_, closed) = mpsc::channel(1);
        match channel {
            Channel::Sms => std::mem::replace(&mut self.sms, closed),
            Channel::Email => std::mem::replace(&mut self.email, closed),
        }
    }
}

/// The committer's end, the relay's queue and the senders' queues.
pub fn channel(leases: Leases) -> (Dispatch, mpsc::Receiver<Fresh<OutboxRow>>, Queues) {
    let (outbox, outbox_rx) = mpsc::channel(QUEUE_BATCHES);
    let (sms, sms_rx) = mpsc::channel(QUEUE_BATCHES);
    let (email, email_rx) = mpsc::channel(QUEUE_BATCHES);
    let dispatch = Dispatch {
        outbox,
        sms,
        email,
        leases,
    };
    let queues = Queues {
        sms: sms_rx,
        email: email_rx,
    };
    (dispatch, outbox_rx, queues)
}

impl Dispatch {
    /// Hands `written` over; `began` is an instant taken before the batch's transaction
    /// began.
    pub fn send(&self, written: Written, began: Instant) {
        let Written {
            outbox,
            notifications,
        } = written;
        let (sms, email): (Vec<_>, Vec<_>) = notifications
            .into_iter()
            .partition(|n| n.channel == Channel::Sms);
        offer(&self.outbox, outbox, began + self.leases.outbox);
        let until = began + self.leases.notifications;
        offer(&self.sms, sms, until);
        offer(&self.email, email, until);
    }
}

fn offer<T>(queue: &mpsc::Sender<Fresh<T>>, rows: Vec<T>, until: Instant) {
    if rows.is_empty() {
        return;
    }
    let count = rows.len();
    match queue.try_send(Fresh { rows, until }) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            tracing::debug!(
                rows = count,
                "dispatch queue full; the rows wait for their lease"
            )
        }
        Err(TrySendError::Closed(_)) => {
            tracing::debug!(
                rows = count,
                "no sender for these rows; they wait for their lease"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(rows: Vec<u32>, in_s: u64) -> Fresh<u32> {
        Fresh {
            rows,
            until: Instant::now() + Duration::from_secs(in_s),
        }
    }

    #[tokio::test]
    async fn gather_takes_what_is_queued_up_to_max_and_drops_stale_batches() {
        let (tx, mut rx) = mpsc::channel(8);
        tx.try_send(fresh(vec![3, 4], 60)).unwrap();
        tx.try_send(fresh(vec![5], 1)).unwrap();
        tx.try_send(fresh(vec![6, 7], 60)).unwrap();
        tx.try_send(fresh(vec![8], 60)).unwrap();
        let (rows, stale) = gather(fresh(vec![1, 2], 60), &mut rx, 5, Duration::from_secs(5));
        assert_eq!(rows, [1, 2, 3, 4, 6, 7]);
        assert_eq!(stale, 1, "the batch whose lease ends within the margin");
        let (rows, stale) = gather(rx.try_recv().unwrap(), &mut rx, 5, Duration::ZERO);
        assert_eq!((rows, stale), (vec![8], 0));
    }

    #[test]
    fn a_stale_batch_is_not_live() {
        assert!(fresh(vec![1], 10).live(Duration::from_secs(5)));
        assert!(!fresh(vec![1], 10).live(Duration::from_secs(15)));
    }
}
