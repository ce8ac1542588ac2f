"""Parsing and Vancouver formatting of the .bib (clinicase.bibliography)."""

import re

import pytest

from clinicase.bibliography import load_bibliography, short_pages
from clinicase.errors import ContentError
from conftest import FIXTURES, REPO


@pytest.fixture(scope="module")
def real_bib():
    bib, problems = load_bibliography(REPO / "bibliography.bib", "bibliography.bib")
    assert problems == []
    return bib


@pytest.fixture(scope="module")
def fixture_bib():
    bib, problems = load_bibliography(FIXTURES / "site" / "bibliography.bib", "bibliography.bib")
    assert problems == []
    return bib


@pytest.mark.parametrize("key, expected", [
    ("balin2012", "Balin SJ, Wetter DA, Andersen LK, Davis MDP. Calcinosis cutis occurring in association with "
                  "autoimmune connective tissue disease: the Mayo Clinic experience with 78 patients, 1996-2009. "
                  "Arch Dermatol. 2012;148(4):455-62. doi: 10.1001/archdermatol.2011.2052."),
    ("gutierrez2012", "Gutierrez A Jr, Wetter DA. Calcinosis cutis in autoimmune connective tissue diseases. "
                      "Dermatol Ther. 2012;25(2):195-206. doi: 10.1111/j.1529-8019.2012.01492.x. PMID: 22741938."),
    ("avouac2011", "Avouac J, Mogavero G, Guerini H, Drapé JL, Mathieu A, Kahan A, et al. Predictive factors of hand "
                   "radiographic lesions in systemic sclerosis: a prospective study. Ann Rheum Dis. 2011;70(4):630-3."),
    ("vayssairat1998", "Vayssairat M, Hidouche D, Abdoucheli-Baudot N, Gaitz JP. Clinical significance of subcutaneous "
                       "calcinosis in patients with systemic sclerosis. Does diltiazem induce its regression? "
                       "Ann Rheum Dis. 1998;57(4):252-4."),
    ("valenzuela2015", "Valenzuela A, Baron M, Canadian Scleroderma Research Group, Herrick A, Proudman S, Stevens W, "
                       "et al. Calcinosis is associated with digital ulcers and osteoporosis in patients with systemic "
                       "sclerosis: A Scleroderma Clinical Trials Consortium study. In: 14th Scleroderma Research "
                       "Workshop; 2015 Aug; Cambridge, UK."),
    ("nielsen2016", "Nielsen BJ, Olesen AB. Treatment of skin calcifications with intra-lesional injection of sodium "
                    "thiosulphate: a case series. Acta Derm Venereol. 2016;96:257-8."),
])
def test_vancouver_format_of_real_entries(real_bib, key, expected):
    assert real_bib.reference(key).text == expected


def test_duplicate_printed_reference_is_one_entry(real_bib):
    titles = [str(e.fields["title"]) for e in real_bib.data.entries.values()]
    assert len(titles) == len(set(titles)) == 20


def test_accents_lineage_and_protected_capitals(fixture_bib):
    text = fixture_bib.reference("alpha2020").text
    assert text.startswith("Müller AB, Østergaard C, Smith J Jr. Calcinosis in CREST syndrome: a UK series.")
    assert "J Fixture Med. 2020;12(3):101-9." in text  # @string macro expanded


def test_more_than_six_authors_and_others_give_et_al(fixture_bib):
    assert fixture_bib.reference("beta2019").text.startswith("One A, Two B, Three C, Four D, Five E, Six F, et al. Does")
    odd = fixture_bib.reference("odd:key.with-chars_1").text
    assert odd.startswith("Group W, Fixture Study Consortium, et al. An abstract")


def test_identifiers_are_links(fixture_bib):
    html = fixture_bib.reference("alpha2020").html
    assert '<a href="https://doi.org/10.0000/fixture.alpha">10.0000/fixture.alpha</a>' in html
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/12345678/">12345678</a>' in html


def test_keys_are_case_insensitive_like_bibtex(fixture_bib):
    assert "ALPHA2020" in fixture_bib and fixture_bib.canonical("ALPHA2020") == "alpha2020"


