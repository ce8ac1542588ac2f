"""Citation parsing, numbering and range compression (clinicase.citations)."""

from clinicase.citations import (
    Numbering,
    compress,
    find_citations,
    resolve_page,
    vancouver_runs,
)


def keys(text):
    groups, _ = find_citations(text)
    return [g.keys for g in groups]


def test_single_and_multiple_keys():
    assert keys("One [@a] and two [@b; @c].") == [("a",), ("b", "c")]


def test_group_wrapped_across_lines_is_one_citation():
    assert keys("Text [@a;\n   @b;\n @c] end") == [("a", "b", "c")]


def test_keys_may_hold_letters_digits_and_underscore_hyphen_colon_dot():
    assert keys("[@odd:key.with-chars_1] and [@Smith_2020-b]") == [("odd:key.with-chars_1",), ("Smith_2020-b",)]


def test_keys_as_bibtex_allows_them_are_citable_with_the_same_characters():
    """Pandoc's rule: letters of any script, digits and _, with : . # $ % & - + ? < > ~ / inside; any other
    key (braces, an apostrophe) in braces."""
    assert keys("[@baez/article] [@stdmodel:glashow; @müller:2019] [@{Ib'{a}~{n}ez2000}]") == [
        ("baez/article",), ("stdmodel:glashow", "müller:2019"), ("Ib'{a}~{n}ez2000",)]


def test_trailing_punctuation_is_not_part_of_a_key():
    groups, malformed = find_citations("See [@a.] and [@b:]")
    assert [g.keys for g in groups] == [] and len(malformed) == 2


def test_inline_code_is_never_a_citation():
    assert keys("Use `[@a]` or ``code with ` and [@b]`` but [@c].") == [("c",)]


def test_fenced_code_block_is_never_a_citation():
    text = "Before [@a].\n\n```python\n@decorator\nx = '[@b]'\n```\n\n~~~\n[@c]\n~~~\nAfter [@d]."
    assert keys(text) == [("a",), ("d",)]


def test_indented_code_block_is_code_but_list_continuation_is_not():
    code = "Para.\n\n    [@code]\n\nText [@a]."
    listed = "- item\n\n    continued [@b]\n"
    assert keys(code) == [("a",)]
    assert keys(listed) == [("b",)]


def test_unterminated_fence_hides_the_rest():
    assert keys("[@a]\n```\n[@b]\n") == [("a",)]


def test_email_and_decorators_are_not_citations():
    assert keys("Write to me@example.org; @decorator; [see] @a") == []


def test_malformed_group_is_reported_not_dropped():
    _, malformed = find_citations("Locators are not supported [@a, p. 3].")
    assert [m.snippet for m in malformed] == ["[@a, p. 3]."]


def test_numbering_is_by_first_appearance_and_stable():
    numbering = Numbering()
    assert [numbering.number(k) for k in ["b", "a", "b", "c", "a"]] == [1, 2, 1, 3, 2]
    assert numbering.keys_in_order() == ["b", "a", "c"]


def test_compress_runs():
    assert compress([5, 1, 2, 3]) == [(1, 3), (5, 5)]
    assert compress([]) == []


def test_vancouver_writes_ranges_only_for_three_or_more():
    assert vancouver_runs([1, 2, 3, 5]) == [(1, 3), (5, 5)]
    assert vancouver_runs([1, 2, 4]) == [(1, 1), (2, 2), (4, 4)]


def test_resolve_page_renders_compressed_links_and_a_reference_list():
    numbering = Numbering()
    for key in ["a", "b", "c", "d", "e"]:
        numbering.number(key)
    page = resolve_page("## Intro\n\nText [@e; @a; @b; @c].", page="p.md", title="Page", numbering=numbering,
                        describe=lambda k: f"Entry {k} &lt;x&gt; *not em* [not](link)")
    html = page.markdown
    assert '&#91;<a class="citation-link" href="#ref-1"' in html
    assert ">1</a>&#8211;<a" in html and ">3</a>, <a" in html and ">5</a>&#93;" in html
    assert page.keys == ["a", "b", "c", "e"]
    assert page.occurrences[0].section == "Intro"
    assert '<li id="ref-5" value="5">' in html
    # tooltip text stays escaped and cannot turn into Markdown emphasis or links
    assert "Entry e &lt;x&gt; &#42;not em&#42; &#91;not&#93;&#40;link&#41;" in html


def test_resolve_page_leaves_code_alone():
    page = resolve_page("`[@a]`\n", page="p.md", title="P", numbering=Numbering(), describe=str)
    assert page.markdown == "`[@a]`\n" and page.keys == []


def test_a_reference_cited_often_gets_one_arrow_and_lettered_back_links():
    page = resolve_page("## Intro\n\nOnce [@a]. Twice [@a; @b]. Thrice [@a].", page="p.md", title="P", numbering=Numbering(),
                        describe=str)
    first, second = page.markdown.split('<li id="ref-')[1:]
    assert first.count("&#8617;") == 1 and [f">{letter}</a>" in first for letter in "abc"] == [True] * 3
    assert 'aria-label="Back to citation 3 in Intro"' in first
    assert second.count("&#8617;") == 1 and 'aria-label="Back to citation in Intro"' in second
