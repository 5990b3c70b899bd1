-- The overdue list: hits still 待核查 detected on or before the cut-off day, within the page's filters (the
-- condition after AND comes from registry.scan_filter), oldest first.
SELECT hit_id, detected_at, source_system, hit_type, subject_type, platform, shop_name, merchant_name, unit,
       assigned_unit, assigned_at, status
FROM v_hits_current
WHERE status = $status AND {where}
ORDER BY detected_at, hit_id
LIMIT $limit
