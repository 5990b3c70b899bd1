"""Server-side login sessions (auth/sessions.py): only the token's hash is kept, idle and absolute timeouts on an
injected clock, and every way a session ends (logout, disabling, password reset, an admin's order)."""

import datetime as dt
import hashlib

import pytest

from auth import sessions
from auth.accounts import lookup, reset_password, set_active
from auth.policy import PermissionDenied
from tests.conftest import create_test_users

T0 = dt.datetime(2018, 10, 8, 9, 0, 0)
LIFE = sessions.Lifetimes(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12))


@pytest.fixture
def accounts(wh):
    create_test_users(wh)
    return wh


def _rows(wh, sql, params=()):
    with wh.read() as cur:
        return cur.execute(sql, list(params)).fetchall()


def _audit(wh, action):
    return _rows(wh, "SELECT username, target, detail FROM audit_log WHERE action = ? ORDER BY audit_id", [action])


def _start(wh, user="leader", at=T0, via="password"):
    return sessions.start(wh, user, via, "Mozilla/5.0 Test", now=at, lifetimes=LIFE)


def _check(wh, token, at, **kw):
    return sessions.check(wh, token, now=at, lifetimes=LIFE, **kw)


def _everything_stored(wh) -> str:
    """Every value of the sessions table and the audit trail, as one text."""
    rows = _rows(wh, "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM sessions")
    rows += _rows(wh, "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM audit_log")
    return "\n".join(str(v) for row in rows for v in row)


def test_only_the_hash_of_the_token_is_stored(accounts):
    token = _start(accounts)
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    ((stored, username, via, created, last_seen, expires, agent),) = _rows(
        accounts, "SELECT token_sha256, username, via, created_at, last_seen, expires_at, user_agent FROM sessions"
    )
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert (username, via, created, last_seen, expires, agent) == (
        "leader",
        "password",
        T0,
        T0,
        T0 + dt.timedelta(hours=12),
        "Mozilla/5.0 Test",
    )
    assert token not in _everything_stored(accounts)
    assert _audit(accounts, "session_start") == [("leader", "leader", f"密码登录，会话 {stored[:8]}")]


def test_each_login_gets_its_own_random_token(accounts):
    assert len({_start(accounts) for _ in range(5)}) == 5


def test_idle_timeout_ends_the_session(accounts):
    token = _start(accounts)
    assert _check(accounts, token, T0 + dt.timedelta(minutes=29)).username == "leader"
    # 29 minutes of use were recorded: the next 29 minutes are fine too, 30 without use are not.
    assert _check(accounts, token, T0 + dt.timedelta(minutes=58)) is not None
    assert _check(accounts, token, T0 + dt.timedelta(minutes=88)) is None
    assert _check(accounts, token, T0 + dt.timedelta(minutes=89)) is None  # ended, not revived
    assert _rows(accounts, "SELECT end_reason, ended_at FROM sessions") == [("idle", T0 + dt.timedelta(minutes=88))]
    ((user, _, detail),) = _audit(accounts, "session_expired")
    assert user == "leader" and detail.endswith("超时未操作（30 分钟）")


def test_absolute_lifetime_ends_even_an_active_session(accounts):
    token = _start(accounts)
    for step in range(1, 36):  # used every 20 minutes until 11 h 40
        assert _check(accounts, token, T0 + step * dt.timedelta(minutes=20)) is not None, step
    assert _check(accounts, token, T0 + dt.timedelta(hours=12)) is None
    assert _rows(accounts, "SELECT end_reason FROM sessions") == [("lifetime",)]
    assert "超过最长登录时长" in _audit(accounts, "session_expired")[0][2]


def test_last_seen_is_written_at_most_once_a_minute_and_never_bumps_the_data_version(accounts):
    version = accounts.data_version()
    token = _start(accounts)
    for seconds in (5, 20, 59):
        _check(accounts, token, T0 + dt.timedelta(seconds=seconds))
    assert _rows(accounts, "SELECT last_seen FROM sessions") == [(T0,)]
    _check(accounts, token, T0 + dt.timedelta(seconds=61))
    assert _rows(accounts, "SELECT last_seen FROM sessions") == [(T0 + dt.timedelta(seconds=61),)]
    assert accounts.data_version() == version  # a login or a touch keeps every cached figure


def test_a_short_idle_timeout_touches_more_often():
    short = sessions.Lifetimes(idle=dt.timedelta(seconds=20), absolute=dt.timedelta(hours=1))
    assert short.touch_every == dt.timedelta(seconds=5)
    assert LIFE.touch_every == dt.timedelta(minutes=1)


def test_lifetimes_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("WANGJIAN_SESSION_IDLE_MINUTES", raising=False)
    monkeypatch.delenv("WANGJIAN_SESSION_MAX_HOURS", raising=False)
    assert sessions.Lifetimes.from_settings() == LIFE
    monkeypatch.setenv("WANGJIAN_SESSION_IDLE_MINUTES", "0.25")
    monkeypatch.setenv("WANGJIAN_SESSION_MAX_HOURS", "8")
    life = sessions.Lifetimes.from_settings()
    assert (life.idle, life.absolute) == (dt.timedelta(seconds=15), dt.timedelta(hours=8))
    assert life.describe() == "0.25 分钟未操作或登录满 8 小时后，会话自动结束"


