"""催报 reminders and the digest, sent for real to local servers on 127.0.0.1: an SMTP server (aiosmtpd) and an
HTTP server standing in for the 企业微信/钉钉 webhooks. Each reminder is sent once, a failed send is retried,
bad configuration is said in Chinese, and no secret reaches the warehouse."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from actions import items as fi
from actions import outbox, reminders
from actions.__main__ import main
from actions.channels.dingtalk import sign
from actions.config import add_route, load_config
from auth.accounts import lookup
from auth.policy import SYSTEM
from loaders import demo, load_file
from metrics.tracking import week_statuses
from tests.conftest import build_sample_warehouse, copy_warehouse
from tests.notify_helpers import SMTP_PASSWORD, smtp_server, webhook_server, write_channels  # noqa: F401
from warehouse import open_warehouse

D = dt.date
SECRETS = ("WECOM-KEY-123", "DING-TOKEN", "SEC-dingtalk-secret", SMTP_PASSWORD)


@pytest.fixture(scope="module")
def samples_template(tmp_path_factory) -> Path:
    """The shared samples' weekly tables (武进区 and 溧阳市 for 08-06, 经开区 for 08-13), loaded as a backfill."""
    return build_sample_warehouse(tmp_path_factory.mktemp("outbox") / "samples.duckdb", ("统计表",))


@pytest.fixture
def wh(samples_template, db_path, monkeypatch):
    w = open_warehouse(copy_warehouse(samples_template, db_path, monkeypatch))
    yield w
    w.close()


@pytest.fixture
def cfg(tmp_path, wh, smtp_server, webhook_server, monkeypatch):  # noqa: F811
    path = write_channels(tmp_path / "channels.toml", smtp_server["port"], webhook_server["url"])
    monkeypatch.setenv("WANGJIAN_CHANNELS", str(path))
    config = load_config(wh.campaign)
    assert config.problems == []
    return config


def _subjects(box, to):
    return [m["subject"] for m in box.messages if to in m["to"]]


def _robot_titles(hook, path):
    out = []
    for r in hook.requests:
        if r["path"] == path:
            md = r["json"]["markdown"]
            out.append(md.get("title") or md["content"].split("\n", 1)[0].strip("*"))
    return out


def test_send_twice_sends_each_reminder_once(wh, cfg, smtp_server, webhook_server):  # noqa: F811
    box, hook = smtp_server["box"], webhook_server["hook"]
    as_of = D(2018, 8, 14)  # Tuesday: week 07-30 (due 08-06) and week 08-06 (due 08-13) are overdue
    first = outbox.send(wh, as_of, cfg)
    mail = _subjects(box, "wujin@example.gov.cn")
    # 武进区's 08-06 table is in (the shared sample): only its 07-30 table and the 实施方案 (due 07-31) are late.
    assert sorted(mail) == ["【催报】武进区：07月30日当周情况统计表逾期未报", "【催报】武进区：实施方案逾期未报"]
    assert sorted(_robot_titles(hook, "/cgi-bin/webhook/send")) == sorted(mail)  # the same, by 企业微信
    psb = _subjects(box, "psb@example.gov.cn")
    assert sorted(psb) == [  # one reminder for both overdue tables, not one each
        "【催报】市本级·市公安局：07月30日、08月06日当周情况统计表逾期未报",
        "【催报】市本级·市公安局：实施方案逾期未报",
    ]
    owed = next(m["body"] for m in box.messages if "psb@example.gov.cn" in m["to"] and "统计表逾期" in m["subject"])
    assert "以下 2 周的情况统计表" in owed and "2018年07月30日至08月05日（应于 08月06日 前）" in owed
    assert first.failed == 0 and first.sent == len(mail) * 2 + len(psb)
    # The same date again: nothing new is composed and nothing is sent twice.
    again = outbox.send(wh, as_of, cfg)
    assert (again.composed, again.sent, again.failed) == (0, 0, 0)
    assert len(box.messages) == len(mail) + len(psb)
    # A week later only what is new goes out: 武进区's 08-13 table (due 08-20) is now overdue; the one message
    # names every table it still owes (07-30 too).
    outbox.send(wh, D(2018, 8, 21), cfg)
    assert sorted(_subjects(box, "wujin@example.gov.cn")) == sorted(
        [*mail, "【催报】武进区：07月30日、08月13日当周情况统计表逾期未报"]
    )


