-- Cross-source leads (协同管网): merchants found in two or more of 12315, 12358 and monitoring.
-- A merchant is its valid 统一社会信用代码; a record without one is matched by its normalised name, and
-- a name seen with exactly one valid code anywhere is resolved to that code.
-- Records are first reduced to one row per (source, merchant_key) (per_key: merchant_counts.sql counted live up
-- to $as_of, or the merchant_counts summary), so the matching works on thousands of merchants, not millions.
WITH per_key AS MATERIALIZED ({per_key}),
names AS (
    SELECT regexp_replace(merchant_name, '\s', '', 'g') AS name_key, min(merchant_key) AS uscc
    FROM per_key
    WHERE uscc_valid AND merchant_name IS NOT NULL
    GROUP BY 1
    HAVING count(DISTINCT merchant_key) = 1
),
keyed AS (
    SELECT p.*, CASE WHEN p.uscc_valid THEN p.merchant_key ELSE coalesce(n.uscc, p.merchant_key) END AS entity
    FROM per_key p
    LEFT JOIN names n ON n.name_key = p.merchant_key  -- a plain equi-join (hash join); the CASE above ignores it for coded rows
),
leads AS (
    SELECT entity,
           arg_max(merchant_name, last_at)                             AS merchant_name,
           bool_or(uscc_valid OR entity <> merchant_key)               AS has_uscc,
           coalesce(sum(n) FILTER (WHERE source = 'complaints_12315'), 0) AS n_12315,
           coalesce(sum(n) FILTER (WHERE source = 'price_12358'), 0)   AS n_12358,
           coalesce(sum(n) FILTER (WHERE source = 'monitoring'), 0)    AS n_monitoring,
           count(DISTINCT source)                                      AS sources,
           list(DISTINCT merchant_key)                                 AS keys,
           min(first_at)                                               AS first_at,
           max(last_at)                                                AS last_at
    FROM keyed
    GROUP BY entity
    HAVING count(DISTINCT source) >= 2
)
SELECT *, $w_12315 * n_12315 + $w_12358 * n_12358 + $w_monitoring * n_monitoring AS weight,
       count(*) OVER () AS leads_total
FROM leads
ORDER BY weight DESC, sources DESC, entity
LIMIT $limit
