"""Content-addressed caching for what costs most to make: PowerPoint decks, PNG pictures, whole site plans.

A key is the SHA-256 of what goes into a result and of the code and libraries that make it, never a time
or an import: `mkdocs serve` keeps this module loaded across rebuilds, and `.cache/clinicase/` beside
mkdocs.yml keeps results across builds (like Material's own plugin caches). Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Callable

_PACKAGE = Path(__file__).parent
_keep_between_builds = False


def keep_between_builds(on: bool) -> None:
    """`mkdocs serve` builds again and again in one process: there, parsed files are worth keeping for the
    next build (keyed on their text). A single build keeps nothing, so they leave memory once the site is
    planned instead of staying beside MkDocs' own pages."""
    global _keep_between_builds
    _keep_between_builds = on


def remembered(store: dict, key, make: Callable, limit: int):
    """`make()`, kept in `store` under `key` for the next build while builds are expected to follow."""
    if not _keep_between_builds:
        return make()
    if key not in store:
        if len(store) >= limit:
            store.clear()
        store[key] = make()
    return store[key]


def remembered_latest(store: dict, name: str, key: Callable[[], object], make: Callable):
    """`make()` for `name` (a case), kept while builds are expected to follow, and made again when `key()`
    changes: only the latest result per name, so a long `mkdocs serve` session keeps one version of each case
    however often it is edited. `key()` is not even asked for in a single build."""
    if not _keep_between_builds:
        return make()
    now, kept = key(), store.get(name)
    if kept is None or kept[0] != now:
        kept = store[name] = (now, make())
    return kept[1]


def fingerprint(folder: Path) -> str:
    """What a folder holds now, for the serve-time memory only: every file's path, size and modification time
    (an editor's save changes them; reading every image again would not be cheap)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        try:
            stat = path.stat()
        except OSError:
            continue  # a dangling link: the loader reports it
        digest.update(f"{path.relative_to(folder).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


@lru_cache(maxsize=None)  # once per process: the code that runs is the code imported, even if edited since
def code_version() -> bytes:
    """Every file of this package (code, schemas and the assets it writes into pages: CSS, JS, SVG, HTML),
    the Python version, and the name and version of every installed library."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in {".py", ".json", ".css", ".js", ".svg", ".html"} and path.is_file():
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    for folder in sys.path:  # "pybtex-0.26.1.dist-info" and the like: one listing instead of a lookup per library
        if os.path.isdir(folder):
            digest.update("\0".join(sorted(n for n in os.listdir(folder) if n.endswith(".dist-info"))).encode())
    return digest.digest()


@dataclass(frozen=True)
class Call:
    """`module.name(*args)`, made later and maybe in another process: it pickles without importing the module
    (python-pptx takes a fifth of a second to import, wasted on a build that finds its deck in the cache)."""
    module: str
    name: str
    args: tuple

    def __call__(self) -> bytes:
        return getattr(importlib.import_module(self.module), self.name)(*self.args)


class Cache:
    def __init__(self, folder: Path | None, defer: bool = False):
        self.folder = folder
        # defer: a missing file is not made now but listed in `pending`, for worker.py to make in a second
        # process while MkDocs renders the pages (its `make` must then pickle: a module-level function or a
        # functools.partial of one)
        self.defer = defer
        self.pending: dict[Path, Callable[[], bytes]] = {}

    def path(self, kind: str, parts: list[str | bytes]) -> Path | None:
        """Where the result made from `parts` is kept: named by the SHA-256 of them and of the code."""
        digest = hashlib.sha256(code_version() + kind.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return self.folder / kind / digest.hexdigest() if self.folder else None

    def file(self, kind: str, parts: list[str | bytes], make: Callable[[], bytes]) -> Path | bytes:
        """The result as a cached file, for MkDocs to copy without holding it in memory; its bytes if it
        cannot be stored."""
        path = self.path(kind, parts)
        if path and path.is_file():
            return path
        if path and self.defer:
            self.pending[path] = make
            return path
        value = make()
        return path if path and store(path, lambda handle: handle.write(value)) else value

    def put(self, kind: str, data: str | bytes) -> Path | bytes:
        """Data made already (a reading list, a browser deck) as a cached file, so that it leaves memory: the
        reading lists of a 100-case casebook alone are a hundred megabytes."""
        data = data.encode("utf-8") if isinstance(data, str) else data
        path = self.path(kind, [data])
        return path if path and (path.is_file() or store(path, lambda handle: handle.write(data))) else data

    def get(self, kind: str, parts: list[str | bytes], make: Callable[[], bytes]) -> bytes:
        found = self.file(kind, parts, make)
        return found.read_bytes() if isinstance(found, Path) else found


def store(path: Path, write: Callable[[BinaryIO], object]) -> bool:
    """Write beside, then rename: a build that stops half-way never leaves half a file."""
    handle = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            write(handle)
        os.replace(handle.name, path)
        return True
    except OSError:
        return False  # a read-only checkout still builds; it just makes the result each time
    finally:
        if handle and os.path.exists(handle.name):  # `write` failed: no half file is left behind
            os.unlink(handle.name)
