"""Importing a case report's JATS XML (clinicase.jats_import): each mapping rule on a small synthetic fixture,
the review list, and the rule that an import happens whole or not at all and never overwrites anything."""

import os
import shutil
import subprocess

import pytest
import yaml

from clinicase.errors import ContentError
from clinicase.jats_import import import_article, writer
from conftest import FIXTURES, REPO, make_project, tree_digest

SYNTHETIC = FIXTURES / "jats" / "synthetic"
CASE = "content/cases/synthetic"


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """The synthetic case report imported into a copy of the fixture site, once."""
    project = make_project(tmp_path_factory.mktemp("import"))
    before = (project / "bibliography.bib").read_bytes()
    result = import_article(SYNTHETIC / "case-report.xml", project, name="case-report.xml", case="synthetic")
    return project, result, before


def load(project, name):
    return yaml.safe_load((project / CASE / name).read_text(encoding="utf-8"))


def text(project, name):
    return (project / CASE / name).read_text(encoding="utf-8")


def test_case_yml_carries_the_articles_metadata_verbatim(done):
    project, result, _ = done
    case = load(project, "case.yml")
    assert case["title"] == "Synthetic case report of an invented patient, for the importer's tests"
    assert case["summary"] == ("**Background** An invented background sentence.\n\n"
                               "**Case presentation** An invented patient, described for tests only.")
    assert case["keywords"] == ["Synthetic case", "Importer test", "synthetic-case"]
    assert case["tags"] == ["Synthetic case", "Importer test"]  # 'synthetic-case' would share the first one's page
    assert case["source"] == {
        "cite": "testwriter2024synthetic", "url": "https://doi.org/10.5555/synthetic.0001",
        "provenance": {"text": "quoted", "captions": "quoted"}, "licence": "cc-by-4.0",
        "copyright": "© 2024 The Authors (synthetic) This synthetic article is distributed under the terms of the "
                     "Creative Commons Attribution 4.0 International License."}
    assert case["ethics"] == {"funding": "Invented funding statement.", "consent": "Invented consent statement.",
                              "conflicts": "The invented authors declare none."}
    assert case["specialty"] == "" and case["learner_level"] == "" and case["objectives"] == [""]


def test_presentation_fields_come_from_headings_that_name_one_field(done):
    presentation = load(done[0], "presentation.yml")
    assert presentation["history"] == {"summary": "The invented history, in words."}
    assert presentation["examination"] == ["An invented first finding (@fig-1).",
                                           "An invented second finding ([Figure 2A](@fig-2))."]
    assert presentation["investigations"] == [{"test": "Laboratory tests", "finding": "Invented laboratory results."},
                                              {"test": "Imaging", "finding": "Invented imaging results (@fig-2)."}]
    assert presentation["diagnosis"] == "An invented diagnosis."
    assert presentation["management"] == ["An invented treatment.", "First step.", "Second step."]
    assert presentation["follow_up"] == ["An invented outcome."]
    assert presentation["patient"] == {"age": "", "sex": ""}  # never read out of the text
    assert presentation["presenting_complaint"] == {"complaint": ""}


def test_blank_fields_say_what_to_write_beside_them(done):
    presentation = text(done[0], "presentation.yml")
    assert "  age: ''  # TODO: the patient's age as the article gives it, e.g. '15 years' (see REVIEW.md)\n" in presentation
    assert "  alt: ''  # TODO: alt text for Figure 1 (see REVIEW.md)\n" in text(done[0], "figures.yml")


def test_citations_lists_ranges_and_superscripts_become_citation_groups(done):
    background = load(done[0], "discussion.yml")["sections"][0]
    assert background["id"] == "sec-background"
    assert background["body"].split("\n\n")[0] == (
        "One citation [@alpha2020invented], a list [@delta2019invented; @epsilon2018invented], "
        "a range [@eta2017invented; @theta2016invented; @invented2015invented], "
        "a range in one reference [@synthetic2014invented; @iota2013invented; @lambda2012], "
        "a rid list [@alpha2020invented; @nu201150] and a superscript. [@delta2019invented]")


def test_the_articles_words_are_escaped_not_read_as_markdown(done):
    paragraphs = load(done[0], "discussion.yml")["sections"][0]["body"].split("\n\n")
    assert paragraphs[1] == ("Words Markdown would misread stay as they are: 5 \\* 2 = 10, snake\\_case, \\[sic\\], "
                             "*in vivo* and \\`code\\`.")
    assert paragraphs[2] == ("1\\. A line that starts like a list, a [web link](https://example.org/synthetic) "
                             "and a script link.")  # a javascript: address is never a link
    assert paragraphs[3] == "See the [discussion](@sec-discussion)."


