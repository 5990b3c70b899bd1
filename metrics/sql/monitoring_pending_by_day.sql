-- Hits still 待核查, counted by detection day (the page ages each day in working days); {where}: the cut on the
-- detection day and the page's filters (registry.scan_filter).
SELECT CAST(detected_at AS DATE) AS day, count(*) AS hits
FROM v_hits_current
WHERE status = $status AND {where}
GROUP BY ALL
ORDER BY day
