"""What goes into a loader and what every loader returns, whatever the source: the contract the CLI, the upload
pages and tests rely on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

Status = Literal["loaded", "duplicate", "rejected"]


@dataclass(frozen=True)
class Upload:
    """One file as uploaded: its name as the user had it and its bytes."""

    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: str | Path) -> Upload:
        path = Path(path)
        return cls(path.name, path.read_bytes())


@dataclass(frozen=True)
class Problem:
    """One error or warning, in Chinese, pointing at the file's own row number (1-based, as Excel shows it)
    and the column header as written in the file. row/column are None for file-level problems."""

    message: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "sheet": self.sheet, "message": self.message}


@dataclass
class LoadResult:
    file: str
    kind: str | None
    status: Status
    rows_loaded: int = 0
    rows_quarantined: int = 0
    batch_id: int | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def as_json(self) -> dict:
        out = asdict(self)
        out["errors"] = [e.as_dict() for e in self.errors]
        out["warnings"] = [w.as_dict() for w in self.warnings]
        return out


class FileRejected(Exception):
    """A file-level failure: the whole file is refused and the warehouse is left untouched."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = problems
        super().__init__("；".join(p.message for p in problems))


def refusal_detail(problems: list[Problem]) -> str:
    """The audit row's detail for a refused upload: its first reasons, as the user read them (bounded)."""
    return ("拒收：" + "；".join(p.message for p in problems[:3]))[:1000]
