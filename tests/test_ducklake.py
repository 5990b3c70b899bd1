"""The pinned DuckLake wheel loads offline and serves a catalog (the future shared warehouse)."""

import duckdb

from warehouse import ducklake


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
