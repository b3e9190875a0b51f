-- Applications taken in, their one decision, and the permits this worker issued.
-- docs/storage.md explains every column.

CREATE TABLE applications (
    application_id   text PRIMARY KEY,
    message_id       uuid NOT NULL,
    document_sha256  bytea NOT NULL CHECK (octet_length(document_sha256) = 32),
    document         bytea NOT NULL,
    signature_method text NOT NULL CHECK (signature_method IN ('eds', 'otp')),
    submitted_at     timestamptz NOT NULL,
    received_at      timestamptz NOT NULL,
    -- NULL when the document cannot be read.
    subspecies       text NULL,
    language         text NULL CHECK (language IN ('kk', 'ru', 'en'))
);

-- Permit numbers: TRP-<year of the decision at +05:00>-<8 digits of this sequence>.
-- One sequence for all years, so a number is never reused; NO CYCLE makes exhaustion an
-- error instead of a repeat.
CREATE SEQUENCE permit_number_seq AS bigint MINVALUE 1 MAXVALUE 99999999 NO CYCLE;

CREATE TABLE permits (
    number         text PRIMARY KEY,
    application_id text NOT NULL UNIQUE REFERENCES applications,
    subspecies     text NOT NULL,
    holder_iin     text NOT NULL,
    employer_bin   text NULL,
    household      boolean NOT NULL,
    valid_from     date NOT NULL,
    valid_until    date NOT NULL,
    issued_at      timestamptz NOT NULL
);

CREATE INDEX permits_household_by_employer
    ON permits (employer_bin, valid_until) WHERE household;

CREATE TABLE decisions (
    application_id   text PRIMARY KEY REFERENCES applications,
    outcome          text NOT NULL CHECK (outcome IN ('approved', 'refused')),
    decided_at       timestamptz NOT NULL,
    due_at           timestamptz NOT NULL,
    reasons          jsonb NOT NULL,
    checks           jsonb NOT NULL,
    rules_version    text NOT NULL,
    calendar_version text NOT NULL,
    trust_version    text NULL,
    -- The registry facts the decision rests on, for replay on appeal. Personal data.
    facts            jsonb NOT NULL,
    permit_number    text NULL UNIQUE REFERENCES permits (number),
    CHECK ((outcome = 'approved') = (permit_number IS NOT NULL))
);
