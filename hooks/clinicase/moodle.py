"""The case's quiz as Moodle XML, for a medical school's Moodle question bank.

Each question becomes a "multichoice" question with one answer (single), its options in the author's
order (A, B, C…, as on the site and in the handout), feedback for every option (the author's explanation),
and a general feedback giving the answer, where the case tells more, the references the question cites
(numbered as on the site) and the source's credit and licence. A first "category" question puts them in a
category named after the case. The file follows Moodle's importer (question/format/xml/format.php):
the XML declaration on the first line, UTF-8, fractions 100 and 0, text in <text> elements.

Everything from YAML is data: it is escaped into HTML here, and that HTML is written by ElementTree as XML
text (entities), so no text can close an element or open one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html import escape
from typing import TYPE_CHECKING, Callable

from .crossrefs import case_targets
from .markup import NOT_TEXT
from .render import pages_of
from .slides import credit_line, plain_text, reference_lines

if TYPE_CHECKING:
    from .bibliography import Bibliography
    from .citations import Numbering
    from .content import Case

LETTERS = "ABCDEF"
NAME_LENGTH = 80  # characters of the stem in a question's name, as the question bank lists it


def moodle_xml(case: Case, numbering: Numbering, bibliography: Bibliography, url: Callable[[str], str]) -> str:
    """The quiz as a Moodle XML file; `url(page name)` is a page's address on the published site, or ''."""
    text, targets, titles = plain_text(case, numbering, bibliography), case_targets(case), dict(pages_of(case))
    credit = escape(credit_line(case, bibliography))
    quiz = ET.Element("quiz")
    category = ET.SubElement(quiz, "question", type="category")
    _text(ET.SubElement(category, "category"), f"$course$/{category_path(case.title)}")
    _text(ET.SubElement(category, "info", format="html"), f"<p>{escape(' '.join(case.summary.split()))}</p><p>{credit}</p>")
    for q in case.questions:
        keys: list[str] = []
        stem = text(q.stem, keys)
        question = ET.SubElement(quiz, "question", type="multichoice")
        name = stem if len(stem) <= NAME_LENGTH else stem[:NAME_LENGTH].rsplit(" ", 1)[0] + "…"
        _text(ET.SubElement(question, "name"), f"Question {q.number}: {name}")
        _text(ET.SubElement(question, "questiontext", format="html"), f"<p>{escape(stem)}</p>")
        general = ET.SubElement(question, "generalfeedback", format="html")
        for tag, value in (("defaultgrade", "1"), ("penalty", "0.3333333"), ("hidden", "0"), ("single", "true"),
                           ("shuffleanswers", "false"), ("answernumbering", "ABCD")):
            ET.SubElement(question, tag).text = value
        for tag, words in (("correctfeedback", "Your answer is correct."),
                           ("partiallycorrectfeedback", "Your answer is partially correct."),
                           ("incorrectfeedback", "Your answer is incorrect.")):
            _text(ET.SubElement(question, tag, format="html"), f"<p>{words}</p>")
        for index, option in enumerate(q.options):
            answer = ET.SubElement(question, "answer", fraction="100" if option.correct else "0", format="html")
            _text(answer, f"<p>{escape(text(option.text, keys))}</p>")
            verdict = "Correct: this is the best answer." if option.correct else "Not the best answer."
            _text(ET.SubElement(answer, "feedback", format="html"),
                  f"<p><strong>{verdict}</strong> {escape(text(option.explanation, keys))}</p>")
        correct = q.options[q.answer]
        where = ", ".join(targets[s].label for s in q.supports)
        page = url("quiz.md")
        more = f'<a href="{escape(page)}">{escape(case.title)} › {escape(titles["quiz.md"])}</a>' if page \
            else f"{escape(case.title)} (in the casebook)"
        references = "".join(f"<p>{escape(line)}</p>" for line in reference_lines(keys, numbering, bibliography))
        _text(general, f"<p><strong>Answer: {LETTERS[q.answer]}.</strong> {escape(text(correct.text, []))}</p>"
                       f"<p>Read more: {escape(where)}, in {more}.</p>"
                       + (f"<p><strong>References</strong> (numbered as in the case)</p>{references}" if references else "")
                       + f"<p>{credit}</p>")
        tags = ET.SubElement(question, "tags")
        for tag in case.tags:
            _text(ET.SubElement(tags, "tag"), tag)
    ET.indent(quiz, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def category_path(name: str) -> str:
    """A category name as one step of Moodle's category path: '/' doubled, as its importer reads it, and a
    name that starts or ends with '/' padded with a space (Moodle's assemble_category_path)."""
    escaped = " ".join(name.split()).replace("/", "//")
    return f"{' ' if escaped.startswith('/') else ''}{escaped}{' ' if escaped.endswith('/') else ''}"


def _text(parent: ET.Element, html: str) -> None:
    """Moodle reads every text from a <text> child; ElementTree writes it as XML text, escaped."""
    ET.SubElement(parent, "text").text = NOT_TEXT.sub("", html)  # XML 1.0 has no place for control characters
