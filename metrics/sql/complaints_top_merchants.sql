-- Top merchants under the current filter. A merchant is its valid 统一社会信用代码, else its normalised
-- name (merchant_key, set by the loader). {where} is the registry's parameterised filter clause.
-- Two steps: rank merchants by a plain count, then describe only the top ones (the descriptive aggregates
-- over every merchant cost seconds at 10M records).
WITH top AS (
    SELECT merchant_key, count(*) AS complaints
    FROM v_complaints_current
    WHERE merchant_key IS NOT NULL AND {where}
    GROUP BY merchant_key
    ORDER BY complaints DESC, merchant_key
    LIMIT $limit
)
SELECT merchant_key,
       arg_max(merchant_name, received_at)                 AS merchant_name,
       bool_or(uscc_valid)                                 AS uscc_valid,
       any_value(top.complaints)                           AS complaints,
       count(*) FILTER (WHERE online)                      AS online,
       count(DISTINCT platform)                            AS platforms,
       string_agg(DISTINCT platform, '、' ORDER BY platform) AS platform_list,
       coalesce(sum(amount_involved), 0)                   AS amount_involved,
       max(received_at)                                    AS last_received_at
FROM v_complaints_current
JOIN top USING (merchant_key)
WHERE {where}
GROUP BY merchant_key
ORDER BY complaints DESC, merchant_key
