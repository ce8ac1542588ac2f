"""The benchmark's generated casebooks are real, valid projects (its timings live in benchmarks/, not here)."""

import sys

from clinicase.bibliography import load_bibliography
from clinicase.site import plan_site
from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import run  # noqa: E402


def test_generated_casebook_and_its_baseline(tmp_path):
    project = run.make_casebook(tmp_path, cases=3, entries=60)
    bib, problems = load_bibliography(project / "bibliography.bib", "bibliography.bib")
    assert problems == [] and len(bib.chunks) == 60
    plan = plan_site(project)
    pages = {page.src_uri: page.markdown for page in plan.pages}
    assert "cohort" in pages["cases/calcinosis-cutis-jssc-003/references.md"]  # a copy cites the synthetic library
    assert "cohort" not in pages["cases/calcinosis-cutis-jssc/references.md"]  # the real case, its real references
    baseline = run.make_baseline(project)
    assert (baseline / "docs" / "cases" / "calcinosis-cutis-jssc-003" / "discussion.md").is_file()
    config = (baseline / "mkdocs.yml").read_text(encoding="utf-8")
    assert "hooks:" not in config and "watch:" not in config and "\nnav:\n" in config
    seconds, _ = run.build_once(baseline)  # it builds (a missing theme folder once stopped it); time is not checked
    assert seconds > 0


def test_with_the_large_library_each_case_cites_150_more_entries(tmp_path):
    project = run.make_casebook(tmp_path, cases=1, entries=3000)
    plan = plan_site(project)
    references = next(p.markdown for p in plan.pages if p.src_uri == "cases/calcinosis-cutis-jssc/references.md")
    assert references.count("cohort") == 150
