-- All values of one version as (table_no, row_key, column_key, value, sheet, row_no, col_letter).
SELECT 1 AS table_no, indicator_key AS row_key, 'value' AS column_key, value, sheet, row_no, col_letter
FROM stats_table1_values WHERE batch_id = $batch_id
UNION ALL
SELECT 2, violation_key, column_key, value, sheet, row_no, col_letter
FROM stats_table2_values WHERE batch_id = $batch_id
