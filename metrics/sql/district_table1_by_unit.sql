-- 统计表1 cumulative per unit (member agencies' tables count under their unit, i.e. 市本级).
SELECT unit, indicator_key, sum(value) AS value
FROM v_stats_table1_current
WHERE $as_of IS NULL OR week_start + INTERVAL 6 DAY <= $as_of
GROUP BY unit, indicator_key
