"""Slides from the content model: one deck per case, for PowerPoint and for the browser.

`case_deck` turns a case into plain slides (title, bullets, a picture, a
table or a question, with speaker notes and the keys they cite), numbering
citations exactly as the site does. `pptx_deck` and `html_deck` only lay
those slides out, so both decks always say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING

from . import visuals
from .citations import Numbering, find_citations, vancouver_runs
from .content import Case, Figure
from .crossrefs import Target, case_targets, replace_crossrefs
from .markup import escape, markdown_html
from .render import md, without_citations

if TYPE_CHECKING:
    from .bibliography import Bibliography

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


def case_deck(case: Case, numbering: Numbering, bibliography: Bibliography) -> Deck:
    text = _Text(numbering, bibliography, case_targets(case))
    slides = [_title_slide(case, bibliography), *_presentation_slides(case, text)]
    if case.timeline:
        slides.append(_drawing_slide("Timeline", visuals.timeline(case.timeline, _no_link, title=f"Timeline: {case.title}"),
                                     [f"{e.when}: {e.title}. {text(e.text, [])}".strip() for e in case.timeline]))
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
    return Deck(case, slides, references)


def _no_link(target: str) -> tuple[str, str]:
    return "", ""


def _title_slide(case: Case, bibliography: Bibliography) -> Slide:
    source = bibliography.reference(case.source.cite).text
    return Slide(case.title, subtitle=f"Based on: {source}",
                 bullets=[f"Licence: {case.source.licence_name}. {case.source.copyright}"],
                 notes=[case.summary, f"Learner level: {case.learner_level}",
                        "Objectives: " + " ".join(f"({n}) {o}" for n, o in enumerate(case.objectives, start=1))])


def _presentation_slides(case: Case, text: _Text) -> list[Slide]:
    p = case.presentation
    patient, complaint, history = p["patient"], p["presenting_complaint"], p["history"]
    keys: list[str] = []
    one_line = Slide("Presentation", [text(case.summary, keys),
                                      f"{patient['age']}, {patient['sex']}: {text(complaint['complaint'], keys)}, "
                                      f"for {complaint['duration']}" + (f" ({complaint['when']})" if "when" in complaint else "")],
                     keys=keys)
    keys = []
    past = [text(history["summary"], keys)]
    if "earlier_features" in history:
        past.append(f"In {history['earlier_features']['when']}: " + "; ".join(history["earlier_features"]["features"]))
    past += [f"{text(c['condition'], keys)} ({text(c['confirmed_by'], keys)})" for c in p.get("comorbidities", [])]
    past += [f"{text(m['drug'], keys)}: {text(m['reason'], keys)}" for m in p.get("medications", [])]
    exam_keys: list[str] = []
    return [one_line, Slide("History", past, keys=keys),
            Slide("Examination and investigations",
                  [text(e, exam_keys) for e in p["examination"]] +
                  [f"{text(i['test'], exam_keys)}: {text(i['finding'], exam_keys)}" for i in p["investigations"]],
                  keys=exam_keys)]


def _drawing_slide(title: str, svg: str, notes: list[str]) -> Slide:
    return Slide(title, svg=visuals.standalone(svg), notes=notes)


def _figure_slide(case: Case, figure: Figure, text: _Text) -> Slide:
    keys: list[str] = []
    caption = f"Figure {figure.number}. {text(figure.caption, keys)}"
    notes = [f"What it shows: {text(figure.shows, keys)}", f"Teaching point: {text(figure.teaching_point, keys)}"]
    if figure.image:
        credit = f"{figure.credit}. Licence: {figure.licence}."
        return Slide(f"Figure {figure.number}", image=figure.image, caption=caption, credit=credit, notes=notes, keys=keys)
    return Slide(f"Figure {figure.number}", caption=caption, notes=notes, keys=keys,
                 placeholder=f"Image not reproduced here. {figure.alt} See Figure {figure.number} of the source article.",
                 credit=f"Figure {figure.number} of the source article, licensed {case.source.licence_name}.")


def _discussion_slides(case: Case, text: _Text) -> list[Slide]:
    keys: list[str] = []
    points = [text(p, keys) for p in case.key_points.get("discussion", [])]
    notes = [f"{s.title}: {text(s.body, keys)}" for s in case.discussion]
    if points:
        return [Slide("Discussion: key points", points, notes=notes, keys=keys)]
    return [Slide("Discussion", [s.title for s in case.discussion], notes=notes, keys=keys)]


def _treatment_slides(case: Case, text: _Text) -> list[Slide]:
    header = ["Modality", "Group", "Route", "Proposed mechanism", "Evidence as reported", "Refs"]
    rows, keys_of_row = [], []
    for t in case.treatments:
        (mechanism, cited), (evidence, more) = without_citations(t.mechanism), without_citations(t.evidence)
        keys = [text.bibliography.canonical(k) for k in dict.fromkeys(cited + more)]
        rows.append([t.name, t.group, t.route or "Not stated", text(mechanism, keys) if t.mechanism else "Not stated",
                      text(evidence, keys), text.numbers(keys) if keys else "—"])
        keys_of_row.append(keys)
    pages = range(0, len(rows), TABLE_ROWS_PER_SLIDE)
    return [Slide(f"Treatments compared ({n}/{len(pages)})", table=[header, *rows[i:i + TABLE_ROWS_PER_SLIDE]],
                  keys=[k for keys in keys_of_row[i:i + TABLE_ROWS_PER_SLIDE] for k in keys],
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
    """Speaker notes: the fuller text, then the full references cited on the slide."""
    parts = list(slide.notes)
    if slide.keys:
        parts.append("References: " + " ".join(deck.references[k] for k in sorted(slide.keys, key=_number(deck))))
    return "\n\n".join(parts)


def _number(deck: Deck):
    return lambda key: int(deck.references[key].split(".")[0])


# --- the deck in the browser -----------------------------------------------------------

def html_deck(deck: Deck, image_href) -> str:
    """One self-contained HTML file: works offline and from file://, prints one slide per page."""
    count = len(deck.slides)
    sections = "\n".join(_html_slide(deck, slide, n, count, image_href) for n, slide in enumerate(deck.slides, start=1))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(deck.case.title)}: slides</title>
