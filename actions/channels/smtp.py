"""E-mail over SMTP (stdlib smtplib): STARTTLS and login when configured. Plain text, UTF-8, subject in Chinese."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from actions.channels import ChannelError
from actions.config import Smtp


def message(cfg: Smtp, to: str, subject: str, text: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = cfg.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=cfg.sender.rsplit("@", 1)[-1].rstrip(">") or None)
    msg.set_content(text)
    return msg


def send(cfg: Smtp, to: str, subject: str, text: str) -> None:
    server = f"{cfg.host}:{cfg.port}"
    try:
        with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout) as conn:
            conn.ehlo()
            if cfg.starttls:
                conn.starttls()
                conn.ehlo()
            if cfg.username:
                conn.login(cfg.username, cfg.password or "")
            conn.send_message(message(cfg, to, subject, text))
    except smtplib.SMTPAuthenticationError as exc:
        raise ChannelError(f"邮件服务器 {server} 拒绝登录（{exc.smtp_code}）：请检查用户名和密码") from None
    except smtplib.SMTPNotSupportedError:
        raise ChannelError(f"邮件服务器 {server} 不支持 STARTTLS 或登录：请检查 starttls、username 设置") from None
    except smtplib.SMTPRecipientsRefused:
        raise ChannelError(f"邮件服务器 {server} 拒收收件人 {to}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise ChannelError(f"邮件服务器 {server} 拒绝发件人 {cfg.sender}（{exc.smtp_code}）") from None
    except smtplib.SMTPException as exc:
        raise ChannelError(f"邮件服务器 {server} 出错：{exc}") from None
    except TimeoutError:
        raise ChannelError(f"连接邮件服务器 {server} 超时") from None
    except OSError as exc:
        raise ChannelError(f"无法连接邮件服务器 {server}：{exc.strerror or exc}") from None
