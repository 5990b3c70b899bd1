"""load_campaign: the campaign file → TOML → each section read and checked (campaign.sections) → one Campaign."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import settings
from campaign.model import Campaign
from campaign.reader import CampaignError, Reader
from campaign.sections import schedule, sources, tables, units


def load_campaign(path: str | os.PathLike | None = None) -> Campaign:
    """Load and validate a campaign definition ($WANGJIAN_CAMPAIGN or the default file when no path is given).
    Raises CampaignError naming the bad key."""
    path = Path(path or settings.campaign_file())
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CampaignError(f"找不到活动定义文件 {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(f"活动定义文件 {path.name} 不是合法的 TOML：{exc}") from None
    r = Reader(path)
    fields = schedule.read(raw, r) | units.read(raw, r)
    focus_areas = set(fields["_index"]["focus_areas"])
    fields |= tables.read(raw, r, focus_areas) | sources.read(raw, r, focus_areas)
    fields["_index"]["statuses"] = {word: s for s in fields["statuses"] for word in (s.label, *s.synonyms)}
    return Campaign(path=path, **fields)
