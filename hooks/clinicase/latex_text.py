"""LaTeX in BibTeX fields as Unicode text, with pylatexenc.

BibTeX values are LaTeX: accents (`{\\'e}`), math (`$<$`, `H$_2$O`), spacing (`~`, `\\,`), font and
link commands, and commands a file's own `@preamble` defines (`\\noopsort`). `convert` turns a value
into text in segments, each marked protected or not: a brace group that does not start with a command
keeps its case when a title is sentence-cased, as in BibTeX. Whatever still looks like LaTeX afterwards
(a command nobody knows, a backslash, a brace, a dollar, a sub- or superscript with no Unicode form)
is returned as `leftovers`, for a located warning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pylatexenc import latexwalker, macrospec
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")

# Commands BibTeX files use that pylatexenc does not know: (name, argument spec, text). A text with
# %(n)s keeps argument n; a callable gets the node. Sources: biblatex's manual (\mkbibquote, \bibstring,
# \psqq), xampl.bib's @preamble (\noopsort, a sorting key that prints nothing), hyperref (\url, \href).
_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ")


def _scripted(table: dict, text: str) -> str | None:
    """`text` in Unicode sub- or superscript letters, or None if one of them has no such form."""
    converted = text.translate(table)
    return converted if all(ord(c) in table for c in text) else None


def _argument(node, n: int) -> str:
    args = node.nodeargd.argnlist if node.nodeargd else []
    arg = args[n] if n < len(args) else None
    return _TEXT.nodelist_to_text([arg]) if arg is not None else ""


def _script_command(table):
    return lambda node, l2t=None: (lambda t: _scripted(table, t) or t)(_argument(node, 0))


_COMMANDS = [
    ("noopsort", "{", ""), ("printfirst", "{{", "%(1)s"), ("singleletter", "{", "%(1)s"),
    ("switchargs", "{{", "%(2)s%(1)s"),
    ("mbox", "{", "%(1)s"), ("hbox", "{", "%(1)s"), ("textnormal", "{", "%(1)s"), ("ensuremath", "{", "%(1)s"),
    ("mkbibquote", "{", "“%(1)s”"), ("enquote", "*{", "“%(2)s”"), ("mkbibemph", "{", "%(1)s"),
    ("mkbibitalic", "{", "%(1)s"), ("mkbibbold", "{", "%(1)s"), ("bibstring", "{", "%(1)s"),
    ("url", "{", "%(1)s"), ("nolinkurl", "{", "%(1)s"), ("href", "{{", "%(2)s"), ("doi", "{", "%(1)s"),
    ("hyphen", "", "-"), ("psq", "", " f."), ("psqq", "", " ff."), ("slash", "", "/"),
    ("TeX", "", "TeX"), ("LaTeX", "", "LaTeX"), ("BibTeX", "", "BibTeX"),
    ("textsubscript", "{", _script_command(_SUB)), ("textsuperscript", "{", _script_command(_SUP)),
    ("textsc", "{", lambda node, l2t=None: _argument(node, 0).upper()),  # small capitals: mcxcviii is MCXCVIII
    ("cite", "{", ""),  # a citation inside a citation: nothing a reader could follow (reported)
]
_REPORTED = {"cite"}  # known, dropped, and still worth a warning


def _contexts():
    walker = latexwalker.get_default_latex_context_db()
    walker.add_context_category("bibtex", prepend=True,
                                macros=[macrospec.MacroSpec(name, args) for name, args, _ in _COMMANDS])
    text = get_default_latex_context_db()
    text.add_context_category("bibtex", prepend=True, macros=[
        MacroTextSpec(name, simplify_repl=repl) for name, _, repl in _COMMANDS])
    return walker, text


_WALKER_DB, _TEXT_DB = _contexts()
_TEXT = LatexNodes2Text(latex_context=_TEXT_DB, math_mode="text", strict_latex_spaces=False)


# The characters LaTeX writes on request (\textbackslash, \{, \}, \$), each as a private-use stand-in while converting.
_ESCAPED_SPECIAL = re.compile(r"\\(textbackslash|textbraceleft|textbraceright|textdollar)(?![A-Za-z])(?:\s*\{\})?|\\([{}$])")
_PLACEHOLDER = {"textbackslash": "\ue000", "textbraceleft": "\ue001", "textbraceright": "\ue002", "textdollar": "\ue003",
                "{": "\ue001", "}": "\ue002", "$": "\ue003"}
_RESTORE = {0xE000: "\\", 0xE001: "{", 0xE002: "}", 0xE003: "$"}


@dataclass(frozen=True)
class Converted:
    segments: tuple[tuple[str, bool], ...]  # (text, protected from case changes)
    leftovers: tuple[str, ...] = ()  # what still looks like LaTeX, e.g. '\\hyphen' or '$'

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.segments)


# What LaTeX reads as more than the characters themselves; a value with none of it is already text (most
# volumes, pages, years, journals and names are), and skips the LaTeX parser.
_LATEX_AT_ALL = re.compile(r"[\\{}$&~^_]|--|''|``|[?!]`")


@lru_cache(maxsize=65536)  # the same names, journals and publishers come back in every entry
def convert(latex: str) -> Converted:
    """`latex` as Unicode text; never raises. A bare % is a per cent sign (the author meant one; LaTeX
    would read a comment and lose the rest of the value)."""
    if not _LATEX_AT_ALL.search(latex):
        return Converted(tuple(_tidy([(latex, False)])))
    source = _math_scripts(_UNESCAPED_PERCENT.sub(r"\\%", latex))
    # A \, { } or $ that the LaTeX asks for (\textbackslash, \{ …) is text, not leftover LaTeX: it travels as a
    # private-use character through the conversion and the leftover check, and is put back at the end.
    source = _ESCAPED_SPECIAL.sub(lambda m: _PLACEHOLDER[m.group(1) or m.group(2)], source)
    try:
        nodes = latexwalker.LatexWalker(source, latex_context=_WALKER_DB, tolerant_parsing=True).get_latex_nodes()[0]
        segments = [(_TEXT.nodelist_to_text([node]), _protects(node)) for node in nodes or []]
        unknown = {f"\\{name}" for name in _macro_names(nodes or []) if _TEXT_DB.get_macro_spec(name) is None or name in _REPORTED}
    except (latexwalker.LatexWalkerError, IndexError, ValueError, TypeError):  # pylatexenc's tolerance has limits
        segments, unknown = [(re.sub(r"[\\{}$]", "", source), False)], {"unreadable LaTeX"}
    segments = _tidy(segments)
    text = "".join(t for t, _ in segments)
    scripts = {mark for math in _MATH.findall(source) for mark in re.findall(r"[_^]", math)}  # no Unicode form
    leftovers = tuple(sorted(unknown | scripts | set(re.findall(r"[\\{}$]", text))))
    return Converted(tuple((t.translate(_RESTORE), p) for t, p in segments), leftovers)


def plain(latex: str) -> str:
    """LaTeX as plain Unicode text (what readers see), whitespace collapsed."""
    return convert(latex).text


def _protects(node) -> bool:
    """BibTeX keeps the case of a brace group, unless it starts with a command ({\\'E}, {\\"U}ber: special
    characters, which change case like letters); math never changes case."""
    if isinstance(node, latexwalker.LatexMathNode):
        return True
    if not isinstance(node, latexwalker.LatexGroupNode) or node.delimiters != ("{", "}"):
        return False
    first = next((n for n in node.nodelist if not (isinstance(n, latexwalker.LatexCharsNode) and not n.chars.strip())), None)
    return not isinstance(first, latexwalker.LatexMacroNode)


def _macro_names(nodes):
    for node in nodes:
        if node is None:
            continue
        if isinstance(node, latexwalker.LatexMacroNode):
            yield node.macroname
            if node.nodeargd:
                yield from _macro_names([a for a in node.nodeargd.argnlist if a is not None])
        for child in getattr(node, "nodelist", None) or []:
            yield from _macro_names([child])


def _tidy(segments: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """One space for any run of whitespace (a no-break space stays one), NFC, no empty segments."""
    out = []
    for text, protected in segments:
        text = unicodedata.normalize("NFC", re.sub(r"[ \t\n\r\f\v]+", " ", text))
        if out and out[-1][0].endswith(" "):
            text = text.lstrip(" ")
        if text:
            out.append((text, protected))
    if out:
        out[0] = (out[0][0].lstrip(), out[0][1])
        out[-1] = (out[-1][0].rstrip(), out[-1][1])
    return [(t, p) for t, p in out if t]


_MATH = re.compile(r"(?<!\\)\$(.*?)(?<!\\)\$", re.S)
_SCRIPT = re.compile(r"([_^])\s*(?:\{([^{}]*)\}|([^\s\\{}]))")


def _math_scripts(source: str) -> str:
    """`$_2$`, `$^{3}$`: sub- and superscripts in math as Unicode where every character has a form
    (H₂O, ³); the rest stay, and are reported as leftovers."""
    def inside(math: re.Match) -> str:
        def script(m: re.Match) -> str:
            body = m.group(2) if m.group(2) is not None else m.group(3)
            return _scripted(_SUB if m.group(1) == "_" else _SUP, body.strip()) or m.group(0)
        return "$" + _SCRIPT.sub(script, math.group(1)) + "$"
    return _MATH.sub(inside, source)


# --- sentence case ----------------------------------------------------------------

def sentence_case(segments, start: bool = True) -> str:
    """Citing Medicine's capitalisation: the first word of the title and of each sentence in it keep their
    capital; other Capitalised words are lowered (after a colon too: 'Infant sleep and feeding: a
    telephone survey'). Protected groups, and words whose capitals are not just the first letter
    (acronyms and names: HIV, LaTeX, McGraw, anti-PM/Scl), are kept as written."""
    merged: list[tuple[str, bool]] = []
    for text, protected in segments:  # {\'E}douard is one word: judge it whole
        if merged and not protected and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + text, False)
        else:
            merged.append((text, protected))
    out = []
    for text, protected in merged:
        if protected:
            out.append(text)
            start = start and not text.strip() or bool(re.search(r"[.?!]\s*$", text))
            continue
        for token in re.split(r"(\s+)", text):
            if not token or token.isspace():
                out.append(token)
                continue
            out.append(token if start else _lowered(token))
            start = bool(re.search(r"[.?!]$", token))
    return "".join(out)


def _lowered(word: str) -> str:
    letters = [c for c in word if c.isalpha()]
    if not letters or not letters[0].isupper() or any(c.isupper() for c in letters[1:]):
        return word
    if len(letters) == 1 and letters[0] != "A":  # I, V, X: pronoun or Roman numeral
        return word
    first = next(i for i, c in enumerate(word) if c.isalpha())
    return word[:first] + word[first].lower() + word[first + 1:]


# --- @preamble commands -----------------------------------------------------------

_NEWCOMMAND = re.compile(r"\\(?:re|provide)?newcommand\*?\s*\{?\\([A-Za-z]+)\}?\s*(?:\[(\d)\])?\s*\{")


def preamble_commands(preamble: str) -> dict[str, tuple[int, str]]:
    """`\\newcommand{\\name}[n]{body}` definitions in a .bib's @preamble: name -> (argument count, body)."""
    found = {}
    for match in _NEWCOMMAND.finditer(preamble):
        body, end = _braced(preamble, match.end() - 1)
        if end:
            found[match.group(1)] = (int(match.group(2) or 0), body)
    return found


def expand(latex: str, commands: dict[str, tuple[int, str]]) -> str:
    """`latex` with the @preamble's commands expanded (LaTeX would; pylatexenc cannot)."""
    if not commands or "\\" not in latex:
        return latex
    pattern = re.compile(r"\\(" + "|".join(map(re.escape, sorted(commands, key=len, reverse=True))) + r")(?![A-Za-z])\s*")
    for _ in range(5):  # commands that use commands; no loop forever
        match = pattern.search(latex)
        if not match:
            break
        count, body = commands[match.group(1)]
        position, args = match.end(), []
        for _ in range(count):
            while position < len(latex) and latex[position].isspace():
                position += 1
            arg, end = _braced(latex, position) if position < len(latex) and latex[position] == "{" else \
                (latex[position:position + 1], position + 1)
            args.append(arg)
            position = end or len(latex)
        replaced = re.sub(r"#(\d)", lambda m: args[int(m.group(1)) - 1] if int(m.group(1)) <= len(args) else "", body)
        latex = latex[:match.start()] + "{" + replaced + "}" + latex[position:]
    return latex


def _braced(text: str, start: int) -> tuple[str, int]:
    """The contents of the brace group opening at `start`, and the index after it (0 if unclosed)."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{" and text[index - 1:index] != "\\":
            depth += 1
        elif text[index] == "}" and text[index - 1:index] != "\\":
            depth -= 1
            if depth == 0:
                return text[start + 1:index], index + 1
    return "", 0
