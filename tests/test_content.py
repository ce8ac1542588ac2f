"""Loading and validating case content, with located errors (clinicase.content)."""

import shutil
from pathlib import Path

import pytest

from clinicase.bibliography import load_bibliography
from clinicase.content import load_casebook
from clinicase.errors import ContentError
from conftest import FIXTURES, REPO, tree_digest

SITE = FIXTURES / "site"
CASE = "content/cases/mini-case"


@pytest.fixture(scope="module")
def bib():
    return load_bibliography(SITE / "bibliography.bib", "bibliography.bib")[0]


def content_with(tmp_path: Path, error_fixture: str | None = None) -> Path:
    """The fixture content, with the files of one error fixture laid over the case."""
    shutil.copytree(SITE / "content", tmp_path / "content")
    if error_fixture:
        for path in (FIXTURES / "errors" / error_fixture).iterdir():
            shutil.copy(path, tmp_path / CASE / path.name)
    return tmp_path


def problems(tmp_path, bib, error_fixture) -> list[str]:
    root = content_with(tmp_path, error_fixture)
    before = tree_digest(root / "content")
    with pytest.raises(ContentError) as caught:
        load_casebook(root, root / "content", bib)
    assert tree_digest(root / "content") == before, "loading must never modify content"
    return [str(p) for p in caught.value.problems]


def test_fixture_case_loads_with_numbered_figures(tmp_path, bib):
    root = content_with(tmp_path)
    [case] = load_casebook(root, root / "content", bib).cases
    assert case.slug == "mini-case" and [f.number for f in case.figures] == [1]
    assert case.source.cite == "fixturesource2024"


def test_real_content_loads(tmp_path):
    real_bib, _ = load_bibliography(REPO / "bibliography.bib", "bibliography.bib")
    [case] = load_casebook(REPO, REPO / "content", real_bib).cases
    assert len(case.figures) == 7
    assert [e.id for e in case.timeline][:2] == ["features-2003", "presentation"]


ERRORS = {
    "yaml-syntax-error": [f"{CASE}/discussion.yml:6:1: YAML syntax error: found unexpected end of stream, while "
                          "scanning a quoted scalar that starts on line 4 — check quotes, indentation and colons "
                          "around these lines"],
    "unknown-citation-key": [f"{CASE}/discussion.yml:6:36: sections[0].body: unknown citation key 'alpha202O' "
                             "— closest known keys: alpha2020"],
    "missing-required-field": [f"{CASE}/case.yml:1:1: missing required field 'title' — add `title:` "
                               "(Page title of the case.)"],
    "unknown-field-typo": [f"{CASE}/case.yml:2:1: summmary: unknown field 'summmary' — did you mean 'summary'?",
                           f"{CASE}/case.yml:1:1: missing required field 'summary' — add `summary:` "
                           "(One-line summary shown on the home page (Markdown).)"],
    "duplicate-id": [f"{CASE}/figures.yml:7:9: figures[1].id: duplicate id 'fig-one' "
                     f"(also used at {CASE}/figures.yml:2:9) — give each figure, event, section and treatment its own id"],
    "missing-figure-reference": [f"{CASE}/presentation.yml:5:14: examination[0]: no figure with id 'fig-on' in this case "
                                 "— did you mean @fig-one?"],
    "missing-image": [f"{CASE}/figures.yml:7:12: figures[0].image: image file 'images/not-there.png' not found "
                      f"— add it under {CASE}/ or remove the field"],
    "unsafe-image-path": [f"{CASE}/figures.yml:7:12: figures[0].image: image path '../../../../../etc/hostname' must be "
                          "a relative path inside the case folder — copy the image into the case folder and give its "
                          "relative path"],
    "yaml-boolean-surprise": [f"{CASE}/presentation.yml:2:58: presenting_complaint.duration: expected string, got "
                              "true/false (False) — put the value in quotes (YAML reads yes/no/on/off as true/false, "
                              "012 and 1:30 as numbers)"],
    "duplicate-key": [f"{CASE}/case.yml:3:1: title: duplicate key 'title' (first given on line 1) — keep one of them; "
                      "YAML would silently drop the first"],
    "citation-in-plain-text-field": [f"{CASE}/figures.yml:5:10: figures[0].alt: this field is plain text and cannot "
                                     "hold citations or cross-references — move the citation to the caption or body text"],
    "unknown-section-reference": [
        f"{CASE}/discussion.yml:4:15: sections[0].body: no section with id 'sec-histroy' in this case — did you mean "
        "@sec-history, @sec-cited?",
        f"{CASE}/discussion.yml:4:32: sections[0].body: no table with id 'tbl-nope' in this case — add the table or "
        "correct the id"],
    "unknown-see-target": [f"{CASE}/sites.yml:5:10: sites[0].see: no figure with id 'fig-onee' in this case — "
                           "did you mean fig-one?"],
    "unknown-body-region": [f"{CASE}/sites.yml:2:15: sites[0].regions[0]: unknown body region 'left-knee' — "
                            "did you mean knee-left?"],
    "two-correct-answers": [f"{CASE}/quiz.yml:5:7: questions[0].options: 2 options are marked correct — mark exactly "
                            "one option `correct: true`"],
    "image-without-credit": [f"{CASE}/figures.yml:2:5: figures[0]: an image needs 'credit' — add `credit:` (who made "
                             "the image / its licence)",
                             f"{CASE}/figures.yml:2:5: figures[0]: an image needs 'licence' — add `licence:` (who made "
                             "the image / its licence)"],
    "tab-indentation": [f"{CASE}/case.yml:4:1: tab used for indentation — YAML indents with spaces only; "
                        "replace the tab with spaces"],
}


