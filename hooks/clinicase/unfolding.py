"""An unfolding case: the case told in stages, as unfolding.yml defines them, and the checks between it and
the rest of the case.

Case-based teaching reveals a case in stages: the presentation, a question the reader commits to, the
investigations, another question, and only then the diagnosis and the outcome. unfolding.yml names what
each stage shows (parts of presentation.yml, timeline events, figures), the prompt between stages and the
reasoning shown after it. The page itself is written by unfolding_page.py; this module is the model and
its rules, and knows nothing of pages (content.py loads it, like timeline.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import Problem
from .vocabularies import suggest

if TYPE_CHECKING:
    from .content import Case
    from .yaml_source import Document

# The fields of presentation.yml a stage may show, each with the id of the section the site gives it.
PRESENTATION_PARTS = {
    "patient": "sec-patient", "presenting_complaint": "sec-presenting-complaint", "history": "sec-history",
    "comorbidities": "sec-comorbidities", "medications": "sec-medications", "examination": "sec-examination",
    "investigations": "sec-investigations", "diagnosis": "sec-diagnosis", "management": "sec-management",
    "follow_up": "sec-follow-up"}


@dataclass(frozen=True)
class Prompt:
    question: str
    options: tuple[str, ...] = ()  # none: the reader writes an answer


@dataclass(frozen=True)
class Stage:
    number: int
    title: str
    presentation: tuple[str, ...] = ()  # presentation.yml field names, in the order shown
    timeline: tuple[str, ...] = ()  # event ids
    figures: tuple[str, ...] = ()  # figure ids
    text: str = ""
    prompt: Prompt | None = None
    reasoning: str = ""


@dataclass(frozen=True)
class Unfolding:
    title: str
    stages: tuple[Stage, ...]
    intro: str = ""

    def stage_of(self, target: str) -> int | None:
        """The stage that shows a figure (fig-…) or a presentation section (sec-…), or None."""
        for stage in self.stages:
            if target in stage.figures or target in {PRESENTATION_PARTS[p] for p in stage.presentation}:
                return stage.number
        return None


def unfolding(data: dict) -> Unfolding:
    """The model of a schema-valid unfolding.yml."""
    stages = []
    for number, raw in enumerate(data["stages"], start=1):
        shows, prompt = raw["shows"], raw.get("prompt")
        stages.append(Stage(number, raw["title"], tuple(shows.get("presentation", ())), tuple(shows.get("timeline", ())),
                            tuple(shows.get("figures", ())), raw.get("text", ""),
                            Prompt(prompt["question"], tuple(prompt.get("options", ()))) if prompt else None,
                            raw.get("reasoning", "")))
    return Unfolding(data["title"], tuple(stages), data.get("intro", ""))


Citation = tuple[tuple, int, str]  # (field path, offset in its text, key as the .bib spells it)


def problems(doc: Document | None, case: Case, cited_elsewhere: set[str], citations: list[Citation]) -> list[Problem]:
    """What unfolding.yml gets wrong against the rest of the case: parts, events and figures the case does not
    have or that two stages show, a stage with no prompt before the next, a prompt without reasoning (or the
    reverse), a title that gives the case away, and `citations` (those of unfolding.yml) of references that
    the case's other files do not cite."""
    if doc is None or case.unfolding is None:
        return []
    found: list[Problem] = []
    found += _spoiling_titles(doc, case)
    found += _what_stages_show(doc, case)
    found += _prompts_and_reasoning(doc, case.unfolding)
    # An unfolding case retells its case: what it cites, the case cites (and numbers on its References page).
    found += [doc.problem(path, f"cites '{key}', which the case's other files do not cite",
                          "cite it where the case states what it supports, or keep the unfolding case to what the case says",
                          offset=offset)
              for path, offset, key in citations if key not in cited_elsewhere]
    return found


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def _spoiling_titles(doc: Document, case: Case) -> list[Problem]:
    """The case's title usually names the diagnosis, and the page's and stages' titles are read before any
    stage opens (browser tab, search, headings)."""
    title = _words(case.title)
    fields = [(("title",), case.unfolding.title)] + [(("stages", s.number - 1, "title"), s.title) for s in case.unfolding.stages]
    return [doc.problem(path, "repeats the case's title, which the reader must not see before the last stage",
                        "write a title that gives nothing away, e.g. the patient and the complaint")
            for path, text in fields if title in _words(text)]


def _what_stages_show(doc: Document, case: Case) -> list[Problem]:
    known = {"presentation": {p for p in PRESENTATION_PARTS if case.presentation.get(p)},
             "timeline": {e.id for e in case.timeline}, "figures": {f.id for f in case.figures}}
    shown: dict[tuple[str, str], int] = {}
    found = []
    for stage in case.unfolding.stages:
        for kind, (file, what) in _SHOWN_FROM.items():
            for index, item in enumerate(getattr(stage, kind)):
                path = ("stages", stage.number - 1, "shows", kind, index)
                if item not in known[kind]:
                    fix = suggest(item, known[kind]) if known[kind] else f"add it to {file}, or remove it here"
                    found.append(doc.problem(path, f"{file} has no {what} '{item}'", fix))
                elif (kind, item) in shown:
                    found.append(doc.problem(path, f"'{item}' is already shown in stage {shown[kind, item]}",
                                             "show each part, event and figure in one stage only"))
                shown.setdefault((kind, item), stage.number)
    return found


_SHOWN_FROM = {"presentation": ("presentation.yml", "part"), "timeline": ("timeline.yml", "event"),
               "figures": ("figures.yml", "figure")}


def _prompts_and_reasoning(doc: Document, model: Unfolding) -> list[Problem]:
    found = []
    last = len(model.stages)
    for stage in model.stages:
        path = ("stages", stage.number - 1)
        if stage.prompt is None and stage.number < last:
            found.append(doc.problem(path, f"stage {stage.number} has no prompt, so stage {stage.number + 1} would open "
                                     "without the reader committing to an answer",
                                     "add `prompt: {question: …}` (e.g. 'What is your differential diagnosis?')", key=True))
        if stage.prompt and not stage.reasoning:
            found.append(doc.problem((*path, "prompt"), "a prompt needs the reasoning shown once the reader has answered",
                                     "add `reasoning:` (what the case and its sources say about the question)", key=True))
        if stage.reasoning and not stage.prompt:
            found.append(doc.problem((*path, "reasoning"), "reasoning is shown after the reader answers a prompt, "
                                     "and this stage has none", "add `prompt: {question: …}` or remove the reasoning",
                                     key=True))
    return found

