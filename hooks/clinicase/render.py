"""Markdown for every generated page, from the content model alone.

Text from YAML is author Markdown (raw HTML disabled); data such as ids,
alt text and bibliography output is escaped. Citations (`[@key]`) and
cross-references (`@fig-id`) are left in place here and resolved by `site`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from . import visuals
from .vocabularies import Licence, body_regions, event_kinds, provenance
from .content import Case, Casebook, Figure, tag_slug
from .crossrefs import case_targets, overview_sections, presentation_sections, tables
from .markup import escape, inert, inert_text, markdown_link, md, reference_span, without_full_stop

CASE_PAGES = (
    ("index.md", "Overview"),
    ("presentation.md", "Presentation"),
    ("figures.md", "Figures"),
    ("discussion.md", "Discussion"),
    ("treatments.md", "Treatments"),
    ("quiz.md", "Self-assessment"),
    ("references.md", "References"),
)
KEY_POINTS_OF_PAGE = {"index.md": "case", "presentation.md": "presentation", "figures.md": "figures",
                      "discussion.md": "discussion", "treatments.md": "treatments"}
WIDE_PAGES = {"treatments.md"}
MENTIONS = "\x00mentions:{}\x00"  # filled in by `site` once every page's cross-references are known

Href = Callable[[str, str], str]  # (from page name, target id) -> relative URL for raw HTML


@dataclass(frozen=True)
class CasePage:
    name: str  # file name inside the case folder, e.g. "figures.md"
    title: str
    markdown: str


def cell(text: str) -> str:
    """Markdown for one table cell: one line, no column breaks."""
    return md(" ".join(text.split())).replace("|", "\\|")


def heading_text(text: str) -> str:
    return md(" ".join(text.split())).replace("{", "&#123;")


def pages_of(case: Case) -> list[tuple[str, str]]:
    """(file name, title) of the pages this case has, in reading order."""
    absent = {"figures.md": not case.figures, "treatments.md": not case.treatments, "quiz.md": not case.questions}
    return [(name, title) for name, title in CASE_PAGES if not absent.get(name)]


def case_pages(case: Case, source_html: str, href: Href) -> list[CasePage]:
    """The case's pages in reading order (the order citations are numbered in)."""
    targets = case_targets(case)

    def link(page: str) -> Callable[[str], tuple[str, str]]:
        return lambda target: (href(page, target), targets[target].label)

    builders = {
        "index.md": lambda: overview(case, source_html, link("index.md")),
        "presentation.md": lambda: presentation(case, link("presentation.md")),
        "figures.md": lambda: figures(case, source_html),
        "discussion.md": lambda: discussion(case),
        "treatments.md": lambda: treatments(case),
        "quiz.md": lambda: quiz(case),
        "references.md": lambda: "",  # written by `site` once every citation is known
    }
    pages = []
    for name, title in pages_of(case):
        markdown = builders[name]()
        if case.key_points.get(KEY_POINTS_OF_PAGE.get(name, "")):
            heading, _, rest = markdown.partition("\n\n")
            markdown = f"{heading}\n\n{key_points(case.key_points[KEY_POINTS_OF_PAGE[name]])}\n{rest}"
        if name in WIDE_PAGES:
            markdown = f"---\nhide:\n  - toc\n---\n\n{markdown}"  # Material page meta: room for a wide table
        pages.append(CasePage(name, title, markdown))
    return pages


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {md(item)}" for item in items)


def key_points(points: list[str]) -> str:
    body = "\n".join(f"    - {md(' '.join(p.split()))}" for p in points)
    return f'!!! abstract "Key points"\n\n{body}\n'


def licence_link(licence: Licence, permission: str = "") -> str:
    """The licence's names linked to its official text, and any permission recorded."""
    link = markdown_link(licence.label, licence.url) if licence.url else inert_text(licence.label)
    return f"{link}. Permission: {inert_text(permission)}" if permission else link


def _section_key_points(case: Case, file: str) -> list[str]:
    """Key points of a file drawn in a section of another page (sites.yml: the body map; timeline.yml: the
    timeline), at the top of that section."""
    return [key_points(case.key_points[file])] if case.key_points.get(file) else []


def source_credit(case: Case, source_html: str) -> str:
    link = licence_link(case.source.licence, case.source.permission)
    article = f" {markdown_link('Read the article', case.source.url)}." if case.source.url else ""
    images = "Each image is credited below it; images not reproduced here are described instead." \
        if any(f.image for f in case.figures) else "The article's images are not reproduced here."
    return (f'!!! quote "Source and licence"\n\n'
            f"    This teaching case is based on: {reference_span(source_html)}{article}\n\n"
            f"    Licence: {link}. {md(case.source.copyright)}\n\n"
            f"    {provenance_sentences(case)} {images}\n")


