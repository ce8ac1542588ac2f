"""The article's <ref-list>, and the article itself, as BibTeX entries of the right standard type.

Each field is what the reference says, in standard BibTeX/biblatex fields (author, editor, title, journal,
booktitle, year, volume, number, pages, publisher, address, edition, institution, school, url, urldate,
note, doi, pmid, pmcid). A reference the parser cannot structure (a <mixed-citation> that is plain text) is
kept whole as a `note` and reported. Keys are first author + year + first title word, made unique against
the .bib; a reference the .bib already holds (same DOI or PMID) is cited with the key it has there.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ..bibliography import VERBATIM_FIELDS, plain
from .text import text_of
from .xml_source import Article

_CITATIONS = ("element-citation", "mixed-citation", "citation", "nlm-citation")
_TITLED = ("article-title", "chapter-title", "part-title", "source", "data-title", "trans-title", "trans-source")
FIELD_ORDER = ("author", "editor", "title", "booktitle", "journal", "howpublished", "edition", "publisher", "address",
               "institution", "school", "year", "volume", "number", "pages", "note", "url", "urldate", "doi", "pmid",
               "pmcid")
_STOPWORDS = {"a", "an", "the", "on", "of", "in", "and", "for", "to", "with", "from", "by", "at", "is", "are", "as",
              "its", "into", "de", "la", "le", "les", "der", "die", "das", "el", "los", "un", "une", "del", "di"}
_FOLDED = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                         "ı": "i", "œ": "oe", "Œ": "OE", "þ": "th", "ð": "d"})
_DOI = re.compile(r"(?:doi\.org/|doi:\s*)(10\.\d{4,9}/[^\s\"<>]+)", re.I)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_INITIALS = re.compile(r"[A-Z]{1,3}")  # JATS writes initials run together: 'SV' is S. V.
_LATEX = {"\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}"}
# JATS publication-type -> BibTeX entry type (types with a chapter or a paper in them are decided in _type)
_TYPES = {"journal": "article", "book": "book", "confproc": "inproceedings", "conference": "inproceedings",
          "proceedings": "inproceedings", "thesis": "phdthesis", "dissertation": "phdthesis", "report": "techreport",
          "gov": "techreport", "standard": "techreport", "web": "online", "webpage": "online", "website": "online",
          "blog": "online", "patent": "patent"}


@dataclass
class Name:
    family: str
    given: str = ""
    suffix: str = ""
    whole: bool = False  # an organisation, or a name the article does not split: braced, never reordered

    def bibtex(self) -> str:
        if self.whole:
            return "{" + _latex(self.family) + "}"
        given = ". ".join(self.given) + "." if _INITIALS.fullmatch(self.given) else self.given
        parts = [_braced_if_comma(self.family), *([_braced_if_comma(self.suffix)] if self.suffix else []),
                 *([_braced_if_comma(given)] if given else [])]
        return ", ".join(parts)


@dataclass
class Entry:
    type: str
    fields: dict[str, str]  # plain text, as the article gives it
    persons: dict[str, list[Name]] = field(default_factory=dict)  # author, editor
    others: dict[str, bool] = field(default_factory=dict)  # role -> 'et al.' in the article
    key: str = ""
    rid: str = ""  # the <ref id> citations point to
    label: str = ""  # the printed number
    element: ET.Element | None = None
    unstructured: bool = False
    existing: bool = False  # the .bib already holds it: cited with its key, not written again
    extra_citations: int = 0  # citations in the same <ref> after the first (not imported)
    retyped: str = ""  # why the entry is not of the type the article declares ('' when it is)
    title_case: bool = False  # the article writes the title in Title Case: proper nouns cannot be told apart
    capital_after_stop: bool = False  # a capitalised word after a colon, which the style lowers (a name?)

    def bibtex(self, comment: str) -> str:
        values = {"author": self._names("author"), "editor": self._names("editor"),
                  **{k: _value(k, v) for k, v in self.fields.items()}}
        for name in _CASED:
            if name in values and not _title_cased(self.fields[name]):
                values[name] = _proper_nouns_kept(values[name])
        present = [(k, values[k]) for k in FIELD_ORDER if values.get(k)]
        width = max(len(k) for k, _ in present)
        lines = [f"% {comment}", f"@{self.type}{{{self.key},"]
        lines += [f"  {k.ljust(width)} = {{{v}}}," for k, v in present]
        return "\n".join(lines + ["}"]) + "\n"

    def _names(self, role: str) -> str:
        names = [n.bibtex() for n in self.persons.get(role, [])]
        return " and ".join(names + (["others"] if self.others.get(role) and names else []))

    def title_words(self) -> str:
        return self.fields.get("title") or self.fields.get("booktitle") or self.fields.get("journal", "")


# --- reading ---------------------------------------------------------------------------

def read_references(article: Article) -> list[Entry]:
    entries = []
    for number, ref in enumerate(article.root.iter("ref"), start=1):
        citations = [c for c in ref if c.tag in _CITATIONS]
        if not citations:
            continue
        citation = next((c for c in citations if c.tag == "element-citation"), citations[0])
        entry = _entry(citation)
        entry.rid, entry.element = ref.get("id", ""), ref
        entry.label = text_of(ref.find("label")).rstrip(".") or str(number)
        entry.extra_citations = len(citations) - 1
        entries.append(entry)
    return entries


def _entry(citation: ET.Element) -> Entry:
    if not any(citation.find(f".//{tag}") is not None for tag in _TITLED):
        return Entry("misc", {"note": text_of(citation)}, unstructured=True)
    persons, others = _persons(citation)
    kind = _type(citation)
    title = text_of(citation.find("article-title")) or text_of(citation.find("chapter-title")) or \
        text_of(citation.find("part-title")) or text_of(citation.find("data-title"))
    source = text_of(citation.find("source"))
    fields = {"title": title or source}
    if kind == "article":
        fields["journal"] = source if title else ""
    elif kind in {"incollection", "inproceedings"}:
        fields["booktitle"] = source or text_of(citation.find("conf-name"))
    elif kind == "misc" and title and source:
        fields["howpublished"] = source
    publisher = text_of(citation.find("publisher-name"))
    institution = text_of(citation.find("institution"))
    fields.update({
        "edition": text_of(citation.find("edition")),
        "publisher": publisher if kind in {"book", "incollection", "misc", "online", "inproceedings"} else "",
        "address": text_of(citation.find("publisher-loc")) or text_of(citation.find("conf-loc")),
        "institution": (institution or publisher) if kind == "techreport" else "",
        "school": (institution or publisher) if kind.endswith("thesis") else "",
        "year": _year(text_of(citation.find("year"))),
        "volume": text_of(citation.find("volume")),
        "number": text_of(citation.find("issue")),
        "pages": _pages(citation),
        "note": _note(citation),
        "url": _url(citation),
        "urldate": text_of(next((d for d in citation.iter("date-in-citation")), None)),
        **_identifiers(citation, "pub-id"),
    })
    if "doi" not in fields:
        doi = _DOI.search(" ".join([*(e.get("href", "") for e in citation.iter("ext-link")), text_of(citation)]))
        if doi:
            fields["doi"] = doi.group(1).rstrip(".")
    accessed = _ACCESSED.search(fields["note"])
    if accessed and not fields["urldate"] and (day := _iso_date(accessed.group("a") or accessed.group("b"))):
        fields["urldate"] = day
        fields["note"] = _without(fields["note"], accessed.group(), fields["url"])
    retyped = ""  # a book the web page form prints whole: no edition, nothing left in the note
    if kind == "book" and fields["url"] and not publisher and not fields["edition"] and not fields["note"] \
            and citation.find(".//isbn") is None:
        kind, retyped = "online", "gives no publisher, only an address"  # how many journals tag a web page
        fields["publisher"] = ""
    titles = [fields.get(name, "") for name in _CASED]
    return Entry(kind, {k: v for k, v in fields.items() if v}, persons, others, retyped=retyped,
                 title_case=any(map(_title_cased, titles)),
                 capital_after_stop=any(_capital_after_stop(t) for t in titles if not _title_cased(t)))


# '4 September 2012, date last accessed', 'accessed 4 Sep 2012', 'Accessed on September 4, 2012'
_ACCESSED = re.compile(r"(?:(?P<a>\d{1,2} [A-Za-z]+\.? \d{4}|[A-Za-z]+\.? \d{1,2},? \d{4}),? (?:date )?last accessed"
                       r"|(?:last )?accessed(?: on)?:? (?P<b>\d{1,2} [A-Za-z]+\.? \d{4}|[A-Za-z]+\.? \d{1,2},? \d{4}|\d{4}-\d{2}-\d{2}))",
                       re.I)


def _iso_date(text: str) -> str:
    """'4 September 2012', 'Sep 4, 2012' or '2012-09-04' as 2012-09-04 (biblatex's urldate); '' if not a date."""
    cleaned = re.sub(r"[.,]", "", text).strip()
    for form in ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(cleaned, form).date().isoformat()
        except ValueError:
            continue
    return ""


def _without(note: str, *parts: str) -> str:
    """The note less what became fields of their own (the address, the access date)."""
    for part in parts:
        note = note.replace(part, " ") if part else note
    return " ".join(note.split()).strip(" ,;.")


def _type(citation: ET.Element) -> str:
    declared = (citation.get("publication-type") or citation.get("citation-type") or "").lower()
    has = lambda tag: citation.find(tag) is not None  # noqa: E731
    kind = _TYPES.get(declared, "")
    if kind == "book" and (has("chapter-title") or has("part-title") or (has("article-title") and has("source"))):
        return "incollection"
    if kind == "phdthesis" and re.search(r"\bmaster", text_of(citation), re.I):
        return "mastersthesis"
    if kind:
        return kind
    if not declared and has("article-title") and has("source") and (has("volume") or has("fpage") or has("elocation-id")):
        return "article"
    return "misc"


def _persons(citation: ET.Element) -> tuple[dict[str, list[Name]], dict[str, bool]]:
    persons: dict[str, list[Name]] = {}
    others: dict[str, bool] = {}
    for group in [citation, *citation.iter("person-group")]:  # names may also stand in the citation itself
        role = group.get("person-group-type", "author") if group is not citation else "author"
        if role not in {"author", "editor"}:
            continue
        names = [n for n in map(_name, group) if n]
        if group is not citation and not names and text_of(group):  # 'Hendrix RW, Roberts JW': kept as written
            names = [Name(text_of(group), whole=True)]
        persons.setdefault(role, []).extend(names)
        others[role] = others.get(role, False) or any(child.tag == "etal" for child in group)
    return {k: v for k, v in persons.items() if v}, others


def _name(element: ET.Element) -> Name | None:
    if element.tag == "collab":
        return Name(text_of(element), whole=True) if text_of(element) else None
    if element.tag not in {"name", "string-name"}:
        return None
    surname = text_of(element.find("surname"))
    if not surname:
        return Name(text_of(element), whole=True) if text_of(element) else None
    return Name(surname, text_of(element.find("given-names")), text_of(element.find("suffix")))


def _year(text: str) -> str:
    found = _YEAR.search(text)
    return found.group(1) if found else text


def _pages(citation: ET.Element) -> str:
    first, last = text_of(citation.find("fpage")), text_of(citation.find("lpage"))
    if first:
        return f"{first}--{last}" if last and last != first else first
    return text_of(citation.find("page-range")).replace("-", "--") or text_of(citation.find("elocation-id"))


def _note(citation: ET.Element) -> str:
    """A <comment> in words ('[Epub ahead of print]'); one that only gives a DOI or address is read as that."""
    words = [text_of(c) for c in citation.iter("comment")]
    return " ".join(w for w in words if w and not re.fullmatch(r"(doi:\s*)?\S+", w, re.I))


def _url(citation: ET.Element) -> str:
    for link in [*citation.iter("ext-link"), *citation.iter("uri")]:
        url = (link.get("href") or text_of(link)).strip()
        if url.lower().startswith(("http://", "https://")) and not _DOI.search(url):
            return url
    return ""


def _identifiers(element: ET.Element, tag: str) -> dict[str, str]:
    found = {}
    for pub_id in element.iter(tag):
        kind, value = pub_id.get("pub-id-type", ""), text_of(pub_id)
        if kind == "doi":
            found.setdefault("doi", re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", value, flags=re.I))
        elif kind == "pmid" and value.isdigit():
            found.setdefault("pmid", value)
        elif kind in {"pmc", "pmcid"} and re.fullmatch(r"(PMC)?\d+", value, re.I):
            found.setdefault("pmcid", "PMC" + re.sub(r"^PMC", "", value, flags=re.I))
    return found


def source_entry(article: Article) -> Entry:
    """The article itself, from its <front>."""
    meta, journal = article.root.find("front/article-meta"), article.root.find("front/journal-meta")
    meta = meta if meta is not None else ET.Element("article-meta")
    journal = journal if journal is not None else ET.Element("journal-meta")
    authors = [n for c in meta.iter("contrib") if c.get("contrib-type", "author") == "author"
               for n in [_name(child) for child in c if child.tag in {"name", "collab", "string-name"}][:1] if n]
    abbreviation = next((text_of(j) for j in journal.iter("journal-id") if j.get("journal-id-type") == "nlm-ta"), "")
    title_element, published = meta.find("title-group/article-title"), _publication_date(meta)
    fields = {
        "title": text_of(title_element),
        "journal": abbreviation or text_of(journal.find(".//journal-title")),
        "year": _year(text_of(published.find("year"))) if published is not None else "",
        "volume": text_of(meta.find("volume")),
        "number": text_of(meta.find("issue")),
        "pages": _pages(meta),
        **_identifiers(meta, "article-id"),
    }
    return Entry("article", {k: v for k, v in fields.items() if v}, {"author": authors} if authors else {},
                 element=title_element, title_case=_title_cased(fields["title"]),
                 capital_after_stop=not _title_cased(fields["title"]) and _capital_after_stop(fields["title"]))


def _publication_date(meta: ET.Element) -> ET.Element | None:
    dates = {(d.get("pub-type") or d.get("date-type") or ""): d for d in meta.iter("pub-date")}
    return next((dates[k] for k in ("ppub", "collection", "epub", "pub", "epub-ppub", "") if k in dates),
                next(iter(dates.values()), None))


# --- keys ----------------------------------------------------------------------------------

def assign_keys(entries: list[Entry], taken: set[str], known: dict[str, str]) -> None:
    """Give each entry a key not in `taken` (lower-case keys of the .bib), or the key of the .bib entry with
    the same DOI or PMID (`known`: 'doi:…'/'pmid:…' -> key)."""
    for entry in entries:
        same = known.get(f"doi:{entry.fields.get('doi', '').lower()}") or known.get(f"pmid:{entry.fields.get('pmid', '')}")
        if same and (entry.fields.get("doi") or entry.fields.get("pmid")):
            entry.key, entry.existing = same, True
            continue
        base = _base_key(entry) or f"ref{ascii_fold(entry.label) or len(taken)}"
        key = base
        for suffix in (*"bcdefghijklmnopqrstuvwxyz", *range(2, 10_000)):
            if key.lower() not in taken:
                break
            key = f"{base}{suffix}" if isinstance(suffix, str) else f"{base}-{suffix}"
        entry.key = key
        taken.add(key.lower())


def _base_key(entry: Entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    if entry.unstructured:
        words = re.findall(r"[^\W\d_]+", entry.fields["note"])
        year = _YEAR.search(entry.fields["note"])
        return ascii_fold(words[0] if words else "") + (year.group(1) if year else "") if words else ""
    author = ascii_fold(people[0].family.split()[0] if people[0].whole else people[0].family) if people else ""
    title = next((w for w in (ascii_fold(w) for w in entry.title_words().split()) if w and w not in _STOPWORDS), "")
    return author + entry.fields.get("year", "")[:4] + title


def ascii_fold(text: str) -> str:
    """Letters and digits of a name or word in ASCII, lower case: 'Tjønneland' -> 'tjonneland'."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_FOLDED)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


# --- writing ---------------------------------------------------------------------------------

def _latex(text: str) -> str:
    """Plain text as a BibTeX value that reads back as the same text: LaTeX's special characters escaped,
    and runs that LaTeX turns into other characters ('--', "''", '?`') broken with {}."""
    text = re.sub(r"[\\%&#_~]", lambda m: _LATEX[m.group()], text)
    text = re.sub(r"-(?=-)", "-{}", text)
    text = re.sub(r"([`'?!])(?=[`'])", r"\1{}", text)
    return text if _balanced(text) else text.replace("{", "").replace("}", "")


def _value(name: str, text: str) -> str:
    if name in VERBATIM_FIELDS:  # addresses are not LaTeX; they only need to keep BibTeX's braces balanced
        return text if _balanced(text) and "\n" not in text else ""
    if name == "pages":
        return _latex(text.replace("--", "\0")).replace("\0", "--")
    return _latex(text)


# Fields the Vancouver style prints in sentence case, lowering a Capitalised word unless braces protect it.
_CASED = ("title", "booktitle")
_WORD = re.compile(r"[^\s{}]+")


def _title_cased(title: str) -> bool:
    """Whether the article writes this title In Title Case: three in four of its longer words after the first
    capitalised ('Emerging Bartonella infection in Quebec' is sentence case with two names)."""
    words = [w for w in title.split()[1:] if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _capital_after_stop(title: str) -> bool:
    """Whether a word after a colon or full stop starts with a capital that the style will lower: a name there
    ('…: India's hidden burden') cannot be told from the journal's habit ('…: Report of a case')."""
    return bool(re.search(r"[:.?!]\s+[\"'‘“(]*[A-Z][a-z'’]+\b", title))


def _proper_nouns_kept(value: str) -> str:
    """A sentence-case title's Capitalised words after the first are names ('cancer in England', 'Crohn disease'):
    braced, so that the style's sentence case keeps them as the article prints them. The first word of the title
    and of a part after a colon or a full stop are left to the style."""
    out, start = [], 0
    for number, match in enumerate(_WORD.finditer(value)):
        word = match.group()
        first = number == 0 or re.search(r"[:.?!]$", value[:match.start()].rstrip())
        letters = [c for c in word if c.isalpha()]
        single_capital = letters and letters[0].isupper() and not any(c.isupper() for c in letters[1:]) and \
            (len(letters) > 1 or word.strip("()[],;:.") == "A")  # 'vitamin A', 'group A': the style lowers an 'A'
        if single_capital and not first and "\\" not in word:  # a LaTeX escape stays outside braces
            core = re.match(r"^([(\[\"'‘“]*)(.*?)([)\]\"'’”:;,.?!]*)$", word)
            word = f"{core.group(1)}{{{core.group(2)}}}{core.group(3)}"
        out += [value[start:match.start()], word]
        start = match.end()
    return "".join(out + [value[start:]])


def _balanced(text: str) -> bool:
    depth = 0
    for char in text.replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _braced_if_comma(part: str) -> str:
    escaped = _latex(part)
    return "{" + escaped + "}" if "," in part or re.search(r"\band\b", part) else escaped


def differs(entry: Entry) -> list[str]:
    """Fields whose BibTeX, read back as pybtex reads it, is not the article's text (the importer reports these)."""
    out = []
    for name, value in entry.fields.items():
        written = _value(name, value)
        back = written if name in VERBATIM_FIELDS else plain(written)
        expected = value.replace("--", "–") if name == "pages" else value  # BibTeX's page range is an en dash
        if back.split() != expected.split():
            out.append(name)
    return out
