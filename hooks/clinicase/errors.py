"""One error type for everything an author can get wrong, each problem located."""

from __future__ import annotations

from dataclasses import dataclass
import os
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    """What is wrong, where, and what the author should do about it."""

    location: Location
    message: str
    fix: str = ""
    field: str = ""

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        fix = f" — {self.fix}" if self.fix else ""
        return f"{self.location}:{field} {self.message}{fix}"


REPORTED = 200  # problems listed in one report


class ContentError(Exception):
    """Raised once with every problem found, so authors fix them all in one go."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.location.file, p.location.line or 0, p.location.column or 0))
        super().__init__(self.report())

    def report(self, limit: int = REPORTED) -> str:
        """Every problem, up to `limit`: past that a log is no longer read, and the first ones are fixed first."""
        count = len(self.problems)
        head = f"{count:,} problem{'s' if count != 1 else ''} in the case content:"
        more = [f"  … and {count - limit:,} more (fix these and build again to see the rest)"] if count > limit else []
        return "\n".join([head, *(f"  {p}" for p in self.problems[:limit]), *more])


def relative_name(path: Path, root: Path) -> str:
    """Paths in messages are relative to the project, as authors see them: the name as it is in the
    project's folders, never where a symbolic link leads (that may be outside, and private)."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return path.name
