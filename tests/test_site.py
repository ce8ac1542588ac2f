"""Real sites built strict into temporary folders: what a reader gets."""

import re
from urllib.parse import urljoin, urlparse

import pytest
from bs4 import BeautifulSoup

from clinicase.vocabularies import licences
from conftest import REPO, make_project, run_mkdocs

CASE = "cases/calcinosis-cutis-jssc/"
CASE_PAGES = ["", "presentation/", "figures/", "discussion/", "treatments/", "quiz/", "references/"]


def numbers_in_order(soup):
    """Every cited number in reading order, including those hidden inside a range like 1–3."""
    return [int(entry.get_text().split(".")[0]) for entry in soup.select(".citation-tip__entry")]


def test_strict_build_has_no_warnings(real_site):
    assert "WARNING" not in real_site.output


def test_every_seed_section_is_on_the_site(real_site):
    presentation = real_site.html(CASE + "presentation/")
    headings = [h.get_text(strip=True).rstrip("¶") for h in presentation.select("h2")]
    assert headings[:11] == ["Patient", "Timeline", "Presenting complaint", "History", "Comorbidities", "Medications",
                             "Examination", "Investigations", "Diagnosis", "Management", "Follow-up and outcome"]
    text = presentation.get_text(" ", strip=True)
    for fact in ["15 years", "female", "October 2017", "Skin tightening", "Microstomia", "Raynaud",
                 "interstitial lung disease", "spirometry", "Echocardiography", "Mycophenolate mofetil", "Itopride",
                 "Grade 3", "3 x 3 x 2 cm", "chalky", "inferior pubic rami", "Limberg", "10th post-operative day",
                 "sacral region", "right knee", "left chin", "nasal sill", "bony ankylosis"]:
        assert fact.lower() in text.lower(), fact
    figures = real_site.html(CASE + "figures/")
    assert [h["id"] for h in figures.select("h2[id^=fig-]")] == [
        "fig-gluteal-ulcers", "fig-pelvis-xray", "fig-sacrum", "fig-knee", "fig-chin", "fig-nasal-sill", "fig-elbow-xray"]
    placeholders = figures.select(".figure-placeholder")
    assert len(placeholders) == 7
    assert all(p.select_one('a[href="../#source"]') and "not reproduced" in p.get_text() for p in placeholders)
    assert not figures.select("img[src*=fig], img[alt*=radiograph]"), "never a stand-in image"
    discussion = real_site.html(CASE + "discussion/").get_text(" ", strip=True)
    for fact in ["five subtypes", "dystrophic, metastatic, idiopathic, iatrogenic, and calciphylaxis", "CREST",
                 "25%", "7.5 years", "toothpaste", "vascular hypoxia", "no gold standard", "Three mechanisms",
                 "10% sodium thiosulphate", "25% sodium thiosulphate"]:
        assert fact in discussion, fact
    overview = real_site.html(CASE).get_text(" ", strip=True)
    assert "CC BY-NC" in overview and "Mahipathy SRRV" in overview and "Ethical approval" in overview


def test_case_pages_follow_reading_order_in_navigation(real_site):
    nav = real_site.html(CASE).select("nav.md-nav--primary a.md-nav__link[href]")
    links = [a["href"] for a in nav]
    order = [links.index(p) for p in ["./", "presentation/", "figures/", "discussion/", "treatments/", "quiz/",
                                      "references/"] if p in links]
    assert order == sorted(order) and len(order) == 7


def test_citations_are_numbered_by_first_appearance_across_the_case(real_site):
    seen = []
    for page in CASE_PAGES:
        for n in numbers_in_order(real_site.html(CASE + page)):
            if n not in seen:
                seen.append(n)
    assert seen == list(range(1, len(seen) + 1)) and len(seen) == 19


def test_a_reference_keeps_its_number_on_every_page(real_site):
    master = {li["id"]: li.select_one(".reference").get_text() for li in
              real_site.html(CASE + "references/").select("ol.reference-list > li")}
    for page in CASE_PAGES[:-1]:
        for li in real_site.html(CASE + page).select("ol.reference-list > li"):
            assert master[li["id"]] == li.select_one(".reference").get_text()


def test_every_citation_link_resolves_and_carries_its_reference(real_site):
    for page in CASE_PAGES:
        soup = real_site.html(CASE + page)
        for link in soup.select("a.citation-link"):
            target = soup.find(id=link["href"][1:])
            assert target is not None and target.name == "li"
            tip = soup.find(id=link["aria-describedby"])
            assert tip["role"] == "tooltip" and tip.get_text().startswith(tuple("0123456789"))


