"""References to BibTeX (jats_import.references): the right standard entry type, standard fields, keys made
unique against the .bib, and BibTeX that pybtex reads back with the same fields."""

from pathlib import Path

import pytest
from pybtex.database.input.bibtex import Parser

from clinicase.bibliography import plain
from clinicase.jats_import.references import assign_keys, differs, read_references, source_entry
from clinicase.jats_import.xml_source import read_article
from conftest import FIXTURES

SYNTHETIC = FIXTURES / "jats" / "synthetic" / "case-report.xml"
REAL = sorted((FIXTURES / "jats" / "real").glob("*.nxml"))


def references(path: Path, taken=None, known=None):
    entries = read_references(read_article(path, path.name))
    assign_keys(entries, set() if taken is None else taken, known or {})
    return entries


@pytest.fixture(scope="module")
def synthetic():
    return {e.label: e for e in references(SYNTHETIC)}


@pytest.mark.parametrize("label, kind, fields", [
    ("1", "article", {"title": "An invented journal article", "journal": "J Synth Res", "year": "2020", "volume": "12",
                      "number": "3", "pages": "100--109", "doi": "10.5555/synthetic.r1"}),
    ("2", "book", {"title": "An Invented Textbook", "edition": "3rd", "publisher": "Synthetic Press", "address": "Nowhere",
                   "year": "2019"}),
    ("3", "incollection", {"title": "An invented chapter", "booktitle": "An Invented Handbook", "publisher": "Synthetic Press",
                           "year": "2018", "pages": "5--20"}),
    ("4", "inproceedings", {"title": "An invented conference paper", "booktitle": "Invented Meeting 2017",
                            "address": "Nowhere", "year": "2017"}),
    ("5", "phdthesis", {"title": "An invented thesis", "school": "Synthetic University", "year": "2016"}),
    ("6", "techreport", {"title": "An invented report", "institution": "Invented Health Agency", "year": "2015"}),
    ("7", "online", {"title": "An invented web page", "url": "https://example.org/synthetic/page", "urldate": "2024-01-31",
                     "year": "2014"}),
    ("8", "article", {"title": "An invented article in a mixed citation", "journal": "Synth Lett", "year": "2013",
                      "volume": "4", "pages": "e123", "doi": "10.5555/synthetic.r8"}),
    ("9", "misc", {"note": "Lambda L, Mu M (2012) An invented reference printed as plain text. Nowhere: Synthetic Press. pp 1–2."}),
])
def test_each_reference_type_becomes_its_bibtex_type_with_standard_fields(synthetic, label, kind, fields):
    entry = synthetic[label]
    assert (entry.type, entry.fields) == (kind, fields)


def test_names_as_bibtex_writes_them(synthetic):
    text = synthetic["1"].bibtex("c") + synthetic["3"].bibtex("c") + synthetic["6"].bibtex("c")
    assert "author  = {Alpha, A. B. and van der Beta, Carla and Gamma, Jr, D. and others}," in text
    assert "editor    = {Zeta, G.}," in text
    assert "author      = {{Invented Health Agency}}," in text


def test_a_reference_that_is_plain_text_is_kept_whole_and_flagged(synthetic):
    entry = synthetic["9"]
    assert entry.unstructured and entry.type == "misc" and entry.key == "lambda2012"


def test_keys_are_author_year_first_title_word(synthetic):
    assert [synthetic[n].key for n in "12345678"] == [
        "alpha2020invented", "delta2019invented", "epsilon2018invented", "eta2017invented", "theta2016invented",
        "invented2015invented", "synthetic2014invented", "iota2013invented"]


def test_keys_never_take_one_the_bib_has_and_a_known_doi_keeps_its_key():
    entries = references(SYNTHETIC, taken={"alpha2020invented", "delta2019invented", "delta2019inventedb"},
                         known={"doi:10.5555/synthetic.r8": "iotaExisting"})
    by_label = {e.label: e for e in entries}
    assert by_label["1"].key == "alpha2020inventedb"
    assert by_label["2"].key == "delta2019inventedc"
    assert (by_label["8"].key, by_label["8"].existing) == ("iotaExisting", True)