def test_logout_ends_the_session_so_a_copied_token_gives_nothing(accounts):
    token = _start(accounts)
    other = _start(accounts)  # the same user on a second computer
    sessions.end(accounts, token, lookup(accounts, "leader"), now=T0 + dt.timedelta(minutes=5))
    # The copy a thief took, brought back by another browser after the logout:
    at = T0 + dt.timedelta(minutes=6)
    assert _check(accounts, token, at, resuming=True, user_agent="Evil/1.0") is None
    assert _check(accounts, other, at) is not None  # only that one session ended
    ((user, _, detail),) = _audit(accounts, "session_refused")
    assert user == "leader" and "已于 2018-10-08 09:05 结束（退出登录）" in detail
    assert [r[2] for r in _audit(accounts, "logout")] == [f"会话 {sessions.hash_token(token)[:8]}"]
    assert token not in _everything_stored(accounts)


def test_a_token_copied_before_logout_is_the_session(accounts):
    token = _start(accounts)
    found = _check(accounts, token, T0 + dt.timedelta(minutes=1), resuming=True, user_agent="Chromium/1")
    assert found.username == "leader" and found.via == "password"
    ((_, _, detail),) = _audit(accounts, "session_resume")
    assert detail == f"会话 {found.tag}，Chromium/1"


def test_a_token_never_issued_is_refused_quietly(accounts):
    _start(accounts)
    assert _check(accounts, "made-up-token", T0, resuming=True) is None
    assert _audit(accounts, "session_refused") == []  # nothing ties it to a user


def test_disabling_an_account_ends_its_sessions(accounts):
    admin = lookup(accounts, "admin")
    tokens = [_start(accounts, at=dt.datetime.now()) for _ in range(2)]
    kept = _start(accounts, "analyst", at=dt.datetime.now())
    set_active(accounts, admin, "leader", False)
    now = dt.datetime.now()
    assert [_check(accounts, t, now) for t in tokens] == [None, None]
    assert _check(accounts, kept, now) is not None
    assert _audit(accounts, "session_ended") == [("admin", "leader", "账号停用：结束 2 个会话")]
    set_active(accounts, admin, "leader", True)
    assert [_check(accounts, t, now) for t in tokens] == [None, None]  # enabling again revives nothing


def test_resetting_the_password_ends_the_sessions(accounts):
    token = _start(accounts, at=dt.datetime.now())
    reset_password(accounts, lookup(accounts, "admin"), "leader", "another-password-1")
    assert _check(accounts, token, dt.datetime.now()) is None
    assert _rows(accounts, "SELECT end_reason FROM sessions") == [("password",)]
    assert _audit(accounts, "session_ended") == [("admin", "leader", "密码重置：结束 1 个会话")]


def test_a_session_of_an_account_disabled_behind_its_back_is_refused(accounts):
    token = _start(accounts)
    with accounts.write() as cur:  # e.g. an account removed by hand
        cur.execute("UPDATE users SET active = false WHERE username = 'leader'")
    assert _check(accounts, token, T0 + dt.timedelta(minutes=1)) is None
    assert _rows(accounts, "SELECT end_reason FROM sessions") == [("disabled",)]


def test_an_admin_ends_every_session_of_a_user(accounts):
    admin, leader = lookup(accounts, "admin"), lookup(accounts, "leader")
    now = dt.datetime.now()
    tokens = [_start(accounts, at=now) for _ in range(3)]
    _start(accounts, "analyst", at=now)
    with pytest.raises(PermissionDenied):
        sessions.end_all(accounts, leader, "analyst")
    with pytest.raises(PermissionDenied):
        sessions.open_sessions(accounts, leader)
    listed = sessions.open_sessions(accounts, admin, now=now, lifetimes=LIFE)
    assert sorted(s["username"] for s in listed) == ["analyst", "leader", "leader", "leader"]
    assert {len(s["tag"]) for s in listed} == {8}
    assert sessions.end_all(accounts, admin, "leader") == 3
    assert all(_check(accounts, t, now) is None for t in tokens)
    assert [s["username"] for s in sessions.open_sessions(accounts, admin, now=now, lifetimes=LIFE)] == ["analyst"]
    assert _audit(accounts, "session_ended") == [("admin", "leader", "管理员结束会话：结束 3 个会话")]
    assert sessions.end_all(accounts, admin, "leader") == 0


def test_open_sessions_leave_out_idle_and_expired_ones(accounts):
    admin = lookup(accounts, "admin")
    _start(accounts, at=T0)
    assert len(sessions.open_sessions(accounts, admin, now=T0 + dt.timedelta(minutes=29), lifetimes=LIFE)) == 1
    assert sessions.open_sessions(accounts, admin, now=T0 + dt.timedelta(minutes=31), lifetimes=LIFE) == []


def test_sessions_long_expired_are_purged_on_the_next_login(accounts):
    _start(accounts, at=T0)
    _start(accounts, at=T0 + dt.timedelta(days=7, hours=11))
    assert len(_rows(accounts, "SELECT * FROM sessions")) == 2  # the first expired 7 days minus 1 hour ago
    _start(accounts, at=T0 + dt.timedelta(days=7, hours=13))
    assert len(_rows(accounts, "SELECT * FROM sessions")) == 2


def test_an_unknown_login_method_is_refused(accounts):
    with pytest.raises(ValueError, match="unknown login method"):
        sessions.start(accounts, "leader", "magic")
