-- Issue 18: applications whose signer's revocation status rests on a stale or missing CRL
-- are not decided (contract section 8). Their delivery is kept here, as it came, and
-- acknowledged; once this replica holds fresh CRLs for every CA named in `waiting_for`,
-- the message is published again to the work queue (same bytes, same message_id) and the
-- row deleted in the transaction that claimed it (`docs/storage.md`).
CREATE TABLE deferred_applications (
    message_id     uuid PRIMARY KEY,
    application_id text NOT NULL,
    body           bytea NOT NULL,
    -- The CAs (distinguished names) whose CRL was missing or stale.
    waiting_for    text[] NOT NULL,
    deferred_at    timestamptz NOT NULL DEFAULT now()
);

-- The release scan takes the oldest first.
CREATE INDEX deferred_applications_age ON deferred_applications (deferred_at);
