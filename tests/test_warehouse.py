import datetime as dt
import threading

import duckdb
import pytest

import settings
import warehouse as warehouse_mod
from warehouse import WarehouseError, open_warehouse, resolve_db_path, schema_version
from warehouse.batches import find_duplicate, insert_batch, list_batches, mark_withdrawn
from warehouse.reference import refresh_report_weeks

pytestmark = pytest.mark.both_backends


def _tables(wh):
    with wh.read() as cur:
        return {r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def test_new_file_is_migrated_and_filled(wh):
    newest = max(v for v, _, _ in warehouse_mod.available_migrations())
    assert schema_version(wh) == newest
    assert {"batches", "ref_units", "ref_report_weeks", "classification_rules", "calendar_overrides"} <= _tables(wh)
    with wh.read() as cur:
        assert cur.execute("SELECT count(*) FROM ref_units").fetchone()[0] == 8
        assert cur.execute("SELECT count(*) FROM ref_agencies").fetchone()[0] == 12
        assert cur.execute("SELECT count(*) FROM ref_focus_areas WHERE NOT is_unclassified").fetchone()[0] == 6
        assert cur.execute("SELECT count(*) FROM ref_violation_types").fetchone()[0] == 21
        assert cur.execute("SELECT count(*) FROM ref_measures WHERE table_no = 1").fetchone()[0] == 13
        assert cur.execute("SELECT count(*) FROM ref_report_weeks").fetchone()[0] == 18
        due = dict(cur.execute("SELECT week_start, due_date FROM ref_report_weeks").fetchall())
        assert due[dt.date(2018, 9, 24)] == dt.date(2018, 10, 8)
        assert cur.execute("SELECT unit_key FROM ref_unit_areas WHERE name = '横林镇'").fetchone()[0] == "jingkai"
    assert wh.is_empty()


def test_existing_file_keeps_its_data_and_runs_only_new_migrations(db_path, monkeypatch, tmp_path):
    wh = open_warehouse(db_path)
    with wh.write() as cur:
        insert_batch(cur, kind="demo", file_name="a.csv", sha256="x", size_bytes=1, loaded_by="t")
    wh.close()

    # A newer release ships one more migration: only that one runs, data stays.
    mig = tmp_path / "migrations"
    mig.mkdir()
    for f in warehouse_mod.MIGRATIONS_DIR.glob("*.sql"):
        (mig / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (mig / "900_extra.sql").write_text("CREATE TABLE extra (x INTEGER);", encoding="utf-8")
    monkeypatch.setattr(warehouse_mod, "MIGRATIONS_DIR", mig)
    wh = open_warehouse(db_path)
    assert schema_version(wh) == 900 and "extra" in _tables(wh)
    assert list_batches(wh)["file_name"].to_list() == ["a.csv"]
    with wh.read() as cur:
        assert cur.execute("SELECT count(*) FROM ref_units").fetchone()[0] == 8  # re-synced, not doubled
    wh.close()

    # Forward only: the older release refuses a file from the newer one.
    monkeypatch.undo()
    with pytest.raises(WarehouseError, match=r"比本程序.*新"):
        open_warehouse(db_path)


def test_edited_migration_is_refused(db_path, monkeypatch, tmp_path):
    open_warehouse(db_path).close()
    mig = tmp_path / "migrations"
    mig.mkdir()
    for f in warehouse_mod.MIGRATIONS_DIR.glob("*.sql"):
        (mig / f.name).write_text(f.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    monkeypatch.setattr(warehouse_mod, "MIGRATIONS_DIR", mig)
    with pytest.raises(WarehouseError, match="被改动过"):
        open_warehouse(db_path)


def test_failed_migration_leaves_no_trace(db_path, monkeypatch, tmp_path):
    open_warehouse(db_path).close()
    mig = tmp_path / "migrations"
    mig.mkdir()
    for f in warehouse_mod.MIGRATIONS_DIR.glob("*.sql"):
        (mig / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (mig / "901_half.sql").write_text("CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;", encoding="utf-8")
    monkeypatch.setattr(warehouse_mod, "MIGRATIONS_DIR", mig)
    with pytest.raises(duckdb.CatalogException):
        open_warehouse(db_path)
    monkeypatch.undo()
    wh = open_warehouse(db_path)
    assert "half" not in _tables(wh)
    assert schema_version(wh) < 901


def test_other_campaigns_file_is_refused(db_path, tmp_path):
    from campaign import load_campaign
    from settings import DEFAULT_CAMPAIGN_FILE

    open_warehouse(db_path).close()
    other = tmp_path / "2019.toml"
    other.write_text(
        DEFAULT_CAMPAIGN_FILE.read_text(encoding="utf-8").replace("wangjian-2018", "wangjian-2019"), encoding="utf-8"
    )
    with pytest.raises(WarehouseError, match="属于活动 “wangjian-2018”"):
        open_warehouse(db_path, load_campaign(other))


def test_write_is_one_transaction(wh):
    version = wh.data_version()
    with pytest.raises(RuntimeError), wh.write() as cur:
        insert_batch(cur, kind="k", file_name="f", sha256="s", size_bytes=1, loaded_by="t")
        raise RuntimeError("injected failure mid-load")
    assert list_batches(wh).is_empty()
    assert wh.data_version() == version  # a rolled-back write does not move the cache key

    with wh.write() as cur:
        insert_batch(cur, kind="k", file_name="f", sha256="s", size_bytes=1, loaded_by="t")
    assert wh.data_version() == version + 1


def test_writes_from_threads_are_serialised(wh):
    errors = []

    def work(i):
        try:
            with wh.write() as cur:
                insert_batch(cur, kind="k", file_name=f"f{i}", sha256=f"s{i}", size_bytes=1, loaded_by="t")
        except Exception as exc:  # pragma: no cover - a failure is what this test looks for
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert list_batches(wh).height == 8


def test_batch_log_duplicates_and_withdrawal(wh):
    with wh.write() as cur:
        b = insert_batch(
            cur,
            kind="complaints_12315",
            file_name="a.xlsx",
            sha256="abc",
            size_bytes=10,
            loaded_by="分析员",
            unit="wujin",
        )
    with wh.read() as cur:
        assert find_duplicate(cur, "complaints_12315", "abc") == b
        assert find_duplicate(cur, "price_12358", "abc") is None
    assert not wh.is_empty()
    with wh.write() as cur:
        assert mark_withdrawn(cur, b, "管理员") == "complaints_12315"
    with wh.read() as cur:
        assert find_duplicate(cur, "complaints_12315", "abc") is None
    with pytest.raises(ValueError, match="已撤销"), wh.write() as cur:
        mark_withdrawn(cur, b, "管理员")
    row = list_batches(wh).row(0, named=True)
    assert row["status"] == "withdrawn" and row["withdrawn_by"] == "管理员"
    assert wh.is_empty()


def test_admin_calendar_override_moves_due_dates(wh):
    with wh.write() as cur:
        cur.execute(
            "INSERT INTO calendar_overrides (day, workday, note, source, created_by) "
            "VALUES ('2018-08-13', false, '临时停工', 'admin', 'admin')"
        )
    refresh_report_weeks(wh)
    with wh.read() as cur:
        due = dict(cur.execute("SELECT week_start, due_date FROM ref_report_weeks").fetchall())
    assert due[dt.date(2018, 8, 6)] == dt.date(2018, 8, 14)
    assert wh.calendar().week_due(dt.date(2018, 8, 6)) == dt.date(2018, 8, 14)


def test_db_path_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("WANGJIAN_DB", raising=False)
    assert resolve_db_path([]) == settings.DEFAULT_DB
    monkeypatch.setenv("WANGJIAN_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db_path([]) == tmp_path / "env.duckdb"
    assert resolve_db_path(["--db", str(tmp_path / "opt.duckdb")]) == tmp_path / "opt.duckdb"
    lake = "ducklake:postgres:dbname=lake host=127.0.0.1 user=wangjian"
    monkeypatch.setenv("WANGJIAN_WAREHOUSE", lake)  # a shared warehouse wins over $WANGJIAN_DB, --db over both
    assert resolve_db_path([]) == lake
    assert resolve_db_path(["--db", str(tmp_path / "opt.duckdb")]) == tmp_path / "opt.duckdb"
    other = lake.replace("dbname=lake", "dbname=other")
    assert resolve_db_path(["--db", other]) == other


def test_an_unreachable_lake_is_refused_in_chinese(tmp_path):
    with pytest.raises(WarehouseError, match=r"无法打开 DuckLake nowhere@127\.0\.0\.1"):
        open_warehouse("ducklake:postgres:dbname=nowhere host=127.0.0.1 port=1 user=nobody connect_timeout=2")


def test_maintenance_command(tmp_path, capsys):
    from warehouse.__main__ import main

    assert main(["migrate", "--db", str(tmp_path / "w.duckdb")]) == 0
    assert main(["maintain", "--db", str(tmp_path / "w.duckdb")]) == 0
    out = capsys.readouterr().out
    assert (
        "迁移完成" in out
        and "维护完成" in out
        and f"结构版本 {max(v for v, _, _ in warehouse_mod.available_migrations())}" in out
    )
