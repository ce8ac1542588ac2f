"""Planning the site: generated pages, navigation, assets and downloads.

`plan_site` loads the bibliography and every case, renders each case's
pages in reading order, numbers citations per case, and writes the pages
that list references. The MkDocs hooks only hand the result over
(through `plan.load_plan`, which skips all of this when no input changed).
"""

from __future__ import annotations

import os
import re
from functools import partial
from pathlib import Path
from urllib.parse import quote

from . import visuals
from .bibliography import Bibliography, load_bibliography
from .cache import Cache, Call, fingerprint, remembered_latest
from .citations import (
    Numbering,
    Occurrence,
    ResolvedPage,
    headings,
    reference_list,
    resolve_page,
)
from .content import Case, Casebook, load_casebook, load_glossary, text_problems
from .crossrefs import CrossRef, Target, case_targets, replace_crossrefs
from .errors import ContentError, Location, Problem
from .exports import bibtex, page_citation, ris
from .glossary import glossary_page
from .handout import PAGE as HANDOUT_PAGE, TITLE as HANDOUT_TITLE, handout_markdown
from .licensing import case_licences, licence_notice, noderivatives
from .markup import escape, inert, inert_text, md, reference_span
from .plan import (
    BIBLIOGRAPHY,
    CACHE_DIR,
    CONTENT_DIR,
    GLOSSARY_PAGE,
    GeneratedPage,
    SitePlan,
    bibliography_check,
    page_url,
    relative_url,
)
from .render import (
    MENTIONS,
    CasePage,
    case_pages,
    pages_of,
    figure_png,
    case_credit,
    home,
    licence_link,
    tag_page,
    tags_index,
    tags_of,
)
from .slides import ASSETS, case_deck, html_deck
from .unfolding_page import PAGE as UNFOLDING_PAGE, TITLE as UNFOLDING_TITLE, place_references, unfolding_markdown
from . import anki, moodle


def plan_site(root: Path, *, use_directory_urls: bool = True, handwritten: dict[str, str] | None = None,
              site_name: str = "", site_url: str = "", defer: bool = False) -> SitePlan:
    """Everything generated for the site, or a ContentError listing every problem. With `defer`, decks and
    PNGs not yet in the cache are left in `plan.pending` for a worker process to make (worker.py)."""
    bibliography, problems = load_bibliography(root / BIBLIOGRAPHY, BIBLIOGRAPHY)
    if problems:
        raise ContentError(problems)
    casebook = load_casebook(root, root / CONTENT_DIR, bibliography)
    glossary = load_glossary(root, root / CONTENT_DIR, bibliography, {case.slug for case in casebook.cases})
    handwritten = handwritten or {}
    check_handwritten(handwritten, bibliography)

    plan = SitePlan([], [], {}, bibliography, glossary, use_directory_urls, site_name, site_url.rstrip("/"),
                    cache=Cache(root / CACHE_DIR, defer))
    # The unfolding case's and the handout's stylesheets, linked by their templates (hooks/overrides/)
    plan.assets.update({f"assets/clinicase/{name}": ASSETS / name for name in ("unfolding.css", "handout.css")})
    cases_nav = []
    for case in casebook.cases:
        # Themes print navigation titles as HTML, so titles from YAML are escaped here.
        cases_nav.append({escape(case.title): [{p.title: p.src_uri} for p in _add_case(plan, case)]})
    tags = tags_of(casebook)
    # (uri, title, Markdown, the cases whose text the page reuses: their licences travel with it)
    site_pages = [("index.md", "Home", home(casebook, bool(glossary.terms)), casebook.cases),
                  ("tags/index.md", "Tags", tags_index(casebook), [])]
    site_pages += [(f"tags/{slug}.md", f"Tag: {tag}", tag_page(tag, cases), cases) for slug, (tag, cases) in tags.items()]
    if glossary.terms:
        credited = [case for case in casebook.cases if any(t.from_case == case.slug for t in glossary.terms)]
        credits = {case.slug: case_credit(case, "") for case in credited}
        site_pages.append((GLOSSARY_PAGE, "Glossary", glossary_page(glossary, md, credits), credited))
    for uri, title, text, reused in site_pages:
        resolved = _resolve(bibliography, text, uri, title, Numbering())
        notice = licence_notice([lic for case in reused for lic in case_licences(case)])
        plan.pages.append(GeneratedPage(uri, title, resolved.markdown, notice))
        _record(plan, resolved.occurrences)
    for uri, text in handwritten.items():
        resolved = _resolve(bibliography, text, uri, _title(text, uri), Numbering())  # numbered per page
        plan.handwritten[uri] = resolved.markdown
        _record(plan, resolved.occurrences)
    plan.pages.append(GeneratedPage("bibliography.md", "Bibliography", bibliography_page(plan, casebook)))
    cited = [*plan.cited_by, *(c.source.cite for c in casebook.cases)]
    if errors := bibliography.problems(cited):  # a broken entry that a page shows: every one of them, at once
        raise ContentError(errors)
    plan.warnings = [*bibliography.field_warnings(cited),
                     *dict.fromkeys(plan.warnings)]  # export warnings, once although several pages list the entry
    # Entries nobody cites are checked too (warnings), by the worker: parsing a whole library takes a second.
    plan.cited = frozenset(k.lower() for k in cited)
    plan.bib_check = bibliography_check(root, plan.cache)
    plan.nav = [{"Home": "index.md"}, {"Cases": cases_nav},
                {"Tags": ["tags/index.md", *[{escape(f"Tag: {tag}"): f"tags/{slug}.md"} for slug, (tag, _) in tags.items()]]},
                *([{"Glossary": GLOSSARY_PAGE}] if glossary.terms else []),
                {"Bibliography": "bibliography.md"}, *sorted(u for u in handwritten if u != "index.md")]
    return plan


