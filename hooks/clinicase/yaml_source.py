"""Read one YAML file safely, remembering where every value came from.

PyYAML's `safe_load` forgets positions and silently keeps the last of two
duplicate keys, so we compose the node tree ourselves and build plain data
from it, refusing what an author never means to write (tabs, duplicate keys,
alias bombs, absurd nesting).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .cache import remembered
from .errors import Location, Problem

MAX_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 40

_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
FieldPath = tuple  # of str keys and int indexes


def field_name(path: FieldPath) -> str:
    """('figures', 2, 'alt') -> 'figures[2].alt', the way authors read it."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class Document:
    """Plain data from one file plus the position of every value and key."""

    name: str
    data: Any = None
    value_marks: dict[FieldPath, yaml.Mark] = field(default_factory=dict)
    key_marks: dict[FieldPath, yaml.Mark] = field(default_factory=dict)
    ends: dict[FieldPath, yaml.Mark] = field(default_factory=dict)  # of string scalars
    text: str = ""

    def where(self, path: FieldPath, *, key: bool = False, offset: int = 0) -> Location:
        """Location of a value (or of its key), falling back to the nearest parent.

        `offset` is a character offset inside a string value; for literal
        block scalars (`|`) it is turned into the exact line.
        """
        marks = self.key_marks if key and path in self.key_marks else self.value_marks
        probe = path
        while probe and probe not in marks:
            probe = probe[:-1]
        mark = marks.get(probe)
        if mark is None:
            return Location(self.name, 1, 1)
        if offset and probe == path and path in self.ends:
            return self._inside_scalar(path, mark, offset)
        return Location(self.name, mark.line + 1, mark.column + 1)

    def _inside_scalar(self, path: FieldPath, mark: yaml.Mark, offset: int) -> Location:
        """Line and column of a character inside a (possibly folded) string value.

        Folding changes whitespace, not markup, so the n-th occurrence of the
        two characters at `offset` is also the n-th in the source text.
        """
        value, token = self.get(path), self.get(path)[offset:offset + 2]
        ordinal = value.count(token, 0, offset)
        raw_start, raw = mark.index, self.text[mark.index:self.ends[path].index]
        found = -1
        for _ in range(ordinal + 1):
            found = raw.find(token, found + 1)
            if found < 0:
                return Location(self.name, mark.line + 1, mark.column + 1)
        at = raw_start + found
        line_start = self.text.rfind("\n", 0, at) + 1
        return Location(self.name, self.text.count("\n", 0, at) + 1, at - line_start + 1)

    def problem(self, path: FieldPath, message: str, fix: str = "", *, key: bool = False, offset: int = 0) -> Problem:
        return Problem(self.where(path, key=key, offset=offset), message, fix, field_name(path))

    def get(self, path: FieldPath) -> Any:
        value = self.data
        for part in path:
            value = value[part]
        return value


class _Builder:
    """Turns a composed node tree into plain data, recording marks and problems."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.problems: list[Problem] = []
        self.nodes = 0
        self.scalars = yaml.SafeLoader("")  # only its scalar constructors are used

    def build(self, node: yaml.Node, path: FieldPath, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise _TooBig(node, depth > MAX_DEPTH)
        self.doc.value_marks[path] = node.start_mark
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            raise yaml.constructor.ConstructorError(None, None, f"tag {node.tag!r} is not allowed", node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        value = self.scalars.construct_object(node, deep=True)
        if isinstance(value, str):
            self.doc.ends[path] = node.end_mark
        return value

    def _mapping(self, node: yaml.MappingNode, path: FieldPath, depth: int) -> dict:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(_loc(self.doc.name, key_node.start_mark), "a key must be a plain name",
                                             "write `name: value`", field_name(path)))
                continue
            key = key_node.value  # the raw text: `no:` stays the field name "no"
            child = (*path, key)
            if key in result:
                first = self.doc.key_marks[child].line + 1
                self.problems.append(Problem(_loc(self.doc.name, key_node.start_mark),
                                             f"duplicate key '{key}' (first given on line {first})",
                                             "keep one of them; YAML would silently drop the first", field_name(child)))
                continue
            self.doc.key_marks[child] = key_node.start_mark
            result[key] = self.build(value_node, child, depth + 1)
        return result


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, too_deep: bool):
        self.node = node
        self.too_deep = too_deep


def _loc(name: str, mark: yaml.Mark | None) -> Location:
    return Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)


def read_text(path: Path, name: str, max_bytes: int = MAX_BYTES) -> tuple[str | None, list[Problem]]:
    """The file's text (BOM and CRLF accepted), or the problem that prevents reading it."""
    raw = path.read_bytes()
    if len(raw) > max_bytes:
        return None, [Problem(Location(name), f"file is {len(raw):,} bytes, more than the {max_bytes:,} allowed",
                              "split the content or remove what does not belong in it")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [Problem(Location(name, line, column), "file is not UTF-8 text",
                              "save it as UTF-8 in your editor (Save with encoding → UTF-8)")]
    return text.replace("\r\n", "\n"), []


_LOADED: dict[tuple[str, str], tuple[Document, list[Problem]]] = {}  # (name, text) -> result, for serve rebuilds


def load_yaml(path: Path, name: str) -> tuple[Document, list[Problem]]:
    """Load one YAML file; problems are returned, never raised.

    `mkdocs serve` rebuilds everything after each save: a file whose text is unchanged is not read
    again (the cache is keyed on the text itself, and nothing downstream changes a Document)."""
    text, problems = read_text(path, name)
    if text is None:
        return Document(name), problems
    return remembered(_LOADED, (name, text), lambda: _load(text, name), limit=4096)


def _load(text: str, name: str) -> tuple[Document, list[Problem]]:
    doc = Document(name)
    doc.text = text
    tab = _tab_indentation(text, name)
    if tab:
        return doc, [tab]
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 25x faster
    except yaml.MarkedYAMLError as error:
        what = error.problem or "the YAML cannot be read"
        if error.context and error.context_mark:
            what += f", {error.context} that starts on line {error.context_mark.line + 1}"
        return doc, [Problem(_loc(name, error.problem_mark or error.context_mark), f"YAML syntax error: {what}",
                             "check quotes, indentation and colons around these lines")]
    except yaml.YAMLError as error:
        return doc, [Problem(Location(name), f"YAML error: {error}", "check the file's syntax")]
    except RecursionError:
        return doc, [Problem(Location(name), "nesting is too deep to read", f"keep nesting under {MAX_DEPTH} levels")]
    if node is None:
        return doc, [Problem(Location(name, 1, 1), "file is empty", "fill it in or delete it")]
    builder = _Builder(doc)
    try:
        doc.data = builder.build(node, ())
    except _TooBig as error:
        limit = f"nesting deeper than {MAX_DEPTH} levels" if error.too_deep else f"more than {MAX_NODES:,} values (aliases included)"
        return doc, [Problem(_loc(name, error.node.start_mark), f"refused: {limit}",
                             "a case file never needs this; remove the deep nesting or repeated aliases")]
    except yaml.constructor.ConstructorError as error:
        return doc, [Problem(_loc(name, error.problem_mark), f"cannot read value: {error.problem}", "quote the value")]
    return doc, builder.problems


def _tab_indentation(text: str, name: str) -> Problem | None:
    for number, line in enumerate(text.split("\n"), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return Problem(Location(name, number, indent.index("\t") + 1), "tab used for indentation",
                           "YAML indents with spaces only; replace the tab with spaces")
    return None
