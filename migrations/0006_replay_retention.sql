-- Issue 13: replay on appeal and retention of personal data (docs/operations.md).

-- The envelope's `signature` object as it came (EDS: method and cms; OTP: method, otp_id,
-- phone, issued_at, confirmed_at, mac, the strings exactly as sent), so that
-- `trp-worker explain --replay` can run the signature check again on the stored envelope.
-- NULL for applications taken in before this migration, and once purged. Personal data.
ALTER TABLE applications ADD COLUMN signature jsonb NULL;

-- When `trp-worker retention purge --apply` blanked the application's personal data: the
-- document, the signature, the notifications' addresses and texts and the registry facts.
-- What stays is the audit trail: the digest, the decision, its reasons and versions, the
-- permit, and the notifications' delivery states.
ALTER TABLE applications ADD COLUMN purged_at timestamptz NULL;
ALTER TABLE applications ALTER COLUMN document DROP NOT NULL;
ALTER TABLE applications ADD CONSTRAINT applications_document_or_purged
    CHECK (document IS NOT NULL OR purged_at IS NOT NULL) NOT VALID;

-- The purge looks for applications not yet purged, oldest first; the index holds only
-- those, so it stays as small as what is within its term.
CREATE INDEX applications_unpurged ON applications (submitted_at) WHERE purged_at IS NULL;
