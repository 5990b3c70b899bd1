"""A write transaction on DuckLake, made to behave like one on the embedded file.

- `LakeCursor` is the cursor a write gets: it notes the tables each statement writes to (for the checks at commit)
  and runs `executemany(INSERT … VALUES (?, …), rows)` as a few multi-row INSERTs (on DuckLake every statement is
  a round trip to the catalogue: 105 single-row INSERTs took 2.7 s, one INSERT of 105 rows 0.06 s).
- Sequences: at the start of a write (the write lock held), each sequence of lake_sequences is created as a TEMP
  sequence on the write's connection, starting after its last value; `DEFAULT nextval('x')` in a lake table and
  `SELECT nextval('x')` resolve to it. Before commit the last values go back to lake_sequences, in the same
  transaction.
- Keys and checks: before commit, every PRIMARY KEY/UNIQUE/CHECK the translation took out of the migrations is
  checked on the tables this transaction wrote to; a violation raises duckdb.ConstraintException, as on the
  embedded file, and the transaction rolls back.
- INSERT … RETURNING (DuckLake refuses it): a one-row `INSERT INTO t (cols) VALUES (…) RETURNING id` whose returned
  columns are filled by `DEFAULT nextval('seq')` takes the ids from their sequences first, inserts them with the
  row, and leaves them as the cursor's result, so `cur.execute(…).fetchone()` reads them as on the embedded file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import duckdb

from warehouse.ducklake_ddl import SEQUENCES_TABLE, Constraint, ReturningInsert, returning_insert

SEQUENCES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {SEQUENCES_TABLE} (name VARCHAR NOT NULL, value BIGINT NOT NULL, step BIGINT NOT NULL)"
)
ROWS_PER_INSERT = 500

_LEADING_COMMENTS = re.compile(r"^(\s*(--[^\n]*\n|/\*.*?\*/))*\s*", re.S)
_WRITTEN = re.compile(r"(?i)^(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|MERGE\s+INTO)\s+([\w.\"]+)")
_NEXTVAL = re.compile(r"(?i)nextval\('([\w.]+)'\)")
_VALUES_INSERT = re.compile(
    r"(?is)^(INSERT\s+INTO\s+[\w.\"]+\s*(?:\([^)]*\))?\s*VALUES\s*)(\(\s*\?(?:\s*,\s*\?)*\s*\))\s*;?\s*$"
)


def written_table(sql: str) -> str | None:
    """The table an INSERT/UPDATE/MERGE writes to (unqualified, lower case); None for anything else."""
    m = _WRITTEN.match(_LEADING_COMMENTS.sub("", sql, count=1))
    return m.group(1).split(".")[-1].strip('"').lower() if m else None


class LakeCursor:
    """A DuckDB cursor that remembers what it wrote to and batches executemany INSERTs; everything else is the
    cursor's own."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self._cur = cur
        self.written: set[str] = set()

    def __getattr__(self, name: str):
        return getattr(self._cur, name)

    def _note(self, sql: object) -> None:
        table = written_table(sql) if isinstance(sql, str) else None
        if table:
            self.written.add(table)

    def execute(self, sql, parameters=None) -> LakeCursor:
        self._note(sql)
        insert = returning_insert(sql) if isinstance(sql, str) and "RETURNING" in sql.upper() else None
        if insert is not None:
            self._insert_returning(insert, parameters)
        elif parameters is None:
            self._cur.execute(sql)
        else:
            self._cur.execute(sql, parameters)
        return self

    def _insert_returning(self, insert: ReturningInsert, parameters: Sequence | None) -> None:
        """The ids first, from the sequences of the returned columns' defaults; then the row with them."""
        defaults = dict(
            self._cur.execute(
                "SELECT column_name, column_default FROM duckdb_columns() "
                "WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?",
                [insert.table_name],
            ).fetchall()
        )
        sequences = [_NEXTVAL.fullmatch(defaults.get(c) or "") for c in insert.returned]
        if not all(sequences) or set(insert.returned) & set(insert.columns) or isinstance(parameters, dict):
            raise duckdb.NotImplementedException(
                "DuckLake 上的 INSERT … RETURNING 只支持：一行 VALUES、位置参数、返回由序列默认值生成且未写入的列："
                f"{insert.table} RETURNING {', '.join(insert.returned)}"
            )
        ids = [self._cur.execute(f"SELECT nextval('{m.group(1)}')").fetchone()[0] for m in sequences]
        columns = ", ".join(f'"{c}"' for c in [*insert.returned, *insert.columns])
        marks = ", ".join("?" * len(ids))
        self._cur.execute(
            f"INSERT INTO {insert.table} ({columns}) VALUES ({marks}, {insert.values})",  # noqa: S608 - the caller's SQL
            [*ids, *(parameters or [])],
        )
        self._cur.execute("SELECT " + ", ".join(f"CAST(? AS BIGINT) AS {c}" for c in insert.returned), ids)

    def executemany(self, sql, parameters: Iterable[Sequence] = ()) -> LakeCursor:
        self._note(sql)
        m = _VALUES_INSERT.match(sql) if isinstance(sql, str) else None
        rows = [list(r) for r in parameters]
        if m is None:
            self._cur.executemany(sql, rows)
            return self
        for i in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[i : i + ROWS_PER_INSERT]
            self._cur.execute(m.group(1) + ", ".join([m.group(2)] * len(chunk)), [v for r in chunk for v in r])
        return self


def start_sequences(cur: duckdb.DuckDBPyConnection) -> None:
    """Create each lake sequence as a TEMP sequence of this connection, going on from its stored last value."""
    for name, value, step in cur.execute(f"SELECT name, value, step FROM {SEQUENCES_TABLE}").fetchall():  # noqa: S608
        cur.execute(f"CREATE OR REPLACE TEMP SEQUENCE {name} START WITH {value + step} INCREMENT BY {step}")


def save_sequences(cur: duckdb.DuckDBPyConnection) -> None:
    """Store the last value of every TEMP sequence this transaction used."""
    used = cur.execute(
        "SELECT sequence_name, last_value FROM duckdb_sequences() WHERE temporary AND last_value IS NOT NULL"
    ).fetchall()
    for name, value in used:
        cur.execute(f"UPDATE {SEQUENCES_TABLE} SET value = ? WHERE name = ?", [value, name])  # noqa: S608


def check_constraints(cur: duckdb.DuckDBPyConnection, constraints: Sequence[Constraint], tables: set[str]) -> None:
    """One query over every key and check of the tables written to; raise on the first one broken."""
    checks = [c for c in constraints if c.table in tables]
    if not checks:
        return
    parts = []
    for i, c in enumerate(checks):
        if c.kind == "unique":
            cols = ", ".join(c.columns)
            present = " AND ".join(f"{col} IS NOT NULL" for col in c.columns)
            broken = f"SELECT 1 FROM {c.table} WHERE {present} GROUP BY {cols} HAVING count(*) > 1"  # noqa: S608
        else:
            broken = f"SELECT 1 FROM {c.table} WHERE NOT ({c.expression})"  # noqa: S608 - from migrations
        parts.append(f"SELECT {i} AS i WHERE EXISTS ({broken})")
    row = cur.execute(" UNION ALL ".join(parts) + " LIMIT 1").fetchone()
    if row is not None:
        c = checks[row[0]]
        what = f"键 ({', '.join(c.columns)}) 重复" if c.kind == "unique" else f"不满足 CHECK ({c.expression})"
        raise duckdb.ConstraintException(f"Constraint Error: 表 {c.table} 的{what}，本次写入已撤回。")
