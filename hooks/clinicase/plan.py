"""The site as data, as the hooks hand it to MkDocs, and the build cache that keeps it.

A plan depends only on its inputs: this package's code and the installed libraries, every file under
content/, the .bib, the hand-written pages and a few settings. `load_plan` names a pickle in
.cache/clinicase/plan/ by the SHA-256 of all of them; a build whose inputs are unchanged loads it instead
of planning, and so never imports pybtex, jsonschema or python-pptx (the key never depends on a time or on
what `mkdocs serve` kept in memory). Any change to any input misses, and a miss plans from scratch.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import posixpath
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .cache import Cache, Call, code_version, store
from .errors import Problem
from .files import read_bytes
from .glossary import Glossary, fill_used_on, link_terms
from .links import script_in_markup
from .markup import escape

if TYPE_CHECKING:
    from .bibliography import Bibliography

CONTENT_DIR = "content"
BIBLIOGRAPHY = "bibliography.bib"
GLOSSARY_PAGE = "glossary.md"
CACHE_DIR = ".cache/clinicase"
MAX_KEYED_BYTES = 50_000_000  # the largest input the planner reads (the .bib); larger ones it refuses


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    title: str
    markdown: str
    licence_notice: str = ""  # plain text for the page's footer, when its sources' licences ask for one


@dataclass
class SitePlan:
    pages: list[GeneratedPage]
    nav: list
    assets: dict[str, Path]  # destination uri -> file copied as it is (case images; cached decks, PNGs, downloads)
    bibliography: Bibliography
    glossary: Glossary
    use_directory_urls: bool = True
    site_name: str = ""
    site_url: str = ""
    handwritten: dict[str, str] = field(default_factory=dict)  # docs/ page uri -> Markdown with citations resolved
    downloads: dict[str, str | bytes] = field(default_factory=dict)  # uri -> content, where no cache folder keeps it
    titles: dict[str, str] = field(default_factory=dict)  # generated page uri -> title naming its case
    cited_by: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key -> [(title, src_uri)]
    cache: Cache = field(default_factory=lambda: Cache(None))
    warnings: list[Problem] = field(default_factory=list)  # worth fixing, but the site is still right
    stale: str = ""  # while serving: the report of a broken save; the site shown is the last good one
    cited: frozenset[str] = frozenset()  # lower-case keys of every entry the site cites
    bib_check: Path | bytes = b""  # every .bib entry's problems, pickled (bibliography.entry_problems): a cache file
    # assets not made yet -> how to make them: a worker process makes them while MkDocs renders (worker.py);
    # never stored with the plan (a later build finds them in the cache, or plans again)
    pending: dict[Path, Callable[[], bytes]] = field(default_factory=dict)

    @cached_property  # asked once per page: a set made once, not once per page
    def generated(self) -> set[str]:
        return {page.src_uri for page in self.pages}

    @cached_property
    def notices(self) -> dict[str, str]:
        return {page.src_uri: page.licence_notice for page in self.pages if page.licence_notice}

    def licence_notice(self, page: str) -> str:
        return self.notices.get(page, "")

    def stale_notice(self) -> str:
        """A banner for every page while the content being served is not the content on disk."""
        if not self.stale:
            return ""
        return ('<div class="admonition danger cb-stale" role="alert"><p class="admonition-title">'
                "Your last save has errors: this is the last good version</p>"
                f"<pre><code>{escape(self.stale)}</code></pre></div>")

    def unsafe_markup(self, html: str, page: str) -> str:
        """What in a generated page's HTML could run script ('' when nothing can); hand-written pages are
        trusted with raw HTML, as MkDocs trusts them."""
        return script_in_markup(html) if page in self.generated else ""

    def link_terms(self, html: str, page: str, title: str) -> str:
        """Glossary links for one rendered page (not the Glossary itself)."""
        if page == GLOSSARY_PAGE:
            return html
        href = relative_url(page, GLOSSARY_PAGE, "", self.use_directory_urls)
        return link_terms(html, self.glossary, page=page, title=self.titles.get(page, title), href=href)

    def download(self, uri: str) -> bytes:
        """A file the site offers, as bytes: from the cache, or kept in the plan."""
        if uri in self.assets:
            return self.assets[uri].read_bytes()
        content = self.downloads[uri]
        return content.encode("utf-8") if isinstance(content, str) else content

    def uncited_warnings(self) -> list[Problem]:
        """Problems of .bib entries that no page cites (and of no entry at all): warnings, never errors. Asked
        for once `bib_check` is made (at once if the cache held it, else when the worker is done)."""
        try:
            data = self.bib_check if isinstance(self.bib_check, bytes) else self.bib_check.read_bytes()
        except OSError:  # the cache emptied meanwhile: the next build checks again
            data = b""
        found = pickle.loads(data) if data else {}
        return [p for low, problems in found.items() if low not in self.cited for p in problems]

    def page_files(self, root: Path) -> dict[str, Path]:
        """Each generated page as a file under .cache/clinicase/pages/, written only when its Markdown changed:
        its modification time then says whether the page changed, which is what a build that renders only
        changed pages (`mkdocs serve --dirty`) asks of it."""
        folder = root / CACHE_DIR / "pages"
        files = {}
        for page in self.pages:
            path = folder / page.src_uri
            data = page.markdown.encode("utf-8")
            try:
                same = path.read_bytes() == data
            except OSError:
                same = False
            if not same:
                store(path, lambda handle, data=data: handle.write(data))
            files[page.src_uri] = path
        return files

    def shell(self) -> str:
        """A digest of what every page shows besides its own text: the navigation, the glossary that links its
        terms (and its previews, which show names and years from the .bib), the footer notices, the hand-written pages' citations and the stale-save banner. While it is
        unchanged, a page whose Markdown is unchanged is unchanged."""
        return hashlib.sha256(repr((self.nav, self.glossary.terms, self.glossary.tips, sorted(self.notices.items()),
                                    sorted(self.handwritten.items()), self.stale, self.site_name,
                                    self.site_url)).encode()).hexdigest()

    def glossary_with_usage(self, html: str) -> str:
        return fill_used_on(html, self.glossary, lambda uri: relative_url(GLOSSARY_PAGE, uri, "", self.use_directory_urls))


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


def load_plan(root: Path, *, use_directory_urls: bool = True, handwritten: dict[str, str] | None = None,
              site_name: str = "", site_url: str = "", defer: bool = False,
              on_miss: Callable[[], object] = lambda: None) -> SitePlan:
    """`plan_site` with the same arguments, from the cache when none of its inputs has changed (else `on_miss()`
    first, then planning). With `defer`, decks and PNGs the cache lacks are left in `plan.pending` (they
    change no page, so not the key)."""
    options = {"use_directory_urls": use_directory_urls, "handwritten": handwritten or {}, "site_name": site_name,
               "site_url": site_url}
    path = root / CACHE_DIR / "plan" / inputs_key(root, options)
    try:
        with path.open("rb") as handle:
            plan = pickle.load(handle)
        made = [*plan.assets.values(), *([plan.bib_check] if isinstance(plan.bib_check, Path) else [])]
        if all(source.is_file() for source in made):  # a deck deleted from the cache: plan again
            return plan
    except Exception:  # absent, or unreadable for any reason: plan again (the cache is never the truth)
        pass
    on_miss()
    # Imported here, not at the top: a build that hits the cache never imports the planner.
    from .site import plan_site

    plan = plan_site(root, **options, defer=defer)
    pending = plan.cache.pending
    plan.bibliography = plan.cache = None  # planning only: the hooks get what a cache hit gives them
    for old in path.parent.glob("*"):  # keep only the newest: every save while serving is a new key
        old.unlink(missing_ok=True)
    store(path, lambda handle: pickle.dump(plan, handle, protocol=pickle.HIGHEST_PROTOCOL))  # no copy in memory
    plan.pending = pending
    return plan


def bibliography_check(root: Path, cache: Cache) -> Path | bytes:
    """Where every .bib entry's problems are kept (bibliography.entry_problems), made now or, with a deferring
    cache, left in cache.pending: it depends on the .bib alone, so a worker may start on it before planning."""
    try:
        data = read_bytes(root / BIBLIOGRAPHY, root, MAX_KEYED_BYTES)
    except OSError:
        return b""  # the planner reports why the .bib cannot be read
    return cache.file("bibcheck", [data], Call("clinicase.bibliography", "entry_problems",
                                               (str(root / BIBLIOGRAPHY), BIBLIOGRAPHY)))


def inputs_key(root: Path, options: dict) -> str:
    """SHA-256 of everything a plan is made from: code, libraries, settings, content/ and the .bib, and of
    where the project is (a plan names its files by absolute path)."""
    digest = hashlib.sha256(code_version() + repr([str(root.resolve()), *sorted(options.items())]).encode())
    for path in [*_files_under(root / CONTENT_DIR, root), root / BIBLIOGRAPHY]:
        try:  # the file rule first: a FIFO would block and /dev/urandom never end (files.py)
            data = read_bytes(path, root, MAX_KEYED_BYTES)
        except OSError as error:
            data = f"\0unreadable: {error}".encode()  # the planner reports it; the key only has to differ
        name = path.relative_to(root).as_posix().encode()
        digest.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _files_under(folder: Path, root: Path) -> list[Path]:
    """Every file below `folder`, symlinked folders inside the project included (once each), in a stable
    order; a folder that links out of the project is not entered (the planner reports it)."""
    found, seen, inside = [], set(), os.path.realpath(root)
    for here, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(here)
        if real in seen or not (real == inside or real.startswith(inside + os.sep)):
            dirs.clear()
            continue
        seen.add(real)
        found += [Path(here, name) for name in files]
    return sorted(found)
