-- Warnings stored with one version.
SELECT kind, sheet, row_no, col, message
FROM stats_warnings
WHERE batch_id = $batch_id
ORDER BY seq
