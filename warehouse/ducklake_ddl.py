"""Migration SQL → what DuckLake runs. Migrations are written once, in ordinary DuckDB DDL; on DuckLake each
statement passes through `translate`, which strips what DuckLake lacks and says what the warehouse must emulate:

- PRIMARY KEY, UNIQUE (column or table constraints, CREATE UNIQUE INDEX) → dropped from the DDL and returned as
  `Constraint`s, checked before each commit on the tables the transaction wrote to (a PRIMARY KEY column also
  keeps NOT NULL). A single-column key filled from a sequence default is unique by the sequence: not checked.
- CHECK (…) → dropped and returned as a `Constraint` with its expression, checked the same way.
- FOREIGN KEY / REFERENCES, CREATE INDEX, DROP INDEX → dropped (DuckLake prunes by min/max statistics).
- CREATE SEQUENCE name [START [WITH] n] [INCREMENT [BY] k] → a row in lake_sequences plus a TEMP sequence on the
  migrating connection; `DEFAULT nextval('name')` stays in the table (each write re-creates the TEMP sequence
  from lake_sequences under the catalogue-wide write lock, so ids are unique across processes).
- ALTER TABLE … ADD COLUMN … DEFAULT true/false/NULL/number, ALTER COLUMN … SET DEFAULT the same → the constant
  written as a string literal (DuckLake refuses keyword constants there).

Outside migrations, `returning_insert` reads the one form of INSERT … RETURNING the warehouse emulates (DuckLake
refuses RETURNING): one VALUES row with a column list, returning columns filled by their sequence default.

Everything else (CREATE TABLE/VIEW, NOT NULL, DEFAULT constants or current_timestamp, UPDATE, INSERT, MERGE,
ALTER TABLE ADD/DROP/RENAME COLUMN, macros) passes through unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SEQUENCES_TABLE = "lake_sequences"

_TOKEN = re.compile(
    r"""(?P<comment>--[^\n]*|/\*.*?\*/)|(?P<string>'(?:[^']|'')*')|(?P<quoted>"(?:[^"]|"")*")"""
    r"""|(?P<word>[A-Za-z_][\w$]*)|(?P<number>\d+(?:\.\d+)?)|(?P<space>\s+)|(?P<op>[<>=!|:+\-*/%&~^@]+)|(?P<other>.)""",
    re.S,
)


@dataclass(frozen=True)
class Constraint:
    """A PRIMARY KEY/UNIQUE (columns) or CHECK (expression) that the warehouse checks itself on DuckLake."""

    table: str
    kind: str  # unique | check
    columns: tuple[str, ...] = ()
    expression: str = ""


@dataclass
class Translated:
    statements: list[str] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    sequences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    gap: bool = True  # whitespace (or a comment) before it in the migration: kept when SQL is written back

    @property
    def up(self) -> str:
        return self.text.upper() if self.kind == "word" else self.text


class DDLError(ValueError):
    """A migration statement that the DuckLake translation does not support."""


def _tokens(sql: str) -> list[_Tok]:
    out, gap = [], False
    for m in _TOKEN.finditer(sql):
        if m.lastgroup in ("comment", "space"):
            gap = True
        else:
            out.append(_Tok(m.lastgroup or "other", m.group(), gap))
            gap = False
    return out


def split_statements(sql: str) -> list[str]:
    """A migration file's statements, split at the semicolons outside strings and comments."""
    out, start = [], 0
    for m in _TOKEN.finditer(sql):
        if m.group() == ";":
            out.append(sql[start : m.start()])
            start = m.end()
    out.append(sql[start:])
    return [s for s in out if _tokens(s)]


def _join(toks: list[_Tok]) -> str:
    return "".join((" " if t.gap and i else "") + t.text for i, t in enumerate(toks))


def _ident(t: _Tok) -> str:
    return t.text[1:-1].replace('""', '"') if t.kind == "quoted" else t.text.lower()


def _group_end(toks: list[_Tok], i: int) -> int:
    """Index just past the parenthesised group that starts at toks[i] == '('."""
    depth = 0
    for j in range(i, len(toks)):
        depth += toks[j].text == "("
        depth -= toks[j].text == ")"
        if depth == 0:
            return j + 1
    raise DDLError("括号不匹配")


def _split_top(toks: list[_Tok]) -> list[list[_Tok]]:
    parts, depth, cur = [], 0, []
    for t in toks:
        depth += t.text == "("
        depth -= t.text == ")"
        if t.text == "," and depth == 0:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur:
        parts.append(cur)
    return parts


def _words(toks: list[_Tok], n: int) -> list[str]:
    return [t.up for t in toks[:n]]


