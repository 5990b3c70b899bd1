"""DuckLake, for when several app instances share one warehouse. The extension ships as a PyPI wheel
(duckdb-extension-ducklake, pinned to the duckdb version), so it loads offline from site-packages."""

from __future__ import annotations

from pathlib import Path

import duckdb


def extension_path() -> Path:
    import duckdb_extension_ducklake

    folder = Path(duckdb_extension_ducklake.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    found = sorted(folder.glob("ducklake.duckdb_extension"))
    if not found:
        raise RuntimeError(f"找不到与 duckdb {duckdb.__version__} 匹配的 DuckLake 扩展（{folder}）")
    return found[0]


def load(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"LOAD '{extension_path()}'")