_CASE_PLANS: dict = {}


def _add_case(plan: SitePlan, case: Case) -> list[GeneratedPage]:
    """One case's pages, downloads and citations, added to the plan. A case is planned on its own (its numbers
    follow its reading order), so while serving, a case whose folder, .bib and settings are unchanged is not
    planned again: editing one case of a casebook re-plans that case only."""
    def key():
        return (fingerprint(case.folder), plan.bibliography.digest, plan.use_directory_urls, plan.site_url,
                plan.site_name, os.environ.get("SOURCE_DATE_EPOCH"))

    part = remembered_latest(_CASE_PLANS, case.slug, key, lambda: _plan_case(plan, case))
    if not all(path.is_file() or path in plan.cache.pending for path in part.assets.values()):
        part = _plan_case(plan, case)  # a deck or picture deleted from the cache meanwhile: make it again
    plan.pages += part.pages
    plan.titles.update(part.titles)
    plan.assets.update(part.assets)
    plan.downloads.update(part.downloads)
    plan.warnings += part.warnings
    for key_, places in part.cited_by.items():
        plan.cited_by.setdefault(key_, []).extend(p for p in places if p not in plan.cited_by[key_])
    return part.pages


def _plan_case(plan: SitePlan, case: Case) -> SitePlan:
    """Render, cross-reference and number one case, into a plan of its own (what _add_case adds)."""
    plan = SitePlan([], [], {}, plan.bibliography, plan.glossary, plan.use_directory_urls, plan.site_name,
                    plan.site_url, cache=plan.cache)
    bib = plan.bibliography
    folder = f"cases/{case.slug}"
    targets = case_targets(case)
    pages = case_pages(case, bib.reference(case.source.cite).html,
                       lambda page, target: relative_url(f"{folder}/{page}", f"{folder}/{targets[target].page}", target,
                                                         plan.use_directory_urls))
    mentions: dict[str, list[str]] = {}  # treatment id -> Markdown links back to where the text mentions it
    texts = [_link_crossrefs(page, targets, mentions) for page in pages]
    numbering, occurrences, done = Numbering(), [], []
    notice = licence_notice(case_licences(case))
    for page, text in zip(pages, texts):
        for target, links in mentions.items():  # one link per place: "Question 4, Question 4" reads as a mistake
            first: dict[str, str] = {}
            for link in links:
                first.setdefault(link.split("](", 1)[0], link)
            text = text.replace(MENTIONS.format(target), "<br>*Discussed in:* " + ", ".join(first.values()))
        text = re.sub(MENTIONS.format("[a-z0-9-]+"), "", text)
        uri = f"{folder}/{page.name}"
        plan.titles[uri] = f"{case.title} › {page.title}"
        if page.name == "references.md":
            text = case_references_page(plan, case, uri, numbering, occurrences)
            keys = numbering.keys_in_order()
        else:
            resolved = _resolve(bib, text, uri, page.title, numbering)
            occurrences += resolved.occurrences
            text, keys = resolved.markdown, resolved.keys
        done.append(GeneratedPage(uri, page.title, text + cite_and_reuse(plan, case, page, keys), notice))
    done += _teaching_pages(plan, case, numbering, notice)
    _record(plan, occurrences, case)
    plan.pages += done
    plan.assets.update({f"{folder}/{f.image.relative_to(case.folder).as_posix()}": f.image for f in case.figures if f.image})
    for uri, content in _reuse_files(plan, case, numbering).items():
        _add_download(plan, uri, content)
    return plan


