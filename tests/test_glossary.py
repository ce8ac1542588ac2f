"""The glossary: loading, linking rules, previews and the Glossary page (clinicase.glossary)."""

import shutil
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from clinicase.bibliography import load_bibliography
from clinicase.content import load_glossary
from clinicase.errors import ContentError
from clinicase.glossary import Glossary, Term, link_terms
from conftest import FIXTURES

GLOSSARIES = FIXTURES / "glossary"
CASE = "cases/calcinosis-cutis-jssc/"


@pytest.fixture(scope="module")
def bib():
    return load_bibliography(FIXTURES / "site" / "bibliography.bib", "bibliography.bib")[0]


def load(tmp_path, bib, name):
    (tmp_path / "content").mkdir(exist_ok=True)
    shutil.copy(GLOSSARIES / f"{name}.yml", tmp_path / "content" / "glossary.yml")
    return load_glossary(tmp_path, tmp_path / "content", bib)


def linked(glossary, html, page="p.md"):
    soup = BeautifulSoup(link_terms(html, glossary, page=page, title="Page", href="../glossary/"), "html.parser")
    return [(a.get_text(), a["href"]) for a in soup.select("a.term-link")], soup


def test_first_use_only_and_never_in_headings_links_code_or_citations(tmp_path, bib):
    glossary = load(tmp_path, bib, "valid")
    html = ("<h2>Systemic sclerosis</h2><p>Code <code>systemic sclerosis</code> and "
            '<a href="x">systemic sclerosis</a> and <span class="citation">systemic sclerosis</span>.</p>'
            "<p>Here Systemic sclerosis is linked, and systemic sclerosis again is not.</p>")
    links, _ = linked(glossary, html)
    assert links == [("Systemic sclerosis", "../glossary/#term-systemic-sclerosis")]


def test_synonyms_abbreviations_plurals_and_apostrophes(tmp_path, bib):
    glossary = load(tmp_path, bib, "valid")
    links, _ = linked(glossary, "<p>In SSc (not ssc), Raynaud’s phenomenon and two Limberg flaps.</p>")
    assert [text for text, _ in links] == ["SSc", "Raynaud’s phenomenon", "Limberg flaps"]
    links, _ = linked(glossary, "<p>Diffuse scleroderma and ssc.</p>")
    assert [text for text, _ in links] == ["scleroderma"]


def test_a_term_inside_another_term_is_not_linked_twice(tmp_path, bib):
    glossary = load(tmp_path, bib, "valid")
    links, soup = linked(glossary, "<p>Calcinosis cutis in systemic sclerosis.</p>")
    assert [t for t, _ in links] == ["Calcinosis cutis", "systemic sclerosis"]
    assert not soup.select(".term .term .term-link"), "no term inside another term's link or preview"


def test_preview_is_an_accessible_tooltip_with_author_year_citations(tmp_path, bib):
    glossary = load(tmp_path, bib, "valid")
    _, soup = linked(glossary, "<p>SSc.</p>")
    link = soup.select_one("a.term-link")
    tip = soup.select_one(f"#{link['aria-describedby']}")
    assert tip["role"] == "tooltip"
    assert tip.get_text(" ", strip=True) == "Systemic sclerosis (SSc) A disease defined for tests (Müller et al. 2020)."


def test_usage_is_recorded_per_page(tmp_path, bib):
    glossary = load(tmp_path, bib, "valid")
    linked(glossary, "<p>SSc</p>", page="a.md")
    linked(glossary, "<p>SSc and SSc</p>", page="b.md")
    assert glossary.used_on["systemic-sclerosis"] == [("Page", "a.md"), ("Page", "b.md")]


def test_data_in_a_term_is_escaped(tmp_path, bib):
    glossary = load(tmp_path, bib, "valid")
    html = link_terms("<p>&lt;b&gt;SSc&lt;/b&gt;</p>", glossary, page="p.md", title="P", href="g/")
    assert "<b>" not in html and "&lt;b&gt;" in html


@pytest.mark.parametrize("name, expected", [
    ("same-word-for-two-terms", "content/glossary.yml:5:5: terms[1]: 'flap' is already a form of 'Flap' — a word can "
                                "link to one term only: remove it here or there"),
    ("unknown-key-in-definition", "content/glossary.yml:5:38: terms[0].definition: unknown citation key 'alpha202O' — "
                                  "closest known keys: alpha2020"),
    ("cross-reference-in-definition", "content/glossary.yml:4:17: terms[0].definition: the glossary belongs to no case, "
                                      "so it cannot cross-reference figures or sections — describe it in words instead"),
])
def test_bad_glossary_entries_are_located(tmp_path, bib, name, expected):
    with pytest.raises(ContentError) as caught:
        load(tmp_path, bib, name)
    assert [str(p) for p in caught.value.problems] == [expected]


# --- on the real site ---------------------------------------------------------------

def test_glossary_page_lists_terms_alphabetically_with_used_on_links(real_site):
    page = real_site.html("glossary/")
    terms = [h.get_text(strip=True).rstrip("¶") for h in page.select("h3[id^=term-]")]
    assert len(terms) >= 15 and terms == sorted(terms, key=str.lower)
    for required in ["term-systemic-sclerosis", "term-crest-syndrome", "term-interstitial-lung-disease",
                     "term-high-resolution-computed-tomography", "term-mycophenolate-mofetil"]:
        assert page.select_one(f"#{required}"), required
    used = page.select_one("#term-limberg-flap ~ p.glossary-used-on")
    hrefs = [a["href"] for a in used.select("a")]
    assert "../cases/calcinosis-cutis-jssc/presentation/" in hrefs
    for href in hrefs:
        assert (real_site.site / "glossary" / href / "index.html").resolve().is_file(), href


def test_case_pages_link_each_term_once_and_never_in_headings(real_site):
    glossary = real_site.html("glossary/")
    for path in ["", "presentation/", "discussion/", "treatments/"]:
        page = real_site.html(CASE + path)
        links = page.select("article a.term-link")
        targets = [a["href"].split("#")[1] for a in links]
        assert links and len(targets) == len(set(targets)), path
        assert not page.select(":is(h1, h2, h3, a:not(.term-link), code, .cb-reuse) .term-link"), path  # nor in citations
        for a in links:
            assert urljoin(f"/{CASE}{path}", a["href"]).startswith("/glossary/#term-")
            assert glossary.select_one(f"#{a['href'].split('#')[1]}")
            assert page.select_one(f"#{a['aria-describedby']}[role=tooltip]")


def test_reference_titles_are_never_rewritten(real_site):
    for path in ["bibliography/", CASE + "references/", CASE]:
        page = real_site.html(path)
        assert page.select(".reference") and not page.select(".reference .term-link"), path


def test_terms_that_start_with_a_digit_or_a_capital_abbreviation_are_found():
    glossary = Glossary([Term("fu", "5-fluorouracil", "A drug.", "5-FU"), Term("ssc", "systemic sclerosis", "A disease.", "SSc")],
                        {"fu": "tip", "ssc": "tip"})
    html = link_terms("<p>Given 5-FU in SSc, not ssc.</p>", glossary, page="p.md", title="P", href="g/")
    assert BeautifulSoup(html, "html.parser").select("a.term-link") and html.count('class="term-link"') == 2
    assert ">5-FU</a>" in html and ">SSc</a>" in html and "not ssc." in html
