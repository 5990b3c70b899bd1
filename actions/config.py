"""Where reminders go: the channel file (SMTP server, group robots, routes) and the routes kept in the warehouse.

The file (settings.channels_file(), data/channels.toml by default; data/channels.example.toml shows every key)
holds what is secret or belongs to the machine: the SMTP server and its login, each robot's webhook address and
钉钉 signing secret (each may instead name an environment variable: password_env, url_env, secret_env). Routes
(which e-mail addresses and robots reach a unit, or leadership) may be written in the file or entered by an
admin on 系统管理 → 提醒渠道; both count. Secrets never enter the warehouse, the outbox or a log.

Reading never raises: every problem (bad TOML, unknown unit, bad URL, missing secret) becomes a Chinese line in
`ChannelConfig.problems`, shown on the admin page, and a delivery that needs the broken part fails with it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl

import settings
from actions import now
from auth.audit import audit
from auth.policy import Principal, require_admin
from campaign import Campaign
from warehouse import Warehouse

ROBOT_KINDS = {"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人"}
CHANNELS = {"email": "电子邮件", "robot": "群机器人"}
AUDIENCES = {"unit": "承办单位", "leadership": "领导周报"}
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    sender: str = ""
    timeout: float = 15.0


@dataclass(frozen=True)
class Robot:
    name: str
    kind: str  # wecom | dingtalk
    url: str
    secret: str | None = None  # 钉钉 加签 secret


@dataclass(frozen=True)
class Route:
    audience: str  # unit | leadership
    unit: str | None
    agency: str | None  # None: every agency of the unit
    channel: str  # email | robot
    target: str  # address or robot name
    source: str  # file | warehouse
    route_id: int | None = None

    def reaches(self, audience: str, unit: str | None, agency: str | None) -> bool:
        if audience != self.audience:
            return False
        return audience == "leadership" or (self.unit == unit and self.agency in (None, agency))


@dataclass
class ChannelConfig:
    path: Path
    dashboard_url: str = ""
    smtp: Smtp | None = None
    robots: dict[str, Robot] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def safe_url(url: str) -> str:
    """A webhook address without its query (where 企业微信 and 钉钉 put the key): safe to show and to store."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def url_problem(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "不是有效的 http(s) 网址"
    return None


def _secret(table: dict, key: str, where: str, problems: list[str]) -> str | None:
    """A value given inline, or through `<key>_env` naming an environment variable (which must then be set)."""
    env = table.get(f"{key}_env")
    if env:
        value = os.environ.get(str(env))
        if not value:
            problems.append(f"{where}：环境变量 {env} 未设置（{key}_env）。")
        return value or None
    value = table.get(key)
    return str(value) if value not in (None, "") else None


def load_config(campaign: Campaign, path: Path | None = None) -> ChannelConfig:
    """The channel file, checked. A missing file is no error: e-mail and robots are then simply not configured."""
    path = path or settings.channels_file()
    cfg = ChannelConfig(path)
    if not path.is_file():
        return cfg
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        cfg.problems.append(f"渠道配置文件 {path.name} 无法读取：{exc}")
        return cfg
    cfg.dashboard_url = str(data.get("dashboard_url", ""))
    if cfg.dashboard_url and url_problem(cfg.dashboard_url):
        cfg.problems.append(f"dashboard_url“{cfg.dashboard_url}”不是有效的 http(s) 网址。")
    if isinstance(data.get("smtp"), dict):
        s = data["smtp"]
        where = "[smtp]"
        if not s.get("host"):
            cfg.problems.append(f"{where}：未填写 host（SMTP 服务器地址）。")
        else:
            try:
                port = int(s.get("port", 587))
            except (TypeError, ValueError):
                cfg.problems.append(f"{where}：port“{s.get('port')}”不是端口号。")
                port = 587
            username = s.get("username") or None
            password = _secret(s, "password", where, cfg.problems)
            sender = str(s.get("sender") or username or "")
            if not EMAIL.match(sender.split("<")[-1].rstrip(">").strip()):
                cfg.problems.append(f"{where}：sender“{sender}”不是有效的发件地址。")
            cfg.smtp = Smtp(
                str(s["host"]), port, bool(s.get("starttls", True)), username, password, sender,
                float(s.get("timeout_seconds", 15)),
            )  # fmt: skip
    for name, r in (data.get("robots") or {}).items():
        where = f"[robots.{name}]"
        kind = r.get("kind") if isinstance(r, dict) else None
        if kind not in ROBOT_KINDS:
            cfg.problems.append(f"{where}：kind 应为 wecom（企业微信）或 dingtalk（钉钉），收到“{kind}”。")
            continue
        url = _secret(r, "url", where, cfg.problems)
        if url is None and r.get("url_env"):
            continue  # the missing variable is already reported
        if problem := url_problem(url or ""):
            cfg.problems.append(f"{where}：机器人地址{problem}。")
            continue
        cfg.robots[name] = Robot(name, kind, url, _secret(r, "secret", where, cfg.problems))
    for i, r in enumerate(data.get("routes") or [], start=1):
        audience = r.get("audience", "unit")
        targets = [("email", str(t)) for t in r.get("email", [])] + [("robot", str(t)) for t in r.get("robots", [])]
        for channel, target in targets:
            route = Route(audience, r.get("unit"), r.get("agency"), channel, target, "file")
            if problem := route_problem(campaign, cfg, route):
                cfg.problems.append(f"渠道配置文件第 {i} 个 [[routes]]：{problem}")
            else:
                cfg.routes.append(route)
    return cfg


