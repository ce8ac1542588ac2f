"""Imported drafts against the real build: every real .nxml (and the synthetic case reports) imported into a
copy of the casebook fails `mkdocs build --strict` only with items of its review list, and builds once those
items are done. Two builds for all of them (module-scoped)."""

import re
from pathlib import Path

import pytest
import yaml

from clinicase.jats_import import import_article
from conftest import FIXTURES, copy_repository, run_mkdocs

ARTICLES = sorted((FIXTURES / "jats" / "real").glob("*.nxml")) + \
    [FIXTURES / "jats" / "synthetic" / n for n in ("case-report.xml", "unsorted-nd.xml")]
MUST = re.compile(r"^\d+\. `([^`]+)`(?: (\S+))? — ", re.MULTILINE)
MISSING = re.compile(r"^\d+\. `bibliography\.bib:\d+` — entry '([^']+)' has no (\w+)", re.MULTILINE)


@pytest.fixture(scope="module")
def casebook(tmp_path_factory):
    project = copy_repository(tmp_path_factory.mktemp("imported"))
    imported = {path.name: import_article(path, project, name=path.name,
                                          case="synthetic" if path.name == "case-report.xml" else "")
                for path in ARTICLES}
    draft = run_mkdocs(project, "--strict", site=project / "draft-site")
    return project, imported, draft


@pytest.fixture(scope="module")
def finished(casebook):
    """The same casebook after a person did every 'must do' item: text in each blank field, the missing field
    of each reference."""
    project, imported, _ = casebook
    for result in imported.values():
        must = result.report.split("## Check")[0]
        for location, field in MUST.findall(must):
            if not location.startswith("bibliography.bib"):
                fill(project, location, field)
        for key, field in MISSING.findall(must):
            bib = project / "bibliography.bib"
            bib.write_text(re.sub(rf"^(@\w+\{{{re.escape(key)},)$", rf"\1\n  {field} = {{Filled by the author}},",
                                  bib.read_text(encoding="utf-8"), count=1, flags=re.MULTILINE), encoding="utf-8")
    return run_mkdocs(project, "--strict")


def fill(project: Path, location: str, field: str) -> None:
    """Write text where the draft has a blank ('' at the located line and column)."""
    file, line, column = location.split(":")
    path = project / file
    lines = path.read_text(encoding="utf-8").split("\n")
    row, col = int(line) - 1, int(column) - 1
    assert lines[row][col:col + 2] == "''", (location, lines[row])
    lines[row] = lines[row][:col] + ("not stated" if field.endswith(".sex") else "Filled by the author") + lines[row][col + 2:]
    path.write_text("\n".join(lines), encoding="utf-8")


def test_every_article_imports(casebook):
    _, imported, _ = casebook
    assert sorted(imported) == sorted(p.name for p in ARTICLES)
    assert all(r.review.must for r in imported.values())  # nothing is left unnoticed: each has work for a person


def test_the_draft_fails_only_with_items_of_the_review_lists(casebook):
    _, imported, draft = casebook
    assert draft.returncode != 0 and "Traceback" not in draft.output
    reported = re.findall(r"^  (content/cases/[^:]+:\d+:\d+|bibliography\.bib:\d+): (?:(\S+): )?", draft.output, re.MULTILINE)
    assert reported
    listed = {(location, field) for r in imported.values() for location, field in MUST.findall(r.report)}
    assert [item for item in reported if item not in listed] == []


def test_once_the_review_items_are_done_the_casebook_builds_strictly(finished):
    assert finished.returncode == 0, finished.output


def test_citations_cross_references_and_captions_reach_the_reader(finished):
    discussion = finished.html("cases/synthetic/discussion/")
    for tip in discussion.select(".citation-tip"):
        tip.decompose()
    first = discussion.find(id="sec-background").find_next("p")
    assert first.get_text("", strip=False).startswith("One citation [1], a list [2, 3], a range [4–6], "
                                                      "a range in one reference [7–9], a rid list [1, 10]")
    words = discussion.find(string=re.compile("Words Markdown would misread")).parent.get_text()
    assert "5 * 2 = 10, snake_case, [sic], in vivo and `code`." in words
    presentation = finished.html("cases/synthetic/presentation/")
    link = presentation.find("a", string="Figure 1")
    assert link is not None and link["href"].endswith("figures/#fig-1")
    figures = finished.html("cases/synthetic/figures/")
    caption = figures.find(id="fig-1").find_next("figcaption").get_text(" ", strip=True)
    assert "The first invented figure. Its caption's paragraph, verbatim." in caption
    assert (finished.site / "cases/synthetic/figures").exists()


def test_the_review_says_which_references_the_importer_judged_for_the_author(casebook):
    """Ann Oncol tags web pages as books and writes some titles In Title Case: both are said, once each, grouped."""
    _, imported, _ = casebook
    checks = imported["mds526.nxml"].report.split("## Check")[1]
    assert checks.count("imported as a web page (@online") == 1 and "(also at lines " in checks
    assert checks.count("is in Title Case in the article") == 1
    must = imported["mds526.nxml"].report.split("## Check")[0]
    assert "no publisher" not in must, "a web page is not asked for a publisher"


def test_a_real_case_report_is_drafted_for_sorting_and_its_licence_is_said(casebook):
    """ACG Case Reports Journal (CC BY-NC-ND 4.0): Introduction, Case Report, Discussion; no image files."""
    project, imported, _ = casebook
    result = imported["acgcr-PMC6358577.nxml"]
    checks = result.report.split("## Check")[1]
    for said in ["the case presentation 'Case Report' has text the importer could not sort into presentation.yml",
                 "(CC BY-NC-ND 4.0) forbids adaptations: the draft quotes it word for word",
                 "(CC BY-NC-ND 4.0) is non-commercial",
                 "this reference's title is in Title Case in the article"]:
        assert said in checks, said
    assert "summary holds the article's whole abstract (quoted); the home page card shows it: shorten it to a line if " \
        "you like (then set source.provenance.text to adapted and record the copyright holder's permission in " \
        "source.permission: CC BY-NC-ND 4.0 forbids adaptations)" in checks, "the advice the licence allows"
    case = project / result.folder
    yml = yaml.safe_load((case / "case.yml").read_text(encoding="utf-8"))
    assert yml["source"]["licence"] == "cc-by-nc-nd-4.0"
    # 'Disclosures' holds three statements: each where its words say, the authors' contributions left out
    assert yml["ethics"] == {"funding": "Financial disclosure: None to report.",
                             "consent": "Informed consent was obtained for this case report."}
    assert "not imported, as a teaching case does not need it: 'Author contributions:" in checks
    assert "image:" not in (case / "figures.yml").read_text(encoding="utf-8"), "no image file was beside the XML"
