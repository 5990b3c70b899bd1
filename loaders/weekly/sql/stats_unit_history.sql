-- 统计表1 values of one (unit, agency) in its other current weeks: the "usual level" for the far-above check.
SELECT indicator_key, value
FROM v_stats_table1_current
WHERE unit = ? AND agency = ? AND week_start <> ?
