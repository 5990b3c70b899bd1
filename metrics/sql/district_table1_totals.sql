-- 统计表1 cumulative totals over the current weekly versions; $as_of NULL means every week,
-- else the weeks whose Sunday is on or before $as_of.
SELECT indicator_key, sum(value) AS value
FROM v_stats_table1_current
WHERE $as_of IS NULL OR week_start + INTERVAL 6 DAY <= $as_of
GROUP BY indicator_key
