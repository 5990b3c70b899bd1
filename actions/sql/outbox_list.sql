-- The outbox for the admin page: one row per delivery, and one per message still without a route.
SELECT m.message_id, m.created_at, m.as_of, m.kind, m.audience, m.unit, m.agency, m.subject, m.text, m.due,
       d.channel, d.target,
       coalesce(d.status, 'unrouted') AS status, coalesce(d.attempts, 0) AS attempts,
       CASE WHEN d.delivery_id IS NULL THEN '尚未配置该单位的提醒渠道：配置后下次运行时发送' ELSE d.last_error END
           AS last_error,
       d.last_try_at, d.sent_at
FROM outbox_messages m
LEFT JOIN outbox_deliveries d USING (message_id)
ORDER BY m.message_id DESC, d.delivery_id
LIMIT $limit
