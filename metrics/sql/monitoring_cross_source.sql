-- Cross-source leads (协同管网): merchants found in two or more of 12315, 12358 and monitoring.
-- A merchant is its valid 统一社会信用代码; a record without one is matched by its normalised name, and
-- a name seen with exactly one valid code anywhere is resolved to that code.
WITH recs AS (
    SELECT source, merchant_key, merchant_name, merchant_uscc, uscc_valid, received_at AS seen_at
    FROM v_complaints_current
    WHERE merchant_key IS NOT NULL AND CAST(received_at AS DATE) <= $as_of
    UNION ALL
    SELECT 'monitoring', merchant_key, merchant_name, merchant_uscc, uscc_valid, detected_at
    FROM v_hits_current
    WHERE merchant_key IS NOT NULL AND CAST(detected_at AS DATE) <= $as_of
),
names AS (
    SELECT regexp_replace(merchant_name, '\s', '', 'g') AS name_key, min(merchant_uscc) AS uscc
    FROM (SELECT DISTINCT merchant_name, merchant_uscc FROM recs WHERE uscc_valid AND merchant_name IS NOT NULL)
    GROUP BY 1
    HAVING count(*) = 1
),
keyed AS (
    SELECT r.*, CASE WHEN r.uscc_valid THEN r.merchant_uscc ELSE coalesce(n.uscc, r.merchant_key) END AS entity
    FROM recs r
    LEFT JOIN names n ON NOT r.uscc_valid AND n.name_key = r.merchant_key
),
leads AS (
    SELECT entity,
           arg_max(merchant_name, seen_at)                                AS merchant_name,
           bool_or(uscc_valid OR entity <> merchant_key)              AS has_uscc,
           count(*) FILTER (WHERE source = 'complaints_12315')         AS n_12315,
           count(*) FILTER (WHERE source = 'price_12358')              AS n_12358,
           count(*) FILTER (WHERE source = 'monitoring')               AS n_monitoring,
           count(DISTINCT source)                                      AS sources,
           list(DISTINCT merchant_key)                                 AS keys,
           min(seen_at)                                                  AS first_at,
           max(seen_at)                                                  AS last_at
    FROM keyed
    GROUP BY entity
    HAVING count(DISTINCT source) >= 2
)
SELECT *, $w_12315 * n_12315 + $w_12358 * n_12358 + $w_monitoring * n_monitoring AS weight,
       count(*) OVER () AS leads_total
FROM leads
ORDER BY weight DESC, sources DESC, entity
LIMIT $limit
