"""Reading the campaign file's parsed TOML: typed values whose every error names the full key (CampaignError)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class CampaignError(ValueError):
    """A campaign definition that cannot be used. The message names the key."""


class Reader:
    """Reads typed values out of the parsed TOML, naming the full key path on any error."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> CampaignError:
        return CampaignError(f"活动定义文件 {self.path.name} 有误：{key} {message}")

    def get(self, table: dict, key: str, where: str, kind: type | tuple, default: Any = ...) -> Any:
        full = f"{where}.{key}" if where else key
        if key not in table:
            if default is ...:
                raise self.fail(full, "缺失（必填项）")
            return default
        value = table[key]
        if kind is dt.date and isinstance(value, dt.datetime):
            value = value.date()
        if kind is int and isinstance(value, bool):
            raise self.fail(full, f"应为整数，实际为 {value!r}")
        if not isinstance(value, kind):
            names = {
                str: "文本",
                int: "整数",
                bool: "true/false",
                dt.date: "日期（如 2018-07-31）",
                list: "列表",
                dict: "表",
            }
            expected = (
                names.get(kind, str(kind)) if isinstance(kind, type) else "/".join(names.get(k, str(k)) for k in kind)
            )
            raise self.fail(full, f"应为{expected}，实际为 {value!r}")
        if isinstance(value, str) and not value.strip():
            raise self.fail(full, "不能为空")
        return value

    def text(self, table: dict, key: str, where: str, default: Any = ...) -> str:
        return self.get(table, key, where, str, default)

    def date(self, table: dict, key: str, where: str) -> dt.date:
        return self.get(table, key, where, dt.date)

    def texts(self, table: dict, key: str, where: str, default: Any = ...) -> tuple[str, ...]:
        values = self.get(table, key, where, list, default)
        for i, v in enumerate(values):
            if not isinstance(v, str) or not v.strip():
                raise self.fail(f"{where}.{key}[{i}]", f"应为非空文本，实际为 {v!r}")
        return tuple(values)

    def tables(self, table: dict, key: str, where: str) -> list[tuple[str, dict]]:
        items = self.get(table, key, where, list)
        if not items:
            raise self.fail(f"{where}.{key}" if where else key, "不能为空")
        out = []
        for i, item in enumerate(items):
            w = f"{where}.{key}[{i}]" if where else f"{key}[{i}]"
            if not isinstance(item, dict):
                raise self.fail(w, "应为表")
            out.append((w, item))
        return out

    def keyed(self, table: dict, key: str, where: str, build: Callable[[Reader, str, dict], T]) -> dict[str, T]:
        """The array of tables `key`, each made into an item by build(reader, its path, its table), which checks
        it; key → item, the keys unique."""
        items = [build(self, w, item) for w, item in self.tables(table, key, where)]
        return self.unique(items, f"{where}.{key}" if where else key)

    def unique(self, items: list[Any], where: str) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for item in items:
            if item.key in seen:
                raise self.fail(where, f"中的 key “{item.key}” 重复")
            seen[item.key] = item
        return seen

    def window(self, start: dt.date, end: dt.date, where: str) -> None:
        if end < start:
            raise self.fail(f"{where}.end", f"（{end}）早于 start（{start}）")

    def names_unique(self, entries: list[tuple[str, tuple[str, ...]]], where: str) -> None:
        """Each name (a label or an alias) belongs to one key only."""
        owner: dict[str, str] = {}
        for key, names in entries:
            for name in names:
                if owner.setdefault(name, key) != key:
                    raise self.fail(where, f"中的名称 “{name}” 同时属于 {owner[name]} 和 {key}")
