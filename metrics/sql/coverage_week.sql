-- Who has a live weekly table for one report week: the tables the 统计表 figures add up for that week.
SELECT DISTINCT unit, agency
FROM v_stats_tables_current
WHERE week_start = $week
