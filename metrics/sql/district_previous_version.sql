-- The live version of the same (unit, agency, week) that came just before $batch_id.
SELECT p.batch_id
FROM stats_tables t
JOIN stats_tables p ON p.unit = t.unit AND p.agency = t.agency AND p.week_start = t.week_start
JOIN batches b ON b.batch_id = p.batch_id
WHERE t.batch_id = $batch_id AND p.batch_id < t.batch_id AND b.status = 'loaded'
ORDER BY p.batch_id DESC
LIMIT 1