def test_a_case_presentation_heading_that_names_no_field_is_kept_to_sort(done):
    discussion = text(done[0], "discussion.yml")
    assert ("\n  # TO SORT: the article's case presentation, as it stands. Move each part into presentation.yml "
            "(history, examination, investigations...), then delete this section.\n  - id: sec-case-presentation\n") in discussion
    sections = load(done[0], "discussion.yml")["sections"]
    assert [s["id"] for s in sections] == ["sec-background", "sec-case-presentation", "sec-discussion", "sec-conclusions"]
    assert sections[1]["body"] == "### Timeline\n\nText under a heading that names no single field."
    assert sections[2]["body"] == ("Invented discussion citing a chapter [@epsilon2018invented].\n\n### A subsection\n\n"
                                   "Invented words of a subsection.")


def test_figures_keep_captions_verbatim_and_images_only_when_the_file_is_there(done):
    project, result, _ = done
    first, second = load(project, "figures.yml")["figures"]
    assert first == {"id": "fig-1", "caption": "**The first invented figure.** Its caption's paragraph, verbatim.",
                     "shows": "", "alt": "", "teaching_point": "", "image": "images/synthetic-fig1.png",
                     "credit": "Testwriter et al., Synth Case Rep 2024", "licence": "cc-by-4.0"}
    assert (project / CASE / "images" / "synthetic-fig1.png").read_bytes() == (SYNTHETIC / "synthetic-fig1.png").read_bytes()
    assert second == {"id": "fig-2", "caption": "The second invented figure, whose image file is not beside the XML.",
                      "shows": "", "alt": "", "teaching_point": ""}  # the placeholder


@pytest.mark.parametrize("beside, expected", [
    ("synthetic-fig1.tif", "Figure 1's image synthetic-fig1.tif is not a type browsers show: save it as PNG or JPEG"),
    ("link", "Figure 1's image synthetic-fig1.png was not copied: it points outside the project (a symbolic link?)"),
])
def test_an_image_beside_the_xml_that_cannot_be_published_is_left_out_and_said(tmp_path, beside, expected):
    folder = tmp_path / "download"
    folder.mkdir()
    shutil.copy(SYNTHETIC / "case-report.xml", folder / "case-report.xml")
    if beside == "link":
        (folder / "synthetic-fig1.png").symlink_to(SYNTHETIC / "synthetic-fig1.png")
    else:
        (folder / beside).write_bytes(b"II*\x00")
    project = make_project(tmp_path)
    result = import_article(folder / "case-report.xml", project, case="synthetic")
    assert "image" not in load(project, "figures.yml")["figures"][0] and expected in result.report
    assert not (project / CASE / "images").exists()


def test_the_bib_gets_new_entries_after_its_own_text(done):
    project, result, before = done
    after = (project / "bibliography.bib").read_bytes()
    assert after.startswith(before) and result.added == 11 and result.reused == 0
    assert "\n% Reference 9 of testwriter2024synthetic. Not structured in the article's XML: its whole text is the note.\n" \
           "@misc{lambda2012,\n" in after.decode()


def test_the_review_lists_what_to_do_and_what_to_check(done):
    project, result, _ = done
    review = text(project, "REVIEW.md")
    assert review == result.report
    must = review.split("## Must do")[1].split("## Check")[0]
    for item in [f"`{CASE}/case.yml:12:12` specialty — the specialty this case teaches (the article lists these subjects: "
                 "Synthetic Medicine)",
                 f"`{CASE}/figures.yml:7:10` figures[0].alt — alt text for Figure 1: describe what the image shows",
                 f"`{CASE}/presentation.yml:5:8` patient.sex — female, male or not stated",
                 "`bibliography.bib:", "entry 'lambda2012' has no title"]:
        assert item in must, item
    checks = review.split("## Check")[1]
    for item in ["Table 1 ('An invented table.') was not imported", "not imported, as a teaching case does not need "
                 "them: 'Acknowledgements'", "marked TO SORT", "the image synthetic-fig1.png was copied to "
                 "images/synthetic-fig1.png", "reference 9 is not structured", "reference 10's title could not be written "
                 "exactly", "case.yml summary holds the article's whole abstract"]:
        assert item in checks, item


