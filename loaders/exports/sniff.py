"""How much a file looks like an export source, and refusing a file that is plainly another source."""

from __future__ import annotations

import functools
from pathlib import Path

from campaign import Campaign
from loaders.exports.spec import ExportSpec, all_specs
from loaders.reading import headers
from loaders.reading.grids import preview
from loaders.reading.headers import HeaderIndex, Located
from loaders.result import FileRejected


@functools.lru_cache(maxsize=8)
def _preview_cached(path: str, mtime_ns: int, size: int, name: str):
    return preview(Path(path), name)


def _preview(path: Path, name: str):
    st = path.stat()
    return _preview_cached(str(path), st.st_mtime_ns, st.st_size, name)


def sniff_export(path: Path, spec: ExportSpec, campaign: Campaign | None = None) -> float:
    """How well the file matches this source (0..1). Never raises."""
    try:
        c = campaign or _default_campaign()
        fmt, grids, text = _preview(Path(path), Path(path).name)
        found = headers.locate(Path(path), Path(path).name, HeaderIndex(c.sources[spec.kind]), grids, fmt, text)
        return found.score if found else 0.0
    except Exception:
        return 0.0


@functools.cache
def _default_campaign() -> Campaign:
    from campaign import load_campaign

    return load_campaign()


def refuse_other_kind(path, name, loc: Located, spec: ExportSpec, c: Campaign, grids, fmt, text) -> None:
    for kind in all_specs(c):
        if kind == spec.kind or kind not in c.sources:
            continue
        other = headers.locate(path, name, HeaderIndex(c.sources[kind]), grids, fmt, text)
        if other is not None and other.score > loc.score + 0.15:
            raise FileRejected(
                f"文件 {name} 看起来是{c.sources[kind].label}，而不是所选的{c.sources[spec.kind].label}。"
                "请选择正确的数据类型，或选“自动识别”。"
            )