def _name_list(toks: list[_Tok]) -> tuple[str, ...]:
    return tuple(_ident(t) for t in toks if t.kind in ("word", "quoted"))


def translate(statement: str) -> Translated:
    """One migration statement → the statements DuckLake runs and the constraints/sequences to emulate."""
    toks = _tokens(statement)
    if toks and toks[-1].text == ";":
        toks = toks[:-1]
    head = _words(toks, 6)
    if not toks:
        return Translated()
    if head[0] == "CREATE" and "SEQUENCE" in head[:4]:
        return _sequence(toks)
    if head[0] == "CREATE" and "INDEX" in head[:3]:
        return _index(toks)
    if head[:2] == ["DROP", "INDEX"]:
        return Translated()
    if head[:2] == ["DROP", "SEQUENCE"]:
        name = _ident(toks[-1])
        return Translated([f"DELETE FROM {SEQUENCES_TABLE} WHERE name = '{name}'"])  # noqa: S608 - from a migration
    if head[0] == "CREATE" and "TABLE" in head[:4]:
        return _create_table(toks)
    if head[:2] == ["ALTER", "TABLE"]:
        return _alter_table(toks)
    return Translated([statement.strip().rstrip(";")])


def _sequence(toks: list[_Tok]) -> Translated:
    i = [t.up for t in toks].index("SEQUENCE") + 1
    if _words(toks[i:], 3) == ["IF", "NOT", "EXISTS"]:
        i += 3
    name = _ident(toks[i])
    start, step, rest = None, 1, toks[i + 1 :]
    while rest:
        word = rest[0].up
        rest = rest[1:]
        if rest and rest[0].up in ("WITH", "BY"):
            rest = rest[1:]
        sign = -1 if rest and rest[0].text == "-" else 1
        rest = rest[1:] if sign < 0 else rest
        if word not in ("START", "INCREMENT") or not rest or rest[0].kind != "number":
            raise DDLError(f"DuckLake 上的序列只支持 START 与 INCREMENT：{_join(toks)}")
        value = sign * int(rest[0].text)
        rest = rest[1:]
        start, step = (value, step) if word == "START" else (start, value)
    first = step if start is None else start
    return Translated(
        [
            f"INSERT INTO {SEQUENCES_TABLE} (name, value, step) VALUES ('{name}', {first - step}, {step})",  # noqa: S608
            f"CREATE OR REPLACE TEMP SEQUENCE {name} START WITH {first} INCREMENT BY {step}",
        ],
        sequences=[name],
    )


def _index(toks: list[_Tok]) -> Translated:
    if toks[1].up != "UNIQUE":
        return Translated()
    on = [t.up for t in toks].index("ON")
    paren = next(i for i in range(on, len(toks)) if toks[i].text == "(")
    table = _ident(toks[paren - 1])
    return Translated(
        constraints=[Constraint(table, "unique", _name_list(toks[paren + 1 : _group_end(toks, paren) - 1]))]
    )


