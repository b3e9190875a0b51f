-- Issue 10: what a batch commits is published and sent from memory by the replica that
-- committed it, under a lease written with the rows (outbox.claimed_until,
-- notifications.next_attempt_at); the tables are scanned only for rows whose lease ran out
-- or whose retry is due. The indexes below match those scans exactly.

-- The notification scan: pending rows of one channel, oldest due first.
DROP INDEX notifications_due;
CREATE INDEX notifications_due ON notifications (channel, next_attempt_at) WHERE state = 'pending';

-- The outbox scan reads `outbox_unsent` (id WHERE sent_at IS NULL), unchanged.

-- Rows change state once (unsent -> sent, pending -> sent or failed): vacuum the two
-- tables early, so the partial indexes above stay as small as the backlog itself.
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE notifications SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
