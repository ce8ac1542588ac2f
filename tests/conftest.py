"""Shared helpers: build real sites into temporary folders, as a user would."""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Build:
    returncode: int
    output: str
    site: Path

    def html(self, url_path: str) -> BeautifulSoup:
        path = self.site / url_path
        if url_path.endswith("/") or not url_path:
            path = path / "index.html"
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")

    def pages(self) -> list[Path]:
        return sorted(self.site.rglob("*.html"))


def run_mkdocs(project: Path, *args: str, site: Path | None = None, env: dict | None = None, timeout: int = 180) -> Build:
    site = site or project / "site"
    env = {**{k: v for k, v in os.environ.items() if k != "SITE_URL"}, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", *args, "-d", str(site)], cwd=project,
                            capture_output=True, text=True, env=env, timeout=timeout)
    return Build(result.returncode, result.stdout + result.stderr, site)


def make_project(tmp_path: Path, fixture: Path = FIXTURES / "site") -> Path:
    """A copy of this project's configuration and hooks with a fixture's content."""
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__")
    project.mkdir()
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "hooks", project / "hooks", ignore=ignore)
    shutil.copytree(REPO / "docs" / "assets", project / "docs" / "assets")
    shutil.copytree(fixture / "content", project / "content")
    shutil.copy(fixture / "bibliography.bib", project / "bibliography.bib")
    for page in (fixture / "docs").glob("*.md"):
        shutil.copy(page, project / "docs" / page.name)
    return project


def cited_numbers(text: str) -> set[int]:
    """The reference numbers a text cites: [1], [2, 5], [3–6]."""
    found = set()
    for group in re.findall(r"\[([\d,– ]+)\]", text):
        for part in group.split(","):
            first, _, last = part.strip().partition("–")
            found.update(range(int(first), int(last or first) + 1))
    return found


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Build:
    """The repository's own site, built once, strict."""
    build = run_mkdocs(REPO, "--strict", site=tmp_path_factory.mktemp("real") / "site")
    assert build.returncode == 0, build.output
    return build


def add_case(project: Path, fixture: str = "second-case") -> None:
    """Drop a synthetic fixture case into a project: a folder and some .bib entries, no code."""
    source = FIXTURES / fixture
    shutil.copytree(source / "content" / "cases", project / "content" / "cases", dirs_exist_ok=True)
    bib = project / "bibliography.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n" + (source / "extra.bib").read_text(encoding="utf-8"),
                   encoding="utf-8")


def copy_repository(tmp_path: Path) -> Path:
    """The repository's own project (config, hooks, docs, content, bibliography) in a temporary folder."""
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", ".venv", "site", ".git")
    project.mkdir()
    for name in ["mkdocs.yml", "bibliography.bib"]:
        shutil.copy(REPO / name, project / name)
    for name in ["hooks", "docs", "content"]:
        shutil.copytree(REPO / name, project / name, ignore=ignore)
    return project


def build_casebook(folder: Path, fixture: str = "second-case") -> Build:
    """The real casebook plus one fixture case, built strict in `folder`."""
    project = copy_repository(folder)
    add_case(project, fixture)
    build = run_mkdocs(project, "--strict")
    assert build.returncode == 0, build.output
    return build


@pytest.fixture(scope="session")
def casebook_site(tmp_path_factory) -> Build:
    """The real casebook plus the synthetic second case, built strict."""
    return build_casebook(tmp_path_factory.mktemp("casebook"))


@pytest.fixture(scope="session")
def casebook_site_again(tmp_path_factory) -> Build:
    """casebook_site built again from scratch, in another folder: every download must be the same bytes."""
    return build_casebook(tmp_path_factory.mktemp("casebook-again"))


@pytest.fixture(scope="session")
def specialty_site(tmp_path_factory) -> Build:
    """The real casebook plus the synthetic gastroenterology case (organs, a stent, ages and spans, CC BY-ND
    with permission), built strict."""
    return build_casebook(tmp_path_factory.mktemp("specialty"), "specialty-case")


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory) -> Build:
    """The repository's site built for file:// with Material's offline plugin (OFFLINE=true)."""
    build = run_mkdocs(REPO, "--strict", site=tmp_path_factory.mktemp("offline") / "site", env={"OFFLINE": "true"})
    assert build.returncode == 0, build.output
    return build


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Build:
    project = make_project(tmp_path_factory.mktemp("fixture"))
    build = run_mkdocs(project, "--strict")
    assert build.returncode == 0, build.output
    return build


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: `make test` installs the Debian package `chromium`")
        pytest.skip("Chromium not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def serve_site():
    """Serve built sites on loopback; returns a function site_dir -> base URL."""
    servers = []

    def start(site: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def offline_page(chromium, **options):
    """A new page (and its context) whose every request to another host is blocked and recorded in page.external."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, **options)
    tab = context.new_page()
    tab.external = []

    def route(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:", "file:")) or host in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            tab.external.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    return context, tab


@pytest.fixture
def page(chromium):
    context, tab = offline_page(chromium)
    yield tab
    context.close()


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.tags = [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.parts.append(data)


def text_and_tags(html: str) -> tuple[str, set[str]]:
    """The words of an HTML fragment, as a reader sees them, and the elements it makes."""
    parser = _Text()
    parser.feed(html)
    return " ".join("".join(parser.parts).split()), parser.tags


def second_case(tmp_path: Path):
    """The synthetic second case, loaded from a fixture project, and its bibliography: for tests that change a
    loaded case before making a file from it."""
    from clinicase.bibliography import load_bibliography
    from clinicase.content import load_casebook

    project = make_project(tmp_path)
    add_case(project)
    bibliography, _ = load_bibliography(project / "bibliography.bib", "bibliography.bib")
    cases = load_casebook(project, project / "content", bibliography).cases
    return next(c for c in cases if c.slug == "synthetic-second-case"), bibliography