_COLUMN_STOP = {"NOT", "NULL", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES", "CONSTRAINT", "COLLATE", "GENERATED"}


def _column(table: str, toks: list[_Tok], out: Translated, fold_default: bool) -> list[_Tok]:
    """A column definition without its key/check/reference constraints (recorded in `out`)."""
    name, kept, i, keyed, not_null, default = _ident(toks[0]), [toks[0]], 1, False, False, []
    while i < len(toks):
        word = toks[i].up
        if word == "CONSTRAINT":
            i += 2
        elif word == "PRIMARY":
            keyed, i = True, i + 2
        elif word == "UNIQUE":
            out.constraints.append(Constraint(table, "unique", (name,)))
            i += 1
        elif word == "CHECK":
            end = _group_end(toks, i + 1)
            out.constraints.append(Constraint(table, "check", expression=_join(toks[i + 2 : end - 1])))
            i = end
        elif word == "REFERENCES":
            i += 2
            if i < len(toks) and toks[i].text == "(":
                i = _group_end(toks, i)
            while i < len(toks) and toks[i].up in ("ON", "DELETE", "UPDATE", "CASCADE", "RESTRICT", "NO", "ACTION"):
                i += 1
        elif word == "DEFAULT":
            j = i + 1
            while j < len(toks) and toks[j].up not in _COLUMN_STOP:
                j = _group_end(toks, j) if toks[j].text == "(" else j + 1
            default = toks[i + 1 : j]
            kept += [toks[i], *(_constant(default) if fold_default else default)]
            i = j
        else:
            not_null |= word == "NOT" and i + 1 < len(toks) and toks[i + 1].up == "NULL"
            kept.append(toks[i])
            i += 1
    if keyed:
        by_sequence = any(t.up == "NEXTVAL" for t in default)
        if not by_sequence:
            out.constraints.append(Constraint(table, "unique", (name,)))
        if not not_null:
            kept += [_Tok("word", "NOT"), _Tok("word", "NULL")]
    return kept


def _constant(default: list[_Tok]) -> list[_Tok]:
    """DuckLake's ALTER TABLE takes only literals as defaults: true/false/-1 → 'true'/'false'/'-1'."""
    text = _join(default)
    if re.fullmatch(r"(?i)true|false|-?\s*\d+(\.\d+)?", text):
        return [_Tok("string", "'" + text.replace(" ", "").lower() + "'")]
    return default


def _table_constraint(table: str, toks: list[_Tok], out: Translated) -> bool:
    """Record a table-level constraint; False when `toks` is a column definition."""
    if toks[0].up == "CONSTRAINT":
        toks = toks[2:]
    word = toks[0].up
    if word not in ("PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
        return False
    paren = next(i for i, t in enumerate(toks) if t.text == "(")
    inner = toks[paren + 1 : _group_end(toks, paren) - 1]
    if word in ("PRIMARY", "UNIQUE"):
        out.constraints.append(Constraint(table, "unique", _name_list(inner)))
    elif word == "CHECK":
        out.constraints.append(Constraint(table, "check", expression=_join(inner)))
    return True


def _create_table(toks: list[_Tok]) -> Translated:
    out = Translated()
    paren = next((i for i, t in enumerate(toks) if t.text == "("), None)
    if paren is None or any(t.up == "AS" for t in toks[:paren]):  # CREATE TABLE … AS SELECT
        out.statements.append(_join(toks))
        return out
    table = _ident(toks[paren - 1])
    end = _group_end(toks, paren)
    elements = []
    for part in _split_top(toks[paren + 1 : end - 1]):
        if not _table_constraint(table, part, out):
            elements.append(_join(_column(table, part, out, fold_default=False)))
    out.statements.append(f"{_join(toks[: paren + 1])}{', '.join(elements)}){_join(toks[end:])}")
    return out


def _alter_table(toks: list[_Tok]) -> Translated:
    out = Translated()
    i = 2
    if _words(toks[i:], 2) == ["IF", "EXISTS"]:
        i += 2
    table, rest = _ident(toks[i]), toks[i + 1 :]
    action = _words(rest, 3)
    if action[0] == "ADD" and _table_constraint(table, rest[1:], out):
        return out
    if action[0] == "ADD":
        skip = 1 + (action[1] == "COLUMN")
        if _words(rest[skip:], 3) == ["IF", "NOT", "EXISTS"]:
            skip += 3
        column = _column(table, rest[skip:], out, fold_default=True)
        out.statements.append(_join(toks[: i + 1] + rest[:skip] + column))
        return out
    if action[0] == "ALTER":
        at = [t.up for t in rest].index("DEFAULT") + 1 if "DEFAULT" in [t.up for t in rest] else len(rest)
        out.statements.append(_join(toks[: i + 1] + rest[:at] + _constant(rest[at:])))
        return out
    out.statements.append(_join(toks))
    return out


@dataclass(frozen=True)
class ReturningInsert:
    """`INSERT INTO table (columns) VALUES (values) RETURNING returned`, taken apart."""

    table: str  # as written (maybe qualified)
    columns: tuple[str, ...]
    values: str  # the row's expressions, without the parentheses
    returned: tuple[str, ...]

    @property
    def table_name(self) -> str:
        return self.table.split(".")[-1].strip('"').lower()


def returning_insert(sql: str) -> ReturningInsert | None:
    """The parts of a one-row `INSERT … (columns) VALUES (…) RETURNING col, …`; None for any other statement."""
    toks = _tokens(sql)
    if toks and toks[-1].text == ";":
        toks = toks[:-1]
    if _words(toks, 2) != ["INSERT", "INTO"]:
        return None
    paren = 3
    while paren + 1 < len(toks) and toks[paren].text == ".":  # a qualified name: lake.main.table
        paren += 2
    if paren + 4 >= len(toks) or toks[paren].text != "(":
        return None
    columns_end = _group_end(toks, paren)
    if columns_end + 1 >= len(toks) or toks[columns_end].up != "VALUES" or toks[columns_end + 1].text != "(":
        return None
    values_end = _group_end(toks, columns_end + 1)
    rest = toks[values_end:]
    if (
        not rest
        or rest[0].up != "RETURNING"
        or any(t.kind not in ("word", "quoted") and t.text != "," for t in rest[1:])
    ):
        return None
    return ReturningInsert(
        table=_join(toks[2:paren]),
        columns=_name_list(toks[paren + 1 : columns_end - 1]),
        values=_join(toks[columns_end + 2 : values_end - 1]),
        returned=_name_list(rest[1:]),
    )
