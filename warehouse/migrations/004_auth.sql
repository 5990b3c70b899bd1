-- Accounts, roles and the audit trail (issue 6).

CREATE TABLE users (
    username        VARCHAR PRIMARY KEY,
    display_name    VARCHAR NOT NULL,
    role            VARCHAR NOT NULL,              -- leader | unit_staff | analyst | admin
    unit            VARCHAR,                       -- unit_staff only: the reporting unit it is bound to
    agency          VARCHAR,                       -- unit_staff only: aic for bureaus, else the member agency
    email           VARCHAR UNIQUE,                -- for OIDC login (st.login): roles are mapped by e-mail
    password_hash   VARCHAR,                       -- argon2id; NULL for OIDC-only accounts
    active          BOOLEAN NOT NULL DEFAULT true,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMP,
    created_by      VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    CHECK (role IN ('leader', 'unit_staff', 'analyst', 'admin')),
    CHECK (role <> 'unit_staff' OR (unit IS NOT NULL AND agency IS NOT NULL))
);

CREATE SEQUENCE audit_id_seq START 1;

-- Append-only: the application only ever inserts here; no page offers an edit.
CREATE TABLE audit_log (
    audit_id  BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    username  VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,   -- login | login_failed | logout | upload | withdraw | export | user_change | rule_change | calendar_change
    target    VARCHAR,            -- file name, batch id, user name, …
    sha256    VARCHAR,
    detail    VARCHAR
);
