-- Export loads: 12315 / 12358 complaints and monitoring hits (issue 3).
-- Every loaded row is a VERSION of a record keyed by (source, record_id). Versions are never overwritten:
-- the current one is the version from the newest export among live (not withdrawn) batches, so a newer
-- status wins, a record is never counted twice, and withdrawing a batch brings back what it superseded.
-- No personal data is stored anywhere here: personal columns are dropped, free text is masked, and the
-- phone number survives only as an HMAC whose key is kept outside this file.

-- One row per loaded export file, beside its row in `batches`.
CREATE TABLE export_batches (
    batch_id          BIGINT PRIMARY KEY,
    source            VARCHAR NOT NULL,     -- complaints_12315 | price_12358 | monitoring
    file_format       VARCHAR NOT NULL,     -- csv | xlsx | xls
    encoding          VARCHAR,              -- csv only: utf-8 | utf-8-sig | gb18030 | utf-16
    sheet             VARCHAR,              -- workbooks only: the sheet that was read
    header_row        INTEGER NOT NULL,     -- as Excel shows it (1-based)
    exported_at       TIMESTAMP,            -- when the export was made: a date in the title lines, else the latest date in the file
    exported_at_basis VARCHAR NOT NULL,     -- title | data
    columns_mapped    VARCHAR NOT NULL,     -- JSON {field key: header as written}
    columns_personal  VARCHAR[] NOT NULL,   -- headers of the personal columns dropped (names of columns, never values)
    columns_ignored   VARCHAR[] NOT NULL,   -- headers not recognised, dropped
    rows_skipped      BIGINT NOT NULL DEFAULT 0, -- blank lines and notes under the table
    hmac_key_id       VARCHAR               -- fingerprint of the installation key that hashed phone numbers
);

-- 12315 and 12358 records (one table: the dashboard reads them side by side).
CREATE TABLE complaint_versions (
    batch_id            BIGINT NOT NULL,
    source              VARCHAR NOT NULL,   -- complaints_12315 | price_12358
    record_id           VARCHAR NOT NULL,
    row_no              INTEGER NOT NULL,   -- row in the file, as Excel shows it
    received_at         TIMESTAMP NOT NULL,
    info_type           VARCHAR,
    channel             VARCHAR,
    consumption_mode    VARCHAR,
    online              BOOLEAN NOT NULL,
    merchant_name       VARCHAR,
    merchant_key        VARCHAR,            -- USCC if valid, else the normalised name
    merchant_uscc       VARCHAR,
    uscc_valid          BOOLEAN NOT NULL,
    platform            VARCHAR,            -- normalised
    platform_raw        VARCHAR,            -- as written
    goods_category      VARCHAR,
    problem_category    VARCHAR,
    problem_subcategory VARCHAR,
    price_violation     VARCHAR,
    region              VARCHAR,
    unit                VARCHAR NOT NULL,   -- unit key, or 'outside'
    unit_inferred       BOOLEAN NOT NULL,
    handling_dept       VARCHAR,
    status              VARCHAR,
    closed_at           TIMESTAMP,
    amount_involved     DOUBLE,
    recovered_loss      DOUBLE,
    to_case             BOOLEAN,
    content             VARCHAR,            -- masked
    focus_key           VARCHAR NOT NULL,   -- F1..F6, or F0 未分类
    complainant_hash    VARCHAR             -- HMAC-SHA256 of the normalised phone number
);

CREATE TABLE hit_versions (
    batch_id      BIGINT NOT NULL,
    source        VARCHAR NOT NULL,         -- monitoring
    hit_id        VARCHAR NOT NULL,
    row_no        INTEGER NOT NULL,
    detected_at   TIMESTAMP NOT NULL,
    source_system VARCHAR,
    subject_type  VARCHAR,
    platform      VARCHAR,
    platform_raw  VARCHAR,
    shop_name     VARCHAR,
    url           VARCHAR,
    merchant_name VARCHAR,
    merchant_key  VARCHAR,
    merchant_uscc VARCHAR,
    uscc_valid    BOOLEAN NOT NULL,
    region        VARCHAR,
    unit          VARCHAR NOT NULL,
    unit_inferred BOOLEAN NOT NULL,
    hit_type      VARCHAR,
    keyword       VARCHAR,
    assigned_unit VARCHAR,
    assigned_at   TIMESTAMP,
    status        VARCHAR,
    result        VARCHAR,                  -- masked
    feedback_at   TIMESTAMP,
    focus_key     VARCHAR NOT NULL
);

-- Rows refused by a load (no ID, bad date …). The rest of the file loaded. `record` holds the row's
-- recognised, non-personal cells as text (JSON, keyed by the header as written; free text masked).
CREATE TABLE export_quarantine (
    batch_id    BIGINT NOT NULL,
    source      VARCHAR NOT NULL,
    row_no      INTEGER NOT NULL,
    sheet       VARCHAR,
    column_name VARCHAR,
    reason      VARCHAR NOT NULL,           -- Chinese, for the user
    value       VARCHAR,                    -- the offending cell, as found (never from a personal column)
    record      VARCHAR NOT NULL
);

-- Live versions: rows of batches that are not withdrawn, with their export's time for ordering.
CREATE VIEW v_complaint_versions AS
SELECT v.*, e.exported_at,
       row_number() OVER (PARTITION BY v.source, v.record_id
                          ORDER BY e.exported_at DESC NULLS LAST, v.batch_id DESC) = 1 AS is_current
FROM complaint_versions v
JOIN export_batches e USING (batch_id)
JOIN batches b USING (batch_id)
WHERE b.status = 'loaded';

CREATE VIEW v_complaints_current AS
SELECT source, record_id, received_at, info_type, channel, consumption_mode, online, merchant_name,
       merchant_key, merchant_uscc, uscc_valid, platform, goods_category, problem_category,
       problem_subcategory, price_violation, region, unit, unit_inferred, handling_dept, status, closed_at,
       amount_involved, recovered_loss, to_case, content, focus_key, complainant_hash, batch_id, row_no,
       platform_raw, exported_at
FROM v_complaint_versions
WHERE is_current;

CREATE VIEW v_hit_versions AS
SELECT v.*, e.exported_at,
       row_number() OVER (PARTITION BY v.source, v.hit_id
                          ORDER BY e.exported_at DESC NULLS LAST, v.batch_id DESC) = 1 AS is_current
FROM hit_versions v
JOIN export_batches e USING (batch_id)
JOIN batches b USING (batch_id)
WHERE b.status = 'loaded';

CREATE VIEW v_hits_current AS
SELECT hit_id, detected_at, source_system, subject_type, platform, shop_name, url, merchant_name,
       merchant_key, merchant_uscc, uscc_valid, region, unit, unit_inferred, hit_type, keyword, assigned_unit,
       assigned_at, status, result, feedback_at, focus_key, batch_id, row_no, platform_raw, exported_at
FROM v_hit_versions
WHERE is_current;
