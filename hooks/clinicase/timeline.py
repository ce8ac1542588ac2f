"""Dating timeline events the way case reports do, and the checks between the dates.

A case report dates an event by a year, a month or a day, by the patient's age, by a span ("from age 27 to
31", "since 2015") or not at all ("after the operation"). timeline.yml says which, with the same two keys
everywhere: `date:` ("YYYY", "YYYY-MM" or "YYYY-MM-DD") and `age:` (whole years). A point in time is an
event's own `date:` and/or `age:`; a span is `from:` and, where the source gives one, `to:`, each holding
`date:` and/or `age:`. An event with none of them is placed by its order alone, and its `when:` says what
the source says. Nothing here ever makes a date up: labels are written from what the author gave, and a
check reports only what the given dates and ages contradict.

Plain Python, no MkDocs: content.py loads events with `events()` and reports `problems()`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from .errors import Location, Problem

if TYPE_CHECKING:
    from .yaml_source import Document, FieldPath

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
Day = tuple[int, int, int]  # (year, month, day): compared as tuples, so no calendar arithmetic can overflow


@dataclass(frozen=True)
class Moment:
    """One end of a span, as the source gives it: a date, an age, or both."""

    date: str = ""  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"
    age: int | None = None  # the patient's age in whole years

    @property
    def label(self) -> str:
        return moment_label(self.date, self.age)


@dataclass(frozen=True)
class TimelineEvent:
    id: str
    when: str  # what the source says about the time; "" where the date, age or span says it all
    title: str
    kind: str
    see: str  # id of the figure or section that tells it
    text: str = ""
    date: str = ""  # of an event at one point in time
    age: int | None = None
    start: Moment | None = None  # of a span (`from:`)
    end: Moment | None = None  # of a span (`to:`); None in a span whose end the source does not give

    @property
    def is_span(self) -> bool:
        return self.start is not None

    @property
    def is_open(self) -> bool:
        """A span whose end the source does not give."""
        return self.start is not None and self.end is None

    @property
    def dating(self) -> str:
        """The date, age or span as written from the fields: 'October 2017', 'Age 27', 'Age 27–31',
        'From 2015'; '' for an event known only by its order."""
        if self.start is None:
            return moment_label(self.date, self.age)
        if self.end is None:
            start = self.start.label
            return f"From {start[0].lower() + start[1:] if start.startswith('Age') else start}"
        return span_label(self.start, self.end)

    @property
    def label(self) -> str:
        """How the event's time is shown in words: the source's `when`, else the dating."""
        return self.when or self.dating

    @property
    def described(self) -> str:
        """The time in full words: the source's `when`, with the dating after it where `when` does not already
        say it ('In her late twenties (Age 27–31)'); for the drawing's description and link titles."""
        if not self.when or not self.dating or covers(self.when, self.dating):
            return self.label
        return f"{self.when} ({self.dating})"

    @property
    def scales(self) -> tuple[str, ...]:
        """Which of 'date' and 'age' date this event."""
        first = self.start or Moment(self.date, self.age)
        ends = (first, self.end) if self.end else (first,)
        return tuple(s for s in ("date", "age") if any(getattr(m, s) not in ("", None) for m in ends))


def date_label(date: str) -> str:
    """'2017' -> '2017', '2017-10' -> 'October 2017', '2017-10-05' -> '5 October 2017' (as given, never more)."""
    match = DATE.match(date)
    if not match:
        return date
    year, month, day = match.groups()
    if not month or not 1 <= int(month) <= 12:
        return year if not month else date
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}" if day else f"{MONTHS[int(month) - 1]} {year}"


def moment_label(date: str, age: int | None) -> str:
    parts = [date_label(date)] if date else []
    if age is not None:
        parts.append(f"age {age}" if parts else f"Age {age}")
    return ", ".join(parts)


def span_label(start: Moment, end: Moment) -> str:
    """'2015–2018', 'Age 27–31', 'October 2015 – March 2018', '2015 – age 31'."""
    if start.age is not None and end.age is not None and not start.date and not end.date:
        return f"Age {start.age}–{end.age}"
    first, last = start.label, end.label
    if last.startswith("Age"):
        last = "a" + last[1:]
    return f"{first}–{last}" if " " not in first + last else f"{first} – {last}"


def covers(words: str, dating: str) -> bool:
    """Whether `words` already give every number and month of `dating` ('between 27 and 31' covers 'Age 27–31')."""
    said = set(re.findall(r"[0-9]+|[^\W\d_]+", words.casefold()))
    needed = re.findall(r"[0-9]+", dating) + [m.casefold() for m in MONTHS if m in dating]
    return all(part in said for part in needed)


# --- loading --------------------------------------------------------------------------------

def _moment(raw: Any) -> Moment | None:
    if not isinstance(raw, dict):
        return None
    return Moment(str(raw.get("date", "")), raw.get("age"))


