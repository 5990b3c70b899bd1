"""Text → values, vectorised with polars: dates, amounts, IDs, 统一社会信用代码. Null where the text is not a
value (the caller reports those); slow paths run only on the rows that need them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

import polars as pl

_DATE_RE = (
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:[\sT]*(?P<H>\d{1,2})\s*[:时]\s*(?P<M>\d{1,2})(?:\s*[:分]\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?)?$"
)
_SERIAL_RE = r"^\d{5}(?:\.\d+)?$"
EXCEL_EPOCH = pl.datetime(1899, 12, 30)
# After folding 2018/8/3, 2018.8.3, 2018年8月3日 9时5分 into 2018-8-3 9:5, these (lenient-width) formats
# are tried in turn; each is a fast native parse, unlike a regex per form.
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y%m%d", "%Y%m%d %H:%M:%S", "%Y%m%d%H%M%S")


def fill_where(out: pl.Series, todo: pl.Series, source: pl.Series, fn: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """out with the rows flagged in `todo` replaced by fn(source[those rows]): slow paths run on few rows."""
    if not todo.any():
        return out
    idx = todo.arg_true()
    out = out.clone()
    out.scatter(idx, fn(source.gather(idx)).cast(out.dtype))
    return out


# Forms tried as they are first (fast native parses, lenient digit widths), then the rest after folding.
_FAST_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
)


def _fold_dates(t: pl.Series) -> pl.Series:
    t = t.str.normalize("NFKC").str.strip_chars()
    return (
        t.str.replace(r"(\d)T(\d)", "$1 $2")
        .str.replace(r"(:\d{1,2})\.\d+$", "$1")
        .str.replace_all(r"\s*[-/.年月]\s*", "-")
        .str.replace_all(r"\s*[日号]\s*", " ")
        .str.replace_all(r"\s*[时分:]\s*", ":")
        .str.replace(r"秒$", "")
        .str.strip_chars(" :")
    )


def _slow_dates(t: pl.Series) -> pl.Series:
    """The rarer forms: Excel serials, then 2018年8月3日 9时5分 and the like, folded into 2018-8-3 9:5."""
    return _parse_narrowing(
        t, [_from_serial, lambda x: _parse_narrowing(_fold_dates(x), [_strptime(f) for f in _DATE_FORMATS])]
    )


def _from_serial(t: pl.Series) -> pl.Series:
    days = t.str.normalize("NFKC").str.strip_chars().str.extract(f"({_SERIAL_RE})").cast(pl.Float64)
    return pl.select(
        EXCEL_EPOCH + pl.duration(microseconds=(pl.lit(days) * 86_400_000_000).round(0).cast(pl.Int64))
    ).to_series()


def parse_datetimes(s: pl.Series) -> pl.Series:
    """Text → Datetime in every form listed in domain.md (Excel serials, 2018/8/3, 2018年8月3日, 20180803,
    with or without a time); null where the text is not a date (the caller reports those). Each form is
    tried only on the rows that the forms before it left unparsed."""
    return _parse_narrowing(s, [*_common_forms(s, _FAST_DATE_FORMATS), _slow_dates]).alias(s.name)


def _common_forms(
    s: pl.Series, formats: Sequence[str], sample_rows: int = 2000
) -> list[Callable[[pl.Series], pl.Series]]:
    """The fast parses of the forms that an even sample of the column actually uses, most used first. (They are
    shortcuts only: _slow_dates reads every one of these forms too, so a form missing from the sample still parses.)"""
    values = s.drop_nulls()
    sample = values.gather_every(max(1, values.len() // sample_rows))
    hits = {f: int(_strptime(f)(sample).is_not_null().sum()) for f in formats}
    return [_strptime(f) for f in sorted((f for f in formats if hits[f]), key=lambda f: -hits[f])]


def _strptime(fmt: str) -> Callable[[pl.Series], pl.Series]:
    return lambda x: x.str.to_datetime(fmt, strict=False, time_unit="us")


def _parse_narrowing(s: pl.Series, parsers: Sequence[Callable[[pl.Series], pl.Series]]) -> pl.Series:
    out = parsers[0](s)
    if len(parsers) == 1:
        return out
    return fill_where(out, out.is_null() & s.is_not_null(), s, lambda rest: _parse_narrowing(rest, parsers[1:]))


def find_datetime(text: str) -> pl.Datetime | None:
    """The first date in a free text line, e.g. a title line "导出时间：2018-09-01 09:12:33"."""
    m = re.search(_DATE_RE.strip("^$"), unicodedata.normalize("NFKC", text))
    if not m:
        return None
    return parse_datetimes(pl.Series([m.group(0)])).item()


def parse_amounts(s: pl.Series, units: Sequence[str], ten_thousand: Sequence[str]) -> pl.Series:
    """1,234.50 元 / １２３４ / 1.2万元 → 1234.5 / 1234 / 12000.0; null where not a number (caller reports)."""
    out = s.cast(pl.Float64, strict=False)

    def alternatives(words: Iterable[str]) -> str:
        folded = {unicodedata.normalize("NFKC", w) for w in words}
        return "|".join(re.escape(w) for w in sorted(folded, key=len, reverse=True))

    wan_re = f"(?:{alternatives(ten_thousand)})$"
    noise_re = f"{alternatives((*ten_thousand, *units))}|[,\\s]"

    def slow(x: pl.Series) -> pl.Series:
        t = x.str.normalize("NFKC").str.strip_chars()
        value = t.str.replace_all(noise_re, "").cast(pl.Float64, strict=False)
        return pl.select(
            pl.when(pl.lit(t.str.contains(wan_re))).then(pl.lit(value) * 10_000).otherwise(pl.lit(value))
        ).to_series()

    return fill_where(out, out.is_null() & s.is_not_null(), s, slow).alias(s.name)


SCI_RE = r"^[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+$"


def clean_ids(s: pl.Series) -> pl.Series:
    """IDs stay text with every digit: blanks, full-width digits, a leading apostrophe and Excel's ="…" wrapper go."""

    def slow(x: pl.Series) -> pl.Series:
        t = x.str.normalize("NFKC").str.strip_chars()
        t = pl.select(pl.coalesce(pl.lit(t).str.extract(r'^="(.*)"$', 1), pl.lit(t))).to_series()
        t = t.str.strip_prefix("'").str.strip_chars()
        return pl.select(pl.when(pl.lit(t).str.len_chars() > 0).then(pl.lit(t))).to_series()

    plain = s.str.contains(r"^[0-9A-Za-z_-]+$").fill_null(True)
    return fill_where(s, ~plain, s, slow).alias(s.name)


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_CHARS)}


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015: the 18th character of a 统一社会信用代码 from the first 17."""
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_valid(e: pl.Expr) -> pl.Expr:
    """True when the code has 18 allowed characters and the right check character (vectorised)."""
    shape = e.str.contains(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
    total = pl.sum_horizontal(
        [
            e.str.slice(i, 1).replace_strict(_USCC_VALUE, default=0, return_dtype=pl.Int32) * w
            for i, w in enumerate(USCC_WEIGHTS)
        ]
    )
    expected = ((31 - total % 31) % 31).replace_strict(
        dict(enumerate(USCC_CHARS)), default=None, return_dtype=pl.String
    )
    return (shape & (e.str.slice(17, 1) == expected)).fill_null(False)


def uscc_valid_series(codes: pl.Series) -> pl.Series:
    """uscc_valid over a column; merchants repeat, so each distinct code is checked once."""
    distinct = codes.drop_nulls().unique()
    good = distinct.filter(pl.select(uscc_valid(pl.lit(distinct))).to_series().fill_null(False))
    return codes.is_in(good.implode()).fill_null(False)
