"""The site as plain Markdown for an engine without hooks (clinicase.static_export, `make export`)."""

import os
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from conftest import copy_repository, run_mkdocs, tree_digest


def test_the_export_builds_without_hooks_and_keeps_citations_and_pages(tmp_path, real_site):
    project = copy_repository(tmp_path)
    before = tree_digest(project / "content")
    result = subprocess.run([sys.executable, "-m", "clinicase.static_export", str(tmp_path / "export")], cwd=project,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(project / "hooks")})
    assert result.returncode == 0, result.stderr
    assert tree_digest(project / "content") == before
    config = (tmp_path / "export" / "mkdocs.yml").read_text(encoding="utf-8")
    assert "hooks:" not in config and "\nnav:\n" in config
    build = run_mkdocs(tmp_path / "export", "--strict")
    assert build.returncode == 0, build.output
    assert sorted(p.relative_to(build.site) for p in build.pages()) == sorted(p.relative_to(real_site.site) for p in real_site.pages())
    page = "cases/calcinosis-cutis-jssc/discussion/"
    exported, built = (BeautifulSoup((site / page / "index.html").read_text(encoding="utf-8"), "html.parser")
                       for site in (build.site, real_site.site))
    assert [a.get_text() for a in exported.select("a.citation-link")] == [a.get_text() for a in built.select("a.citation-link")]
    assert not exported.select("a.term-link") and built.select("a.term-link")  # glossary linking is the hooks' work
    assert (build.site / "cases/calcinosis-cutis-jssc/calcinosis-cutis-jssc.pptx").stat().st_size > 10_000


def test_the_export_never_writes_over_a_folder(tmp_path):
    project = copy_repository(tmp_path)
    (tmp_path / "taken").mkdir()
    result = subprocess.run([sys.executable, "-m", "clinicase.static_export", str(tmp_path / "taken")], cwd=project,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(project / "hooks")})
    assert result.returncode == 2 and "already exists" in result.stderr and list((tmp_path / "taken").iterdir()) == []


@pytest.mark.parametrize("make", [
    lambda docs, outside: (docs / "leak.md").symlink_to(outside / "secret.md"),
    lambda docs, outside: (docs / "folder").symlink_to(outside, target_is_directory=True),
    lambda docs, outside: os.mkfifo(docs / "pipe.md"),
])
def test_the_export_follows_the_file_rule_of_the_build(tmp_path, make):
    """A link out of the project is refused, not copied; a pipe is refused, not waited on."""
    project = copy_repository(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# outside secret\n", encoding="utf-8")
    make(project / "docs", outside)
    result = subprocess.run([sys.executable, "-m", "clinicase.static_export", str(tmp_path / "export")], cwd=project,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(project / "hooks")},
                            timeout=60)
    assert result.returncode == 1 and "docs/" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "export").exists()


def test_code_in_yaml_text_reaches_the_export_as_text(tmp_path):
    project = copy_repository(tmp_path)
    discussion = project / "content/cases/calcinosis-cutis-jssc/discussion.yml"
    text = discussion.read_text(encoding="utf-8")
    discussion.write_text(text.replace("Calcinosis cutis is the deposition", "`a < b && {c}` Calcinosis cutis is the deposition", 1),
                          encoding="utf-8")
    subprocess.run([sys.executable, "-m", "clinicase.static_export", str(tmp_path / "export")], cwd=project, check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(project / "hooks")})
    markdown = (tmp_path / "export/docs/cases/calcinosis-cutis-jssc/discussion.md").read_text(encoding="utf-8")
    assert "\ue000" not in markdown and "\ue001" not in markdown and "\ue002" not in markdown
    assert "`a &lt; b &amp;&amp; &#123;c}`" in markdown
