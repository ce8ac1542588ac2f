"""The unfolding case (clinicase.unfolding, clinicase.unfolding_page): stages in order, a gate that works
without JavaScript, no spoiler before a stage is opened, and every stage on paper."""

from __future__ import annotations

import io
import json
import re

import pytest
import yaml
from pypdf import PdfReader

from clinicase.bibliography import load_bibliography
from clinicase.content import load_casebook
from clinicase.errors import ContentError
from conftest import FIXTURES, REPO, add_case, make_project, offline_page

CASES = {"calcinosis-cutis-jssc": REPO / "content" / "cases" / "calcinosis-cutis-jssc",
         "synthetic-second-case": FIXTURES / "second-case" / "content" / "cases" / "synthetic-second-case"}
CALCINOSIS = "cases/calcinosis-cutis-jssc/unfolding/"
SECOND = "cases/synthetic-second-case/unfolding/"


def case_yaml(slug: str, name: str) -> dict:
    return yaml.safe_load((CASES[slug] / f"{name}.yml").read_text(encoding="utf-8"))


def words(text: str) -> str:
    return " ".join(text.split())


# --- the model and its located errors -------------------------------------------------------------------

def load(project):
    bibliography, _ = load_bibliography(project / "bibliography.bib", "bibliography.bib")
    return load_casebook(project, project / "content", bibliography)


def second_case_project(tmp_path, unfolding: str | None = None):
    project = make_project(tmp_path)
    add_case(project)
    if unfolding is not None:
        (project / "content/cases/synthetic-second-case/unfolding.yml").write_text(unfolding, encoding="utf-8")
    return project


def test_the_stages_are_read_in_order_with_what_each_shows(tmp_path):
    case = next(c for c in load(second_case_project(tmp_path)).cases if c.slug == "synthetic-second-case")
    raw = case_yaml("synthetic-second-case", "unfolding")
    assert case.unfolding.title == raw["title"]
    assert [(s.number, s.title) for s in case.unfolding.stages] == [(n, s["title"]) for n, s in enumerate(raw["stages"], 1)]
    first, second, last = case.unfolding.stages
    assert first.presentation == ("patient", "presenting_complaint", "history", "examination")
    assert first.figures == ("fig-hand",) and first.prompt.options == ("A synthetic test", "No test at all", "A second synthetic test")
    assert second.prompt.options == () and last.prompt is None
    assert case.unfolding.stage_of("fig-foot") == 2 and case.unfolding.stage_of("sec-diagnosis") == 3


BROKEN = """\
title: Synthetic second case (not a real patient), in stages
stages:
  - title: First
    shows:
      presentation: [patient, comorbidities]
      figures: [fig-hand, fig-nope]
  - title: Second
    shows:
      figures: [fig-hand]
      timeline: [first-vist]
    prompt:
      question: Why [@synthsource2026]?
  - title: Third
    shows:
      presentation: [diagnosis]
    reasoning: Reasoning with nothing to answer.
    colour: red
"""


