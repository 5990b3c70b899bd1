-- Staged monitoring hits → versions (monitoring exports carry no personal columns).
INSERT INTO hit_versions BY NAME
SELECT * EXCLUDE (__phone)
FROM export_stage
