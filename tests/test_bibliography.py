"""Parsing and Vancouver formatting of the .bib (clinicase.bibliography)."""

import re

import pytest

from clinicase.bibliography import load_bibliography
from clinicase.vancouver import short_pages
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
                       "sclerosis: a Scleroderma Clinical Trials Consortium study. In: 14th Scleroderma Research "
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


def test_a_duplicate_key_is_a_warning_about_the_entry_that_is_ignored():
    """As BibTeX does, the first entry is used; the second can never be cited, so it never blocks the site."""
    path = FIXTURES / "bib" / "duplicate-keys-differing-in-case.bib"
    bib, problems = load_bibliography(path, "refs.bib")
    assert problems == [] and bib.reference("SMITH2020").text.startswith("Smith A. First.")
    assert bib.problems(["smith2020"]) == []
    assert [str(p) for p in bib.uncited_problems(["smith2020"])] == [
        "refs.bib:5: duplicate entry key 'Smith2020' (also on line 1); this entry is ignored — keys must be unique, "
        "ignoring case: rename or delete one entry"]


def test_a_syntax_error_names_line_key_and_field_and_stays_with_its_entry():
    """Entries are parsed one by one: a broken entry does not hide the others; uncited, it is a warning."""
    bib, problems = load_bibliography(FIXTURES / "bib" / "syntax-error-missing-comma.bib", "refs.bib")
    assert problems == [] and bib.reference("good2020").text.startswith("Good A. Fine.")
    assert bib.problems(["good2020"]) == []
    [problem] = bib.problems(["broken2021"])
    assert str(problem).startswith("refs.bib:10: BibTeX syntax error in entry 'broken2021', field title: ")
    assert bib.uncited_problems(["good2020"]) == [problem]


def test_missing_file_is_a_problem(tmp_path):
    _, problems = load_bibliography(tmp_path / "none.bib", "none.bib")
    assert "not found" in problems[0].message


def test_missing_comma_after_the_key_is_a_problem_of_that_entry_not_a_lost_field():
    bib, problems = load_bibliography(FIXTURES / "bib" / "no-comma-after-key.bib", "refs.bib")
    assert problems == []
    assert [str(p) for p in bib.problems(["beta2019"])] == [
        "refs.bib:1: no comma after the key 'beta2019' — write @article{beta2019, — without it BibTeX silently drops "
        "the first field"]


@pytest.fixture(scope="module")
def exported():
    bib, problems = load_bibliography(FIXTURES / "bib" / "real-world.bib", "refs.bib")
    assert problems == []
    return bib


