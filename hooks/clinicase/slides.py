"""Slides from the content model: one deck per case, for PowerPoint and for the browser.

`case_deck` turns a case into plain slides (title, bullets, a picture, a
table or a question, with speaker notes and the keys they cite), numbering
citations exactly as the site does. `pptx_deck` and `html_deck` only lay
those slides out, so both decks always say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from . import visuals
from .citations import Numbering, find_citations, vancouver_runs
from .content import Case, Figure
from .crossrefs import Target, case_targets, replace_crossrefs
from .licensing import licence_words
from .markup import escape, markdown_html, md, without_full_stop

if TYPE_CHECKING:
    from .bibliography import Bibliography

ASSETS = Path(__file__).parent / "assets"
TABLE_ROWS_PER_SLIDE = 5
REFERENCES_PER_SLIDE = 7


@dataclass
class Slide:
    title: str
    bullets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # cited on the slide or in its notes, for the notes' references
    svg: str = ""  # a drawing (standalone SVG), shown as a picture
    image: Path | None = None  # a figure's own image file
    placeholder: str = ""  # a figure we may not reproduce: what to say instead
    caption: str = ""
    credit: str = ""
    table: list[list[str]] = field(default_factory=list)  # header row first
    options: list[str] = field(default_factory=list)  # a question's options; the answer stays in the notes
    subtitle: str = ""
    numbered: bool = False  # the bullets carry their own numbers (references)


@dataclass
class Deck:
    case: Case
    slides: list[Slide]
    references: dict[str, str]  # key -> "N. formatted entry", for every key cited in the deck
    credit: str = ""  # the source and its licence, closing every slide's notes: slides travel alone


class _Text:
    """Author Markdown to slide text: citations as Vancouver numbers, cross-references as labels."""

    def __init__(self, numbering: Numbering, bibliography: Bibliography, targets: dict[str, Target]):
        self.numbering, self.bibliography, self.targets = numbering, bibliography, targets

    def __call__(self, text: str, keys: list[str]) -> str:
        text = replace_crossrefs(text, lambda ref: ref.text or self.targets[ref.id].label)
        out, last = [], 0
        for group in find_citations(text)[0]:
            cited = [self.bibliography.canonical(k) for k in group.keys]
            keys.extend(k for k in cited if k not in keys)
            out += [text[last:group.start], self.numbers(cited)]
            last = group.end
        html = markdown_html(md("".join(out) + text[last:]))
        return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split()).replace(" .", ".").replace(" ,", ",")

    def numbers(self, keys: list[str]) -> str:
        runs = vancouver_runs(self.numbering.number(self.bibliography.canonical(k)) for k in keys)
        return "[" + ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs) + "]"


def plain_text(case: Case, numbering: Numbering, bibliography: Bibliography):
    """`text(markdown, keys) -> str`: author Markdown as plain text, citations as the case's Vancouver numbers
    (each key cited is added to `keys`), cross-references as their labels; for every export that is not a page."""
    return _Text(numbering, bibliography, case_targets(case))


def reference_lines(keys: list[str], numbering: Numbering, bibliography: Bibliography) -> list[str]:
    """'[n] entry' for each key, in the case's number order, each once."""
    numbered = sorted({numbering.number(bibliography.canonical(k)): bibliography.canonical(k) for k in keys}.items())
    return [f"[{n}] {bibliography.reference(key).text}" for n, key in numbered]


def credit_line(case: Case, bibliography: Bibliography) -> str:
    """The source and its licence as plain text: every reuse of a case carries it."""
    return (f"Credit: {bibliography.reference(case.source.cite).text} "
            f"Licence: {licence_words(case.source.licence, case.source.permission)}.")


def case_deck(case: Case, numbering: Numbering, bibliography: Bibliography) -> Deck:
    text = plain_text(case, numbering, bibliography)
    slides = [_title_slide(case, bibliography), *_presentation_slides(case, text)]
    if case.timeline:
        slides.append(_drawing_slide("Timeline", visuals.timeline(case.timeline, _no_link, title=f"Timeline: {case.title}"),
                                     [f"{e.described}: {e.title}. {text(e.text, [])}".strip() for e in case.timeline]))
    if case.sites:
        slides.append(_drawing_slide("Body map", visuals.body_map(case.sites, _no_link, title=f"Body map: {case.title}"),
                                     [f"{n}. {s.label}" for n, s in enumerate(case.sites, start=1)]))
    slides += [_figure_slide(case, f, text) for f in case.figures]
    slides += _discussion_slides(case, text)
    slides += _treatment_slides(case, text)
    slides += [_question_slide(q, text) for q in case.questions]
    cited = [k for s in slides for k in s.keys]
    keys = sorted(set(cited), key=numbering.number)
    references = {k: f"{numbering.number(k)}. {bibliography.reference(k).text}" for k in keys}
    slides += [Slide(f"References ({page}/{-(-len(keys) // REFERENCES_PER_SLIDE)})",
                     [references[k] for k in keys[i:i + REFERENCES_PER_SLIDE]], numbered=True)
               for page, i in enumerate(range(0, len(keys), REFERENCES_PER_SLIDE), start=1)]
    return Deck(case, slides, references, credit_line(case, bibliography))


