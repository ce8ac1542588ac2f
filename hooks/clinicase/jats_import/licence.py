"""The article's licence, read from its <permissions> and named by an id of the licence vocabulary.

What a licence element links to is the surest sign (`<license xlink:href>`, `<ali:license_ref>`); then a
licence address written in the licence text; then the licence's name in words ("Creative Commons
Attribution Non-Commercial License", "CC BY-NC-ND 4.0"), then the `license-type`. A version is kept only
where the article states it. Anything else is not guessed: the author reads the licence and chooses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..errors import ContentError
from ..vocabularies import licences, suggest
from .text import text_of
from .xml_source import Article

_CC_URL = re.compile(r"creativecommons\.org/(licenses|publicdomain)/([a-z-]+)(?:/(\d\.\d))?", re.I)
_URL = re.compile(r"https?://[^\s<>\"')]+", re.I)
_ABBREVIATION = re.compile(r"\bCC[ -]?BY(?:[ -]?(NC))?(?:[ -]?(SA|ND))?(?:[ -]?(\d\.\d))?\b", re.I)
_CC_NAME = re.compile(r"creative\s+commons\s+(?:\w+\s+){0,2}?attribution\b(.{0,80}?)(?:licen[cs]e|$|\)|\.\s)", re.I | re.S)
_PARTS = [("nc", re.compile(r"non-?\s?commercial", re.I)), ("sa", re.compile(r"share-?\s?alike", re.I)),
          ("nd", re.compile(r"no-?\s?deriv", re.I))]
_VERSION = re.compile(r"\b(\d\.\d)\b")


@dataclass
class Permissions:
    licence: str  # an id of the licence vocabulary
    statement: str  # the copyright statement and licence text, verbatim, for case.yml's copyright
    element: ET.Element | None  # where the article states it
    notes: list[str]  # what the author should know about it (for the review list)


def read_permissions(article: Article, chosen: str = "") -> Permissions:
    """The licence the article states, or the author's choice (`chosen`); a ContentError if neither is known."""
    meta = article.root.find("front/article-meta")
    scope = meta.find("permissions") if meta is not None and meta.find("permissions") is not None else meta
    statement = _statement(scope)
    found, evidence = licence_in(scope) if scope is not None else ("", "")
    known = licences()
    notes = []
    if chosen:
        if chosen not in known:
            raise ContentError([article.problem(scope, f"LICENCE={chosen} is not a licence id of this site",
                                                suggest(chosen, known))])
        if found and found != chosen:
            notes.append(f"you chose the licence {chosen}; the article's <permissions> say {found} ({evidence})")
        elif not found:
            notes.append(f"the licence {chosen} is your choice: the article's <permissions> name no licence this site knows")
        return Permissions(chosen, statement, scope, notes)
    if not found:
        said = f" (the article says: '{statement[:200]}')" if statement else " (the article states no licence)"
        raise ContentError([article.problem(
            scope, f"no licence this site knows was found in the article's <permissions>{said}",
            "read the article's licence on the journal's page and import again naming it, e.g. "
            "make import SOURCE=... LICENCE=cc-by-nc-4.0 (the README's Licences table lists the ids); "
            "if you have the copyright holder's permission, LICENCE=used-with-permission")])
    return Permissions(found, statement, scope, notes)


def _statement(scope: ET.Element | None) -> str:
    """The copyright statement and the licence's own words, as the article gives them."""
    if scope is None:
        return ""
    parts = [text_of(e) for e in scope.iter() if e.tag in {"copyright-statement", "license-p"}]
    if not any(e.tag == "license-p" for e in scope.iter()):  # NLM 2.3 wrote the licence text as <license><p>
        parts += [text_of(p) for lic in scope.iter("license") for p in lic.iter("p")]
    if not any(parts):
        year, holder = text_of(scope.find(".//copyright-year")), text_of(scope.find(".//copyright-holder"))
        parts = [f"© {year} {holder}".strip()] if year or holder else []
    return " ".join(dict.fromkeys(p for p in parts if p))


def licence_in(scope: ET.Element) -> tuple[str, str]:
    """(licence id, the words it was read from); ('', '') if the article names none this site knows."""
    linked = [e.get("href", "") for e in scope.iter("license")] + [text_of(e) for e in scope.iter("license_ref")]
    texts = [text_of(e) for e in scope.iter() if e.tag in {"license-p", "copyright-statement"}] + \
            [text_of(e) for e in scope.iter("license") if e.find("license-p") is None]
    in_text = [u for t in texts for u in _URL.findall(t)] + [e.get("href", "") for e in scope.iter() if e.tag in {"ext-link", "uri"}]
    for candidates in (linked, in_text):  # the first address the site knows: later ones may be a data waiver
        for url in candidates:
            found = _from_url(url)
            if found:
                return found, url
    for text in texts + [e.get("license-type", "") for e in scope.iter("license")]:
        found = _from_words(text)
        if found:
            return found, text[:120]
    return "", ""


def _from_url(url: str) -> str:
    match = _CC_URL.search(url)
    if not match:
        return ""
    kind, parts, version = match.group(1).lower(), match.group(2).lower().strip("-"), match.group(3) or ""
    if kind == "publicdomain":
        return {"zero": "cc0-1.0", "mark": "public-domain"}.get(parts, "")
    return _known(f"cc-{parts}", version)


def _from_words(text: str) -> str:
    if re.search(r"\bCC0\b|public domain dedication", text, re.I):
        return "cc0-1.0"
    abbreviation = _ABBREVIATION.search(text)
    if abbreviation:
        nc, other, version = abbreviation.groups()
        return _known("cc-by" + (f"-{nc.lower()}" if nc else "") + (f"-{other.lower()}" if other else ""), version or "")
    name = _CC_NAME.search(text)
    if name:
        tail = name.group(1)
        parts = "".join(f"-{part}" for part, pattern in _PARTS if pattern.search(tail))
        version = _VERSION.search(tail)
        return _known("cc-by" + parts, version.group(1) if version else "")
    if re.search(r"\bpublic domain\b", text, re.I):
        return "public-domain"
    return ""


def _known(base: str, version: str) -> str:
    """The vocabulary's id for a Creative Commons licence, or '' (e.g. a version or port the site does not list)."""
    wanted = f"{base}-{version}" if version else base
    return wanted if wanted in licences() else ""
