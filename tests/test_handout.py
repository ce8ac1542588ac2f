"""The printable handout (clinicase.handout): the whole case in reading order on one page, printed by
Chromium to PDF on A4 and Letter, each part starting a page and every part's text on paper."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from pypdf import PdfReader

from conftest import FIXTURES, REPO

CASES = {"calcinosis-cutis-jssc": REPO / "content" / "cases" / "calcinosis-cutis-jssc",
         "synthetic-second-case": FIXTURES / "second-case" / "content" / "cases" / "synthetic-second-case"}
PARTS = ["Overview", "Presentation", "Figures", "Discussion", "Treatments", "Questions", "Answers", "References"]
# Pages on paper: the calcinosis case is long (six figures, 22 treatments, six questions, 20 references);
# the synthetic one fits a few pages. Far more would mean a layout that wastes paper; fewer, missing parts.
PAGES = {"calcinosis-cutis-jssc": (15, 35), "synthetic-second-case": (len(PARTS), 16)}


def case_yaml(slug: str, name: str) -> dict:
    path = CASES[slug] / f"{name}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def words(text: str) -> str:
    return " ".join(text.split())


def opening(text: str) -> str:
    """The words a text opens with, up to its first citation or cross-reference (rendered differently)."""
    return words(text).split("@")[0].split("[")[0][:45].strip()


@pytest.mark.parametrize("slug", CASES)
def test_the_handout_holds_the_case_in_reading_order_with_references_once(casebook_site, slug):
    html = casebook_site.html(f"cases/{slug}/handout/")
    article = html.select_one("article")
    assert words(article.select_one("h1").get_text()).rstrip("¶") == case_yaml(slug, "case")["title"]
    assert [words(h.get_text()).rstrip("¶") for h in article.select("h2")][:len(PARTS)] == PARTS
    assert len(article.select("ol.reference-list")) == 1
    # The case's own numbers, and the entries the case's References page gives them.
    site = {li["value"]: words(li.select_one(".reference").get_text())
            for li in casebook_site.html(f"cases/{slug}/references/").select("ol.reference-list > li")}
    assert {li["value"]: words(li.select_one(".reference").get_text()) for li in article.select("ol.reference-list > li")} == site
    # Questions, then every answer with its explanation, at the end.
    questions = case_yaml(slug, "quiz")["questions"]
    answers = article.select_one("#answers").find_all_next("h3")
    for number, question in enumerate(questions, start=1):
        correct = next(o for o in question["options"] if o.get("correct"))
        heading = answers[number - 1]
        assert words(heading.get_text()).startswith(f"Question {number}: {'ABCDEF'[question['options'].index(correct)]}")
        assert opening(correct["explanation"]) in words(heading.find_next_sibling("p").find_next_sibling("p").get_text())
    # Every link within the handout lands on something in it.
    ids = {e["id"] for e in article.select("[id]")}
    assert all(a["href"][1:] in ids for a in article.select("a[href^='#']"))


@pytest.mark.parametrize("slug", CASES)
def test_the_handout_has_no_navigation_and_is_not_searched(casebook_site, slug):
    html = casebook_site.html(f"cases/{slug}/handout/")
    assert not html.select("header.md-header, nav.md-nav, .md-sidebar, footer.md-footer")
    index = json.loads((casebook_site.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not [e for e in index["docs"] if e["location"].startswith(f"cases/{slug}/handout/")]
    notice = html.select_one(".cb-licence-notice")  # the footer's licence notice closes the content instead
    assert (notice is not None) == (slug == "calcinosis-cutis-jssc")


def section_texts(slug: str) -> dict[str, list[str]]:
    """A sentence or name from every part, to find on paper."""
    presentation = case_yaml(slug, "presentation")
    texts = {"Overview": [case_yaml(slug, "case")["objectives"][0]],
             "Presentation": [presentation["history"]["summary"], presentation["diagnosis"]],
             "Figures": [f["caption"] for f in case_yaml(slug, "figures")["figures"]],
             "Discussion": [s["title"] for s in case_yaml(slug, "discussion")["sections"]],
             "Treatments": [t["name"] for g in case_yaml(slug, "treatments")["groups"] for t in g["items"]],
             "Questions": [q["stem"] for q in case_yaml(slug, "quiz")["questions"]]}
    return {part: [opening(t) for t in found] for part, found in texts.items()}


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("slug", CASES)
def test_printed_to_pdf_every_part_starts_a_page_and_every_part_s_text_is_on_paper(casebook_site, serve_site, chromium,
                                                                                    slug, paper):
    context = chromium.new_context(java_script_enabled=False)  # the handout needs no script to print
    page = context.new_page()
    page.goto(serve_site(casebook_site.site) + f"cases/{slug}/handout/")
    pdf = PdfReader(io.BytesIO(page.pdf(format=paper)))
    context.close()
    low, high = PAGES[slug]
    assert low <= len(pdf.pages) <= high
    pages = [words(p.extract_text(extraction_mode="layout")) for p in pdf.pages]  # as laid out: what heads a page
    text = " ".join(words(p.extract_text()) for p in pdf.pages).replace("- ", "-")  # as written: a cell's lines together
    starts = [next((n for n, p in enumerate(pages) if p.startswith(part)), None) for part in PARTS[1:]]
    assert None not in starts and starts == sorted(starts), starts  # each part heads a new page, in order
    for part, sentences in section_texts(slug).items():
        for sentence in sentences:
            assert words(sentence) in text, (part, sentence)
    assert text.index("Answers") > text.index("Questions") and text.rindex("References") > text.index("Answers")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation(casebook_site, serve_site, chromium, scheme):
    from axe_playwright_python.sync_playwright import Axe

    context = chromium.new_context(color_scheme=scheme)
    tab = context.new_page()
    found = []
    for slug in CASES:
        tab.goto(serve_site(casebook_site.site) + f"cases/{slug}/handout/")
        found += [f"{slug}: {v['id']} at {v['nodes'][0]['target']}" for v in Axe().run(tab).response["violations"]
                  if v["impact"] in {"serious", "critical"}]
    context.close()
    assert found == []


def test_building_again_gives_the_same_handout(casebook_site, casebook_site_again):
    for slug in CASES:
        path = f"cases/{slug}/handout/index.html"
        assert (casebook_site.site / path).read_bytes() == (casebook_site_again.site / path).read_bytes()
