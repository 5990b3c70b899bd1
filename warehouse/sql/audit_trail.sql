-- The audit trail, newest first, filtered by who / what / when (each filter NULL = any).
SELECT audit_id, logged_at, username, action, target, sha256, detail
FROM audit_log
WHERE ($username IS NULL OR username = $username)
  AND ($action IS NULL OR action = $action)
  AND ($start IS NULL OR logged_at >= $start)
  AND ($end IS NULL OR logged_at < CAST($end AS DATE) + INTERVAL 1 DAY)
ORDER BY audit_id DESC
LIMIT $limit
