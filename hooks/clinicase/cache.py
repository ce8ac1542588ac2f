"""A content-addressed cache for the files that cost most to make (PowerPoint decks, PNG pictures).

A key is the SHA-256 of what goes into the file and of the code and libraries that make it, never a time
or an import: `mkdocs serve` keeps this module loaded across rebuilds, and `.cache/clinicase/` beside
mkdocs.yml keeps results across builds (like Material's own plugin caches). An unchanged case then costs
nothing on the next build; a changed one is made again. Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Callable

_CODE = Path(__file__).parent
_MAKERS = ("cache.py", "pptx_deck.py", "slides.py", "visuals.py")


def _code_version() -> bytes:
    digest = hashlib.sha256()
    for name in _MAKERS:
        digest.update((_CODE / name).read_bytes())
    for package in ("python-pptx", "resvg-py", "Pillow"):
        digest.update(version(package).encode())
    return digest.digest()


class Cache:
    def __init__(self, folder: Path | None):
        self.folder = folder
        self.version = _code_version()

    def get(self, kind: str, parts: list[str | bytes], make: Callable[[], bytes]) -> bytes:
        digest = hashlib.sha256(self.version + kind.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        path = self.folder / kind / digest.hexdigest() if self.folder else None
        if path and path.is_file():
            return path.read_bytes()
        value = make()
        if path:
            self._store(path, value)
        return value

    @staticmethod
    def _store(path: Path, value: bytes) -> None:
        """Write beside, then rename: a build that stops half-way never leaves half a file."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                handle.write(value)
            os.replace(handle.name, path)
        except OSError:
            pass  # a read-only checkout still builds; it just makes the file each time
