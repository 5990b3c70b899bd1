"""The whole table below its header row, as text, in slices: polars' streaming CSV scan or one sheet read."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import polars as pl

from loaders.reading.encodings import REPLACEMENT_CHAR, replacement_message, utf8_csv
from loaders.reading.grids import calamine_path
from loaders.reading.headers import Located
from loaders.result import FileRejected

COL = "c{}"  # column names of the raw frame: c0, c1, … (by position; headers may repeat)
ROW = "__row"


def iter_table(
    loc: Located, columns: Sequence[int], numeric_cols: Sequence[int], chunk_rows: int
) -> Iterator[pl.DataFrame]:
    """The data rows below the header, in slices of about chunk_rows rows: text columns c<i> for the requested
    positions, __row (the row number as Excel shows it, or the CSV line), and c<i>__num for numeric_cols (whether
    the cell was a number in Excel; always false for CSV). Raises FileRejected for undecodable content."""
    if loc.fmt.kind == "csv":
        yield from _iter_csv(loc, columns, numeric_cols, chunk_rows)
        return
    df = _read_sheet(loc, columns, numeric_cols)
    for at in range(0, max(df.height, 1), chunk_rows):
        yield df.slice(at, chunk_rows)


def _iter_csv(
    loc: Located, columns: Sequence[int], numeric_cols: Sequence[int], chunk_rows: int
) -> Iterator[pl.DataFrame]:
    """polars' streaming CSV reader (parallel, one pass, memory flat): rows numbered by record after the
    skipped title and header lines. Every cell of every column (the ignored ones too) is checked for U+FFFD."""
    assert loc.text is not None
    width = len(loc.match.headers)
    skip = loc.grid.first_row - 1 + loc.header_index + 1
    names = [COL.format(i) for i in columns]
    flags = [pl.lit(False).alias(COL.format(i) + "__num") for i in numeric_cols]
    with utf8_csv(loc.path, loc.name, loc.text.encoding) as path:
        scan = pl.scan_csv(
            path,
            has_header=False,
            skip_lines=skip,
            separator=loc.text.delimiter,
            schema={COL.format(i): pl.String for i in range(width)},
            truncate_ragged_lines=True,
            encoding="utf8",
            quote_char='"',
            raise_if_empty=False,
            missing_columns="insert",
            row_index_name=ROW,
            row_index_offset=skip + 1,
        )
        damaged = pl.any_horizontal(pl.col(pl.String).str.contains(REPLACEMENT_CHAR, literal=True).fill_null(False))
        yielded = False
        batches = scan.collect_batches(chunk_size=chunk_rows)
        while True:
            try:
                df = next(batches)
            except StopIteration:
                break
            except pl.exceptions.PolarsError as exc:
                if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
                    raise FileRejected(
                        f"文件 {loc.name} 开头是 UTF-8 编码，后面却有不是 UTF-8 的内容（混用了编码或文件已损坏）。请重新导出后再试。"
                    ) from None
                raise FileRejected(f"文件 {loc.name} 无法按 CSV 解析（引号或分隔符不配对，或文件被截断）。") from None
            bad = df.filter(damaged).get_column(ROW)
            if bad.len():
                raise FileRejected(replacement_message(loc.name, int(bad.min())))
            yielded = True
            yield df.select(pl.col(ROW).cast(pl.Int64), *names, *flags)
        if not yielded:
            yield pl.DataFrame(schema={ROW: pl.Int64, **dict.fromkeys(names, pl.String)}).with_columns(flags)


def _read_sheet(loc: Located, columns: Sequence[int], numeric_cols: Sequence[int]) -> pl.DataFrame:
    import fastexcel

    skip = loc.header_index + 1
    try:
        with calamine_path(loc.path, loc.fmt.kind) as book:
            df, numeric = _load_columns(fastexcel.read_excel(str(book)), loc.grid.sheet, skip, columns, numeric_cols)
    except Exception:
        raise FileRejected(f"文件 {loc.where} 读取失败：工作簿已损坏或内容不完整。请重新导出后再试。") from None
    df = df.rename({GENERATED.format(i): COL.format(i) for i in columns})
    flags = numeric.select(
        pl.col(GENERATED.format(i)).is_not_null().alias(COL.format(i) + "__num") for i in numeric_cols
    )
    first = loc.grid.first_row + skip
    return (
        pl.concat([df, flags], how="horizontal")
        .with_row_index(ROW, offset=first)
        .with_columns(pl.col(ROW).cast(pl.Int64))
    )


GENERATED = "__UNNAMED__{}"  # fastexcel's names for header-less columns, by position in the used range


def _load_columns(reader, sheet: str | None, skip: int, columns: Sequence[int], numeric_cols: Sequence[int]):
    """The requested columns as text, and the numeric ones as booleans: a boolean read gives a value for numbers
    (and true/false cells) only, which tells a number cell in Excel from a text one. skip_rows counts from row 1."""

    def read(cols: Sequence[int], dtypes: str) -> pl.DataFrame:
        return reader.load_sheet(
            sheet, header_row=None, dtypes=dtypes, skip_rows=skip, use_columns=[GENERATED.format(i) for i in cols]
        ).to_polars()

    return read(columns, "string"), read(numeric_cols, "boolean")
