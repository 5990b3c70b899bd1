-- The 立案 a unit reported in its current 统计表2 (week and violation type with cases filed > 0): what a feedback
-- step may cite.
SELECT week_start, violation_key, value AS cases_filed
FROM v_stats_table2_current
WHERE unit = $unit AND agency = $agency AND column_key = 'cases_filed' AND value > 0
ORDER BY week_start DESC, violation_key
