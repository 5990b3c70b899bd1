"""An OLE2 compound file (the container of .xls, .doc and of encrypted .xlsx) read just far enough to judge it:
the names of its streams, and the first records of an .xls workbook stream. Every chain is bounded by the file's
own sector count, so a looping or lying file ends in a refusal, never a hang.

Why our own reader: the gate needs three facts (is it encrypted, is it an Excel workbook, does its BIFF stream
start as Excel writes it) before calamine sees the file; a dependency for that would be larger than this."""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE  # ENDOFCHAIN
_SPECIAL = 0xFFFFFFFA  # sector numbers from here up are markers, not sectors
_DIR_ENTRY = 128


class OleError(Exception):
    """The container is not a well-formed compound file."""


@dataclass(frozen=True)
class OleStream:
    name: str
    start: int
    size: int


class OleFile:
    """The directory of a compound file and its streams' first bytes."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            self.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # read on demand, not all at once
        try:
            self._read_directory()
        except (struct.error, ValueError, IndexError):
            self.close()
            raise OleError("malformed") from None
        except OleError:
            self.close()
            raise

    def close(self) -> None:
        self.data.close()

    def __enter__(self) -> OleFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read_directory(self) -> None:
        h = self.data[:512]
        if len(h) < 512 or not h.startswith(MAGIC):
            raise OleError("header")
        major, order, shift, mini_shift = struct.unpack_from("<HHHH", h, 0x1A)
        if order != 0xFFFE or (major, shift) not in ((3, 9), (4, 12)) or mini_shift != 6:
            raise OleError("header fields")
        self.sector = 1 << shift
        self.sectors = max((len(self.data) - self.sector) // self.sector, 0)
        n_fat, first_dir = struct.unpack_from("<II", h, 0x2C)
        self.mini_cutoff, first_minifat, _n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", h, 0x38)
        fat_sectors = [s for s in struct.unpack_from("<109I", h, 0x4C) if s < _SPECIAL]
        per = self.sector // 4
        next_difat = lambda s: struct.unpack_from("<I", self._sector(s), self.sector - 4)[0]  # noqa: E731
        for s in self._walk(first_difat, next_difat, self.sectors):
            if len(fat_sectors) >= n_fat:
                break
            fat_sectors += [x for x in struct.unpack_from(f"<{per - 1}I", self._sector(s)) if x < _SPECIAL]
        if len(fat_sectors) < n_fat or n_difat > self.sectors:
            raise OleError("fat")
        self.fat = [x for s in fat_sectors[:n_fat] for x in struct.unpack_from(f"<{per}I", self._sector(s))]
        directory = self._chain_bytes(first_dir, self.fat, self._sector)
        self.streams: dict[str, OleStream] = {}
        root: OleStream | None = None
        for at in range(0, len(directory) - _DIR_ENTRY + 1, _DIR_ENTRY):
            e = directory[at : at + _DIR_ENTRY]
            name_len, kind = struct.unpack_from("<HB", e, 0x40)
            if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                continue
            name = e[: name_len - 2].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<IQ", e, 0x74)
            if self.sector == 512:
                size &= 0xFFFFFFFF
            entry = OleStream(name, start, size)
            if kind == 5:
                root = entry
            elif kind == 2:
                self.streams.setdefault(name, entry)
        if root is None:
            raise OleError("no root")
        self.mini = self._chain_bytes(root.start, self.fat, self._sector)[: root.size] if root.start < _SPECIAL else b""
        self.minifat: list[int] = []
        if first_minifat < _SPECIAL:
            raw = self._chain_bytes(first_minifat, self.fat, self._sector)
            self.minifat = list(struct.unpack_from(f"<{len(raw) // 4}I", raw))

    def _sector(self, s: int) -> bytes:
        if s >= self.sectors:
            raise OleError("sector out of range")
        at = (s + 1) * self.sector
        return self.data[at : at + self.sector]

    def _walk(self, start: int, following, bound: int):
        """Sector numbers along a chain; a chain longer than its table can hold loops."""
        seen = 0
        s = start
        while s < _SPECIAL:
            seen += 1
            if seen > bound:
                raise OleError("chain loops")
            yield s
            s = following(s)

    def _chain_bytes(self, start: int, table: list[int], read, limit: int | None = None) -> bytes:
        def following(s: int) -> int:
            if s >= len(table):
                raise OleError("chain leaves the table")
            return table[s]

        out = bytearray()
        for s in self._walk(start, following, len(table)):
            out += read(s)
            if limit is not None and len(out) >= limit:
                break
        return bytes(out)

    def head(self, stream: OleStream, n: int) -> bytes:
        """The first n bytes of a stream (from the mini stream when it is small)."""
        n = min(n, stream.size)
        if stream.size < self.mini_cutoff:

            def mini_sector(s: int) -> bytes:
                if (s + 1) * 64 > len(self.mini):
                    raise OleError("mini sector out of range")
                return self.mini[s * 64 : (s + 1) * 64]

            return self._chain_bytes(stream.start, self.minifat, mini_sector, n)[:n]
        return self._chain_bytes(stream.start, self.fat, self._sector, n)[:n]


# BIFF record types the gate looks at.
BOF, FILEPASS, EOF = 0x0809, 0x002F, 0x000A
BIFF8, BIFF5 = 0x0600, 0x0500


def biff_globals(head: bytes) -> tuple[int, bool]:
    """(BIFF version, encrypted?) from the first records of a Workbook stream; OleError unless it starts with a BOF.
    FILEPASS (a password to open) sits among the first records of the globals, before their EOF."""
    if len(head) < 8:
        raise OleError("short workbook stream")
    rtype, length, version = struct.unpack_from("<HHH", head, 0)
    if rtype != BOF or length < 4:
        raise OleError("no BOF")
    at = 4 + length
    while at + 4 <= len(head):
        rtype, length = struct.unpack_from("<HH", head, at)
        if rtype == FILEPASS:
            return version, True
        if rtype == EOF:
            break
        at += 4 + length
    return version, False