def test_items_turning_yellow_then_red_are_reminded_once_each(wh, cfg, smtp_server):  # noqa: F811
    item_id = fi.open_item(
        wh, lookup(wh, "analyst"), title="核查跨来源线索", unit="wujin", agency="aic", opened_on=D(2018, 9, 26),
        workdays=3,
    )  # fmt: skip
    box = smtp_server["box"]
    for day in (D(2018, 9, 26), D(2018, 9, 27), D(2018, 9, 28), D(2018, 9, 30), D(2018, 10, 8)):
        outbox.send(wh, day, cfg)
    titles = [s for s in _subjects(box, "wujin@example.gov.cn") if s.startswith("【督办】")]
    assert titles == [f"【督办】#{item_id} 核查跨来源线索：临近期限", f"【督办】#{item_id} 核查跨来源线索：已超期"]


def test_a_failed_webhook_is_retried_and_then_succeeds(wh, cfg, smtp_server, webhook_server):  # noqa: F811
    hook = webhook_server["hook"]
    hook.fail_next = 1000
    as_of = D(2018, 8, 20)  # a Monday: the leadership digest goes out too
    first = outbox.send(wh, as_of, cfg)
    assert first.failed > 0 and hook.requests == []
    box = outbox.outbox(wh)
    failed = box.filter(box["status"] == "failed")
    assert set(failed["channel"]) == {"robot"}
    assert all("返回 HTTP 502" in e for e in failed["last_error"])
    assert set(box.filter(box["channel"] == "email")["status"]) == {"sent"}
    hook.fail_next = 0
    second = outbox.send(wh, as_of, cfg)
    assert (second.composed, second.failed, second.sent) == (0, 0, failed.height)
    box = outbox.outbox(wh).filter(pl.col("channel").is_not_null())  # units without a channel wait (own test)
    assert set(box["status"]) == {"sent"}
    assert set(box.filter(box["channel"] == "robot")["attempts"]) == {2}
    titles = _robot_titles(hook, "/cgi-bin/webhook/send")
    assert len(titles) == len(set(titles))  # each once, although tried twice
    # The digest went to leadership's 钉钉 robot, signed: timestamp and sign in the URL, sign = HMAC of the two.
    (digest,) = [r for r in hook.requests if r["path"] == "/robot/send"]
    ts = int(digest["query"]["timestamp"][0])
    assert digest["query"]["sign"][0] == sign("SEC-dingtalk-secret", ts)
    assert digest["query"]["access_token"] == ["DING-TOKEN"]
    assert digest["json"]["msgtype"] == "markdown"
    assert "逾期未报统计表的单位" in digest["json"]["markdown"]["text"]
    assert "http://127.0.0.1:8501" in digest["json"]["markdown"]["text"]


