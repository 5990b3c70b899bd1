-- Current weekly tables: one per (unit, agency, week) with a live version.
SELECT count(*)
FROM v_stats_tables_current
WHERE $as_of IS NULL OR week_start + INTERVAL 6 DAY <= $as_of