def test_back_links_resolve(real_site):
    page = CASE + "references/"
    links = real_site.html(page).select("a.backref")
    assert len(links) > 30
    for link in links:
        url = urljoin("/" + page, link["href"])
        target, anchor = urlparse(url).path, urlparse(url).fragment
        assert real_site.html(target.lstrip("/")).find(id=anchor) is not None, link["href"]


def test_duplicate_printed_reference_is_one_entry(real_site):
    entries = real_site.html(CASE + "references/").select("ol.reference-list > li")
    assert len(entries) == 19  # 20 printed references, 2 and 13 being the same paper
    assert sum("autoimmune connective tissue diseases. Dermatol Ther" in li.get_text() for li in entries) == 1


def test_site_bibliography_lists_each_entry_once_with_its_cases(real_site):
    items = real_site.html("bibliography/").select("article li")
    texts = [li.get_text(" ", strip=True) for li in items]
    assert len(texts) == 20  # 19 cited + the source article
    assert all("Calcinosis cutis in juvenile systemic sclerosis" in t for t in texts)


def test_no_unresolved_markers_and_no_external_loads(real_site):
    for path in real_site.pages():
        html = path.read_text(encoding="utf-8")
        visible = re.sub(r"<(code|pre)\b.*?</\1>", "", html, flags=re.S)
        assert "[@" not in visible, path
        external = re.findall(r"<(?!a\b)(\w+)[^>]*\s(?:src|href)=\"(?:https?:)?//", html)
        assert external == [], (path, external)
        if path.name != "404.html":  # MkDocs writes the 404 page against site_url; see the sub-path test
            assert not re.search(r'\s(?:src|href)="/(?!/)', html), f"{path}: root-relative links break sub-paths"


def test_building_never_writes_into_the_project(real_site):
    assert not (REPO / "docs" / "cases").exists() and not (REPO / "docs" / "index.md").exists()


def test_fixture_numbers_compress_and_code_stays_code(fixture_site):
    discussion = fixture_site.html("cases/mini-case/discussion/")
    citation = discussion.select_one(".citation")
    assert re.sub(r"\s+", "", citation.find(string=True, recursive=False) + "".join(
        a.get_text() + (a.next_sibling if isinstance(a.next_sibling, str) else "") for a in citation.select("a"))) \
        .startswith("[1–3]")
    code = " ".join(c.get_text() for c in discussion.select("code"))
    assert "[@not_a_citation]" in code and "[@also_not_a_citation]" in code
    presentation = fixture_site.html("cases/mini-case/presentation/")
    assert "[@notakey]" in presentation.select_one("code").get_text()
    assert presentation.select_one('a[href="../figures/#fig-one"]').get_text() == "Figure 1"


def test_handwritten_pages_number_per_page(fixture_site):
    notes = fixture_site.html("notes/")
    assert numbers_in_order(notes) == [1, 1, 2]
    assert [li["id"] for li in notes.select("ol.reference-list > li")] == ["ref-1", "ref-2"]
    assert notes.select_one("code").get_text() == "[@beta2019]"


def test_uncited_entries_are_not_listed(fixture_site):
    assert "Never cited" not in fixture_site.html("bibliography/").get_text()


