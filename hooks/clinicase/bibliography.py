"""The BibTeX file: parsing with located errors, and Vancouver (NLM) formatting.

Formatting follows pybtex's own style classes: templates built from
`pybtex.style.template` nodes, names through a name-style plugin, and
rendering through pybtex's HTML backend, which escapes every field.
"""

from __future__ import annotations

import difflib
import html
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
from .markup import SAFE_URL
from .yaml_source import read_text

_ENTRY_START = re.compile(r"^[ \t]*@([A-Za-z]+)[ \t]*[{(][ \t]*([^,\s{}()]+)\s*(,?)", re.MULTILINE)
MAX_AUTHORS = 6  # NLM: list six, then "et al."
MAX_BIB_BYTES = 50_000_000  # a department's whole Zotero library, abstracts included


# --- names -------------------------------------------------------------------

# Backends made once: Text.render_as() looks the backend up among installed plugins on every call.
PLAIN = PlainBackend()
HTML = HtmlBackend()


@lru_cache(maxsize=65536)  # the same names and journals come back in every export
def plain(latex: str) -> str:
    """LaTeX markup ({...}, \\'e) as plain Unicode text."""
    return Text.from_latex(latex).render(PLAIN)


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
    if SAFE_URL.fullmatch(url) and url.lower().startswith("http"):
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
            if url and not (SAFE_URL.fullmatch(url) and url.lower().startswith("http")):
                problems.append(Problem(where, f"entry '{key}' has url '{url[:60]}', which is not an http(s) address",
                                        "correct it; until then it is not shown"))
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
    if not path.is_file():
        return None, [Problem(Location(name), "bibliography file not found", "create it, even if empty")]
    text, problems = read_text(path, name, MAX_BIB_BYTES)
    if text is None:
        return None, problems
    # serve rebuilds reuse parsed and formatted entries of an unchanged file
    return remembered(_LAST, (name, text), lambda: _split(text, name), limit=1)


_LAST: dict = {}


def _split(text: str, name: str) -> tuple[Bibliography | None, list[Problem]]:
    problems: list[Problem] = []
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


_CROSSREF = re.compile(r"^\s*crossref\s*=\s*[{\"]?\s*([^\s,}\"]+)", re.MULTILINE | re.IGNORECASE)
_FONT_COMMAND = re.compile(r"\\(?:emph|text(?:it|bf|sc|sl|tt|up|rm|sf|md)|mkbib[a-z]+|enquote)\s*(?=\{)")
_LOGO = re.compile(r"\\(LaTeX|TeX)\b\s*(?:\{\})?")


def _drop_font_commands(entry: Entry) -> None:
    """`\\emph{in vitro}` keeps its words (as a protected group): pybtex would print the command itself."""
    for field_name, value in entry.fields.items():
        if "\\" in value and field_name.lower() not in {"url", "doi"}:
            entry.fields[field_name] = _LOGO.sub(r"\1", _FONT_COMMAND.sub("", value))


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