@pytest.mark.parametrize("pages, expected", [("455--462", "455-62"), ("1560--1562", "1560-2"), ("1--12", "1-12"),
                                             ("2803-2806", "2803-6"), ("e123", "e123"), ("S1--S9", "S1-S9")])
def test_short_pages(pages, expected):
    assert short_pages(pages) == expected


def test_duplicate_keys_differing_in_case_name_both_places():
    path = FIXTURES / "bib" / "duplicate-keys-differing-in-case.bib"
    bib, problems = load_bibliography(path, "refs.bib")
    assert bib is None
    assert [str(p) for p in problems] == [
        "refs.bib:5: duplicate entry key 'Smith2020' (also on line 1) — keys must be unique, ignoring case: "
        "rename or delete one entry"]


def test_syntax_error_has_a_line_number():
    """Entries are parsed when cited (uncited entries are not an error), so the error comes with the citation."""
    bib, problems = load_bibliography(FIXTURES / "bib" / "syntax-error-missing-comma.bib", "refs.bib")
    assert problems == [] and bib.reference("good2020").text.startswith("Good A. Fine.")
    with pytest.raises(ContentError) as caught:
        bib.reference("broken2021")
    [problem] = caught.value.problems
    assert problem.location.line == 10 and "syntax error" in problem.message


def test_missing_file_is_a_problem(tmp_path):
    _, problems = load_bibliography(tmp_path / "none.bib", "none.bib")
    assert "not found" in problems[0].message


def test_missing_comma_after_the_key_is_an_error_not_a_lost_field():
    bib, problems = load_bibliography(FIXTURES / "bib" / "no-comma-after-key.bib", "refs.bib")
    assert bib is None
    assert [str(p) for p in problems] == [
        "refs.bib:1: no comma after the key 'beta2019' — write @article{beta2019, — without it BibTeX silently drops "
        "the first field"]


@pytest.fixture(scope="module")
def exported():
    bib, problems = load_bibliography(FIXTURES / "bib" / "real-world.bib", "refs.bib")
    assert problems == []
    return bib


@pytest.mark.parametrize("key, expected", [
    ("biblatex2021", "Doe J, Roe R, et al. A biblatex export with a DOI, PMID and PMCID. J Biblatex. 2021;3(2):110-9. "
                     "doi: 10.1000/xyz.123. PMID: 33333333. PMCID: PMC1234567."),
    ("inproc2015", "Scleroderma Clinical Trials Consortium, Smith A. An abstract that inherits its workshop by crossref. "
                   "In: 14th Fixture Workshop; 2015 Aug; Cambridge, UK."),
    ("accents2019", "González J, Şahin Ç, Müller K. Ünïcode and in vitro accents in one LaTeX Title. "
                    "Arthritis Rheumatol. 2019;71:2001-9."),
    ("incomplete2020", "Partial P. An entry without a journal. 2020."),
])
def test_references_as_people_really_export_them(exported, key, expected):
    assert exported.reference(key).text == expected


