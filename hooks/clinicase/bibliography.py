"""The BibTeX file: parsing with located errors, and Vancouver (NLM) formatting.

Formatting follows pybtex's own style classes: templates built from
`pybtex.style.template` nodes, names through a name-style plugin, and
rendering through pybtex's HTML backend, which escapes every field.
"""

from __future__ import annotations

import difflib
import html
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from pybtex.backends.html import Backend as HtmlBackend
from pybtex.backends.plaintext import Backend as PlainBackend
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.input.bibtex import Parser
from pybtex.exceptions import PybtexError
from pybtex.richtext import HRef, Text
from pybtex.scanner import PybtexSyntaxError
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle
from pybtex.style.names import BaseNameStyle
from pybtex.style.template import (
    FieldIsMissing,
    first_of,
    join,
    node,
    optional,
    optional_field,
    sentence,
)
from pybtex.style.template import field as bib_field

from .cache import remembered
from .errors import ContentError, Location, Problem
from .links import is_web_address
from .markup import NOT_TEXT
from .yaml_source import read_text

_ENTRY_START = re.compile(r"^[ \t]*@([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s{}()]+)\s*(,?)", re.MULTILINE)
MAX_AUTHORS = 6  # NLM: list six, then "et al."
MAX_BIB_BYTES = 50_000_000  # a department's whole Zotero library, abstracts included
VERBATIM_FIELDS = {"url", "doi", "eprint", "file", "pdf"}  # addresses, not LaTeX: never parsed or rewritten
# C0 controls but tab and newline (carriage returns are gone already), DEL and C1: invisible in editors, and
# invalid in the XML of a slide deck; HTML shows them as boxes or not at all.
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")


# --- names -------------------------------------------------------------------

# Backends made once: Text.render_as() looks the backend up among installed plugins on every call.
PLAIN = PlainBackend()
HTML = HtmlBackend()


@lru_cache(maxsize=65536)  # the same names and journals come back in every export
def plain(latex: str) -> str:
    """LaTeX markup ({...}, \\'e) as plain Unicode text; never raises (see `_parsed`)."""
    return _parsed(latex)[1].render(PLAIN)


def safe_latex(latex: str) -> str:
    """`latex` as pybtex can parse it: what `plain` reads, and what an entry's fields are repaired to."""
    return _parsed(latex)[0]


def _parsed(latex: str) -> tuple[str, Text]:
    """The least-changed text that parses, and its parse. A bare % is a per cent sign to the author but a LaTeX
    comment to the parser: it eats the rest of the value, a closing brace too (PybtexSyntaxError), so it is escaped
    first; then unbalanced braces are dropped; last every brace and backslash (a trailing one fails in latexcodec)."""
    escaped = _UNESCAPED_PERCENT.sub(r"\\%", latex)
    for candidate in (escaped, re.sub(r"[{}]", "", escaped), re.sub(r"[\\{}%]", "", latex)):
        try:
            return candidate, Text.from_latex(candidate)
        except (PybtexError, ValueError):  # PybtexSyntaxError; UnicodeDecodeError from latexcodec
            continue
    return latex, Text(latex)  # not reached: nothing is left that LaTeX could misread


def _initials(names: list[str]) -> str:
    """'Mark D. P.' -> 'MDP'; 'Jean-Luc' -> 'JL'."""
    letters = []
    for name in names:
        for part in re.split(r"[\s\-.~]+", plain(name)):
            if part:
                letters.append(part[0].upper())
    return "".join(letters)


class VancouverNames(BaseNameStyle):
    """Surname then initials without stops: 'Gutierrez A Jr', 'El-Shabrawi L'."""

    def format(self, person: Person, abbr: bool = False) -> Text:
        surname = " ".join(plain(n) for n in person.prelast_names + person.last_names)
        parts = [surname, _initials(person.first_names + person.middle_names), " ".join(map(plain, person.lineage_names))]
        return Text(" ".join(p for p in parts if p))


def _is_others(person: Person) -> bool:
    return str(person) == "others"


@node
def authors(children, context):
    """Up to six names, then 'et al.'; `and others` also gives 'et al.'."""
    persons = context["entry"].persons.get("author") or context["entry"].persons.get("editor") or []
    if not persons:
        return Text()
    named = [p for p in persons if not _is_others(p)]
    style = context["style"]
    shown = [style.format_name(p) for p in named[:MAX_AUTHORS]]
    if len(named) > MAX_AUTHORS or len(named) < len(persons):
        shown.append(Text("et al"))
    return join(sep=", ")[shown].format_data(context).add_period()


