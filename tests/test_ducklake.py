"""DuckLake: the pinned wheel loads offline; the migration translation; keys, sequences and the write lock on a
real PostgreSQL catalogue (those skip cleanly where PostgreSQL is absent, see tests/conftest.py)."""

import duckdb
import pytest

import warehouse
from warehouse import WarehouseBusy, available_migrations, ducklake, open_warehouse
from warehouse.batches import insert_batch, list_batches
from warehouse.ducklake_ddl import Constraint, DDLError, returning_insert, split_statements, translate
from warehouse.ducklake_writes import LakeCursor, written_table


def test_ducklake_loads_offline_and_round_trips(tmp_path):
    con = duckdb.connect()
    ducklake.load(con)
    meta, data = tmp_path / "meta.ducklake", tmp_path / "data"
    con.execute(f"ATTACH 'ducklake:{meta}' AS lake (DATA_PATH '{data}/')")
    con.execute("CREATE TABLE lake.t AS SELECT range AS x FROM range(5)")
    assert con.execute("SELECT sum(x) FROM lake.t").fetchone()[0] == 10
    con.close()
    again = duckdb.connect()
    ducklake.load(again)
    again.execute(f"ATTACH 'ducklake:{meta}' AS lake (DATA_PATH '{data}/')")
    assert again.execute("SELECT count(*) FROM lake.t").fetchone()[0] == 5


# --- the migration translation (no PostgreSQL needed) ------------------------------------------------------


def test_translation_strips_keys_checks_and_indexes_and_keeps_the_rest():
    tr = translate(
        """CREATE TABLE IF NOT EXISTS t (
            id BIGINT PRIMARY KEY DEFAULT nextval('t_seq'), -- a comment, with a comma
            code VARCHAR NOT NULL UNIQUE,
            role VARCHAR CHECK (role IN ('a', 'b')),
            parent BIGINT REFERENCES p (id),
            made TIMESTAMP NOT NULL DEFAULT current_timestamp,
            tags VARCHAR[],
            CONSTRAINT pair UNIQUE (code, role),
            CHECK (role <> 'b' OR parent IS NOT NULL)
        );"""
    )
    (sql,) = tr.statements
    assert "PRIMARY" not in sql and "UNIQUE" not in sql and "CHECK" not in sql and "REFERENCES" not in sql
    assert "id BIGINT DEFAULT nextval('t_seq') NOT NULL" in sql  # a key column stays NOT NULL
    assert "made TIMESTAMP NOT NULL DEFAULT current_timestamp" in sql and "tags VARCHAR[]" in sql
    assert tr.constraints == [
        Constraint("t", "unique", ("code",)),
        Constraint("t", "check", expression="role IN ('a', 'b')"),
        Constraint("t", "unique", ("code", "role")),
        Constraint("t", "check", expression="role <> 'b' OR parent IS NOT NULL"),
    ]  # the sequence-filled key is unique by its sequence: not checked
    duckdb.connect().execute(sql.replace("nextval('t_seq')", "1"))  # what remains is valid DuckDB


def test_translation_of_sequences_indexes_and_alter_table():
    seq = translate("CREATE SEQUENCE x_seq START WITH 10 INCREMENT BY 5;")
    assert seq.sequences == ["x_seq"]
    assert "VALUES ('x_seq', 5, 5)" in seq.statements[0]  # the last value before the first one handed out
    assert translate("CREATE INDEX i ON t (a)").statements == []
    assert translate("CREATE UNIQUE INDEX i ON t (a, b)").constraints == [Constraint("t", "unique", ("a", "b"))]
    assert translate("ALTER TABLE t ADD COLUMN f BOOLEAN DEFAULT false").statements == [
        "ALTER TABLE t ADD COLUMN f BOOLEAN DEFAULT 'false'"
    ]
    assert translate("ALTER TABLE t ALTER COLUMN f SET DEFAULT true").statements == [
        "ALTER TABLE t ALTER COLUMN f SET DEFAULT 'true'"
    ]
    assert translate("ALTER TABLE t ADD CONSTRAINT k PRIMARY KEY (a)").constraints == [
        Constraint("t", "unique", ("a",))
    ]
    view = "CREATE VIEW v AS SELECT a FROM t WHERE a <> 'x;y'"
    assert translate(view).statements == [view]
    assert split_statements("SELECT ';'; -- a ; comment\nSELECT 2;") == ["SELECT ';'", " -- a ; comment\nSELECT 2"]
    with pytest.raises(DDLError):
        translate("CREATE SEQUENCE s CYCLE")


