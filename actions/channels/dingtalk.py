"""钉钉 group robot: an HTTP POST of its markdown message; with 加签, the URL carries timestamp and sign, the
base64 HMAC-SHA256 of "timestamp\\nsecret" under the secret (钉钉's documented signature)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

from actions.channels import post_json
from actions.config import Robot


def sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(robot: Robot, timestamp_ms: int | None = None) -> str:
    if not robot.secret:
        return robot.url
    ts = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    query = urllib.parse.urlencode({"timestamp": ts, "sign": sign(robot.secret, ts)})
    return f"{robot.url}{'&' if '?' in robot.url else '?'}{query}"


def payload(subject: str, text: str) -> dict:
    return {"msgtype": "markdown", "markdown": {"title": subject, "text": f"#### {subject}\n{text}"}}


def send(robot: Robot, subject: str, text: str) -> None:
    post_json(signed_url(robot), payload(subject, text))