def test_a_nd_article_is_quoted_and_the_review_says_what_the_licence_allows(tmp_path):
    project = make_project(tmp_path)
    result = import_article(SYNTHETIC / "unsorted-nd.xml", project, name="unsorted-nd.xml")
    folder = project / result.folder
    case = yaml.safe_load((folder / "case.yml").read_text())
    assert case["source"]["licence"] == "cc-by-nc-nd-4.0" and case["source"]["provenance"] == {"text": "quoted",
                                                                                                "captions": "quoted"}
    assert "forbids adaptations: the draft quotes it word for word" in result.report
    assert "is non-commercial" in result.report
    sections = yaml.safe_load((folder / "discussion.yml").read_text())["sections"]
    assert sections[0]["body"] == ("Earlier invented work [@rho2001invented; @sigma2002] is cited by author and year, and "
                                   "Rho et al. (2001) [@rho2001invented] is named in the sentence.")
    assert sections[1] == {"id": "sec-case-presentation", "title": "Case presentation",
                           "body": "An invented patient's story, in one paragraph with no subheading.\n\n"
                                   "A second invented paragraph."}
    assert "case.yml ethics: the article has no approval, consent, funding or conflicts statement" in result.report


def test_a_disclosures_section_of_several_statements_is_sorted_statement_by_statement(tmp_path):
    """ACG Case Reports Journal gathers contributions, financial disclosure, consent and more under 'Disclosures':
    each paragraph, list or subsection goes where its own heading or words say, never all under 'Conflicts of
    interest', and nothing is dropped unsaid. A section headed for one statement stays whole."""
    project = make_project(tmp_path)
    source = tmp_path / "disclosures.xml"
    source.write_text((SYNTHETIC / "case-report.xml").read_text().replace(
        "<sec><title>Competing interests</title><p>The invented authors declare none.</p></sec>",
        "<sec><title>Disclosures</title><p>Author contributions: An invented author wrote it.</p>"
        "<p>Financial disclosure: None.</p><p>Previous presentation: An invented meeting.</p>"
        "<p>Informed consent was obtained for this case report.</p>"
        "<list><list-item><p>Dr X received invented fees.</p></list-item></list>"
        "<sec><title>Ethics approval</title><p>An invented board approved it.</p></sec></sec>"
        "<sec><title>Conflicts of interest</title><p>Dr Y sits on an invented review board and consented to say so."
        "</p></sec>"))
    result = import_article(source, project, case="synthetic")
    ethics = yaml.safe_load((project / CASE / "case.yml").read_text())["ethics"]
    assert ethics["funding"] == "Financial disclosure: None."
    assert ethics["consent"] == "Invented consent statement. Informed consent was obtained for this case report.", \
        "a statement joins the field's own section, never replaces it or is dropped"
    assert ethics["conflicts"] == ("Dr X received invented fees. Dr Y sits on an invented review board and consented "
                                   "to say so."), "a list is a statement; a 'Conflicts' section stays whole"
    assert ethics["approval"].endswith("An invented board approved it.")
    assert "not imported, as a teaching case does not need it: 'Author contributions: An invented" in result.report
    assert "not imported: it names no ethics statement the importer knows ('Previous presentation:" in result.report
    assert "the section 'Disclosures' gathers several statements" in result.report


def test_a_keyword_takes_the_spelling_the_casebook_already_uses(tmp_path):
    project = make_project(tmp_path)
    other = project / "content/cases/mini-case/case.yml"
    other.write_text(other.read_text().replace("tags: [Fixture]", "tags: [Fixture, Importer Test]"))
    result = import_article(SYNTHETIC / "case-report.xml", project, case="synthetic")
    assert yaml.safe_load((project / CASE / "case.yml").read_text())["tags"] == ["Synthetic case", "Importer Test"]
    assert "the keyword 'Importer test' is the tag 'Importer Test' here, as case 'mini-case' spells it" in result.report


def test_importing_again_reuses_entries_with_the_same_doi_and_never_reuses_a_key(tmp_path):
    project = make_project(tmp_path)
    import_article(SYNTHETIC / "case-report.xml", project, case="synthetic")
    again = import_article(SYNTHETIC / "case-report.xml", project, case="synthetic-again")
    keys = {e.label: e.key for e in again.draft.entries[1:]}
    assert again.draft.entries[0].key == "testwriter2024synthetic" and again.draft.entries[0].existing
    assert keys["1"] == "alpha2020invented" and keys["2"] == "delta2019inventedb"
    assert again.reused == 3 and again.added == 8  # the article and references 1 and 8 have DOIs


