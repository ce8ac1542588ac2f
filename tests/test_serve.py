"""A real `mkdocs serve --dirty` (what `make serve` runs) on a loopback port: it survives broken saves, and after
every edit it serves exactly the site a full build makes, although it renders only the pages the edit changed
(hooks/casebook.py)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from conftest import FIXTURES, add_case, copy_repository, make_project, run_mkdocs, tree_digest

CASE = "content/cases/mini-case"


class Server:
    """`mkdocs serve` in a subprocess, its output collected line by line."""

    def __init__(self, project):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{self.port}"], cwd=project, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True).start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, after: int = 0, timeout: float = 60) -> int:
        """Wait until `text` appears in the output after character `after`; return where it ends."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.output.find(text, after)
            if found >= 0:
                return found + len(text)
            if self.process.poll() is not None:
                pytest.fail(f"mkdocs serve exited:\n{self.output}")
            time.sleep(0.1)
        pytest.fail(f"no {text!r} within {timeout} s:\n{self.output}")

    def save(self, path, text: str) -> int:
        """Write a file and wait until serve starts rebuilding; return where that rebuild's output begins.

        The file watcher polls, and takes its first snapshot in its own thread after "Serving on": a save
        made before that snapshot is never seen, so the save is repeated (with a new mtime) until it is."""
        after = len(self.output)
        for _ in range(15):
            path.write_text(text, encoding="utf-8")
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                if self.output.find("Building documentation", after) >= 0:
                    return after
                time.sleep(0.05)
        pytest.fail(f"serve never noticed the save of {path}:\n{self.output}")

    def get(self, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{path}", timeout=10) as response:
            assert response.status == 200
            return response.read().decode("utf-8")

    def page_when(self, path: str, ready, timeout: float = 60) -> str:
        """The page once `ready(html)` holds. Log lines cannot tell: MkDocs drops a repeated message,
        so a second "Documentation built in 0.23 seconds" never appears."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            html = self.get(path)
            if ready(html):
                return html
            time.sleep(0.1)
        pytest.fail(f"{path} never became as expected:\n{self.output}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)


@pytest.fixture
def server(tmp_path):
    project = make_project(tmp_path)
    running = Server(project)
    running.project = project
    yield running
    running.stop()


def test_a_broken_save_keeps_serving_the_last_good_site_and_recovers(server):
    server.wait_for("Serving on")
    assert "Synthetic fixture case" in server.get("cases/mini-case/")
    discussion = server.project / CASE / "discussion.yml"
    good = discussion.read_text(encoding="utf-8")

    ready = server.save(discussion, good.replace("[@beta2019]", "[@beta2091]"))
    saved = tree_digest(server.project / "content")
    server.wait_for("Still serving the last good version", ready)
    assert f"{CASE}/discussion.yml:" in server.output[ready:] and "unknown citation key 'beta2091'" in server.output
    page = server.page_when("cases/mini-case/discussion/", lambda html: "Your last save has errors" in html)
    assert "beta2091" in page and "Cited section" in page
    assert tree_digest(server.project / "content") == saved, "a build never writes into content/"

    fixed = server.save(discussion, good)
    server.page_when("cases/mini-case/discussion/", lambda html: "Your last save has errors" not in html)
    assert "Still serving" not in server.output[fixed:]


def test_a_broken_bibliography_is_survived_too(server):
    server.wait_for("Serving on")
    bib = server.project / "bibliography.bib"
    ready = server.save(bib, bib.read_text(encoding="utf-8").replace("@article{beta2019,", "@article{beta2019"))  # lost comma
    server.wait_for("Still serving the last good version", ready)
    assert "bibliography.bib:" in server.output[ready:]
    server.page_when("", lambda html: "Your last save has errors" in html)


def test_serve_with_broken_content_from_the_start_stops_with_the_located_error(tmp_path):
    project = make_project(tmp_path)
    (project / CASE / "discussion.yml").write_text((FIXTURES / "errors" / "unknown-citation-key" / "discussion.yml")
                                                   .read_text(encoding="utf-8"), encoding="utf-8")
    started = Server(project)
    assert started.process.wait(timeout=60) != 0
    assert f"{CASE}/discussion.yml:6:36: sections[0].body: unknown citation key 'alpha202O'" in started.output
    assert "Traceback" not in started.output


# What serve adds to every HTML page it sends: the livereload script, before </body>.
LIVERELOAD = re.compile(r"<script>(?:(?!<script>).)*?livereload\(\d+, \d+\);\s*</script>(?=</body>)", re.S)


def assert_serves_a_full_build(server, tmp_path, name):
    """Every page served equals the page a full `mkdocs build` of the same content makes, and the search
    index holds the same entries."""
    build = run_mkdocs(server.project, site=tmp_path / name, env={"SITE_URL": f"http://127.0.0.1:{server.port}/"})
    assert build.returncode == 0, build.output
    for path in build.pages():
        url = path.relative_to(build.site).as_posix().removesuffix("index.html")
        served = LIVERELOAD.sub("", server.get(url))
        assert served == path.read_text(encoding="utf-8"), f"{url} differs from a full build after {name}"
    entries = [json.loads(text)["docs"] for text in (server.get("search/search_index.json"),
                                                     (build.site / "search" / "search_index.json").read_text())]
    assert entries[0] == entries[1], f"the search index differs from a full build's after {name}"


@pytest.fixture
def casebook_server(tmp_path):
    project = copy_repository(tmp_path)
    add_case(project)
    running = Server(project)
    running.project = project
    yield running
    running.stop()


def test_an_edit_renders_only_what_it_changes_and_the_site_stays_right(casebook_server, tmp_path):
    server, second = casebook_server, casebook_server.project / "content/cases/synthetic-second-case"
    server.wait_for("Serving on")
    untouched = {p: p.stat().st_mtime_ns for p in (server.project / "content/cases/calcinosis-cutis-jssc").rglob("*")}
    calcinosis = ["cases/calcinosis-cutis-jssc/", "cases/calcinosis-cutis-jssc/discussion/",
                  "cases/calcinosis-cutis-jssc/references/"]
    before = {url: LIVERELOAD.sub("", server.get(url)) for url in calcinosis}

    # A sentence that uses a glossary term this case never used: the page, the handout and the Glossary change.
    discussion = second / "discussion.yml"
    server.save(discussion, discussion.read_text(encoding="utf-8").replace(
        "The first citation", "Freshly edited: Raynaud's phenomenon. The first citation"))
    page = server.page_when("cases/synthetic-second-case/discussion/", lambda html: "Freshly edited" in html)
    assert "term-raynauds-phenomenon" in page
    rendered = server.output[server.output.rfind("Building documentation"):]
    assert {url: LIVERELOAD.sub("", server.get(url)) for url in calcinosis} == before  # another case: untouched
    used_on = server.get("glossary/").split('id="term-raynauds-phenomenon"', 1)[1].split("glossary-used-on", 2)[1]
    assert "synthetic-second-case/discussion/" in used_on and "calcinosis-cutis-jssc/presentation/" in used_on
    assert_serves_a_full_build(server, tmp_path, "a text edit")
    assert "dirty" not in rendered  # MkDocs' warning about dirty builds is what the hooks prevent

    # A new title: every page's navigation names it.
    case = second / "case.yml"
    server.save(case, case.read_text(encoding="utf-8").replace("title: Synthetic second case", "title: Renamed second case"))
    server.page_when("about/", lambda html: "Renamed second case" in html)
    assert "Renamed second case" in server.get("cases/calcinosis-cutis-jssc/discussion/")
    assert_serves_a_full_build(server, tmp_path, "a new title")
    assert {p: p.stat().st_mtime_ns for p in untouched} == untouched  # an author's files are never touched


def served_bytes(server, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/{path}", timeout=10) as response:
        return response.read()


@pytest.fixture
def edited_server(tmp_path):
    """The fixture site with the second case and a glossary whose definition cites a .bib entry."""
    project = make_project(tmp_path)
    add_case(project)
    (project / "content" / "glossary.yml").write_text(
        "terms:\n  - id: synthetic\n    term: synthetic\n    definition: Made up for tests [@odd:key.with-chars_1].\n",
        encoding="utf-8")
    running = Server(project)
    running.project = project
    yield running
    running.stop()


def test_edits_undone_replaced_or_outside_the_content_still_serve_a_full_build(edited_server, tmp_path):
    """What an adversarial review found: an undone edit served the edited deck, an image replaced by an older
    file was never copied, a .bib edit seen only in glossary previews and a mkdocs.yml or template edit left
    pages stale."""
    server, deck = edited_server, "cases/mini-case/mini-case.pptx"
    server.wait_for("Serving on")
    discussion = server.project / CASE / "discussion.yml"
    good = discussion.read_text(encoding="utf-8")
    server.save(discussion, good.replace("Beta again", "Gamma again"))
    server.page_when("cases/mini-case/discussion/", lambda html: "Gamma again" in html)
    server.save(discussion, good)
    server.page_when("cases/mini-case/discussion/", lambda html: "Beta again" in html)
    full = run_mkdocs(server.project, site=tmp_path / "undone", env={"SITE_URL": f"http://127.0.0.1:{server.port}/"})
    assert served_bytes(server, deck) == (full.site / deck).read_bytes()

    image = server.project / "content/cases/synthetic-second-case/images/synthetic.svg"
    older = tmp_path / "downloaded.svg"
    older.write_text(image.read_text(encoding="utf-8").replace("#ddd", "#f00"), encoding="utf-8")
    os.utime(older, (time.time() - 86400, time.time() - 86400))  # `mv` of yesterday's download keeps its time
    after = len(server.output)
    os.replace(older, image)
    server.wait_for("Building documentation", after)
    url = "cases/synthetic-second-case/images/synthetic.svg"
    deadline = time.monotonic() + 30
    while b"#f00" not in served_bytes(server, url) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert b"#f00" in served_bytes(server, url)

    bib = server.project / "bibliography.bib"
    server.save(bib, bib.read_text(encoding="utf-8").replace("Group, Writing", "Renamed, Writing"))
    server.page_when("cases/mini-case/figures/", lambda html: "Renamed" in html)
    assert_serves_a_full_build(server, tmp_path, "a .bib edit seen in glossary previews")

    config = server.project / "mkdocs.yml"
    server.save(config, config.read_text(encoding="utf-8").replace("copyright: >-", "copyright: >-\n  A new footer line."))
    server.page_when("cases/mini-case/discussion/", lambda html: "A new footer line." in html)
    partial = server.project / "hooks/overrides/partials/copyright.html"
    server.save(partial, "<!-- template edited -->\n" + partial.read_text(encoding="utf-8"))
    server.page_when("cases/mini-case/discussion/", lambda html: "template edited" in html)
    assert_serves_a_full_build(server, tmp_path, "a mkdocs.yml and a template edit")
