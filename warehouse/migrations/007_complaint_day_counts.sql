-- A summary of the current 12315/12358 records: complaints per source, day and value of each 投诉分析
-- breakdown dimension (dim NULL: the day's totals). A few thousand rows instead of millions, so the
-- unfiltered 投诉分析 view (and its date-range and source cuts) is read from here.
-- Filled by metrics/summaries.py from the metric registry's own definitions. `summary_state` records which
-- live batches a summary reflects; a reader that finds a different set of live batches ignores it and
-- refreshes it, so a stale summary is never shown.
CREATE TABLE complaint_day_counts (
    source            VARCHAR NOT NULL,
    day               DATE NOT NULL,
    dim               VARCHAR,            -- focus | goods | problem | platform | unit | status; NULL = all
    value             VARCHAR,
    complaints_total  BIGINT NOT NULL,
    complaints_online BIGINT NOT NULL
);

CREATE TABLE summary_state (
    name      VARCHAR PRIMARY KEY,
    signature VARCHAR NOT NULL,           -- the live batches it was built from
    built_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