# --- whole or nothing ------------------------------------------------------------------------------

def failed_import(project, source, **options):
    before = tree_digest(project)
    with pytest.raises(ContentError) as caught:
        import_article(source, project, **options)
    assert tree_digest(project) == before and not list(project.glob(".clinicase-import-*"))
    return [str(p) for p in caught.value.problems]


def test_an_existing_case_folder_is_never_overwritten(tmp_path):
    project = make_project(tmp_path)
    assert failed_import(project, SYNTHETIC / "case-report.xml", case="mini-case") == [
        "content/cases/mini-case: the case folder already exists and is never overwritten — choose another name with CASE=..."]


def test_every_problem_is_reported_at_once_and_nothing_is_written(tmp_path):
    project = make_project(tmp_path)
    source = tmp_path / "article.xml"
    source.write_text((SYNTHETIC / "case-report.xml").read_text().replace(
        "<ali:license_ref>https://creativecommons.org/licenses/by/4.0/</ali:license_ref>", "").replace(
        "Creative Commons Attribution 4.0 International License", "licence of our own"), encoding="utf-8")
    problems = failed_import(project, source, name="article.xml", case="Not A Slug")
    assert len(problems) == 2
    assert problems[0].startswith("article.xml:19:1: no licence this site knows was found")
    assert problems[1].startswith("content/cases/Not A Slug: 'Not A Slug' cannot be a case folder name")


def test_malformed_xml_writes_nothing(tmp_path):
    project = make_project(tmp_path)
    [problem] = failed_import(project, FIXTURES / "jats" / "hostile" / "malformed.xml", name="malformed.xml")
    assert problem.startswith("malformed.xml:5:")


def test_a_failure_while_writing_the_bib_takes_the_case_folder_back(tmp_path, monkeypatch):
    project = make_project(tmp_path)
    before, names = tree_digest(project), sorted(os.listdir(project))

    def refuse(source, destination):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(writer.os, "replace", refuse)
    with pytest.raises(OSError):
        import_article(SYNTHETIC / "case-report.xml", project, case="synthetic")
    assert tree_digest(project) == before and sorted(os.listdir(project)) == names
    assert not (project / CASE).exists()


def test_a_bib_edited_during_the_import_is_not_overwritten(tmp_path, monkeypatch):
    project = make_project(tmp_path)
    real_install = writer.install

    def edit_first(root, slug, files, images, bib, bib_before, addition):
        bib.write_text(bib.read_text() + "\n% the author saved this meanwhile\n")
        return real_install(root, slug, files, images, bib, bib_before, addition)

    monkeypatch.setattr("clinicase.jats_import.install", edit_first)
    with pytest.raises(ContentError, match="the file changed while the article was imported"):
        import_article(SYNTHETIC / "case-report.xml", project, case="synthetic")
    assert not (project / CASE).exists()
    assert (project / "bibliography.bib").read_text().endswith("% the author saved this meanwhile\n")


# --- the command -------------------------------------------------------------------------------------

@pytest.fixture
def make_project_with_venv(tmp_path):
    """A project that `make` can run in: the Makefile, and the shared venv, already installed (no pip run)."""
    project = make_project(tmp_path)
    shutil.copy(REPO / "Makefile", project / "Makefile")
    shutil.copy(REPO / "requirements.txt", project / "requirements.txt")
    os.utime(project / "requirements.txt", (0, 0))  # older than the venv's .installed: make installs nothing
    (project / ".venv").symlink_to(REPO / ".venv")
    return project


def test_make_import_imports_and_prints_the_review(make_project_with_venv):
    project = make_project_with_venv
    result = subprocess.run(["make", "-s", "import", f"SOURCE={SYNTHETIC / 'case-report.xml'}", "CASE=synthetic"],
                            cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Imported 'Synthetic case report of an invented patient, for the importer's tests' "
                                    "into content/cases/synthetic/ (case, discussion, figures, presentation .yml, "
                                    "REVIEW.md, 1 image(s)) and 11 entries into bibliography.bib.")
    assert "# Review before publishing" in result.stdout and (project / CASE / "REVIEW.md").is_file()


def test_make_import_without_a_source_says_how_to_use_it(make_project_with_venv):
    result = subprocess.run(["make", "-s", "import"], cwd=make_project_with_venv, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Usage: make import SOURCE=path/to/article.xml [CASE=folder-name] [LICENCE=licence-id]" in result.stdout
