-- Hits still 待核查, counted by detection day (the page ages each day in working days); the condition after AND,
-- from registry.scan_filter, cuts on the detection day and applies the page's filters.
SELECT CAST(detected_at AS DATE) AS day, count(*) AS hits
FROM v_hits_current
WHERE status = $status AND {where}
GROUP BY ALL
ORDER BY day
