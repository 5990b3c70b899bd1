-- Re-decide the current version of the records that batch $keys_batch shares with other batches (NULL: of
-- every record with more than one version): the newest export among live batches wins (ties: the later
-- batch). Versions of batch $exclude_batch (being withdrawn) never win. A record with a single version
-- is current by the column's default, so a load of new records updates nothing here.
-- {table} and {id} are the source spec's versions table and record-id column (identifiers, never input).
UPDATE {table} AS v
SET is_current = (v.batch_id = w.best)
FROM (
    SELECT c.source, c.{id},
           arg_max(c.batch_id, struct_pack(t := coalesce(e.exported_at, TIMESTAMP '0001-01-01'), b := c.batch_id)) AS best
    FROM {table} c
    JOIN (
        SELECT DISTINCT o.source, o.{id}
        FROM {table} o
        JOIN {table} k ON k.source = o.source AND k.{id} = o.{id} AND k.batch_id <> o.batch_id
        WHERE $keys_batch IS NULL OR k.batch_id = $keys_batch
    ) contested USING (source, {id})
    JOIN export_batches e USING (batch_id)
    JOIN batches b USING (batch_id)
    WHERE b.status = 'loaded' AND c.batch_id <> $exclude_batch
    GROUP BY c.source, c.{id}
) AS w
WHERE v.source = w.source AND v.{id} = w.{id}
