-- Every live document of one (unit, agency), newest first, for the re-download list.
SELECT doc_id, batch_id, deliverable_key, role, title, file_name, mime_type, sha256, size_bytes, received_on,
       loaded_by, loaded_at
FROM v_deliverable_docs_live
WHERE unit = $unit AND agency = $agency
ORDER BY loaded_at DESC, doc_id