def event(raw: dict[str, Any]) -> TimelineEvent:
    """One event of a schema-valid timeline.yml (a `to:` without `from:` is reported by problems())."""
    start, end = _moment(raw.get("from")), _moment(raw.get("to"))
    return TimelineEvent(raw["id"], raw.get("when", ""), raw["title"], raw["kind"], raw["see"], raw.get("text", ""),
                         raw.get("date", ""), raw.get("age"), start, end if start else None)


def events(data: dict[str, Any]) -> list[TimelineEvent]:
    return [event(raw) for raw in data["events"]]


# --- the checks ------------------------------------------------------------------------------

def days(date: str) -> tuple[Day, Day] | None:
    """The first and last day a date may mean ('2017' is 1 January to 31 December); None if no such date."""
    match = DATE.match(date)
    if not match:
        return None
    year, month, day = (int(g) if g else 0 for g in match.groups())
    if year < 1 or not 0 <= month <= 12 or (day and not month):
        return None
    if not month:
        return (year, 1, 1), (year, 12, 31)
    last = calendar.monthrange(year, month)[1]
    if not day:
        return (year, month, 1), (year, month, last)
    return ((year, month, day),) * 2 if 1 <= day <= last else None


def _no_such_date(date: str) -> str:
    """Why a date of the right form does not exist."""
    year, month, day = (int(g) if g else 0 for g in DATE.match(date).groups())
    if year < 1:
        return "there is no year 0000"
    if not 1 <= month <= 12:
        return f"there is no month {month:02d}"
    return f"{MONTHS[month - 1]} {year} has {calendar.monthrange(year, month)[1]} days"


@dataclass
class _Point:
    """A time given in the file (an event's own, or one end of its span), with where it was given."""

    index: int  # of the event
    base: FieldPath  # of the mapping that holds its date and age: the event, or its `from:`/`to:`
    event_id: str
    line: int
    date: str = ""
    age: int | None = None
    days: tuple[Day, Day] | None = None
    stated: tuple[int, str, Location] | None = None  # set when presentation.yml's patient.age stands in for the age

    def field(self, scale: str, doc: Document) -> FieldPath:
        """The field that gives its date or age; the event itself for an age that presentation.yml gives."""
        path = (*self.base, scale)
        return path if path in doc.value_marks else ("events", self.index)

    @property
    def where(self) -> str:
        return f"event '{self.event_id}', line {self.line}"

    @property
    def date_said(self) -> str:
        return f"{date_label(self.date)} ({self.where})"

    @property
    def age_said(self) -> str:
        if self.stated:
            years, text, at = self.stated
            return f"the patient's age at presentation, '{text}' ({at.file}, line {at.line})"
        return f"age {self.age} ({self.where})"

    @property
    def both_said(self) -> str:
        if self.stated:
            return f"{self.age_said} in {date_label(self.date)}"
        return f"age {self.age} in {date_label(self.date)} ({self.where})"


def _points(doc: Document, index: int, raw: dict[str, Any], key: str | None) -> _Point | None:
    """The date and age given at `key` ('from', 'to') of an event, or its own (None)."""
    holder = raw if key is None else raw.get(key)
    if not isinstance(holder, dict) or ("date" not in holder and "age" not in holder):
        return None
    base = ("events", index) if key is None else ("events", index, key)
    date, age = holder.get("date", ""), holder.get("age")
    line = doc.where((*base, "date") if date else (*base, "age")).line or 0
    return _Point(index, base, str(raw.get("id", index + 1)), line, date, age, days(date) if date else None)


def problems(doc: Document | None, presentation: Document | None = None) -> list[Problem]:
    """Every contradiction in a schema-valid timeline.yml, each at its file, line and field."""
    if doc is None:
        return []
    found: list[Problem] = []
    raw_events = doc.data["events"]
    starts: list[_Point | None] = []
    ends: list[_Point | None] = []
    for index, raw in enumerate(raw_events):
        found += _shape_problems(doc, index, raw)
        start = _points(doc, index, raw, "from") if "from" in raw else _points(doc, index, raw, None)
        end = _points(doc, index, raw, "to") if "from" in raw else None
        found += _span_problems(doc, start, end)
        starts.append(start)
        ends.append(end)
    found += _presentation_problems(doc, raw_events, starts, _stated_age(presentation))
    found += _order_problems(doc, starts)
    found += _birth_problems(doc, [p for pair in zip(starts, ends) for p in pair])
    return found


