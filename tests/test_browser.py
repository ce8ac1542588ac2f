"""Reader behaviour in a real headless Chromium."""

import pytest
from playwright.sync_api import expect

CASE = "cases/calcinosis-cutis-jssc/"


def test_reference_preview_opens_on_keyboard_focus_and_on_hover(real_site, serve_site, page):
    page.goto(serve_site(real_site.site) + CASE + "discussion/")
    first = page.locator("a.citation-link").first
    tip = page.locator(f"#{first.get_attribute('aria-describedby')}")
    entry = page.locator(f"{first.get_attribute('href')} .reference").inner_text()
    assert not tip.is_visible()
    first.focus()
    assert tip.is_visible() and entry in tip.inner_text()
    first.blur()
    assert not tip.is_visible()
    first.hover()
    assert tip.is_visible()


def test_citation_link_jumps_to_its_entry(real_site, serve_site, page):
    page.goto(serve_site(real_site.site) + CASE + "treatments/")
    link = page.locator("a.citation-link").first
    number = link.inner_text()
    link.click()
    assert page.url.endswith(f"#ref-{number}")
    assert page.locator(f"#ref-{number}").is_visible()


def test_no_page_makes_a_request_to_another_host(casebook_site, serve_site, page):
    """Every page of the casebook, with all non-loopback traffic blocked and recorded."""
    base = serve_site(casebook_site.site)
    for path in casebook_site.pages():
        page.goto(base + path.relative_to(casebook_site.site).as_posix())
        page.wait_for_load_state("networkidle")
    assert page.external == []


def test_glossary_preview_opens_on_keyboard_focus(real_site, serve_site, page):
    page.goto(serve_site(real_site.site) + CASE + "presentation/")
    term = page.locator("article a.term-link").first
    tip = page.locator(f"#{term.get_attribute('aria-describedby')}")
    assert not tip.is_visible()
    term.focus()
    assert tip.is_visible() and len(tip.inner_text()) > 20
    page.keyboard.press("Escape")
    term.blur()
    assert not tip.is_visible()


def test_quiz_is_keyboard_operable_and_hides_answers_until_asked(real_site, serve_site, page):
    page.goto(serve_site(real_site.site) + CASE + "quiz/")
    question = page.locator("div.quiz").first
    answer = question.locator("details.quiz-answer > :not(summary)").first
    feedback = question.locator(".quiz-feedback")
    assert not answer.is_visible() and feedback.nth(0).is_hidden()
    question.locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")  # choose option A
    assert feedback.nth(0).is_visible() and feedback.nth(1).is_hidden()
    page.keyboard.press("ArrowDown")  # radios move with the arrow keys; B's explanation replaces A's
    assert feedback.nth(1).is_visible() and feedback.nth(0).is_hidden()
    question.locator("summary").focus()
    page.keyboard.press("Enter")
    assert answer.is_visible()


def test_printed_quiz_shows_questions_without_answers_and_a_key_at_the_end(real_site, serve_site, page):
    page.goto(serve_site(real_site.site) + CASE + "quiz/")
    key = page.locator(".quiz-key")
    assert key.is_hidden()
    page.locator("div.quiz summary").first.click()  # even an opened answer stays off paper
    page.locator("div.quiz input[type=radio]").first.check()
    page.emulate_media(media="print")
    assert page.locator("div.quiz").first.locator("legend").is_visible()
    assert page.locator("details.quiz-answer").first.is_hidden()
    assert page.locator(".quiz-feedback").first.is_hidden()
    assert key.is_visible() and key.locator("li").count() == page.locator("div.quiz").count()


def test_treatment_table_sorts_by_keyboard_without_any_library(real_site, serve_site, page):
    page.goto(serve_site(real_site.site) + CASE + "treatments/")
    table = page.locator(".sortable-table table")
    first_cells = table.locator("tbody tr td:first-child > strong")
    original = first_cells.all_inner_texts()
    button = table.locator("thead th button", has_text="Modality")
    button.focus()
    page.keyboard.press("Enter")
    ascending = first_cells.all_inner_texts()
    assert ascending == sorted(original, key=str.lower) and ascending != original
    assert table.locator("thead th").first.get_attribute("aria-sort") == "ascending"
    page.keyboard.press("Enter")
    assert first_cells.all_inner_texts() == ascending[::-1]


def test_drawings_link_to_their_figures(real_site, serve_site, page):
    page.goto(serve_site(real_site.site) + CASE)
    page.locator("svg.cb-body-map a text").first.click()
    page.wait_for_url("**/figures/#fig-*")


