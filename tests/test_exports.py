"""Cite and reuse: suggested citations and reading-list downloads (clinicase.exports)."""

from urllib.parse import urljoin

import pytest
import rispy
from pybtex.database import parse_string
from pybtex.richtext import Text

from clinicase.bibliography import load_bibliography
from clinicase.exports import bibtex, page_citation, ris
from conftest import FIXTURES

CASE = "cases/calcinosis-cutis-jssc/"
PAGES = ["", "presentation/", "figures/", "discussion/", "treatments/", "quiz/", "references/"]


def plain(latex: str) -> str:
    return " ".join(Text.from_latex(latex).render_as("text").split())


def page_titles(soup) -> list[str]:
    """Titles of the entries in the page's own reference list, in order."""
    return [" ".join(li.select_one(".reference").get_text().split()) for li in soup.select("ol.reference-list > li")]


@pytest.mark.parametrize("path", PAGES)
def test_downloads_parse_back_with_exactly_the_pages_entries(real_site, path):
    page = real_site.html(CASE + path)
    box = page.select_one("#cite-and-reuse ~ .admonition")
    assert "Cite this page:" in box.get_text() and "Cite the source article:" in box.get_text()
    assert "CC BY-NC" in box.get_text()
    listed = page_titles(page)
    links = {a.get_text(): urljoin(f"/{CASE}{path}", a["href"]) for a in box.select("a[download]")
             if a.get_text() in {"BibTeX", "RIS"}}
    if not listed:
        assert not links
        return
    bib_file = real_site.site / links["BibTeX"].lstrip("/")
    entries = parse_string(bib_file.read_text(encoding="utf-8"), "bibtex").entries
    assert len(entries) == len(listed)
    for entry, shown in zip(entries.values(), listed):
        assert plain(entry.fields["title"]).rstrip(".") in shown
    records = rispy.loads((real_site.site / links["RIS"].lstrip("/")).read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == list(entries.keys())
    assert all(r["title"] == plain(e.fields["title"]) for r, e in zip(records, entries.values()))


def test_ris_fields_and_latex_become_plain_text():
    bib, _ = load_bibliography(FIXTURES / "site" / "bibliography.bib", "bibliography.bib")
    [record] = rispy.loads(ris(bib, ["alpha2020"]))
    assert record["type_of_reference"] == "JOUR"
    assert record["authors"] == ["Müller, Anna B.", "Østergaard, C.", "Smith, John"]
    assert (record["title"], record["secondary_title"], record["year"]) == (
        "Calcinosis in CREST syndrome: a UK series", "J Fixture Med", "2020")
    assert (record["start_page"], record["end_page"], record["doi"]) == ("101", "109", "10.0000/fixture.alpha")
    assert list(parse_string(bibtex(bib, ["odd:key.with-chars_1"]), "bibtex").entries) == ["odd:key.with-chars_1"]


def test_page_citation_names_the_page_and_leaves_the_access_date_to_the_reader():
    assert page_citation("Casebook", "Figures", "A case", "https://x.org/a/") == \
        "Casebook. A case: Figures [Internet]. [cited YYYY Mon DD]. Available from: https://x.org/a/"
    assert page_citation("Casebook", "Overview", "A case", "") == "Casebook. A case [Internet]. [cited YYYY Mon DD]."
