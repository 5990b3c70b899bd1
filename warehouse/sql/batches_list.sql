-- Batch history, newest first. $kinds NULL means every kind; $unit / $agency NULL mean every unit / agency.
SELECT batch_id, kind, file_name, sha256, unit, agency, week_start, rows_total, rows_loaded,
       rows_quarantined, status, is_demo, loaded_by, loaded_at, withdrawn_by, withdrawn_at, note
FROM batches
WHERE ($kinds IS NULL OR list_contains($kinds, kind))
  AND ($unit IS NULL OR unit = $unit)
  AND ($agency IS NULL OR agency = $agency)
ORDER BY batch_id DESC
LIMIT $limit