def _add_download(plan: SitePlan, uri: str, content: str | bytes | Path) -> None:
    """A download as a cache file MkDocs copies (the plan keeps its path, not its bytes), or as content when
    there is no cache folder to keep it in."""
    stored = content if isinstance(content, Path) else plan.cache.put("download", content)
    (plan.assets if isinstance(stored, Path) else plan.downloads)[uri] = stored


def _teaching_pages(plan: SitePlan, case: Case, numbering: Numbering, notice: str) -> list[GeneratedPage]:
    """The unfolding case (where the case has one) and the handout: the case's text again, with the case's own
    citation numbers (every key they cite is numbered by then), and not among the places the References page
    links back to (it links the case's own pages)."""
    source = plan.bibliography.reference(case.source.cite).html
    made = [(UNFOLDING_PAGE, UNFOLDING_TITLE, unfolding_markdown(case, source))] if case.unfolding else []
    made.append((HANDOUT_PAGE, HANDOUT_TITLE, handout_markdown(case, source)))
    pages = []
    for name, title, text in made:
        uri = f"cases/{case.slug}/{name}"
        plan.titles[uri] = f"{case.title} › {title}"
        markdown = _resolve(plan.bibliography, text, uri, title, numbering).markdown
        pages.append(GeneratedPage(uri, title, place_references(markdown) if name == UNFOLDING_PAGE else markdown, notice))
    return pages


