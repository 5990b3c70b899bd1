-- One row per (source, merchant_key) of the current records up to $as_of, counted live (the merchant_counts
-- summary holds the same rows for all the data). Columns: source, merchant_key, uscc_valid, merchant_name, n,
-- first_at, last_at.
SELECT source, merchant_key, bool_or(uscc_valid) AS uscc_valid, arg_max(merchant_name, received_at) AS merchant_name,
       count(*) AS n, min(received_at) AS first_at, max(received_at) AS last_at
FROM v_complaints_current
WHERE merchant_key IS NOT NULL AND CAST(received_at AS DATE) <= $as_of
GROUP BY source, merchant_key
UNION ALL
SELECT 'monitoring', merchant_key, bool_or(uscc_valid), arg_max(merchant_name, detected_at),
       count(*), min(detected_at), max(detected_at)
FROM v_hits_current
WHERE merchant_key IS NOT NULL AND CAST(detected_at AS DATE) <= $as_of
GROUP BY merchant_key