def provenance_sentences(case: Case) -> str:
    """Exactly what the case records of how its text and captions relate to the article, never more."""
    words = provenance()
    text = words[case.source.text_provenance]["text"] if case.source.text_provenance else \
        "How the text relates to the article is not recorded."
    if not case.figures:
        return text
    kinds = {f.caption_provenance or case.source.caption_provenance for f in case.figures}
    if len(kinds) > 1:
        return f"{text} Each figure says how its caption relates to the article."
    kind = kinds.pop()
    return f"{text} {words[kind]['captions'] if kind else 'How the figure captions relate to the article is not recorded.'}"


def tag_links(case: Case, prefix: str) -> str:
    return ", ".join(f"[{inert_text(t)}]({prefix}tags/{tag_slug(t)}.md)" for t in case.tags)


def overview(case: Case, source_html: str, link: Callable[[str], tuple[str, str]]) -> str:
    facts = "\n".join(f"- **{heading_text(label)}:** {md(value)}" for label, value in case.key_facts)
    links = "\n".join(f"- [{title}]({name})" for name, title in pages_of(case)[1:])
    ethics_labels = {"approval": "Ethical approval", "consent": "Patient consent", "funding": "Funding",
                     "conflicts": "Conflicts of interest"}
    # An absent statement is left out; `{not_stated: true}` shows "Not stated in the source".
    ethics = "\n".join(f"- **{ethics_labels[k]}:** {md(v) if isinstance(v, str) else 'Not stated in the source'}"
                       for k, v in case.ethics.items())
    objectives = "\n".join(f"{n}. {md(o)}" for n, o in enumerate(case.objectives, start=1))
    sections = dict(overview_sections(case))
    parts = [f"# {heading_text(case.title)}", md(case.summary),
             f"**Specialty:** {inert_text(case.specialty)} · **Level:** {inert_text(case.learner_level)} · "
             f"**Tags:** {tag_links(case, '../../')}",
             f"## {sections['sec-objectives']} {{#sec-objectives}}",
             f"After working through this case you should be able to:\n\n{objectives}"]
    if case.sites:
        parts += [f"## {sections['sec-body-map']} {{#sec-body-map}}", *_section_key_points(case, "sites"),
                  body_map_figure(case, link)]
    if case.key_facts:
        parts += [f"## {sections['sec-key-facts']} {{#sec-key-facts}}", facts]
    parts += ["## In this case", links,
              *(["## Ethics and consent", f"As stated in the source article:\n\n{ethics}"] if ethics else []),
              "## Source", source_credit(case, source_html)]
    return "\n\n".join(parts) + "\n"


def body_map_figure(case: Case, link: Callable[[str], tuple[str, str]]) -> str:
    svg = visuals.body_map(case.sites, link, title=f"Body map: {case.title}")
    items = "\n".join(
        f"{n}. **{inert_text(s.label)}** ({inert_text(', '.join(visuals.kind_label(s, k) for k in s.kinds))}; "
        f"{inert_text(', '.join(body_regions()[r].name for r in s.regions))}): [{link(s.see)[1]}](@{s.see})"
        for n, s in enumerate(case.sites, start=1))
    return (f'<figure class="cb-visual">\n{svg}\n<figcaption>Every site this case describes, marked by kind (see the legend) and '
            f"drawn from the case data. Select a label to open the figure that shows it.</figcaption>\n</figure>\n\n"
            f"{_downloads('body-map')}\n\n{items}")


def presentation(case: Case, link: Callable[[str], tuple[str, str]]) -> str:
    parts = ["# Presentation"]
    for section_id, title, body in presentation_parts(case, link):
        parts += [f"## {title} {{#{section_id}}}", body]
    return "\n\n".join(parts) + "\n"


