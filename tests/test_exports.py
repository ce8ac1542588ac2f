"""Cite and reuse: suggested citations and reading-list downloads (clinicase.exports)."""

import re

from urllib.parse import urljoin

import pytest
import rispy
from pybtex.database import parse_string
from pybtex.richtext import Text

from clinicase import exports, site
from clinicase.bibliography import load_bibliography
from clinicase.exports import bibtex, page_citation, ris
from conftest import FIXTURES, make_project

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
    for entry, shown in zip(entries.values(), listed):  # the page sentence-cases titles; downloads keep the .bib's
        assert plain(entry.fields["title"]).rstrip(".").lower() in shown.lower()
    records = rispy.loads((real_site.site / links["RIS"].lstrip("/")).read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == list(entries.keys())
    assert all(r["title"] == plain(e.fields["title"]) for r, e in zip(records, entries.values()))


def test_ris_fields_and_latex_become_plain_text():
    bib, _ = load_bibliography(FIXTURES / "site" / "bibliography.bib", "bibliography.bib")
    text, problems = ris(bib, ["alpha2020"])
    [record] = rispy.loads(text)
    assert problems == []
    assert record["type_of_reference"] == "JOUR"
    assert record["authors"] == ["Müller, Anna B.", "Østergaard, C.", "Smith, John"]
    assert (record["title"], record["secondary_title"], record["year"]) == (
        "Calcinosis in CREST syndrome: a UK series", "J Fixture Med", "2020")
    assert (record["start_page"], record["end_page"], record["doi"]) == ("101", "109", "10.0000/fixture.alpha")
    assert list(parse_string(bibtex(bib, ["odd:key.with-chars_1"])[0], "bibtex").entries) == ["odd:key.with-chars_1"]


def test_page_citation_names_the_page_and_leaves_the_access_date_to_the_reader():
    assert page_citation("Casebook", "Figures", "A case", "https://x.org/a/") == \
        "Casebook. A case: Figures [Internet]. [cited YYYY Mon DD]. Available from: https://x.org/a/"
    assert page_citation("Casebook", "Overview", "A case", "") == "Casebook. A case [Internet]. [cited YYYY Mon DD]."


# --- hostile and real-world input: downloads that read back, never a traceback --------------------------------------

def _load(name):
    bib, problems = load_bibliography(FIXTURES / "bib" / name, "bibliography.bib")
    assert problems == []
    return bib


def test_downloads_of_entries_with_bare_percent_signs_read_back():
    """`{50%}` crashed the .ris (PybtexSyntaxError); pybtex's Writer turned `10\\%` into `10\\\\%` (a line break and
    a comment in LaTeX). Both files now read back, with the titles the page shows."""
    bib = _load("percent-signs.bib")
    keys = ["t1", "Harlass2024", "percent2020"]
    bib_text, bib_problems = bibtex(bib, keys)
    ris_text, ris_problems = ris(bib, keys)
    assert bib_problems == ris_problems == []
    entries = parse_string(bib_text, "bibtex").entries
    assert entries["t1"].fields["TITLE"] == "10\\% of [100] and 90\\% of $Normal_2$ | \\& # things {$^{3}$}"
    assert entries["percent2020"].fields["note"] == "\\href{https://x.org/a\\%E2\\%88\\%8A}{link}"
    assert entries["percent2020"].fields["url"] == "https://x.org/a%E2%88%8A?q=1"  # an address is written as read
    assert entries["Harlass2024"].fields["doi"] == "10.5194/acp-24-11807-2024"
    records = rispy.loads(ris_text)
    assert [r["id"] for r in records] == keys
    for record in records:  # the reading list says what the page says
        assert f"{record['title']}.".lower() in bib.reference(record["id"]).text.lower()
    assert records[2]["urls"] == ["https://x.org/a%E2%88%8A?q=1"]


def test_the_bibtex_download_keeps_latex_as_written():
    """`n.s.~2` (traps.bib) and `\\&` stay themselves: the Writer's text encoding no longer rewrites them."""
    bib, _ = load_bibliography(FIXTURES / "site" / "bibliography.bib", "bibliography.bib")
    entry = bib.entry("alpha2020")
    text, _ = bibtex(bib, ["alpha2020"])
    assert parse_string(text, "bibtex").entries["alpha2020"].fields == entry.fields


def test_and_others_keeps_et_al_in_the_ris():
    bib = _load("percent-signs.bib")
    [record] = rispy.loads(ris(bib, ["percent2020"])[0])
    assert record["authors"] == ["Smith, Anna", "Jones, Bo", "et al."]
    assert parse_string(bibtex(bib, ["percent2020"])[0], "bibtex").entries["percent2020"].persons["author"][-1].last_names \
        == ["others"]
    site_bib, _ = load_bibliography(FIXTURES / "site" / "bibliography.bib", "bibliography.bib")
    [odd] = rispy.loads(ris(site_bib, ["odd:key.with-chars_1"])[0])
    assert odd["authors"][-1] == "et al."


def test_control_characters_reach_neither_download():
    bib = _load("control-characters.bib")
    bib_text, _ = bibtex(bib, ["article-full"])
    ris_text, _ = ris(bib, ["article-full"])
    control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    assert not control.search(bib_text) and not control.search(ris_text)
    assert parse_string(bib_text, "bibtex").entries["article-full"].fields["title"] == \
        "The Gnats and Gnus Document Preparation System"
    assert rispy.loads(ris_text)[0]["authors"] == ["Aam[31mport, L[eslie] A."]


def test_an_entry_that_cannot_be_written_is_left_out_and_reported(monkeypatch):
    """Parsed entries always write; an entry changed afterwards (here: unbalanced braces) makes pybtex's Writer
    raise; a failing RIS record is simulated (no real one is known). The others are still written."""
    bib = _load("percent-signs.bib")
    bib.entry("Harlass2024").fields["volume"] = "24 {"
    text, problems = bibtex(bib, ["t1", "Harlass2024", "percent2020"])
    assert list(parse_string(text, "bibtex").entries) == ["t1", "percent2020"]
    assert [str(p) for p in problems] == [
        "bibliography.bib:13: entry 'Harlass2024': cannot be written to the BibTeX reading list (String has unmatched "
        "braces: 24 {) — correct the entry; until then it is left out of the page's .bib download"]
    real = exports._ris_record
    monkeypatch.setattr(exports, "_ris_record", lambda e: real(e) if e.key != "t1" else {}["no such field"])
    text, problems = ris(bib, ["t1", "percent2020"])
    assert [r["id"] for r in rispy.loads(text)] == ["percent2020"]
    assert [str(p.location) for p in problems] == ["bibliography.bib:5"]
    assert problems[0].message == "entry 't1': cannot be written to the RIS reading list ('no such field')"


def test_the_site_plan_carries_the_warnings_and_still_lists_the_entries(tmp_path, monkeypatch):
    """Through plan_site: hostile entries are rendered, downloads read back, and each warning comes once."""
    project = make_project(tmp_path)
    bib_path = project / "bibliography.bib"
    text = bib_path.read_text(encoding="utf-8")
    assert "syndrome: a {UK} series}" in text
    bib_path.write_text(text.replace("syndrome: a {UK} series}", "syndrome: a {UK} series of {50%}\x1b}"), encoding="utf-8")
    real = exports._ris_record
    monkeypatch.setattr(exports, "_ris_record", lambda e: (_ for _ in ()).throw(ValueError("bad")) if e.key == "beta2019"
                        else real(e))
    plan = site.plan_site(project)
    warnings = [str(w) for w in plan.warnings]
    assert warnings.count("bibliography.bib:4: entry 'alpha2020' has an unescaped % in its title — write \\% (LaTeX "
                          "reads a bare % as the start of a comment); the site shows a per cent sign") == 1
    assert warnings.count("bibliography.bib:4: entry 'alpha2020' has a control character (U+001B) in its title — "
                          "delete it (invisible in most editors: retype the field); the site leaves it out") == 1
    left_out = [w for w in warnings if "cannot be written" in w]
    assert left_out == ["bibliography.bib:16: entry 'beta2019': cannot be written to the RIS reading list (bad) — "
                        "correct the entry; until then it is left out of the page's .ris download"]
    shown = [p.markdown for p in plan.pages if "syndrome: a UK series of 50%. J Fixture" in p.markdown]
    assert len(shown) == 5 and not any("\x1b" in p.markdown for p in plan.pages)  # 3 case pages, the handout, the bibliography
    for uri in [*plan.assets, *plan.downloads]:
        content = plan.download(uri).decode("utf-8") if uri.endswith((".ris", ".bib")) else ""
        if uri.endswith(".ris"):
            assert "beta2019" not in [r["id"] for r in rispy.loads(content)]
        elif uri.endswith(".bib"):
            entries = parse_string(content, "bibtex").entries
            assert "\x1b" not in content and ("alpha2020" not in entries or "{50\\%}" in entries["alpha2020"].fields["title"])
