"""Pandoc-style citations in Markdown: find them, number them, render them.

`[@key]` and `[@a; @b]` are citations. As in Pandoc, a key starts with a
letter (any script), digit or `_` and may hold `: . # $ % & - + ? < > ~ /`
inside it (`[@baez/article]`, `[@müller2020]`); any other key BibTeX allows
is written in braces: `[@{Ib'{a}~{n}ez2000}]`. A group may wrap across
lines. Nothing inside code (fenced, indented or inline) is ever read as a
citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from .markup import code_ranges, escape, inert

_BARE_KEY = r"\w(?:[\w:.#$%&\-+?<>~/]*\w)?"  # \w: letters and digits of any script, and _
_BRACED_KEY = r"\{(?:[^{}\s]|\{[^{}\s]*\})+\}"  # braces inside: one level, as in BibTeX keys people write
KEY = rf"(?:{_BARE_KEY}|{_BRACED_KEY})"
_GROUP = re.compile(rf"\[\s*(@{KEY}(?:\s*;\s*@{KEY})*)\s*\]")
_KEY_IN_GROUP = re.compile(rf"@({KEY})")
_OPENER = re.compile(r"\[\s*@")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*(?:\{[^}]*\})?[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class CitationGroup:
    start: int
    end: int
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Malformed:
    """A `[@` that opens something we cannot read as a citation."""

    start: int
    snippet: str


def _outside(ranges: list[tuple[int, int]], start: int) -> bool:
    return not any(a <= start < b for a, b in ranges)


def find_citations(text: str) -> tuple[list[CitationGroup], list[Malformed]]:
    """All citation groups outside code, and every `[@` that is not a valid group."""
    code = code_ranges(text)
    groups = [
        CitationGroup(m.start(), m.end(), tuple(_unbraced(k) for k in _KEY_IN_GROUP.findall(m.group(1))))
        for m in _GROUP.finditer(text)
        if _outside(code, m.start()) and not _escaped(text, m.start())
    ]
    starts = {g.start for g in groups}
    malformed = [
        Malformed(m.start(), text[m.start(): m.start() + 40].split("\n")[0])
        for m in _OPENER.finditer(text)
        if m.start() not in starts and _outside(code, m.start()) and not _escaped(text, m.start())
    ]
    return groups, malformed


def _unbraced(key: str) -> str:
    """`{Ib'{a}~{n}ez2000}` cites the key `Ib'{a}~{n}ez2000`."""
    return key[1:-1] if key.startswith("{") else key


def _escaped(text: str, at: int) -> bool:
    """`\\[@key]` is Markdown for the characters '[@key]', not a citation (an odd run of backslashes)."""
    start = at
    while start and text[start - 1] == "\\":
        start -= 1
    return (at - start) % 2 == 1


def compress(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted runs: [1, 2, 3, 5] -> [(1, 3), (5, 5)]."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def vancouver_runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Vancouver writes a range for three or more consecutive numbers, else a list."""
    out: list[tuple[int, int]] = []
    for a, b in compress(numbers):
        out.extend([(a, a), (b, b)] if b == a + 1 else [(a, b)])
    return out


@dataclass
class Numbering:
    """Numbers by first appearance; one instance per case keeps them stable across pages."""

    numbers: dict[str, int] = field(default_factory=dict)

    def number(self, key: str) -> int:
        return self.numbers.setdefault(key, len(self.numbers) + 1)

    def keys_in_order(self) -> list[str]:
        return sorted(self.numbers, key=self.numbers.__getitem__)


def headings(text: str) -> list[tuple[int, str]]:
    """(offset, title) of ATX headings outside code, for 'page › section' back-links."""
    code = code_ranges(text)
    return [(m.start(), m.group(2).strip()) for m in _HEADING.finditer(text) if _outside(code, m.start())]


# --- resolving a page ----------------------------------------------------------------

