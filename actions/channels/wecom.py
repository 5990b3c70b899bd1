"""企业微信 group robot: an HTTP POST of its markdown message to the robot's webhook address (key in the URL)."""

from __future__ import annotations

from actions.channels import post_json
from actions.config import Robot

MAX_BYTES = 4096  # the robot refuses a markdown content longer than this (UTF-8 bytes)


def payload(subject: str, text: str) -> dict:
    content = f"**{subject}**\n{text}"
    raw = content.encode("utf-8")
    if len(raw) > MAX_BYTES:
        content = raw[: MAX_BYTES - 12].decode("utf-8", errors="ignore") + "\n……（已截断）"
    return {"msgtype": "markdown", "markdown": {"content": content}}


def send(robot: Robot, subject: str, text: str) -> None:
    post_json(robot.url, payload(subject, text))
