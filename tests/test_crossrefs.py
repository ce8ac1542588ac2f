"""Quarto-style cross-references (clinicase.crossrefs) and what a reader gets from them."""

from urllib.parse import urljoin

from clinicase.crossrefs import CrossRef, find_crossrefs, replace_crossrefs

CASE = "cases/calcinosis-cutis-jssc/"
SECOND = "cases/synthetic-second-case/"


def test_bare_and_worded_references_are_found_outside_code():
    text = "See @fig-a, [the table](@tbl-b) and (@sec-c). Not `@fig-code`, a@fig-mail or [@fig-cite]."
    assert find_crossrefs(text) == [CrossRef(4, 10, "fig-a"), CrossRef(12, 31, "tbl-b", "the table"),
                                    CrossRef(37, 43, "sec-c")]


def test_replace_keeps_everything_else():
    text = "A @fig-a, `@fig-a` and [words](@trt-x)."
    out = replace_crossrefs(text, lambda ref: f"<{ref.text or ref.id}>")
    assert out == "A <fig-a>, `@fig-a` and <words>."


def href_of(build, page, text):
    soup = build.html(page)
    link = next(a for a in soup.select("article a") if a.get_text(strip=True) == text)
    return urljoin(f"/{page}", link["href"])


def test_figures_tables_and_sections_are_numbered_and_linked(real_site):
    assert href_of(real_site, CASE + "presentation/", "Figure 2") == f"/{CASE}figures/#fig-pelvis-xray"
    assert href_of(real_site, CASE + "discussion/", "Table 2") == f"/{CASE}treatments/#tbl-treatments"
    treatments = real_site.html(CASE + "treatments/")
    assert treatments.select_one("#tbl-treatments").get_text(strip=True).startswith("Table 2.")
    presentation = real_site.html(CASE + "presentation/")
    assert presentation.select_one("#tbl-timeline").get_text(strip=True).startswith("Table 1.")
    quiz = real_site.html(CASE + "quiz/")
    link = quiz.select_one('.quiz-answer a[href$="#sec-subtypes"]')
    assert link and link.get_text() == "Subtypes"


def test_a_treatment_mention_links_to_its_row_and_the_row_links_back(real_site):
    discussion = real_site.html(CASE + "discussion/")
    mention = discussion.select_one('a[href$="treatments/#trt-sodium-thiosulphate"]')
    assert mention.get_text() == "Sodium thiosulphate" and mention["id"].startswith("mention-")
    row = real_site.html(CASE + "treatments/").select_one("#trt-sodium-thiosulphate").find_parent("tr")
    back = [urljoin(f"/{CASE}treatments/", a["href"]) for a in row.select("a") if "mention-" in a["href"]]
    assert back == [f"/{CASE}discussion/#{mention['id']}"]


def test_each_case_numbers_its_own_figures_and_tables(casebook_site):
    assert href_of(casebook_site, SECOND + "presentation/", "Figure 2") == f"/{SECOND}figures/#fig-foot"
    assert href_of(casebook_site, SECOND + "discussion/", "Table 2") == f"/{SECOND}treatments/#tbl-treatments"
    assert href_of(casebook_site, CASE + "presentation/", "Figure 2") == f"/{CASE}figures/#fig-pelvis-xray"
