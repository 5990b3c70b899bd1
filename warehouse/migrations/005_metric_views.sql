-- Views the metric registry reads: 统计表2 with its focus area, and the reporting agency of every value.

CREATE VIEW v_stats_table2_focus AS
SELECT s.unit, s.agency, s.week_start, s.violation_key, v.focus_key, s.column_key, s.value, s.batch_id
FROM v_stats_table2_current s
JOIN ref_violation_types v ON v.key = s.violation_key;
