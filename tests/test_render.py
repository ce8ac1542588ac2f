"""Markdown produced from YAML text (clinicase.render): data is not code."""

import copy
import shutil

import pytest
import yaml
from bs4 import BeautifulSoup

import conftest
from clinicase import render, slides
from clinicase.bibliography import load_bibliography
from clinicase.content import load_casebook
from clinicase.citations import find_citations
from clinicase.crossrefs import case_targets
from clinicase.handout import handout_markdown
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
    assert headings == ["Modality", "Group", "Route", "Proposed mechanism", "Evidence as the sources report it"]
    rows = table.select("tbody tr")
    found = [(r.select_one("td span[id]")["id"], visible_text(r.select_one("td strong")),
              r.select("td")[1].get_text(strip=True), r.select("td")[2].get_text(strip=True)) for r in rows]
    assert found == expected


def cited_groups(text: str) -> list[int]:
    """How many keys each citation group of a YAML text cites, in order."""
    return [len(group.keys) for group in find_citations(text)[0]]


def test_treatment_citations_stay_beside_the_claim_they_support(real_site):
    """Each citation group of the YAML's mechanism and evidence is in the same cell, in the same order,
    citing as many references: nothing is gathered away from its claim."""
    items = [t for g in yaml.safe_load((REPO / "content" / CASE / "treatments.yml").read_text(encoding="utf-8"))["groups"]
             for t in g["items"]]
    rows = real_site.html(CASE + "treatments/").select(".sortable-table table tbody tr")
    assert len(rows) == len(items)
    for item, row in zip(items, rows):
        cells = row.select("td")
        assert len(cells) == 5
        for column, field in [(3, "mechanism"), (4, "evidence")]:
            groups = [len(c.select("a.citation-link")) for c in cells[column].select("span.citation")]
            assert groups == cited_groups(item.get(field, "")), (item["id"], field)
    sts = next(r for r in rows if r.select_one("#trt-sodium-thiosulphate")).select("td")
    mechanism, evidence = sts[3], sts[4]
    # the three proposed mechanisms are cited to Garcia (the article's ref 18) and to nothing else
    assert "Three mechanisms" in visible_text(mechanism)
    last = mechanism.select("span.citation")[-1]
    assert [e.get_text() for e in last.select(".citation-tip__entry")][0].split(". ", 1)[1].startswith("Garcia GE")
    assert visible_text(mechanism).index("Three mechanisms") < mechanism.get_text().index(last.get_text())
    # the routes tried are cited to Valenzuela, Nigwekar and Nielsen (refs 14, 16, 17), beside that claim
    routes = evidence.select("span.citation")[1]
    authors = [e.get_text().split(". ", 1)[1].split(",")[0] for e in routes.select(".citation-tip__entry")]
    assert authors == ["Valenzuela A", "Nigwekar SU", "Nielsen BJ"]
    warfarin = next(r for r in rows if r.select_one("#trt-warfarin")).select("td")[4]
    assert "carries no citation" in visible_text(warfarin) and len(warfarin.select("span.citation")) == 1


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


# --- what case reports do not say: absent shows nothing, `{not_stated: true}` says so ---------------------

NOT_STATED = conftest.FIXTURES / "not-stated"
UNSTATED = "unstated-gastro-case"
GLUED = ("Not stated (", "for Not stated", "In Age")  # the teacher's report: text glued into sentences


def unstated_case(tmp_path, presentation=None, case=None):
    """The not-stated fixture case, loaded (schema included) after `presentation` and `case` change its YAML."""
    shutil.copytree(NOT_STATED / "content", tmp_path / "content")
    folder = tmp_path / "content" / "cases" / UNSTATED
    for name, change in (("presentation", presentation), ("case", case)):
        if change:
            path = folder / f"{name}.yml"
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            change(data)
            path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    bib = load_bibliography(conftest.FIXTURES / "site" / "bibliography.bib", "bibliography.bib")[0]
    [loaded] = load_casebook(tmp_path, tmp_path / "content", bib).cases
    return loaded


def page_text(markdown: str) -> str:
    return " ".join(BeautifulSoup(site_markdown_html(markdown), "html.parser").get_text(" ").split())


def no_link(target):
    return "#", target


def set_field(field, value):
    def change(data):
        if value is ABSENT:
            data[field[0]].pop(field[1], None) if len(field) == 2 else data.pop(field[0], None)
        elif len(field) == 2:
            data[field[0]][field[1]] = value
        else:
            data[field[0]] = value
    return change


ABSENT = object()
FORMS = {"given": None, "absent": ABSENT, "not_stated": {"not_stated": True}}


@pytest.mark.parametrize("form, expected", [
    ("given", "Recurrent abdominal pain, for two weeks (2004 (age 27))."),
    ("absent", "Recurrent abdominal pain (2004 (age 27))."),
    ("not_stated", "Recurrent abdominal pain (2004 (age 27)). Duration: not stated in the source.")])
