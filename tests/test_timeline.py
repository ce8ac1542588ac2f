"""Timeline events dated as case reports date them, and the contradictions between dates (clinicase.timeline)."""

import shutil
import textwrap

import pytest
from bs4 import BeautifulSoup

from clinicase.bibliography import load_bibliography
from clinicase.content import load_casebook
from clinicase.errors import ContentError
from clinicase.visuals import timeline
from conftest import FIXTURES

SITE = FIXTURES / "site"
CASE = "content/cases/mini-case"


@pytest.fixture(scope="module")
def bib():
    return load_bibliography(SITE / "bibliography.bib", "bibliography.bib")[0]


def load(tmp_path, bib, events: str, age: str = "40 years"):
    """The fixture case with these timeline events (YAML under `events:`) and this patient age."""
    shutil.copytree(SITE / "content", tmp_path / "content")
    (tmp_path / CASE / "timeline.yml").write_text("events:\n" + textwrap.indent(textwrap.dedent(events), "  "),
                                                  encoding="utf-8")
    presentation = tmp_path / CASE / "presentation.yml"
    presentation.write_text(presentation.read_text().replace("age: 40 years", f"age: {age}"), encoding="utf-8")
    try:
        return load_casebook(tmp_path, tmp_path / "content", bib).cases[0].timeline, []
    except ContentError as error:
        return None, [str(p) for p in error.problems]


def event(id_, dating: str, kind: str = "history") -> str:
    return f"- id: {id_}\n  {dating}\n  kind: {kind}\n  see: fig-one\n  title: Event {id_}\n"


def drawn_labels(events) -> list[str]:
    svg = BeautifulSoup(timeline(events, lambda t: ("#" + t, "Figure 1"), title="T"), "html.parser")
    return [" ".join(s.get_text() for s in t.select("tspan")) for t in svg.select("text.cb-date, text.cb-when")]


@pytest.mark.parametrize("dating, label", [
    ('date: "2017"', "2017"),
    ('date: "2017-10"', "October 2017"),
    ('date: "2017-10-05"', "5 October 2017"),
    ("age: 27", "Age 27"),
    ('date: "2004"\n  age: 27', "2004, age 27"),
    ("from: {age: 27}\n  to: {age: 31}", "Age 27–31"),
    ('from: {date: "2015"}\n  to: {date: "2018-03"}', "2015 – March 2018"),
    ('from: {date: "2015"}', "From 2015"),
    ("from: {age: 30}", "From age 30"),
    ("when: After the operation", "After the operation"),
])
def test_each_dating_form_is_written_as_given_and_no_more(tmp_path, bib, dating, label):
    events, problems = load(tmp_path, bib, event("e", dating))
    assert problems == []
    [e] = events
    assert e.label == label
    assert " ".join(drawn_labels(events)) in {label, label.replace(", age", " Age").replace(", a", " A")}


def test_a_span_is_a_bar_and_an_open_span_is_dashed(tmp_path, bib):
    events, _ = load(tmp_path, bib, event("a", "from: {age: 27}\n  to: {age: 31}") + event("b", "age: 29")
                     + event("c", "from: {age: 32}"))
    svg = BeautifulSoup(timeline(events, lambda t: ("#" + t, "Figure 1"), title="T"), "html.parser")
    bars = svg.select("rect.cb-span")
    assert len(bars) == 2 and "cb-span-open" in bars[1]["class"] and "cb-span-open" not in bars[0]["class"]
    closed = bars[0]
    markers = [float(m["cy"]) for m in svg.select(".cb-mark") if m.name == "circle"]
    assert float(closed["y"]) + float(closed["height"]) >= markers[1], "the span reaches the event at age 29 within it"
    assert "a span, end not given" in svg.desc.get_text()


def test_the_words_of_the_source_stay_beside_the_dating_they_do_not_already_say(tmp_path, bib):
    events, _ = load(tmp_path, bib, event("a", "from: {age: 27}\n  to: {age: 31}\n  when: In her late twenties")
                     + event("b", "from: {age: 32}\n  to: {age: 33}\n  when: Between the ages of 32 and 33"))
    assert [e.described for e in events] == ["In her late twenties (Age 27–31)", "Between the ages of 32 and 33"]


def test_an_event_with_no_time_at_all_must_say_when_in_words(tmp_path, bib):
    _, problems = load(tmp_path, bib, "- id: e\n  kind: history\n  see: fig-one\n  title: Undated\n")
    assert problems == [f"{CASE}/timeline.yml:2:5: events[0]: missing required field 'when' — add `when:` "
                        "(What the source says about the time: an event with no `date:`, `age:` or `from:` is "
                        "placed by its order alone, and this says when it was, e.g. '10th post-operative day'.)"]


