-- Sessions still alive at $1: not ended, not past the absolute end, used since $2 (= $1 - idle timeout).
SELECT username, via, created_at, last_seen, expires_at, user_agent, left(token_sha256, 8) AS tag
FROM sessions
WHERE ended_at IS NULL AND expires_at > ? AND last_seen > ?
ORDER BY last_seen DESC, username
