"""Real local servers standing in for the outside world, on 127.0.0.1 only: an SMTP server (aiosmtpd) that keeps
what it received and can demand a login, and an HTTP server standing in for the 企业微信/钉钉 webhooks that
keeps every request and can be told to fail."""

from __future__ import annotations

import json
import socket
import threading
import warnings
from collections.abc import Iterator
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

SMTP_USER, SMTP_PASSWORD = "wangjian@example.gov.cn", "smtp-secret-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """aiosmtpd handler: every message accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": envelope.rcpt_tos, "subject": str(msg["Subject"]), "body": msg.get_content()})
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) == (
        SMTP_USER,
        SMTP_PASSWORD,
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture
def smtp_server() -> Iterator[dict]:
    """A real SMTP server on 127.0.0.1 that requires a login (without TLS, as an internal relay might)."""
    box = Mailbox()
    port = free_port()
    warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
    ctl = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=_authenticator, auth_require_tls=False, auth_required=True
    )
    ctl.start()
    try:
        yield {"port": port, "box": box}
    finally:
        ctl.stop()


class Hook:
    """What the webhook server received, and how many of the next requests it should refuse."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail_next = 0
        self.lock = threading.Lock()


@pytest.fixture
def webhook_server() -> Iterator[dict]:
    """An HTTP server on 127.0.0.1 answering like the robots: {"errcode": 0} when accepted; while `fail_next`
    is above zero it answers HTTP 502 instead."""
    hook = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            parts = urlsplit(self.path)
            with hook.lock:
                if hook.fail_next > 0:
                    hook.fail_next -= 1
                    self.send_response(502)
                    self.end_headers()
                    return
                hook.requests.append(
                    {"path": parts.path, "query": parse_qs(parts.query), "json": json.loads(body.decode("utf-8"))}
                )
            answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_address[1]}", "hook": hook}
    finally:
        server.shutdown()
        server.server_close()


def write_channels(path: Path, smtp_port: int | None, hook_url: str | None, *, password: str = SMTP_PASSWORD) -> Path:
    """A channel file: e-mail for 武进区 and 市公安局, a 企业微信 robot for 武进区 and a signed 钉钉 robot for
    leadership."""
    text = 'dashboard_url = "http://127.0.0.1:8501"\n'
    if smtp_port:
        text += (
            f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nstarttls = false\nusername = "{SMTP_USER}"\n'
            f'password = "{password}"\nsender = "{SMTP_USER}"\ntimeout_seconds = 5\n'
        )
    if hook_url:
        text += (
            f'[robots.wujin]\nkind = "wecom"\nurl = "{hook_url}/cgi-bin/webhook/send?key=WECOM-KEY-123"\n'
            f'[robots.leaders]\nkind = "dingtalk"\nurl = "{hook_url}/robot/send?access_token=DING-TOKEN"\n'
            'secret = "SEC-dingtalk-secret"\n'
        )
    text += '[[routes]]\nunit = "wujin"\nemail = ["wujin@example.gov.cn"]\n'
    if hook_url:
        text += 'robots = ["wujin"]\n[[routes]]\naudience = "leadership"\nrobots = ["leaders"]\n'
    text += '[[routes]]\nunit = "city"\nagency = "psb"\nemail = ["psb@example.gov.cn"]\n'
    path.write_text(text, encoding="utf-8")
    return path