@pytest.mark.parametrize("fixture", sorted(ERRORS))
def test_each_bad_input_gets_its_located_message(tmp_path, bib, fixture):
    assert sorted(problems(tmp_path, bib, fixture)) == sorted(ERRORS[fixture])


def test_all_problems_are_reported_together(tmp_path, bib):
    root = content_with(tmp_path, "unknown-citation-key")
    for path in (FIXTURES / "errors" / "duplicate-id").iterdir():
        shutil.copy(path, root / CASE / path.name)
    with pytest.raises(ContentError) as caught:
        load_casebook(root, root / "content", bib)
    assert len(caught.value.problems) == 2
    assert caught.value.report().startswith("2 problems in the case content:")


def test_missing_required_file(tmp_path, bib):
    root = content_with(tmp_path)
    (root / CASE / "discussion.yml").unlink()
    with pytest.raises(ContentError) as caught:
        load_casebook(root, root / "content", bib)
    assert [str(p) for p in caught.value.problems] == [
        f"{CASE}/discussion.yml: required file is missing — create it (see hooks/clinicase/schemas/discussion.schema.json)"]


def test_misnamed_case_file_is_not_silently_ignored(tmp_path, bib):
    root = content_with(tmp_path)
    shutil.copy(root / CASE / "figures.yml", root / CASE / "figure.yml")
    with pytest.raises(ContentError) as caught:
        load_casebook(root, root / "content", bib)
    assert "rename it to figures.yml" in str(caught.value)


