-- Current versions are kept as a flag, maintained inside the load and withdrawal transactions
-- (loaders/sql/*_refresh_current.sql), instead of a window over every version on every query: at 10M
-- records the window made each complaint figure cost seconds. The current-record views read one table,
-- with no join: the export's time matters only for choosing the current version, and that is done here.

ALTER TABLE complaint_versions ADD COLUMN is_current BOOLEAN DEFAULT false;
ALTER TABLE hit_versions ADD COLUMN is_current BOOLEAN DEFAULT false;

-- Backfill: the newest export among live batches wins (ties: the later batch), as the old views said.
UPDATE complaint_versions AS v
SET is_current = (v.batch_id = w.best)
FROM (
    SELECT c.source, c.record_id,
           arg_max(c.batch_id, struct_pack(t := coalesce(e.exported_at, TIMESTAMP '0001-01-01'), b := c.batch_id)) AS best
    FROM complaint_versions c
    JOIN export_batches e USING (batch_id)
    JOIN batches b USING (batch_id)
    WHERE b.status = 'loaded'
    GROUP BY c.source, c.record_id
) AS w
WHERE v.source = w.source AND v.record_id = w.record_id;

UPDATE hit_versions AS v
SET is_current = (v.batch_id = w.best)
FROM (
    SELECT c.source, c.hit_id,
           arg_max(c.batch_id, struct_pack(t := coalesce(e.exported_at, TIMESTAMP '0001-01-01'), b := c.batch_id)) AS best
    FROM hit_versions c
    JOIN export_batches e USING (batch_id)
    JOIN batches b USING (batch_id)
    WHERE b.status = 'loaded'
    GROUP BY c.source, c.hit_id
) AS w
WHERE v.source = w.source AND v.hit_id = w.hit_id;

-- A new version is current unless the record has another version: the loader re-decides only those
-- contested records, so a load of new records costs no UPDATE at all.
ALTER TABLE complaint_versions ALTER COLUMN is_current SET DEFAULT true;
ALTER TABLE hit_versions ALTER COLUMN is_current SET DEFAULT true;

CREATE OR REPLACE VIEW v_complaint_versions AS
SELECT v.*, e.exported_at
FROM complaint_versions v
JOIN export_batches e USING (batch_id)
JOIN batches b USING (batch_id)
WHERE b.status = 'loaded';

CREATE OR REPLACE VIEW v_complaints_current AS
SELECT v.source, v.record_id, v.received_at, v.info_type, v.channel, v.consumption_mode, v.online, v.merchant_name,
       v.merchant_key, v.merchant_uscc, v.uscc_valid, v.platform, v.goods_category, v.problem_category,
       v.problem_subcategory, v.price_violation, v.region, v.unit, v.unit_inferred, v.handling_dept, v.status,
       v.closed_at, v.amount_involved, v.recovered_loss, v.to_case, v.content, v.focus_key, v.complainant_hash,
       v.batch_id, v.row_no, v.platform_raw
FROM complaint_versions v
WHERE v.is_current;

CREATE OR REPLACE VIEW v_hit_versions AS
SELECT v.*, e.exported_at
FROM hit_versions v
JOIN export_batches e USING (batch_id)
JOIN batches b USING (batch_id)
WHERE b.status = 'loaded';

CREATE OR REPLACE VIEW v_hits_current AS
SELECT v.hit_id, v.detected_at, v.source_system, v.subject_type, v.platform, v.shop_name, v.url, v.merchant_name,
       v.merchant_key, v.merchant_uscc, v.uscc_valid, v.region, v.unit, v.unit_inferred, v.hit_type, v.keyword,
       v.assigned_unit, v.assigned_at, v.status, v.result, v.feedback_at, v.focus_key, v.batch_id, v.row_no,
       v.platform_raw
FROM hit_versions v
WHERE v.is_current;
