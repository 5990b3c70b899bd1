-- Recent export batches that quarantined rows, newest first (for the upload page).
SELECT b.batch_id, b.kind, b.file_name, b.loaded_by, b.loaded_at, b.status, b.rows_loaded, b.rows_quarantined
FROM batches b
JOIN export_batches e USING (batch_id)
WHERE b.rows_quarantined > 0 AND b.status = 'loaded'
ORDER BY b.batch_id DESC
LIMIT $limit