def figure_problems(tmp_path, bib, image: str, setup=lambda case: None) -> list[str]:
    root = content_with(tmp_path, "missing-image")
    case = root / CASE
    setup(case)
    figures = case / "figures.yml"
    figures.write_text(figures.read_text(encoding="utf-8").replace("images/not-there.png", image), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_casebook(root, root / "content", bib)
    return [p.message for p in caught.value.problems]


def test_image_files_are_checked_where_the_figure_names_them(tmp_path, bib):
    """The rules themselves are tested in test_images.py; here, that every figure's image is checked, in place."""
    def svg(case):
        (case / "drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', encoding="utf-8")
    messages = figure_problems(tmp_path, bib, "drawing.svg", svg)
    assert len(messages) == 1 and messages[0].startswith("SVG 'drawing.svg' has an event handler onload=")


def edited(tmp_path, file: str, old: str, new: str) -> Path:
    """The fixture content with one edit to one of the case's files."""
    root = content_with(tmp_path)
    path = root / CASE / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


def load_problems(root: Path, bib) -> list:
    with pytest.raises(ContentError) as caught:
        load_casebook(root, root / "content", bib)
    return caught.value.problems


@pytest.mark.parametrize("value, shown", [("012", "a number (10)"), ("1:30", "a number (90)"), ("no", "true/false (False)")])
def test_yaml_1_1_surprises_are_caught_with_the_value_yaml_read(tmp_path, bib, value, shown):
    [problem] = load_problems(edited(tmp_path, "presentation.yml", "duration: one week", f"duration: {value}"), bib)
    assert str(problem).startswith(f"{CASE}/presentation.yml:6:13: presenting_complaint.duration: expected string, "
                                   f"got {shown} — put the value in quotes")


def test_a_date_in_text_is_kept_as_written(tmp_path, bib):
    """YAML 1.1 would make 2017-10-01 a date object; the site shows text, so it stays the author's text."""
    root = edited(tmp_path, "presentation.yml", "duration: one week", "duration: 2017-10-01")
    [case] = load_casebook(root, root / "content", bib).cases
    assert case.presentation["presenting_complaint"]["duration"] == "2017-10-01"


def test_a_tag_the_value_cannot_carry_is_a_located_problem(tmp_path, bib):
    problems = load_problems(edited(tmp_path, "presentation.yml", "duration: one week", "duration: !!int a week"), bib)
    assert [str(p) for p in problems] == [f"{CASE}/presentation.yml:6:13: presenting_complaint.duration: 'a week' cannot "
                                          "be read as int — remove the `!!` tag before it"]


def test_what_reading_finds_does_not_hide_what_the_schema_finds(tmp_path, bib):
    """A duplicate key (found while reading) and an unknown field (found by the schema) in one file: one run."""
    root = edited(tmp_path, "presentation.yml", "presenting_complaint:", "diagnoses: a typo\npresenting_complaint: again\n"
                  "presenting_complaint:")
    messages = [p.message for p in load_problems(root, bib)]
    assert any(m.startswith("duplicate key 'presenting_complaint'") for m in messages)
    assert "unknown field 'diagnoses'" in messages


def test_a_figure_reference_is_checked_while_another_file_is_still_wrong(tmp_path, bib):
    """Figures come from figures.yml alone: once it passes, @fig-… is checked whatever else is wrong (here a
    body region no vocabulary has); a section reference waits for the whole case (its targets come from
    several files)."""
    root = edited(tmp_path, "presentation.yml", "duration: one week", "duration: one week, see @fig-ekg and @sec-nowhere")
    (root / CASE / "sites.yml").write_text("sites:\n  - regions: [hart]\n    kinds: [lesion]\n    label: A site\n"
                                           "    see: fig-one\n", encoding="utf-8")
    assert sorted((p.message, p.fix) for p in load_problems(root, bib)) == [
        ("no figure with id 'fig-ekg' in this case", "did you mean @fig-one?"),
        ("unknown body region 'hart'", "did you mean heart?")]


@pytest.mark.parametrize("field, old, fix", [
    ("patient.sex", "sex: not stated", "this field is required: use one of: female, male, not stated"),
    ("presenting_complaint.duration", "duration: one week", "write the text, or remove the field (it is optional)")])
def test_a_blank_field_is_reported_once_and_says_whether_it_may_go(tmp_path, bib, field, old, fix):
    problems = load_problems(edited(tmp_path, "presentation.yml", old, old.split(":")[0] + ': ""'), bib)
    assert [(p.field, p.message, p.fix) for p in problems] == [(field, "is blank", fix)]


@pytest.mark.parametrize("file, old, new, field", [
    ("presentation.yml", "duration: one week", "duration: Not stated", "presenting_complaint.duration"),
    ("presentation.yml", "duration: one week", "duration: not stated in the source.", "presenting_complaint.duration"),
    ("case.yml", "ethics:", "ethics:\n  funding: Not stated", "ethics.funding")])
def test_the_words_not_stated_are_refused_where_the_field_has_a_form_for_it(tmp_path, bib, file, old, new, field):
    """'…, for Not stated' on a page is a sentence the source never said."""
    [problem] = load_problems(edited(tmp_path, file, old, new), bib)
    assert (problem.field, problem.fix) == (field, "write `{not_stated: true}` instead: the page then says, in a "
                                                   "sentence of its own, that the source does not state it")


@pytest.mark.parametrize("file, old, new, field", [
    ("case.yml", "licence: cc-by-nc", 'licence: ""', "source.licence"),  # was a KeyError while building the case
    ("presentation.yml", "duration: one week", "duration: !!int", "presenting_complaint.duration"),  # an IndexError
    ("presentation.yml", "duration: one week", 'duration: !!float ""', "presenting_complaint.duration")])
def test_a_value_that_says_nothing_is_one_located_problem_never_a_traceback(tmp_path, bib, file, old, new, field):
    [problem] = load_problems(edited(tmp_path, file, old, new), bib)
    assert problem.field == field


def test_a_licence_written_as_people_write_it_gets_the_id_suggested(tmp_path, bib):
    [problem] = load_problems(edited(tmp_path, "case.yml", "licence: cc-by-nc", "licence: CC BY-NC 4.0"), bib)
    assert (problem.message, problem.fix) == ("unknown licence 'CC BY-NC 4.0'", "did you mean cc-by-nc-4.0?")


# --- the vocabularies: data files, published in the schemas and the README -------------------------

def test_the_schema_files_and_the_readme_are_up_to_date_with_the_vocabulary_files():
    """Edit hooks/clinicase/schemas/vocabularies/*.json, then run build_schemas.py there: this says when you forgot."""
    from clinicase import vocabularies

    for name in vocabularies.PUBLISHED:
        assert vocabularies.schema_path(name).read_text(encoding="utf-8") == vocabularies.published_schema(name), \
            f"{name}.schema.json is out of date: run .venv/bin/python hooks/clinicase/schemas/vocabularies/build_schemas.py"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert vocabularies.README_START in readme and vocabularies.README_END in readme
    assert readme == vocabularies.published_readme(readme), "the README's vocabulary tables are out of date: run build_schemas.py"


def test_every_vocabulary_id_is_an_enum_of_its_schema():
    from clinicase.content import schema
    from clinicase.vocabularies import body_regions, event_kinds, site_kinds

    site = schema("sites")["properties"]["sites"]["items"]["properties"]
    assert site["regions"]["items"]["enum"] == list(body_regions())
    assert site["kinds"]["items"]["enum"] == list(site_kinds())
    assert list(schema("sites")["properties"]["kind_labels"]["properties"]) == list(site_kinds())
    assert schema("timeline")["properties"]["events"]["items"]["properties"]["kind"]["enum"] == list(event_kinds())


def sites_problems(tmp_path, bib, text: str) -> list[str]:
    root = content_with(tmp_path)
    (root / CASE / "sites.yml").write_text(text, encoding="utf-8")
    try:
        load_casebook(root, root / "content", bib)
    except ContentError as caught:
        return [str(p) for p in caught.problems]
    return []


def test_one_message_per_unknown_region_and_a_close_suggestion_for_each(tmp_path, bib):
    found = sites_problems(tmp_path, bib, "sites:\n  - regions: [left-knee, kne-right, knee-left]\n    kinds: [lesion]\n"
                                          "    label: Knees\n    see: fig-one\n")
    assert found == [f"{CASE}/sites.yml:2:15: sites[0].regions[0]: unknown body region 'left-knee' — did you mean knee-left?",
                     f"{CASE}/sites.yml:2:26: sites[0].regions[1]: unknown body region 'kne-right' — did you mean "
                     "knee-right, kidney-right, ankle-right?"]


def test_an_unknown_kind_and_an_unknown_kind_label_are_located(tmp_path, bib):
    found = sites_problems(tmp_path, bib, "kind_labels:\n  lesoin: Nodule\nsites:\n  - regions: [chin]\n"
                                          "    kinds: [procedur]\n    label: Chin\n    see: fig-one\n")
    assert sorted(found) == sorted([
        f"{CASE}/sites.yml:2:3: kind_labels.lesoin: unknown field 'lesoin' — did you mean 'lesion'?",
        f"{CASE}/sites.yml:5:13: sites[0].kinds[0]: unknown site kind 'procedur' — did you mean procedure?"])


def test_sites_may_carry_kind_labels_and_key_points(tmp_path, bib):
    root = content_with(tmp_path)
    (root / CASE / "sites.yml").write_text(
        "kind_labels:\n  lesion: Nodule\nkey_points:\n  - One point.\nsites:\n  - regions: [chin]\n"
        "    kinds: [lesion, procedure]\n    label: Chin\n    see: fig-one\n", encoding="utf-8")
    [case] = load_casebook(root, root / "content", bib).cases
    assert case.sites[0].kinds == ("lesion", "procedure") and case.sites[0].kind_labels == ("Nodule", "")
    assert case.key_points["sites"] == ["One point."]
