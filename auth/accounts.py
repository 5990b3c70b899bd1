"""Local accounts: argon2id password hashes, the first administrator, login with lock-out, and look-ups.

Every change and every login attempt leaves its audit row in the same transaction. Disabling an account or
resetting its password ends its login sessions (auth.sessions) in that transaction too.
"""

from __future__ import annotations

import datetime as dt

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from auth.audit import audit
from auth.policy import ROLES, Principal, require_admin
from auth.sessions import end_user_sessions
from warehouse import Warehouse
from warehouse.clock import to_office, utc_now

MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


class AuthError(ValueError):
    """A login or account operation that cannot be done as asked."""


def has_users(wh: Warehouse) -> bool:
    with wh.read() as cur:
        return cur.execute("SELECT count(*) FROM users").fetchone()[0] > 0


def _check_new_account(
    wh: Warehouse, username: str, role: str, unit: str | None, agency: str | None, password: str | None
) -> None:
    if not username.strip():
        raise AuthError("用户名不能为空。")
    if role not in ROLES:
        raise AuthError(f"未知角色：{role}")
    if role == "unit_staff":
        units = {u.key for u in wh.campaign.units}
        agencies = {a.key for a in wh.campaign.agencies}
        if unit not in units or agency not in agencies:
            raise AuthError("填报员必须绑定一个填报单位和部门。")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"密码至少 {MIN_PASSWORD_LENGTH} 位。")


def create_user(
    wh: Warehouse,
    actor: Principal,
    username: str,
    role: str,
    password: str | None,
    *,
    display_name: str = "",
    unit: str | None = None,
    agency: str | None = None,
    email: str | None = None,
) -> None:
    """Admins add accounts. The very first account (an admin) is created by bootstrap_admin."""
    require_admin(actor)
    _check_new_account(wh, username, role, unit, agency, password)
    if role != "unit_staff":
        unit = agency = None
    with wh.write() as cur:
        if cur.execute("SELECT count(*) FROM users WHERE username = ?", [username]).fetchone()[0]:
            raise AuthError(f"用户名 {username} 已存在。")
        cur.execute(
            "INSERT INTO users (username, display_name, role, unit, agency, email, password_hash, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                username,
                display_name or username,
                role,
                unit,
                agency,
                email or None,
                _hasher.hash(password) if password else None,
                actor.username,
            ],
        )
        audit(cur, actor, "user_change", username, detail=f"新建账号，角色 {ROLES[role]}")


def bootstrap_admin(wh: Warehouse, username: str, password: str, display_name: str = "") -> Principal:
    """The first start asks for an initial admin. Refused once any account exists: no default password ever."""
    _check_new_account(wh, username, "admin", None, None, password)
    with wh.write() as cur:
        if cur.execute("SELECT count(*) FROM users").fetchone()[0]:
            raise AuthError("已存在账号，不能再创建初始管理员。")
        cur.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_by) VALUES (?, ?, 'admin', ?, ?)",
            [username, display_name or username, _hasher.hash(password), username],
        )
        audit(cur, username, "user_change", username, detail="创建初始管理员")
    return Principal(username, "admin", display_name or username)


def set_active(wh: Warehouse, actor: Principal, username: str, active: bool) -> None:
    require_admin(actor)
    if username == actor.username and not active:
        raise AuthError("不能停用自己的账号。")
    with wh.write() as cur:
        cur.execute(
            "UPDATE users SET active = ?, failed_attempts = 0, locked_until = NULL WHERE username = ?",
            [active, username],
        )
        audit(cur, actor, "user_change", username, detail="启用账号" if active else "停用账号")
        if not active:
            end_user_sessions(cur, actor, username, "disabled")


def reset_password(wh: Warehouse, actor: Principal, username: str, password: str) -> None:
    require_admin(actor)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"密码至少 {MIN_PASSWORD_LENGTH} 位。")
    with wh.write() as cur:
        cur.execute(
            "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL WHERE username = ?",
            [_hasher.hash(password), username],
        )
        audit(cur, actor, "user_change", username, detail="重置密码")
        end_user_sessions(cur, actor, username, "password")  # whoever knew the old password is out too


def _principal(wh: Warehouse, row: tuple) -> Principal:
    username, display_name, role, unit, agency = row
    reporter = wh.campaign.reporter_label(unit, agency) if unit and agency else ""
    return Principal(username, role, display_name, unit, agency, reporter)


def lookup(wh: Warehouse, username: str) -> Principal | None:
    """The active account, freshly read (a deactivated account loses its session on the next run)."""
    with wh.read() as cur:
        row = cur.execute(
            "SELECT username, display_name, role, unit, agency FROM users WHERE username = ? AND active", [username]
        ).fetchone()
    return _principal(wh, row) if row else None


def lookup_email(wh: Warehouse, email: str) -> Principal | None:
    with wh.read() as cur:
        row = cur.execute(
            "SELECT username, display_name, role, unit, agency FROM users WHERE lower(email) = lower(?) AND active",
            [email],
        ).fetchone()
    return _principal(wh, row) if row else None


def login(wh: Warehouse, username: str, password: str, now: dt.datetime | None = None) -> Principal:
    """Check a password. Five failures in a row lock the account for LOCK_MINUTES. Every try is audited."""
    now = now or utc_now()  # locked_until is a warehouse stamp: UTC
    with wh.write() as cur:
        row = cur.execute(
            "SELECT password_hash, active, failed_attempts, locked_until FROM users WHERE username = ?", [username]
        ).fetchone()
        if row is None or not row[1] or row[0] is None:
            audit(cur, username, "login_failed", username, detail="账号不存在或已停用")
            failure = "用户名或密码错误。"
        elif row[3] is not None and row[3] > now:
            audit(cur, username, "login_failed", username, detail="账号已锁定")
            failure = f"账号已锁定，请于 {to_office(row[3]):%H:%M} 后再试，或联系管理员解锁。"
        else:
            try:
                _hasher.verify(row[0], password)
                failure = None
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                attempts = row[2] + 1
                locked = now + dt.timedelta(minutes=LOCK_MINUTES) if attempts >= MAX_FAILED_ATTEMPTS else None
                cur.execute(
                    "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE username = ?",
                    [0 if locked else attempts, locked, username],
                )
                audit(cur, username, "login_failed", username, detail=f"密码错误（第 {attempts} 次）")
                failure = "连续 5 次密码错误，账号已锁定 15 分钟。" if locked else "用户名或密码错误。"
        if failure is None:
            cur.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = ?", [username])
            audit(cur, username, "login", username)
    # The audit row of a failure is committed before the failure is raised.
    if failure:
        raise AuthError(failure)
    principal = lookup(wh, username)
    assert principal is not None
    return principal
