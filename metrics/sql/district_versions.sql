-- Every version of one (unit, agency, week), oldest first, with its batch status.
SELECT batch_id, version, received_on, file_name, status, is_current, loaded_by, loaded_at,
       withdrawn_by, withdrawn_at
FROM v_stats_versions
WHERE unit = $unit AND agency = $agency AND week_start = $week
ORDER BY version
