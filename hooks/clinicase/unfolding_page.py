"""The unfolding case as a page: stages that open one after another, with no JavaScript and no spoiler.

Each stage after the first sits inside a <details> that follows the previous stage's prompt, so a stage can
open only once every stage before it is open. Until the reader has written or chosen an answer, the CSS
(assets/unfolding.css) hides the control that opens the next stage; printing opens every stage, prompts
included. Nothing a later stage reveals is in the page's title, its headings before the first prompt, its
search entry (Material's `data-search-exclude` on all that is hidden) or its glossary previews (none on this
page: a definition can name the diagnosis). The source article's title usually names the diagnosis too, so
its full credit closes the last stage; its licence is named before the first.

Text is author Markdown with raw HTML disabled (markup.md); citations are left for site.py to number with
the case's own numbers, then `place_references` moves their list into the last stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .crossrefs import CrossRef, case_targets, replace_crossrefs
from .markup import inert_text, md
from .render import cell, figure_picture, heading_text, presentation_parts, source_credit
from .unfolding import PRESENTATION_PARTS, Stage
from .vocabularies import event_kinds

if TYPE_CHECKING:
    from .content import Case

PAGE = "unfolding.md"
TITLE = "Unfolding case"
REFERENCES = "\x00unfolding-references\x00"  # where the reference list goes: inside the last stage
_RESOLVED_REFERENCES = "\n\n## References\n\n"  # how citations.resolve_page appends the list
HIDDEN = " data-search-exclude"  # in a heading's attribute list: Material's search leaves its section out


def unfolding_markdown(case: Case, source_html: str) -> str:
    """The page's Markdown, citations unresolved (site.py numbers them as the case does)."""
    model = case.unfolding
    count = len(model.stages)
    parts = {section: (title, body) for section, title, body in presentation_parts(case, lambda _: ("", ""))}
    inner = ""
    for stage in reversed(model.stages):  # each stage's reveal holds the next stage
        chunk = _stage(case, stage, count, parts)
        ending = _ending(case, source_html) if stage.number == count else ""
        if stage.prompt:
            reveal = [f"### Reasoning {{#reasoning-{stage.number}{HIDDEN}}}", _crossrefs(case, md(stage.reasoning), stage.number),
                      inner or ending]
            summary = f"Show the reasoning and stage {stage.number + 1} of {count}" if stage.number < count \
                else "Show the reasoning and the source of this case"
            # Material's search leaves out the reveal too (and drops the attribute from the page once indexed)
            chunk += (f'\n\n<details class="cb-next" data-search-exclude="true" markdown="block">\n<summary>{summary}</summary>\n\n'
                      + "\n\n".join(r for r in reveal if r) + "\n\n</details>")
        elif ending:
            chunk += "\n\n" + ending
        inner = chunk
    intro = [_crossrefs(case, md(model.intro), 0)] if model.intro else []
    body = "\n\n".join([_how_it_works(case, count), *intro, inner])
    return (f"---\ntemplate: unfolding.html\n---\n\n# {heading_text(model.title)}\n\n"
            f'<div class="cb-unfolding cb-no-terms" markdown="block">\n\n{body}\n\n</div>\n')


def place_references(markdown: str) -> str:
    """Move the reference list that citations.resolve_page appends to the page's end into the last stage:
    reference titles name diagnoses."""
    body, found, references = markdown.rpartition(_RESOLVED_REFERENCES)
    if not found:
        return markdown.replace(REFERENCES, "")
    return body.replace(REFERENCES, f"## References {{#references{HIDDEN}}}\n\n{references.strip()}")


def _how_it_works(case: Case, count: int) -> str:
    licence = inert_text(case.source.licence.short)
    return (f'!!! info "How this works"\n\n'
            f"    The case unfolds in {count} stages, as it was reported. Before each new stage comes a question: write "
            f"or choose your answer, and the button that opens the reasoning and the next stage appears. What you write "
            f"stays on this page; nothing is sent or saved. Printing the page prints every stage, with its question.\n\n"
            f"    Retold from a published case report, licensed {licence}. The report is credited in full after "
            f"the last stage, because its title names what the stages reveal.\n")


