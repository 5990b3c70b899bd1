-- Distinct values offered by the 投诉分析 filters (one scan of the current records).
SELECT list(DISTINCT unit ORDER BY unit)                                          AS unit,
       list(DISTINCT focus_key ORDER BY focus_key)                                AS focus,
       list(DISTINCT goods_category ORDER BY goods_category)
           FILTER (WHERE goods_category IS NOT NULL)                              AS goods,
       list(DISTINCT coalesce(problem_category, price_violation)
                ORDER BY coalesce(problem_category, price_violation))
           FILTER (WHERE coalesce(problem_category, price_violation) IS NOT NULL) AS problem,
       list(DISTINCT platform ORDER BY platform) FILTER (WHERE platform IS NOT NULL) AS platform,
       list(DISTINCT status ORDER BY status) FILTER (WHERE status IS NOT NULL)    AS status,
       min(CAST(received_at AS DATE))                                             AS first_day,
       max(CAST(received_at AS DATE))                                             AS last_day
FROM v_complaints_current