def test_every_problem_of_an_unfolding_case_is_reported_at_its_line(tmp_path):
    project = second_case_project(tmp_path, BROKEN)
    where = "content/cases/synthetic-second-case/unfolding.yml"
    with pytest.raises(ContentError) as raised:
        load(project)
    assert f"{where}:17:5: stages[2].colour: unknown field 'colour' — allowed fields: title, text, shows" in raised.value.report()
    # A file that breaks its schema has no model to check against the case; without that field, the rules run.
    (project / where).write_text(BROKEN.replace("    colour: red\n", ""), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load(project)
    report = raised.value.report()
    for expected in [
        f"{where}:1:8: title: repeats the case's title, which the reader must not see before the last stage",
        f"{where}:5:31: stages[0].shows.presentation[1]: presentation.yml has no part 'comorbidities' — use one of: diagnosis,",
        f"{where}:6:27: stages[0].shows.figures[1]: figures.yml has no figure 'fig-nope' — did you mean",
        f"{where}:3:5: stages[0]: stage 1 has no prompt, so stage 2 would open without the reader committing",
        f"{where}:9:17: stages[1].shows.figures[0]: 'fig-hand' is already shown in stage 1",
        f"{where}:10:18: stages[1].shows.timeline[0]: timeline.yml has no event 'first-vist' — did you mean first-visit?",
        f"{where}:11:5: stages[1].prompt: a prompt needs the reasoning shown once the reader has answered",
        f"{where}:12:21: stages[1].prompt.question: cites 'synthsource2026', which the case's other files do not cite",
        f"{where}:16:5: stages[2].reasoning: reasoning is shown after the reader answers a prompt, and this stage has none",
    ]:
        assert expected in report, report


# --- the built page ---------------------------------------------------------------------------------------

def stage_ids(element) -> list[str]:
    return [h["id"] for h in element.select("h2[id^=stage-]")]


@pytest.mark.parametrize("path", [CALCINOSIS, SECOND])
def test_each_stage_is_nested_in_the_reveal_after_the_previous_prompt(casebook_site, path):
    html = casebook_site.html(path)
    ids = stage_ids(html)
    assert ids == [f"stage-{n}" for n in range(1, len(ids) + 1)] and len(ids) >= 3
    details = html.select("article details.cb-next")
    for n, reveal in enumerate(details[:len(ids) - 1], start=1):
        # A stage's reveal holds the next stage and every one after it, and its prompt comes just before it.
        assert stage_ids(reveal) == ids[n:]
        assert "cb-prompt" in reveal.find_previous_sibling().get("class", [])


def test_the_calcinosis_stages_show_what_unfolding_yml_names(casebook_site):
    html = casebook_site.html(CALCINOSIS)
    raw = case_yaml("calcinosis-cutis-jssc", "unfolding")
    figures = [f["id"] for f in case_yaml("calcinosis-cutis-jssc", "figures")["figures"]]
    for n, stage in enumerate(raw["stages"], start=1):
        heading = html.select_one(f"#stage-{n}")
        assert words(heading.get_text()).startswith(f"Stage {n} of {len(raw['stages'])}: {stage['title']}")
        for figure in stage["shows"].get("figures", []):
            shown = html.select_one(f"[id='{figure}']")
            assert shown.find_previous("h2", id=re.compile("^stage-"))["id"] == f"stage-{n}"
            assert words(shown.get_text()).rstrip("¶") == f"Figure {figures.index(figure) + 1}"
    diagnosis = html.select_one("#sec-diagnosis").find_next_sibling("p").get_text()
    assert words(diagnosis) == words(case_yaml("calcinosis-cutis-jssc", "presentation")["diagnosis"])


SPOILERS = {CALCINOSIS: ["calcinosis", "Limberg", "ankylosis", "dystrophic", "sacral"],
            SECOND: ["A synthetic diagnosis", "A synthetic operation", "A synthetic result"]}


@pytest.mark.parametrize("path", [CALCINOSIS, SECOND])
def test_nothing_of_a_later_stage_is_in_the_title_headings_navigation_or_metadata(casebook_site, path):
    html = casebook_site.html(path)
    slug = path.split("/")[1]
    case_title = case_yaml(slug, "case")["title"]
    before = [html.title.get_text(), *(m.get("content", "") for m in html.select("meta[name], meta[property]"))]
    assert not html.select(".md-nav--primary, .md-sidebar, nav.md-nav")  # navigation and contents name the case
    first_stage = html.select_one("article .cb-unfolding")
    for hidden in first_stage.select("details.cb-next"):
        hidden.decompose()
    before += [h.get_text() for h in html.select("h1, h2, h3, h4")]
    seen = " ".join(before + [first_stage.get_text()])
    for spoiler in [case_title, *SPOILERS[path]]:
        assert spoiler.casefold() not in seen.casefold(), spoiler


@pytest.mark.parametrize("path", [CALCINOSIS, SECOND])
def test_the_search_index_holds_the_first_stage_and_nothing_after_it(casebook_site, path):
    index = json.loads((casebook_site.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = [e for e in index["docs"] if e["location"].startswith(path)]
    assert any("#stage-1" in e["location"] for e in entries)
    assert not any(re.search(r"#(stage-[2-9]|reasoning-|references|source)", e["location"]) for e in entries)
    text = " ".join(e["title"] + " " + e["text"] for e in entries).casefold()
    for spoiler in SPOILERS[path]:
        assert spoiler.casefold() not in text, spoiler


def test_the_source_is_credited_after_the_last_stage_and_its_licence_named_before_the_first(casebook_site):
    html = casebook_site.html(CALCINOSIS)
    how = words(html.select_one(".admonition.info").get_text())
    assert "licensed CC BY-NC" in how and "credited in full after the last stage" in how
    last = html.select("details.cb-next")[-1]
    source = last.select_one("#source").find_next(class_="admonition")
    assert "Mahipathy" in source.get_text() and "Licence" in source.get_text()
    # The case's own citation numbers, and the list inside the last reveal, not after it.
    numbers = {li["value"]: words(li.select_one(".reference").get_text())
               for li in casebook_site.html("cases/calcinosis-cutis-jssc/references/").select("ol.reference-list > li")}
    listed = last.select("ol.reference-list > li")
    assert listed and all(numbers[li["value"]] == words(li.select_one(".reference").get_text()) for li in listed)
    assert not html.select("article > .md-content__inner > ol.reference-list, .cb-unfolding > ol.reference-list")


def test_no_glossary_preview_on_the_unfolding_page(casebook_site):
    """'systemic sclerosis' is in the first stage, and its definition names calcinosis."""
    assert not casebook_site.html(CALCINOSIS).select("article .term")
    assert casebook_site.html("cases/calcinosis-cutis-jssc/presentation/").select("article .term")


# --- in Chromium ----------------------------------------------------------------------------------------------

@pytest.fixture
def no_script(chromium):
    """A page with JavaScript off; requests to other hosts are refused and recorded."""
    context, tab = offline_page(chromium, java_script_enabled=False)
    yield tab
    context.close()


def test_without_javascript_each_stage_opens_only_after_an_answer_and_by_keyboard(casebook_site, serve_site, no_script):
    page = no_script
    page.goto(serve_site(casebook_site.site) + CALCINOSIS)
    stages = [page.locator(f"#stage-{n}") for n in range(1, 5)]
    opener = page.locator("details.cb-next > summary")
    assert stages[0].is_visible() and not any(s.is_visible() for s in stages[1:])
    assert not opener.first.is_visible()  # no answer yet: nothing to open the next stage with
    assert page.get_by_text("Write your answer to go on.").first.is_visible()
    page.locator("#cb-answer-1").focus()
    page.keyboard.type("Calcium? An X-ray of the pelvis.")
    page.keyboard.press("Tab")  # the control is now there, and next in the keyboard order
    assert page.evaluate("document.activeElement.textContent") == "Show the reasoning and stage 2 of 4"
    page.keyboard.press("Enter")
    assert stages[1].is_visible() and page.locator("#reasoning-1").is_visible()
    assert not stages[2].is_visible() and not opener.nth(1).is_visible()
    page.locator("#cb-answer-2").fill("Soft tissue calcification")
    opener.nth(1).click()
    assert stages[2].is_visible() and not stages[3].is_visible()
    assert page.external == []


def test_a_prompt_with_choices_opens_once_one_is_chosen(casebook_site, serve_site, no_script):
    page = no_script
    page.goto(serve_site(casebook_site.site) + SECOND)
    opener = page.locator("details.cb-next > summary").first
    assert not opener.is_visible() and not page.locator("#stage-2").is_visible()
    page.locator("#cb-choice-1-b").focus()
    page.keyboard.press("Space")
    assert opener.is_visible()
    opener.click()
    assert page.locator("#stage-2").is_visible() and page.locator("#fig-foot").is_visible()


def test_with_javascript_the_stages_behave_the_same(casebook_site, serve_site, page):
    page.goto(serve_site(casebook_site.site) + CALCINOSIS)
    assert not page.locator("#stage-2").is_visible() and not page.locator("details.cb-next > summary").first.is_visible()
    page.locator("#cb-answer-1").fill("An answer")
    page.locator("details.cb-next > summary").first.click()
    assert page.locator("#stage-2").is_visible() and not page.locator("#stage-3").is_visible()
    assert page.external == []


def test_printing_shows_every_stage_in_order_with_its_question(casebook_site, serve_site, no_script):
    page = no_script
    page.goto(serve_site(casebook_site.site) + CALCINOSIS)
    page.emulate_media(media="print")
    assert all(page.locator(f"#stage-{n}").is_visible() for n in range(1, 5))
    assert not page.locator("details.cb-next > summary").first.is_visible()
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = words(" ".join(p.extract_text(extraction_mode="layout") for p in pdf.pages))  # in reading order
    raw = case_yaml("calcinosis-cutis-jssc", "unfolding")
    places = [text.index(f"Stage {n} of 4") for n in range(1, 5)]
    questions = [text.index(f"Question {n}. {words(s['prompt']['question'])[:40]}") for n, s in enumerate(raw["stages"], 1)]
    reasoning = [text.index(words(s["reasoning"])[:40]) for s in raw["stages"]]
    assert places == sorted(places) and all(p < q < r for p, q, r in zip(places, questions, reasoning))
    assert all(r < p for r, p in zip(reasoning, places[1:]))
    assert text.index("The source of this case") > reasoning[-1]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation_closed_or_open(casebook_site, serve_site, chromium, scheme):
    from axe_playwright_python.sync_playwright import Axe

    context = chromium.new_context(color_scheme=scheme)
    tab = context.new_page()
    found = []
    for path in (CALCINOSIS, SECOND):
        tab.goto(serve_site(casebook_site.site) + path)
        for step in ("closed", "open"):
            if step == "open":
                tab.evaluate("document.querySelectorAll('details.cb-next').forEach(d => d.open = true)")
            found += [f"{path} {step}: {v['id']} at {v['nodes'][0]['target']}" for v in Axe().run(tab).response["violations"]
                      if v["impact"] in {"serious", "critical"}]
    context.close()
    assert found == []