def _reuse_files(plan: SitePlan, case: Case, numbering: Numbering) -> dict[str, str | bytes | Path]:
    """Slides and pictures for other decks, the Anki deck and the Moodle quiz, numbered like the site; the costly
    ones are files in the cache."""
    folder = f"cases/{case.slug}"
    deck = case_deck(case, numbering, plan.bibliography)

    def png_file(svg: str) -> Path | bytes:
        return plan.cache.file("png", [svg], partial(visuals.png, svg))

    images = [s.image.read_bytes() for s in deck.slides if s.image]
    files: dict[str, str | bytes | Path] = {
        f"{folder}/{case.slug}.pptx": plan.cache.file("pptx", [repr(deck.slides), repr(deck.references), *images],
                                                      Call("clinicase.pptx_deck", "cached_pptx", (deck, plan.cache.folder))),
        f"{folder}/slides/index.html": html_deck(deck, lambda image: "../" + quote(image.relative_to(case.folder).as_posix(), safe="/")),
    }
    drawings = {"timeline": case.timeline and visuals.timeline(case.timeline, lambda _: ("", ""), title=f"Timeline: {case.title}"),
                "body-map": case.sites and visuals.body_map(case.sites, lambda _: ("", ""), title=f"Body map: {case.title}")}
    for name, svg in drawings.items():
        if svg:
            files[f"{folder}/{name}.svg"] = visuals.standalone(svg)
            files[f"{folder}/{name}.png"] = png_file(visuals.standalone(svg))
    for figure in case.figures:
        if figure.image and figure.image.suffix.lower() == ".svg":
            files[f"{folder}/{figure_png(case, figure)}"] = png_file(figure.image.read_text(encoding="utf-8"))

    def url(page: str) -> str:
        return f"{plan.site_url}/{page_url(f'{folder}/{page}', plan.use_directory_urls)}" if plan.site_url else ""

    flashcards = anki.anki_deck(case, numbering, plan.bibliography, url)
    if flashcards.notes:
        timestamp = anki.note_time()
        files[f"{folder}/{case.slug}.apkg"] = plan.cache.file("apkg", [repr(flashcards), str(timestamp)],
                                                             Call("clinicase.anki", "apkg", (flashcards, timestamp)))
    if case.questions:
        files[f"{folder}/{case.slug}.moodle.xml"] = moodle.moodle_xml(case, numbering, plan.bibliography, url)
    return files


def _link_crossrefs(page: CasePage, targets: dict[str, Target], mentions: dict[str, list[str]]) -> str:
    """Cross-references become Markdown links; a mention of a treatment gets an anchor its row links back to."""
    count = 0
    sections = headings(page.markdown)

    def link(ref: CrossRef) -> str:
        nonlocal count
        target = targets[ref.id]
        href = f"#{ref.id}" if target.page == page.name else f"{target.page}#{ref.id}"
        text = md(ref.text) if ref.text else inert_text(target.label)  # a label is data: a title from YAML
        if not ref.id.startswith("trt-") or target.page == page.name:
            return f"[{text}]({href})"
        count += 1
        anchor = f"mention-{ref.id}-{count}"
        section = next((t for o, t in reversed(sections) if o < ref.start), page.title)
        mentions.setdefault(ref.id, []).append(f"[{inert(escape(section))}]({page.name}#{anchor})")
        return f"[{text}]({href}){{#{anchor}}}"
    return replace_crossrefs(page.markdown, link)


def cite_and_reuse(plan: SitePlan, case: Case, page: CasePage, keys: list[str]) -> str:
    """Suggested citations of the page and its source, and the page's reading list to download."""
    stem = "overview" if page.name == "index.md" else page.name[:-3]
    url = f"{plan.site_url}/{page_url(f'cases/{case.slug}/{page.name}', plan.use_directory_urls)}" if plan.site_url else ""
    lines = [f"**Cite this page:** {inert_text(page_citation(plan.site_name or 'Clinical casebook', page.title, case.title, url))}",
             f"**Cite the source article:** {reference_span(plan.bibliography.reference(case.source.cite).html)}"]
    if keys:
        name = f"{case.slug}-{stem}"
        for suffix, export in (("bib", bibtex), ("ris", ris)):
            # an entry that cannot be written is left out of the file; its warning joins plan.warnings
            content, problems = export(plan.bibliography, keys)
            _add_download(plan, f"cases/{case.slug}/{name}.{suffix}", content)
            plan.warnings.extend(problems)
        count = f"{len(keys)} reference{'s' if len(keys) != 1 else ''}"
        lines.append(f"**Reading list for this page** ({count}): [BibTeX]({name}.bib){{download=\"{name}.bib\"}} · "
                     f"[RIS]({name}.ris){{download=\"{name}.ris\"}}")
    lines.append(f"**Slides for this case:** [PowerPoint]({case.slug}.pptx){{download=\"{case.slug}.pptx\"}} · "
                 "[present in the browser](slides/index.html) (works offline; press F for full screen)")
    lines.append(teach_with(case))
    unchanged = " Share it, and the slides, handout and decks made from it, only unchanged: the licence does not " \
        "permit adapted versions." if noderivatives([case.source.licence]) else ""
    lines.append(f"Text reused from the source article is under its licence "
                 f"({licence_link(case.source.licence)}); credit the article when you reuse it.{unchanged}")
    body = "\n\n".join(f"    {line}" for line in lines)
    return f'\n\n## Cite and reuse {{#cite-and-reuse}}\n\n!!! quote cb-reuse ""\n\n{body}\n'


