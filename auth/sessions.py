"""Login sessions that survive a reload: the browser keeps a random token (in a cookie), the warehouse keeps only
its SHA-256 with the user, the times and the browser, so a session can be checked, timed out and ended from the
server. Nothing here knows about Streamlit or cookies (that glue is app_pages/ui/session.py).

A session ends after `idle` without use or `absolute` after it began, whichever comes first; on logout; and when an
admin ends it, disables the account or resets its password (accounts calls end_user_sessions in its own
transaction). Every start, resume, end and refusal is audited, never with the token.

Session bookkeeping is not data the figures depend on: its transactions do not bump the data version, so a login
or a touch never throws away the cached figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import settings
from auth.audit import audit
from auth.policy import Principal, require_admin
from warehouse import Warehouse, load_sql

VIA = {"password": "密码登录", "oidc": "统一身份认证", "bootstrap": "初始管理员"}
END_REASONS = {
    "logout": "退出登录",
    "idle": "超时未操作",
    "lifetime": "超过最长登录时长",
    "admin": "管理员结束会话",
    "disabled": "账号停用",
    "password": "密码重置",
}
# The audit actions of this module, with the labels 系统管理's audit filter shows (logout is already known there).
ACTION_LABELS = {
    "session_start": "会话开始",
    "session_resume": "会话恢复",
    "session_expired": "会话超时",
    "session_ended": "会话被结束",
    "session_refused": "会话令牌被拒",
}
PURGE_AFTER = dt.timedelta(days=7)
MAX_USER_AGENT = 300


@dataclass(frozen=True)
class Lifetimes:
    """How long a session lives: `idle` without use, `absolute` in all."""

    idle: dt.timedelta
    absolute: dt.timedelta

    @classmethod
    def from_settings(cls) -> Lifetimes:
        return cls(
            dt.timedelta(minutes=settings.session_idle_minutes()), dt.timedelta(hours=settings.session_max_hours())
        )

    def describe(self) -> str:
        hours = self.absolute.total_seconds() / 3600
        return f"{_minutes(self.idle)} 分钟未操作或登录满 {hours:g} 小时后，会话自动结束"

    @property
    def touch_every(self) -> dt.timedelta:
        """last_seen is written at most this often (a minute; less for a very short idle timeout), not per rerun."""
        return min(dt.timedelta(minutes=1), self.idle / 4)


@dataclass(frozen=True)
class Session:
    username: str
    via: str
    created_at: dt.datetime
    last_seen: dt.datetime
    expires_at: dt.datetime
    tag: str  # the first 8 hex digits of the hash: names a session in the audit trail without revealing the token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _tag(token_sha256: str) -> str:
    return token_sha256[:8]


def start(
    wh: Warehouse,
    username: str,
    via: str,
    user_agent: str | None = None,
    now: dt.datetime | None = None,
    lifetimes: Lifetimes | None = None,
) -> str:
    """Open a session for a user who has just proved who they are. Returns the token: the caller hands it to the
    browser and it is never seen here again, only its hash is stored."""
    if via not in VIA:
        raise ValueError(f"unknown login method: {via}")
    now = now or dt.datetime.now()
    life = lifetimes or Lifetimes.from_settings()
    token = secrets.token_urlsafe(32)
    digest = hash_token(token)
    with wh.transaction(bump_version=False) as cur:
        cur.execute("DELETE FROM sessions WHERE expires_at < ?", [now - PURGE_AFTER])
        cur.execute(
            "INSERT INTO sessions (token_sha256, username, via, created_at, last_seen, expires_at, user_agent) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [digest, username, via, now, now, now + life.absolute, (user_agent or "")[:MAX_USER_AGENT] or None],
        )
        audit(cur, username, "session_start", username, detail=f"{VIA[via]}，会话 {_tag(digest)}")
    return token


def _row(wh: Warehouse, digest: str) -> tuple | None:
    with wh.read() as cur:
        return cur.execute(load_sql("session_by_hash", __file__), [digest]).fetchone()


def check(
    wh: Warehouse,
    token: str,
    now: dt.datetime | None = None,
    lifetimes: Lifetimes | None = None,
    *,
    resuming: bool = False,
    user_agent: str | None = None,
) -> Session | None:
    """The live session a token belongs to, or None. Called on every run: a session past its idle or absolute
    limit is ended here (audited), and last_seen is touched at most every `touch_every`. With resuming=True (a
    browser came back with its cookie) the resume, or the refusal of an ended token, is audited as well."""
    now = now or dt.datetime.now()
    life = lifetimes or Lifetimes.from_settings()
    digest = hash_token(token)
    row = _row(wh, digest)
    if row is None:
        return None  # never issued here, or purged: nothing to tie it to a user
    username, via, created_at, last_seen, expires_at, ended_at, end_reason, active = row
    tag = _tag(digest)
    if ended_at is not None:
        if resuming:
            reason = END_REASONS.get(end_reason, end_reason)
            detail = f"会话 {tag} 已于 {ended_at:%Y-%m-%d %H:%M} 结束（{reason}）"
            _audit_alone(wh, username, "session_refused", detail)
        return None
    expired = "lifetime" if now >= expires_at else "idle" if now - last_seen >= life.idle else None
    if expired or not active:
        with wh.transaction(bump_version=False) as cur:
            cur.execute(
                "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_sha256 = ? AND ended_at IS NULL",
                [now, expired or "disabled", digest],
            )
            detail = END_REASONS[expired or "disabled"]
            if expired == "idle":
                detail += f"（{_minutes(life.idle)} 分钟）"
            action = "session_expired" if expired else "session_ended"
            audit(cur, username, action, username, detail=f"会话 {tag}：{detail}")
        return None
    if resuming or now - last_seen >= life.touch_every:
        with wh.transaction(bump_version=False) as cur:
            cur.execute("UPDATE sessions SET last_seen = ? WHERE token_sha256 = ?", [now, digest])
            if resuming:
                agent = f"，{user_agent[:80]}" if user_agent else ""
                audit(cur, username, "session_resume", username, detail=f"会话 {tag}{agent}")
        last_seen = now
    return Session(username, via, created_at, last_seen, expires_at, tag)


def _minutes(span: dt.timedelta) -> str:
    return f"{span.total_seconds() / 60:g}"


def _audit_alone(wh: Warehouse, username: str, action: str, detail: str) -> None:
    with wh.transaction(bump_version=False) as cur:
        audit(cur, username, action, username, detail=detail)


def end(wh: Warehouse, token: str | None, actor: Principal, now: dt.datetime | None = None) -> None:
    """退出登录: the session ends on the server, so the token is worthless wherever a copy of it went. Audited as a
    logout even without a token (a session begun before sessions were kept)."""
    now = now or dt.datetime.now()
    digest = hash_token(token) if token else None
    with wh.transaction(bump_version=False) as cur:
        if digest:
            cur.execute(
                "UPDATE sessions SET ended_at = ?, end_reason = 'logout' "
                "WHERE token_sha256 = ? AND username = ? AND ended_at IS NULL",
                [now, digest, actor.username],
            )
        audit(cur, actor, "logout", actor.username, detail=f"会话 {_tag(digest)}" if digest else None)


def end_user_sessions(cur, actor: Principal | str, username: str, reason: str, now: dt.datetime | None = None) -> int:
    """End every open session of `username` inside the caller's transaction (account disabled, password reset,
    an admin's order). Returns how many were open; audits when there were any."""
    now = now or dt.datetime.now()
    (n,) = cur.execute(
        "SELECT count(*) FROM sessions WHERE username = ? AND ended_at IS NULL AND expires_at > ?", [username, now]
    ).fetchone()
    cur.execute(
        "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE username = ? AND ended_at IS NULL",
        [now, reason, username],
    )
    if n:
        audit(cur, actor, "session_ended", username, detail=f"{END_REASONS[reason]}：结束 {n} 个会话")
    return n


def end_all(wh: Warehouse, actor: Principal, username: str, now: dt.datetime | None = None) -> int:
    """系统管理: an admin ends every session of a user (a lost phone, a shared computer). Returns how many."""
    require_admin(actor)
    with wh.transaction(bump_version=False) as cur:
        return end_user_sessions(cur, actor, username, "admin", now)


def open_sessions(
    wh: Warehouse, actor: Principal, now: dt.datetime | None = None, lifetimes: Lifetimes | None = None
) -> list[dict]:
    """The sessions still alive (not ended, not past either limit), newest use first. Admins only."""
    require_admin(actor)
    now = now or dt.datetime.now()
    life = lifetimes or Lifetimes.from_settings()
    with wh.read() as cur:
        rows = cur.execute(load_sql("sessions_open", __file__), [now, now - life.idle]).fetchall()
    keys = ("username", "via", "created_at", "last_seen", "expires_at", "user_agent", "tag")
    return [dict(zip(keys, r, strict=True)) for r in rows]