@dataclass(frozen=True)
class Occurrence:
    """One citation group on one page: where back-links point to."""

    page: str  # src_uri of the page
    page_title: str
    section: str
    anchor: str
    keys: tuple[str, ...]


@dataclass
class ResolvedPage:
    markdown: str
    keys: list[str]  # cited on this page, in number order
    occurrences: list[Occurrence]


def resolve_page(text: str, *, page: str, title: str, numbering: Numbering, describe,
                 canonical=lambda k: k) -> ResolvedPage:
    """Replace citation groups with numbered links and append the page's reference list.

    `describe(key)` gives an entry's formatted HTML; `canonical(key)` its
    spelling in the .bib (keys are case-insensitive there).
    """
    groups, _ = find_citations(text)
    sections = headings(text)
    out, last, occurrences = [], 0, []
    for index, group in enumerate(groups, start=1):
        keys = tuple(dict.fromkeys(canonical(k) for k in group.keys))
        numbers = {numbering.number(k): k for k in keys}
        anchor = f"cite-{index}"
        section = next((t for o, t in reversed(sections) if o < group.start), title)
        occurrences.append(Occurrence(page, title, section, anchor, keys))
        out += [text[last:group.start], _citation_html(anchor, numbers, describe)]
        last = group.end
    out.append(text[last:])
    keys = sorted({k for o in occurrences for k in o.keys}, key=numbering.number)
    markdown = "".join(out)
    if keys:
        markdown += "\n\n## References\n\n" + reference_list(keys, numbering, describe, occurrences) + "\n"
    return ResolvedPage(markdown, keys, occurrences)


def _citation_html(anchor: str, numbers: dict[int, str], describe) -> str:
    tip = f"{anchor}-tip"
    links = []
    for a, b in vancouver_runs(numbers):
        link = [_number_link(a, tip)]
        if b != a:
            link += ["&#8211;", _number_link(b, tip)]
        links.append("".join(link))
    entries = "".join(f'<span class="citation-tip__entry">{n}. {inert(describe(numbers[n]))}</span>' for n in sorted(numbers))
    return (f'<span class="citation" id="{anchor}">&#91;{", ".join(links)}&#93;'
            f'<span class="citation-tip" role="tooltip" id="{tip}">{entries}</span></span>')


def _number_link(number: int, tip: str) -> str:
    return f'<a class="citation-link" href="#ref-{number}" aria-describedby="{tip}">{number}</a>'


def reference_list(keys: list[str], numbering: Numbering, describe, occurrences: list[Occurrence] | None = None,
                   backlinks=None) -> str:
    """An <ol> of entries with their case-wide numbers, each with back-links.

    By default back-links point to the citations on the same page; pass
    `backlinks(key) -> html` for lists that point elsewhere.
    """
    items = []
    for key in keys:
        number = numbering.number(key)
        if backlinks:
            back = backlinks(key)
        else:
            back = _backrefs([o for o in occurrences or [] if key in o.keys])
        items.append(f'<li id="ref-{number}" value="{number}"><span class="reference">{describe(key)}</span>'
                     f'{" " + back if back else ""}</li>')
    return '<ol class="reference-list">\n' + "\n".join(items) + "\n</ol>"


def _backrefs(cited: list[Occurrence]) -> str:
    """One ↩ for a single citation; for several, ↩ then a, b, c… as Wikipedia does, not a row of arrows."""
    if len(cited) < 2:
        return "".join(f'<a class="backref" href="#{o.anchor}" aria-label="Back to citation in {escape(o.section)}">&#8617;</a>'
                       for o in cited)
    letters = " ".join(f'<a class="backref" href="#{o.anchor}" aria-label="Back to citation {n} in {escape(o.section)}">'
                       f"{_letter(n)}</a>" for n, o in enumerate(cited, start=1))
    return f'<span class="backrefs"><span aria-hidden="true">&#8617;</span> <sup>{letters}</sup></span>'


def _letter(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(97 + rest) + out
    return out
