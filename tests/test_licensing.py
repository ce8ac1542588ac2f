"""What a licence lets a case do (clinicase.licensing): NoDerivatives needs a recorded permission to adapt,
NonCommercial puts its notice in the footer of every page that reuses the work."""

import shutil

import pytest
from bs4 import BeautifulSoup

from clinicase.bibliography import load_bibliography
from clinicase.content import load_casebook
from clinicase.errors import ContentError
from clinicase.vocabularies import licences
from conftest import FIXTURES

SITE = FIXTURES / "site"
CASE = "content/cases/mini-case"


@pytest.fixture(scope="module")
def bib():
    return load_bibliography(SITE / "bibliography.bib", "bibliography.bib")[0]


def load(tmp_path, bib, source: str, figure: str = ""):
    """The fixture case with `source:` lines after the cite, and lines added to its one figure."""
    shutil.copytree(SITE / "content", tmp_path / "content")
    case = tmp_path / CASE / "case.yml"
    case.write_text(case.read_text().replace("  licence: cc-by-nc\n", source), encoding="utf-8")
    if figure:
        figures = tmp_path / CASE / "figures.yml"
        figures.write_text(figures.read_text() + figure, encoding="utf-8")
    try:
        return load_casebook(tmp_path, tmp_path / "content", bib).cases[0], []
    except ContentError as error:
        return None, [str(p) for p in error.problems]


def test_a_nd_source_paraphrased_without_permission_is_a_located_error(tmp_path, bib):
    case, problems = load(tmp_path, bib, "  licence: cc-by-nd-4.0\n  provenance: {text: paraphrased, captions: quoted}\n")
    assert problems == [
        f"{CASE}/case.yml:13:12: source.licence: CC BY-ND 4.0 forbids adaptations (NoDerivatives: the work may only "
        "be shown as it is), but this case changes its words (text: paraphrased) — quote the source word for word "
        "and set provenance to quoted, or record the copyright holder's permission to adapt it in `source.permission:`"]


def test_a_nd_source_whose_provenance_is_not_recorded_asks_for_it(tmp_path, bib):
    _, [problem] = load(tmp_path, bib, "  licence: cc-by-nc-nd-4.0\n")
    assert "text: not recorded (set source.provenance.text)" in problem
    assert "caption of figure 1: not recorded (set caption_provenance)" in problem


@pytest.mark.parametrize("source", [
    "  licence: cc-by-nd-4.0\n  provenance: {text: quoted, captions: quoted}\n",
    "  licence: cc-by-nd-4.0\n  provenance: {text: written-for-this-site, captions: quoted}\n",
    "  licence: cc-by-nc-nd-4.0\n  permission: Adapted with the authors' permission (synthetic)\n"
    "  provenance: {text: paraphrased, captions: paraphrased}\n",
], ids=["quoted", "written-for-this-site", "permission-recorded"])
def test_a_nd_source_may_be_quoted_or_adapted_with_permission(tmp_path, bib, source):
    case, problems = load(tmp_path, bib, source)
    assert problems == [] and case.source.licence.adaptations is False


def test_used_with_permission_needs_the_permission_recorded(tmp_path, bib):
    _, [problem] = load(tmp_path, bib, "  licence: used-with-permission\n  provenance: {text: quoted, captions: quoted}\n")
    assert problem.startswith(f"{CASE}/case.yml:13:12: source.licence: 'used-with-permission' means the copyright "
                              "holder's permission, and none is recorded")


def test_a_figure_with_its_own_nd_licence_and_a_paraphrased_caption_is_located_on_the_figure(tmp_path, bib):
    _, problems = load(tmp_path, bib, "  licence: cc-by-4.0\n  provenance: {text: paraphrased, captions: quoted}\n",
                       "    image: images/x.png\n    credit: Someone\n    licence: cc-by-nd-4.0\n"
                       "    caption_provenance: paraphrased\n")
    assert any(p.startswith(f"{CASE}/figures.yml:9:14: figures[0].licence: CC BY-ND 4.0 forbids adaptations")
               and "(caption: paraphrased)" in p and "`permission:`" in p for p in problems), problems


def test_an_unknown_licence_names_the_close_ones(tmp_path, bib):
    _, [problem] = load(tmp_path, bib, "  licence: cc-by-nc-4\n")
    assert problem.startswith(f"{CASE}/case.yml:13:12: source.licence:") and "cc-by-nc-4.0" in problem


def test_every_licence_has_its_official_name_and_address():
    for licence in licences().values():
        assert licence.name and licence.short, licence
        if licence.id.startswith("cc"):
            assert licence.name.startswith("Creative Commons") and licence.url.startswith("https://creativecommons.org/")
            assert (licence.version in licence.url) if licence.version else "version not stated" in licence.name
        assert licence.permission or licence.url, licence


# --- what the reader sees ------------------------------------------------------------------------------

def footer_notice(build, page) -> str:
    notice = build.html(page).select_one("footer .cb-licence-notice")
    return notice.get_text(" ", strip=True) if notice else ""


def test_a_non_commercial_case_puts_its_notice_in_the_footer_of_every_page_reusing_it(casebook_site):
    for page in ["cases/calcinosis-cutis-jssc/", "cases/calcinosis-cutis-jssc/figures/", "", "glossary/",
                 "tags/calcinosis-cutis/"]:
        assert footer_notice(casebook_site, page).startswith("Non-commercial use only: material on this page is "
                                                             "reused under CC BY-NC,"), page
    assert footer_notice(casebook_site, "bibliography/") == ""


def test_a_no_derivatives_case_tells_whoever_reuses_it_to_share_it_unchanged(specialty_site):
    """The synthetic case is CC BY-ND 4.0 with a permission recorded for the site's own paraphrase: a teacher
    who reuses its pages has no such permission, so the footer, the Cite and reuse box and the decks say so."""
    case = "cases/synthetic-pancreatitis-case/"
    for page in [case, case + "figures/", case + "handout/"]:
        notice = " ".join(n.get_text(" ", strip=True) for n in specialty_site.html(page).select(".cb-licence-notice"))
        assert notice == ("No adapted versions: material on this page is reused under CC BY-ND 4.0, which permits "
                          "sharing it only unchanged. Ask the copyright holder before sharing it edited, cut or "
                          "translated."), page
    reuse = specialty_site.html(case).select_one(".cb-reuse").get_text(" ", strip=True)
    assert "only unchanged: the licence does not permit adapted versions" in reuse
    deck = (specialty_site.site / case / "slides" / "index.html").read_text(encoding="utf-8")
    assert "CC BY-ND 4.0" in deck and "share unchanged: no adapted versions" in deck
    calcinosis = specialty_site.html("cases/calcinosis-cutis-jssc/").select_one(".cb-reuse").get_text(" ", strip=True)
    assert "adapted versions" not in calcinosis, "CC BY-NC allows adaptations"


def test_a_case_that_allows_commercial_use_has_no_notice(casebook_site):
    second = casebook_site.html("cases/synthetic-second-case/")
    assert second.select_one("footer .md-copyright") and not second.select_one(".cb-licence-notice")


def test_the_glossary_credits_the_article_each_definition_is_taken_from(casebook_site):
    glossary = casebook_site.html("glossary/")
    credits = [p.get_text(" ", strip=True) for p in glossary.select("p") if p.get_text().startswith("From:")]
    assert credits and all(c.endswith("Based on Mahipathy et al. 2020; licence: CC BY-NC.") for c in credits)
    link = BeautifulSoup(str(glossary.find(string="From:").find_next("a")), "html.parser").a
    assert link["href"].endswith("cases/calcinosis-cutis-jssc/")
