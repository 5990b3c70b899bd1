-- The oldest and newest received_at among the records the table will show (the newest $limit under the filter).
SELECT min(received_at), max(received_at)
FROM (SELECT received_at FROM v_complaints_current WHERE {where} ORDER BY received_at DESC LIMIT $limit)
