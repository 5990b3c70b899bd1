-- Deliveries to try now: never tried, or failed fewer than $max_attempts times; oldest message first.
SELECT d.delivery_id, d.channel, d.target, m.subject, m.text
FROM outbox_deliveries d
JOIN outbox_messages m USING (message_id)
WHERE d.status = 'pending' OR (d.status = 'failed' AND d.attempts < $max_attempts)
ORDER BY m.message_id, d.delivery_id
