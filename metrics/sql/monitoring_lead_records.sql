-- Every record of one cross-source lead (its merchant keys), newest first, without personal data.
SELECT source, record_id, received_at AS seen_at, platform,
       coalesce(problem_category, price_violation) AS category, status, unit, merchant_name
FROM v_complaints_current
WHERE list_contains($keys, merchant_key) AND CAST(received_at AS DATE) <= $as_of
UNION ALL
SELECT 'monitoring', hit_id, detected_at, platform, hit_type, status, unit, merchant_name
FROM v_hits_current
WHERE list_contains($keys, merchant_key) AND CAST(detected_at AS DATE) <= $as_of
ORDER BY seen_at DESC, source, record_id
