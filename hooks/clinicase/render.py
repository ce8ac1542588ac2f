"""Markdown for every generated page, from the content model alone.

Text from YAML is author Markdown (raw HTML disabled); data such as ids,
alt text and bibliography output is escaped. Citations (`[@key]`) and
cross-references (`@fig-id`) are left in place here and resolved by `site`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .citations import code_ranges
from .content import Case, Casebook, Figure
from .markup import escape, inert, inert_text

CASE_PAGES = (
    ("index.md", "Overview"),
    ("presentation.md", "Presentation"),
    ("figures.md", "Figures"),
    ("discussion.md", "Discussion"),
    ("treatments.md", "Treatments"),
    ("references.md", "References"),
)


@dataclass(frozen=True)
class CasePage:
    name: str  # file name inside the case folder, e.g. "figures.md"
    title: str
    markdown: str


def md(text: str) -> str:
    """Author Markdown with raw HTML disabled outside code (data is not code)."""
    out, last = [], 0
    for start, end in code_ranges(text):
        out += [_no_html(text[last:start]), text[start:end]]
        last = end
    return "".join(out) + _no_html(text[last:])


def _no_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def cell(text: str) -> str:
    """Markdown for one table cell: one line, no column breaks."""
    return md(" ".join(text.split())).replace("|", "\\|")


def heading_text(text: str) -> str:
    return md(" ".join(text.split())).replace("{", "&#123;")


def pages_of(case: Case) -> list[tuple[str, str]]:
    """(file name, title) of the pages this case has, in reading order."""
    absent = {"figures.md": not case.figures, "treatments.md": not case.treatments}
    return [(name, title) for name, title in CASE_PAGES if not absent.get(name)]


def case_pages(case: Case, source_html: str) -> list[CasePage]:
    """The case's pages in reading order (the order citations are numbered in)."""
    builders = {
        "index.md": lambda: overview(case, source_html),
        "presentation.md": lambda: presentation(case),
        "figures.md": lambda: figures(case, source_html),
        "discussion.md": lambda: discussion(case),
        "treatments.md": lambda: treatments(case),
        "references.md": lambda: "",  # written by `site` once every citation is known
    }
    return [CasePage(name, title, builders[name]()) for name, title in pages_of(case)]


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {md(item)}" for item in items)


def source_credit(case: Case, source_html: str) -> str:
    link = f"[{escape(case.source.licence_name)}]({case.source.licence_url})"
    article = f" [Read the article]({case.source.url})." if case.source.url else ""
    return (f'!!! quote "Source and licence"\n\n'
            f"    This teaching case is based on: {inert(source_html)}{article}\n\n"
            f"    Licence: {link}. {md(case.source.copyright)}\n\n"
            f"    Text is paraphrased from the article; figure captions are quoted from it. "
            f"The article's images are not reproduced here.\n")


def overview(case: Case, source_html: str) -> str:
    facts = "\n".join(f"- **{heading_text(label)}:** {md(value)}" for label, value in case.key_facts)
    links = "\n".join(f"- [{title}]({name})" for name, title in pages_of(case)[1:])
    ethics_labels = {"approval": "Ethical approval", "consent": "Patient consent", "funding": "Funding",
                     "conflicts": "Conflicts of interest"}
    ethics = "\n".join(f"- **{ethics_labels[k]}:** {md(v)}" for k, v in case.ethics.items())
    return f"""# {heading_text(case.title)}

{md(case.summary)}

**Specialty:** {inert_text(case.specialty)} · **Keywords:** {inert_text(', '.join(case.keywords))}

## Key facts

{facts}

## In this case

{links}

## Ethics and consent

As stated in the source article:

{ethics}

## Source

{source_credit(case, source_html)}
"""


