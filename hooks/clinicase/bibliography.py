"""The BibTeX file: every entry found as BibTeX finds it, each parsed on its own, problems kept per key.

A problem in an entry (a syntax error, a duplicate key, a crossref to nowhere) belongs to that entry:
`problems(cited)` gives those of the cited entries, which stop the build, all at once; those of the
others are warnings (`uncited_problems`), so one broken entry in a 3,000-entry library never blocks
a site that does not cite it. Entries are converted from LaTeX (latex_text.py) and formatted in
Vancouver style (vancouver.py) only when cited.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from pybtex.backends.html import Backend as HtmlBackend
from pybtex.backends.plaintext import Backend as PlainBackend
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.input.bibtex import Parser
from pybtex.exceptions import PybtexError
from pybtex.richtext import HRef, Text
from pybtex.scanner import PybtexSyntaxError

from .bibtex_scanner import Chunk, scan
from .cache import remembered
from .errors import Location, Problem
from .latex_text import Converted, convert, expand, plain, preamble_commands
from .links import is_web_address
from .markup import NOT_TEXT
from .vancouver import TEMPLATED, VancouverStyle, value_of
from .yaml_source import read_text

MAX_BIB_BYTES = 50_000_000  # a department's whole Zotero library, abstracts included
VERBATIM_FIELDS = {"url", "doi", "eprint", "file", "pdf"}  # addresses, not LaTeX: never parsed or rewritten
# What a reference shows: only these are converted from LaTeX and judged (abstracts, keywords and notes are not shown)
SHOWN_FIELDS = {"title", "subtitle", "titleaddon", "booktitle", "booksubtitle", "booktitleaddon", "maintitle",
                "mainsubtitle", "maintitleaddon", "journal", "journaltitle", "volume", "number", "pages", "eid",
                "year", "date", "month", "day", "edition", "publisher", "address", "location", "school",
                "institution", "organization", "howpublished", "series", "chapter", "type", "version",
                "eventdate", "venue", "urldate", "pubstate", "langid", "language", "hyphenation", "entryset"}
NAME_ROLES = ("author", "editor", "translator", "holder", "bookauthor")
# What each type needs; each item lists fields of which any one will do.
NEEDED_FIELDS = {
    "article": [("author", "editor"), ("title",), ("journal", "journaltitle"), ("year", "date")],
    "inproceedings": [("title",), ("booktitle", "eventtitle"), ("year", "date")],
    "incollection": [("title",), ("booktitle",), ("year", "date")],
    "book": [("author", "editor"), ("title",), ("publisher",), ("year", "date")],
    "phdthesis": [("author",), ("title",), ("school", "institution"), ("year", "date")],
    "mastersthesis": [("author",), ("title",), ("school", "institution"), ("year", "date")],
    "thesis": [("author",), ("title",), ("school", "institution"), ("year", "date")],
    "techreport": [("title",), ("institution", "publisher"), ("year", "date")],
    "report": [("title",), ("institution", "publisher"), ("year", "date")],
    "patent": [("author",), ("title",), ("number",), ("year", "date")],
    "online": [("title",), ("url", "eprint", "doi")],
}

# Backends made once: Text.render_as() looks the backend up among installed plugins on every call.
PLAIN = PlainBackend()
HTML = HtmlBackend()


@dataclass(frozen=True)
class Reference:
    key: str
    html: str  # escaped, with links for identifiers
    text: str  # plain text, for tests and downloads


@dataclass
class Bibliography:
    """The .bib: every entry parsed once (cheap), converted and formatted only when cited."""

    name: str
    chunks: dict[str, Chunk]  # lower-case key -> the first entry with that key
    digest: str = ""  # SHA-256 of the file's text: what was planned from it is still right while it is unchanged
    entries: dict[str, Entry] = field(default_factory=dict, repr=False)  # lower-case key -> parsed, as read
    broken: dict[str, list[Problem]] = field(default_factory=dict, repr=False)  # lower-case key -> its problems
    loose: list[Problem] = field(default_factory=list, repr=False)  # problems of no entry (a head with no key)
    commands: dict[str, tuple[int, str]] = field(default_factory=dict, repr=False)  # the @preamble's \newcommands
    parser: Parser | None = field(default=None, repr=False)  # with the @string macros: parses an entry when it is first needed
    style: VancouverStyle = field(default_factory=VancouverStyle)
    _ready: dict[str, Entry] = field(default_factory=dict, repr=False)
    _fields: dict[str, dict[str, Converted]] = field(default_factory=dict, repr=False)
    _formatted: dict[str, Reference] = field(default_factory=dict, repr=False)
    _notes: dict[str, list[Problem]] = field(default_factory=dict, repr=False)  # per key: warnings when cited
    exported: dict = field(default_factory=dict, repr=False)  # (format, key) -> the entry as exports.py wrote it

    def once(self, kind: str, key: str, make):
        """`make()` for this entry, once per build however many pages list it; an error is kept as made."""
        if (kind, key) not in self.exported:
            try:
                self.exported[kind, key] = (make(), None)
            except Exception as error:  # noqa: BLE001 — the caller says what it could not write
                self.exported[kind, key] = (None, error)
        value, error = self.exported[kind, key]
        if error is not None:
            raise error
        return value

    @property
    def lines(self) -> dict[str, int]:
        return {low: chunk.line for low, chunk in self.chunks.items()}

    @property
    def data(self) -> BibliographyData:
        """Every readable entry (for tests and tools; the site only converts what it cites)."""
        self.check_all()
        return BibliographyData(entries={self.chunks[low].key: self.entry(low) for low in self.entries})

    def __contains__(self, key: str) -> bool:
        return key.lower() in self.chunks

    def canonical(self, key: str) -> str:
        return self.chunks[key.lower()].key

    def location(self, key: str) -> Location:
        """Where the entry starts: the place every message about it points to."""
        return Location(self.name, self.chunks[key.lower()].line)

    def closest(self, key: str, count: int = 3) -> list[str]:
        keys = [chunk.key for chunk in self.chunks.values()]
        close = difflib.get_close_matches(key, keys, n=count, cutoff=0.75)
        return close or difflib.get_close_matches(key.lower(), [k.lower() for k in keys], n=count, cutoff=0.6)

    # --- problems ------------------------------------------------------------------

    def problems(self, keys) -> list[Problem]:
        """What is wrong with the entries of `keys` (cited ones: the build stops on them, all at once)."""
        lows = sorted({k.lower() for k in keys})
        for low in lows:
            self.raw(low)
        return [p for low in lows for p in self.broken.get(low, [])]

    def uncited_problems(self, keys) -> list[Problem]:
        """Problems of entries nobody cites: warnings, since the site does not show them. Every entry is parsed
        for this (a second for 3,000 entries: the site has the worker do it, see `entry_problems`)."""
        self.check_all()
        cited = {k.lower() for k in keys}
        return self.loose + [p for low, found in self.broken.items() if low not in cited for p in found]

    def check_all(self) -> None:
        for low in self.chunks:
            self.raw(low)

    def raw(self, low: str) -> Entry | None:
        """The entry as read, parsed on first use (most of a library is never cited); None if it cannot be
        read: its problem (a syntax error, a crossref to nowhere) is then in `broken`."""
        if low in self.entries or low in self.broken or low not in self.chunks:
            return self.entries.get(low)
        chunk = self.chunks[low]
        placeholder = f"clinicase-entry-{low.encode().hex()}"  # pybtex reads neither braces nor some other characters in keys
        entry = _parse(self.parser, chunk, chunk.with_key(placeholder), self, placeholder)
        parent = entry.fields.get("crossref", "").strip() if entry is not None else ""
        if parent and parent.lower() not in self.chunks:
            self.broken.setdefault(low, []).append(Problem(
                self.location(low), f"entry '{chunk.key}' has crossref '{parent}', which is not in the file",
                "add that entry or remove the crossref"))
        elif entry is not None:
            self.entries[low] = entry
        return self.entries.get(low)

    def field_warnings(self, keys) -> list[Problem]:
        """For each cited entry: a field its type needs and lacks, LaTeX that is not text, a URL that is not
        http(s), control characters or a bare %: located warnings (the reference is still printed)."""
        problems = []
        for key in sorted({self.canonical(k) for k in keys}, key=str.lower):
            if key.lower() in self.broken:
                continue
            self.reference(key)  # formatting finds what it could not show
            problems.extend(self._notes.get(key.lower(), []))
        return problems

    # --- entries ---------------------------------------------------------------------

    def entry(self, key: str) -> Entry | None:
        """The entry as the site uses it: repaired (control characters, bare %), its crossref's fields
        inherited; None if it cannot be read (its problem is in `broken`)."""
        low = key.lower()
        if low not in self._ready:
            raw = self.raw(low)
            if raw is None:
                return None
            entry = Entry(raw.type, fields=dict(raw.fields), persons={r: list(p) for r, p in raw.persons.items()})
            entry.key = self.chunks[low].key
            for role in NAME_ROLES:  # pybtex reads only author and editor as names
                if role not in entry.persons and entry.fields.get(role, "").strip():
                    entry.persons[role] = _persons(entry.fields.pop(role))
            notes = self._notes.setdefault(low, [])
            notes.extend(_repair(entry, entry.key, self.location(low)))
            parent = entry.fields.get("crossref", "").strip().lower()
            if parent and parent != low and self.raw(parent) is not None:
                _inherit(entry, self.entry(parent))
            self._ready[low] = entry
        return self._ready[low]

    def fields(self, key: str) -> dict[str, Converted]:
        """The shown fields as text (the @preamble's commands expanded), and a warning for each field whose
        LaTeX could not all become text."""
        low = key.lower()
        if low not in self._fields:
            entry = self.entry(low)
            converted = {}
            for name, value in entry.fields.items():
                lower = name.lower()
                if lower in SHOWN_FIELDS or (lower == "note" and entry.type == "unpublished"):
                    converted[lower] = convert(expand(value, self.commands))
                    self._leftovers(low, lower, converted[lower].leftovers)
            for role in NAME_ROLES:
                for person in entry.persons.get(role, []):
                    for part in _name_parts(person):
                        self._leftovers(low, role, convert(part).leftovers)
            _web_address_in_howpublished(entry, converted)
            self._fields[low] = converted
        return self._fields[low]

    def _leftovers(self, low: str, field_name: str, leftovers: tuple[str, ...]) -> None:
        if not leftovers:
            return
        notes = self._notes.setdefault(low, [])
        shown = ", ".join(leftovers)
        problem = Problem(self.location(low), f"entry '{self.canonical(low)}': its {field_name} has LaTeX that "
                          f"cannot be shown as text ({shown})", "write it as plain text or Unicode (or define the "
                          "command in @preamble with \\newcommand); until then the site leaves it out")
        if problem not in notes:
            notes.append(problem)

    def short(self, key: str) -> str:
        """Author-year label for places without numbers, e.g. 'Reiter et al. 2011'."""
        entry = self.entry(key)
        if entry is None:
            return self.canonical(key)
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        year = plain(entry.fields.get("year", "")) or entry.fields.get("date", "")[:4]
        if not persons:
            return " ".join(filter(None, [plain(entry.fields.get("title", ""))[:40] or self.canonical(key), year]))
        last = plain(" ".join(persons[0].last_names) or str(persons[0]))
        return f"{last}{' et al.' if len(persons) > 1 else ''} {year}".strip()

    def reference(self, key: str) -> Reference:
        """The formatted entry (formatted once, on first use: only cited entries cost anything)."""
        key = self.canonical(key)
        if key not in self._formatted:
            self._formatted[key] = self._format(key)
        return self._formatted[key]

    def _format(self, key: str, within: frozenset = frozenset()) -> Reference:
        entry = self.entry(key)
        if entry is None:  # its problem stops the build; the page still gets something to show meanwhile
            return Reference(key, html.escape(key), key)
        if entry.type == "set":
            return self._set(key, entry, within | {key.lower()})
        notes = self._notes.setdefault(key.lower(), [])
        fields = self.fields(key)
        for problem in _shape_warnings(entry, key, self.location(key)):
            if problem not in notes:
                notes.append(problem)
        body = self.style.format_entry(None, entry, fields=fields).text
        rich = Text(body, *[Text(" ", i) for i in _identifiers(entry)])
        text = rich.render(PLAIN).replace("\u00a0", " ")
        if not text.strip():
            text, rich = "[Untitled].", Text("[Untitled].")
        return Reference(key, rich.render(HTML), text)

    def _set(self, key: str, entry: Entry, within: frozenset) -> Reference:
        """biblatex's @set: its members' references, one after the other."""
        members = [m.strip() for m in entry.fields.get("entryset", "").split(",") if m.strip()]
        found = [m for m in members if m in self and m.lower() not in within]
        missing = [m for m in members if m not in self]
        if missing:
            self._notes.setdefault(key.lower(), []).append(Problem(
                self.location(key), f"entry '{key}': its entryset names {', '.join(map(repr, missing))}, not in the file",
                "add those entries or remove them from the set"))
        parts = [self._format(self.canonical(m), within) for m in found]
        return Reference(key, " ".join(p.html for p in parts) or html.escape(key), " ".join(p.text for p in parts) or key)


def _persons(names: str) -> list[Person]:
    """A biblatex name list (translator, holder, bookauthor) as pybtex persons: split at ' and ' outside braces."""
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", names):
        token = match.group()
        depth += 1 if token == "{" else -1 if token == "}" else 0
        if depth == 0 and token.strip() == "and":
            parts.append(names[start:match.start()])
            start = match.end()
    parts.append(names[start:])
    return [Person(part.strip()) for part in parts if part.strip()]


def _name_parts(person) -> list[str]:
    return [n for part in _NAME_PARTS for n in getattr(person, part)]


def _web_address_in_howpublished(entry: Entry, converted: dict[str, Converted]) -> None:
    """`howpublished = {\\url{…}}` (a web page exported as @misc): the address is the entry's url."""
    match = re.fullmatch(r"\s*\\url\s*\{([^{}]*)\}\s*\.?\s*", entry.fields.get("howpublished", ""))
    if match and not entry.fields.get("url"):
        entry.fields["url"] = match.group(1).strip()
        converted.pop("howpublished", None)


def _shape_warnings(entry: Entry, key: str, where: Location) -> list[Problem]:
    """A type the style does not know; a field the type needs and lacks; a url that is not http(s)."""
    problems = []
    if entry.type not in TEMPLATED and entry.type != "set":
        problems.append(Problem(where, f"entry '{key}' has type @{entry.type}, which Vancouver style does not "
                                "know", "use a standard type (@article, @book, @incollection, @online…); until then "
                                "it is printed like @misc"))
    present = {f.lower() for f, v in entry.fields.items() if v.strip()} | {r.lower() for r in entry.persons}
    for options in NEEDED_FIELDS.get(entry.type, [("title",)]):
        if not present & set(options):
            problems.append(Problem(where, f"entry '{key}' has no {' or '.join(options)}",
                                    f"add {options[0]} = {{...}}; until then its reference is printed without it"))
    url = entry.fields.get("url", "").strip()
    if url and not (is_web_address(url) and url.lower().startswith("http")):
        problems.append(Problem(where, f"entry '{key}' has url '{url[:60]}', which is not an http(s) address",
                                "correct it; until then it is not shown"))
    return problems


def _identifiers(entry) -> list[Text]:
    """DOI, PMID, PMCID, arXiv id and URL as links, in NLM's 'doi: … PMID: …' order."""
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
    eprint = f.get("eprint", "").strip()
    if eprint and value_of(entry, "eprinttype").lower() in {"arxiv", ""} and \
            re.fullmatch(r"(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?", eprint):
        out.append(Text("arXiv: ", HRef(f"https://arxiv.org/abs/{eprint}", eprint), "."))
    url = f.get("url", "").strip()
    if is_web_address(url) and url.lower().startswith("http"):
        out.append(Text("Available from: ", HRef(_href(url), url), "."))
    return out


def _href(url: str) -> str:
    """pybtex writes href values as given: escape quotes and angle brackets ourselves."""
    return html.escape(url, quote=True)


# --- loading ---------------------------------------------------------------------

def load_bibliography(path: Path, name: str) -> tuple[Bibliography | None, list[Problem]]:
    """The bibliography, or the problem that keeps the file from being one (missing, unreadable, an RIS or
    CSL-JSON export saved as .bib). Problems of single entries are the Bibliography's (see `problems`)."""
    if not os.path.lexists(path):
        return None, [Problem(Location(name), "bibliography file not found", "create it, even if empty")]
    text, problems = read_text(path, name, MAX_BIB_BYTES, root=path.parent)  # a regular file, size checked first
    if text is None:
        return None, problems
    # serve rebuilds reuse parsed and formatted entries of an unchanged file
    return remembered(_LAST, (name, text), lambda: _read(text, name), limit=1)


_LAST: dict = {}


def _read(text: str, name: str) -> tuple[Bibliography | None, list[Problem]]:
    problems = _not_bibtex(text, name)
    if problems:
        return None, problems
    chunks = scan(text)
    bib = Bibliography(name, {}, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
    parser = Parser()
    for chunk in chunks:
        if chunk.kind == "string":
            _parse(parser, chunk, chunk.text, bib, "")
        elif chunk.kind == "preamble":
            _parse(parser, chunk, chunk.text, bib, "")
            bib.commands.update(preamble_commands(chunk.text))
    for chunk in (c for c in chunks if c.kind not in {"string", "preamble"}):
        where = Location(name, chunk.line)
        if not chunk.key:
            bib.loose.append(Problem(where, f"an @{chunk.kind} entry has no key", "write @type{key, …"))
            continue
        low = chunk.key.lower()
        if low in bib.chunks:  # the later one can never be cited: a warning, as BibTeX carries on with the first
            bib.loose.append(Problem(where, f"duplicate entry key '{chunk.key}' (also on line {bib.chunks[low].line}); "
                                     "this entry is ignored", "keys must be unique, ignoring case: rename or delete "
                                     "one entry"))
            continue
        bib.chunks[low] = chunk
        if chunk.problem == "no comma after the key":
            bib.broken.setdefault(low, []).append(Problem(where, f"no comma after the key '{chunk.key}'",
                                                          f"write @{chunk.kind}{{{chunk.key}, — without it BibTeX "
                                                          "silently drops the first field"))
            continue
        if chunk.problem:
            bib.broken.setdefault(low, []).append(Problem(where, f"entry '{chunk.key}': {chunk.problem}",
                                                          "check its braces: every { needs its }"))
    bib.parser = parser  # entries are parsed when first needed (Bibliography.raw)
    return bib, []


def entry_problems(path: str, name: str) -> bytes:
    """Every entry's problems ("" holds those of no entry), pickled: what the site reports as warnings for the
    entries it does not cite. Parsing a whole library takes a second, so the worker process does it
    (worker.py) while the pages render, once per version of the .bib."""
    bib, problems = load_bibliography(Path(path), name)
    if bib is None:
        return pickle.dumps({"": problems})
    bib.check_all()
    return pickle.dumps({"": bib.loose, **bib.broken})


def _parse(parser: Parser, chunk: Chunk, text: str, bib: Bibliography, placeholder: str) -> Entry | None:
    """One entry (or @string) parsed alone; a syntax error names its line, key and field."""
    low = chunk.key.lower()
    try:
        data = parser.parse_string(text)
    except PybtexSyntaxError as error:
        line = chunk.line + (error.lineno or 1) - 1
        field_name = _field_at(text, error.lineno or 1)
        what = f"entry '{chunk.key}'" + (f", field {field_name}" if field_name else "") if chunk.key else f"@{chunk.kind}"
        problem = Problem(Location(bib.name, line), f"BibTeX syntax error in {what}: {error.args[0] if error.args else error}",
                          "check braces, commas and quotes there")
        (bib.broken.setdefault(low, []) if chunk.key else bib.loose).append(problem)
        return None
    except PybtexError as error:
        what = f"entry '{chunk.key}'" if chunk.key else f"@{chunk.kind}"
        problem = Problem(Location(bib.name, chunk.line), f"BibTeX error in {what}: {error}", "fix what it names")
        (bib.broken.setdefault(low, []) if chunk.key else bib.loose).append(problem)
        return None
    if not placeholder:
        return None
    entry = data.entries.pop(placeholder, None)  # the shared parser keeps only macros
    if entry is not None:
        entry.key = chunk.key
    return entry


def _field_at(text: str, line: int) -> str:
    """The last field assigned at or before `line` of an entry: where a syntax error sits."""
    names = re.findall(r"([A-Za-z][\w-]*)\s*=", "\n".join(text.splitlines()[:line]))
    return names[-1].lower() if names else ""


_ANY_ENTRY = re.compile(r"@[A-Za-z]+\s*[{(]")
_RIS_TAG = re.compile(r"^TY  - ", re.MULTILINE)


def _not_bibtex(text: str, name: str) -> list[Problem]:
    """An RIS or CSL-JSON export saved as .bib holds no `@type{`: say so once, not once per citation.
    Nothing but blank lines and % comments is a valid, empty bibliography (a casebook may cite nothing)."""
    if _ANY_ENTRY.search(text) or all(not line.strip() or line.lstrip().startswith("%") for line in text.splitlines()):
        return []
    looks = " (it looks like RIS)" if _RIS_TAG.search(text) else \
        " (it looks like CSL-JSON)" if text.lstrip().startswith(("[", "{")) else ""
    return [Problem(Location(name, 1), f"the file holds no BibTeX entries{looks}", "export your library as BibTeX (.bib)")]


# --- repairs -----------------------------------------------------------------------

_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
_NAME_PARTS = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")


def _repair(entry: Entry, key: str, where: Location) -> list[Problem]:
    """Drop control characters, escape a bare % and drop unmatched braces, in place, so that no page,
    download or slide meets them; one located warning per field changed (reported when the entry is cited)."""
    problems = []
    for field_name, value in list(entry.fields.items()):
        clean = NOT_TEXT.sub("", value)
        if clean != value:
            problems.append(_control_warning(key, field_name, value, where))
        if field_name.lower() in VERBATIM_FIELDS:
            clean = re.sub(r"^\\url\s*\{(.*)\}$", r"\1", clean.strip())  # \url{…} around an address (Citavi)
            clean = re.sub(r"\\([%_#&~$])", r"\1", clean)  # \% in a url: LaTeX's escape, not part of the address
        else:
            if _UNESCAPED_PERCENT.search(clean):
                problems.append(Problem(where, f"entry '{key}' has an unescaped % in its {field_name.lower()}",
                                        "write \\% (LaTeX reads a bare % as the start of a comment); the site "
                                        "shows a per cent sign"))
                clean = _UNESCAPED_PERCENT.sub(r"\\%", clean)
            balanced = _balanced(clean)
            if balanced != clean:
                problems.append(Problem(where, f"entry '{key}' has a {field_name.lower()} with a brace that does not "
                                        "close", "correct it; until then it is shown without that brace"))
                clean = balanced
        entry.fields[field_name] = clean
    for role, persons in entry.persons.items():
        names = "".join(n for person in persons for n in _name_parts(person))
        if NOT_TEXT.search(names):
            problems.append(_control_warning(key, role, names, where))
            for person in persons:
                for part in _NAME_PARTS:
                    setattr(person, part, [NOT_TEXT.sub("", n) for n in getattr(person, part)])
    return problems


def _balanced(value: str) -> str:
    """`value` without braces that do not pair (a trailing backslash dropped too: it would escape the
    closing brace of the written field)."""
    unmatched, opened = set(), []
    for index, char in enumerate(value):
        if char == "{":
            opened.append(index)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                unmatched.add(index)
    unmatched.update(opened)
    out = "".join(c for i, c in enumerate(value) if i not in unmatched)
    return out[:-1] if out.endswith("\\") and not out.endswith("\\\\") else out


def _control_warning(key: str, field_name: str, value: str, where: Location) -> Problem:
    codes = sorted({f"U+{ord(c):04X}" for c in NOT_TEXT.findall(value)})
    one = len(codes) == 1
    return Problem(where, f"entry '{key}' has {'a control character' if one else 'control characters'} "
                          f"({', '.join(codes)}) in its {field_name.lower()}",
                   f"delete {'it' if one else 'them'} (invisible in most editors: retype the field); the site leaves "
                   f"{'it' if one else 'them'} out")


# biblatex's crossref: a contribution takes its book's title as booktitle (its subtitle as booksubtitle)
_AS_BOOK = {"title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon"}


def _inherit(entry: Entry, parent: Entry) -> None:
    """BibTeX's crossref: a child takes the fields it lacks from its parent."""
    inherited = dict(parent.fields)
    if entry.type in {"incollection", "inproceedings"}:
        for own, as_book in _AS_BOOK.items():
            if own in inherited and as_book not in inherited:
                inherited[as_book] = inherited[own]
    for field_name, value in inherited.items():
        if field_name.lower() not in {*_AS_BOOK, "crossref", "entryset"} and field_name not in entry.fields:
            entry.fields[field_name] = value
    for role, persons in parent.persons.items():
        if role not in entry.persons:
            entry.persons[role] = persons
