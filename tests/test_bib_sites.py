"""Real .bib files in real sites: every entry of every peer fixture cited at once, and entry problems that
block the site only when a page cites the entry (issue 12)."""

from __future__ import annotations

import re
import shutil

import pytest
import rispy
from pybtex.database import parse_string

from clinicase import site
from clinicase.bibliography import load_bibliography
from clinicase.citations import find_citations
from clinicase.errors import ContentError
from clinicase.exports import bibtex, ris
from conftest import FIXTURES, make_project, run_mkdocs

PEERS = sorted((FIXTURES / "bib" / "peers").glob("*.bib"))
LATEX = re.compile(r"[\\{}$]")


def cite(key: str) -> str:
    """`[@key]`, or `[@{key}]` for a key Pandoc's bare form cannot hold (the same characters either way)."""
    bare = f"[@{key}]"
    groups, _ = find_citations(bare)
    return bare if groups and groups[0].keys == (key,) else f"[@{{{key}}}]"


def keys_of(path) -> list[str]:
    bib, problems = load_bibliography(path, path.name)
    assert problems == []
    return [chunk.key for chunk in bib.chunks.values()]


@pytest.fixture(scope="module", params=PEERS, ids=lambda p: p.stem)
def peer_site(request, tmp_path_factory):
    """The fixture site with one peer file appended whole to bibliography.bib and every entry cited on a page
    of its own; built once per file, not strict (the peers' files hold things worth a warning)."""
    project = make_project(tmp_path_factory.mktemp(request.param.stem))
    bib = project / "bibliography.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n" + request.param.read_text(encoding="utf-8"), encoding="utf-8")
    keys = keys_of(request.param)
    lines = [f"- {cite(key)}" for key in keys]
    (project / "docs" / "all-references.md").write_text("# All references\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    build = run_mkdocs(project)
    return request.param, keys, build


def test_every_entry_renders_without_visible_latex_or_has_a_located_warning(peer_site):
    path, keys, build = peer_site
    assert build.returncode == 0, build.output
    assert "Traceback" not in build.output
    page = build.html("all-references/")
    items = page.select("ol.reference-list > li .reference")
    assert len(items) == len(keys)
    warned = {key for key in keys if re.search(rf"bibliography\.bib:\d+: .*entry '{re.escape(key)}'", build.output)}
    clean = [key for key, item in zip(keys, items) if not LATEX.search(item.get_text())]
    assert set(keys) - set(clean) <= warned, f"visible LaTeX without a warning: {sorted(set(keys) - set(clean) - warned)}"
    print(f"{path.name}: {len(keys)} entries, {len(set(keys) - warned)} clean, {len(warned)} with warnings")


def test_every_warning_names_the_file_line_and_entry(peer_site):
    _, _, build = peer_site
    for line in build.output.splitlines():
        if line.startswith("WARNING") and "bibliography.bib" in line:
            assert re.search(r"bibliography\.bib:\d+: .*entry '", line) or "duplicate entry key" in line, line


@pytest.mark.parametrize("path", PEERS, ids=lambda p: p.stem)
def test_every_cited_entry_is_in_both_downloads(path):
    """Each entry written to the page's .bib and .ris, 'and others' kept as et al.; or a located warning."""
    bib, _ = load_bibliography(path, path.name)
    keys = [chunk.key for chunk in bib.chunks.values()]
    bib_text, bib_problems = bibtex(bib, keys)
    ris_text, ris_problems = ris(bib, keys)
    written = set(parse_string(bib_text, "bibtex").entries) | {p.message.split("'")[1] for p in bib_problems}
    assert written == set(keys)
    records = rispy.loads(ris_text)
    assert {r["id"] for r in records} | {p.message.split("'")[1] for p in ris_problems} == set(keys)
    for record in records:
        entry = bib.entry(record["id"])
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        if persons and str(persons[-1]) == "others":
            assert record["authors"][-1] == "et al."


# --- problems of single entries --------------------------------------------------------------------------------

def project_with_problems(tmp_path, cited: str = ""):
    project = make_project(tmp_path)
    bib = project / "bibliography.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n" + (FIXTURES / "bib" / "entry-problems.bib").read_text(
        encoding="utf-8"), encoding="utf-8")
    if cited:
        (project / "docs" / "cites.md").write_text(f"# Cites\n\n{cited}\n", encoding="utf-8")
    return project


def test_problems_of_uncited_entries_are_warnings_and_the_site_builds(tmp_path):
    project = project_with_problems(tmp_path)
    build = run_mkdocs(project)
    assert build.returncode == 0, build.output
    start = (project / "bibliography.bib").read_text(encoding="utf-8").count("\n", 0, (project / "bibliography.bib")
                                                                             .read_text(encoding="utf-8").index("@article{dangling2020"))
    for message in [f"bibliography.bib:{start + 1}: entry 'dangling2020' has crossref 'nowhere', which is not in the file",
                    f"bibliography.bib:{start + 5}: BibTeX syntax error in entry 'syntax2020', field title",
                    f"bibliography.bib:{start + 9}: no comma after the key 'nocomma2020'",
                    f"bibliography.bib:{start + 14}: duplicate entry key 'Dup2020' (also on line {start + 13}); this entry is ignored"]:
        assert message in build.output
    assert run_mkdocs(project, "--strict").returncode != 0  # a warning, as every warning, fails --strict


def test_problems_of_cited_entries_stop_the_build_all_in_one_run(tmp_path):
    project = project_with_problems(tmp_path, "See [@dangling2020], [@syntax2020; @nocomma2020] and [@dup2020].")
    pages = {"cites.md": (project / "docs" / "cites.md").read_text(encoding="utf-8")}
    with pytest.raises(ContentError) as caught:
        site.plan_site(project, handwritten=pages)
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 3 and any("dangling2020" in m for m in messages) and \
        any("syntax2020" in m for m in messages) and any("nocomma2020" in m for m in messages)
    assert all(p.location.file == "bibliography.bib" and p.location.line for p in caught.value.problems)


def test_the_build_reports_them_without_a_traceback(tmp_path):
    project = project_with_problems(tmp_path, "See [@dangling2020] and [@syntax2020].")
    build = run_mkdocs(project)
    assert build.returncode != 0 and "Traceback" not in build.output
    assert "2 problems in the case content" in build.output
