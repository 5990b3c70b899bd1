-- …and leaves the versions table (the quarantined copies were written just before). DuckDB returns the count deleted.
DELETE FROM complaint_versions v
WHERE v.batch_id = $batch_id
  AND v.row_no < (SELECT max(w.row_no) FROM complaint_versions w
                  WHERE w.batch_id = $batch_id AND w.source = v.source AND w.record_id = v.record_id)
