-- 统计表2 cumulative totals over the current weekly versions (see district_table1_totals.sql for $as_of).
SELECT violation_key, column_key, sum(value) AS value
FROM v_stats_table2_current
WHERE $as_of IS NULL OR week_start + INTERVAL 6 DAY <= $as_of
GROUP BY violation_key, column_key
