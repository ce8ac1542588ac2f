"""A hostile corpus (tests/fixtures/hostile/<item>/): each input gives a located error or a safe page.

Every item is laid over the small fixture project and built with `mkdocs build --strict` in a subprocess
with a time limit: never a traceback, never a hang, never a changed file. `expect.yml` says what the
item proves and what the author or reader must get; `files/` holds what is laid over the project.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, make_project, run_mkdocs, tree_digest

CORPUS = FIXTURES / "hostile"
ITEMS = sorted(p for p in CORPUS.iterdir() if (p / "expect.yml").is_file())
TIME_LIMIT = 60  # seconds for one build of the tiny fixture site: a hang fails here, not in CI's 90 minutes


def spec_of(item: Path) -> dict:
    return yaml.safe_load((item / "expect.yml").read_text(encoding="utf-8"))


def hostile_project(tmp_path: Path, item: Path) -> tuple[Path, dict]:
    """The fixture project with the item's files, links, pipes and generated text laid over it."""
    spec = spec_of(item)
    project = make_project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    for name, text in spec.get("outside", {}).items():
        (outside / name).write_text(text, encoding="utf-8")
    if (item / "files").is_dir():  # an item made only of links or pipes has no files (git keeps no empty folder)
        shutil.copytree(item / "files", project, dirs_exist_ok=True)
    for rel, (old, new) in spec.get("replace", {}).items():
        path = project / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    for rel, parts in spec.get("generate", {}).items():  # large inputs are made here, not committed
        head, repeat, count, *tail = parts
        (project / rel).write_text(head + "".join(repeat.format(n=n) for n in range(count)) + "".join(tail), encoding="utf-8")
    if "bib" in spec:
        (project / "bibliography.bib").write_text(spec["bib"], encoding="utf-8")
    if "append_bib" in spec:
        bib = project / "bibliography.bib"
        bib.write_text(bib.read_text(encoding="utf-8") + spec["append_bib"], encoding="utf-8")
    for rel, target in spec.get("symlinks", {}).items():
        (project / rel).unlink(missing_ok=True)
        os.symlink(target.replace("OUTSIDE", str(outside)), project / rel)
    for rel in spec.get("fifos", []):
        (project / rel).unlink(missing_ok=True)
        os.mkfifo(project / rel)
    return project, spec


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Each item built once (the browser tests below reuse the safe ones)."""
    done = {}

    def build(item: Path):
        if item.name not in done:
            project, spec = hostile_project(tmp_path_factory.mktemp(item.name[:40]), item)
            before = tree_digest(project / "content"), tree_digest(project / "docs")
            result = run_mkdocs(project, *([] if spec.get("lenient") else ["--strict"]), timeout=TIME_LIMIT)
            after = tree_digest(project / "content"), tree_digest(project / "docs")
            done[item.name] = (result, spec, before == after)
        return done[item.name]
    return build


@pytest.mark.parametrize("item", ITEMS, ids=[p.name for p in ITEMS])
def test_hostile_input_gets_a_located_error_or_a_safe_page(builds, item):
    build, spec, unchanged = builds(item)
    assert "Traceback" not in build.output and "Error:" not in build.output.replace("BuildError", ""), build.output
    assert unchanged, "a build must never modify content/ or docs/"
    for text in spec.get("absent", []):
        assert text not in build.output.replace(str(item), "")
    if spec.get("errors"):
        assert build.returncode != 0, build.output[-2000:]
        for expected in spec["errors"]:
            assert expected in build.output, f"{expected!r} not in:\n{build.output[-3000:]}"
        return
    assert build.returncode == 0, build.output[-3000:]
    page = build.html(spec["page"])
    article = page.select_one("article")
    assert not article.select("script, [onerror], [onload], [onclick], [onmouseover]")
    assert not [a for a in article.select("[href]") if re.match(r"\s*(javascript|data|vbscript):", a["href"], re.I)]
    assert not article.select("img[src*='//'], [style*='url'], a.glightbox[href*='//']"), "nothing loads from another host"
    for text in spec.get("contains", []):
        assert text in article.get_text()
    if spec.get("image_ok"):
        [img] = article.select("figure img")
        assert (build.site / spec["page"] / img["src"].replace("%20", " ").replace("%26", "&").replace("%23", "#")).is_file()
    if spec.get("no_term_in_entities"):
        assert "&amp;" in str(article) and "Salt &amp; pepper" in str(article)
        assert not article.select("a.term-link")
    for key in spec.get("absent_refs", []):
        assert key not in str(article.select(".reference-list"))
    if spec.get("lenient"):
        assert list(build.site.glob("cases/mini-case/*.ris"))


SAFE = [p for p in ITEMS if not spec_of(p).get("errors")]


@pytest.mark.parametrize("item", SAFE, ids=[p.name for p in SAFE])
def test_no_script_from_a_safe_hostile_page_runs_in_chromium(builds, item, serve_site, page):
    """Every inline handler fired on every element, and every lightbox opened: nothing runs, nothing leaves."""
    from test_safety import FIRE_EVERY_HANDLER

    build, spec, _ = builds(item)
    page.goto(serve_site(build.site) + spec["page"])
    page.evaluate(FIRE_EVERY_HANDLER)
    assert page.evaluate("window.__pwned") is None
    if spec.get("lightbox"):
        for link in page.locator("a.glightbox").all():
            page.goto(serve_site(build.site) + spec["page"])
            page.locator("a.glightbox").first.click()
            description = page.locator(".gslide-description").first
            description.wait_for()
            page.evaluate("() => document.querySelectorAll('.glightbox-container *').forEach(e => "
                          "['mouseover','click','error','load'].forEach(t => e.dispatchEvent(new Event(t))))")
            assert "<img src=x" in description.inner_text()
            assert page.evaluate("window.__pwned") is None
    if spec.get("open_svgs"):  # each SVG the page offers, opened on its own as a reader's browser would
        hrefs = page.eval_on_selector_all("article a[href$='.svg']", "links => links.map(a => a.href)")
        assert hrefs
        for href in hrefs:
            page.goto(href)
            page.evaluate("() => document.querySelectorAll('*').forEach(e => ['mouseover','click','load','focus']"
                          ".forEach(t => e.dispatchEvent(new Event(t))))")
            assert page.evaluate("window.__pwned") is None
    assert page.external == []
