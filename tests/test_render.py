"""Markdown produced from YAML text (clinicase.render): data is not code."""

from clinicase.render import cell, md


def test_raw_html_in_yaml_text_is_shown_not_run():
    assert md('<script>alert(1)</script> & <b onclick="x">') == '&lt;script>alert(1)&lt;/script> &amp; &lt;b onclick="x">'


def test_code_in_yaml_text_is_left_for_markdown_to_escape():
    assert md("Type `<br>` and\n\n```\n<b>\n```\n") == "Type `<br>` and\n\n```\n<b>\n```\n"


def test_table_cells_stay_on_one_line_and_in_their_column():
    assert cell("a | b\nc") == "a \\| b c"
