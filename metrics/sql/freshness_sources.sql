-- Per upload kind: the newest day its live data speaks of, and when it was last loaded, in office time.
-- Export sources: the latest record date among current versions (withdrawn batches' rows are gone).
-- Weekly tables: the Sunday of the newest week with a live table. $office_tz: the campaign's time zone;
-- batches.loaded_at is the server's clock in DuckDB's session zone, converted here.
WITH newest AS (
    SELECT source AS kind, max(CAST(received_at AS DATE)) AS newest FROM complaint_versions WHERE is_current GROUP BY source
    UNION ALL
    SELECT source, max(CAST(detected_at AS DATE)) FROM hit_versions WHERE is_current GROUP BY source
    UNION ALL
    SELECT 'district_stats', CAST(max(week_start) + INTERVAL 6 DAY AS DATE) FROM v_stats_tables_current
),
loads AS (
    SELECT kind, max(loaded_at) AS loaded_at FROM batches WHERE status = 'loaded' GROUP BY kind
)
SELECT l.kind, n.newest,
       timezone($office_tz, timezone(current_setting('TimeZone'), l.loaded_at)) AS loaded_at
FROM loads l
LEFT JOIN newest n USING (kind)
