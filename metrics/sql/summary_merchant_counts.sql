-- Fills merchant_counts (emptied first) from the current records: the same per-merchant aggregates that
-- complaints_top_merchants.sql and monitoring_cross_source.sql compute live.
INSERT INTO merchant_counts
SELECT source, merchant_key, count(*), count(*) FILTER (WHERE online), sum(amount_involved), bool_or(uscc_valid),
       arg_max(merchant_name, received_at), min(received_at), max(received_at),
       list(DISTINCT platform) FILTER (WHERE platform IS NOT NULL)
FROM v_complaints_current
WHERE merchant_key IS NOT NULL
GROUP BY source, merchant_key
UNION ALL
SELECT 'monitoring', merchant_key, count(*), NULL, NULL, bool_or(uscc_valid), arg_max(merchant_name, detected_at),
       min(detected_at), max(detected_at), NULL
FROM v_hits_current
WHERE merchant_key IS NOT NULL
GROUP BY merchant_key
