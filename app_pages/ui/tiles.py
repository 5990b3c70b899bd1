"""Metric tiles: a figure's label, unit, scale and decimals come from the metric registry, never from the page."""

from __future__ import annotations

from streamlit.delta_generator import DeltaGenerator

from app_pages.ui.freshness import tile_note
from metrics.freshness import Coverage
from metrics.registry import Metric


def metric_tile(
    where: DeltaGenerator,
    m: Metric,
    value: float | None,
    *,
    week_change: float | None = None,
    label: str | None = None,
    unit: str | None = None,
    coverage: Coverage | None = None,
) -> None:
    """A bordered tile "label（unit）" showing metric `m` (from the registry), with its change over a week if given.

    `label` and `unit` replace the registry's only where a tile says something else, such as 总览's disposed
    hits out of those received ("监测线索处置（1,234 条）"). With `coverage`, a 统计表 figure that lacks reporters in
    the week in view says 不完整 and names them on hover."""
    note, missing = tile_note(m, coverage)
    flat = week_change is not None and m.format(week_change) == m.format(0)  # no change: no green up-arrow
    where.metric(
        f"{note}{label or m.label}（{unit or m.display_unit or m.unit}）",
        m.format(value),
        None if week_change is None else "与上周持平" if flat else f"{m.format(week_change, signed=True)} 较上周",
        border=True,
        delta_color="off" if flat else "normal",
        delta_arrow="off" if flat else "auto",
        help=missing,
    )