def _stage(case: Case, stage: Stage, count: int, parts: dict[str, tuple[str, str]]) -> str:
    hidden = HIDDEN if stage.number > 1 else ""
    blocks = [f"## Stage {stage.number} of {count}: {heading_text(stage.title)} {{#stage-{stage.number}{hidden}}}"]
    if stage.text:
        blocks.append(md(stage.text))
    for part in stage.presentation:
        section = PRESENTATION_PARTS[part]
        title, body = parts[section]
        blocks += [f"### {title} {{#{section}{hidden}}}", body]
    if stage.timeline:
        blocks += [f"### Timeline {{#timeline-{stage.number}{hidden}}}", _events(case, stage)]
    figures = {f.id: f for f in case.figures}
    for figure_id in stage.figures:
        figure = figures[figure_id]
        picture, credit = figure_picture(case, figure)  # no teaching point: it often names the diagnosis
        blocks += [f"### Figure {figure.number} {{#{figure.id}{hidden}}}", picture, f"**Credit.** {credit}"]
    if stage.prompt:
        blocks.append(_prompt(stage))
    return _crossrefs(case, "\n\n".join(blocks), stage.number)


def _events(case: Case, stage: Stage) -> str:
    events = {e.id: e for e in case.timeline}
    rows = []
    for event_id in stage.timeline:
        e = events[event_id]
        rows.append(f"| {cell(e.described)} | {cell(event_kinds()[e.kind].label)} | "
                    f"**{cell(e.title)}**{'<br>' + cell(e.text) if e.text else ''} |")
    return "| When | Event | What happened |\n| --- | --- | --- |\n" + "\n".join(rows)


def _prompt(stage: Stage) -> str:
    n = stage.number
    question = f"**Question {n}.** {md(stage.prompt.question)}"
    if stage.prompt.options:
        letters = "ABCDEF"
        choices = "\n".join(
            f'<div class="cb-choice" markdown="block">\n<input type="radio" name="cb-choice-{n}" id="cb-choice-{n}-{letters[i].lower()}" '
            f'value="{letters[i]}">\n<label for="cb-choice-{n}-{letters[i].lower()}">**{letters[i]}.** {md(option)}</label>\n</div>'
            for i, option in enumerate(stage.prompt.options))
        answer = f'<fieldset class="cb-choices" markdown="block">\n<legend>Question {n}: choose one</legend>\n{choices}\n</fieldset>'
        hint = "Choose an answer to go on."
    else:
        answer = (f'<label for="cb-answer-{n}">Your answer to question {n}</label>\n'
                  f'<textarea id="cb-answer-{n}" rows="4" placeholder="Write your answer here"></textarea>')
        hint = "Write your answer to go on."
    return (f'<div class="cb-prompt" markdown="block">\n\n{question}\n\n{answer}\n\n'
            f'<p class="cb-gate-hint">{hint}</p>\n\n</div>')


def _ending(case: Case, source_html: str) -> str:
    return "\n\n".join([f"## The source of this case {{#source{HIDDEN}}}", source_credit(case, source_html),
                        "[Read the whole case](index.md): its presentation, figures, discussion, treatments and "
                        "questions, with every reference.", REFERENCES])


def _crossrefs(case: Case, text: str, stage: int) -> str:
    """A cross-reference links within the page to what this or an earlier stage shows; what a later stage
    shows is named without a link (the reader would land on nothing, or on the answer); the rest of the case
    is linked on its own pages."""
    targets = case_targets(case)

    def link(ref: CrossRef) -> str:
        target = targets[ref.id]
        label = md(ref.text) if ref.text else inert_text(target.label)
        shown = case.unfolding.stage_of(ref.id)
        if shown is None:
            return f"[{label}]({target.page}#{ref.id})"
        if shown <= stage:
            return f"[{label}](#{ref.id})"
        return f"{label}, shown in a later stage"
    return replace_crossrefs(text, link)
