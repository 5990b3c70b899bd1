-- When each (unit, agency, week) first had a live weekly table, and its current version.
SELECT unit, agency, week_start, first_received_on, live_versions, current_batch_id
FROM v_stats_submissions
