"""The house rules a newcomer relies on, checked on the source itself: imports only go down the floors, Streamlit
only in the frame and the pages, and no module grows past what one reading can hold."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Lower floors never import higher ones. Same-floor imports are fine (a package's own modules).
FLOORS = {
    "settings": 0,
    "campaign": 1,
    "datagen": 2,
    "auth": 2,
    "auth.policy": 2,
    "auth.audit": 2,
    "warehouse": 3,
    "auth.accounts": 4,
    "auth.sessions": 4,
    "metrics": 5,
    # 督办's vocabulary and read side need no loaders: the documents (metrics.documents) show the items.
    "actions.model": 5,
    "actions.board": 5,
    "loaders": 6,
    "actions": 7,
    "app_pages": 8,
    "app": 8,
}
PACKAGES = [
    "settings.py",
    "campaign",
    "datagen",
    "auth",
    "warehouse",
    "metrics",
    "loaders",
    "actions",
    "app_pages",
    "app.py",
]
MAX_LINES = 400


def _modules() -> list[tuple[str, Path]]:
    found = []
    for entry in PACKAGES:
        path = ROOT / entry
        files = [path] if path.suffix == ".py" else sorted(path.rglob("*.py")) if path.is_dir() else []
        for f in files:
            parts = f.relative_to(ROOT).with_suffix("").parts
            found.append((".".join(p for p in parts if p != "__init__"), f))
    return found


def _floor(module: str) -> int | None:
    """The floor of a project module: its longest registered prefix (auth.policy before auth)."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in FLOORS:
            return FLOORS[".".join(parts[:n])]
    return None


def _runtime_imports(tree: ast.Module) -> list[str]:
    """Imported module names, leaving out `if TYPE_CHECKING:` blocks (hints only, never run)."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


MODULES = _modules()


def test_the_floors_are_known():
    assert MODULES, "no project module found"
    unknown = [m for m, _ in MODULES if _floor(m) is None]
    assert not unknown, f"modules without a floor: {unknown}"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_imports_only_go_down(module, path):
    here = _floor(module)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    upward = sorted({name for name in _runtime_imports(tree) if (there := _floor(name)) is not None and there > here})
    assert not upward, f"{module} (floor {here}) imports higher floors: {upward}"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_streamlit_only_in_the_frame_and_the_pages(module, path):
    if module == "app" or module.startswith("app_pages"):
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not [n for n in _runtime_imports(tree) if n.split(".")[0] == "streamlit"], module


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_modules_stay_readable(module, path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (at most {MAX_LINES}): split it by idea"
