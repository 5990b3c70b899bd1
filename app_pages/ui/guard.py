"""The pages' one safety net: whatever a page raises reaches its user as a Chinese message, never Streamlit's
English error box.

A refusal of the project's own (no right to do it, a refused file, an account problem, a bad campaign or
warehouse file) already carries a Chinese message that says why: it is shown as it is. Anything else is a
defect: it is logged with its traceback under a short reference number, and the user sees only that number
to quote to the administrator. Streamlit's own control flow (st.rerun, st.stop, st.switch_page) is not an
Exception and passes through untouched.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

import streamlit as st
from streamlit.logger import get_logger

from auth.accounts import AuthError
from auth.policy import PermissionDenied
from campaign import CampaignError
from loaders.result import FileRejected
from warehouse import WarehouseError

REFUSALS: tuple[type[Exception], ...] = (PermissionDenied, AuthError, FileRejected, CampaignError, WarehouseError)

_LOG = get_logger("wangjian.pages")


def refusal_text(exc: Exception) -> str:
    """A refusal's Chinese message: each problem of a refused file on its own line."""
    if isinstance(exc, FileRejected):
        return "\n\n".join(p.message for p in exc.problems)
    return str(exc)


def report_unexpected(exc: BaseException) -> str:
    """Log an unexpected error with its traceback; the reference number the user is shown."""
    ref = secrets.token_hex(3).upper()
    _LOG.error("页面出错，参考编号 %s", ref, exc_info=exc)
    return ref


def run_guarded(page: Callable[[], object]) -> None:
    """Run a page (app.py wraps navigation.run() in this)."""
    try:
        page()
    except REFUSALS as exc:
        st.error(refusal_text(exc), icon=":material/block:")
    except Exception as exc:
        ref = report_unexpected(exc)
        st.error(f"系统出错（参考编号 {ref}），请联系管理员。", icon=":material/error:")
