-- An item's state and level now, and the day of its last step (the next step may not be dated before it).
SELECT i.state, i.level, max(s.on_date)
FROM followup_items i
JOIN followup_steps s USING (item_id)
WHERE i.item_id = ?
GROUP BY ALL
