"""The whole site as data: generated pages, navigation and assets.

`plan_site` loads the bibliography and every case, renders each case's
pages in reading order, numbers citations per case, and writes the pages
that list references. The MkDocs hooks only hand the result over.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from .bibliography import Bibliography, load_bibliography
from .citations import Numbering, Occurrence, ResolvedPage, reference_list, resolve_page
from .content import Case, Casebook, citation_problems, load_casebook
from .crossrefs import replace_crossrefs
from .errors import ContentError, Location, Problem
from .markup import escape, inert
from .render import case_pages, home

CONTENT_DIR = "content"
BIBLIOGRAPHY = "bibliography.bib"


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    title: str
    markdown: str


@dataclass
class SitePlan:
    pages: list[GeneratedPage]
    nav: list
    assets: dict[str, Path]  # destination uri -> source file (case images)
    bibliography: Bibliography
    use_directory_urls: bool = True
    handwritten: dict[str, str] = field(default_factory=dict)  # docs/ page uri -> Markdown with citations resolved
    cited_by: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key -> [(title, src_uri)]


def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives a page, relative to the site root."""
    stem = src_uri[:-3]
    if stem == "index" or stem.endswith("/index"):
        return stem[:-5]
    return f"{stem}/" if use_directory_urls else f"{stem}.html"


def relative_url(from_src: str, to_src: str, anchor: str, use_directory_urls: bool) -> str:
    """Link for raw HTML (MkDocs only rewrites Markdown links)."""
    here = posixpath.dirname(page_url(from_src, use_directory_urls) + "x") or "."
    target = page_url(to_src, use_directory_urls)
    rel = posixpath.relpath(target or ".", here)
    if (not target or target.endswith("/")) and not rel.endswith("/"):
        rel += "/"  # relpath drops the slash that directory URLs need
    return f"{rel}#{anchor}" if anchor else rel


def plan_site(root: Path, *, use_directory_urls: bool = True, handwritten: dict[str, str] | None = None) -> SitePlan:
    """Everything generated for the site, or a ContentError listing every problem."""
    bibliography, problems = load_bibliography(root / BIBLIOGRAPHY, BIBLIOGRAPHY)
    if problems:
        raise ContentError(problems)
    casebook = load_casebook(root, root / CONTENT_DIR, bibliography)
    handwritten = handwritten or {}
    check_handwritten(handwritten, bibliography)

    plan = SitePlan([], [], {}, bibliography, use_directory_urls)
    cases_nav = []
    for case in casebook.cases:
        cases_nav.append({case.title: [{p.title: p.src_uri} for p in _add_case(plan, case)]})
    home_page = _resolve(bibliography, home(casebook), "index.md", "Home", Numbering())
    plan.pages.append(GeneratedPage("index.md", "Home", home_page.markdown))
    _record(plan, home_page.occurrences)
    for uri, text in handwritten.items():
        resolved = _resolve(bibliography, text, uri, _title(text, uri), Numbering())  # numbered per page
        plan.handwritten[uri] = resolved.markdown
        _record(plan, resolved.occurrences)
    plan.pages.append(GeneratedPage("bibliography.md", "Bibliography", bibliography_page(plan, casebook)))
    plan.nav = [{"Home": "index.md"}, {"Cases": cases_nav}, {"Bibliography": "bibliography.md"},
                *sorted(u for u in handwritten if u != "index.md")]
    return plan


def _add_case(plan: SitePlan, case: Case) -> list[GeneratedPage]:
    """Render, cross-reference and number one case; numbers follow its reading order."""
    bib = plan.bibliography
    numbering = Numbering()
    folder = f"cases/{case.slug}"
    occurrences: list[Occurrence] = []
    pages = []
    for page in case_pages(case, bib.reference(case.source.cite).html):
        uri = f"{folder}/{page.name}"
        text = replace_crossrefs(page.markdown, lambda fid: f"[Figure {case.figure(fid).number}](figures.md#{fid})")
        resolved = _resolve(bib, text, uri, page.title, numbering)
        occurrences += resolved.occurrences
        pages.append(GeneratedPage(uri, page.title, resolved.markdown))
    references = pages.pop()
    pages.append(GeneratedPage(references.src_uri, references.title,
                               case_references_page(plan, case, references.src_uri, numbering, occurrences)))
    _record(plan, occurrences, case)
    plan.pages += pages
    plan.assets.update({f"{folder}/{f.image.relative_to(case.folder).as_posix()}": f.image for f in case.figures if f.image})
    return pages


