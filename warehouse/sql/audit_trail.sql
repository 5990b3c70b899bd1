-- The audit trail, newest first, filtered by who / what / when (each filter NULL = any; $since and $until are
-- UTC stamps, as logged_at is).
SELECT audit_id, logged_at, username, action, target, sha256, detail
FROM audit_log
WHERE ($username IS NULL OR username = $username)
  AND ($action IS NULL OR action = $action)
  AND ($since IS NULL OR logged_at >= $since)
  AND ($until IS NULL OR logged_at < $until)
ORDER BY audit_id DESC
LIMIT $limit
