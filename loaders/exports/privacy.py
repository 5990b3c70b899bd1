"""Personal data: what is dropped, what is masked, and the keyed hash of phone numbers.

- Personal columns (complainant/reporter names, phones, ID numbers, addresses) are dropped before anything
  is written: the warehouse, logs, error messages and exports never see them.
- Free text (具体内容, 处置结果 …) is masked: ID numbers, mobile and landline numbers, and the row's own
  personal values (e.g. the complainant's name quoted in the text) become ``***``.
- Repeat complainants are counted through an HMAC-SHA256 of the normalised phone number. The key is created
  once per installation and lives OUTSIDE the database file: ``$WANGJIAN_SECRET_DIR/hmac.key`` if that
  variable is set, else ``data/secret/hmac.key`` (gitignored). Back it up with the database: with another key
  the same phone gets another hash, and repeat counts across the two keys no longer match.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Sequence

import polars as pl

import settings
from loaders.reading.values import fill_where

MASK = "***"
KEY_FILE = "hmac.key"
KEY_BYTES = 32

# ID numbers (18 characters, may end in X), any run of 7+ digits (mobiles, landlines, ID and card numbers),
# and phone numbers written with separators. Kept simple: one cheap regex over millions of rows.
SENSITIVE_RE = r"\d{17}[Xx]|\d{7,}|1[3-9]\d[- ]\d{4}[- ]\d{4}|0\d{2,3}-\d{7,8}|\(0\d{2,3}\)\d{7,8}"
_FULL_WIDTH_DIGITS = [chr(0xFF10 + i) for i in range(10)]


def hmac_key() -> bytes:
    """This installation's key, created on first use (0600, never in the database)."""
    folder = settings.secret_dir()
    path = folder / KEY_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            key = path.read_bytes()
        else:
            key = secrets.token_bytes(KEY_BYTES)
            with os.fdopen(fd, "wb") as f:
                f.write(key)
    if len(key) < 16:
        raise RuntimeError(
            f"HMAC 密钥文件 {path} 内容异常（过短）。请从备份恢复，或删除后重新生成（重复投诉统计将重新起算）。"
        )
    return key


def key_id(key: bytes) -> str:
    """A fingerprint of the key (not the key): stored with each batch so a key change can be noticed."""
    return hashlib.sha256(b"wangjian-key-id:" + key).hexdigest()[:16]


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """(inner, outer) pads of HMAC-SHA256, so that the warehouse can compute the HMAC in one vectorised SQL
    expression: sha256(outer || unhex(sha256(inner || message)))."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def normalize_phones(phones: pl.Series) -> pl.Series:
    """Digits only, without a +86/86 prefix, so that '138-1234-5678' and '+86 13812345678' hash alike.
    Plain mobile numbers (the usual case) are left as they are; only the others are rewritten."""

    def slow(x: pl.Series) -> pl.Series:
        digits = x.str.normalize("NFKC").str.replace_all(r"\D", "")
        digits = pl.select(
            pl.when(pl.lit(digits).str.len_chars() == 13)
            .then(pl.lit(digits).str.strip_prefix("86"))
            .otherwise(pl.lit(digits))
        ).to_series()
        return pl.select(pl.when(pl.lit(digits).str.len_chars() >= 7).then(pl.lit(digits))).to_series()

    plain = phones.str.contains(r"^1[3-9][0-9]{9}$").fill_null(True)
    return fill_where(phones, ~plain, phones, slow)


def mask_text(text: pl.Series, own_values: Sequence[pl.Series] = ()) -> pl.Series:
    """Mask ID/phone numbers and this row's personal values (name, address …) inside free text. Each own value is
    cut out only of the rows that contain it."""
    t = fill_where(
        text,
        text.str.contains("[０-９]").fill_null(False),
        text,
        lambda x: x.str.replace_many(_FULL_WIDTH_DIGITS, [str(i) for i in range(10)]),
    )
    for value in own_values:
        pair = pl.DataFrame({"t": t, "v": value.str.strip_chars()})
        hit = pair.select(
            ((pl.col("v").str.len_chars() >= 2) & pl.col("t").str.contains(pl.col("v"), literal=True)).fill_null(False)
        ).to_series()
        if hit.any():
            idx = hit.arg_true()
            cut = pair[idx].select(pl.col("t").str.split(pl.col("v")).list.join(MASK)).to_series()
            t = t.clone()
            t.scatter(idx, cut)
    return t.str.replace_all(SENSITIVE_RE, MASK).alias(text.name)
