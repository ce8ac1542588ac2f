"""Slides for lectures: the PowerPoint deck and the browser deck (clinicase.slides, clinicase.pptx_deck)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from urllib.parse import urlparse

import pytest
import yaml
from bs4 import BeautifulSoup
from pptx import Presentation

import conftest
from clinicase.vocabularies import licences
from conftest import FIXTURES, REPO

CASES = {"calcinosis-cutis-jssc": REPO / "content" / "cases" / "calcinosis-cutis-jssc",
         "synthetic-second-case": FIXTURES / "second-case" / "content" / "cases" / "synthetic-second-case"}


def case_yaml(slug, name):
    path = CASES[slug] / f"{name}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def deck(site, slug):
    return Presentation(io.BytesIO((site.site / "cases" / slug / f"{slug}.pptx").read_bytes()))


def slide_text(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def expected_titles(slug) -> list[str]:
    case, figures = case_yaml(slug, "case"), case_yaml(slug, "figures").get("figures", [])
    treatments = [t for g in case_yaml(slug, "treatments").get("groups", []) for t in g["items"]]
    questions = case_yaml(slug, "quiz").get("questions", [])
    tables = -(-len(treatments) // 5)
    titles = [case["title"], "Presentation", "History", "Examination and investigations", "Timeline", "Body map"]
    titles += [f"Figure {n}" for n in range(1, len(figures) + 1)]
    titles += ["Discussion: key points" if case_yaml(slug, "discussion").get("key_points") else "Discussion"]
    titles += [f"Treatments compared ({n}/{tables})" for n in range(1, tables + 1)]
    return titles + [f"Question {n}" for n in range(1, len(questions) + 1)]


@pytest.mark.parametrize("slug", CASES)
def test_pptx_slides_come_in_the_models_order_16_by_9(casebook_site, slug):
    presentation = deck(casebook_site, slug)
    assert presentation.slide_width * 9 == presentation.slide_height * 16
    titles = [next(s for s in slide.shapes if s.name == "Title").text_frame.text for slide in presentation.slides]
    expected = expected_titles(slug)
    assert titles[:len(expected)] == expected
    assert titles[len(expected):] and all(t.startswith("References (") for t in titles[len(expected):])
    fonts = {run.font.name for slide in presentation.slides for shape in slide.shapes if shape.has_text_frame
             for p in shape.text_frame.paragraphs for run in p.runs}
    assert fonts == {"Arial"}


@pytest.mark.parametrize("slug", CASES)
def test_figure_slides_hold_the_picture_or_the_honest_placeholder_with_caption_and_credit(casebook_site, slug):
    presentation = deck(casebook_site, slug)
    slides = {next(s for s in slide.shapes if s.name == "Title").text_frame.text: slide for slide in presentation.slides}
    for number, figure in enumerate(case_yaml(slug, "figures")["figures"], start=1):
        slide = slides[f"Figure {number}"]
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        caption = next(s for s in slide.shapes if s.name == "Caption").text_frame.text
        assert caption.startswith(f"Figure {number}. {' '.join(figure['caption'].split())[:30]}")
        if "image" in figure:
            assert len(pictures) == 1 and figure["credit"] in caption and licences()[figure["licence"]].short in caption
        else:
            assert not pictures and "Image not reproduced here" in slide_text(slide)


@pytest.mark.parametrize("slug", CASES)
def test_treatments_are_a_real_table_with_the_yaml_rows(casebook_site, slug):
    names = [t["name"] for g in case_yaml(slug, "treatments")["groups"] for t in g["items"]]
    rows = []
    for slide in deck(casebook_site, slug).slides:
        for shape in slide.shapes:
            if shape.has_table:
                table = shape.table
                assert [c.text for c in table.rows[0].cells][0] == "Modality"
                rows += [row.cells[0].text for row in list(table.rows)[1:]]
    assert rows == names


@pytest.mark.parametrize("slug", CASES)
def test_notes_hold_the_references_cited_on_each_slide(casebook_site, slug):
    for slide in deck(casebook_site, slug).slides:
        text, notes = slide_text(slide), slide.notes_slide.notes_text_frame.text
        cited = set()
        for group in re.findall(r"\[([\d,– ]+)\]", text):
            for part in group.split(","):
                a, _, b = part.strip().partition("–")
                cited.update(range(int(a), int(b or a) + 1))
        listed = {n for n, _ in notes_references(notes)}
        assert cited <= listed, (slide_text(slide)[:40], cited - listed)


NOTES_REFERENCES = "References cited here, numbered as in the case:"


def notes_references(notes: str) -> list[tuple[int, str]]:
    """(number, entry) of each reference the notes list, in the order listed."""
    listed = notes.partition(NOTES_REFERENCES)[2]
    return [(int(m[1]), m[2]) for m in re.finditer(r"^\[(\d+)\] (.+)$", listed, re.MULTILINE)]


@pytest.mark.parametrize("slug", CASES)
def test_notes_list_each_reference_once_with_the_number_the_site_gives_it(casebook_site, slug):
    site = {int(li["value"]): " ".join(li.select_one(".reference").get_text().split())
            for li in casebook_site.html(f"cases/{slug}/references/").select("ol.reference-list > li")}
    checked = 0
    for slide in deck(casebook_site, slug).slides:
        notes = slide.notes_slide.notes_text_frame.text
        listed = notes_references(notes)
        assert (NOTES_REFERENCES in notes) == bool(listed)
        numbers = [n for n, _ in listed]
        assert numbers == sorted(set(numbers)), ("each reference once, in number order", numbers)
        for number, entry in listed:
            assert " ".join(entry.split()) == site[number], (number, entry[:40])
        checked += bool(listed)
    assert checked >= 3


def test_a_treatment_slide_citing_one_source_in_several_rows_lists_it_once(casebook_site):
    slides = [s for s in deck(casebook_site, "calcinosis-cutis-jssc").slides
              if slide_text(s).startswith("Treatments compared")]
    first = slides[0]
    rows = [row.cells[4].text for shape in first.shapes if shape.has_table for row in list(shape.table.rows)[1:]]
    cited_in = [r for r in rows if re.search(r"\[[\d,– ]+\]", r)]
    assert len(cited_in) >= 2, "the first table slide cites in several rows"
    numbers = [n for n, _ in notes_references(first.notes_slide.notes_text_frame.text)]
    assert numbers and len(numbers) == len(set(numbers))


@pytest.mark.parametrize("slug", CASES)
def test_quiz_answers_are_only_in_the_notes(casebook_site, slug):
    questions = case_yaml(slug, "quiz")["questions"]
    slides = [s for s in deck(casebook_site, slug).slides if slide_text(s).startswith("Question ")]
    assert len(slides) == len(questions)
    for question, slide in zip(questions, slides):
        letter = "ABCDEF"[next(i for i, o in enumerate(question["options"]) if o.get("correct"))]
        assert "Answer" not in slide_text(slide)
        assert slide.notes_slide.notes_text_frame.text.startswith(f"Answer: {letter}.")


@pytest.mark.parametrize("slug", CASES)
def test_every_page_of_the_case_offers_the_slides(casebook_site, slug):
    for page in ["", "presentation/", "discussion/", "references/"]:
        links = {a["href"] for a in casebook_site.html(f"cases/{slug}/{page}").select("#cite-and-reuse ~ .admonition a")}
        assert any(h.endswith(f"{slug}.pptx") for h in links) and any(h.endswith(("slides/", "slides/index.html")) for h in links)


def test_drawings_and_svg_figures_download_as_svg_and_png(casebook_site):
    for slug in CASES:
        for name in ["timeline", "body-map"]:
            assert (casebook_site.site / "cases" / slug / f"{name}.svg").read_text(encoding="utf-8").startswith("<?xml")
            assert (casebook_site.site / "cases" / slug / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    figures = casebook_site.html("cases/synthetic-second-case/figures/")
    downloads = [a["href"] for a in figures.select("a[download]")]
    assert any(h.endswith("images/synthetic.svg") for h in downloads)
    assert any(h.endswith("images/synthetic.png") for h in downloads)


# --- the browser deck -----------------------------------------------------------------

@pytest.mark.parametrize("slug", CASES)
def test_browser_deck_moves_by_keyboard_and_prints_one_slide_per_page(casebook_site, serve_site, page, slug):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(serve_site(casebook_site.site) + f"cases/{slug}/slides/index.html")
    slides = page.locator("section.slide")
    count = len(deck(casebook_site, slug).slides)
    assert slides.count() == count
    visible = page.locator("section.slide:visible")
    assert visible.count() == 1 and visible.get_attribute("id") == "slide-1"
    page.keyboard.press("ArrowRight")
    assert visible.get_attribute("id") == "slide-2"
    page.keyboard.press("End")
    assert visible.get_attribute("id") == f"slide-{count}" and f"{count} / {count}" in visible.inner_text()
    page.keyboard.press("Home")
    assert visible.get_attribute("id") == "slide-1"
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == count
    assert page.external == []


def test_browser_deck_works_from_file(offline_site, page):
    page.goto((offline_site.site / "cases" / "calcinosis-cutis-jssc" / "slides" / "index.html").as_uri() + "#3")
    assert page.locator("section.slide:visible").get_attribute("id") == "slide-3"
    assert page.locator("section.slide:visible h1").inner_text() == "History"


DECK = "cases/calcinosis-cutis-jssc/slides/index.html"
NO_JS = """() => { document.documentElement.classList.remove("js");
                 document.querySelectorAll(".slide").forEach(slide => { slide.hidden = false; }); }"""


def test_browser_deck_has_no_serious_accessibility_violation_and_no_failed_request(real_site, serve_site, page,
                                                                                    chromium, monkeypatch):
    """axe-core on the deck as its script leaves it and as it reads without JavaScript, with every request to
    another host blocked; then every request the server sees succeeds. Chromium asks for /favicon.ico by itself,
    unseen by Playwright's events and only in a context without routes, so that part reads the server's log."""
    from axe_playwright_python.sync_playwright import Axe

    served, failed = [], []
    monkeypatch.setattr(conftest._QuietHandler, "log_request",
                        lambda handler, code="-", size="-": served.append((handler.path, int(code))))

    def watch(tab):
        tab.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}"))
        tab.on("response", lambda response: response.status >= 400 and failed.append(f"{response.url}: {response.status}"))

    watch(page)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(serve_site(real_site.site) + DECK + "#5")
    page.wait_for_load_state("networkidle")
    found = []
    for state in ["with JavaScript", "without JavaScript"]:
        if state == "without JavaScript":  # axe needs scripts, so undo what the deck's script did instead
            page.evaluate(NO_JS)
        found += [f"{state}: {v['id']} at {v['nodes'][0]['target']}" for v in Axe().run(page).response["violations"]
                  if v["impact"] in {"serious", "critical"}]
    assert found == []
    assert page.external == []

    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    try:
        tab, hosts = context.new_page(), []
        watch(tab)
        tab.on("request", lambda request: request.url.startswith("data:") or hosts.append(urlparse(request.url).hostname))
        tab.goto(serve_site(real_site.site) + DECK)  # a new server: its own favicon address, not one remembered
        tab.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert ("/" + DECK, 200) in served  # the log is recorded, so no failure in it means something
    assert [f"{path}: {code}" for path, code in served if code >= 400] == [] and failed == []
    assert set(hosts) == {"127.0.0.1"}


@pytest.mark.parametrize("slug", CASES)
def test_browser_deck_is_one_self_contained_file(casebook_site, slug):
    html = (casebook_site.site / "cases" / slug / "slides" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select("link[rel~=stylesheet], script[src]") == []
    assert all(link["href"].startswith("data:") for link in soup.select("link[href]"))  # the icon: no request
    assert soup.select_one("link[rel~=icon]")
    style, script = soup.select_one("head style").get_text(), soup.select_one("body > script").get_text()
    assert ".deck-help" in style and "@import" not in style and "url(" not in style
    assert "keydown" in script
    pictures = [img["src"] for img in soup.select("img")]
    assert all(src.startswith("../") for src in pictures)  # the case's own images, beside the deck


def test_an_edited_asset_changes_the_build_cache_key(tmp_path, monkeypatch):
    """The deck's CSS and JS and the drawings' SVG and CSS live in assets/: editing one must not serve a stale cache."""
    from clinicase import cache

    package = tmp_path / "clinicase"
    shutil.copytree(REPO / "hooks" / "clinicase", package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_PACKAGE", package)
    before = cache.code_version.__wrapped__()
    for name in ["deck.css", "deck.js", "deck.html", "body-silhouette.svg", "standalone.css"]:
        asset = package / "assets" / name
        asset.write_text(asset.read_text(encoding="utf-8") + " ", encoding="utf-8")
        assert cache.code_version.__wrapped__() != before, name
        before = cache.code_version.__wrapped__()


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed; the .pptx is checked with python-pptx")
def test_libreoffice_renders_one_page_per_slide(casebook_site, tmp_path):
    source = casebook_site.site / "cases" / "calcinosis-cutis-jssc" / "calcinosis-cutis-jssc.pptx"
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "calcinosis-cutis-jssc.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == len(deck(casebook_site, "calcinosis-cutis-jssc").slides)


@pytest.mark.parametrize("slug", CASES)
def test_every_slide_credits_the_source_and_its_licence_in_its_notes(casebook_site, slug):
    """A slide copied into another deck keeps its credit: the source article and the licence it is under."""
    licence = licences()[case_yaml(slug, "case")["source"]["licence"]].label
    for slide in deck(casebook_site, slug).slides:
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.splitlines()[-1].startswith("Credit: ") and f"Licence: {licence}" in notes, slide_text(slide)[:40]
    browser = BeautifulSoup((casebook_site.site / "cases" / slug / "slides" / "index.html").read_text(encoding="utf-8"),
                            "html.parser")
    asides = browser.select("section.slide aside.notes")
    assert asides and all(f"Licence: {licence}" in a.get_text() for a in asides)
