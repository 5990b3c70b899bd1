-- The quarantined rows of one batch, in file order. No personal data is stored here (see 002_exports.sql).
SELECT row_no, sheet, column_name, reason, value, record
FROM export_quarantine
WHERE batch_id = $batch_id
ORDER BY row_no
