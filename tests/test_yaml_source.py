"""Reading YAML safely with positions (clinicase.yaml_source)."""

import time

from clinicase.yaml_source import MAX_DEPTH, field_name, load_yaml


def load(tmp_path, raw: bytes):
    path = tmp_path / "case.yml"
    path.write_bytes(raw)
    return load_yaml(path, "case.yml")


def test_positions_are_remembered_for_values_and_keys(tmp_path):
    doc, problems = load(tmp_path, b"title: T\nfigures:\n  - id: fig-a\n    alt: A\n")
    assert problems == []
    assert str(doc.where(("figures", 0, "alt"))) == "case.yml:4:10"
    assert str(doc.where(("figures", 0, "alt"), key=True)) == "case.yml:4:5"
    assert str(doc.where(("figures", 0, "missing"))) == "case.yml:3:5"  # nearest parent


def test_offsets_inside_literal_and_folded_text_map_to_line_and_column(tmp_path):
    doc, _ = load(tmp_path, b"body: |\n  one [@x]\n  two [@x]\nfolded: >-\n  one\n  two\n    [@y] and [@y]\n")
    second = doc.data["body"].rindex("[@")
    assert str(doc.where(("body",), offset=second)) == "case.yml:3:7"
    assert str(doc.where(("folded",), offset=doc.data["folded"].rindex("[@"))) == "case.yml:7:14"


def test_bom_and_crlf_are_accepted(tmp_path):
    doc, problems = load(tmp_path, "\ufefftitle: Café\r\nsummary: S\r\n".encode())
    assert problems == [] and doc.data == {"title": "Café", "summary": "S"}


def test_non_utf8_is_located(tmp_path):
    _, problems = load(tmp_path, b"title: ok\nsummary: caf\xe9\n")
    assert str(problems[0]) == "case.yml:2:13: file is not UTF-8 text — save it as UTF-8 in your editor (Save with encoding → UTF-8)"


def test_empty_file(tmp_path):
    _, problems = load(tmp_path, b"# only a comment\n")
    assert str(problems[0]) == "case.yml:1:1: file is empty — fill it in or delete it"


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]"
              for i in range(1, 9)]
    start = time.monotonic()
    _, problems = load(tmp_path, "\n".join(lines).encode())
    assert time.monotonic() - start < 10
    assert "refused: more than 100,000 values" in problems[0].message


def test_deep_nesting_is_refused(tmp_path):
    _, problems = load(tmp_path, ("x: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)).encode())
    assert "refused: nesting deeper than" in problems[0].message


def test_very_deep_nesting_does_not_crash(tmp_path):
    _, problems = load(tmp_path, ("[" * 5000 + "]" * 5000).encode())
    assert problems and problems[0].location.file == "case.yml"


def test_yaml_tags_cannot_construct_objects(tmp_path):
    _, problems = load(tmp_path, b"title: !!python/object/apply:os.system ['echo hi']\n")
    assert str(problems[0]) == ("case.yml:1:8: cannot read value: tag 'tag:yaml.org,2002:python/object/apply:os.system' "
                                "is not allowed — quote the value")


def test_field_names_read_like_paths():
    assert field_name(("figures", 2, "alt")) == "figures[2].alt"
    assert field_name(()) == ""
