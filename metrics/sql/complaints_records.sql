-- Records under the current filter, newest first, without personal data: no complainant hash and no
-- free text (the masked content is shown only in a record's detail). {where}: the registry's filter;
-- $lo/$hi: the span complaints_records_span found (no record outside it can be among the newest $limit).
SELECT source, record_id, received_at, info_type, online, merchant_name, merchant_uscc, platform,
       goods_category, coalesce(problem_category, price_violation) AS problem, focus_key, unit,
       handling_dept, status, closed_at, amount_involved, recovered_loss
FROM v_complaints_current
WHERE received_at BETWEEN $lo AND $hi AND {where}
ORDER BY received_at DESC, source, record_id
LIMIT $limit