def test_latex_special_characters_are_escaped_and_what_cannot_be_kept_is_reported(synthetic):
    entry = synthetic["10"]
    assert "50\\% \\& under\\_scores, {braces} \\textasciitilde{}tilde \\# hash -{}- dashes \\textbackslash{} backslash" \
        in entry.bibtex("c")
    assert differs(entry) == ["title"]  # BibTeX braces group; they are not printed


def read_back(entries):
    text = "\n".join(e.bibtex("comment") for e in entries)
    return Parser().parse_string(text).entries


@pytest.mark.parametrize("path", [SYNTHETIC, *REAL], ids=lambda p: p.name)
def test_pybtex_reads_every_entry_back_with_the_same_fields(path):
    entries = [source_entry(read_article(path, path.name)), *read_references(read_article(path, path.name))]
    assign_keys(entries, set(), {})
    parsed = read_back(entries)
    assert len(parsed) == len(entries)
    for entry in entries:
        back = parsed[entry.key]
        assert back.type == entry.type
        for name, value in entry.fields.items():
            if name in differs(entry):
                continue
            read = back.fields[name] if name in {"url", "doi"} else plain(back.fields[name])
            assert " ".join(read.split()) == " ".join(value.replace("--", "–").split() if name == "pages" else value.split()), \
                (entry.key, name)
        for role, names in entry.persons.items():
            people = back.persons[role]
            assert [plain(" ".join(person.prelast_names + person.last_names)) for person in people if str(person) != "others"] \
                == [n.family for n in names], entry.key
            assert [plain(" ".join(person.first_names + person.middle_names)) for person in people if str(person) != "others"] \
                == [plain(n.bibtex().split(", ")[-1]) if n.given else "" for n in names], entry.key


def test_identifiers_of_the_real_articles():
    first = {e.label: e for e in references(FIXTURES / "jats" / "real" / "1471-2180-11-174.nxml")}
    assert first["1"].fields["pmid"] == "16845428" and first["1"].fields["doi"] == "10.1038/nrmicro1460"
    oncology = {e.label: e for e in references(FIXTURES / "jats" / "real" / "mds526.nxml")}
    assert oncology["1"].fields["doi"] == "10.1038/bjc.2011.489"  # printed as a comment's doi.org link
    source = source_entry(read_article(FIXTURES / "jats" / "real" / "1472-6831-8-11.nxml", "x"))
    assert (source.fields["pmid"], source.fields["pmcid"], source.fields["doi"]) == ("18405359", "PMC2329613",
                                                                                     "10.1186/1472-6831-8-11")


def test_authors_beside_an_editor_group_are_kept():
    """BMC writes a chapter's authors as bare <name>s and its editors as one text group."""
    chapter = next(e for e in references(FIXTURES / "jats" / "real" / "1471-2180-11-174.nxml") if e.rid == "B36")
    assert chapter.type == "incollection" and [n.family for n in chapter.persons["author"]] == ["Friedman", "Gottesman"]
    assert chapter.persons["editor"][0].family == "Hendrix RW,Roberts JW,Stahl FW,Weisberg RA"


def test_plain_text_references_of_a_real_article_are_flagged():
    entries = references(FIXTURES / "jats" / "real" / "pntd.0002065.nxml")
    unstructured = [e for e in entries if e.unstructured]
    assert unstructured and all(e.type == "misc" and e.fields["note"] for e in unstructured)
    assert unstructured[0].fields["note"].startswith("Murphy FA, Gibbs EPJ, Horzinek MC, Studdert MJ (1999) Veterinary Virology.")


def vancouver(entries, key):
    """The reference as the site prints it, from the BibTeX the importer writes."""
    from clinicase.bibliography import load_bibliography
    import re
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bibliography.bib"
        path.write_text("\n".join(e.bibtex("c") for e in entries), encoding="utf-8")
        bib, _ = load_bibliography(path, "bibliography.bib")
        return re.sub(r"<[^>]+>", "", bib.reference(key).html).replace("&amp;", "&")


@pytest.fixture(scope="module")
def oncology():
    """Ann Oncol's reference list (mds526): names of places in sentence-case titles, web pages tagged as books."""
    entries = references(FIXTURES / "jats" / "real" / "mds526.nxml")
    return entries, {e.label: e for e in entries}


