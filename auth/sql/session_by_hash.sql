-- One session by the hash of its token, with whether its account is still active (a missing account counts
-- as inactive).
SELECT s.username, s.via, s.created_at, s.last_seen, s.expires_at, s.ended_at, s.end_reason,
       coalesce(u.active, false) AS active
FROM sessions s
LEFT JOIN users u ON u.username = s.username
WHERE s.token_sha256 = ?