def _shape_problems(doc: Document, index: int, raw: dict[str, Any]) -> list[Problem]:
    """What the schema lets through but no source means: a point and a span at once, an end without a
    start, an empty `from:` (dates no calendar has: calendar_problems)."""
    path = ("events", index)
    found = []
    if "from" in raw and ("date" in raw or "age" in raw):
        point = "date" if "date" in raw else "age"
        found.append(doc.problem((*path, point), f"the event is dated both at one time (`{point}:`) and as a span (`from:`)",
                                 f"keep one: `{point}:` for a point in time, or `from:`/`to:` for a span", key=True))
    if "to" in raw and "from" not in raw:
        found.append(doc.problem((*path, "to"), "`to:` ends a span, but the event has no `from:`",
                                 "add `from:` with the start the source gives; if it gives only an end, date the event "
                                 "by it (`date:`/`age:`) and say 'until …' in `when:`", key=True))
    for key in ("from", "to"):
        if key in raw and not raw[key]:
            found.append(doc.problem((*path, key), f"`{key}:` gives neither a date nor an age",
                                     f"write e.g. `{key}: {{date: \"2015\"}}` or `{key}: {{age: 27}}`", key=True))
    return found


def calendar_problems(doc: Document) -> list[Problem]:
    """Dates of the right form that no calendar has (2026-02-30), found in any timeline.yml that could be read,
    schema-valid or not: the schema's pattern cannot know February, and the rest of the file is checked
    alongside."""
    events = doc.data.get("events") if isinstance(doc.data, dict) else None
    found = []
    for index, raw in enumerate(events if isinstance(events, list) else []):
        for date_path in (("date",), ("from", "date"), ("to", "date")):
            date = _get(raw, date_path)
            if isinstance(date, str) and (problem := date_problem(date)):
                found.append(doc.problem(("events", index, *date_path), *problem))
    return found


def date_problem(date: str) -> tuple[str, str] | None:
    """(what is wrong, what to do) for a date written as YYYY-MM-DD, YYYY-MM or YYYY that no calendar has."""
    if not DATE.match(date) or days(date) is not None:
        return None
    return (f"the date {date} does not exist ({_no_such_date(date)})",
            "correct the date; if the source gives only the year or month, write just that, e.g. \"2017\" or \"2017-10\"")


def _get(raw: dict[str, Any], path: tuple[str, ...]) -> Any:
    for part in path:
        raw = raw.get(part) if isinstance(raw, dict) else None
    return raw


def _span_problems(doc: Document, start: _Point | None, end: _Point | None) -> list[Problem]:
    if start is None or end is None:
        return []
    found = []
    if start.days and end.days and end.days[1] < start.days[0]:
        found.append(doc.problem(end.field("date", doc), f"the span ends ({date_label(end.date)}) before it starts "
                                 f"({date_label(start.date)})", "correct the dates, or swap `from:` and `to:`"))
    if start.age is not None and end.age is not None and end.age < start.age:
        found.append(doc.problem(end.field("age", doc), f"the span ends at age {end.age}, before it starts at age "
                                 f"{start.age}", "correct the ages, or swap `from:` and `to:`"))
    return found


# The patient's age as presentation.yml gives it, where it is plainly a number of years: '15 years',
# '15-year-old', '15 yrs', 'aged 15'. 'about 40', '18 months' or 'in her forties' are no number of years.
_YEARS = re.compile(r"^\s*(?:aged\s+)?([0-9]{1,3})(?:\s*|-)(?:(?:years?|yrs?|y)(?:[\s-]*old)?)?\s*$", re.I)


def _stated_age(presentation: Document | None) -> tuple[int, str, Location] | None:
    """(years, the text, where) of presentation.yml's patient.age, if it is plainly a number of years."""
    if presentation is None or not isinstance(presentation.data, dict):
        return None
    patient = presentation.data.get("patient")
    age = patient.get("age") if isinstance(patient, dict) else None
    match = _YEARS.match(age) if isinstance(age, str) else None
    if not match:
        return None
    return int(match.group(1)), age, presentation.where(("patient", "age"))


def _presentation_problems(doc: Document, raw_events: list[dict[str, Any]], starts: list[_Point | None],
                           stated: tuple[int, str, Location] | None) -> list[Problem]:
    """The first event of kind 'presentation' is the one presentation.yml describes, so the patient's age there
    is its age. If it gives no age of its own, the stated age stands in for it in the other checks."""
    index = next((i for i, e in enumerate(raw_events) if e.get("kind") == "presentation"), None)
    if stated is None or index is None:
        return []
    years, text, at = stated
    point = starts[index]
    if point is not None and point.age is not None:
        if point.age == years:
            return []
        return [doc.problem(point.field("age", doc), f"age {point.age} at the first presentation does not agree with the "
                            f"patient's age '{text}' ({at.file}, line {at.line})",
                            "correct one of the two; if this is an earlier presentation, not the one presentation.yml "
                            "describes, give it another kind (e.g. history)")]
    raw = raw_events[index]
    line = doc.where(("events", index)).line or 0
    starts[index] = _Point(index, point.base if point else ("events", index), str(raw.get("id", index + 1)), line,
                           point.date if point else "", years, point.days if point else None, stated)
    return []


