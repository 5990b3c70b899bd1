"""The channels a reminder goes out through: e-mail (SMTP) and the group robots of 企业微信 and 钉钉, one small
module each. `deliver` picks the module; every failure comes back as a ChannelError with a Chinese message that
names no secret (a webhook is named by its address without the key)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from actions.config import ChannelConfig, safe_url


class ChannelError(RuntimeError):
    """A message could not be delivered; the message says why, in Chinese, without secrets."""


def post_json(url: str, payload: dict, timeout: float = 10.0) -> dict:
    """POST a JSON body and return the JSON answer. Both robots answer {"errcode": 0, "errmsg": "ok"} when the
    message is accepted; anything else is a ChannelError."""
    where = safe_url(url)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s) when the file is read
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"机器人接口 {where} 返回 HTTP {exc.code}（{exc.reason}）") from None
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ChannelError(f"无法连接机器人接口 {where}：{reason}") from None
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ChannelError(f"机器人接口 {where} 的应答不是 JSON，可能地址有误") from None
    if not isinstance(answer, dict) or answer.get("errcode", 0) != 0:
        errcode = answer.get("errcode") if isinstance(answer, dict) else None
        errmsg = answer.get("errmsg") if isinstance(answer, dict) else answer
        raise ChannelError(f"机器人拒收消息（errcode {errcode}：{errmsg}），请检查机器人地址、密钥或安全设置")
    return answer


def deliver(cfg: ChannelConfig, channel: str, target: str, subject: str, text: str) -> None:
    """Send one message to one target (an e-mail address, or a robot named in the channel file)."""
    from actions.channels import dingtalk, smtp, wecom

    if channel == "email":
        if cfg.smtp is None:
            raise ChannelError("未配置邮件服务器：请在渠道配置文件中填写 [smtp]")
        smtp.send(cfg.smtp, target, subject, text)
        return
    if channel != "robot":
        raise ChannelError(f"未知的渠道：{channel}")
    robot = cfg.robots.get(target)
    if robot is None:
        raise ChannelError(f"机器人“{target}”未在渠道配置文件中配置（或配置有误）")
    (wecom if robot.kind == "wecom" else dingtalk).send(robot, subject, text)