def test_duration_given_absent_or_not_stated(tmp_path, form, expected):
    value = FORMS[form] if form != "given" else "two weeks"
    case = unstated_case(tmp_path, presentation=set_field(("presenting_complaint", "duration"), value))
    text = page_text(render.presentation(case, no_link))
    assert f"Presenting complaint {expected} History" in text
    bullet = next(b for b in slides._presentation_slides(case, lambda t, keys: t)[0].bullets if "27 years" in b)
    assert bullet == "27 years, female: " + expected.rstrip(".").replace("source", "source.")


def test_a_complaint_written_as_a_sentence_is_not_given_two_full_stops(tmp_path):
    case = unstated_case(tmp_path, presentation=lambda data: data["presenting_complaint"].update(
        complaint="Recurrent abdominal pain.", duration="two weeks"))
    assert "Recurrent abdominal pain, for two weeks (2004 (age 27))." in page_text(render.presentation(case, no_link))
    bullet = next(b for b in slides._presentation_slides(case, lambda t, keys: t)[0].bullets if "abdominal" in b)
    assert bullet == "27 years, female: Recurrent abdominal pain, for two weeks (2004 (age 27))"


@pytest.mark.parametrize("complaint, said", [("Pain.", "Pain, for"), ("Fever, myalgia etc.", "Fever, myalgia etc., for"),
                                              ("Weight loss...", "Weight loss..., for")])
def test_only_a_closing_full_stop_is_dropped_before_the_duration(tmp_path, complaint, said):
    case = unstated_case(tmp_path, presentation=lambda data: data["presenting_complaint"].update(
        complaint=complaint, duration="two weeks"))
    assert f"{said} two weeks" in page_text(render.presentation(case, no_link))


def test_an_age_the_source_does_not_give_is_said_so(tmp_path):
    case = unstated_case(tmp_path, presentation=set_field(("patient", "age"), {"not_stated": True}))
    assert "Patient Age: Not stated in the source · Sex: female" in page_text(render.presentation(case, no_link))
    bullet = next(b for b in slides._presentation_slides(case, lambda t, keys: t)[0].bullets if "abdominal" in b)
    assert bullet.startswith("age not stated, female: Recurrent abdominal pain")


@pytest.mark.parametrize("form, expected", [("given", "Examination Soft, non-tender abdomen. Investigations"),
                                            ("absent", "History"),
                                            ("not_stated", "Examination Not stated in the source. Investigations")])
def test_examination_given_absent_or_not_stated(tmp_path, form, expected):
    value = FORMS[form] if form != "given" else ["Soft, non-tender abdomen."]
    case = unstated_case(tmp_path, presentation=set_field(("examination",), value))
    markdown = render.presentation(case, no_link)
    assert expected in page_text(markdown)
    assert ("sec-examination" in markdown) == (form != "absent")
    findings = slides._presentation_slides(case, lambda t, keys: t)[2].bullets
    assert findings[0] == {"given": "Soft, non-tender abdomen.", "absent": "Colonoscopy: A synthetic finding",
                           "not_stated": "Examination: not stated in the source."}[form]


@pytest.mark.parametrize("field, label", [("approval", "Ethical approval"), ("consent", "Patient consent"),
                                          ("funding", "Funding"), ("conflicts", "Conflicts of interest")])
@pytest.mark.parametrize("form", FORMS)
def test_ethics_statement_given_absent_or_not_stated(tmp_path, field, label, form):
    value = FORMS[form] if form != "given" else "As the article words it"
    case = unstated_case(tmp_path, case=set_field(("ethics", field), value))
    text = page_text(render.overview(case, "", no_link))
    shown = {"given": f"{label}: As the article words it", "not_stated": f"{label}: Not stated in the source"}
    if form == "absent":
        assert f"{label}:" not in text
    else:
        assert shown[form] in text


def test_ethics_with_no_statement_at_all_shows_no_empty_section(tmp_path):
    case = unstated_case(tmp_path, case=lambda data: data.update(ethics={}))
    markdown = render.overview(case, "", no_link)
    assert "Ethics and consent" not in markdown and "## Source" in markdown


def test_a_case_without_key_facts_shows_no_empty_key_facts_section(tmp_path):
    """key_facts is optional: its heading, on the Overview and in the handout, comes only with facts."""
    case = unstated_case(tmp_path)  # the fixture gives no key facts
    overview = render.overview(case, "", no_link)
    assert "Key facts" not in overview and "## In this case" in overview
    assert "sec-key-facts" not in case_targets(case), "@sec-key-facts may not link to a missing heading"
    assert "Key facts" not in handout_markdown(case, "")
    with_facts = unstated_case(tmp_path / "again",
                               case=lambda data: data.update(key_facts=[{"label": "Patient", "value": "Synthetic"}]))
    assert with_facts.key_facts and "## Key facts {#sec-key-facts}" in render.overview(with_facts, "", no_link)


def test_earlier_features_read_well_with_an_age_or_a_year(tmp_path):
    case = unstated_case(tmp_path)
    assert "Earlier features (Age 19), as the source records them: Intermittent diarrhoea" in \
        page_text(render.presentation(case, no_link))
    history = slides._presentation_slides(case, lambda t, keys: t)[1].bullets
    assert "Earlier features (Age 19): Intermittent diarrhoea" in history


