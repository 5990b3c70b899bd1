-- 催报 reminders and the weekly digest (issue 12): who gets them, and what was sent.
--
-- Routes say which channel reaches a unit (or leadership): an e-mail address, or a group robot named in the
-- channel config file. Secrets (SMTP password, webhook keys and signing secrets) stay in that file or the
-- environment, never here. Only actions/ writes these tables. Times are Asia/Shanghai.

CREATE SEQUENCE notify_route_id_seq START 1;

CREATE TABLE notify_routes (
    route_id   BIGINT PRIMARY KEY DEFAULT nextval('notify_route_id_seq'),
    audience   VARCHAR NOT NULL,             -- unit | leadership
    unit       VARCHAR,                      -- unit audience: ref_units.key
    agency     VARCHAR,                      -- unit audience: ref_agencies.key; NULL = every agency of the unit
    channel    VARCHAR NOT NULL,             -- email | robot
    target     VARCHAR NOT NULL,             -- an e-mail address, or a robot's name in the config file
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE outbox_message_id_seq START 1;

-- One row per reminder or digest, ever: `dedup_key` says which one it is (kind, whom, what, which phase), and
-- a reminder whose key is here is never composed again.
CREATE TABLE outbox_messages (
    message_id BIGINT PRIMARY KEY DEFAULT nextval('outbox_message_id_seq'),
    dedup_key  VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,             -- weekly_table | deliverable | followup | digest
    audience   VARCHAR NOT NULL,             -- unit | leadership
    unit       VARCHAR,
    agency     VARCHAR,
    subject    VARCHAR NOT NULL,
    text       VARCHAR NOT NULL,             -- markdown, as sent
    due        DATE,
    as_of      DATE NOT NULL,                -- the date it was computed for
    routed     BOOLEAN NOT NULL,             -- whether its deliveries were made (false: no channel was configured)
    created_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE outbox_delivery_id_seq START 1;

-- One row per message and channel target: pending until sent; a failure keeps its Chinese error and is tried
-- again on the next run.
CREATE TABLE outbox_deliveries (
    delivery_id BIGINT PRIMARY KEY DEFAULT nextval('outbox_delivery_id_seq'),
    message_id  BIGINT NOT NULL,
    channel     VARCHAR NOT NULL,            -- email | robot
    target      VARCHAR NOT NULL,
    status      VARCHAR NOT NULL,            -- pending | sent | failed
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  VARCHAR,
    last_try_at TIMESTAMP,
    sent_at     TIMESTAMP
);