def _order_problems(doc: Document, starts: list[_Point | None]) -> list[Problem]:
    """Events are listed in the order they happened. On each scale (dates, ages) the events out of order are the
    fewest whose removal leaves the rest in order: one mistyped age is reported at that event, against its
    neighbour, not at every later event it seems to follow. '2017' and 'October 2017' may come in either order."""
    dated = [p for p in starts if p is not None and p.days]
    aged = [p for p in starts if p is not None and p.age is not None]
    found = [_out_of_order(doc, point, other, later, "date") for point, other, later in
             _outliers(dated, lambda p: p.days)]
    found += [_out_of_order(doc, point, other, later, "age") for point, other, later in
              _outliers(aged, lambda p: ((p.age,), (p.age,)))]
    return found


_ORDER_WINDOW = 100  # events looked back at for the longest run: a long timeline costs time in proportion


def _outliers(points: list[_Point], span: Callable[[_Point], tuple]) -> list[tuple[_Point, _Point, bool]]:
    """(point, a kept point it contradicts, whether that one is listed after it) for each point outside the
    longest run kept in order. A run is in order when no point ends before a point listed earlier in the run
    starts; ties keep the earlier events, so of two it is the later that is reported."""
    length, latest, before = [0] * len(points), [None] * len(points), [None] * len(points)
    for i, point in enumerate(points):
        first, last = span(point)
        length[i], latest[i] = 1, first  # latest: the latest start in the run that ends here
        for j in range(max(0, i - _ORDER_WINDOW), i):
            if last >= latest[j] and (length[j] + 1, _negated(max(latest[j], first))) > (length[i], _negated(latest[i])):
                length[i], latest[i], before[i] = length[j] + 1, max(latest[j], first), j
    end = max(range(len(points)), key=lambda i: (length[i], -i), default=None)
    kept = set()
    while end is not None:
        kept.add(end)
        end = before[end]
    found = []
    for i, point in enumerate(points):
        if i in kept:
            continue
        earlier = next((points[j] for j in range(i - 1, -1, -1) if j in kept and span(point)[1] < span(points[j])[0]), None)
        later = next((points[j] for j in range(i + 1, len(points)) if j in kept and span(points[j])[1] < span(point)[0]), None)
        if earlier or later:
            found.append((point, earlier, False) if earlier else (point, later, True))
    return found


def _negated(day: tuple) -> tuple:
    """For comparing runs: of two as long, the one whose latest start is earlier lets more events follow."""
    return tuple(-part for part in day)


def _out_of_order(doc: Document, point: _Point, other: _Point, listed_after: bool, scale: str) -> Problem:
    where = "listed after it" if listed_after else "listed before it"
    if scale == "date":
        relation = "later than" if listed_after else "earlier than"
        return doc.problem(point.field("date", doc), f"{date_label(point.date)} is {relation} {other.date_said}, which is "
                           f"{where}", "list events in the order they happened, or correct the date")
    said = point.age_said[0].upper() + point.age_said[1:] if point.stated else f"Age {point.age}"
    relation = "older than" if listed_after else "younger than"
    return doc.problem(point.field("age", doc), f"{said} is {relation} {other.age_said}, which is {where}",
                       "list events in the order they happened, or correct the age")


def _birth_problems(doc: Document, points: list[_Point | None]) -> list[Problem]:
    """A date and an age given together say when the patient was born, to within a year: two that cannot
    both be true are a contradiction, wherever they are in the file."""
    found: list[Problem] = []
    low: tuple[Day, _Point] | None = None  # born after this day (the latest such bound so far) …
    high: tuple[Day, _Point] | None = None  # … and on or before this one (the earliest so far)
    for point in points:
        if point is None or not point.days or point.age is None:
            continue
        (first, last), age = point.days, point.age
        after, before = (first[0] - age - 1, first[1], first[2]), (last[0] - age, last[1], last[2])
        clash = (low[1] if low and before <= low[0] else None) or (high[1] if high and high[0] <= after else None)
        if clash:
            said = point.both_said[0].upper() + point.both_said[1:]
            found.append(doc.problem(point.field("age", doc), f"{said} cannot be true together with {clash.both_said}: the "
                                     f"patient would be born {_born(point)} by one and {_born(clash)} by the other",
                                     "correct the age or the date that is wrong"))
            continue
        if low is None or after > low[0]:
            low = (after, point)
        if high is None or before < high[0]:
            high = (before, point)
    return found


def _born(point: _Point) -> str:
    (first, last), age = point.days, point.age
    return f"in {first[0] - age - 1} or {last[0] - age}"  # a date is at most a year: born within a year before
