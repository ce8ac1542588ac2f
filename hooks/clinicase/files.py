"""The one rule for reading an author's files: regular files inside the project, size-checked before reading.

A symlink that leaves the project, a FIFO (which would block a read forever), a device such as
/dev/urandom (which never ends), a name no file system accepts: each is a located problem, found by
looking at the file's type and size before a single byte is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import Location, Problem

MAX_NAME = 255  # bytes in one path component on common file systems
MAX_PATH = 1024  # characters in a path an author writes


def path_problem(path: Path, root: Path, *, max_bytes: int | None = None) -> str:
    """Why `path` may not be read (an empty string when it may): what is wrong, for a message."""
    text = str(path)
    if "\0" in text:
        return "the path contains a NUL character"
    if len(text) > MAX_PATH + len(str(root)) or any(len(part.encode("utf-8", "surrogateescape")) > MAX_NAME
                                                    for part in path.parts):
        return "the path is too long for a file name"
    try:
        real = path.resolve()
        info = real.stat()
    except (OSError, RuntimeError, ValueError):  # missing, a symlink loop, unreadable
        return "not found" if not os.path.lexists(path) else "cannot be read (a broken or looping link?)"
    if not real.is_relative_to(root.resolve()):
        return "points outside the project (a symbolic link?)"
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a pipe, socket or device)"
    if max_bytes is not None and info.st_size > max_bytes:
        return f"is {info.st_size:,} bytes, more than the {max_bytes:,} allowed"
    return ""


def folder_problem(path: Path, root: Path) -> str:
    """Why a folder of content may not be read: a link out of the project, or not a folder at all."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return "cannot be read (a broken or looping link?)"
    if not real.is_relative_to(root.resolve()):
        return "points outside the project (a symbolic link?)"
    return "" if real.is_dir() else "is not a folder"


def read_bytes(path: Path, root: Path, max_bytes: int) -> bytes:
    """The file's bytes, reading at most `max_bytes` + 1 even if it grew since it was checked.
    Call `path_problem` first; this raises OSError for what it would have reported."""
    problem = path_problem(path, root, max_bytes=max_bytes)
    if problem:
        raise OSError(problem)
    with open(path.resolve(), "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OSError(f"is more than the {max_bytes:,} bytes allowed")
    return data


def refused(named: dict[str, Path], root: Path) -> list[Problem]:
    """A located problem for each file (by the name an author knows) that may not be read, e.g. the
    hand-written pages MkDocs is about to read: a link out of the project or a pipe there is refused too."""
    problems = []
    for name, path in sorted(named.items()):
        problem = path_problem(path, root)
        if problem:
            problems.append(Problem(Location(name), f"file {problem}",
                                    "make it an ordinary file inside the project (copy it in instead of linking to it)"))
    return problems
