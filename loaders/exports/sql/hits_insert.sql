-- Staged monitoring hits → versions (monitoring exports carry no personal columns).
INSERT INTO hit_versions BY NAME
SELECT * EXCLUDE (__phone, __bad)
FROM export_stage
WHERE NOT __bad  -- quarantined rows go to export_quarantine instead