def presentation(case: Case) -> str:
    p = case.presentation
    patient, complaint, history = p["patient"], p["presenting_complaint"], p["history"]
    parts = ["# Presentation", "## Patient",
             f"**Age:** {inert_text(patient['age'])} · **Sex:** {inert_text(patient['sex'])}"]
    if "context" in patient:
        parts.append(md(patient["context"]))
    if case.timeline:
        parts += ["## Timeline", timeline_table(case)]
    when = f" ({inert_text(complaint['when'])})" if "when" in complaint else ""
    parts += ["## Presenting complaint", f"{md(complaint['complaint'])}, for {inert_text(complaint['duration'])}{when}."]
    parts += ["## History", md(history["summary"])]
    if "earlier_features" in history:
        earlier = history["earlier_features"]
        parts += [f"In {inert_text(earlier['when'])}, the source records:", _bullets(earlier["features"])]
    if p.get("comorbidities"):
        parts += ["## Comorbidities", "\n".join(f"- **{md(c['condition'])}**, confirmed by {md(c['confirmed_by'])}"
                                                for c in p["comorbidities"])]
    if p.get("medications"):
        parts += ["## Medications", "\n".join(f"- **{md(m['drug'])}**: {md(m['reason'])}" for m in p["medications"])]
    parts += ["## Examination", _bullets(p["examination"])]
    parts += ["## Investigations", "\n".join(f"- **{md(i['test'])}:** {md(i['finding'])}" for i in p["investigations"])]
    parts += ["## Diagnosis", md(p["diagnosis"])]
    parts += ["## Management", _bullets(p["management"])]
    if p.get("follow_up"):
        parts += ["## Follow-up and outcome", _bullets(p["follow_up"])]
    return "\n\n".join(parts) + "\n"


def timeline_table(case: Case) -> str:
    rows = [f"| {cell(e.when)} | **{cell(e.title)}**{' ' + cell(e.text) if e.text else ''} |" for e in case.timeline]
    return "| When | What happened |\n| --- | --- |\n" + "\n".join(rows)


def figures(case: Case, source_html: str) -> str:
    intro = ("The figures belong to the source article. Captions are quoted from it; "
             "where we may not reproduce an image, a placeholder points to the article.")
    parts = ["# Figures", intro]
    for figure in case.figures:
        parts.append(_figure(case, figure))
    parts += ["## Credit", source_credit(case, source_html)]
    return "\n\n".join(parts) + "\n"


def _figure(case: Case, figure: Figure) -> str:
    if figure.image:
        picture = f"![{inert_text(figure.alt)}]({figure.image.relative_to(case.folder).as_posix()})"
    else:
        # No image we may reuse: say so, describe it, and point to the article. Never a stand-in picture.
        where = case.source.url or "index.md#source"
        picture = (f'<div class="figure-placeholder" markdown="block">\n\n'
                   f"**Image not reproduced here.** {inert_text(figure.alt)}\n\n"
                   f"[See Figure {figure.number} in the source article]({where})\n\n</div>")
    return f"""## Figure {figure.number} {{#{figure.id}}}

<figure class="case-figure" markdown="block">
{picture}
<figcaption markdown="span">**Figure {figure.number}.** {md(' '.join(figure.caption.split()))}</figcaption>
</figure>

**What it shows.** {md(figure.shows)}

**Teaching point.** {md(figure.teaching_point)}

**Credit.** Figure {figure.number} of the source article (see [Credit](#credit)), licensed {inert_text(case.source.licence_name)}.
"""


def discussion(case: Case) -> str:
    parts = ["# Discussion"]
    for section in case.discussion:
        parts += [f"## {heading_text(section.title)} {{#{section.id}}}", md(section.body)]
    return "\n\n".join(parts) + "\n"


def treatments(case: Case) -> str:
    parts = ["# Treatments"]
    if case.treatments_intro:
        parts.append(md(case.treatments_intro))
    for group in case.treatments:
        rows = "\n".join(f'| <span id="{escape(t.id)}"></span>{cell(t.name)} | {cell(t.note)} |' for t in group.items)
        parts += [f"## {heading_text(group.title)} {{#{group.id}}}",
                  "| Treatment | What the article reports |\n| --- | --- |\n" + rows]
    return "\n\n".join(parts) + "\n"


def home(casebook: Casebook) -> str:
    cards = []
    for case in casebook.cases:
        cards.append(f"""-   **[{heading_text(case.title)}](cases/{case.slug}/index.md)**

    ---

    {md(' '.join(case.summary.split()))}

    *{inert_text(case.specialty)}* · {inert_text(', '.join(case.keywords))}
""")
    return f"""# Clinical casebook

Published clinical cases, rebuilt for teaching: the presentation, the figures, a discussion with every statement
referenced, and the treatment options the literature reports.

## Cases

<div class="grid cards" markdown>

{chr(10).join(cards)}
</div>
"""
