"""The controlled vocabularies (body regions, site kinds, event kinds, provenance, licences), read from the data files in
schemas/vocabularies/ and published from there into the JSON Schemas and the README.

The data files are the one source of truth. `schemas/vocabularies/build_schemas.py` writes their ids into
the schema files as `enum`s (editors read those) and their tables into the README; a test fails when either
is out of date. Plain Python: nothing here knows of MkDocs or of any disease.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

SCHEMAS = Path(__file__).parent / "schemas"
FOLDER = SCHEMAS / "vocabularies"
README_START = "<!-- vocabularies: generated from hooks/clinicase/schemas/vocabularies/ by build_schemas.py -->"
README_END = "<!-- /vocabularies -->"


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    view: str  # the body-map view it is drawn on (body_views)
    x: int  # position in that view's 160 x 400 silhouette
    y: int
    uberon: str = ""  # UBERON id copied from the ontology (schemas/vocabularies/uberon-sources.md), or ""


@dataclass(frozen=True)
class View:
    id: str
    facing: str  # front: the patient's right is on the viewer's left; back: on the viewer's right
    label: str  # written under the drawing
    drawing: str  # file of assets/ drawn for it, in the 160 x 400 system of the regions' x and y
    panel: str  # views of one panel are drawn side by side (front and back of the body)
    scale: float = 1  # drawn this many times larger (organs need room)
    height: int = 400  # the part of the drawing shown, from the top (organs: head to pelvis)


@dataclass(frozen=True)
class Kind:
    id: str
    label: str  # default name in legends, labels and tables
    shape: str  # the marker drawn
    colour: str = ""  # palette colour of a body-map marker: accent, primary or alert
    description: str = ""


@dataclass(frozen=True)
class Licence:
    id: str
    short: str  # what pages print: "CC BY-NC 4.0"
    name: str  # the official name
    version: str  # "" when the source does not state one
    url: str  # the official licence text; "" where there is none
    adaptations: bool  # False for NoDerivatives: the work may be shown only as it is
    commercial: bool  # False for NonCommercial
    permission: bool = False  # True: the site may use it only with a permission recorded in the case

    @property
    def label(self) -> str:
        return self.short if self.short == self.name else f"{self.short} ({self.name})"


def _entries(file: str, key: str) -> list[dict[str, Any]]:
    data = json.loads((FOLDER / file).read_text(encoding="utf-8"))
    entries = data[key]
    ids = [e["id"] for e in entries]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"{FOLDER / file}: ids listed twice: {', '.join(repeated)}")
    return entries


@lru_cache(maxsize=None)
def body_regions() -> dict[str, Region]:
    return {e["id"]: Region(**e) for e in _entries("body-regions.json", "regions")}


@lru_cache(maxsize=None)
def body_views() -> dict[str, View]:
    return {e["id"]: View(**e) for e in _entries("body-regions.json", "views")}


@lru_cache(maxsize=None)
def site_kinds() -> dict[str, Kind]:
    return {e["id"]: Kind(**e) for e in _entries("site-kinds.json", "kinds")}


@lru_cache(maxsize=None)
def event_kinds() -> dict[str, Kind]:
    return {e["id"]: Kind(**e) for e in _entries("event-kinds.json", "kinds")}


@lru_cache(maxsize=None)
def licences() -> dict[str, Licence]:
    return {e["id"]: Licence(**e) for e in _entries("licences.json", "licences")}


@lru_cache(maxsize=None)
def provenance() -> dict[str, dict[str, str]]:
    """How text or a caption relates to its source: id -> the sentences the site prints."""
    return {e["id"]: e for e in _entries("provenance.json", "kinds")}


def suggest(value: object, allowed: Iterable[str]) -> str:
    """'did you mean …?' for a value not in a vocabulary ('left-knee' means 'knee-left'), else the list."""
    allowed = list(allowed)
    text = re.sub(r"[\s_]+", "-", str(value).strip().lower())  # 'CC BY 4.0' is how people write cc-by-4.0
    words = sorted(text.split("-"))
    close = [a for a in allowed if a == text] or [a for a in allowed if sorted(a.split("-")) == words] or \
        list(dict.fromkeys([*difflib.get_close_matches(text, allowed, n=3), *(a for a in allowed if a in words)]))[:3]
    return f"did you mean {', '.join(close)}?" if close else f"use one of: {', '.join(sorted(allowed))}"


# --- publishing: the schema files and the README tables ------------------------------------

def _kind_labels(kinds: dict[str, Kind]) -> dict[str, Any]:
    return {k.id: {"type": "string", "minLength": 1, "maxLength": 40,
                   "description": f"The case's word for '{k.id}' (default: {k.label}). {k.description}".strip()}
            for k in kinds.values()}


# schema file -> (path of keys to a node, key set there, value from the vocabularies)
PUBLISHED: dict[str, list[tuple[tuple[str, ...], str, Callable[[], Any]]]] = {
    "sites": [
        (("properties", "sites", "items", "properties", "regions", "items"), "enum", lambda: list(body_regions())),
        (("properties", "sites", "items", "properties", "kinds", "items"), "enum", lambda: list(site_kinds())),
        (("properties", "kind_labels"), "properties", lambda: _kind_labels(site_kinds())),
    ],
    "timeline": [
        (("properties", "events", "items", "properties", "kind"), "enum", lambda: list(event_kinds())),
    ],
    "case": [
        (("properties", "source", "properties", "licence"), "enum", lambda: list(licences())),
        (("properties", "source", "properties", "provenance", "properties", "text"), "enum", lambda: list(provenance())),
        (("properties", "source", "properties", "provenance", "properties", "captions"), "enum", lambda: list(provenance())),
    ],
    "figures": [
        (("properties", "figures", "items", "properties", "licence"), "enum", lambda: list(licences())),
        (("properties", "figures", "items", "properties", "caption_provenance"), "enum", lambda: list(provenance())),
    ],
}


def schema_path(name: str) -> Path:
    return SCHEMAS / f"{name}.schema.json"


def published_schema(name: str) -> str:
    """The text the schema file should have: as it is, with the vocabularies written in."""
    schema = json.loads(schema_path(name).read_text(encoding="utf-8"))
    for path, key, value in PUBLISHED[name]:
        node = schema
        for step in path:
            node = node.setdefault(step, {})
        node[key] = value()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _table(header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def readme_tables() -> str:
    """The authoring guide's vocabulary tables, between README_START and README_END."""
    kinds = _table(("Site kind (`kinds:`)", "Default label", "Marker", "For"),
                   ((f"`{k.id}`", k.label, k.shape.replace("-", " "), k.description) for k in site_kinds().values()))
    events = _table(("Event kind (`kind:`)", "Label", "Marker"),
                    ((f"`{k.id}`", k.label, k.shape.replace("-", " ")) for k in event_kinds().values()))
    regions = _table(("Body region (`regions:`)", "Name", "View", "UBERON"),
                     ((f"`{r.id}`", r.name, r.view, r.uberon or "—") for r in body_regions().values()))
    licence_rows = _table(("Licence (`licence:`)", "Printed as", "Official name", "Adaptations", "Commercial use"),
                          ((f"`{k.id}`", k.short, f"[{k.name}]({k.url})" if k.url else k.name,
                            "with permission" if k.permission else ("yes" if k.adaptations else "no (permission needed)"),
                            "with permission" if k.permission else ("yes" if k.commercial else "no"))
                           for k in licences().values()))
    provenance_rows = _table(("Provenance (`provenance:`, `caption_provenance:`)", "The site prints"),
                             ((f"`{k}`", f"{v['text']} / {v['captions']}") for k, v in provenance().items()))
    return (f"{README_START}\n\n{kinds}\n\n{events}\n\n{provenance_rows}\n\n<details><summary>Licences ({len(licences())})</summary>\n\n"
            f"{licence_rows}\n\n</details>\n\n<details><summary>Body regions ({len(body_regions())})</summary>\n\n"
            f"{regions}\n\n</details>\n\n{README_END}")


def published_readme(text: str) -> str:
    """README text with the tables brought up to date (unchanged if it has no markers)."""
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.S)
    return pattern.sub(lambda _: readme_tables(), text)


def write(readme: Path | None = None) -> list[Path]:
    """Write every published file that is out of date; the paths written."""
    written = []
    targets = [(schema_path(name), lambda name=name: published_schema(name)) for name in PUBLISHED]
    if readme is not None:
        targets.append((readme, lambda: published_readme(readme.read_text(encoding="utf-8"))))
    for path, make in targets:
        text = make()
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written

