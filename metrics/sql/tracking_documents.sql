-- Live deliverable documents other than 典型案例 (those are counted from v_typical_cases_live).
SELECT unit, agency, deliverable_key, received_on, doc_id, file_name, title, sha256, size_bytes, batch_id
FROM v_deliverable_docs_live
WHERE deliverable_key <> 'typical_cases'
ORDER BY received_on, doc_id
