"""The build cache in clinicase/plan.py: reused only while every input is unchanged, never the truth."""

from __future__ import annotations

import pytest

from clinicase import site
from clinicase.errors import ContentError
from clinicase.plan import CACHE_DIR, inputs_key, load_plan
from conftest import make_project

DISCUSSION = "content/cases/mini-case/discussion.yml"


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def _stored(project):
    return sorted((project / CACHE_DIR / "plan").iterdir())


def _no_planning(*args, **kwargs):
    raise AssertionError("planned again although no input changed")


def test_unchanged_inputs_reuse_the_stored_plan(project, monkeypatch):
    first = load_plan(project)
    assert len(_stored(project)) == 1
    monkeypatch.setattr(site, "plan_site", _no_planning)
    again = load_plan(project)
    assert [p.markdown for p in again.pages] == [p.markdown for p in first.pages]
    assert again.assets == first.assets and again.downloads == first.downloads and again.nav == first.nav
    assert again.bibliography is None  # the parsed .bib is for planning only, never stored


@pytest.mark.parametrize("change", [
    lambda p: (p / DISCUSSION).write_text((p / DISCUSSION).read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"),
    lambda p: (p / "bibliography.bib").write_text((p / "bibliography.bib").read_text(encoding="utf-8") + "\n% edited\n",
                                                  encoding="utf-8"),
    lambda p: (p / "content/cases/mini-case/notes.txt").write_bytes(b"any file in a case folder counts"),
])
def test_any_changed_input_plans_again(project, change):
    before = inputs_key(project, {})
    load_plan(project)
    change(project)
    assert inputs_key(project, {}) != before
    load_plan(project)
    assert len(_stored(project)) == 1  # only the newest plan is kept


def test_settings_are_part_of_the_key(project):
    assert inputs_key(project, {"site_url": "https://a.example/"}) != inputs_key(project, {"site_url": ""})


def test_an_edit_reaches_the_pages(project):
    load_plan(project)
    path = project / DISCUSSION
    path.write_text(path.read_text(encoding="utf-8").replace("Several keys", "Freshly edited. Several keys", 1), encoding="utf-8")
    assert any("Freshly edited." in p.markdown for p in load_plan(project).pages)


def test_a_damaged_cache_file_is_ignored(project):
    expected = [p.markdown for p in load_plan(project).pages]
    _stored(project)[0].write_bytes(b"not a pickle")
    assert [p.markdown for p in load_plan(project).pages] == expected


def test_errors_are_never_cached(project):
    path = project / DISCUSSION
    path.write_text(path.read_text(encoding="utf-8") + "\n  - this: [is broken\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ContentError):
            load_plan(project)
    assert not (project / CACHE_DIR / "plan").exists()


def test_decks_and_pictures_travel_as_cache_files_and_a_deleted_one_plans_again(project):
    plan = load_plan(project)
    deck = plan.assets["cases/mini-case/mini-case.pptx"]
    assert deck.is_file() and CACHE_DIR in deck.as_posix() and "cases/mini-case/mini-case.pptx" not in plan.downloads
    deck.unlink()
    assert load_plan(project).assets["cases/mini-case/mini-case.pptx"].is_file()


def test_a_deleted_check_of_the_bibliography_plans_again(project):
    plan = load_plan(project)
    assert plan.bib_check.is_file()
    plan.bib_check.unlink()
    assert load_plan(project).uncited_warnings() == []