<style>{_DECK_CSS}</style>
</head>
<body>
<main class="deck" aria-label="{escape(deck.case.title)}: slides">
{sections}
</main>
<p class="deck-help">← → or space: next and previous · Home / End · F: full screen · N: speaker notes ·
<a href="../">back to the case</a></p>
<script>{_DECK_JS}</script>
</body>
</html>
"""


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


_DECK_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; background: #263238; font-family: Arial, Helvetica, sans-serif; color: #1f1f1f; }
.slide { position: relative; display: flex; flex-direction: column; width: min(100vw, 177.78vh); height: min(56.25vw, 100vh);
  margin: 0 auto 1rem; padding: 4% 5% 5%; overflow: hidden; background: #fff; font-size: min(1.9vw, 3.4vh); }
.js .slide { margin: 0 auto; flex: none; } .slide[hidden] { display: none; }
.js body, .js .deck { height: 100vh; display: flex; align-items: center; justify-content: center; }
h1 { margin: 0 0 0.6em; font-size: 1.9em; color: #00695c; }
.subtitle { font-size: 1.1em; }
ul, ol { margin: 0; padding-left: 1.3em; } li { margin-bottom: 0.45em; line-height: 1.3; }
.options, .numbered { list-style: none; padding-left: 0; } .numbered { font-size: 0.75em; } .options li { padding: 0.2em 0.5em; border-left: 0.25em solid #00695c; }
.picture { flex: 1; min-height: 0; display: flex; justify-content: center; }
.picture svg, .picture img { max-width: 100%; max-height: 100%; height: auto; }
.placeholder { flex: 1; display: flex; align-items: center; justify-content: center; text-align: center; padding: 1em;
  border: 0.15em dashed #757575; background: #f5f5f5; }
.caption { margin: 0.5em 0 0; font-size: 0.85em; } .caption small { color: #616161; }
table { border-collapse: collapse; font-size: 0.62em; } th, td { border: 1px solid #bdbdbd; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #e0f2f1; }
footer { position: absolute; right: 3%; bottom: 3%; font-size: 0.7em; color: #616161; }
.notes { display: none; }
.show-notes .notes { display: block; position: absolute; left: 0; right: 0; bottom: 0; max-height: 45%; overflow: auto;
  padding: 0.5em 5%; font-size: 0.6em; background: #fffde7; border-top: 2px solid #f9a825; }
.notes h2 { font-size: 1em; margin: 0; }
.deck-help { color: #eceff1; font-size: 0.8rem; text-align: center; margin: 0.5rem; }
.deck-help a { color: #80cbc4; }
.js .deck-help { position: fixed; bottom: 0; left: 0; right: 0; opacity: 0.6; }
@page { size: 13.333in 7.5in; margin: 0; }
@media print {
  html, body, .js body, .js .deck { background: #fff; height: auto; display: block; }
  .slide, .slide[hidden] { display: flex !important; width: 13.333in; height: 7.5in; margin: 0; font-size: 20pt;
    break-after: page; page-break-after: always; }
  .notes, .deck-help { display: none !important; }
}
"""

_DECK_JS = """
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var current = 0;
  document.documentElement.classList.add("js");
  function show(index) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, n) { slide.hidden = n !== current; });
    history.replaceState(null, "", "#" + (current + 1));
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var moves = { ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1, Enter: 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1 };
    if (event.key in moves) show(current + (event.shiftKey && event.key === " " ? -1 : moves[event.key]));
    else if (event.key === "Home") show(0);
    else if (event.key === "End") show(slides.length - 1);
    else if (event.key === "f" || event.key === "F") {
      if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen();
    } else if (event.key === "n" || event.key === "N") document.body.classList.toggle("show-notes");
    else return;
    event.preventDefault();
  });
  var startX = null;
  document.addEventListener("touchstart", function (event) { startX = event.touches[0].clientX; }, { passive: true });
  document.addEventListener("touchend", function (event) {
    if (startX === null) return;
    var dx = event.changedTouches[0].clientX - startX;
    if (Math.abs(dx) > 50) show(current + (dx < 0 ? 1 : -1));
    startX = null;
  });
  show((parseInt(location.hash.slice(1), 10) || 1) - 1);
})();
"""
