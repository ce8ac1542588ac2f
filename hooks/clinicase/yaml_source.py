"""Read one YAML file safely, remembering where every value came from.

PyYAML's `safe_load` forgets positions and silently keeps the last of two
duplicate keys, so we compose the node tree ourselves and build plain data
from it, refusing what an author never means to write (tabs, duplicate keys,
alias bombs, absurd nesting).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .cache import remembered
from .errors import Location, Problem
from .files import path_problem, read_bytes
from .markup import NOT_TEXT

MAX_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 40
MAX_STRING = 20_000  # characters in one value: a long discussion section is a few thousand

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
    lines: list[int] = field(default_factory=list, repr=False)

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
        return _position(self.text, raw_start + found, self.name, self._line_starts())

    def _line_starts(self) -> list[int]:
        """Offsets where lines start, found once: counting newlines per problem made 10,000 problems quadratic."""
        if not self.lines:
            self.lines = [0, *(m.end() for m in re.finditer("\n", self.text))]
        return self.lines

    def problem(self, path: FieldPath, message: str, fix: str = "", *, key: bool = False, offset: int = 0) -> Problem:
        return Problem(self.where(path, key=key, offset=offset), message, fix, field_name(path))

    def get(self, path: FieldPath) -> Any:
        value = self.data
        for part in path:
            value = value[part]
        return value


_TIMESTAMP = "tag:yaml.org,2002:timestamp"


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
        # A date stays the text it was written as: the schemas ask for text, a timeline checks its calendar
        # itself (2024-02-30 is reported there, with the rest of the file), and "2017-10-05" reads the same.
        try:
            value = node.value if node.tag == _TIMESTAMP else self.scalars.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            raise  # a tag YAML does not know: the file cannot be read (_load says so)
        except Exception:  # noqa: BLE001 - `!!int abc`, `!!int ""`, `!!bool maybe`: PyYAML fails in many ways
            self.problems.append(Problem(_loc(self.doc.name, node.start_mark),
                                         f"'{node.value}' cannot be read as {node.tag.rsplit(':', 1)[-1]}",
                                         "remove the `!!` tag before it", field_name(path)))
            return node.value
        if isinstance(value, str):
            self.doc.ends[path] = node.end_mark
            value = self._text(value, node, path)
        return value

    def _text(self, value: str, node: yaml.ScalarNode, path: FieldPath) -> str:
        """Text as one form (NFC: 'é' typed two ways is one word), with no control characters, of sane length."""
        control = NOT_TEXT.search(value)
        if control:
            self.problems.append(Problem(_loc(self.doc.name, node.start_mark),
                                         f"the text holds a control character (U+{ord(control.group()):04X})",
                                         "delete it (it is invisible: retype the words around it)", field_name(path)))
        if len(value) > MAX_STRING:
            self.problems.append(Problem(_loc(self.doc.name, node.start_mark),
                                         f"the text is {len(value):,} characters long, more than the {MAX_STRING:,} allowed",
                                         "split it into sections or shorten it", field_name(path)))
        return unicodedata.normalize("NFC", value)

    def _mapping(self, node: yaml.MappingNode, path: FieldPath, depth: int) -> dict:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(_loc(self.doc.name, key_node.start_mark), "a key must be a plain name",
                                             "write `name: value`", field_name(path)))
                continue
            key = unicodedata.normalize("NFC", key_node.value)  # the raw text: `no:` stays the field name "no"
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


def read_text(path: Path, name: str, max_bytes: int = MAX_BYTES, *, root: Path | None = None) -> tuple[str | None, list[Problem]]:
    """The file's text (BOM, CRLF and old-Mac CR accepted), or the problem that prevents reading it.
    `root` is the project: the file must be a regular file inside it (see files.py)."""
    problem = path_problem(path, root or path.parent, max_bytes=max_bytes)
    if problem:
        fix = "split the content or remove what does not belong in it" if "allowed" in problem else \
            "make it an ordinary file inside the project (copy it in instead of linking to it)"
        return None, [Problem(Location(name), f"file {problem}", fix)]
    try:
        raw = read_bytes(path, root or path.parent, max_bytes)
    except OSError as error:
        return None, [Problem(Location(name), f"file cannot be read: {error}", "check the file")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return None, [Problem(Location(name, line, column), "file is not UTF-8 text",
                              "save it as UTF-8 in your editor (Save with encoding → UTF-8)")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


_LOADED: dict[tuple[str, str], tuple[Document, list[Problem]]] = {}  # (name, text) -> result, for serve rebuilds


def load_yaml(path: Path, name: str, root: Path | None = None) -> tuple[Document, list[Problem]]:
    """Load one YAML file; problems are returned, never raised.

    `mkdocs serve` rebuilds everything after each save: a file whose text is unchanged is not read
    again (the cache is keyed on the text itself, and nothing downstream changes a Document)."""
    text, problems = read_text(path, name, root=root)
    if text is None:
        return Document(name), problems
    return remembered(_LOADED, (name, text), lambda: _load(text, name), limit=4096)


def _load(text: str, name: str) -> tuple[Document, list[Problem]]:
    doc = Document(name)
    doc.text = text
    control = NOT_TEXT.search(text)  # found here, with its line (YAML's own message gives a byte offset)
    if control:
        return doc, [Problem(_position(text, control.start(), name), f"the file holds a control character "
                             f"(U+{ord(control.group()):04X})", "delete it (it is invisible: retype the words around it)")]
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


def _position(text: str, index: int, name: str, line_starts: list[int] | None = None) -> Location:
    if line_starts is None:
        line_starts = [0, *(m.end() for m in re.finditer("\n", text[:index]))]
    line = bisect.bisect_right(line_starts, index)
    return Location(name, line, index - line_starts[line - 1] + 1)


def _tab_indentation(text: str, name: str) -> Problem | None:
    for number, line in enumerate(text.split("\n"), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return Problem(Location(name, number, indent.index("\t") + 1), "tab used for indentation",
                           "YAML indents with spaces only; replace the tab with spaces")
    return None
