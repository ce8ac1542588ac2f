"""Quarto-style cross-references: `@fig-id` becomes a numbered link, "Figure 2"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .citations import code_ranges

# Not after a word character (e-mail addresses) or '[' (citations).
_CROSSREF = re.compile(r"(?<![\w@\[/.])@(fig-[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)")


@dataclass(frozen=True)
class CrossRef:
    start: int
    end: int
    id: str


def find_crossrefs(text: str) -> list[CrossRef]:
    code = code_ranges(text)
    return [CrossRef(m.start(), m.end(), m.group(1)) for m in _CROSSREF.finditer(text)
            if not any(a <= m.start() < b for a, b in code)]


def replace_crossrefs(text: str, link_for: Callable[[str], str]) -> str:
    """Replace each reference with `link_for(id)`, leaving code untouched."""
    out, last = [], 0
    for ref in find_crossrefs(text):
        out += [text[last:ref.start], link_for(ref.id)]
        last = ref.end
    return "".join(out) + text[last:]
