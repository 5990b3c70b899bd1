-- Core schema: key/value meta, the batch (load) log, reference tables filled from the campaign
-- definition, calendar overrides and the editable classification rules.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE SEQUENCE batch_id_seq START 1;

-- One row per file loaded, of any kind. Every loader records itself here, inside its own transaction.
CREATE TABLE batches (
    batch_id         BIGINT PRIMARY KEY DEFAULT nextval('batch_id_seq'),
    kind             VARCHAR NOT NULL,          -- complaints_12315 | price_12358 | monitoring | district_stats | deliverable | reference
    file_name        VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL,
    size_bytes       BIGINT NOT NULL,
    unit             VARCHAR,                   -- reporting unit, where the file belongs to one
    agency           VARCHAR,
    week_start       DATE,                      -- report week (Monday), for weekly tables
    rows_total       BIGINT NOT NULL DEFAULT 0,
    rows_loaded      BIGINT NOT NULL DEFAULT 0,
    rows_quarantined BIGINT NOT NULL DEFAULT 0,
    status           VARCHAR NOT NULL DEFAULT 'loaded',   -- loaded | withdrawn
    is_demo          BOOLEAN NOT NULL DEFAULT false,
    loaded_by        VARCHAR NOT NULL,
    loaded_at        TIMESTAMP NOT NULL DEFAULT current_timestamp,
    withdrawn_by     VARCHAR,
    withdrawn_at     TIMESTAMP,
    note             VARCHAR
);

CREATE TABLE ref_units (
    key       VARCHAR PRIMARY KEY,
    label     VARCHAR NOT NULL,
    nbs_code  VARCHAR,
    aliases   VARCHAR[] NOT NULL,
    sort      INTEGER NOT NULL
);

CREATE TABLE ref_unit_areas (
    unit_key  VARCHAR NOT NULL,
    name      VARCHAR NOT NULL,
    nbs_code  VARCHAR NOT NULL
);

CREATE TABLE ref_agencies (
    key        VARCHAR PRIMARY KEY,
    label      VARCHAR NOT NULL,
    full_label VARCHAR NOT NULL,
    lead       BOOLEAN NOT NULL,
    sort       INTEGER NOT NULL
);

-- F1..F6 and the unclassified bucket F0 (is_unclassified), so that joins never drop F0.
CREATE TABLE ref_focus_areas (
    key             VARCHAR PRIMARY KEY,
    label           VARCHAR NOT NULL,
    is_unclassified BOOLEAN NOT NULL,
    sort            INTEGER NOT NULL
);

CREATE TABLE ref_focus_agencies (
    focus_key  VARCHAR NOT NULL,
    agency_key VARCHAR NOT NULL
);

CREATE TABLE ref_stages (
    key        VARCHAR PRIMARY KEY,
    label      VARCHAR NOT NULL,
    start_date DATE NOT NULL,
    end_date   DATE NOT NULL,
    task       VARCHAR NOT NULL,
    sort       INTEGER NOT NULL
);

CREATE TABLE ref_deliverables (
    key                        VARCHAR PRIMARY KEY,
    label                      VARCHAR NOT NULL,
    stage                      VARCHAR NOT NULL,
    due_date                   DATE NOT NULL,
    min_count                  INTEGER NOT NULL,
    distinct_violation_types   BOOLEAN NOT NULL,
    requires_decision_document BOOLEAN NOT NULL,
    sort                       INTEGER NOT NULL
);

CREATE TABLE ref_time_nodes (
    key        VARCHAR PRIMARY KEY,
    label      VARCHAR NOT NULL,
    start_date DATE NOT NULL,
    end_date   DATE NOT NULL
);

-- table_no 1: 统计表1 indicators; table_no 2: 统计表2 columns.
CREATE TABLE ref_measures (
    table_no INTEGER NOT NULL,
    key      VARCHAR NOT NULL,
    label    VARCHAR NOT NULL,
    unit     VARCHAR NOT NULL,
    kind     VARCHAR NOT NULL,
    sort     INTEGER NOT NULL,
    PRIMARY KEY (table_no, key)
);

CREATE TABLE ref_violation_types (
    key       VARCHAR PRIMARY KEY,
    focus_key VARCHAR NOT NULL,
    label     VARCHAR NOT NULL,
    sort      INTEGER NOT NULL
);

-- The 18 report weeks with their due dates on the working-day calendar (overrides applied).
CREATE TABLE ref_report_weeks (
    week_start DATE PRIMARY KEY,
    week_end   DATE NOT NULL,
    due_date   DATE NOT NULL
);

-- Corrections to chinesecalendar. source 'campaign' rows come from the definition file and are
-- refreshed at start-up; source 'admin' rows are entered by administrators and win.
CREATE TABLE calendar_overrides (
    day        DATE NOT NULL,
    workday    BOOLEAN NOT NULL,
    note       VARCHAR NOT NULL DEFAULT '',
    source     VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (day, source)
);

-- Classification of records into focus areas: seeded once from the campaign definition, then
-- editable by analysts/admins. Lower priority is tried first; first keyword hit wins.
CREATE TABLE classification_rules (
    priority   INTEGER NOT NULL,
    focus_key  VARCHAR NOT NULL,
    keyword    VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (focus_key, keyword)
);