def test_names_in_a_sentence_case_title_keep_their_capitals(oncology):
    entries, by_label = oncology
    assert "in {England}}," in by_label["3"].bibtex("c")
    assert vancouver(entries, by_label["3"].key).startswith(
        "Richards MA. The size of the prize for earlier diagnosis of cancer in England. Br J Cancer.")
    assert "What if cancer survival in Britain were the same as in Europe: how many deaths" in vancouver(entries, by_label["2"].key)
    assert "in six English cities" in vancouver(entries, by_label["35"].key)
    assert not any(e.title_case for e in (by_label["2"], by_label["3"], by_label["35"]))


def test_a_title_case_title_is_left_to_the_author_and_said(oncology):
    """'The English Indices of Deprivation': which capitals are names only a person can tell."""
    _, by_label = oncology
    assert by_label["12"].title_case and "{" not in by_label["12"].bibtex("c").split("title")[1].split("\n")[0].strip(" ={},")


def test_a_book_with_only_an_address_and_an_access_date_is_a_web_page(oncology):
    entries, by_label = oncology
    web = by_label["4"]
    assert (web.type, web.retyped) == ("online", "gives no publisher, only an address")
    assert web.fields["urldate"] == "2012-09-04" and "note" not in web.fields
    assert vancouver(entries, web.key) == (
        "National Cancer Intelligence Network. Routes to diagnosis—NCIN data briefing [Internet]. [cited 2012 Sep 4]. "
        "Available from: http://www.ncin.org.uk/publications/data_briefings/routes_to_diagnosis.aspx.")
    book = by_label["11"]  # a publisher: still a book
    assert book.type == "book" and not book.retyped


REFS = """<?xml version="1.0"?>
<article article-type="case-report"><front><article-meta><title-group><article-title>An invented case</article-title>
</title-group></article-meta></front><back><ref-list>
<ref id="r1"><label>1</label><element-citation publication-type="journal"><article-title>Vitamin A deficiency and
emerging Bartonella infection in Quebec: India's hidden burden</article-title><source>J Invented</source>
<year>2020</year></element-citation></ref>
<ref id="r2"><label>2</label><element-citation publication-type="book"><person-group person-group-type="author"><name>
<surname>Doe</surname><given-names>J</given-names></name></person-group><source>An invented book</source>
<edition>2nd</edition><comment><uri xlink:href="https://example.org/book" xmlns:xlink="http://www.w3.org/1999/xlink">
https://example.org/book</uri> 4 June 2019, date last accessed</comment></element-citation></ref>
<ref id="r3"><label>3</label><element-citation publication-type="book"><collab>An invented agency</collab>
<source>An invented page</source><comment><uri xlink:href="https://example.org/page"
xmlns:xlink="http://www.w3.org/1999/xlink">https://example.org/page</uri> 31 February 2012, date last accessed
</comment></element-citation></ref>
</ref-list></back></article>
"""


def test_names_single_letters_and_capitals_after_a_colon_in_imported_titles(tmp_path):
    """'vitamin A' and 'Quebec' are braced; after the colon the capital may be the journal's habit or a name:
    left to the style and said in the review."""
    (tmp_path / "refs.xml").write_text(REFS, encoding="utf-8")
    first = references(tmp_path / "refs.xml")[0]
    assert "Vitamin {A} deficiency and emerging {Bartonella} infection in {Quebec}: India's hidden burden" in first.bibtex("c")
    assert not first.title_case and first.capital_after_stop


def test_only_a_book_the_web_page_form_prints_whole_becomes_a_web_page(tmp_path):
    """A book with an edition, or an access date that is no date (31 February), stays a book: as a web page its
    edition or note would not be printed."""
    (tmp_path / "refs.xml").write_text(REFS, encoding="utf-8")
    _, edition, bad_date = references(tmp_path / "refs.xml")
    assert (edition.type, edition.fields["edition"], edition.fields["urldate"]) == ("book", "2nd", "2019-06-04")
    assert bad_date.type == "book" and "31 February 2012, date last accessed" in bad_date.fields["note"]
