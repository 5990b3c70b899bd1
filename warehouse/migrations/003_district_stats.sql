-- Weekly 情况统计表 (统计表1 and 统计表2) and the deliverables (实施方案, 总结报告, 典型案例, 联合执法材料).
--
-- Every upload of a weekly table is a new version: its batch row (kind 'district_stats') plus one row in
-- stats_tables and its values. Nothing is overwritten or deleted: the current version of a (unit, agency,
-- week) is the newest one whose batch is still live, so withdrawing a version brings back the one before.

CREATE TABLE stats_tables (
    batch_id     BIGINT PRIMARY KEY,        -- batches.batch_id (kind 'district_stats')
    unit         VARCHAR NOT NULL,          -- ref_units.key
    agency       VARCHAR NOT NULL,          -- ref_agencies.key ('aic' for the bureaus)
    week_start   DATE NOT NULL,             -- report week, keyed by its Monday
    version      INTEGER NOT NULL,          -- 1, 2, ... per (unit, agency, week), in upload order
    received_on  DATE NOT NULL,             -- the day the office received the table (for on-time tracking)
    reporter_text VARCHAR,                  -- 填报单位 as written in the sheet
    period_text  VARCHAR                    -- 统计周期 as written in the sheet
);

-- 统计表1, long form: one row per indicator. sheet/row_no/col_letter point at the cell in the file.
CREATE TABLE stats_table1_values (
    batch_id      BIGINT NOT NULL,
    indicator_key VARCHAR NOT NULL,         -- ref_measures.key (table_no 1)
    value         DOUBLE NOT NULL,
    sheet         VARCHAR,
    row_no        INTEGER,
    col_letter    VARCHAR,
    PRIMARY KEY (batch_id, indicator_key)
);

-- 统计表2, long form: one row per violation type and column.
CREATE TABLE stats_table2_values (
    batch_id      BIGINT NOT NULL,
    violation_key VARCHAR NOT NULL,         -- ref_violation_types.key
    column_key    VARCHAR NOT NULL,         -- ref_measures.key (table_no 2)
    value         DOUBLE NOT NULL,
    sheet         VARCHAR,
    row_no        INTEGER,
    col_letter    VARCHAR,
    PRIMARY KEY (batch_id, violation_key, column_key)
);

-- Warnings found on upload (they never block): reconcile | total_row | far_above | missing_row.
CREATE TABLE stats_warnings (
    batch_id   BIGINT NOT NULL,
    seq        INTEGER NOT NULL,
    kind       VARCHAR NOT NULL,
    sheet      VARCHAR,
    row_no     INTEGER,
    col        VARCHAR,
    message    VARCHAR NOT NULL,
    PRIMARY KEY (batch_id, seq)
);

-- Every version of every weekly table, with its batch status; current = newest live version.
CREATE VIEW v_stats_versions AS
SELECT t.batch_id, t.unit, t.agency, t.week_start, t.version, t.received_on, t.reporter_text, t.period_text,
       b.file_name, b.sha256, b.status, b.is_demo, b.loaded_by, b.loaded_at, b.withdrawn_by, b.withdrawn_at,
       b.status = 'loaded'
       AND t.batch_id = max(CASE WHEN b.status = 'loaded' THEN t.batch_id END)
           OVER (PARTITION BY t.unit, t.agency, t.week_start) AS is_current
FROM stats_tables t
JOIN batches b USING (batch_id);

CREATE VIEW v_stats_tables_current AS
SELECT batch_id, unit, agency, week_start, version, received_on, file_name, is_demo, loaded_by, loaded_at
FROM v_stats_versions
WHERE is_current;

-- One row per (unit, agency, week) that has a live version: when it first arrived (a later correction does
-- not make an on-time table late) and how many live versions there are.
CREATE VIEW v_stats_submissions AS
SELECT unit, agency, week_start, min(received_on) AS first_received_on, count(*) AS live_versions,
       max(batch_id) AS current_batch_id
FROM v_stats_versions
WHERE status = 'loaded'
GROUP BY unit, agency, week_start;

CREATE VIEW v_stats_table1_current AS
SELECT c.unit, c.agency, c.week_start, v.indicator_key, v.value, c.batch_id
FROM v_stats_tables_current c
JOIN stats_table1_values v USING (batch_id);

CREATE VIEW v_stats_table2_current AS
SELECT c.unit, c.agency, c.week_start, v.violation_key, v.column_key, v.value, c.batch_id
FROM v_stats_tables_current c
JOIN stats_table2_values v USING (batch_id);

CREATE VIEW v_stats_warnings_current AS
SELECT c.unit, c.agency, c.week_start, w.kind, w.sheet, w.row_no, w.col, w.message, c.batch_id
FROM v_stats_tables_current c
JOIN stats_warnings w USING (batch_id);

-- Deliverables. Each upload is one batch (kind 'deliverable'); its files are stored as BLOBs here, so a
-- document and its metadata are written, backed up and withdrawn together with the warehouse file.
CREATE SEQUENCE deliverable_doc_id_seq START 1;

CREATE TABLE deliverable_docs (
    doc_id          BIGINT PRIMARY KEY DEFAULT nextval('deliverable_doc_id_seq'),
    batch_id        BIGINT NOT NULL,
    unit            VARCHAR NOT NULL,
    agency          VARCHAR NOT NULL,
    deliverable_key VARCHAR NOT NULL,       -- ref_deliverables.key
    role            VARCHAR NOT NULL,       -- document | case_material | decision_document
    title           VARCHAR,
    file_name       VARCHAR NOT NULL,
    mime_type       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    size_bytes      BIGINT NOT NULL,
    content         BLOB NOT NULL,
    received_on     DATE NOT NULL
);

-- 典型案例 metadata: one row per case (its documents are in deliverable_docs with the same batch_id).
CREATE TABLE typical_cases (
    batch_id          BIGINT PRIMARY KEY,
    unit              VARCHAR NOT NULL,
    agency            VARCHAR NOT NULL,
    case_name         VARCHAR NOT NULL,
    focus_key         VARCHAR NOT NULL,
    violation_key     VARCHAR NOT NULL,
    decision_number   VARCHAR NOT NULL,     -- 行政处罚决定书文号
    fine              DOUBLE NOT NULL,      -- 万元
    joint_enforcement BOOLEAN NOT NULL,
    transferred       BOOLEAN NOT NULL
);

CREATE VIEW v_deliverable_docs_live AS
SELECT d.doc_id, d.batch_id, d.unit, d.agency, d.deliverable_key, d.role, d.title, d.file_name, d.mime_type,
       d.sha256, d.size_bytes, d.received_on, b.loaded_by, b.loaded_at
FROM deliverable_docs d
JOIN batches b USING (batch_id)
WHERE b.status = 'loaded';

CREATE VIEW v_typical_cases_live AS
SELECT c.*, EXISTS (
           SELECT 1 FROM deliverable_docs d
           WHERE d.batch_id = c.batch_id AND d.role = 'decision_document'
       ) AS has_decision_document,
       (SELECT min(d.received_on) FROM deliverable_docs d WHERE d.batch_id = c.batch_id) AS received_on
FROM typical_cases c
JOIN batches b USING (batch_id)
WHERE b.status = 'loaded';