def test_the_lightbox_loads_nothing_from_another_host(casebook_site, serve_site, page):
    page.goto(serve_site(casebook_site.site) + "cases/synthetic-second-case/figures/")
    page.locator("a.glightbox").first.click()  # the lightbox brings its own scripts and styles
    page.wait_for_selector(".glightbox-container")
    assert page.locator(".gslide-title").first.inner_text() == "Figure 1. A synthetic drawing, not a patient."
    assert page.external == []


def test_offline_copy_navigates_and_searches_from_file(offline_site, page):
    page.goto((offline_site.site / "index.html").as_uri())
    page.locator("article a", has_text="Calcinosis cutis in juvenile systemic sclerosis").first.click()
    page.wait_for_url("**/cases/calcinosis-cutis-jssc/index.html")
    page.locator("nav a", has_text="Discussion").first.click()
    page.wait_for_url("**/cases/calcinosis-cutis-jssc/discussion.html")  # waits for "load": Material's keys are bound
    assert page.locator("h1").inner_text().startswith("Discussion")
    page.keyboard.press("s")  # Material's search shortcut; from file:// the index loads only once search opens
    expect(page.locator("#__search")).to_be_checked()
    meta = page.locator(".md-search-result__meta")
    page.wait_for_function("() => !/Initializing/.test(document.querySelector('.md-search-result__meta').textContent)",
                           timeout=30000)  # the index loads through the iframe shim; slower on a busy machine
    page.keyboard.type("thiosulphate")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=30000)
    assert "matching" in meta.inner_text()
    assert results.count() > 0 and page.external == []


PAGE_TYPES = ["", CASE, CASE + "presentation/", CASE + "figures/", CASE + "discussion/", CASE + "treatments/",
              CASE + "quiz/", CASE + "references/", "cases/synthetic-second-case/figures/", "glossary/",
              "bibliography/", "tags/", "tags/systemic-sclerosis/", "about/", "404.html"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_type_has_no_serious_accessibility_violation(casebook_site, serve_site, chromium, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe, base, found = Axe(), serve_site(casebook_site.site), []
    context = chromium.new_context(color_scheme=scheme)
    tab = context.new_page()
    for path in PAGE_TYPES:
        tab.goto(base + path)
        for violation in axe.run(tab).response["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                found.append(f"{path or 'home'}: {violation['id']} at {violation['nodes'][0]['target']}")
    context.close()
    assert found == []


OUTSIDE_THE_BOX = """svg => {
    const [x, y, w, h] = svg.getAttribute('viewBox').split(/\\s+/).map(Number);
    return [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()])
      .filter(([, b]) => b.width && (b.x < x || b.y < y || b.x + b.width > x + w || b.y + b.height > y + h))
      .map(([text]) => text);
}"""


def test_no_label_or_link_leaves_its_drawing(specialty_site, serve_site, page):
    """Measured in Chromium with the site's fonts: every text of every drawing lies inside its viewBox."""
    base = serve_site(specialty_site.site)
    for case in ("cases/calcinosis-cutis-jssc/", "cases/synthetic-pancreatitis-case/"):
        for path in ("", "presentation/"):
            page.goto(base + case + path)
            for svg in page.locator("svg.cb-svg").all():
                assert svg.evaluate(OUTSIDE_THE_BOX) == [], case + path


def test_long_labels_on_every_region_stay_inside_the_body_map(page):
    """A site in every region of every view, each with a long label, and long timeline text without spaces."""
    from clinicase.content import Site, TimelineEvent
    from clinicase.visuals import body_map, timeline
    from clinicase.vocabularies import body_regions
    from conftest import REPO

    def link(target):
        return "#" + target, "Figure 12, a very long cross-reference text that must wrap"

    sites = [Site((r.id,), ("lesion",), f"{r.name}: a long label written by an author, Wwwwwwwwwwwwwwwwwwwwwwww", "fig-a")
             for r in body_regions().values()]
    events = [TimelineEvent(f"e{i}", "W" * 60, "Mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm " * 2,
                            "history", "fig-a") for i in range(3)]
    css = (REPO / "docs" / "assets" / "casebook.css").read_text(encoding="utf-8")
    page.set_content(f"<style>{css}</style>{body_map(sites, link, title='Map')}{timeline(events, link, title='T')}")
    for svg in page.locator("svg.cb-svg").all():
        assert svg.evaluate(OUTSIDE_THE_BOX) == []
