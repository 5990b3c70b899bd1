-- One row per source and merchant (merchant_key) of the current records detected or received up to $as_of:
-- what the merchant_counts summary holds (for all the data), and what the cross-source leads and top merchants
-- count live for an earlier as-of date.
SELECT source, merchant_key, count(*) AS n, count(*) FILTER (WHERE online) AS online,
       sum(amount_involved) AS amount_involved, bool_or(uscc_valid) AS uscc_valid,
       arg_max(merchant_name, received_at) AS merchant_name, min(received_at) AS first_at, max(received_at) AS last_at,
       list(DISTINCT platform) FILTER (WHERE platform IS NOT NULL) AS platforms
FROM v_complaints_current
WHERE merchant_key IS NOT NULL AND CAST(received_at AS DATE) <= $as_of
GROUP BY source, merchant_key
UNION ALL
SELECT 'monitoring', merchant_key, count(*), NULL, NULL, bool_or(uscc_valid), arg_max(merchant_name, detected_at),
       min(detected_at), max(detected_at), NULL
FROM v_hits_current
WHERE merchant_key IS NOT NULL AND CAST(detected_at AS DATE) <= $as_of
GROUP BY merchant_key
