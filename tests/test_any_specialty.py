"""A case report from another specialty keeps every site, date and provenance fact it states.

The synthetic gastroenterology case in tests/fixtures/specialty-case/ (internal organs, a stent, ages and
spans, a NoDerivatives licence with permission, paraphrased captions) is built beside the calcinosis case.
"""

import shutil

import pytest

from clinicase.bibliography import load_bibliography
from clinicase.content import load_casebook
from clinicase.errors import ContentError
from conftest import FIXTURES, REPO
from test_visuals import check_drawings

FIXTURE = FIXTURES / "specialty-case"
CASE = "cases/synthetic-pancreatitis-case/"


def test_every_organ_site_and_every_event_is_drawn_and_linked(specialty_site):
    check_drawings(specialty_site, CASE, FIXTURE / "content" / CASE)


def test_internal_sites_are_drawn_on_the_organ_view_beside_the_surface_views(specialty_site):
    svg = specialty_site.html(CASE).select_one("#sec-body-map ~ figure svg.cb-body-map")
    assert [t.get_text() for t in svg.select("text.cb-view")] == ["Anterior", "Posterior", "Organs (front view)"]
    assert [t.get_text() for t in svg.select("text.cb-legend")] == ["Calcification", "Imaging finding", "Stent",
                                                                    "Other finding"]
    stent = next(a for a in svg.select("a") if "stented" in a.title.get_text())
    assert stent.title.get_text() == "2. Narrowed distal common bile duct, stented (Imaging finding, Stent); see Figure 2"
    assert len(stent.select(".cb-device-or-implant")) == 1
    pancreas = next(a for a in svg.select("a") if "pancreas" in a.title.get_text())
    marks = {(m["cx"], m["cy"]) for m in pancreas.select("circle.cb-mark")}
    assert len(marks) == 2, "head and body of the pancreas are two places"


def test_the_calcinosis_case_beside_it_still_draws_only_the_surface(specialty_site):
    svg = specialty_site.html("cases/calcinosis-cutis-jssc/").select_one("#sec-body-map ~ figure svg.cb-body-map")
    assert [t.get_text() for t in svg.select("text.cb-view")] == ["Anterior", "Posterior"]


def test_ages_and_spans_are_written_as_the_source_gives_them(specialty_site):
    table = specialty_site.html(CASE + "presentation/").select_one("#tbl-timeline ~ table, table")
    when = [row.select("td")[0].get_text() for row in table.select("tbody tr")]
    assert when == ["Age 27", "Between the ages of 27 and 31", "From age 30", "Age 31", "At presentation",
                    "After the MRCP"]
    svg = specialty_site.html(CASE + "presentation/").select_one("svg.cb-timeline")
    assert svg.select_one("text.cb-view").get_text() == "AGE"
    assert len(svg.select("rect.cb-span")) == 2 and len(svg.select("rect.cb-span-open")) == 1


def test_provenance_and_the_recorded_permission_are_printed_as_the_case_gives_them(specialty_site):
    text = specialty_site.html(CASE).get_text(" ", strip=True)
    assert "The case text is paraphrased from the article; its learning objectives and any key points, figure " \
        "notes and questions were added for teaching. Figure captions are paraphrased from the article." in text
    assert "quoted from" not in text
    assert "CC BY-ND 4.0" in text and "Synthetic permission for the test suite" in text


def test_what_the_source_does_not_state_is_said_in_a_sentence_of_its_own(specialty_site):
    for page in ("", "presentation/"):
        text = specialty_site.html(CASE + page).get_text(" ", strip=True)
        assert "Not stated (" not in text and "for Not stated" not in text and "In Age" not in text
    assert "Duration: not stated in the source." in specialty_site.html(CASE + "presentation/").get_text(" ", strip=True)


def test_without_its_permission_the_nd_case_is_a_located_error(tmp_path):
    shutil.copytree(FIXTURE / "content", tmp_path / "content")
    case = tmp_path / "content" / CASE / "case.yml"
    text = case.read_text(encoding="utf-8")
    case.write_text(text[:text.index("  permission:")] + text[text.index("  copyright:"):], encoding="utf-8")
    bib_text = (REPO / "bibliography.bib").read_text(encoding="utf-8") + (FIXTURE / "extra.bib").read_text(encoding="utf-8")
    (tmp_path / "refs.bib").write_text(bib_text, encoding="utf-8")
    bib, _ = load_bibliography(tmp_path / "refs.bib", "refs.bib")
    with pytest.raises(ContentError) as caught:
        load_casebook(tmp_path, tmp_path / "content", bib)
    assert [str(p) for p in caught.value.problems] == [
        f"content/{CASE}case.yml:20:12: source.licence: CC BY-ND 4.0 forbids adaptations (NoDerivatives: the work "
        "may only be shown as it is), but this case changes its words (text: paraphrased; caption of figure 2: "
        "paraphrased) — quote the source word for word and set provenance to quoted, or record the copyright "
        "holder's permission to adapt it in `source.permission:`"]


def test_the_references_page_names_the_pages_this_case_has(specialty_site):
    """No treatments or quiz here: the References page does not send a reader to pages that do not exist."""
    intro = specialty_site.html(CASE + "references/").select_one("article h1 + p").get_text(" ", strip=True)
    assert "(Overview, Presentation, Figures, Discussion)" in intro
    calcinosis = specialty_site.html("cases/calcinosis-cutis-jssc/references/").select_one("article h1 + p").get_text()
    assert "(Overview, Presentation, Figures, Discussion, Treatments, Self-assessment)" in calcinosis
