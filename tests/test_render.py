"""Markdown produced from YAML text (clinicase.render): data is not code."""

import copy

import yaml

from clinicase.markup import md, site_markdown_html
from clinicase.render import cell
from conftest import REPO


def test_raw_html_in_yaml_text_is_shown_not_run():
    assert md('<script>alert(1)</script> & <b onclick="x">') == '&lt;script>alert(1)&lt;/script> &amp; &lt;b onclick="x">'


def test_code_in_yaml_text_shows_its_characters_and_never_becomes_html():
    text = "Type `<br>` & <b>bold</b>\n\n```\n<b>\n```\n\n```<img src=x onerror=alert(1)>\n"  # the last fence never closes
    html = site_markdown_html(md(text))
    assert "<code>&lt;br&gt;</code> &amp; &lt;b&gt;bold&lt;/b&gt;" in html and "<code>&lt;b&gt;\n</code>" in html
    assert "<img" not in html and "<b>" not in html


def test_table_cells_stay_on_one_line_and_in_their_column():
    assert cell("a | b\nc") == "a \\| b c"


# --- what the renderers give a reader, on the real site ----------------------------------

CASE = "cases/calcinosis-cutis-jssc/"


def visible_text(element) -> str:
    """Text as read, without the hidden previews of glossary terms and citations."""
    element = copy.copy(element)
    for tip in element.select(".term-tip, .citation-tip"):
        tip.decompose()
    return element.get_text(" ", strip=True)


def test_treatment_table_rows_match_the_yaml(real_site):
    groups = yaml.safe_load((REPO / "content" / CASE / "treatments.yml").read_text(encoding="utf-8"))["groups"]
    expected = [(t["id"], t["name"], g["title"], t.get("route", "Not stated")) for g in groups for t in g["items"]]
    table = real_site.html(CASE + "treatments/").select_one(".sortable-table table")
    headings = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headings == ["Modality", "Group", "Route", "Proposed mechanism", "Evidence as the sources report it", "References"]
    rows = table.select("tbody tr")
    found = [(r.select_one("td span[id]")["id"], visible_text(r.select_one("td strong")),
              r.select("td")[1].get_text(strip=True), r.select("td")[2].get_text(strip=True)) for r in rows]
    assert found == expected
    sts = next(r for r in rows if r.select_one("#trt-sodium-thiosulphate"))
    cited = [int(a.get_text()) for a in sts.select("td")[5].select("a.citation-link")]
    assert len(cited) >= 2 and not sts.select("td")[4].select(".citation"), "citations gather in the References column"
    assert "Three mechanisms" in sts.select("td")[3].get_text()


def test_quiz_answers_are_hidden_markup_and_keyboard_operable(real_site):
    quiz = yaml.safe_load((REPO / "content" / CASE / "quiz.yml").read_text(encoding="utf-8"))["questions"]
    page = real_site.html(CASE + "quiz/")
    blocks = page.select("div.quiz")
    assert len(blocks) == len(quiz)
    for question, block in zip(quiz, blocks):
        radios = block.select(f'fieldset input[type=radio][name="{question["id"]}"]')
        assert len(radios) == len(question["options"])
        assert all(block.select_one(f'label[for="{r["id"]}"]') for r in radios), "every option has its label"
        assert block.select_one("fieldset legend")
        answer = block.select_one("details.quiz-answer")
        assert answer is not None and not answer.has_attr("open"), "answers are closed until revealed"
        letter = "ABCDEF"[next(i for i, o in enumerate(question["options"]) if o.get("correct"))]
        assert answer.select_one("p strong").get_text() == f"Answer: {letter}."
    key = page.select(".quiz-key li")
    assert [li.select_one("strong").get_text() for li in key] == [
        "ABCDEF"[next(i for i, o in enumerate(q["options"]) if o.get("correct"))] + "." for q in quiz]


def test_overview_shows_objectives_level_tags_and_key_points(real_site):
    case = yaml.safe_load((REPO / "content" / CASE / "case.yml").read_text(encoding="utf-8"))
    page = real_site.html(CASE)
    objectives = page.select_one("#sec-objectives ~ ol").select("li")
    assert len(objectives) == len(case["objectives"])
    assert case["learner_level"].split()[0] in page.get_text()
    assert page.select_one(".admonition.abstract .admonition-title").get_text() == "Key points"
    tag_links = [a["href"] for a in page.select('article a[href*="tags/"]')]
    assert len(tag_links) == len(case["tags"])


def test_home_cards_and_tag_pages_collect_cases(casebook_site):
    home = casebook_site.html("")
    cards = home.select(".grid.cards > ul > li")
    assert len(cards) == 2 and all(card.select_one(".cb-thumb svg.cb-body-map") for card in cards)
    tag = casebook_site.html("tags/systemic-sclerosis/")
    titles = [a.get_text(strip=True) for a in tag.select(".grid.cards > ul > li > p:first-child a, .grid.cards strong a")]
    assert "Calcinosis cutis in juvenile systemic sclerosis" in titles
    assert "Synthetic second case (not a real patient)" in titles
    assert len(casebook_site.html("tags/fixture/").select(".grid.cards > ul > li")) == 1
