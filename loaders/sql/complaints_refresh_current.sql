-- Re-decide the current version of every record that batch $keys_batch touches (NULL: every record): the newest export among
-- live batches wins (ties: the later batch). Versions of batch $exclude_batch (being withdrawn) never win.
UPDATE complaint_versions AS v
SET is_current = (v.batch_id = w.best)
FROM (
    SELECT c.source, c.record_id,
           arg_max(c.batch_id, struct_pack(t := coalesce(e.exported_at, TIMESTAMP '0001-01-01'), b := c.batch_id)) AS best
    FROM complaint_versions c
    JOIN (SELECT DISTINCT source, record_id FROM complaint_versions WHERE $keys_batch IS NULL OR batch_id = $keys_batch) k USING (source, record_id)
    JOIN export_batches e USING (batch_id)
    JOIN batches b USING (batch_id)
    WHERE b.status = 'loaded' AND c.batch_id <> $exclude_batch
    GROUP BY c.source, c.record_id
) AS w
WHERE v.source = w.source AND v.record_id = w.record_id
