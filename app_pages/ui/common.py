"""What every page shares: the process's warehouse, the logged-in user and the page guard, the as-of date,
empty states, and figures cached on the warehouse's data version."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from collections.abc import Callable
from typing import Any

import streamlit as st

from auth.accounts import lookup
from auth.policy import Principal, can_see_page
from warehouse import Warehouse, open_warehouse, resolve_db_path
from warehouse.clock import to_office


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Warehouse:
    return open_warehouse(path)


def warehouse() -> Warehouse:
    """The one warehouse connection of this process (the path comes from --db, $WANGJIAN_DB or the default)."""
    return _open(str(resolve_db_path(sys.argv[1:])))


def principal() -> Principal | None:
    """The logged-in user, re-read from the warehouse on every run (a deactivated account is out at once)."""
    username = st.session_state.get("username")
    return lookup(warehouse(), username) if username else None


def require_principal() -> Principal:
    p = principal()
    if p is None:  # pages only run behind the login in app.py; this is the second line of defence
        st.stop()
    return p


def current_user() -> str:
    """The logged-in user's name, as recorded in the batch log (loaded_by)."""
    return require_principal().username


def guard(page: str) -> Principal:
    """Call first on every page: stops the run unless the logged-in role may see this page."""
    p = require_principal()
    if not can_see_page(p, page):
        st.error("您没有访问此页面的权限。")
        st.stop()
    return p


def as_of() -> dt.date:
    """The as-of date chosen in the shared sidebar."""
    return st.session_state["as_of"]


def office_time(stamp: dt.datetime | None) -> str:
    """A warehouse stamp (UTC) as the office reads it: Asia/Shanghai, to the minute."""
    local = to_office(stamp)
    return "" if local is None else f"{local:%Y-%m-%d %H:%M}"


def file_size(size_bytes: int) -> str:
    """A file's size as people say it: 512 字节, 3.4 KB, 1.2 MB."""
    if size_bytes < 1024:
        return f"{size_bytes} 字节"
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.1f} KB"
    return f"{size_bytes / 1024 / 1024:.1f} MB"


def form_key(name: str) -> str:
    """The key of a form for this round. A refusal keeps the form as typed (no clear_on_submit); after a success,
    next_form() starts a new round: a fresh, empty form."""
    return f"{name}_{st.session_state.get(f'_round_{name}', 0)}"


def next_form(name: str) -> None:
    st.session_state[f"_round_{name}"] = st.session_state.get(f"_round_{name}", 0) + 1


def received_default(due: dt.date, first: dt.date, last: dt.date) -> dt.date:
    """What a 收到日期 field starts on: the due date, or the as-of date if that is earlier (never the machine's
    today: a 2018 table uploaded today is not late), kept inside [first, last]."""
    return min(max(min(due, as_of()), first), last)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/inbox:")


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached(module: str, name: str, db: str, version: int, args: tuple, kwargs: tuple) -> Any:
    return getattr(importlib.import_module(module), name)(warehouse(), *args, **dict(kwargs))


def cached(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """fn(warehouse, *args, **kwargs), cached on the warehouse's data version: a new upload or a
    withdrawal changes the version, so a cached figure is never stale."""
    wh = warehouse()
    return _cached(fn.__module__, fn.__qualname__, wh.location, wh.data_version(), args, tuple(sorted(kwargs.items())))
