-- A summary of the current 12315/12358 records: complaints per source, day, online or not, unit, status, and
-- value of each other 投诉分析 breakdown dimension (dim NULL: the totals). Far fewer rows than records, so the
-- 投诉分析 view and its cuts by date, source, online, unit and status are read from here.
-- Filled by metrics/summaries.py from the metric registry's own definitions. `summary_state` records which
-- live batches a summary reflects; a reader that finds a different set of live batches ignores it and
-- refreshes it, so a stale summary is never shown.
CREATE TABLE complaint_day_counts (
    source            VARCHAR NOT NULL,
    day               DATE NOT NULL,
    online            BOOLEAN NOT NULL,
    unit              VARCHAR NOT NULL,
    status            VARCHAR,
    dim               VARCHAR,            -- focus | goods | problem | platform; NULL = the totals
    value             VARCHAR,
    complaints_total  BIGINT NOT NULL,
    complaints_online BIGINT NOT NULL
);

CREATE TABLE summary_state (
    name      VARCHAR PRIMARY KEY,
    signature VARCHAR NOT NULL,           -- the live batches it was built from
    built_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