def test_site_url_with_a_sub_path(tmp_path):
    project = make_project(tmp_path)
    build = run_mkdocs(project, "--strict", env={"SITE_URL": "https://example.org/casebook/"})
    assert build.returncode == 0, build.output
    assert 'src="/casebook/assets/javascripts/' in (build.site / "404.html").read_text(encoding="utf-8")
    assert "https://example.org/casebook/cases/mini-case/" in (build.site / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("source, target, anchor, directory_urls, expected", [
    ("cases/a/references.md", "cases/a/discussion.md", "cite-4", True, "../discussion/#cite-4"),
    ("cases/a/references.md", "cases/a/index.md", "", True, "../"),
    ("cases/a/references.md", "index.md", "", True, "../../../"),
    ("cases/a/references.md", "cases/a/discussion.md", "cite-4", False, "discussion.html#cite-4"),
    ("cases/a/index.md", "cases/a/figures.md", "x", True, "figures/#x"),
])
def test_relative_urls_for_raw_html_links(source, target, anchor, directory_urls, expected):
    from clinicase.plan import relative_url

    assert relative_url(source, target, anchor, directory_urls) == expected


# --- a second case joins the casebook with no code change ----------------------------

SECOND = "cases/synthetic-second-case/"


def test_second_case_has_its_own_numbering_and_leaves_the_first_unchanged(casebook_site, real_site):
    assert numbers_in_order(casebook_site.html(SECOND)) == [1]  # its key points cite first
    references = casebook_site.html(SECOND + "references/").select("ol.reference-list > li")
    assert [li["id"] for li in references] == ["ref-1"]
    for page in CASE_PAGES:
        assert numbers_in_order(casebook_site.html(CASE + page)) == numbers_in_order(real_site.html(CASE + page))
    nav = [a.get_text(strip=True) for a in casebook_site.html("").select("nav.md-nav--primary .md-nav__link")]
    assert "Synthetic second case (not a real patient)" in " ".join(nav)


def test_a_real_image_opens_in_a_lightbox_with_caption_credit_and_licence(casebook_site):
    figures = casebook_site.html(SECOND + "figures/")
    figure = figures.select_one("#fig-hand ~ figure")
    zoom = figure.select_one("a.glightbox img")
    assert zoom["alt"] == "Grey square with the words synthetic test image."
    assert (casebook_site.site / SECOND / "figures" / zoom["src"]).resolve().is_file()
    lightbox = zoom.find_parent("a")
    assert lightbox["data-title"] == "Figure 1. A synthetic drawing, not a patient."
    assert lightbox["data-description"] == "Drawn for the test suite. Licence: CC0 1.0."
    assert figure.select_one("figcaption").get_text(strip=True).startswith("Figure 1.")
    credit = figures.select_one("#fig-hand").find_next(string=lambda s: "Drawn for the test suite" in s).parent
    assert "Licence: CC0 1.0 (Creative Commons CC0 1.0 Universal)." in credit.get_text()
    assert credit.find("a", href="https://creativecommons.org/publicdomain/zero/1.0/"), "the licence links its official text"
    assert figures.select_one("#fig-foot ~ figure .figure-placeholder"), "a figure without an image keeps its placeholder"


# --- links and determinism -----------------------------------------------------------

def test_every_internal_link_and_anchor_resolves(casebook_site):
    site, broken, checked = casebook_site.site, [], 0
    ids: dict = {}
    for path in casebook_site.pages():
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        here = "/" + path.relative_to(site).as_posix()
        for element in page.select("a[href], img[src], link[href], script[src]"):
            url = element.get("href") or element.get("src")
            parsed = urlparse(url)
            if parsed.scheme in {"http", "https", "mailto"} or url == "data:,":  # "data:,": the deck's empty favicon
                continue
            assert not parsed.scheme, f"{here}: unexpected link scheme in {url}"
            target = urlparse(urljoin(here, url))
            file = site / target.path.lstrip("/")
            if target.path.endswith("/"):
                file = file / "index.html"
            checked += 1
            if not file.is_file():
                broken.append(f"{here}: {url}")
            elif target.fragment and file.suffix == ".html":
                if file not in ids:
                    ids[file] = {e["id"] for e in BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
                                 .select("[id]")}
                if target.fragment not in ids[file]:
                    broken.append(f"{here}: {url} (no such anchor)")
    assert checked > 1000 and broken == []


def test_two_builds_of_the_same_input_are_byte_identical(casebook_site, tmp_path):
    again = run_mkdocs(casebook_site.site.parent, "--strict", site=tmp_path / "again")
    assert again.returncode == 0
    first = {p.relative_to(casebook_site.site): p.read_bytes() for p in casebook_site.site.rglob("*") if p.is_file()}
    second = {p.relative_to(again.site): p.read_bytes() for p in again.site.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [str(name) for name in first if first[name] != second[name]] == []


def test_a_treatment_discussed_twice_in_one_place_links_that_place_once(casebook_site):
    """Two mentions in one question gave "Discussed in: Question 4, Question 4"."""
    for case in ("calcinosis-cutis-jssc", "synthetic-second-case"):
        page = casebook_site.html(f"cases/{case}/treatments/")
        for emphasis in page.find_all("em", string="Discussed in:"):
            labels = []
            for sibling in emphasis.next_siblings:
                if getattr(sibling, "name", None) == "a":
                    labels.append(sibling.get_text())
                elif getattr(sibling, "name", None):
                    break
            assert labels and len(labels) == len(set(labels)), labels


def test_site_wide_cards_credit_the_source_article_and_its_licence(casebook_site):
    """Home and tag pages reuse each case's summary, so each card names the article and its licence."""
    import yaml

    cards = casebook_site.html("").select(".grid.cards li")
    assert len(cards) == 2 and all(card.select_one(".cb-card-credit") for card in cards)
    real = yaml.safe_load((REPO / "content/cases/calcinosis-cutis-jssc/case.yml").read_text(encoding="utf-8"))
    for page in ("", "tags/dermatology/"):
        credits = [c.get_text(" ", strip=True) for c in casebook_site.html(page).select(".cb-card-credit")]
        assert f"Based on Mahipathy et al. 2020; licence: {licences()[real['source']['licence']].short}" in credits, credits