def _resolve(bib: Bibliography, markdown: str, uri: str, title: str, numbering: Numbering) -> ResolvedPage:
    return resolve_page(markdown, page=uri, title=title, numbering=numbering,
                        describe=lambda k: bib.reference(k).html, canonical=bib.canonical)


def _record(plan: SitePlan, occurrences: list[Occurrence], case: Case | None = None) -> None:
    """Remember who cites what, for the site-wide bibliography."""
    for occurrence in occurrences:
        for key in occurrence.keys:
            where = (case.title, f"cases/{case.slug}/references.md") if case else (occurrence.page_title, occurrence.page)
            entries = plan.cited_by.setdefault(key, [])
            if where not in entries:
                entries.append(where)


def case_references_page(plan: SitePlan, case: Case, uri: str, numbering: Numbering, occurrences: list[Occurrence]) -> str:
    bib = plan.bibliography

    def backlinks(key: str) -> str:
        """One link per page section; further citations in that section as small numbered links."""
        by_section: dict[tuple[str, str, str], list[Occurrence]] = {}
        for o in occurrences:
            if key in o.keys:
                by_section.setdefault((o.page, o.page_title, o.section), []).append(o)
        links = []
        for (_, page_title, section), found in by_section.items():
            label = f"{escape(page_title)} › {inert(escape(section))}"
            hrefs = [escape(relative_url(uri, o.page, o.anchor, plan.use_directory_urls)) for o in found]
            more = "".join(f' <a class="backref" href="{h}" aria-label="{label}, citation {i}">{i}</a>'
                           for i, h in enumerate(hrefs[1:], start=2))
            links.append(f'<a class="backref" href="{hrefs[0]}">{label}</a>' + (f"<sup>{more}</sup>" if more else ""))
        return '<span class="cited-in">Cited in: ' + ", ".join(links) + "</span>"

    keys = numbering.keys_in_order()
    intro = ("Numbered in the order they are first cited in this case (Overview, Presentation, Figures, Discussion, "
             "Treatments); each number is the same on every page. Links after each entry go back to every place "
             "that cites it.")
    body = reference_list(keys, numbering, lambda k: bib.reference(k).html, backlinks=backlinks) if keys else \
        "This case cites no references."
    return f"# References\n\n{intro}\n\n{body}\n\n## Source article\n\n{inert(bib.reference(case.source.cite).html)}\n"


def bibliography_page(plan: SitePlan, casebook: Casebook) -> str:
    bib = plan.bibliography
    sources = {c.source.cite: c for c in casebook.cases}
    keys = sorted(set(plan.cited_by) | set(sources), key=lambda k: bib.reference(k).text.lower())
    items = []
    for key in keys:
        where = [f"[{escape(title)}]({link})" for title, link in plan.cited_by.get(key, [])]
        if key in sources:
            where.insert(0, f"[{escape(sources[key].title)}](cases/{sources[key].slug}/index.md) (its source article)")
        items.append(f"- {inert(bib.reference(key).html)}<br>\n  *Cited in:* {', '.join(where)}")
    return ("# Bibliography\n\nEvery reference cited anywhere on this site, once, in alphabetical order, "
            "with the cases that cite it.\n\n" + "\n".join(items) + "\n")


# --- hand-written pages ---------------------------------------------------------------

def _title(markdown: str, fallback: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


def check_handwritten(pages: dict[str, str], bibliography: Bibliography) -> None:
    problems = [Problem(Location(f"docs/{uri}", text.count("\n", 0, offset) + 1), message, fix)
                for uri, text in pages.items() for offset, message, fix in citation_problems(text, bibliography)]
    if problems:
        raise ContentError(problems)
