"""What every page shares: the process's warehouse, the sidebar's as-of date, empty states."""

from __future__ import annotations

import datetime as dt
import getpass
import sys

import streamlit as st

from warehouse import Warehouse, open_warehouse, resolve_db_path


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Warehouse:
    return open_warehouse(path)


def warehouse() -> Warehouse:
    """The one warehouse connection of this process (the path comes from --db, $WANGJIAN_DB or the default)."""
    return _open(str(resolve_db_path(sys.argv[1:])))


def as_of() -> dt.date:
    """The as-of date chosen in the shared sidebar."""
    return st.session_state["as_of"]


def current_user() -> str:
    """Who is acting. Until accounts exist (issue 6), the operating-system user of the server process."""
    return st.session_state.get("user") or getpass.getuser()


def empty_state(message: str) -> None:
    st.info(message, icon=":material/inbox:")