def route_problem(campaign: Campaign, cfg: ChannelConfig, route: Route) -> str | None:
    """Why a route cannot be used (Chinese), or None."""
    if route.audience not in AUDIENCES:
        return f"audience 应为 unit 或 leadership，收到“{route.audience}”。"
    if route.audience == "unit":
        if route.unit not in {u.key for u in campaign.units}:
            return f"填报单位“{route.unit}”不存在（可选：{'、'.join(u.key for u in campaign.units)}）。"
        if route.agency is not None and route.agency not in {a.key for a in campaign.agencies}:
            return f"成员单位“{route.agency}”不存在。"
    if route.channel == "email" and not EMAIL.match(route.target):
        return f"“{route.target}”不是有效的电子邮件地址。"
    if route.channel == "robot" and route.target not in cfg.robots:
        return f"机器人“{route.target}”未在渠道配置文件的 [robots] 中配置（或配置有误）。"
    if route.channel not in CHANNELS:
        return f"渠道应为 email 或 robot，收到“{route.channel}”。"
    return None


def warehouse_routes(wh: Warehouse) -> list[Route]:
    with wh.read() as cur:
        rows = cur.execute(
            "SELECT route_id, audience, unit, agency, channel, target FROM notify_routes ORDER BY route_id"
        ).fetchall()
    return [Route(a, u, ag, ch, t, "warehouse", rid) for rid, a, u, ag, ch, t in rows]


def all_routes(wh: Warehouse, cfg: ChannelConfig) -> list[Route]:
    """The file's routes and the warehouse's, each once."""
    seen, out = set(), []
    for r in [*cfg.routes, *warehouse_routes(wh)]:
        key = (r.audience, r.unit, r.agency, r.channel, r.target)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def routes_frame(wh: Warehouse, cfg: ChannelConfig) -> pl.DataFrame:
    """Every route with what is wrong with it (a robot removed from the file since, say), for the admin page."""
    c = wh.campaign
    return pl.DataFrame(
        [
            {
                "route_id": r.route_id,
                "对象": AUDIENCES.get(r.audience, r.audience),
                "单位": c.unit_label(r.unit) if r.unit in {u.key for u in c.units} else (r.unit or ""),
                "部门": c.agency(r.agency).label if r.agency in {a.key for a in c.agencies} else "全部",
                "渠道": CHANNELS.get(r.channel, r.channel),
                "地址或机器人": r.target,
                "来自": "配置文件" if r.source == "file" else "系统管理",
                "问题": route_problem(c, cfg, r) or "",
            }
            for r in all_routes(wh, cfg)
        ],
        schema={k: pl.Int64 if k == "route_id" else pl.String for k in
                ("route_id", "对象", "单位", "部门", "渠道", "地址或机器人", "来自", "问题")},
    )  # fmt: skip


def add_route(
    wh: Warehouse,
    actor: Principal,
    cfg: ChannelConfig,
    *,
    audience: str,
    channel: str,
    target: str,
    unit: str | None = None,
    agency: str | None = None,
) -> int:
    """An admin adds a route; refused with a Chinese message when it could not deliver (unknown unit or robot …)."""
    require_admin(actor)
    route = Route(audience, unit if audience == "unit" else None, agency if audience == "unit" else None, channel,
                  target.strip(), "warehouse")  # fmt: skip
    if problem := route_problem(wh.campaign, cfg, route):
        raise ValueError(problem)
    with wh.write() as cur:
        (route_id,) = cur.execute(
            "INSERT INTO notify_routes (audience, unit, agency, channel, target, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING route_id",
            [route.audience, route.unit, route.agency, channel, route.target, actor.username, now()],
        ).fetchone()
        audit(cur, actor, "channel_change", f"提醒渠道 #{route_id}", detail=f"新增 {channel} {route.target}")
    return route_id


def remove_route(wh: Warehouse, actor: Principal, route_id: int) -> None:
    require_admin(actor)
    with wh.write() as cur:
        row = cur.execute("SELECT channel, target FROM notify_routes WHERE route_id = ?", [route_id]).fetchone()
        if row is None:
            raise ValueError(f"提醒渠道 #{route_id} 不存在（配置文件中的渠道请在文件中修改）。")
        cur.execute("DELETE FROM notify_routes WHERE route_id = ?", [route_id])
        audit(cur, actor, "channel_change", f"提醒渠道 #{route_id}", detail=f"删除 {row[0]} {row[1]}")
