"""Follow-up that gets done: 督办 items and 催报 reminders (issue 12). The floor above metrics: it reads figures
through metrics/, changes only its own tables (followup_*, notify_routes, outbox_*), and is imported by the pages
and its own command line; metrics/ imports only its read side (model, board), loaders/ nothing.

- `actions.model`: the 督办 vocabulary (states, levels, origins, steps, FollowupError, Origin);
- `actions.items`: the 督办 state machine and its rights: the only code that changes items;
- `actions.board`: items as they stood on a day, with their traffic lights (working days, 调休 included).
  `actions.model` and `actions.board` sit on metrics' floor (they import no loaders), so the 工作通报 and the
  总结报告 (metrics.documents) can show the items;
- `actions.reminders`: what is due on a date (late tables, deliverables, items turning yellow or red) and the
  leadership digest, computed from metrics.tracking and the items;
- `actions.outbox`: sends what is new through the configured channels, once, and records every try;
- `actions.channels`: e-mail (SMTP), 企业微信 and 钉钉 group robots; `actions.config`: the channel file and routes;
- `python -m actions digest|send`: the command line a cron line or systemd timer calls.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """The wall-clock time users see (Asia/Shanghai), stored as a naive timestamp."""
    return dt.datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0)