# --- fields ------------------------------------------------------------------

def short_pages(pages: str) -> str:
    """NLM drops repeated leading digits of the last page: 455--462 -> 455-62."""
    first, _, last = re.sub(r"\s*[-–—]+\s*", "-", pages).partition("-")
    if not last:
        return first
    if first.isdigit() and last.isdigit() and len(first) == len(last):
        common = len(re.match(r"\d*", "".join(a if a == b else "|" for a, b in zip(first, last))).group())
        last = last[common:] or last[-1]
    return f"{first}-{last}"


@node
def year(children, context):
    fields = context["entry"].fields
    value = fields.get("year") or fields.get("date", "")[:4]
    return Text(value) if value else Text()


@node
def pages(children, context):
    """Raises when absent, so that `optional[":", pages]` drops its colon too."""
    value = context["entry"].fields.get("pages")
    if not value:
        raise FieldIsMissing("pages", context["entry"])
    return Text(short_pages(plain(value)))


def _journal():
    return first_of[optional_field("journal"), optional_field("journaltitle")]


def _identifiers(entry) -> list[Text]:
    """DOI, PMID, PMCID and URL as links, NLM's 'doi: … PMID: …' order."""
    f = entry.fields
    out = []
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", f.get("doi", "").strip(), flags=re.I)
    if re.fullmatch(r"10\.\d{4,9}/\S+", doi):
        out.append(Text("doi: ", HRef(_href(f"https://doi.org/{quote(doi, safe='/:;()._-')}"), doi), "."))
    if f.get("pmid", "").strip().isdigit():
        pmid = f["pmid"].strip()
        out.append(Text("PMID: ", HRef(f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/", pmid), "."))
    if re.fullmatch(r"(PMC)?\d+", f.get("pmcid", "").strip(), flags=re.I):
        pmcid = "PMC" + re.sub(r"^PMC", "", f["pmcid"].strip(), flags=re.I)
        out.append(Text("PMCID: ", HRef(f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/", pmcid), "."))
    url = f.get("url", "").strip()
    if is_web_address(url) and url.lower().startswith("http"):
        out.append(Text("Available from: ", HRef(_href(url), url), "."))
    return out


def _href(url: str) -> str:
    """pybtex writes href values as given: escape quotes and angle brackets ourselves."""
    return html.escape(url, quote=True)


class VancouverStyle(BaseStyle):
    """Vancouver / NLM citation style on pybtex's template system."""

    default_name_style = VancouverNames
    default_label_style = "number"
    default_sorting_style = "none"

    def get_article_template(self, e):
        issue = optional["(", bib_field("number"), ")"]
        volume = optional[";", bib_field("volume"), issue]
        return join(sep=" ")[
            authors,
            sentence[bib_field("title")],
            sentence[_journal()],
            join[year, volume, optional[":", pages], "."],
        ]

    def get_inproceedings_template(self, e):
        return join(sep=" ")[
            authors,
            sentence[bib_field("title")],
            join[join(sep="; ")[join["In: ", bib_field("booktitle")],
                                join(sep=" ")[year, optional_field("month", apply_func=_month)],
                                optional_field("address")], "."],
        ]

    def get_misc_template(self, e):
        return join(sep=" ")[
            authors,
            sentence[first_of[optional_field("title"), e.key]],
            sentence(sep=". ")[optional_field("howpublished"), _journal(), optional_field("publisher"), year],
        ]

    def format_entry(self, label, entry, bib_data=None):
        """Any entry type without its own template, or missing a field its template needs, is formatted as
        misc: never a crash (the missing field is reported as a located warning instead)."""
        get_template = getattr(self, f"get_{entry.type}_template", self.get_misc_template)
        context = {"entry": entry, "style": self, "bib_data": bib_data}
        try:
            return FormattedEntry(entry.key, get_template(entry).format_data(context), label)
        except FieldIsMissing:
            return FormattedEntry(entry.key, self.get_misc_template(entry).format_data(context), label)


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _month(text: Text) -> Text:
    value = str(text).strip().lower()[:3]
    names = [m.lower() for m in _MONTHS]
    if value in names:
        return Text(_MONTHS[names.index(value)])
    return Text(_MONTHS[int(value) - 1]) if value.isdigit() and 1 <= int(value) <= 12 else text


# --- the bibliography ----------------------------------------------------------

# What the Vancouver style needs per entry type; each item lists fields of which any one will do.
NEEDED_FIELDS = {
    "article": [("author", "editor"), ("title",), ("journal", "journaltitle"), ("year", "date")],
    "inproceedings": [("author", "editor"), ("title",), ("booktitle", "eventtitle"), ("year", "date")],
    "book": [("author", "editor"), ("title",), ("publisher",), ("year", "date")],
}

@dataclass(frozen=True)
class Reference:
    key: str
    html: str  # escaped, with links for identifiers
    text: str  # plain text, for tests and downloads


@dataclass(frozen=True)
class _Chunk:
    key: str
    line: int  # where the entry starts in the file
    text: str


@dataclass
class Bibliography:
    """The .bib, read lazily: the file is split into entries once, and an entry is parsed by pybtex only
    when it is cited. A department's 3,000-entry library then costs what its cited entries cost."""

    name: str
    chunks: dict[str, _Chunk]  # lower-case key -> the entry's text
    macros: list[_Chunk] = field(default_factory=list)  # every @string, parsed before any entry
    style: VancouverStyle = field(default_factory=VancouverStyle)
    _entries: dict[str, Entry] = field(default_factory=dict, repr=False)
    _formatted: dict[str, Reference] = field(default_factory=dict, repr=False)
    _repairs: dict[str, list[Problem]] = field(default_factory=dict, repr=False)  # per key: what entry() changed
    _parser: Parser | None = field(default=None, repr=False)

    @property
    def lines(self) -> dict[str, int]:
        return {low: chunk.line for low, chunk in self.chunks.items()}

    @property
    def data(self) -> BibliographyData:
        """Every entry, parsed (for tests and tools; the site only parses what it cites)."""
        return BibliographyData(entries={chunk.key: self.entry(chunk.key) for chunk in self.chunks.values()})

    def entry(self, key: str) -> Entry:
        """The parsed entry; a syntax error in it is a located ContentError."""
        low = key.lower()
        if low not in self._entries:
            chunk = self.chunks[low]
            entry = self._parse(chunk).entries[chunk.key]
            _drop_font_commands(entry)
            self._repairs[low] = _repair(entry, chunk.key, self.location(chunk.key))
            parent = entry.fields.get("crossref")
            if parent and parent.lower() in self.chunks:
                _inherit(entry, self.entry(parent))
            self._entries[low] = entry
        return self._entries[low]

    def _parse(self, chunk: _Chunk) -> BibliographyData:
        if self._parser is None:
            self._parser = Parser()
            for macro in self.macros:
                self._parse_with(self._parser, macro)
        return self._parse_with(self._parser, chunk)

    def _parse_with(self, parser: Parser, chunk: _Chunk) -> BibliographyData:
        try:
            return parser.parse_string(chunk.text)
        except PybtexSyntaxError as error:
            raise ContentError([Problem(Location(self.name, chunk.line + error.lineno - 1),
                                        f"BibTeX syntax error: {error.args[0] if error.args else error}",
                                        "check braces, commas and quotes in this entry")]) from None
        except PybtexError as error:
            raise ContentError([Problem(Location(self.name, chunk.line), f"BibTeX error: {error}",
                                        "fix the entry it names")]) from None

    def __contains__(self, key: str) -> bool:
        return key.lower() in self.chunks

    def canonical(self, key: str) -> str:
        return self.chunks[key.lower()].key

    def location(self, key: str) -> Location:
        """Where the entry starts: the place every warning about it points to."""
        return Location(self.name, self.chunks[key.lower()].line)

    def closest(self, key: str, count: int = 3) -> list[str]:
        keys = [chunk.key for chunk in self.chunks.values()]
        close = difflib.get_close_matches(key, keys, n=count, cutoff=0.75)
        return close or difflib.get_close_matches(key.lower(), [k.lower() for k in keys], n=count, cutoff=0.6)

    def field_warnings(self, keys) -> list[Problem]:
        """A located warning for each cited entry that lacks a field its reference needs, or whose
        url is not a plain http(s) address (it is then not shown)."""
        problems = []
        for key in sorted({self.canonical(k) for k in keys}, key=str.lower):
            entry = self.entry(key)
            where = Location(self.name, self.chunks[key.lower()].line)
            present = {f.lower() for f in entry.fields} | {r.lower() for r in entry.persons}
            for options in NEEDED_FIELDS.get(entry.type, [("title",)]):
                if not present & set(options):
                    problems.append(Problem(where, f"entry '{key}' has no {' or '.join(options)}",
                                            f"add {options[0]} = {{...}}; until then its reference is printed without it"))
            url = entry.fields.get("url", "").strip()
            if url and not (is_web_address(url) and url.lower().startswith("http")):
                problems.append(Problem(where, f"entry '{key}' has url '{url[:60]}', which is not an http(s) address",
                                        "correct it; until then it is not shown"))
            problems.extend(self._repairs.get(key.lower(), []))
        return problems

    def short(self, key: str) -> str:
        """Author-year label for places without numbers, e.g. 'Reiter et al. 2011'."""
        entry = self.entry(key)
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        year = entry.fields.get("year") or entry.fields.get("date", "")[:4]
        if not persons:
            return " ".join(filter(None, [plain(entry.fields.get("title", key))[:40], year]))
        last = plain(" ".join(persons[0].last_names) or str(persons[0]))
        return f"{last}{' et al.' if len(persons) > 1 else ''} {year}".strip()

    def reference(self, key: str) -> Reference:
        """The formatted entry (formatted once, on first use: only cited entries cost anything)."""
        key = self.canonical(key)
        if key not in self._formatted:
            entry = self.entry(key)
            body = self.style.format_entry(None, entry).text
            rich = Text(body, *[Text(" ", i) for i in _identifiers(entry)])
            self._formatted[key] = Reference(key, rich.render(HTML), rich.render(PLAIN))
        return self._formatted[key]


def load_bibliography(path: Path, name: str) -> tuple[Bibliography | None, list[Problem]]:
    """Split the .bib into entries; duplicate keys (also differing in case), a missing comma after a key
    and a crossref to nowhere are located problems. Entries are parsed when cited (Bibliography.entry)."""
    if not os.path.lexists(path):
        return None, [Problem(Location(name), "bibliography file not found", "create it, even if empty")]
    text, problems = read_text(path, name, MAX_BIB_BYTES, root=path.parent)  # a regular file, size checked first
    if text is None:
        return None, problems
    # serve rebuilds reuse parsed and formatted entries of an unchanged file
    return remembered(_LAST, (name, text), lambda: _split(text, name), limit=1)


_LAST: dict = {}


def _split(text: str, name: str) -> tuple[Bibliography | None, list[Problem]]:
    problems = _not_bibtex(text, name)
    if problems:
        return None, problems
    chunks: dict[str, _Chunk] = {}
    macros: list[_Chunk] = []
    starts = list(_ENTRY_START.finditer(text))
    line, counted = 1, 0
    for match, following in zip(starts, [*starts[1:], None]):
        line, counted = line + text.count("\n", counted, match.start()), match.start()  # counted once, not per entry
        kind, key = match.group(1).lower(), match.group(2)
        chunk = _Chunk(key, line, text[match.start():following.start() if following else len(text)])
        if kind == "string":
            macros.append(chunk)
        elif kind in {"preamble", "comment"}:
            continue
        elif not match.group(3):
            problems.append(Problem(Location(name, line), f"no comma after the key '{key}'",
                                    f"write @{match.group(1)}{{{key}, — without it BibTeX silently drops the first field"))
        elif key.lower() in chunks:
            problems.append(Problem(Location(name, line), f"duplicate entry key '{key}' (also on line "
                                    f"{chunks[key.lower()].line})", "keys must be unique, ignoring case: rename or "
                                    "delete one entry"))
        else:
            chunks[key.lower()] = chunk
    for chunk in chunks.values():
        parent = _CROSSREF.search(chunk.text)
        if parent and parent.group(1).lower() not in chunks:
            problems.append(Problem(Location(name, chunk.line), f"entry '{chunk.key}' has crossref "
                                    f"'{parent.group(1)}', which is not in the file", "add that entry or remove the crossref"))
    return (None, problems) if problems else (Bibliography(name, chunks, macros), [])


_ANY_ENTRY = re.compile(r"@[A-Za-z]+\s*[{(]")  # looser than _ENTRY_START: a malformed entry is still BibTeX
_RIS_TAG = re.compile(r"^TY  - ", re.MULTILINE)


def _not_bibtex(text: str, name: str) -> list[Problem]:
    """An RIS or CSL-JSON export saved as .bib holds no `@type{`: say so once, not once per citation.
    Nothing but blank lines and % comments is a valid, empty bibliography (a casebook may cite nothing)."""
    if _ANY_ENTRY.search(text) or all(not line.strip() or line.lstrip().startswith("%") for line in text.splitlines()):
        return []
    looks = " (it looks like RIS)" if _RIS_TAG.search(text) else \
        " (it looks like CSL-JSON)" if text.lstrip().startswith(("[", "{")) else ""
    return [Problem(Location(name, 1), f"the file holds no BibTeX entries{looks}", "export your library as BibTeX (.bib)")]


_CROSSREF = re.compile(r"^\s*crossref\s*=\s*[{\"]?\s*([^\s,}\"]+)", re.MULTILINE | re.IGNORECASE)
_FONT_COMMAND = re.compile(r"\\(?:mbox|emph|text(?:it|bf|sc|sl|tt|up|rm|sf|md)|mkbib[a-z]+|enquote)\s*(?=\{)")
_LOGO = re.compile(r"\\(LaTeX|TeX)\b\s*(?:\{\})?")


def _drop_font_commands(entry: Entry) -> None:
    """`\\emph{in vitro}` keeps its words (as a protected group): pybtex would print the command itself."""
    for field_name, value in entry.fields.items():
        if "\\" in value and field_name.lower() not in VERBATIM_FIELDS:
            entry.fields[field_name] = _LOGO.sub(r"\1", _FONT_COMMAND.sub("", value))


_NAME_PARTS = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")


def _repair(entry: Entry, key: str, where: Location) -> list[Problem]:
    """Drop control characters and make every LaTeX field parse, in place, so that no page, download or slide
    meets them; one located warning per field changed (reported when the entry is cited)."""
    problems = []
    for field_name, value in list(entry.fields.items()):
        clean = NOT_TEXT.sub("", value)
        if clean != value:
            problems.append(_control_warning(key, field_name, value, where))
        if field_name.lower() not in VERBATIM_FIELDS and safe_latex(clean) != clean:
            problems.append(_latex_warning(key, field_name, clean, where))
            clean = safe_latex(clean)
        entry.fields[field_name] = clean
    for role, persons in entry.persons.items():
        names = "".join(n for person in persons for part in _NAME_PARTS for n in getattr(person, part))
        if NOT_TEXT.search(names):
            problems.append(_control_warning(key, role, names, where))
            for person in persons:
                for part in _NAME_PARTS:
                    setattr(person, part, [NOT_TEXT.sub("", n) for n in getattr(person, part)])
    return problems


def _control_warning(key: str, field_name: str, value: str, where: Location) -> Problem:
    codes = sorted({f"U+{ord(c):04X}" for c in NOT_TEXT.findall(value)})
    one = len(codes) == 1
    return Problem(where, f"entry '{key}' has {'a control character' if one else 'control characters'} "
                          f"({', '.join(codes)}) in its {field_name.lower()}",
                   f"delete {'it' if one else 'them'} (invisible in most editors: retype the field); the site leaves "
                   f"{'it' if one else 'them'} out")


def _latex_warning(key: str, field_name: str, value: str, where: Location) -> Problem:
    if _UNESCAPED_PERCENT.search(value):
        return Problem(where, f"entry '{key}' has an unescaped % in its {field_name.lower()}",
                       "write \\% (LaTeX reads a bare % as the start of a comment); the site shows a per cent sign")
    return Problem(where, f"entry '{key}' has a {field_name.lower()} that LaTeX cannot read (a stray brace or backslash)",
                   "correct it; until then it is shown without its braces and backslashes")


def _inherit(entry: Entry, parent: Entry) -> None:
    """BibTeX's crossref: a child takes the fields it lacks from its parent (the parent's title as booktitle)."""
    inherited = dict(parent.fields)
    if "title" in inherited and "booktitle" not in inherited:
        inherited["booktitle"] = inherited["title"]
    for field_name, value in inherited.items():
        if field_name.lower() not in {"title", "crossref"} and field_name not in entry.fields:
            entry.fields[field_name] = value
    for role, persons in parent.persons.items():
        if role not in entry.persons:
            entry.persons[role] = persons
