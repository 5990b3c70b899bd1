"""Who may do what: login, roles, lockout, audit trail, and that nothing shows before login."""

import datetime as dt
import tomllib

import pytest

from auth.accounts import (
    LOCK_MINUTES,
    MAX_FAILED_ATTEMPTS,
    AuthError,
    bootstrap_admin,
    create_user,
    login,
    lookup,
    reset_password,
    set_active,
)
from auth.audit import record
from auth.policy import PermissionDenied, require_export, require_load, require_report, require_withdraw
from tests.conftest import ROOT, TEST_PASSWORD, create_test_users, run_page
from warehouse import admin as ops
from warehouse import open_warehouse
from warehouse.clock import utc_now

ALL_PAGES = ["overview", "uploads", "complaints", "monitoring", "tracking", "followup", "admin"]


def _audit_rows(wh, action=None):
    with wh.read() as cur:
        return cur.execute(
            "SELECT username, action, target, sha256, detail FROM audit_log "
            "WHERE ? IS NULL OR action = ? ORDER BY audit_id",
            [action, action],
        ).fetchall()


@pytest.fixture
def accounts(wh):
    create_test_users(wh)
    return wh


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("leader", ["overview", "complaints", "monitoring", "tracking", "followup"]),
        ("wujin_staff", ["uploads", "tracking", "followup"]),
        ("analyst", ["overview", "uploads", "complaints", "monitoring", "tracking", "followup"]),
        ("admin", ALL_PAGES),
    ],
)
def test_navigation_shows_only_the_roles_pages(app_env, user, visible):
    for page in ALL_PAGES:
        at = run_page(None, user=user)
        assert not at.exception
        if page in visible:
            at.switch_page(f"app_pages/{page}.py")
            at.run()
            assert not at.exception, (page, [e.value for e in at.exception])
            assert not any("没有访问此页面的权限" in e.value for e in at.error)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"app_pages/{page}.py")


def test_without_login_no_data_reaches_the_page(app_env):
    # Put real data in the warehouse first: a batch and an account list that must not leak.
    wh = open_warehouse(app_env)
    from warehouse.batches import insert_batch

    with wh.write() as cur:
        insert_batch(
            cur,
            kind="complaints_12315",
            file_name="机密导出.xlsx",
            sha256="f" * 64,
            size_bytes=1,
            loaded_by="analyst",
            unit="wujin",
        )
    wh.close()
    at = run_page(None, user=None)
    assert not at.exception
    assert [t.value for t in at.title] == ["登录"]
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]
    shown = " ".join(
        str(e.value)
        for kind in ("markdown", "caption", "dataframe", "table", "metric", "info")
        for e in getattr(at, kind)
    )
    shown += " ".join(str(e.value) for e in at.sidebar.markdown)
    assert "机密导出" not in shown and "analyst" not in shown and "wujin" not in shown
    assert not at.dataframe and not at.metric and not at.sidebar.date_input
    for page in ALL_PAGES:
        with pytest.raises(ValueError):
            at.switch_page(f"app_pages/{page}.py")