def test_identifiers_link_only_to_their_resolvers(exported):
    html = exported.reference("biblatex2021").html
    assert re.findall(r'href="([^"]+)"', html) == [
        "https://doi.org/10.1000/xyz.123", "https://pubmed.ncbi.nlm.nih.gov/33333333/",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1234567/"]


def test_a_cited_entry_missing_a_needed_field_gets_a_located_warning(exported):
    warnings = exported.field_warnings(["biblatex2021", "inproc2015", "accents2019", "incomplete2020"])
    assert [str(w) for w in warnings] == [
        "refs.bib:44: entry 'incomplete2020' has no journal or journaltitle — add journal = {...}; until then its "
        "reference is printed without it"]
    assert exported.field_warnings(["uncited1999", "biblatex2021"])[0].message == "entry 'uncited1999' has no author or editor"


def test_a_crossref_to_a_missing_entry_is_located(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text("@inproceedings{child,\n  title = {T},\n  crossref = {nowhere}\n}\n", encoding="utf-8")
    _, problems = load_bibliography(path, "refs.bib")
    assert [str(p) for p in problems] == [
        "refs.bib:1: entry 'child' has crossref 'nowhere', which is not in the file — add that entry or remove the crossref"]


# --- hostile and real-world input: a located warning or error, never a traceback ---------------------------------

def test_a_bare_percent_sign_is_a_per_cent_sign_not_a_crash():
    """LaTeX reads a bare % as a comment: pybtex lost the rest of the value, or raised on the brace after it."""
    bib, problems = load_bibliography(FIXTURES / "bib" / "percent-signs.bib", "bibliography.bib")
    assert problems == []
    assert bib.reference("t1").text == "Brown B. 10% of [100] and 90% of $Normal_2$ | & # things $^3$. 1992."
    assert bib.reference("Harlass2024").text.startswith(
        "Measurement report: In-flight and ground-based measurements of nitrogen oxide emissions from "
        "latest-generation jet engines and 100 % sustainable aviation fuel. Atmospheric Chemistry and Physics. 2024;24.")
    assert bib.reference("percent2020").text == (
        "Smith A, Jones B, et al. Response in 50% of cases. J Test Med. 2020. Available from: https://x.org/a%E2%88%8A?q=1.")
    assert '<a href="https://x.org/a%E2%88%8A?q=1">' in bib.reference("percent2020").html  # a URL is not LaTeX
    fix = "write \\% (LaTeX reads a bare % as the start of a comment); the site shows a per cent sign"
    assert [str(w) for w in bib.field_warnings(["t1", "percent2020"])] == [
        f"bibliography.bib:22: entry 'percent2020' has an unescaped % in its title — {fix}",
        f"bibliography.bib:22: entry 'percent2020' has an unescaped % in its note — {fix}",
        f"bibliography.bib:5: entry 't1' has an unescaped % in its title — {fix}"]


@pytest.mark.parametrize("latex, expected", [
    ("Response in {50%} of cases", "Response in 50% of cases"), ("\\href{https://x.org/a%E2}{link}", "\\href https://x.org/a%E2link"),
    ("10\\% and {{90%}}", "10% and 90%"), ("C:\\path\\", "C:path"), ("a } b", "a b"), ("{a", "a"), ("", "")])
def test_plain_never_raises(latex, expected):
    from clinicase.bibliography import plain
    assert plain(latex) == expected


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_control_characters_are_dropped_and_located_for_cited_entries_only():
    bib, problems = load_bibliography(FIXTURES / "bib" / "control-characters.bib", "bibliography.bib")
    assert problems == []  # article-minimal has a BEL too, but nobody cites it: the site is not blocked
    reference = bib.reference("article-full")
    assert reference.text == "Aam[31mport LA. The Gnats and Gnus Document Preparation System. G-Animal's Journal. 1986;41(7):73+."
    assert not CONTROL.search(reference.html) and not CONTROL.search(bib.short("article-full"))
    assert [str(w) for w in bib.field_warnings(["article-full"])] == [
        "bibliography.bib:4: entry 'article-full' has a control character (U+0000) in its title — delete it (invisible "
        "in most editors: retype the field); the site leaves it out",
        "bibliography.bib:4: entry 'article-full' has a control character (U+001B) in its author — delete it "
        "(invisible in most editors: retype the field); the site leaves it out"]  # the form feed is BibTeX whitespace


@pytest.mark.parametrize("fixture, looks", [("ris-saved-as.bib", " (it looks like RIS)"),
                                            ("csl-json-saved-as.bib", " (it looks like CSL-JSON)")])
def test_a_reference_export_that_is_not_bibtex_is_one_located_problem(fixture, looks):
    bib, problems = load_bibliography(FIXTURES / "bib" / fixture, "bibliography.bib")
    assert bib is None
    assert [str(p) for p in problems] == [
        f"bibliography.bib:1: the file holds no BibTeX entries{looks} — export your library as BibTeX (.bib)"]


def test_a_pasted_reference_list_is_not_bibtex_but_an_empty_or_comment_file_is(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text("1. Balin SJ, Wetter DA. Calcinosis cutis. Arch Dermatol. 2012;148(4):455-62.\n", encoding="utf-8")
    assert [str(p) for p in load_bibliography(path, "refs.bib")[1]] == [
        "refs.bib:1: the file holds no BibTeX entries — export your library as BibTeX (.bib)"]
    for text in ["", "\n  \n", "% exported by JabRef\n\n% nothing cited yet\n"]:
        path.write_text(text, encoding="utf-8")
        bib, problems = load_bibliography(path, "refs.bib")
        assert problems == [] and bib.chunks == {}