def test_every_shipped_migration_translates():
    for _, _, sql in available_migrations():
        for statement in split_statements(sql):
            for lake_sql in translate(statement).statements:
                assert "ON CONFLICT" not in lake_sql.upper() and "PRIMARY KEY" not in lake_sql.upper()


def test_executemany_runs_as_multi_row_inserts():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (a INTEGER, b VARCHAR)")
    cur = LakeCursor(con)
    cur.executemany("INSERT INTO t VALUES (?, ?)", [(i, str(i)) for i in range(1203)])
    cur.executemany("INSERT INTO t (a) SELECT ?", [(5000,)])  # not a VALUES insert: row by row
    assert con.execute("SELECT count(*), sum(a) FROM t").fetchone() == (1204, sum(range(1203)) + 5000)
    assert cur.written == {"t"}
    assert written_table("-- a comment\nUPDATE main.T SET a = 1") == "t"
    assert written_table("SELECT 1") is None


def test_insert_returning_takes_the_id_from_the_sequence_first():
    assert returning_insert("INSERT INTO main.t (a, b) VALUES (?, md5(?)) RETURNING id;").values == "?, md5(?)"
    for other in (
        "INSERT INTO t (a) VALUES (?), (?) RETURNING id",  # several rows
        "INSERT INTO t VALUES (?) RETURNING id",  # no column list
        "INSERT INTO t (a) SELECT 1 RETURNING id",
        "INSERT INTO t (a) VALUES (1) RETURNING *",
    ):
        assert returning_insert(other) is None, other
    con = duckdb.connect()
    con.execute("CREATE SEQUENCE t_seq START 7")
    con.execute("CREATE TABLE t (id BIGINT DEFAULT nextval('t_seq'), a VARCHAR, b VARCHAR DEFAULT 'x')")
    cur = LakeCursor(con)
    assert cur.execute("INSERT INTO t (a) VALUES (?) RETURNING id", ["first"]).fetchone() == (7,)
    assert cur.execute("INSERT INTO t (a, b) VALUES (upper(?), 'y') RETURNING id", ["second"]).fetchall() == [(8,)]
    assert con.execute("SELECT id, a, b FROM t ORDER BY id").fetchall() == [(7, "first", "x"), (8, "SECOND", "y")]
    with pytest.raises(duckdb.NotImplementedException, match="RETURNING"):
        cur.execute("INSERT INTO t (a) VALUES ('z') RETURNING b")  # not filled by a sequence
    assert cur.written == {"t"}


# --- on a real PostgreSQL catalogue ------------------------------------------------------------------------


@pytest.fixture
def lake(pg, lake_template) -> str:
    return pg.target(pg.new_database(template=lake_template))


def test_keys_and_checks_hold_on_ducklake(lake):
    from auth.accounts import AuthError, bootstrap_admin

    wh = open_warehouse(lake)
    version = wh.data_version()
    with pytest.raises(duckdb.ConstraintException, match="ref_units"), wh.write() as cur:
        cur.execute("INSERT INTO ref_units VALUES ('wujin', '重复', NULL, [], 99)")
    with pytest.raises(duckdb.ConstraintException, match="CHECK"), wh.write() as cur:
        cur.execute("INSERT INTO users (username, display_name, role, created_by) VALUES ('x', 'x', 'boss', 't')")
    assert wh.data_version() == version  # both rolled back whole
    bootstrap_admin(wh, "admin", "a-long-password")
    with pytest.raises(AuthError):
        bootstrap_admin(wh, "admin2", "a-long-password")
    wh.close()


