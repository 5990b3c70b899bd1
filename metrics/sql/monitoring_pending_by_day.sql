-- Hits still 待核查, counted by detection day (the page ages each day in working days).
SELECT CAST(detected_at AS DATE) AS day, count(*) AS hits
FROM v_hits_current
WHERE status = $status AND CAST(detected_at AS DATE) <= $as_of
GROUP BY ALL
ORDER BY day
