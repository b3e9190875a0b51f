-- What leaves the worker: messages to publish, notifications to send. Both are written in
-- the transaction of the decision and sent from here afterwards.

CREATE TABLE outbox (
    id             bigserial PRIMARY KEY,
    message_id     uuid NOT NULL UNIQUE,
    application_id text NOT NULL REFERENCES applications,
    destination    text NOT NULL CHECK (destination IN ('decisions', 'status')),
    routing_key    text NOT NULL,
    type           text NOT NULL,
    "timestamp"    timestamptz NOT NULL,
    body           bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    claimed_until  timestamptz NULL,
    sent_at        timestamptz NULL
);

CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

CREATE TABLE notifications (
    id              uuid PRIMARY KEY,
    application_id  text NOT NULL REFERENCES applications,
    kind            text NOT NULL CHECK (kind IN ('received', 'decision')),
    channel         text NOT NULL CHECK (channel IN ('sms', 'email')),
    address         text NOT NULL,
    language        text NOT NULL CHECK (language IN ('kk', 'ru', 'en')),
    subject         text NULL,
    body_text       text NOT NULL,
    body_html       text NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz NULL,
    UNIQUE (application_id, kind, channel),
    CHECK ((channel = 'email') = (subject IS NOT NULL))
);

CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state = 'pending';