def test_smtp_refusing_login_is_said_in_chinese_in_the_outbox_and_by_the_cli(
    wh,
    tmp_path,
    smtp_server,  # noqa: F811
    monkeypatch,
    capsys,
):
    path = write_channels(tmp_path / "bad.toml", smtp_server["port"], None, password="wrong-password")
    monkeypatch.setenv("WANGJIAN_CHANNELS", str(path))
    db = wh.path
    wh.close()
    assert main(["send", "--as-of", "2018-08-14", "--db", str(db)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["sent"] == 0 and out["failed"] > 0
    assert all("拒绝登录" in e and "wrong-password" not in e for e in out["errors"])
    w = open_warehouse(db)
    box = outbox.outbox(w).filter(pl.col("channel") == "email")
    assert set(box["status"]) == {"failed"}
    assert box["last_error"][0] == f"邮件服务器 127.0.0.1:{smtp_server['port']} 拒绝登录（535）：请检查用户名和密码"
    assert smtp_server["box"].messages == []
    w.close()


def test_bad_configuration_is_reported_not_raised(wh, tmp_path):
    path = tmp_path / "channels.toml"
    path.write_text(
        '[robots.a]\nkind = "wecom"\nurl = "qyapi.weixin.qq.com/send?key=1"\n'
        '[robots.b]\nkind = "feishu"\nurl = "https://x"\n'
        '[[routes]]\nunit = "suzhou"\nemail = ["a@b.cn"]\n'
        '[[routes]]\nunit = "wujin"\nrobots = ["a"]\nemail = ["not-an-address"]\n',
        encoding="utf-8",
    )
    cfg = load_config(wh.campaign, path)
    assert cfg.problems == [
        "[robots.a]：机器人地址不是有效的 http(s) 网址。",
        "[robots.b]：kind 应为 wecom（企业微信）或 dingtalk（钉钉），收到“feishu”。",
        "渠道配置文件第 1 个 [[routes]]：填报单位“suzhou”不存在（可选：tianning、zhonglou、xinbei、wujin、jintan、liyang、jingkai、city）。",
        "渠道配置文件第 2 个 [[routes]]：“not-an-address”不是有效的电子邮件地址。",
        "渠道配置文件第 2 个 [[routes]]：机器人“a”未在渠道配置文件的 [robots] 中配置（或配置有误）。",
    ]
    path.write_text("[smtp\nhost=", encoding="utf-8")
    assert load_config(wh.campaign, path).problems[0].startswith("渠道配置文件 channels.toml 无法读取")
    admin = lookup(wh, "admin")
    with pytest.raises(ValueError, match="机器人“nobody”未在渠道配置文件"):
        add_route(wh, admin, cfg, audience="unit", unit="wujin", channel="robot", target="nobody")
    with pytest.raises(PermissionError):
        add_route(wh, lookup(wh, "analyst"), cfg, audience="unit", unit="wujin", channel="email", target="a@b.cn")


def test_an_unrouted_reminder_waits_for_its_channel(wh, cfg, smtp_server):  # noqa: F811
    outbox.send(wh, D(2018, 8, 14), cfg)
    box = outbox.outbox(wh)
    waiting = box.filter((box["unit"] == "tianning") & (box["status"] == "unrouted"))
    assert waiting.height == 2 and waiting["last_error"][0].startswith("尚未配置该单位的提醒渠道")
    add_route(
        wh, lookup(wh, "admin"), cfg, audience="unit", unit="tianning", channel="email", target="tn@example.gov.cn"
    )
    report = outbox.send(wh, D(2018, 8, 14), cfg)
    assert (report.composed, report.sent) == (0, 2)  # its two weekly tables in one reminder, and the 实施方案
    assert len(_subjects(smtp_server["box"], "tn@example.gov.cn")) == 2


def test_no_secret_reaches_the_warehouse(wh, cfg, webhook_server):  # noqa: F811
    webhook_server["hook"].fail_next = 3  # errors are stored too: they must not carry the key either
    outbox.send(wh, D(2018, 8, 20), cfg)
    with wh.read() as cur:
        dump = json.dumps(
            [
                cur.execute(f"SELECT * FROM {t}").fetchall()
                for t in ("outbox_messages", "outbox_deliveries", "notify_routes", "audit_log")
            ],
            default=str,
            ensure_ascii=False,
        )
    assert not [s for s in SECRETS if s in dump]
    assert "/cgi-bin/webhook/send" in dump  # the robot's address is named, without its key


@pytest.fixture(scope="module")
def demo_weekly(tmp_path_factory) -> Path:
    """The demo dataset's weekly tables (every reporter, some weeks missing, some late)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    w = open_warehouse(path)
    for e in demo.manifest():
        if e["kind"] == "district_stats":
            opts = {k: e[k] for k in ("unit", "agency", "week", "received_on") if k in e}
            assert load_file(w, demo.DEMO_DIR / e["file"], user=SYSTEM, kind=e["kind"], **opts).status == "loaded"
    w.close()
    return path


@pytest.mark.parametrize("as_of", [D(2018, 8, 20), D(2018, 10, 8), D(2018, 11, 19)])
def test_the_digest_names_exactly_the_units_the_tracker_shows_late(demo_weekly, as_of):
    wh = open_warehouse(demo_weekly)
    try:
        tracker = {(s.unit, s.agency) for s in week_statuses(wh, as_of) if s.status == "missing"}
        assert tracker and len(tracker) < 19  # a real mix on these dates
        result = reminders.compute(wh, as_of)
        late = result["digest"]["units_late"]
        assert {(u["unit"], u["agency"]) for u in late} == tracker
        assert {(r["unit"], r["agency"]) for r in result["reminders"] if r["kind"] == "weekly_table"} == tracker
        _, text = reminders.digest_text(wh, as_of, result["digest"])
        section = text.split("**逾期未报统计表的单位")[1].split("\n\n")[0]
        named = {line[2:].split("：")[0] for line in section.splitlines()[1:]}
        assert named == {u["label"] for u in late}
    finally:
        wh.close()


def test_digest_cli_prints_the_documented_json(demo_weekly, capsys):
    assert main(["digest", "--as-of", "2018-10-08", "--db", str(demo_weekly), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"as_of", "reminders", "digest"} and out["as_of"] == "2018-10-08"
    assert {tuple(sorted(r)) for r in out["reminders"]} == {
        ("agency", "due", "kind", "subject", "text", "unit", "working_days")
    }
    assert {"stages", "deadlines", "kpis", "units_late", "red_items", "new_anomalies"} <= set(out["digest"])
    assert out["digest"]["stages"] == ["组织实施阶段"]
    with pytest.raises(SystemExit) as exc:
        main(["digest", "--as-of", "2018-13-01", "--db", str(demo_weekly)])
    assert exc.value.code == 2
    assert "日期“2018-13-01”应为 YYYY-MM-DD" in capsys.readouterr().err


def test_admin_page_says_bad_configuration_and_failed_sends_in_chinese(app_env, tmp_path, smtp_server, monkeypatch):  # noqa: F811
    from tests.conftest import run_page

    path = write_channels(tmp_path / "channels.toml", smtp_server["port"], None, password="wrong-password")
    path.write_text(
        path.read_text(encoding="utf-8")
        + '[robots.bad]\nkind = "wecom"\nurl = "qyapi.weixin.qq.com/send?key=1"\n'
        + '[[routes]]\nunit = "suzhou"\nemail = ["a@example.gov.cn"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("WANGJIAN_CHANNELS", str(path))
    at = run_page("admin", user="admin")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert "[robots.bad]：机器人地址不是有效的 http(s) 网址。" in errors
    assert any("填报单位“suzhou”不存在" in e for e in errors)
    # Send now (the sidebar date of an empty warehouse is the campaign's end: every table of 武进区 is late).
    at.button(key="outbox_send").click().run()
    assert not at.exception
    (summary,) = [w.value for w in at.warning if "发送成功" in w.value]
    assert summary.startswith("新提醒 ") and "发送成功 0 次" in summary
    login = f"邮件服务器 127.0.0.1:{smtp_server['port']} 拒绝登录（535）：请检查用户名和密码"
    said = [e.value for e in at.error if "拒绝登录" in e.value]  # once per address, however many messages failed
    assert [e.split("：", 1)[0] for e in said] == ["wujin@example.gov.cn", "psb@example.gov.cn"]
    assert all(e.split("：", 1)[1].startswith(login + "（") and e.endswith(" 条）") for e in said)
    shown = next(d.value for d in at.dataframe if "尝试次数" in d.value.columns)
    failed = shown[shown["状态"] == outbox.STATUS_LABELS["failed"]]
    assert (
        len(failed) > 0
        and set(failed["错误"]) == {login}
        and set(failed["发往"])
        == {
            "wujin@example.gov.cn",
            "psb@example.gov.cn",
        }
    )
    assert "wrong-password" not in " ".join(m.value for m in [*at.error, *at.markdown, *at.caption])
    assert smtp_server["box"].messages == []
