-- One record's detail (current version) with the file it came from. No complainant hash.
SELECT c.source, c.record_id, c.received_at, c.info_type, c.channel, c.consumption_mode, c.online,
       c.merchant_name, c.merchant_uscc, c.uscc_valid, c.platform, c.platform_raw, c.goods_category,
       c.problem_category, c.problem_subcategory, c.price_violation, c.region, c.unit, c.unit_inferred,
       c.handling_dept, c.status, c.closed_at, c.amount_involved, c.recovered_loss, c.to_case, c.content,
       c.focus_key, c.batch_id, c.row_no, b.file_name
FROM v_complaints_current c
LEFT JOIN batches b USING (batch_id)
WHERE c.source = $source AND c.record_id = $record_id
