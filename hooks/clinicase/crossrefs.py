"""Quarto-style cross-references inside a case.

`@fig-id`, `@tbl-id`, `@sec-id` and `@trt-id` become links labelled
"Figure 2", "Table 1", the section's title or the treatment's name;
`[own words](@id)` links own words to the same place. Every target of a
case, and the page it lives on, is listed by `case_targets`, which the
renderer also uses to write the anchors, so a link and its anchor cannot
drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from .markup import code_ranges

if TYPE_CHECKING:
    from .content import Case

ID = r"(?:fig|tbl|sec|trt)-[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_WHOLE_ID = re.compile(ID)
_WITH_TEXT = re.compile(rf"\[([^\]\n]+)\]\(@({ID})\)")
# Not after a word character (e-mail addresses), '[' (citations) or a path.
_BARE = re.compile(rf"(?<![\w@\[/.])@({ID})")


@dataclass(frozen=True)
class CrossRef:
    start: int
    end: int
    id: str
    text: str = ""  # the author's own link text, if any


@dataclass(frozen=True)
class Target:
    id: str
    label: str  # link text of a bare reference
    page: str  # the case page it is on, e.g. "figures.md"


def crossref_id(text: str) -> bool:
    return bool(_WHOLE_ID.fullmatch(text))


_PRESENTATION_SECTIONS = [
    ("sec-patient", "Patient"), ("sec-timeline", "Timeline"), ("sec-presenting-complaint", "Presenting complaint"),
    ("sec-history", "History"), ("sec-comorbidities", "Comorbidities"), ("sec-medications", "Medications"),
    ("sec-examination", "Examination"), ("sec-investigations", "Investigations"), ("sec-diagnosis", "Diagnosis"),
    ("sec-management", "Management"), ("sec-follow-up", "Follow-up and outcome")]
_OVERVIEW_SECTIONS = [("sec-objectives", "Learning objectives"), ("sec-body-map", "Body map"), ("sec-key-facts", "Key facts")]
_TABLES = [("tbl-timeline", "Timeline of the case", "presentation.md"),
           ("tbl-treatments", "Treatment options compared", "treatments.md")]
# Ids the generated pages give their own sections and tables: an author's id may not take one over.
RESERVED_IDS = frozenset(i for i, *_ in [*_PRESENTATION_SECTIONS, *_OVERVIEW_SECTIONS, *_TABLES])


def presentation_sections(case: Case) -> list[tuple[str, str]]:
    """(id, title) of the Presentation page's sections, in order; optional ones only when present."""
    p = case.presentation
    absent = {"sec-timeline": not case.timeline, "sec-comorbidities": not p.get("comorbidities"),
              "sec-examination": "examination" not in p,
              "sec-medications": not p.get("medications"), "sec-follow-up": not p.get("follow_up")}
    return [s for s in _PRESENTATION_SECTIONS if not absent.get(s[0])]


def overview_sections(case: Case) -> list[tuple[str, str]]:
    """(id, title) of the Overview page's sections; optional ones only when present."""
    absent = {"sec-body-map": not case.sites, "sec-key-facts": not case.key_facts}
    return [s for s in _OVERVIEW_SECTIONS if not absent.get(s[0])]


def tables(case: Case) -> list[tuple[str, str, str]]:
    """(id, caption, page) of the case's numbered tables."""
    present = {"tbl-timeline": bool(case.timeline), "tbl-treatments": bool(case.treatments)}
    return [t for t in _TABLES if present[t[0]]]


def case_targets(case: Case) -> dict[str, Target]:
    targets = [Target(f.id, f"Figure {f.number}", "figures.md") for f in case.figures]
    targets += [Target(tid, f"Table {n}", page) for n, (tid, _, page) in enumerate(tables(case), start=1)]
    targets += [Target(sid, title, "index.md") for sid, title in overview_sections(case)]
    targets += [Target(sid, title, "presentation.md") for sid, title in presentation_sections(case)]
    targets += [Target(s.id, s.title, "discussion.md") for s in case.discussion]
    targets += [Target(t.id, t.name, "treatments.md") for t in case.treatments]
    return {t.id: t for t in targets}


def find_crossrefs(text: str) -> list[CrossRef]:
    code = code_ranges(text)
    found = [CrossRef(m.start(), m.end(), m.group(2), m.group(1)) for m in _WITH_TEXT.finditer(text)]
    taken = [(r.start, r.end) for r in found]
    found += [CrossRef(m.start(), m.end(), m.group(1)) for m in _BARE.finditer(text)
              if not any(a <= m.start() < b for a, b in taken)]
    return sorted((r for r in found if not any(a <= r.start < b for a, b in code)), key=lambda r: r.start)


def replace_crossrefs(text: str, link_for: Callable[[CrossRef], str]) -> str:
    """Replace each reference with `link_for(ref)`, leaving code untouched."""
    out, last = [], 0
    for ref in find_crossrefs(text):
        out += [text[last:ref.start], link_for(ref)]
        last = ref.end
    return "".join(out) + text[last:]
