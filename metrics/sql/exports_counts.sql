-- Counts of distinct current records per source and dimension, for the summary.
-- $as_of NULL = everything; else records received/detected on or before that day.
WITH complaints AS (
    SELECT source, focus_key, unit, status, online
    FROM v_complaints_current
    WHERE $as_of IS NULL OR CAST(received_at AS DATE) <= $as_of
), hits AS (
    SELECT 'monitoring' AS source, focus_key, unit, status, NULL::BOOLEAN AS online
    FROM v_hits_current
    WHERE $as_of IS NULL OR CAST(detected_at AS DATE) <= $as_of
), rows AS (
    SELECT * FROM complaints UNION ALL SELECT * FROM hits
)
SELECT source, 'total' AS dim, '' AS key, count(*) AS n FROM rows GROUP BY source
UNION ALL SELECT source, 'online', '', count(*) FILTER (WHERE online) FROM rows GROUP BY source
UNION ALL SELECT source, 'by_focus_area', focus_key, count(*) FROM rows GROUP BY source, focus_key
UNION ALL SELECT source, 'by_unit', unit, count(*) FROM rows GROUP BY source, unit
UNION ALL SELECT source, 'by_status', coalesce(status, ''), count(*) FROM rows GROUP BY source, status