@pytest.mark.parametrize("events, age, expected", [
    (event("a", 'date: "2018"') + event("b", 'date: "2017-10"'), "40 years",
     "timeline.yml:8:11: events[1].date: October 2017 is earlier than 2018 (event 'a', line 3), which is listed "
     "before it — list events in the order they happened, or correct the date"),
    (event("a", "age: 31") + event("b", "age: 27"), "40 years",
     "timeline.yml:8:10: events[1].age: Age 27 is younger than age 31 (event 'a', line 3), which is listed before "
     "it — list events in the order they happened, or correct the age"),
    (event("a", "from: {age: 31}\n  to: {age: 27}"), "40 years",
     "timeline.yml:4:15: events[0].to.age: the span ends at age 27, before it starts at age 31 — correct the "
     "ages, or swap `from:` and `to:`"),
    (event("a", 'from: {date: "2018"}\n  to: {date: "2016"}'), "40 years",
     "timeline.yml:4:16: events[0].to.date: the span ends (2016) before it starts (2018) — correct the dates, or "
     "swap `from:` and `to:`"),
    (event("a", "age: 27", kind="presentation"), "31 years",
     "timeline.yml:3:10: events[0].age: age 27 at the first presentation does not agree with the patient's age "
     "'31 years' (content/cases/mini-case/presentation.yml, line 2) — correct one of the two; if this is an "
     "earlier presentation, not the one presentation.yml describes, give it another kind (e.g. history)"),
    (event("a", 'date: "2004"\n  age: 27') + event("b", 'date: "2010"\n  age: 40'), "40 years",
     "timeline.yml:10:10: events[1].age: Age 40 in 2010 (event 'b', line 9) cannot be true together with age 27 "
     "in 2004 (event 'a', line 3): the patient would be born in 1969 or 1970 by one and in 1976 or 1977 by the "
     "other — correct the age or the date that is wrong"),
    (event("a", 'date: "2023-02-30"'), "40 years",
     "timeline.yml:3:11: events[0].date: the date 2023-02-30 does not exist (February 2023 has 28 days) — correct "
     "the date; if the source gives only the year or month, write just that, e.g. \"2017\" or \"2017-10\""),
    (event("a", 'date: "2017"\n  from: {date: "2016"}'), "40 years",
     "timeline.yml:3:5: events[0].date: the event is dated both at one time (`date:`) and as a span (`from:`) — "
     "keep one: `date:` for a point in time, or `from:`/`to:` for a span"),
    (event("a", "to: {age: 31}"), "40 years",
     "timeline.yml:3:5: events[0].to: `to:` ends a span, but the event has no `from:` — add `from:` with the start "
     "the source gives; if it gives only an end, date the event by it (`date:`/`age:`) and say 'until …' in `when:`"),
])
def test_each_contradiction_is_a_located_error(tmp_path, bib, events, age, expected):
    _, problems = load(tmp_path, bib, events, age)
    assert problems == [f"{CASE}/{expected}"]


@pytest.mark.parametrize("dating, label", [("date: 2017-10-05", "5 October 2017"), ('date: "2017-10-05"', "5 October 2017")])
def test_a_full_date_needs_no_quotes(tmp_path, bib, dating, label):
    """YAML reads 2017-10-05 as a date of its own; the case keeps the text as written."""
    events, problems = load(tmp_path, bib, event("e", dating))
    assert problems == [] and events[0].label == label


@pytest.mark.parametrize("dating, why", [("date: 2026-02-30", "February 2026 has 28 days"),
                                         ('date: "2026-03-41"', "March 2026 has 31 days"),
                                         ('date: "2026-13"', "there is no month 13")])
def test_a_date_no_calendar_has_is_said_so_with_the_rest_of_the_file(tmp_path, bib, dating, why):
    """Not "not in the expected form" (the form is right), not "put it in quotes" (quotes make no day), and not
    alone: the unknown kind of the next event in the same file is reported in the same run."""
    _, problems = load(tmp_path, bib, event("a", dating) + event("b", 'date: "2027"', kind="symptom-onset"))
    date = dating.split(": ")[1].strip('"')
    assert sorted(problems) == [
        f"{CASE}/timeline.yml:3:11: events[0].date: the date {date} does not exist ({why}) — correct the date; if the "
        "source gives only the year or month, write just that, e.g. \"2017\" or \"2017-10\"",
        f"{CASE}/timeline.yml:9:11: events[1].kind: unknown event kind 'symptom-onset' — did you mean onset?"]


def test_one_mistyped_age_is_reported_at_that_event_not_at_every_later_one(tmp_path, bib):
    """29 where 27 was meant: the later events at 27, 28 and 30 are in order among themselves."""
    events = "".join(event(name, f"age: {age}") for name, age in [("a", 27), ("b", 29), ("c", 27), ("d", 28), ("e", 30)])
    _, problems = load(tmp_path, bib, events)
    assert problems == [f"{CASE}/timeline.yml:8:10: events[1].age: Age 29 is older than age 27 (event 'c', line 13), "
                        "which is listed after it — list events in the order they happened, or correct the age"]


def test_a_year_between_two_months_does_not_hide_that_they_are_out_of_order(tmp_path, bib):
    """'2017' may come before or after 'December 2017' and 'January 2017', but those two are in the wrong order."""
    events = event("a", 'date: "2017-12"') + event("b", 'date: "2017"') + event("c", 'date: "2017-01"')
    _, problems = load(tmp_path, bib, events)
    assert problems == [f"{CASE}/timeline.yml:13:11: events[2].date: January 2017 is earlier than December 2017 (event "
                        "'a', line 3), which is listed before it — list events in the order they happened, or correct "
                        "the date"]


def test_dates_and_ages_on_different_scales_are_not_compared_for_order(tmp_path, bib):
    """An age and a date say nothing about each other's order unless an event gives both."""
    events, problems = load(tmp_path, bib, event("a", 'date: "2018"') + event("b", "age: 12"))
    assert problems == [] and [e.label for e in events] == ["2018", "Age 12"]
