"""The outbox: every reminder and digest composed once, ever, and every delivery try with its outcome.

`send` runs in three steps:
1. compose: each reminder due on the date whose dedup key is new becomes a message (with the Monday digest);
   a message gets one delivery per route that reaches its unit (or leadership) when composed; a message with
   no route yet is kept unrouted and gets its deliveries on the first run that finds a route;
2. deliver: every pending delivery, and every failed one with fewer than MAX_ATTEMPTS tries, is sent through
   its channel; the outcome (sent, or failed with the Chinese error) is written at once, one transaction each;
3. return what happened.
So running `send` twice sends each reminder once, and a failed send is retried on the next run. Network I/O
happens outside any transaction; a message is marked sent only after its channel accepted it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from actions import now, reminders
from actions.channels import ChannelError, deliver
from actions.config import ChannelConfig, Route, all_routes, load_config, route_problem
from warehouse import Warehouse, load_sql

MAX_ATTEMPTS = 10
DIGEST_WEEKDAY = 0  # Monday
STATUS_LABELS = {"pending": "待发送", "sent": "已发送", "failed": "发送失败"}


@dataclass
class SendReport:
    as_of: dt.date
    composed: int = 0
    unrouted: int = 0
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "composed": self.composed,
            "unrouted": self.unrouted,
            "sent": self.sent,
            "failed": self.failed,
            "errors": self.errors,
        }


@dataclass(frozen=True)
class Draft:
    key: str
    kind: str
    audience: str
    unit: str | None
    agency: str | None
    subject: str
    text: str
    due: dt.date | None


def drafts(wh: Warehouse, as_of: dt.date, cfg: ChannelConfig, digest: bool | None = None) -> list[Draft]:
    """What is due on `as_of` as messages: every reminder, plus the leadership digest on Mondays (or when asked)."""
    out = [
        Draft(r.key, r.kind, "unit", r.unit, r.agency, r.subject, r.text, r.due) for r in reminders.reminders(wh, as_of)
    ]
    if digest if digest is not None else as_of.weekday() == DIGEST_WEEKDAY:
        subject, text = reminders.digest_text(wh, as_of, reminders.digest(wh, as_of, cfg.dashboard_url))
        out.append(Draft(f"digest|{as_of}", "digest", "leadership", None, None, subject, text, None))
    return out


def _targets(routes: list[Route], audience: str, unit: str | None, agency: str | None) -> list[tuple[str, str]]:
    return list(dict.fromkeys((r.channel, r.target) for r in routes if r.reaches(audience, unit, agency)))


def compose(wh: Warehouse, as_of: dt.date, cfg: ChannelConfig, digest: bool | None = None) -> tuple[int, int]:
    """Write the new messages and their deliveries in one transaction. Returns (new messages, still unrouted)."""
    routes = [r for r in all_routes(wh, cfg) if route_problem(wh.campaign, cfg, r) is None]
    todo = drafts(wh, as_of, cfg, digest)
    at = now()
    with wh.write() as cur:
        known = {k for (k,) in cur.execute("SELECT dedup_key FROM outbox_messages").fetchall()}
        new = 0
        for d in todo:
            if d.key in known:
                continue
            targets = _targets(routes, d.audience, d.unit, d.agency)
            (message_id,) = cur.execute(
                "INSERT INTO outbox_messages (dedup_key, kind, audience, unit, agency, subject, text, due, as_of, "
                "routed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING message_id",
                [d.key, d.kind, d.audience, d.unit, d.agency, d.subject, d.text, d.due, as_of, bool(targets), at],
            ).fetchone()
            _add_deliveries(cur, message_id, targets)
            known.add(d.key)
            new += 1
        # Messages composed while their unit had no channel: route them now, if it has one.
        waiting = cur.execute(
            "SELECT message_id, audience, unit, agency FROM outbox_messages WHERE NOT routed ORDER BY message_id"
        ).fetchall()
        unrouted = 0
        for message_id, audience, unit, agency in waiting:
            targets = _targets(routes, audience, unit, agency)
            if targets:
                _add_deliveries(cur, message_id, targets)
                cur.execute("UPDATE outbox_messages SET routed = true WHERE message_id = ?", [message_id])
            else:
                unrouted += 1
    return new, unrouted


def _add_deliveries(cur, message_id: int, targets: list[tuple[str, str]]) -> None:
    if not targets:
        return
    cur.executemany(
        "INSERT INTO outbox_deliveries (message_id, channel, target, status) VALUES (?, ?, ?, 'pending')",
        [[message_id, channel, target] for channel, target in targets],
    )


def deliver_pending(wh: Warehouse, cfg: ChannelConfig, report: SendReport) -> None:
    """Send every pending delivery and retry every failed one (up to MAX_ATTEMPTS tries), recording each outcome."""
    with wh.read() as cur:
        todo = cur.execute(load_sql("outbox_due", __file__), {"max_attempts": MAX_ATTEMPTS}).fetchall()
    for delivery_id, channel, target, subject, text in todo:
        try:
            deliver(cfg, channel, target, subject, text)
        except ChannelError as exc:
            status, error = "failed", str(exc)
            report.failed += 1
            report.errors.append(f"{target}：{error}")
        else:
            status, error = "sent", None
            report.sent += 1
        at = now()
        with wh.transaction(bump_version=False) as cur:
            cur.execute(
                "UPDATE outbox_deliveries SET status = ?, attempts = attempts + 1, last_error = ?, last_try_at = ?, "
                "sent_at = CASE WHEN ? = 'sent' THEN ? END WHERE delivery_id = ?",
                [status, error, at, status, at, delivery_id],
            )


def send(wh: Warehouse, as_of: dt.date, cfg: ChannelConfig | None = None, *, digest: bool | None = None) -> SendReport:
    """Compose what is new on `as_of` and send everything not yet sent. Safe to run again at any time."""
    cfg = cfg or load_config(wh.campaign)
    report = SendReport(as_of)
    report.composed, report.unrouted = compose(wh, as_of, cfg, digest)
    deliver_pending(wh, cfg, report)
    return report


def outbox(wh: Warehouse, limit: int = 1000) -> pl.DataFrame:
    """Messages, newest first, one row per delivery (a message with no route yet: one row, no channel)."""
    with wh.read() as cur:
        return cur.execute(load_sql("outbox_list", __file__), {"limit": limit}).pl()
