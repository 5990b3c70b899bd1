-- Live deliverable documents of a unit (and agency), with who uploaded them and when, for the 总结报告 pack.
-- $unit / $agency NULL: every unit / agency. Documents received after the as-of date are left out.
SELECT d.doc_id, d.unit, d.agency, d.deliverable_key, d.role, d.title, d.file_name, d.sha256, d.content,
       b.loaded_by, b.loaded_at, d.received_on
FROM deliverable_docs d
JOIN batches b USING (batch_id)
WHERE b.status = 'loaded'
  AND ($unit IS NULL OR d.unit = $unit)
  AND ($agency IS NULL OR d.agency = $agency)
  AND d.received_on <= $as_of
ORDER BY d.unit, d.agency, d.deliverable_key, d.batch_id, d.doc_id
