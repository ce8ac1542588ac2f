"""The Moodle quiz (clinicase.moodle): parsed with a real XML parser, held to the rules Moodle's importer
(question/format/xml/format.php) and its multichoice form apply, and read back against the site's quiz."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import yaml
from defusedxml import ElementTree

from clinicase import moodle
from conftest import FIXTURES, REPO, cited_numbers, text_and_tags

CASES = {"calcinosis-cutis-jssc": REPO / "content" / "cases" / "calcinosis-cutis-jssc",
         "synthetic-second-case": FIXTURES / "second-case" / "content" / "cases" / "synthetic-second-case"}
# What Moodle accepts (format.php and qtype_multichoice): answer numbering styles, and the text formats.
NUMBERING = {"abc", "ABCD", "123", "iii", "IIII", "none"}
FORMATS = {"html", "moodle_auto_format", "plain_text", "markdown"}


def case_yaml(slug: str, name: str) -> dict:
    return yaml.safe_load((CASES[slug] / f"{name}.yml").read_text(encoding="utf-8"))


def xml_of(site, slug: str) -> str:
    return (site.site / "cases" / slug / f"{slug}.moodle.xml").read_text(encoding="utf-8")




def text_of(element, path: str) -> str:
    """Moodle reads every text from a <text> child (format.php: getpath(..., '#', 'text', 0, '#'))."""
    found = element.find(f"{path}/text") if path else element.find("text")
    assert found is not None, path
    return (found.text or "").strip()


def split_category_path(path: str) -> list[str]:
    """Moodle's qformat_default::split_category_path: '/' separates, '//' is a '/' in a name."""
    return [name.replace("//", "/").strip() for name in re.split(r"(?<!/)/(?!/)", path)]


@pytest.mark.parametrize("slug", CASES)
def test_the_file_follows_moodle_s_xml_format(casebook_site, slug):
    source = xml_of(casebook_site, slug)
    assert source.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')  # the declaration is the first line
    quiz = ElementTree.fromstring(source.encode("utf-8"))
    assert quiz.tag == "quiz" and all(child.tag == "question" for child in quiz)
    category, *questions = list(quiz)
    assert category.get("type") == "category"
    assert split_category_path(text_of(category, "category")) == ["$course$", case_yaml(slug, "case")["title"]]
    assert len(questions) == len(case_yaml(slug, "quiz")["questions"])
    for question in questions:
        assert question.get("type") == "multichoice"
        assert 0 < len(text_of(question, "name")) <= 255
        for part in ("questiontext", "generalfeedback"):
            assert question.find(part).get("format") in FORMATS and text_of(question, part)
        assert question.findtext("single") == "true" and question.findtext("shuffleanswers") in {"true", "false"}
        assert question.findtext("answernumbering") in NUMBERING
        assert float(question.findtext("defaultgrade")) > 0 and 0 <= float(question.findtext("penalty")) <= 1
        answers = question.findall("answer")
        fractions = [float(a.get("fraction")) for a in answers]
        # Single answer: at least two choices, and the best one worth exactly 100% (qtype_multichoice's
        # 'notenoughanswers' and 'errfractionsnomax'); here exactly one is right and the others are worth 0.
        assert len(answers) >= 2 and sorted(fractions) == [0.0] * (len(answers) - 1) + [100.0]
        for answer in answers:
            assert answer.get("format") in FORMATS and text_of(answer, "")
            assert answer.find("feedback").get("format") in FORMATS and text_of(answer, "feedback")


@pytest.mark.parametrize("slug", CASES)
def test_the_questions_read_back_as_the_site_asks_them(casebook_site, slug):
    quiz = ElementTree.fromstring(xml_of(casebook_site, slug).encode("utf-8"))
    on_site = casebook_site.html(f"cases/{slug}/quiz/").select("div.quiz")
    site_refs = {int(li["value"]): " ".join(li.select_one(".reference").get_text().split())
                 for li in casebook_site.html(f"cases/{slug}/references/").select("ol.reference-list > li")}
    for raw, question, page in zip(case_yaml(slug, "quiz")["questions"], quiz.findall("question[@type='multichoice']"), on_site):
        stem, tags = text_and_tags(text_of(question, "questiontext"))
        assert tags == {"p"} and stem[:30] == " ".join(page.select_one("p").get_text().split())[:30]
        options = [" ".join(label.get_text().split())[3:] for label in page.select(".quiz-option label")]
        answers = question.findall("answer")
        assert [text_and_tags(text_of(a, ""))[0] for a in answers] == options
        correct = next(i for i, o in enumerate(raw["options"]) if o.get("correct"))
        assert [a.get("fraction") for a in answers].index("100") == correct
        for answer, option in zip(answers, raw["options"]):
            feedback = text_and_tags(text_of(answer, "feedback"))[0]
            verdict = "Correct: this is the best answer." if option.get("correct") else "Not the best answer."
            assert feedback.startswith(f"{verdict} {' '.join(option['explanation'].split()[:3])}")
        general_html = text_of(question, "generalfeedback")
        general, _ = text_and_tags(general_html)
        assert general.startswith(f"Answer: {'ABCDEF'[correct]}. {options[correct]}")
        # Each [n] cited in the question, its options or their feedback is listed as the site lists n.
        cited = {n for text in [stem, *(text_and_tags(text_of(a, part))[0] for a in answers for part in ("", "feedback"))]
                 for n in cited_numbers(text)}
        listed = {int(n): text_and_tags(entry)[0] for n, entry in re.findall(r"<p>\[(\d+)\] (.*?)</p>", general_html)}
        assert set(listed) == cited and all(site_refs[n] == entry for n, entry in listed.items())
        assert "Credit: " in general and "Licence: " in general
        assert [t.findtext("text") for t in question.findall("tags/tag")] == case_yaml(slug, "case")["tags"]


def test_building_again_gives_the_same_bytes(casebook_site, casebook_site_again):
    for slug in CASES:
        assert xml_of(casebook_site, slug).encode() == xml_of(casebook_site_again, slug).encode()


def test_a_case_without_questions_has_no_quiz_file(specialty_site):
    folder = specialty_site.site / "cases" / "synthetic-pancreatitis-case"
    assert not (folder / "synthetic-pancreatitis-case.moodle.xml").exists()
    assert "Moodle" not in specialty_site.html("cases/synthetic-pancreatitis-case/").select_one(".cb-reuse").get_text()


def test_text_from_yaml_stays_text_in_the_xml_and_in_its_html(tmp_path):
    """Markup in a question cannot close a <text>, open an element or end a CDATA section: it stays characters."""
    from clinicase.citations import Numbering
    from conftest import second_case

    case, bibliography = second_case(tmp_path)
    hostile = '</text></questiontext><question type="essay"> ]]> <script>alert(1)</script> & "q" \'a\''
    case.questions[0] = replace(case.questions[0], stem=hostile,
                                options=(replace(case.questions[0].options[0], text=hostile), *case.questions[0].options[1:]))
    case.title = "Left / right // both"
    quiz = ElementTree.fromstring(moodle.moodle_xml(case, Numbering(), bibliography, lambda page: "").encode("utf-8"))
    assert [q.get("type") for q in quiz] == ["category", "multichoice"]
    assert split_category_path(text_of(quiz[0], "category")) == ["$course$", "Left / right // both"]
    stem, tags = text_and_tags(text_of(quiz[1], "questiontext"))
    answer, answer_tags = text_and_tags(text_of(quiz[1].find("answer"), ""))
    assert stem == hostile == answer and tags == answer_tags == {"p"}