def teach_with(case: Case) -> str:
    """Links to the case's other teaching formats (the files are made by _reuse_files, the pages by _teaching_pages)."""
    links = [f"[unfolding case]({UNFOLDING_PAGE}) (in stages, a question before each)"] if case.unfolding else []
    links.append(f"[handout]({HANDOUT_PAGE}) (the whole case, to print)")
    notes = sum(len(points) for points in case.key_points.values()) + len(case.questions)
    if notes:
        links.append(f"[Anki deck]({case.slug}.apkg){{download=\"{case.slug}.apkg\"}} ({notes} notes)")
    if case.questions:
        count = len(case.questions)
        links.append(f"[Moodle quiz]({case.slug}.moodle.xml){{download=\"{case.slug}.moodle.xml\"}} "
                     f"(Moodle XML, {count} question{'s' if count != 1 else ''})")
    return "**Teach with this case:** " + " · ".join(links)


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
            label = f"{inert(escape(page_title))} › {inert(escape(section))}"
            hrefs = [escape(relative_url(uri, o.page, o.anchor, plan.use_directory_urls)) for o in found]
            more = "".join(f' <a class="backref" href="{h}" aria-label="{label}, citation {i}">{i}</a>'
                           for i, h in enumerate(hrefs[1:], start=2))
            links.append(f'<a class="backref" href="{hrefs[0]}">{label}</a>' + (f"<sup>{more}</sup>" if more else ""))
        return '<span class="cited-in">Cited in: ' + ", ".join(links) + "</span>"

    keys = numbering.keys_in_order()
    read = ", ".join(title for name, title in pages_of(case) if name != "references.md")  # the pages this case has
    intro = (f"Numbered in the order they are first cited in this case ({read}); each number is the same on every page. "
             "Links after each entry go back to every place that cites it.")
    body = reference_list(keys, numbering, lambda k: bib.reference(k).html, backlinks=backlinks) if keys else \
        "This case cites no references."
    return f"# References\n\n{intro}\n\n{body}\n\n## Source article\n\n{reference_span(bib.reference(case.source.cite).html)}\n"


def bibliography_page(plan: SitePlan, casebook: Casebook) -> str:
    bib = plan.bibliography
    sources = {c.source.cite: c for c in casebook.cases}
    keys = sorted(set(plan.cited_by) | set(sources), key=lambda k: bib.reference(k).text.lower())
    items = []
    for key in keys:
        where = [f"[{inert_text(title)}]({link})" for title, link in plan.cited_by.get(key, [])]
        if key in sources:
            where.insert(0, f"[{inert_text(sources[key].title)}](cases/{sources[key].slug}/index.md) (its source article)")
        items.append(f"- {reference_span(bib.reference(key).html)}<br>\n  *Cited in:* {', '.join(where)}")
    return ("# Bibliography\n\nEvery reference cited anywhere on this site, once, in alphabetical order, "
            "with the cases that cite it.\n\n" + "\n".join(items) + "\n")


# --- hand-written pages ---------------------------------------------------------------

def _title(markdown: str, fallback: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


def check_handwritten(pages: dict[str, str], bibliography: Bibliography) -> None:
    """Hand-written pages are trusted with raw HTML, as MkDocs trusts them; what they cite, and their
    Markdown links and images, follow the same rules as text from YAML."""
    problems = [Problem(Location(f"docs/{uri}", text.count("\n", 0, offset) + 1), message, fix)
                for uri, text in pages.items()
                for offset, message, fix in text_problems(text, bibliography, handwritten=True)]
    if problems:
        raise ContentError(problems)
