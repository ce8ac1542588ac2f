"""The printable handout: the whole case on one page, in reading order, for paper.

Overview, presentation, figures, discussion and treatments are the case's own pages (render.py), joined,
their headings one level down and every cross-reference a link within the handout; then the questions,
their answers, and the references once (site.py resolves the citations with the case's own numbers).
Each part starts a new printed page (assets/handout.css, for A4 and Letter); the page has no navigation
(hooks/overrides/handout.html) and is left out of search, where it would repeat every page of the case.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .crossrefs import CrossRef, case_targets, replace_crossrefs
from .markup import code_ranges, inert_text, md
from .render import MENTIONS, case_pages, figure_section, key_points

if TYPE_CHECKING:
    from .content import Case

PAGE = "handout.md"
TITLE = "Handout"
LETTERS = "ABCDEF"
_ATX = re.compile(r"^( {0,3})(#{1,5})(?=[ \t])", re.MULTILINE)


def handout_markdown(case: Case, source_html: str) -> str:
    """The handout's Markdown, citations unresolved (site.py numbers them as the case does)."""
    pages = {p.name: p.markdown for p in case_pages(case, source_html, lambda page, target: f"#{target}")}
    title, _, overview = pages["index.md"].partition("\n\n")
    parts = [f"## Overview {{#overview}}\n\n{demote(_without_page_links(overview))}", demote(pages["presentation.md"]),
             *([_figures(case)] if case.figures else []), demote(pages["discussion.md"])]
    if case.treatments:
        front_matter = re.compile(r"\A---\n.*?\n---\n\n", re.DOTALL)  # the site's page meta, not the handout's
        treatments = front_matter.sub("", pages["treatments.md"]).replace("Select a column heading to sort. ", "")
        parts.append(demote(re.sub(MENTIONS.format("[a-z0-9-]+"), "", treatments)))
    if case.questions:
        parts += [_questions(case), _answers(case)]
    body = "\n\n".join(f'<section class="cb-handout-part" markdown="block">\n\n{part}\n\n</section>' for part in parts)
    screen = ("The whole case on one page, for printing (A4 or Letter): each part starts a new page, the answers "
              "follow the questions, and the references come once, at the end. [Back to the case](index.md)\n"
              "{: .cb-handout-screen }")
    return _crossrefs(case, f"---\ntemplate: handout.html\nsearch:\n  exclude: true\n---\n\n{title}\n\n{screen}\n\n{body}\n")


def demote(markdown: str) -> str:
    """Every heading one level down (a page's title becomes a part of the handout); code is left alone."""
    code = code_ranges(markdown)
    return _ATX.sub(lambda m: m.group(0) if any(a <= m.start() < b for a, b in code) else f"{m.group(1)}#{m.group(2)}",
                    markdown)


def _without_page_links(overview: str) -> str:
    """The Overview's list of the case's pages means nothing on paper."""
    blocks = overview.split("\n\n")
    if "## In this case" in blocks:
        at = blocks.index("## In this case")
        del blocks[at:at + 2]
    return "\n\n".join(blocks)


def _figures(case: Case) -> str:
    points = [key_points(case.key_points["figures"])] if case.key_points.get("figures") else []
    # The handout credits the article once, in the Overview's Source section.
    sections = [demote(figure_section(case, f, " (see [Source](#source))")) for f in case.figures]
    return "\n\n".join(["## Figures {#figures}", *points, *sections])


def _questions(case: Case) -> str:
    parts = ["## Questions {#questions}", "Choose the single best answer to each question; the answers follow."]
    for q in case.questions:
        options = "\n".join(f"- **{LETTERS[i]}.** {md(' '.join(o.text.split()))}" for i, o in enumerate(q.options))
        parts += [f"### Question {q.number} {{#{q.id}}}", md(q.stem), f'<div class="cb-options" markdown="block">\n\n{options}\n\n</div>']
    return "\n\n".join(parts)


def _answers(case: Case) -> str:
    parts = ["## Answers {#answers}"]
    for q in case.questions:
        correct = q.options[q.answer]
        supports = ", ".join(f"@{s}" for s in q.supports)
        parts += [f"### Question {q.number}: {LETTERS[q.answer]} {{#answer-{q.number}}}",
                  f"**{LETTERS[q.answer]}.** {md(' '.join(correct.text.split()))}", md(correct.explanation),
                  f"*Read more:* {supports}."]
    return "\n\n".join(parts)


def _crossrefs(case: Case, text: str) -> str:
    """Everything a cross-reference can point to is in the handout: every link stays on the page."""
    targets = case_targets(case)

    def link(ref: CrossRef) -> str:
        return f"[{md(ref.text) if ref.text else inert_text(targets[ref.id].label)}](#{ref.id})"
    return replace_crossrefs(text, link)