def test_first_start_asks_for_an_admin_and_has_no_default_password(db_path, monkeypatch):
    monkeypatch.setenv("WANGJIAN_DB", str(db_path))
    at = run_page(None, user=None)
    assert [t.value for t in at.title] == ["创建初始管理员"]
    at.text_input[0].input("chief")
    at.text_input[1].input("主任")
    at.text_input[2].input("short")
    at.text_input[3].input("short")
    at.button[0].click().run()
    assert any("至少 10 位" in e.value for e in at.error)
    at.text_input[2].input("long-enough-pw")
    at.text_input[3].input("long-enough-pw")
    at.button[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["总览"]
    wh = open_warehouse(db_path)
    with pytest.raises(AuthError, match="不能再创建初始管理员"):
        bootstrap_admin(wh, "second", "another-password")
    with pytest.raises(AuthError):
        login(wh, "admin", "admin")


@pytest.mark.both_backends
def test_login_through_the_form_and_wrong_password(app_env):
    at = run_page(None, user=None)
    at.text_input[0].input("leader")
    at.text_input[1].input("wrong-password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    at.text_input[1].input(TEST_PASSWORD)
    at.button[0].click().run()
    assert [t.value for t in at.title] == ["总览"]
    wh = open_warehouse(app_env)
    assert [r[1] for r in _audit_rows(wh) if r[0] == "leader"] == ["login_failed", "login", "session_start"]


@pytest.mark.both_backends
def test_locked_account_cannot_log_in(app_env):
    wh = open_warehouse(app_env)
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(AuthError):
            login(wh, "analyst", "nope-nope-nope")
    with pytest.raises(AuthError, match="已锁定"):
        login(wh, "analyst", TEST_PASSWORD)  # the right password no longer helps
    at = run_page(None, user=None)
    at.text_input[0].input("analyst")
    at.text_input[1].input(TEST_PASSWORD)
    at.button[0].click().run()
    assert any("账号已锁定" in e.value for e in at.error)
    assert [t.value for t in at.title] == ["登录"]
    # The lock ends by itself, or an admin lifts it.
    later = utc_now() + dt.timedelta(minutes=LOCK_MINUTES + 1)
    assert login(wh, "analyst", TEST_PASSWORD, now=later).role == "analyst"


def test_deactivated_user_loses_the_session(app_env):
    at = run_page(None, user="leader")
    assert [t.value for t in at.title] == ["总览"]
    wh = open_warehouse(app_env)
    admin = lookup(wh, "admin")
    set_active(wh, admin, "leader", False)
    at.run()
    assert "总览" not in [t.value for t in at.title] and not at.sidebar.date_input
    # A session still holding the deactivated user's name gets only the login form.
    at = run_page(None, user="leader")
    assert [t.value for t in at.title] == ["登录"]
    assert "username" not in at.session_state


def test_permissions_are_enforced_below_the_pages(accounts):
    wh = accounts
    leader, staff, analyst, admin = (lookup(wh, n) for n in ("leader", "wujin_staff", "analyst", "admin"))
    with pytest.raises(PermissionDenied, match="无权上报统计表"):
        require_load(leader, "district_stats", "wujin", "aic")
    with pytest.raises(PermissionDenied, match="无权载入投诉举报"):
        require_load(leader, "complaints_12315")
    # Messages name the unit as users know it, never by its key.
    with pytest.raises(PermissionDenied, match=r"^wujin_staff（武进区填报员） 只能为本单位（武进区）上报") as refused:
        require_load(staff, "district_stats", "liyang", "aic")
    assert "liyang" not in str(refused.value) and "wujin " not in str(refused.value)
    with pytest.raises(PermissionDenied, match="只能以本部门（武进区）名义上报") as refused:
        require_load(staff, "district_stats", "wujin", "psb")
    assert "psb" not in str(refused.value) and "aic" not in str(refused.value)
    assert lookup(wh, "psb_staff").label == "psb_staff（市公安局填报员）"
    require_load(staff, "district_stats", "wujin", "aic")
    with pytest.raises(PermissionDenied):
        require_load(staff, "complaints_12315")
    require_load(analyst, "price_12358")
    require_load(admin, "district_stats", "liyang", "aic")
    with pytest.raises(PermissionDenied):
        require_export(leader)
    require_report(leader)
    with pytest.raises(PermissionDenied):
        require_report(staff)
    with pytest.raises(PermissionDenied):
        create_user(wh, analyst, "x", "leader", "long-enough-pw")
    with pytest.raises(PermissionDenied):
        ops.replace_classification_rules(wh, analyst, [(0, "F1", "无照")])
    with pytest.raises(PermissionDenied, match="只能撤销自己上报"):
        require_withdraw(staff, "district_stats", "wujin", loaded_by="someone_else")
    require_withdraw(admin, "complaints_12315", None, loaded_by="analyst")


@pytest.mark.both_backends
def test_each_account_and_rule_action_leaves_exactly_one_audit_row(accounts):
    wh = accounts
    admin = lookup(wh, "admin")
    before = len(_audit_rows(wh))
    create_user(wh, admin, "ly_staff", "unit_staff", "long-enough-pw", unit="liyang", agency="aic")
    set_active(wh, admin, "ly_staff", False)
    reset_password(wh, admin, "ly_staff", "another-long-pw")
    ops.replace_classification_rules(wh, admin, [(0, "F1", "无照经营"), (1, "F2", "假冒")])
    ops.set_calendar_override(wh, admin, dt.date(2018, 8, 13), False, "测试")
    record(wh, admin, "export", "投诉明细.xlsx", sha256="a" * 64)
    rows = _audit_rows(wh)[before:]
    assert [(r[1], r[2]) for r in rows] == [
        ("user_change", "ly_staff"),
        ("user_change", "ly_staff"),
        ("user_change", "ly_staff"),
        ("rule_change", "classification_rules"),
        ("calendar_change", "2018-08-13"),
        ("export", "投诉明细.xlsx"),
    ]
    assert all(r[0] == "admin" for r in rows)
    assert ops.classification_rules(wh)["keyword"].to_list() == ["无照经营", "假冒"]
    trail = ops.audit_trail(wh, admin, action="rule_change")
    assert trail.height == 1 and trail["detail"][0].endswith("→ 2 条")


def test_passwords_are_argon2_hashes(accounts):
    with accounts.read() as cur:
        hashes = [r[0] for r in cur.execute("SELECT password_hash FROM users").fetchall()]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert TEST_PASSWORD not in " ".join(hashes)


def test_streamlit_config_is_hardened():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"


def test_uploads_are_checked_below_the_page_and_audited_once(accounts, samples):
    import loaders

    wh = accounts
    leader, staff, analyst = (lookup(wh, n) for n in ("leader", "wujin_staff", "analyst"))
    liyang = samples / "统计表_溧阳市_2018-08-06.xlsx"
    wujin = samples / "统计表_武进区_2018-08-06.xlsx"
    export = samples / "12358_价格举报导出_2018.xlsx"
    before = len(_audit_rows(wh))

    # A unit's staff member cannot load another unit's table: not by the file, not by claiming the unit.
    refused = loaders.load_file(wh, liyang, user=staff)
    assert refused.status == "rejected" and "只能为本单位" in refused.errors[0].message
    claimed = loaders.load_file(wh, liyang, user=staff, kind="district_stats", unit="liyang", agency="aic")
    assert claimed.status == "rejected" and "只能为本单位" in claimed.errors[0].message
    # A leader cannot upload anything; unit staff cannot load complaint exports.
    assert loaders.load_file(wh, wujin, user=leader).status == "rejected"
    assert loaders.load_file(wh, export, user=staff).status == "rejected"
    # Their own table and an analyst's export go in.
    own = loaders.load_file(wh, wujin, user=staff)
    assert own.status == "loaded"
    assert loaders.load_file(wh, export, user=analyst).status == "loaded"
    # Withdrawing: not another's batch (unless admin).
    with pytest.raises(PermissionDenied):
        loaders.withdraw(wh, own.batch_id, user=analyst)
    loaders.withdraw(wh, own.batch_id, user=staff)

    rows = _audit_rows(wh)[before:]
    assert [(r[0], r[1]) for r in rows] == [
        ("wujin_staff", "upload"),
        ("wujin_staff", "upload"),
        ("leader", "upload"),
        ("wujin_staff", "upload"),
        ("wujin_staff", "upload"),
        ("analyst", "upload"),
        ("wujin_staff", "withdraw"),
    ]
    assert rows[4][3] is not None and rows[5][3] is not None  # loaded files carry their sha256
    assert rows[0][4].startswith("拒收") and rows[6][2] == f"批次 #{own.batch_id}"
    with wh.read() as cur:
        assert cur.execute("SELECT count(*) FROM stats_tables").fetchone()[0] == 1  # only the own table
