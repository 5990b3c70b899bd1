-- Login sessions that survive a reload (issue 14). The browser keeps a random token in a cookie; only its
-- SHA-256 is stored here, so a copy of this table lets no one in. Ended sessions stay (ended_at, end_reason) so
-- that a token presented after its end is recognised and audited; rows are purged a week after they expire.

CREATE TABLE sessions (
    token_sha256 VARCHAR PRIMARY KEY,   -- hex SHA-256 of the cookie's token; the token itself is never stored
    username     VARCHAR NOT NULL,
    via          VARCHAR NOT NULL,      -- password | oidc | bootstrap
    created_at   TIMESTAMP NOT NULL,
    last_seen    TIMESTAMP NOT NULL,    -- touched at most once a minute, not on every rerun
    expires_at   TIMESTAMP NOT NULL,    -- absolute end: created_at + the maximum lifetime
    user_agent   VARCHAR,
    ended_at     TIMESTAMP,
    end_reason   VARCHAR                -- logout | idle | lifetime | admin | disabled | password
);
