-- 督办 items (issue 12): follow-up the office hands to a unit, with every step it went through.
--
-- An item keeps a link back to what it was opened from (a cross-source lead, an anomaly, an overdue monitoring
-- hit, a late weekly table, or by hand). Its state on any day is replayed from its steps dated up to that day,
-- so the dashboard's as-of date shows the item as it stood then; the columns `state` and `level` hold the state
-- after the newest step, for quick lists. Only actions/items.py writes these tables. Times are Asia/Shanghai.

CREATE SEQUENCE followup_item_id_seq START 1;

CREATE TABLE followup_items (
    item_id       BIGINT PRIMARY KEY DEFAULT nextval('followup_item_id_seq'),
    title         VARCHAR NOT NULL,
    description   VARCHAR NOT NULL DEFAULT '',
    origin        VARCHAR NOT NULL,          -- lead | anomaly | overdue_hit | late_report | manual
    merchant_key  VARCHAR,                   -- lead / overdue hit: the merchant (valid USCC or normalised name)
    record_ids    VARCHAR[],                 -- lead / overdue hit: the record and hit IDs behind it
    origin_unit   VARCHAR,                   -- late report: whose table; anomaly: the unit value, where it is one
    origin_agency VARCHAR,
    origin_week   DATE,                      -- late report / anomaly: the week (its Monday)
    origin_note   VARCHAR,                   -- anomaly: dimension and value, as shown on 投诉分析
    unit          VARCHAR NOT NULL,          -- ref_units.key: the unit the item is assigned to
    agency        VARCHAR NOT NULL,          -- ref_agencies.key: the lead agency, or a city member agency
    level         VARCHAR NOT NULL,          -- normal (一般) | listed (挂牌督办)
    state         VARCHAR NOT NULL,          -- issued | signed | checking | answered | closed
    opened_on     DATE NOT NULL,             -- the working day it was issued
    workdays      INTEGER NOT NULL,          -- the time allowed, in working days on the campaign calendar
    due_date      DATE NOT NULL,             -- opened_on + workdays working days (调休 included)
    opened_by     VARCHAR NOT NULL,
    opened_at     TIMESTAMP NOT NULL
);

CREATE SEQUENCE followup_step_id_seq START 1;

-- One row per step: 下发, 签收, 核查中, 已反馈, 退回, 办结, 挂牌督办. on_date is the day it happened (the as-of
-- date it counts from); recorded_at is when it was entered.
CREATE TABLE followup_steps (
    step_id         BIGINT PRIMARY KEY DEFAULT nextval('followup_step_id_seq'),
    item_id         BIGINT NOT NULL,
    action          VARCHAR NOT NULL,        -- issue | sign | start | answer | return | close | list
    state_after     VARCHAR NOT NULL,
    level_after     VARCHAR NOT NULL,
    on_date         DATE NOT NULL,
    username        VARCHAR NOT NULL,
    recorded_at     TIMESTAMP NOT NULL,
    note            VARCHAR NOT NULL DEFAULT '',
    cited_case      BIGINT,                  -- feedback citing a 典型案例 (typical_cases.batch_id) of the unit
    cited_week      DATE,                    -- feedback citing a 立案 in the unit's 统计表2: week …
    cited_violation VARCHAR                  -- … and violation type
);

CREATE SEQUENCE followup_file_id_seq START 1;

-- Files attached to a feedback step, stored like the deliverables: the bytes with their sha256, in the warehouse.
CREATE TABLE followup_files (
    file_id    BIGINT PRIMARY KEY DEFAULT nextval('followup_file_id_seq'),
    step_id    BIGINT NOT NULL,
    item_id    BIGINT NOT NULL,
    file_name  VARCHAR NOT NULL,
    mime_type  VARCHAR NOT NULL,
    sha256     VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    content    BLOB NOT NULL
);