def _no_link(target: str) -> tuple[str, str]:
    return "", ""


def _title_slide(case: Case, bibliography: Bibliography) -> Slide:
    source = bibliography.reference(case.source.cite).text
    return Slide(case.title, subtitle=f"Based on: {source}",
                 bullets=[f"Licence: {licence_words(case.source.licence, case.source.permission)}. {case.source.copyright}"],
                 notes=[case.summary, f"Learner level: {case.learner_level}",
                        "Objectives: " + " ".join(f"({n}) {o}" for n, o in enumerate(case.objectives, start=1))])


def _presentation_slides(case: Case, text: _Text) -> list[Slide]:
    p = case.presentation
    patient, complaint, history = p["patient"], p["presenting_complaint"], p["history"]
    keys: list[str] = []
    # As on the site: an absent field says nothing, `{not_stated: true}` says so in a sentence of its own.
    duration = complaint.get("duration")
    when = f" ({complaint['when']})" if "when" in complaint else ""
    age = patient["age"] if isinstance(patient["age"], str) else "age not stated"
    said = f"{age}, {patient['sex']}: {text(without_full_stop(complaint['complaint']), keys)}"
    said += f", for {duration}{when}" if isinstance(duration, str) else when
    if isinstance(duration, dict):
        said += ". Duration: not stated in the source."
    one_line = Slide("Presentation", [text(case.summary, keys), said], keys=keys)
    keys = []
    past = [text(history["summary"], keys)]
    if "earlier_features" in history:
        past.append(f"Earlier features ({history['earlier_features']['when']}): "
                    + "; ".join(history["earlier_features"]["features"]))
    past += [f"{text(c['condition'], keys)} ({text(c['confirmed_by'], keys)})" for c in p.get("comorbidities", [])]
    past += [f"{text(m['drug'], keys)}: {text(m['reason'], keys)}" for m in p.get("medications", [])]
    exam_keys: list[str] = []
    examination = p.get("examination", [])
    findings = ["Examination: not stated in the source."] if isinstance(examination, dict) \
        else [text(e, exam_keys) for e in examination]
    return [one_line, Slide("History", past, keys=keys),
            Slide("Examination and investigations", findings +
                  [f"{text(i['test'], exam_keys)}: {text(i['finding'], exam_keys)}" for i in p["investigations"]],
                  keys=exam_keys)]


def _drawing_slide(title: str, svg: str, notes: list[str]) -> Slide:
    return Slide(title, svg=visuals.standalone(svg), notes=notes)


def _figure_slide(case: Case, figure: Figure, text: _Text) -> Slide:
    keys: list[str] = []
    caption = f"Figure {figure.number}. {text(figure.caption, keys)}"
    notes = [f"What it shows: {text(figure.shows, keys)}", f"Teaching point: {text(figure.teaching_point, keys)}"]
    if figure.image:
        credit = f"{figure.credit}. Licence: {licence_words(figure.licence or case.source.licence, figure.permission)}."
        return Slide(f"Figure {figure.number}", image=figure.image, caption=caption, credit=credit, notes=notes, keys=keys)
    return Slide(f"Figure {figure.number}", caption=caption, notes=notes, keys=keys,
                 placeholder=f"Image not reproduced here. {figure.alt} See Figure {figure.number} of the source article.",
                 credit=f"Figure {figure.number} of the source article, licensed {case.source.licence.label}.")


def _discussion_slides(case: Case, text: _Text) -> list[Slide]:
    keys: list[str] = []
    points = [text(p, keys) for p in case.key_points.get("discussion", [])]
    notes = [f"{s.title}: {text(s.body, keys)}" for s in case.discussion]
    if points:
        return [Slide("Discussion: key points", points, notes=notes, keys=keys)]
    return [Slide("Discussion", [s.title for s in case.discussion], notes=notes, keys=keys)]


