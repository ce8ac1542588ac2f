"""Finding the entries of a .bib where BibTeX finds them.

BibTeX reads an entry at any `@`, not only at the start of a line (`}@article{b,` after the previous
entry is an entry), takes everything up to the matching brace, and lets a key hold any character but
a comma, white space and an unbalanced brace (`Ib'{a}~{n}ez2000`, `baez/article`, `ünï`). Text between
entries is a comment; so, as biber reads it, is a line starting with `%`. Each entry is then parsed on
its own by pybtex (bibliography.py), so one broken entry never hides the others.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_HEAD = re.compile(r"@[ \t]*([A-Za-z][\w-]*)[ \t\r\n]*([{(])")
_NEXT_LINE_ENTRY = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]", re.MULTILINE)


@dataclass(frozen=True)
class Chunk:
    kind: str  # the entry type in lower case: 'article', 'string', 'preamble'…
    key: str  # as written; '' for @string and @preamble
    line: int  # where the entry starts
    text: str  # from its '@' to its closing brace
    key_span: tuple[int, int] = (0, 0)  # where the key sits in `text`
    problem: str = ""  # what BibTeX objects to in the entry's shape, e.g. 'no comma after the key'

    def with_key(self, key: str) -> str:
        """The entry's text with another key: pybtex reads neither braces nor some other characters in keys."""
        start, end = self.key_span
        return self.text[:start] + key + self.text[end:]


def scan(text: str) -> list[Chunk]:
    newlines = [m.start() for m in re.finditer("\n", text)]  # a library's .bib can hold 3 MB: no loop per character
    chunks, position = [], 0
    while (at := text.find("@", position)) >= 0:
        head = _HEAD.match(text, at)
        if not head or _in_comment_line(text, at):
            position = at + 1
            continue
        kind, opener = head.group(1).lower(), head.group(2)
        end = _closing(text, head.end() - 1, ")" if opener == "(" else "}")
        problem = ""
        if not end:  # unclosed: BibTeX runs on into the next entry; stop at the next line that starts one
            following = _NEXT_LINE_ENTRY.search(text, head.end())
            end = following.start() if following else len(text)
            problem = "its braces do not close (the entry ends where the next one starts)"
        position = end
        if kind == "comment":
            continue
        line = bisect.bisect_left(newlines, at) + 1
        body = text[at:end]
        if kind in {"string", "preamble"}:
            chunks.append(Chunk(kind, "", line, body, problem=problem))
            continue
        key, span, key_problem = _key(body, head.end() - at)
        chunks.append(Chunk(kind, key, line, body, span, problem or key_problem))
    return chunks


def _in_comment_line(text: str, at: int) -> bool:
    return text[text.rfind("\n", 0, at) + 1:at].lstrip().startswith("%")


_BRACES = {"}": re.compile(r"[{}]"), ")": re.compile(r"[{})]")}


def _closing(text: str, start: int, closer: str) -> int:
    """The index just after the delimiter that closes the one at `start`, or 0. Braces are counted
    as BibTeX counts them (a backslash does not escape one); only the delimiters are visited."""
    depth = 0
    for match in _BRACES[closer].finditer(text, start + 1):
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0 and closer == "}":
                return match.end()
            depth -= 1
        elif depth == 0:  # ')' closing an @entry( … )
            return match.end()
    return 0


def _key(body: str, start: int) -> tuple[str, tuple[int, int], str]:
    """The key after the opening brace: any characters but commas, white space and unbalanced braces."""
    index = start
    while index < len(body) and body[index].isspace():
        index += 1
    key_start, depth = index, 0
    while index < len(body):
        char = body[index]
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (char == "," or char.isspace() or char == ")"):
            break
        index += 1
    key = body[key_start:index]
    rest = body[index:].lstrip()
    if not key:
        return "", (key_start, key_start), "it has no key"
    if rest and rest[0] not in ",})":
        return key, (key_start, index), "no comma after the key"
    return key, (key_start, index), ""