@pytest.fixture(scope="module")
def unstated_site(tmp_path_factory):
    """The site fixture plus the not-stated case, built strict."""
    project = conftest.make_project(tmp_path_factory.mktemp("unstated"))
    shutil.copytree(NOT_STATED / "content" / "cases", project / "content" / "cases", dirs_exist_ok=True)
    build = conftest.run_mkdocs(project, "--strict")
    assert build.returncode == 0, build.output
    return build


def test_built_pages_say_what_the_source_does_not_state(unstated_site):
    page = unstated_site.html(f"cases/{UNSTATED}/presentation/")
    text = " ".join(visible_text(page.select_one("article")).split())
    assert "Recurrent abdominal pain (2004 (age 27)). Duration: not stated in the source." in text
    assert "Earlier features (Age 19), as the source records them:" in text
    assert not page.select("#sec-examination")
    ethics = [" ".join(li.get_text(" ").split()) for li in
              unstated_site.html(f"cases/{UNSTATED}/").select("h2#ethics-and-consent ~ ul")[0].select("li")]
    assert ethics == ["Ethical approval: Not stated in the source", "Patient consent: Not stated in the source",
                      "Conflicts of interest: None declared"]


@pytest.mark.parametrize("site", ["unstated_site", "real_site"])
def test_no_page_glues_a_missing_field_into_a_sentence(request, site):
    build = request.getfixturevalue(site)
    for path in build.pages():
        text = " ".join(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ").split())
        assert not [g for g in GLUED if g in text], path.relative_to(build.site)


def test_real_case_keeps_its_presentation_and_ethics_text(real_site):
    text = " ".join(visible_text(real_site.html(CASE + "presentation/").select_one("article")).split())
    assert "Bilateral gluteal ulcers, for one year (October 2017)." in text
    assert "Earlier features (2003), as the source records them: Skin tightening" in text
    assert real_site.html(CASE + "presentation/").select_one("#sec-examination + ul li").get_text() == \
        "Thin built and poorly nourished."
    ethics = [" ".join(li.get_text(" ").split()) for li in
              real_site.html(CASE).select("h2#ethics-and-consent ~ ul")[0].select("li")]
    assert ethics == ["Ethical approval: Not required", "Patient consent: Not stated in the source",
                      "Funding: No funding sources", "Conflicts of interest: None declared"]


# --- provenance: the site says exactly what the case records ---------------------------------

def _real_case():
    from clinicase.bibliography import load_bibliography
    from clinicase.content import load_casebook

    bib, _ = load_bibliography(REPO / "bibliography.bib", "bibliography.bib")
    return load_casebook(REPO, REPO / "content", bib).cases[0]


ADDED = "; its learning objectives and any key points, figure notes and questions were added for teaching."


@pytest.mark.parametrize("kind, text, captions", [
    ("quoted", f"The case text is quoted from the article{ADDED}", "Figure captions are quoted from the article."),
    ("adapted", f"The case text is adapted from the article{ADDED}", "Figure captions are adapted from the article."),
    ("paraphrased", f"The case text is paraphrased from the article{ADDED}",
     "Figure captions are paraphrased from the article."),
    ("written-for-this-site", "The case text is written for this site, based on the article, and so are its learning "
     "objectives and any key points, figure notes and questions.", "Figure captions are written for this site."),
])
def test_each_provenance_gives_its_exact_sentence(kind, text, captions):
    import dataclasses

    from clinicase.render import provenance_sentences

    case = _real_case()
    case.source = dataclasses.replace(case.source, text_provenance=kind, caption_provenance=kind)
    assert provenance_sentences(case) == f"{text} {captions}"


def test_provenance_not_recorded_is_said_and_never_claimed():
    import dataclasses

    from clinicase.render import provenance_sentences

    case = _real_case()
    case.source = dataclasses.replace(case.source, text_provenance="", caption_provenance="")
    assert provenance_sentences(case) == ("How the text relates to the article is not recorded. "
                                          "How the figure captions relate to the article is not recorded.")
    case.figures[0] = dataclasses.replace(case.figures[0], caption_provenance="paraphrased")
    assert provenance_sentences(case).endswith("Each figure says how its caption relates to the article.")


def test_no_page_says_quoted_for_a_case_that_does_not_record_it(fixture_site):
    """The mini fixture case records no provenance: no page may claim its text or captions are quoted."""
    for path in fixture_site.pages():
        text = path.read_text(encoding="utf-8")
        assert "quoted from" not in text and "paraphrased from" not in text, path


def test_the_provenance_enum_is_the_vocabulary():
    import json

    from clinicase.vocabularies import provenance

    schema = json.loads((REPO / "hooks/clinicase/schemas/case.schema.json").read_text(encoding="utf-8"))
    figures = json.loads((REPO / "hooks/clinicase/schemas/figures.schema.json").read_text(encoding="utf-8"))
    published = schema["properties"]["source"]["properties"]["provenance"]["properties"]
    assert published["text"]["enum"] == published["captions"]["enum"] == list(provenance())
    assert figures["properties"]["figures"]["items"]["properties"]["caption_provenance"]["enum"] == list(provenance())
