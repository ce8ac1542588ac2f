"""Property-based tests: any input gives a model or located errors, never another exception."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinicase.bibliography import load_bibliography
from clinicase.citations import Numbering, find_citations, resolve_page
from clinicase.content import load_casebook
from clinicase.crossrefs import find_crossrefs
from clinicase.errors import ContentError
from clinicase.content import link_problems
from clinicase.links import addresses
from clinicase.markup import md, site_markdown_html
from conftest import FIXTURES

# Text rich in the characters our parsers care about.
MARKDOWN = st.text(alphabet=st.sampled_from(list("[]@;:-_.`~ \n\t#(){}<>&*!abcfigsectrt0123456789")) | st.characters(),
                   max_size=300)
SECOND = FIXTURES / "second-case"
VALID = SECOND / "content" / "cases" / "synthetic-second-case"


def _bibliography():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "refs.bib"
        path.write_text((SECOND / "extra.bib").read_text(encoding="utf-8"), encoding="utf-8")
        return load_bibliography(path, "refs.bib")[0]


BIB = _bibliography()


@given(MARKDOWN)
@settings(max_examples=300, deadline=None)
def test_citation_parsing_never_fails_and_offsets_point_at_the_text(text):
    groups, malformed = find_citations(text)
    for group in groups:
        assert text[group.start] == "[" and text[group.end - 1] == "]"
        assert all(f"@{key}" in text[group.start:group.end] for key in group.keys)
    for bad in malformed:
        assert text[bad.start] == "["


@given(MARKDOWN)
@settings(max_examples=300, deadline=None)
def test_cross_reference_parsing_never_fails(text):
    for ref in find_crossrefs(text):
        assert 0 <= ref.start < ref.end <= len(text) and ref.id in text[ref.start:ref.end]
    for offset, message, fix in link_problems(text):
        assert 0 <= offset <= len(text) and message and fix


# What Markdown may make of author text, and nothing else: no raw HTML from the text ever becomes an element.
MARKDOWN_ELEMENTS = {"p", "em", "strong", "a", "img", "ul", "ol", "li", "blockquote", "code", "pre", "h1", "h2", "h3",
                     "h4", "h5", "h6", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "div", "details",
                     "summary"}
MARKDOWN_ATTRIBUTES = {"href", "src", "alt", "title", "class", "align", "style", "id", "open"}
HOSTILE = st.lists(st.sampled_from(["<script>", "</script>", "<img src=x onerror=alert(1)>", "<svg onload=x>",
                                    "{: onclick=x}", '"', "'", "[a](javascript:x)", "[r]: javascript:y", "[g][r]",
                                    "&#106;", "&lt;", "`", "\n", "\n    ", "> ", "- ", "!!! note\n    ", "word ",
                                    "<!--", "-->"]) | st.text(max_size=5), max_size=25).map("".join)


@given(HOSTILE)
@settings(max_examples=300, deadline=None)
def test_any_author_text_renders_with_no_element_or_attribute_we_did_not_write(text):
    """md() is how every text field reaches a page: whatever the text, the HTML holds only Markdown's own
    elements and attributes, and every link that is not reported is one the URL rule allows."""
    from html.parser import HTMLParser

    seen = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            seen.append((tag, [name for name, _ in attrs]))

    Tags().feed(site_markdown_html(md(text)))
    for tag, attributes in seen:
        assert tag in MARKDOWN_ELEMENTS, (tag, text)
        assert set(attributes) <= MARKDOWN_ATTRIBUTES and not any(a.startswith("on") for a in attributes), (tag, text)
    if not link_problems(text):
        assert all(not a.value.lower().lstrip().startswith(("javascript", "data", "vbscript"))
                   for a in addresses(site_markdown_html(md(text))))


@given(MARKDOWN)
@settings(max_examples=200, deadline=None)
def test_resolving_a_page_never_fails(text):
    page = resolve_page(text, page="p.md", title="P", numbering=Numbering(), describe=lambda key: key)
    assert "[@" not in page.markdown or find_citations(text)[1] or "`" in text


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20)
FILES = ["case", "presentation", "discussion", "figures", "timeline", "sites", "treatments", "quiz"]


def load_with(name: str, content: str) -> None:
    """Load the fixture case with one file replaced; only ContentError may come out."""
    root = Path(tempfile.mkdtemp())
    try:
        shutil.copytree(VALID, root / "content" / "cases" / "case")
        (root / "content" / "cases" / "case" / f"{name}.yml").write_text(content, encoding="utf-8")
        try:
            load_casebook(root, root / "content", BIB)
        except ContentError as error:
            assert error.problems and all(str(p).startswith("content/") for p in error.problems)
    finally:
        shutil.rmtree(root)


@given(st.sampled_from(FILES), JSON)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_yaml_data_gives_a_model_or_located_errors(name, data):
    load_with(name, yaml.safe_dump(data, allow_unicode=True))


@st.composite
def mutated_case_file(draw):
    """A valid case file with one value somewhere replaced by arbitrary data: deep paths get reached."""
    name = draw(st.sampled_from(FILES))
    data = yaml.safe_load((VALID / f"{name}.yml").read_text(encoding="utf-8"))
    node, steps = data, draw(st.integers(min_value=0, max_value=4))
    for _ in range(steps):
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
        if not children:
            break
        key, child = draw(st.sampled_from(children))
        if not isinstance(child, (dict, list)) or draw(st.booleans()):
            node[key] = draw(JSON | MARKDOWN)
            break
        node = child
    return name, data


@given(mutated_case_file())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_change_to_a_valid_case_gives_a_model_or_located_errors(case_file):
    name, data = case_file
    load_with(name, yaml.safe_dump(data, allow_unicode=True))


@given(st.sampled_from(FILES), st.text(max_size=200))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_gives_a_model_or_located_errors(name, text):
    load_with(name, text)


def test_the_unmutated_case_loads_so_mutations_start_from_valid_content(tmp_path):
    shutil.copytree(VALID, tmp_path / "content" / "cases" / "case")
    [case] = load_casebook(tmp_path, tmp_path / "content", BIB).cases
    assert case.questions and case.sites and case.timeline and case.treatments
