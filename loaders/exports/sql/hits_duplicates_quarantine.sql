-- The same hit twice in one file: every row but the last of each hit_id moves to quarantine.
INSERT INTO export_quarantine (batch_id, source, row_no, sheet, column_name, reason, value, record)
SELECT v.batch_id, v.source, v.row_no, $sheet, $id_header,
       format('“{}”列的编号在本文件第 {} 行再次出现：同一文件内以最后一行为准', $id_header, d.last_row),
       v.hit_id,
       to_json(v)::VARCHAR
FROM (SELECT * FROM hit_versions WHERE batch_id = $batch_id) v
JOIN (SELECT source, hit_id, max(row_no) AS last_row
      FROM hit_versions WHERE batch_id = $batch_id
      GROUP BY source, hit_id HAVING count(*) > 1) d USING (source, hit_id)
WHERE v.row_no < d.last_row