@pytest.mark.parametrize("key, expected", [
    # Citing Medicine ch. 1 gives the whole date of an article when the .bib has it: "2002 Jul 25;347(4):284-7"
    ("biblatex2021", "Doe J, Roe R, et al. A biblatex export with a DOI, PMID and PMCID. J Biblatex. 2021 Mar 15;3(2):110-9. "
                     "doi: 10.1000/xyz.123. PMID: 33333333. PMCID: PMC1234567."),
    ("inproc2015", "Scleroderma Clinical Trials Consortium, Smith A. An abstract that inherits its workshop by crossref. "
                   "In: 14th Fixture Workshop; 2015 Aug; Cambridge, UK. p. 5."),
    ("accents2019", "González J, Şahin Ç, Müller K. Ünïcode and in vitro accents in one LaTeX Title. "
                    "Arthritis Rheumatol. 2019 Dec;71:2001-9."),
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


def test_a_crossref_to_a_missing_entry_is_a_problem_of_that_entry(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text("@inproceedings{child,\n  title = {T},\n  crossref = {nowhere}\n}\n", encoding="utf-8")
    bib, problems = load_bibliography(path, "refs.bib")
    assert problems == [] and bib.problems([]) == []
    assert [str(p) for p in bib.problems(["child"])] == [
        "refs.bib:1: entry 'child' has crossref 'nowhere', which is not in the file — add that entry or remove the crossref"]


# --- hostile and real-world input: a located warning or error, never a traceback ---------------------------------

def test_a_bare_percent_sign_is_a_per_cent_sign_not_a_crash():
    """LaTeX reads a bare % as a comment: pybtex lost the rest of the value, or raised on the brace after it."""
    bib, problems = load_bibliography(FIXTURES / "bib" / "percent-signs.bib", "bibliography.bib")
    assert problems == []
    assert bib.reference("t1").text == "Brown B. 10% of [100] and 90% of Normal₂ | & # things ³. 1992."
    assert bib.reference("Harlass2024").text.startswith(
        "Measurement report: in-flight and ground-based measurements of nitrogen oxide emissions from "
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
    ("Response in {50%} of cases", "Response in 50% of cases"), ("\\href{https://x.org/a%E2}{link}", "link"),
    ("10\\% and {{90%}}", "10% and 90%"), ("C:\\path\\", "C:"), ("a } b", "a b"), ("{a", "a"), ("", "")])
def test_plain_never_raises(latex, expected):
    from clinicase.latex_text import plain
    assert plain(latex) == expected


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_control_characters_are_dropped_and_located_for_cited_entries_only():
    bib, problems = load_bibliography(FIXTURES / "bib" / "control-characters.bib", "bibliography.bib")
    assert problems == []  # article-minimal has a BEL too, but nobody cites it: the site is not blocked
    reference = bib.reference("article-full")
    assert reference.text == "Aam[31mport LA. The gnats and gnus document preparation system. G-Animal's Journal. 1986 Jul;41(7):73+."
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


# --- every entry type, as Citing Medicine prints it ----------------------------------------------------------------

@pytest.fixture(scope="module")
def citing_medicine():
    bib, problems = load_bibliography(FIXTURES / "bib" / "citing-medicine.bib", "refs.bib")
    assert problems == []
    return bib


@pytest.mark.parametrize("key, expected", [
    # Each string is NLM's printed sample (Samples of Formatted References, after Citing Medicine 2nd ed.), exactly.
    # ch. 1, standard journal article
    ("halpern2002", "Halpern SD, Ubel PA, Caplan AL. Solid-organ transplantation in HIV-infected patients. "
                    "N Engl J Med. 2002 Jul 25;347(4):284-7."),
    # ch. 1, more than six authors
    ("rose2002", "Rose ME, Huerbin MB, Melick J, Marion DW, Palmer AM, Schiding JK, et al. Regulation of interstitial "
                 "excitatory amino acid concentrations after cortical contusion injury. Brain Res. 2002;935(1-2):40-6."),
    # ch. 1, forthcoming (in press) article
    ("tian2002", "Tian D, Araki H, Stahl E, Bergelson J, Kreitman M. Signature of balancing selection in Arabidopsis. "
                 "Proc Natl Acad Sci U S A. In press 2002."),
    # ch. 1, article with an article number and a DOI
    ("zhang2009", "Zhang M, Holman CD, Price SD, Sanfilippo FM, Preen DB, Bulsara MK. Comorbidity and repeat admission "
                  "to hospital for adverse drug reactions in older adults: retrospective cohort study. BMJ. 2009 Jan "
                  "7;338:a2752. doi: 10.1136/bmj.a2752."),
    # ch. 2, personal authors
    ("murray2002", "Murray PR, Rosenthal KS, Kobayashi GS, Pfaller MA. Medical microbiology. 4th ed. St. Louis: Mosby; 2002."),
    # ch. 2, editors as authors
    ("gilstrap2002", "Gilstrap LC 3rd, Cunningham FG, VanDorsten JP, editors. Operative obstetrics. 2nd ed. New York: "
                     "McGraw-Hill; 2002."),
    # ch. 2, authors and an editor
    ("breedlove2001", "Breedlove GK, Schorfheide AM. Adolescent pregnancy. 2nd ed. Wieczorek RR, editor. White Plains "
                      "(NY): March of Dimes Education Services; 2001."),
    # ch. 3, chapter in a book
    ("meltzer2002", "Meltzer PS, Kallioniemi A, Trent JM. Chromosome alterations in human solid tumors. In: Vogelstein B, "
                    "Kinzler KW, editors. The genetic basis of human cancer. New York: McGraw-Hill; 2002. p. 93-113."),
    # ch. 4, conference paper
    ("christensen2002", "Christensen S, Oppacher F. An analysis of Koza's computational effort statistic for genetic "
                        "programming. In: Foster JA, Lutton E, Miller J, Ryan C, Tettamanzi AG, editors. Genetic "
                        "programming. EuroGP 2002: Proceedings of the 5th European Conference on Genetic Programming; "
                        "2002 Apr 3-5; Kinsdale, Ireland. Berlin: Springer; 2002. p. 182-91."),
    # ch. 4, conference proceedings
    ("harnden2002", "Harnden P, Joffe JK, Jones WG, editors. Germ cell tumours V. Proceedings of the 5th Germ Cell Tumour "
                    "Conference; 2001 Sep 13-15; Leeds, UK. New York: Springer; 2002."),
    # ch. 7, dissertation
    ("borkowski2002", "Borkowski MM. Infant sleep and feeding: a telephone survey of Hispanic Americans [dissertation]. "
                      "Mount Pleasant (MI): Central Michigan University; 2002."),
    # ch. 12, patent
    ("pagedas2002", "Pagedas AC, inventor; Ancel Surgical R&D Inc., assignee. Flexible endoscopic grasping and cutting "
                    "device and positioning tool assembly. United States patent US 20020103498. 2002 Aug 1."),
    # ch. 25, homepage; the sample's "[updated 2002 May 16; …]" has no BibTeX field, so it is not printed
    ("cancerpain", "Cancer-Pain.org [Internet]. New York: Association of Cancer Online Resources, Inc.; c2000-01 "
                   "[cited 2002 Jul 9]. Available from: http://www.cancer-pain.org/."),
])
def test_citing_medicine_samples(citing_medicine, key, expected):
    assert citing_medicine.reference(key).text == expected
    assert citing_medicine.field_warnings([key]) == []


@pytest.fixture(scope="module")
def peers():
    """The peers' test files (tests/fixtures/bib/peers, provenance in PROVENANCE.md), each read as it is."""
    loaded = {}
    for path in sorted((FIXTURES / "bib" / "peers").glob("*.bib")):
        bib, problems = load_bibliography(path, path.name)
        assert problems == []
        loaded[path.stem] = bib
    return loaded


@pytest.mark.parametrize("file, key, expected", [
    # ch. 1 pattern: Authors. Title. Journal. Date;Volume(Issue):Pages.
    ("xampl", "article-full", "Aamport LA. The gnats and gnus document preparation system. G-Animal's Journal. "
                              "1986 Jul;41(7):73+."),
    ("biber-examples", "kastenholz", "Kastenholz MA, Hünenberger PH. Computation of methodology-independent ionic "
                                     "solvation free energies from molecular simulations: I. The electrostatic potential "
                                     "in molecular liquids. J. Chem. Phys. 2006;124:124106. doi: 10.1063/1.2172593."),
    # ch. 2 pattern: a volume of a set is "Set title. Vol. 2, Volume title."; the edition; place: publisher; year
    ("xampl", "book-full", "Knuth DE. The art of computer programming. Vol. 2, Seminumerical algorithms. 2nd ed. "
                           "Reading, Massachusetts: Addison-Wesley; 1981."),
    ("biber-examples", "aristotle:physics", "Aristotle. Physics. Wicksteed PH, Cornford FM, translators. New York: "
                                            "G. P. Putnam; 1929."),
    ("biber-examples", "gaonkar", "Gaonkar DP, editor. Alternative modernities. Durham: Duke University Press; 2001."),
    # ch. 3 pattern: In: editors. Book. Edition. Place: Publisher; Year. p. pages; a part of a book: Section 1.2; p.
    ("xampl", "incollection-full", "Lincoll DD. Semigroups of recurrences. In: Lipcoll DJ, Lawrie DH, Sameh AH, editors. "
                                   "High speed computer and algorithm organization. 3rd ed. New York: Academic Press; "
                                   "1977. p. 179-83. (Fast Computers; 23)"),
    ("biber-examples", "westfahl:space", "Westfahl G. The true frontier: confronting and avoiding the realities of space "
                                         "in american science fiction films. In: Westfahl G, editor. Space and beyond: "
                                         "the frontier theme in science fiction. Westport, Conn.: Greenwood; 2000. p. 55-65."),
    ("xampl", "inbook-full", "Knuth DE. The art of computer programming. Vol. 1, Fundamental algorithms. 2nd ed. "
                             "Reading, Massachusetts: Addison-Wesley; 1973. Section 1.2; p. 10-119."),
    # ch. 4 pattern: Proceedings; date; place. Place: Publisher; Year.
    ("xampl", "inproceedings-full", "Oaho AV, Ullman JD, Yannakakis M. On notions of information transfer in VLSI "
                                    "circuits. In: Oz WV, Yannakakis M, editors. Proc. Fifteenth Annual ACM Symposium on "
                                    "the Theory of Computing; 1983 Mar. Boston: Academic Press; 1983. p. 133-9."),
    ("xampl", "proceedings-full", "Oz WV, Yannakakis M, editors. Proc. Fifteenth Annual Symposium on the Theory of "
                                  "Computing; 1983 Mar. Boston: Academic Press; 1983. (All ACM Conferences; 17)"),
    # ch. 6 pattern: Title. Type. Place: Institution; Date. Report No.: N.
    ("xampl", "techreport-full", "Térrific T. An O(n log n / loglog n) sorting algorithm. Wishful Research Result. "
                                 "Computer Science Department, Fanstord, California: Fanstord University; 1988 Oct. "
                                 "Report No.: 7."),
    ("biber-examples", "padhye", "Padhye J, Firoiu V, Towsley D. A stochastic model of TCP reno congestion avoidance and "
                                 "control. Technical report. Amherst, Mass.: University of Massachusetts; 1999. Report "
                                 "No.: 99-02."),
    # ch. 7 pattern: Title [dissertation] / [master's thesis]. Place: University; Year.
    ("xampl", "phdthesis-minimal", "Phony-Baloney FP. Fighting fire with fire: festooning French phrases [dissertation]. "
                                   "Fanstord University; 1988."),
    ("biber-examples", "loh", "Loh NC. High-Resolution micromachined interferometric accelerometer [master's thesis]. "
                              "Cambridge, Mass.: Massachusetts Institute of Technology; 1992."),
    # ch. 12 pattern: Inventors, inventors; Holder, assignee. Title. Country patent Number. Date.
    ("biber-examples", "sorace", "Sorace RE, Reinhardt VS, Vaughn SA, inventors; Hughes Aircraft Company, assignee. "
                                 "High-Speed Digital-to-RF converter. United States patent 5668842. 1997 Sep 16."),
    ("biber-examples", "kowalik", "Kowalik F, Isard M, inventors. Estimateur d'un défaut de fonctionnement d'un "
                                  "modulateur en quadrature et étage de modulation l'utilisant. French patent application "
                                  "9500261. 1995 Jan 11."),
    # ch. 22-25 pattern: Title [Internet]. Date [cited Date]. Available from: URL.
    ("biber-examples", "ctan", "CTAN: the comprehensive TeX archive network [Internet]. 2006 [cited 2006 Oct 1]. "
                               "Available from: http://www.ctan.org."),
    ("biber-examples", "markey", "Markey N. Tame the BeaST: the B to X of BibTeX [Internet]. [cited 2006 Oct 1]. "
                                 "Available from: http://tug.ctan.org/tex-archive/info/bibtex/tamethebeast/ttb_en.pdf."),
    # unpublished, manual, booklet, misc
    ("xampl", "unpublished-full", "Ünderwood U, Ñet N, P̄ot P. Lower bounds for wishful research results. Talk at "
                                  "Fanstord University (this is a full UNPUBLISHED entry). 1988 Nov-Dec."),
    ("xampl", "manual-full", "Manmaker L. The definitive computer manual. Silver ed. Silicon Valley: Chips-R-Us; 1986."),
    ("biber-examples", "cms", "The chicago manual of style: the essential guide for writers, editors, and publishers. "
                              "15th ed. Chicago, Ill.: University of Chicago Press; 2003."),
    ("xampl", "booklet-full", "Knvth JC. The programming of computer art. Stanford, California: Vernier Art Center; 1988."),
    ("xampl", "misc-full", "Missilany JB. Handing out random pamphlets in airports. Handed out at O'Hare; 1984 Oct."),
    # biblatex @set: its members, one after the other
    ("biber-examples", "stdmodel", "Glashow S. Partial symmetries of weak interactions. Nucl. Phys. 1961;22:579 ff. "
                                   "Weinberg S. A model of leptons. Phys. Rev. Lett. 1967;19:1264 ff. Salam A. Weak and "
                                   "electromagnetic interactions. In: Svartholm N, editor. Elementary particle theory: "
                                   "Relativistic groups and analyticity. Proceedings of the Eighth Nobel Symposium, May "
                                   "19–25, 1968; 1968; Aspenäsgarden, Lerum. Stockholm: Almquist & Wiksell; 1968. p. 367 ff."),
])
def test_every_entry_type_in_vancouver(peers, file, key, expected):
    assert peers[file].reference(key).text == expected


@pytest.mark.parametrize("key, expected", [
    ("sameline2020", "Second B. An entry that starts on the line where the previous one ends. J. 2020."),
    ("Ib'{a}~{n}ez2000", "Ibáñez J. A key with braces. P; 2000."),
    ("baez/article2004", "Steyerberg EW, Vickers AJ, Moons KGM. Initials written with and without stops. J. 2004."),
    ("müller:2019", "Müller J. A key with non-ASCII letters and a colon. J. 2019."),
])
def test_keys_and_names_as_bibtex_reads_them(key, expected):
    bib, problems = load_bibliography(FIXTURES / "bib" / "keys-and-names.bib", "refs.bib")
    assert problems == [] and bib.uncited_problems([]) == []
    assert bib.reference(key).text == expected
    assert bib.location("sameline2020").line == 4 and bib.location("Ib'{a}~{n}ez2000").line == 8


def test_latex_that_stays_latex_is_a_located_warning_naming_key_and_field(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text("@article{k,\n author = {A, B},\n title = {Made with \\unknowncommand{x} and $x_\\alpha$},\n"
                    " journal = {J}, year = {2020}}\n", encoding="utf-8")
    bib, _ = load_bibliography(path, "refs.bib")
    assert bib.reference("k").text == "A B. Made with x and x_α. J. 2020."
    assert [str(w) for w in bib.field_warnings(["k"])] == [
        "refs.bib:1: entry 'k': its title has LaTeX that cannot be shown as text (\\unknowncommand, _) — write it as "
        "plain text or Unicode (or define the command in @preamble with \\newcommand); until then the site leaves it out"]


def test_preamble_commands_are_expanded():
    bib = load_bibliography(FIXTURES / "bib" / "peers" / "xampl.bib", "xampl.bib")[0]
    assert bib.reference("whole-set").text == "Knuth DE. The art of computer programming. Addison-Wesley; 1968–90. (Four volumes)"
    assert bib.field_warnings(["whole-set", "book-full"]) == []


def test_a_url_loses_latex_escapes_and_a_url_wrapper(peers):
    """biblatex writes `\\%` in a url (biber unescapes it); Citavi wraps url in `\\url{}`."""
    assert peers["biber-examples"].reference("url2").html.count('href="http://www.something.com/q=one%20two"') == 1
    assert peers["mkdocs-bibtex-test"].reference("test_citavi").text.endswith(
        "Available from: https://doi.org/10.21577/0103-5053.20190253.")
