-- Top merchants over all the data (optionally one source), from the merchant_counts summary: the same
-- columns as complaints_top_merchants.sql, summed over the summary's per-source rows.
WITH m AS (
    SELECT merchant_key,
           arg_max(merchant_name, last_at)                         AS merchant_name,
           bool_or(uscc_valid)                                     AS uscc_valid,
           CAST(sum(n) AS BIGINT)                                  AS complaints,
           CAST(sum(online) AS BIGINT)                             AS online,
           list_sort(list_distinct(flatten(list(coalesce(platforms, []))))) AS platform_set,
           coalesce(sum(amount_involved), 0)                       AS amount_involved,
           max(last_at)                                            AS last_received_at
    FROM merchant_counts
    WHERE source IN ('complaints_12315', 'price_12358') AND ($source IS NULL OR source = $source)
    GROUP BY merchant_key
)
SELECT merchant_key, merchant_name, uscc_valid, complaints, online,
       CAST(len(platform_set) AS BIGINT)                 AS platforms,
       nullif(array_to_string(platform_set, '、'), '')   AS platform_list,
       amount_involved, last_received_at
FROM m
ORDER BY complaints DESC, merchant_key
LIMIT $limit