def _treatment_slides(case: Case, text: _Text) -> list[Slide]:
    """As on the site: each citation stays beside the claim it supports, so no column repeats them."""
    header = ["Modality", "Group", "Route", "Proposed mechanism", "Evidence as reported"]
    rows, keys_of_row = [], []
    for t in case.treatments:
        keys: list[str] = []  # text() adds each key it cites once
        rows.append([t.name, t.group, t.route or "Not stated", text(t.mechanism, keys) if t.mechanism else "Not stated",
                     text(t.evidence, keys)])
        keys_of_row.append(keys)
    pages = range(0, len(rows), TABLE_ROWS_PER_SLIDE)
    return [Slide(f"Treatments compared ({n}/{len(pages)})", table=[header, *rows[i:i + TABLE_ROWS_PER_SLIDE]],
                  keys=list(dict.fromkeys(k for keys in keys_of_row[i:i + TABLE_ROWS_PER_SLIDE] for k in keys)),
                  notes=[f"{r[0]}: {r[4]}" for r in rows[i:i + TABLE_ROWS_PER_SLIDE]])
            for n, i in enumerate(pages, start=1)]


def _question_slide(question, text: _Text) -> Slide:
    keys: list[str] = []
    letters = "ABCDEF"
    options = [f"{letters[i]}. {text(o.text, keys)}" for i, o in enumerate(question.options)]
    answer = question.options[question.answer]
    notes = [f"Answer: {letters[question.answer]}. {text(answer.text, keys)}"]
    notes += [f"{letters[i]}: {text(o.explanation, keys)}" for i, o in enumerate(question.options)]
    return Slide(f"Question {question.number}", [text(question.stem, keys)], options=options, notes=notes, keys=keys)


def notes_text(deck: Deck, slide: Slide) -> str:
    """Speaker notes: the fuller text, then each reference cited on the slide or in its notes, once, under
    the number the case gives it (the [n] in the slide's text, the same number the site shows)."""
    parts = list(slide.notes)
    keys = sorted(set(slide.keys), key=_number(deck))
    if keys:
        parts.append("References cited here, numbered as in the case:")
        parts += ["[{}] {}".format(*deck.references[k].split(". ", 1)) for k in keys]
    return "\n\n".join([*parts, deck.credit] if deck.credit else parts)


def _number(deck: Deck):
    return lambda key: int(deck.references[key].split(".")[0])


# --- the deck in the browser -----------------------------------------------------------

def html_deck(deck: Deck, image_href) -> str:
    """One self-contained HTML file: works offline and from file://, prints one slide per page.

    The page, its stylesheet and its script are files in assets/ (deck.html, deck.css, deck.js),
    written into the page so that the deck stays a single file; every piece of text is escaped."""
    count = len(deck.slides)
    sections = "\n".join(_html_slide(deck, slide, n, count, image_href) for n, slide in enumerate(deck.slides, start=1))
    return _template("deck.html").substitute(title=escape(deck.case.title), sections=sections,
                                             css=_asset("deck.css"), js=_asset("deck.js"))


def _html_slide(deck: Deck, slide: Slide, number: int, count: int, image_href) -> str:
    body = []
    if slide.subtitle:
        body.append(f'<p class="subtitle">{escape(slide.subtitle)}</p>')
    if slide.bullets:
        kind = ' class="numbered"' if slide.numbered else ""
        body.append(f"<ul{kind}>" + "".join(f"<li>{escape(b)}</li>" for b in slide.bullets) + "</ul>")
    if slide.options:
        body.append('<ol class="options">' + "".join(f"<li>{escape(o)}</li>" for o in slide.options) + "</ol>")
    if slide.svg:
        body.append(f'<div class="picture">{slide.svg.split("?>", 1)[-1]}</div>')
    if slide.image:
        body.append(f'<div class="picture"><img src="{escape(image_href(slide.image))}" alt="{escape(slide.caption)}"></div>')
    if slide.placeholder:
        body.append(f'<div class="placeholder">{escape(slide.placeholder)}</div>')
    if slide.caption:
        body.append(f'<p class="caption">{escape(slide.caption)}<br><small>{escape(slide.credit)}</small></p>')
    if slide.table:
        head, *rows = slide.table
        body.append("<table><thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in head) + "</tr></thead><tbody>" +
                    "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows) +
                    "</tbody></table>")
    notes = notes_text(deck, slide)
    return (f'<section class="slide" id="slide-{number}" aria-label="Slide {number} of {count}: {escape(slide.title)}">'
            f'<h1>{escape(slide.title)}</h1>{"".join(body)}'
            f'<aside class="notes"><h2>Speaker notes</h2>{"".join(f"<p>{escape(p)}</p>" for p in notes.split(chr(10) * 2) if p)}</aside>'
            f'<footer>{number} / {count}</footer></section>')


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    """A file of assets/, read once per process (cache.code_version counts it in the build cache key)."""
    return (ASSETS / name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _template(name: str) -> Template:
    return Template(_asset(name))
