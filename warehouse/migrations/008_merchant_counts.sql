-- A summary of current records per source and merchant (merchant_key: the valid 统一社会信用代码, else the
-- normalised name): tens of thousands of rows instead of millions, for the top merchants of 投诉分析 and the
-- cross-source leads of 监测线索 when they look at all the data (an as-of date on or after its latest record).
-- Filled by metrics/summaries.py; guarded by summary_state like complaint_day_counts.
CREATE TABLE merchant_counts (
    source          VARCHAR NOT NULL,     -- complaints_12315 | price_12358 | monitoring
    merchant_key    VARCHAR NOT NULL,
    n               BIGINT NOT NULL,
    online          BIGINT,               -- complaints only
    amount_involved DOUBLE,               -- complaints only
    uscc_valid      BOOLEAN,
    merchant_name   VARCHAR,              -- the name on its latest record
    first_at        TIMESTAMP NOT NULL,
    last_at         TIMESTAMP NOT NULL,
    platforms       VARCHAR[]             -- complaints only: the distinct platforms named
);
