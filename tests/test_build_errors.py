"""What an author gets from `mkdocs build` when the content is wrong."""

import shutil

import pytest

from conftest import FIXTURES, make_project, run_mkdocs, tree_digest

CASE = "content/cases/mini-case"


def broken_project(tmp_path, error_fixture):
    project = make_project(tmp_path)
    for path in (FIXTURES / "errors" / error_fixture).iterdir():
        shutil.copy(path, project / CASE / path.name)
    return project


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "not-strict"])
@pytest.mark.parametrize("fixture, expected", [
    ("unknown-citation-key", f"{CASE}/discussion.yml:6:36: sections[0].body: unknown citation key 'alpha202O' "
                             "— closest known keys: alpha2020"),
    ("yaml-syntax-error", f"{CASE}/discussion.yml:6:1: YAML syntax error: found unexpected end of stream"),
])
def test_bad_content_stops_the_build_with_a_located_message(tmp_path, fixture, expected, strict):
    project = broken_project(tmp_path, fixture)
    before = tree_digest(project / "content"), tree_digest(project / "docs")
    build = run_mkdocs(project, *(["--strict"] if strict else []))
    assert build.returncode != 0
    assert expected in build.output
    assert "Traceback" not in build.output
    assert (tree_digest(project / "content"), tree_digest(project / "docs")) == before


def test_unknown_key_in_a_handwritten_page_is_located(tmp_path):
    project = make_project(tmp_path)
    (project / "docs" / "notes.md").write_text("# Notes\n\nFine.\n\nBad [@nosuchkey2020].\n", encoding="utf-8")
    build = run_mkdocs(project, "--strict")
    assert build.returncode != 0 and "Traceback" not in build.output
    assert "docs/notes.md:5: unknown citation key 'nosuchkey2020'" in build.output


def test_an_incomplete_cited_entry_warns_with_its_line_and_strict_mode_stops(tmp_path):
    project = make_project(tmp_path)
    bib = project / "bibliography.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("  journal = {J Fixture Med},\n  year    = {2019},",
                                                           "  year    = {2019},"), encoding="utf-8")
    warning = "bibliography.bib:16: entry 'beta2019' has no journal or journaltitle — add journal = {...}"
    lenient = run_mkdocs(project)
    assert lenient.returncode == 0 and f"WARNING -  {warning}" in lenient.output
    strict = run_mkdocs(project, "--strict")
    assert strict.returncode != 0 and warning in strict.output and "Traceback" not in strict.output


def test_a_syntax_error_in_a_cited_entry_stops_the_build_at_its_line(tmp_path):
    project = make_project(tmp_path)
    bib = project / "bibliography.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("  year    = {2019},\n  volume  = {5},",
                                                           "  year    = {2019}\n  volume  = {5},"), encoding="utf-8")
    build = run_mkdocs(project)
    assert build.returncode != 0 and "Traceback" not in build.output
    assert "bibliography.bib:21: BibTeX syntax error" in build.output  # the line after the missing comma


def test_a_hand_written_page_that_is_not_utf8_is_a_located_error(tmp_path):
    project = make_project(tmp_path)
    (project / "docs" / "latin1.md").write_bytes("# Café\n".encode("latin-1"))
    build = run_mkdocs(project)
    assert build.returncode != 0 and "Traceback" not in build.output
    assert "docs/latin1.md: file is not UTF-8 text — save it as UTF-8" in build.output