def presentation_parts(case: Case, link: Callable[[str], tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(section id, title, Markdown body) of each section of the Presentation page, in order; the unfolding
    case shows them one stage at a time."""
    p = case.presentation
    patient, complaint, history = p["patient"], p["presenting_complaint"], p["history"]
    title = dict(presentation_sections(case))
    parts: list[tuple[str, str, str]] = []

    def add(section_id: str, *blocks: str) -> None:
        parts.append((section_id, title[section_id], "\n\n".join(blocks)))

    age = inert_text(patient["age"]) if isinstance(patient["age"], str) else "Not stated in the source"
    add("sec-patient", f"**Age:** {age} · **Sex:** {inert_text(patient['sex'])}",
        *([md(patient["context"])] if "context" in patient else []))
    if case.timeline:
        add("sec-timeline", *_section_key_points(case, "timeline"), timeline_figure(case, link), timeline_table(case))
    # What the source does not say: an absent field shows nothing, `{not_stated: true}` says so in a sentence
    # of its own; an author's text is never glued into a sentence it does not fit.
    duration = complaint.get("duration")
    when = f" ({inert_text(complaint['when'])})" if "when" in complaint else ""
    said = md(without_full_stop(complaint["complaint"]))
    sentence = f"{said}, for {inert_text(duration)}{when}." if isinstance(duration, str) else f"{said}{when}."
    if isinstance(duration, dict):
        sentence += " Duration: not stated in the source."
    add("sec-presenting-complaint", sentence)
    earlier = []
    if "earlier_features" in history:
        features = history["earlier_features"]  # `when` may be a year or an age ("Age 19"): never "In Age 19"
        earlier = [f"Earlier features ({inert_text(features['when'])}), as the source records them:",
                   _bullets(features["features"])]
    add("sec-history", md(history["summary"]), *earlier)
    if p.get("comorbidities"):
        add("sec-comorbidities", "\n".join(f"- **{md(c['condition'])}**, confirmed by {md(c['confirmed_by'])}"
                                           for c in p["comorbidities"]))
    if p.get("medications"):
        add("sec-medications", "\n".join(f"- **{md(m['drug'])}**: {md(m['reason'])}" for m in p["medications"]))
    if isinstance(p.get("examination"), dict):
        add("sec-examination", "Not stated in the source.")
    elif p.get("examination"):
        add("sec-examination", _bullets(p["examination"]))
    add("sec-investigations", "\n".join(f"- **{md(i['test'])}:** {md(i['finding'])}" for i in p["investigations"]))
    add("sec-diagnosis", md(p["diagnosis"]))
    add("sec-management", _bullets(p["management"]))
    if p.get("follow_up"):
        add("sec-follow-up", _bullets(p["follow_up"]))
    return parts


def timeline_figure(case: Case, link: Callable[[str], tuple[str, str]]) -> str:
    svg = visuals.timeline(case.timeline, link, title=f"Timeline: {case.title}")
    href, table = link("tbl-timeline")
    return (f'<figure class="cb-visual">\n{svg}\n<figcaption>The course of the illness, in order but not to scale; '
            f'each event links to the figure or section that tells it. <a href="{escape(href)}">{table}</a> gives the '
            f"same events as text.</figcaption>\n</figure>\n\n{_downloads('timeline')}")


def _downloads(name: str) -> str:
    """Links to the drawing as files, for other slides and handouts."""
    return (f'Download for your own slides: [SVG]({name}.svg){{download="{name}.svg"}} · '
            f'[PNG]({name}.png){{download="{name}.png"}}')


def figure_png(case: Case, figure: Figure) -> str:
    """Where the PNG rendering of an SVG figure goes, relative to the case folder."""
    return figure.image.relative_to(case.folder).with_suffix(".png").as_posix()


def _table_caption(case: Case, table_id: str, note: str = "") -> str:
    number, caption = next((n, c) for n, (tid, c, _) in enumerate(tables(case), start=1) if tid == table_id)
    return f"**Table {number}.** {caption}.{' ' + note if note else ''}\n{{: #{table_id} .table-caption }}"


def timeline_table(case: Case) -> str:
    """One row per event; 'When' in the source's words, with the date, age or span where they do not say it."""
    rows = [f"| {cell(e.described)} | {cell(event_kinds()[e.kind].label)} | **{cell(e.title)}**{'<br>' + cell(e.text) if e.text else ''} |"
            for e in case.timeline]
    return _table_caption(case, "tbl-timeline") + "\n\n| When | Event | What happened |\n| --- | --- | --- |\n" + "\n".join(rows)


def figures(case: Case, source_html: str) -> str:
    reused = any(f.image is None for f in case.figures)
    intro = ("The figures belong to the source article; where we may not reproduce an image, a placeholder "
             "points to the article.") if reused else "Select an image to enlarge it."
    parts = ["# Figures", intro]
    for figure in case.figures:
        parts.append(figure_section(case, figure))
    parts += ["## Credit", source_credit(case, source_html)]
    return "\n\n".join(parts) + "\n"


def figure_section(case: Case, figure: Figure, source_note: str = " (see [Credit](#credit))") -> str:
    """A figure's section of the Figures page; `source_note` points to where the page credits the article."""
    picture, credit = figure_picture(case, figure, source_note)
    return f"""## Figure {figure.number} {{#{figure.id}}}

{picture}

**What it shows.** {md(figure.shows)}

**Teaching point.** {md(figure.teaching_point)}

**Credit.** {credit}
"""


def figure_picture(case: Case, figure: Figure, source_note: str = "") -> tuple[str, str]:
    """The figure with its caption (its image, or an honest placeholder) and its credit line, as Markdown.
    `source_note` follows "Figure N of the source article" where the page credits the article."""
    if figure.image:
        # The lightbox shows data-title and data-description: caption, credit and licence travel with the image.
        title = _lightbox_text(f"Figure {figure.number}. {figure.caption}")
        licence = figure.licence or case.source.licence
        about = _lightbox_text(f"{figure.credit}. Licence: {licence.short}.")
        original = _url(figure.image.relative_to(case.folder).as_posix())
        picture = f'![{inert_text(figure.alt)}]({original}){{ data-title="{title}" data-description="{about}" }}'
        credit = f"{inert_text(figure.credit)}. Licence: {licence_link(licence, figure.permission)}."
        credit += f" Download: [original ({figure.image.suffix[1:].upper()})]({original}){{download}}"
        if figure.image.suffix.lower() == ".svg":
            credit += f" · [PNG]({_url(figure_png(case, figure))}){{download}}"
    else:
        # No image we may reuse: say so, describe it, and point to the article. Never a stand-in picture.
        where = markdown_link(f"See Figure {figure.number} in the source article", case.source.url or "index.md#source")
        picture = (f'<div class="figure-placeholder" markdown="block">\n\n'
                   f"**Image not reproduced here.** {inert_text(figure.alt)}\n\n{where}\n\n</div>")
        credit = f"Figure {figure.number} of the source article{source_note}, licensed {licence_link(case.source.licence)}."
    kind = figure.caption_provenance or case.source.caption_provenance
    if kind:
        credit += f" Caption: {provenance()[kind]['label'].lower()}."
    return (f'<figure class="case-figure" markdown="block">\n{picture}\n<figcaption markdown="span">**Figure {figure.number}.** '
            f"{md(' '.join(figure.caption.split()))}</figcaption>\n</figure>"), credit


def _lightbox_text(text: str) -> str:
    """Plain text for a lightbox attribute. GLightbox puts data-title and data-description into the page as
    HTML, so the attribute must hold escaped text: escaped twice here, once undone by the browser's reading
    of the attribute. One line, no braces to end the attribute list; a leading '.' would make GLightbox
    read the description as a CSS selector."""
    line = " ".join(text.split()).replace("{", "(").replace("}", ")").lstrip(".")
    return inert(escape(escape(line)))


def _url(path: str) -> str:
    """A file name as a link: spaces, '#', '?' and '&' are escaped (MkDocs unescapes them to find the file)."""
    return quote(path, safe="/")


def discussion(case: Case) -> str:
    parts = ["# Discussion"]
    for section in case.discussion:
        parts += [f"## {heading_text(section.title)} {{#{section.id}}}", md(section.body)]
    return "\n\n".join(parts) + "\n"


def treatments(case: Case) -> str:
    """One sortable comparison table. Citations stay beside the claim they support, in the mechanism and
    evidence cells (a separate References column would only repeat them, detached from their claims)."""
    parts = ["# Treatments"]
    if case.treatments_intro:
        parts.append(md(case.treatments_intro))
    rows = []
    for t in case.treatments:
        rows.append(f'| <span id="{escape(t.id)}"></span>**{cell(t.name)}**{MENTIONS.format(t.id)} | {cell(t.group)} | '
                    f"{cell(t.route) if t.route else 'Not stated'} | {cell(t.mechanism) if t.mechanism else 'Not stated'} | "
                    f"{cell(t.evidence)} |")
    note = "Select a column heading to sort. Each citation stands beside the statement it supports."
    parts += [_table_caption(case, "tbl-treatments", note),
              '<div class="sortable-table" markdown="block">\n\n'
              "| Modality | Group | Route | Proposed mechanism | Evidence as the sources report it |\n"
              "| --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n\n</div>"]
    return "\n\n".join(parts) + "\n"


def quiz(case: Case) -> str:
    """Single-best-answer questions that work without JavaScript: radio buttons show each option's
    explanation, a <details> reveals the answer, and print shows an answer key at the end instead."""
    parts = ["# Self-assessment",
             "Choose the single best answer to each question: your choice shows why it is or is not the best "
             "answer, and *Show the answer* reveals it. When printed, the answers follow at the end."]
    key = []
    for q in case.questions:
        letter = "ABCDEF"[q.answer]
        correct = q.options[q.answer]
        options = "\n".join(_option(q, i, o) for i, o in enumerate(q.options))
        supports = ", ".join(f"@{s}" for s in q.supports)
        parts += [f"## Question {q.number} {{#{q.id}}}", f"""<div class="quiz" markdown="block">

{md(q.stem)}

<fieldset class="quiz-options" markdown="block">
<legend>Question {q.number}: choose the single best answer</legend>
{options}
</fieldset>

<details class="quiz-answer" markdown="block">
<summary>Show the answer</summary>

**Answer: {letter}.** {md(correct.text)}

{md(correct.explanation)}

**Read more:** {supports}.

</details>
</div>"""]
        key.append(f"{q.number}. **{letter}.** {md(correct.text)} (Read more: {supports}.)")
    parts.append('<div class="quiz-key" markdown="block">\n\n**Answers**\n\n' + "\n".join(key) + "\n\n</div>")
    return "\n\n".join(parts) + "\n"


def _option(q, index: int, option) -> str:
    letter = "ABCDEF"[index]
    verdict = "Correct: this is the best answer." if option.correct else "Not the best answer."
    outcome = "right" if option.correct else "wrong"
    return f"""<div class="quiz-option" markdown="block">
<input type="radio" name="{q.id}" id="{q.id}-{letter.lower()}" value="{letter}">
<label for="{q.id}-{letter.lower()}">**{letter}.** {md(option.text)}</label>
<div class="quiz-feedback quiz-feedback--{outcome}" markdown="block">

**{verdict}** {md(option.explanation)}

</div>
</div>"""


def case_card(case: Case, prefix: str) -> str:
    """A home or tag page card: title, summary, specialty, tags, a body-map thumbnail, and the credit the
    summary owes its source article (site-wide pages reuse case text too)."""
    thumb = ""
    if case.sites:
        svg = visuals.body_map(case.sites, lambda _: ("", ""), title=f"Body map: {case.title}", thumbnail=True)
        thumb = f'<span class="cb-thumb">{inert(svg)}</span>'
    return f"""-   {thumb}**[{heading_text(case.title)}]({prefix}cases/{case.slug}/index.md)**

    ---

    {md(' '.join(case.summary.split()))}

    *{inert_text(case.specialty)}* · {tag_links(case, prefix)}

    <small class="cb-card-credit">{based_on(case)}</small>
"""


def based_on(case: Case) -> str:
    """The credit that travels with case text reused on site-wide pages: the article and its licence."""
    return f"Based on {inert_text(case.source.short or case.source.cite)}; licence: {inert_text(case.source.licence.short)}"


def case_credit(case: Case, prefix: str) -> str:
    """The case, linked, and the credit of its article (Markdown), for text taken from it."""
    return f"[{heading_text(case.title)}]({prefix}cases/{case.slug}/index.md). {based_on(case)}."


def _cards(cases: list[Case], prefix: str) -> str:
    return f'<div class="grid cards" markdown>\n\n{chr(10).join(case_card(c, prefix) for c in cases)}\n</div>\n'


def home(casebook: Casebook, glossary: bool) -> str:
    return f"""# Clinical casebook

Published clinical cases, rebuilt for teaching: the presentation, the figures, a discussion with every statement
referenced, the treatment options the literature reports, and questions to test yourself.

## Cases

{_cards(casebook.cases, "")}
Browse by [tag](tags/index.md){' or look up a term in the [glossary](glossary.md)' if glossary else ''}.
"""


def tags_of(casebook: Casebook) -> dict[str, tuple[str, list[Case]]]:
    """slug -> (tag as written, cases carrying it), sorted by tag."""
    found: dict[str, tuple[str, list[Case]]] = {}
    for case in casebook.cases:
        for tag in case.tags:
            found.setdefault(tag_slug(tag), (tag, []))[1].append(case)
    return dict(sorted(found.items(), key=lambda item: item[1][0].lower()))


def tags_index(casebook: Casebook) -> str:
    items = "\n".join(f"- [{inert_text(tag)}]({slug}.md) ({len(cases)} case{'s' if len(cases) != 1 else ''})"
                      for slug, (tag, cases) in tags_of(casebook).items())
    return f"# Tags\n\nEvery tag used by a case; each page lists the cases that carry it.\n\n{items}\n"


def tag_page(tag: str, cases: list[Case]) -> str:
    return f"# Tag: {heading_text(tag)}\n\nCases tagged *{inert_text(tag)}*. [All tags](index.md)\n\n{_cards(cases, '../')}"