def test_ids_from_two_processes_never_collide(lake):
    a, b = open_warehouse(lake), open_warehouse(lake)
    ids = []
    for w in (a, b, a, a, b):
        with w.write() as cur:
            ids.append(insert_batch(cur, kind="k", file_name="f", sha256="s", size_bytes=1, loaded_by="t"))
    assert ids == sorted(set(ids)) and len(ids) == 5
    assert a.data_version() == b.data_version()  # the version lives in the catalogue: both see every write
    a.checkpoint()  # the nightly maintenance (python -m warehouse maintain): small files merged, nothing lost
    assert list_batches(b)["batch_id"].to_list() == ids[::-1]
    a.close()
    b.close()


def test_a_write_waits_for_another_process_then_refuses_in_chinese(lake, monkeypatch):
    holder, waiter = open_warehouse(lake), open_warehouse(lake)
    monkeypatch.setenv("WANGJIAN_WRITE_WAIT", "1")
    with holder.write() as cur:
        insert_batch(cur, kind="k", file_name="held", sha256="s", size_bytes=1, loaded_by="t")
        with pytest.raises(WarehouseBusy, match="正由另一个程序写入"), waiter.write() as other:
            insert_batch(other, kind="k", file_name="never", sha256="s", size_bytes=1, loaded_by="t")
    with waiter.write() as cur:  # the lock went with the holder's commit
        insert_batch(cur, kind="k", file_name="after", sha256="s", size_bytes=1, loaded_by="t")
    assert list_batches(waiter)["file_name"].to_list() == ["after", "held"]
    holder.close()
    waiter.close()


FUTURE_MIGRATION = """
-- A migration written later, in ordinary DuckDB DDL, like those of the branches in flight.
CREATE SEQUENCE item_id_seq START 1;
CREATE TABLE items (
    item_id    BIGINT PRIMARY KEY DEFAULT nextval('item_id_seq'),
    dedup_key  VARCHAR NOT NULL UNIQUE,
    state      VARCHAR NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    tags       VARCHAR[],
    opened_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE INDEX items_state ON items (state);
ALTER TABLE items ADD COLUMN urgent BOOLEAN DEFAULT false;  -- (DuckDB itself refuses NOT NULL here)
CREATE VIEW open_items AS SELECT item_id, dedup_key FROM items WHERE state = 'open';
"""


def test_a_later_migration_in_plain_duckdb_ddl_runs_on_ducklake(lake, tmp_path, monkeypatch):
    folder = tmp_path / "migrations"
    folder.mkdir()
    for shipped in warehouse.MIGRATIONS_DIR.glob("*.sql"):
        (folder / shipped.name).write_bytes(shipped.read_bytes())
    (folder / "099_items.sql").write_text(FUTURE_MIGRATION, encoding="utf-8")
    monkeypatch.setattr(warehouse, "MIGRATIONS_DIR", folder)
    wh, other = open_warehouse(lake), open_warehouse(lake)  # the first applies 099, the second finds it applied
    ids = []
    for w, key in ((wh, "a"), (other, "b"), (wh, "c")):
        with w.write() as cur:
            sql = "INSERT INTO items (dedup_key, tags) VALUES (?, ?) RETURNING item_id"
            ids.append(cur.execute(sql, [key, ["x"]]).fetchone()[0])
    assert ids == [1, 2, 3]
    with pytest.raises(duckdb.ConstraintException, match="dedup_key"), other.write() as cur:
        cur.execute("INSERT INTO items (dedup_key) VALUES ('a')")
    with pytest.raises(duckdb.ConstraintException, match="CHECK"), other.write() as cur:
        cur.execute("UPDATE items SET state = 'lost' WHERE item_id = 1")
    with wh.read() as cur:
        rows = cur.execute("SELECT item_id, state, urgent, opened_at IS NOT NULL FROM items ORDER BY 1").fetchall()
        assert rows == [(1, "open", False, True), (2, "open", False, True), (3, "open", False, True)]
        assert cur.execute("SELECT count(*) FROM open_items").fetchone() == (3,)
    wh.close()
    other.close()
