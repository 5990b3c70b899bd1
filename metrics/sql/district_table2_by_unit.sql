-- 统计表2 cumulative per unit and violation type.
SELECT unit, violation_key, column_key, sum(value) AS value
FROM v_stats_table2_current
WHERE $as_of IS NULL OR week_start + INTERVAL 6 DAY <= $as_of
GROUP BY unit, violation_key, column_key
