"""Vancouver references as *Citing Medicine* (NLM, 2nd ed.) prints them, as a pybtex style.

One declarative template per entry type, built from `pybtex.style.template` nodes; variants are small
subclasses. Fields reach the templates already converted from LaTeX (latex_text.py), in
`context["fields"]`; names go through a name-style plugin. Citing Medicine's chapters: 1 journal
articles, 2 books, 3 parts of and contributions to books, 4 conference publications, 6 reports,
7 dissertations and theses, 12 patents, 22-25 Internet material (web pages, databases, software).
"""

from __future__ import annotations

import re
import unicodedata

from pybtex.database import Person
from pybtex.richtext import Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle
from pybtex.style.names import BaseNameStyle
from pybtex.style.template import FieldIsMissing, first_of, join, node, optional, sentence

from .latex_text import plain, sentence_case

MAX_AUTHORS = 6  # list six, then "et al."
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ENGLISH = {"", "english", "american", "british", "en", "en-us", "en-gb", "usenglish", "ukenglish", "canadian",
           "australian", "newzealand"}
# biblatex localisation keys that exports write in `type`, `eprinttype` and patents' `location`
TYPE_WORDS = {"techreport": "Technical report", "resreport": "Research report", "patent": "Patent",
              "patentus": "United States patent", "patenteu": "European patent", "patentde": "German patent",
              "patentfr": "French patent", "patentuk": "United Kingdom patent", "patreq": "Patent application",
              "patrequs": "United States patent application", "patreqeu": "European patent application",
              "patreqde": "German patent application", "patreqfr": "French patent application",
              "patrequk": "United Kingdom patent application"}
EDITION_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
                 "ninth": 9, "tenth": 10}


# --- names -------------------------------------------------------------------

def _initials(names: list[str]) -> str:
    """'Mark D. P.' -> 'MDP'; 'Jean-Luc' -> 'JL'; initials written without stops ('EW') stay two."""
    letters = []
    for name in names:
        for part in re.split(r"[\s\-.~\u00a0]+", plain(name)):
            part = "".join(c for c in re.sub(r"\[.*?\]", "", part)  # L[eslie]: the rest was never printed
                           if unicodedata.category(c).startswith("L") and unicodedata.category(c) != "Lm")  # ʿAlī
            if not part:
                continue
            stopless = part.isupper() and 2 <= len(part) <= 3  # 'Steyerberg, EW'
            letters.extend(part if stopless else part[0].upper())
    return "".join(letters)


class VancouverNames(BaseNameStyle):
    """Surname then initials without stops: 'Gutierrez A Jr', 'El-Shabrawi L', 'van Gennep A'."""

    def format(self, person: Person, abbr: bool = False) -> Text:
        surname = " ".join(plain(n) for n in person.prelast_names + person.last_names)
        parts = [surname, _initials(person.first_names + person.middle_names), " ".join(map(plain, person.lineage_names))]
        return Text(" ".join(p for p in parts if p))


def is_others(person: Person) -> bool:
    return str(person) == "others"


def name_list(context, role: str) -> str:
    """Up to six names, then 'et al.'; `and others` also gives 'et al.'."""
    persons = context["entry"].persons.get(role) or []
    named = [p for p in persons if not is_others(p)]
    shown = [str(context["style"].format_name(p)) for p in named[:MAX_AUTHORS]]
    if shown and (len(named) > MAX_AUTHORS or len(named) < len(persons)):
        shown.append("et al.")
    return ", ".join(shown)


@node
def names(children, context, role, singular="", plural=""):
    """A role's names, with its word ('editor', 'inventors') when it has one."""
    listed = name_list(context, role)
    if not listed:
        raise FieldIsMissing(role, context["entry"])
    count = len(context["entry"].persons[role])
    word = singular if count == 1 else plural
    listed = listed.removesuffix(".") if listed.endswith("et al.") else listed  # 'et al, editors'
    return Text(f"{listed}, {word}" if word else listed)


# --- fields ------------------------------------------------------------------

def either(*children):
    """The first of `children` that is there (pybtex's first_of lets a missing field's exception through)."""
    return first_of[tuple(optional[child] for child in children)]


def value(context, name: str) -> str:
    converted = context["fields"].get(name)
    return converted.text.strip() if converted else ""


@node
def field(children, context, name, apply_func=None):
    """A field as text; raises when absent, so that `optional[...]` drops its punctuation too."""
    text = value(context, name)
    if not text:
        raise FieldIsMissing(name, context["entry"])
    text = apply_func(text) if apply_func else text
    if not text:
        raise FieldIsMissing(name, context["entry"])
    return Text(text)


def first_place(text: str) -> str:
    """biblatex lists places with 'and' (Durham and London); Citing Medicine gives the first."""
    return re.split(r"\s+and\s+", text)[0]


def _cased(context, name: str, start: bool = True) -> str:
    converted = context["fields"].get(name)
    if not converted:
        return ""
    language = (value(context, "langid") or value(context, "language") or value(context, "hyphenation")).lower()
    return sentence_case(converted.segments, start) if language in ENGLISH else converted.text


@node
def title(children, context, name="title", cased=True, medium=""):
    """Title, ': subtitle', '. addon' and a medium in brackets ('[Internet]', '[dissertation]')."""
    prefix = {"title": "", "booktitle": "book", "maintitle": "main", "series": "series"}[name]
    main = _cased(context, name) if cased else value(context, name)
    if not main:
        raise FieldIsMissing(name, context["entry"])
    subtitle = _cased(context, f"{prefix}subtitle", start=False) if cased else value(context, f"{prefix}subtitle")
    if subtitle:
        main = f"{main.rstrip(':')}: {subtitle}"
    addon = value(context, f"{prefix}titleaddon")
    text = Text(main, f". {addon}" if addon else "", f" [{medium}]" if medium else "")
    return text


def short_pages(pages: str) -> str:
    """NLM drops repeated leading digits of the last page: 455--462 -> 455-62."""
    first, _, last = re.sub(r"\s*[-–—]+\s*", "-", pages).partition("-")
    if not last:
        return first
    if first.isdigit() and last.isdigit() and len(first) == len(last):
        common = len(re.match(r"\d*", "".join(a if a == b else "|" for a, b in zip(first, last))).group())
        last = last[common:] or last[-1]
    return f"{first}-{last}"


def _pages(text: str) -> str:
    return ", ".join(short_pages(part.strip()) for part in text.split(","))


@node
def pages(children, context, prefix=""):
    """Pages, or an article number (biblatex eid) where there are none."""
    text = value(context, "pages") or value(context, "eid")
    if not text:
        raise FieldIsMissing("pages", context["entry"])
    return Text(prefix, _pages(text))


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@node
def edition(children, context):
    """'2nd ed.'; the first edition is never mentioned."""
    text = value(context, "edition")
    number = int(text) if text.isdigit() else EDITION_WORDS.get(text.lower().removesuffix(" edition").strip())
    if number == 1 or not text:
        raise FieldIsMissing("edition", context["entry"])
    if number:
        return Text(f"{ordinal(number)} ed.")
    return Text(text if re.search(r"\bed(ition|\.)?$", text, re.I) else f"{text} ed.")


# --- dates -------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def month_and_day(text: str) -> tuple[list[str], str]:
    """'July' -> (['Jul'], ''); '10 January' -> (['Jan'], '10'); 'June-August' -> (['Jun', 'Aug'], '')."""
    names = [m.lower() for m in MONTHS]
    words = re.findall(r"[A-Za-z]+|\d+", text)
    months = [MONTHS[names.index(w.lower()[:3])] for w in words if w.lower()[:3] in names]
    numbers = [int(w) for w in words if w.isdigit()]
    if not months and len(numbers) == 1 and 1 <= numbers[0] <= 12:  # month = {02}
        return [MONTHS[numbers[0] - 1]], ""
    day = next((str(n) for n in numbers if months and 1 <= n <= 31), "")
    return months, day


def _one_date(text: str) -> tuple[str, str, str] | None:
    match = _ISO.match(text.strip())
    if not match:
        return None
    year, month, day = match.groups()
    month = MONTHS[int(month) - 1] if month and 1 <= int(month) <= 12 else ""
    return year, month, str(int(day)) if day and month else ""


def format_date(text: str) -> str:
    """biblatex's ISO dates and ranges as Citing Medicine writes them: '2002 Jul 25', '2002 Apr 3-5',
    '1984-1986'; anything else as written."""
    start, _, end = text.partition("/")
    first = _one_date(start)
    if not first:
        return text.strip()
    last = _one_date(end) if end else None
    head = " ".join(p for p in first if p)
    if not last:
        return head + ("-" if end == "" and text.endswith("/") else "")
    if last[0] != first[0]:
        return f"{head}-{' '.join(p for p in last if p)}"
    if last[1] != first[1]:
        return f"{head}-{' '.join(p for p in last[1:] if p)}"
    return f"{head}-{last[2]}" if last[2] and last[2] != first[2] else head


def entry_date(context, year_only: bool = False) -> str:
    """The entry's date from `date`, or from `year`, `month` and `day`."""
    if value(context, "date"):
        if year_only:  # '1885/1888' -> '1885-1888'
            years = [re.match(r"\d{4}", part) for part in value(context, "date").split("/")]
            return "-".join(dict.fromkeys(y.group() for y in years if y)) or value(context, "date")
        return format_date(value(context, "date"))
    year = value(context, "year")
    if year_only or not year:
        return year
    months, day = month_and_day(value(context, "month"))
    day = value(context, "day") or day
    return " ".join(p for p in [year, "-".join(months), day if months else ""] if p)


@node
def date(children, context, year_only=False, name=""):
    text = format_date(value(context, name)) if name else entry_date(context, year_only)
    if not text:
        raise FieldIsMissing(name or "year", context["entry"])
    return Text(text)


@node
def cited(children, context):
    """'[cited 2006 Oct 1]' from urldate (a range gives its first day)."""
    text = value(context, "urldate")
    if not text:
        raise FieldIsMissing("urldate", context["entry"])
    return Text(f"[cited {format_date(text.partition('/')[0])}]")


@node
def publication(children, context, publisher_fields=("publisher",), year_only=False):
    """'Place: Publisher; Date' (Citing Medicine's order); either side may be missing. Books give the
    year only; reports, patents and web pages the full date."""
    who = next((value(context, f) for f in publisher_fields if value(context, f)), "")
    where = first_place(value(context, "location") or value(context, "address"))
    when = entry_date(context, year_only)
    head = ": ".join(p for p in [where, who] if p)
    text = "; ".join(p for p in [head, when] if p)
    if not text:
        raise FieldIsMissing("publisher", context["entry"])
    return Text(text)


@node
def series(children, context):
    """'(Series; 23)', after the publication details."""
    name = value(context, "series")
    if not name or name.lower() in {"newseries", "oldseries"} or name.isdigit():  # biblatex keys for a journal's series
        raise FieldIsMissing("series", context["entry"])
    number = value(context, "number")
    return Text(f"({name}; {number})" if number else f"({name})")


@node
def content_type(children, context, default=""):
    """A thesis's or report's kind: biblatex keys as words, BibTeX's `type` as written."""
    text = value(context, "type")
    return Text(TYPE_WORDS.get(text.lower(), text) if text else default)


# --- the style ---------------------------------------------------------------

def _authors():
    return sentence[names("author")]


def _creators(entry):
    """Authors; or, for a book without authors, its editors as authors ('…, editors.')."""
    if entry.persons.get("author"):
        return _authors()
    return sentence[names("editor", "editor", "editors")] if entry.persons.get("editor") else ""


class VancouverStyle(BaseStyle):
    """Vancouver / NLM style on pybtex's template system."""

    default_name_style = VancouverNames
    default_label_style = "number"
    default_sorting_style = "none"

    # Citing Medicine ch. 1: Authors. Title. Journal. Date;Volume(Issue):Pages.
    def get_article_template(self, e):
        volume = optional[field("volume"), optional["(", field("number"), ")"]]
        state = value_of(e, "pubstate").lower()
        if state in {"inpress", "in press", "forthcoming"}:  # "Proc Natl Acad Sci U S A. In press 2002."
            return join(sep=" ")[optional[_authors()], sentence[title()], sentence[_journal()],
                                 join["In press ", date(year_only=True), "."]]
        return join(sep=" ")[
            optional[_authors()],
            sentence[title()],
            sentence[_journal()],
            sentence(sep="")[join(sep=";")[optional[date], volume], optional[":", pages]],
            "[Epub ahead of print]." if state in {"prepublished", "epub"} else "",
        ]

    # Citing Medicine ch. 2: Authors (or editors). Title. Edition. Editors. Place: Publisher; Year. (Series)
    def get_book_template(self, e, medium=""):
        return join(sep=" ")[
            _creators(e),
            _volume_of(e, medium),
            optional[sentence[edition]],
            optional[sentence[names("editor", "editor", "editors")]] if e.persons.get("author") else "",
            optional[sentence[names("translator", "translator", "translators")]],
            optional[sentence[publication(publisher_fields=("publisher", "organization", "howpublished"), year_only=True)]],
            "" if _series_is_set(e) else optional[series],
        ]

    def get_collection_template(self, e):
        return self.get_book_template(e)

    def get_booklet_template(self, e):
        return self.get_book_template(e)

    def get_manual_template(self, e):
        if not e.persons.get("author") and "organization" in e.fields:  # the organization is its author
            return join(sep=" ")[sentence[field("organization")], self.get_book_template(e)]
        return self.get_book_template(e)

    # Citing Medicine ch. 3: Authors. Chapter title. In: Editors, editors. Book. Edition. Place: Publisher;
    # Year. p. Pages.
    def get_incollection_template(self, e):
        return join(sep=" ")[
            optional[_authors()],
            sentence[title()],
            join(sep=" ")["In:", optional[sentence[either(names("editor", "editor", "editors"), names("bookauthor"))]],
                          _volume_of(e, "", name="booktitle")],
            optional[sentence[edition]],
            optional[sentence[publication(year_only=True)]],
            optional[sentence[pages(prefix="p. ")]],
            optional[series],
        ]

    def get_inbook_template(self, e):
        """biblatex's inbook (a titled part, with booktitle) reads as a contribution; BibTeX's (the book's
        title, a chapter number) as a part of a book: '… Year. Section 1.2; p. 10-119.'"""
        if "booktitle" in e.fields:
            return self.get_incollection_template(e)
        part = join(sep="; ")[optional[join(sep=" ")[either(content_type, "Chapter"), field("chapter")]],
                             optional[pages(prefix="p. ")]]
        return join(sep=" ")[self.get_book_template(e), optional[sentence[part]]]

    # Citing Medicine ch. 4: … In: Editors, editors. Proceedings; Date; Place. Place: Publisher; Year. p. Pages.
    def get_inproceedings_template(self, e):
        return join(sep=" ")[
            optional[_authors()],
            sentence[title()],
            join(sep=" ")["In:", optional[sentence[names("editor", "editor", "editors")]], self._conference(e)],
            optional[sentence[publication(year_only=True)]] if _published(e) else "",
            optional[sentence[pages(prefix="p. ")]],
        ]

    def get_proceedings_template(self, e):
        return join(sep=" ")[
            optional[sentence[names("editor", "editor", "editors")]],
            self._conference(e, name="title"),
            optional[sentence[publication(year_only=True)]] if _published(e) else "",
            optional[series],
        ]

    def _conference(self, e, name="booktitle"):
        """'Name; 2002 Apr 3-5; Kinsdale, Ireland.' The conference's place is `venue`, or the address of an
        unpublished one (a published one's address is its publisher's)."""
        when = date(name="eventdate") if "eventdate" in e.fields else date
        where = field("venue") if _has(e, "venue") or _published(e) else \
            either(field("location", apply_func=first_place), field("address"))
        return sentence(sep="; ")[title(name=name, cased=False), optional[when], optional[where]]

    # Citing Medicine ch. 6: Authors. Title. Type. Place: Institution; Date. Report No.: N.
    def get_report_template(self, e):
        return join(sep=" ")[
            optional[_authors()],
            sentence[title()],
            optional[sentence[content_type]],
            optional[sentence[publication(publisher_fields=("institution", "publisher", "organization"))]],
            optional[join["Report No.: ", field("number"), "."]],
        ]

    get_techreport_template = get_report_template

    # Citing Medicine ch. 7: Author. Title [dissertation]. Place: University; Year.
    def get_thesis_template(self, e, kind="dissertation"):
        return join(sep=" ")[
            _authors(),
            sentence[title(medium=_thesis_kind(value_of(e, "type"), kind))],
            optional[sentence[publication(publisher_fields=("school", "institution"), year_only=True)]],
        ]

    def get_phdthesis_template(self, e):
        return self.get_thesis_template(e)

    def get_mastersthesis_template(self, e):
        return self.get_thesis_template(e, kind="master's thesis")

    # Citing Medicine ch. 12: Inventors, inventors; Holder, assignee. Title. Country patent Number. Date.
    def get_patent_template(self, e):
        return join(sep=" ")[
            sentence(sep="; ")[names("author", "inventor", "inventors"), optional[names("holder", "assignee", "assignees")]],
            sentence[title()],
            sentence(sep=" ")[content_type(default="Patent"), field("number")],
            optional[sentence[date]],
        ]

    # Citing Medicine ch. 22-25: Author. Title [Internet]. Place: Publisher; Date [cited Date]. Available from:
    # (the address comes with the identifiers, as a link)
    def get_online_template(self, e, medium="Internet"):
        version = field("version", apply_func=lambda v: v if v.lower().startswith("version") else f"Version {v}")
        return join(sep=" ")[
            optional[_authors()],
            sentence[title(medium=medium)],
            optional[sentence[version]] if medium != "Internet" else "",
            optional[sentence(sep=" ")[optional[publication(publisher_fields=("publisher", "organization", "institution"))],
                                       optional[cited]]],
        ]

    def get_dataset_template(self, e):
        return self.get_online_template(e, medium="dataset")

    def get_software_template(self, e):
        return self.get_online_template(e, medium="computer program")

    def get_unpublished_template(self, e):
        return join(sep=" ")[optional[_authors()], sentence[title()], optional[sentence[field("note")]],
                             optional[sentence[date]]]

    def get_misc_template(self, e):
        if "url" in e.fields or "urldate" in e.fields:  # a web page exported as @misc (Zotero, JabRef)
            return self.get_online_template(e)
        return join(sep=" ")[
            optional[_authors()],
            sentence[title()],
            optional[sentence(sep="; ")[either(field("howpublished"), field("publisher"), field("organization")), date]],
        ]

    def format_entry(self, label, entry, bib_data=None, fields=None):
        """Any entry type without its own template is formatted as misc (a located warning says so)."""
        get_template = getattr(self, f"get_{entry.type}_template", self.get_misc_template)
        context = {"entry": entry, "style": self, "bib_data": bib_data, "fields": fields or {}}
        for template in (get_template, self.get_misc_template, _last_resort):
            try:
                return FormattedEntry(entry.key, template(entry).format_data(context), label)
            except FieldIsMissing:  # a field the template cannot do without: the entry's warning names it
                continue


def _last_resort(entry):
    """Whatever there is, each part optional: an entry without the fields its type needs."""
    where = either(_journal(), field("booktitle"), field("howpublished"), field("publisher"), field("institution"),
                   field("school"), field("organization"))
    return join(sep=" ")[optional[_authors()], optional[sentence[title()]],
                         optional[sentence(sep=". ")[where, join(sep=";")[optional[date], optional[field("volume")]]]]]


TEMPLATED = {name[4:-9] for name in dir(VancouverStyle) if name.startswith("get_") and name.endswith("_template")}
WEB_TYPES = {"online", "electronic", "www", "webpage"}
for _alias in WEB_TYPES - {"online"}:
    setattr(VancouverStyle, f"get_{_alias}_template", VancouverStyle.get_online_template)
TEMPLATED |= WEB_TYPES
THESIS_KINDS = {"phdthesis": "dissertation", "phd": "dissertation", "mathesis": "master's thesis",
                "mastersthesis": "master's thesis", "masters": "master's thesis"}


def _thesis_kind(text: str, default: str) -> str:
    low = text.lower()
    if low in THESIS_KINDS:
        return THESIS_KINDS[low]
    if not text:
        return default
    if re.search(r"ph\.?\s?d|doctor|dissertation", low):
        return "dissertation"
    return "master's thesis" if re.search(r"master", low) and "thesis" in low else low[:1] + plain(text)[1:]


def value_of(entry, name: str) -> str:
    return plain(entry.fields.get(name, "")).strip()


def _has(entry, *names_: str) -> bool:
    return any(entry.fields.get(n, "").strip() for n in names_)


def _published(entry) -> bool:
    return _has(entry, "publisher")


def _series_is_set(entry) -> bool:
    """BibTeX's volume 2 of a series is Citing Medicine's 'Series. Vol. 2, Title.': printed there, not again."""
    return _has(entry, "volume") and _has(entry, "series") and not _has(entry, "maintitle")


def _journal():
    return either(field("journal"), field("journaltitle"))


def _volume_of(entry, medium: str, name: str = "title"):
    """The title; for one volume of a set, 'Set title. Vol. 2, Volume title.' (Citing Medicine ch. 2)."""
    whole = "maintitle" if _has(entry, "maintitle") else "series" if _has(entry, "series") and name == "title" else ""
    if _has(entry, "volume") and whole:
        main = title(name=whole)
        return join[main, ". Vol. ", field("volume"), ", ", title(name=name, medium=medium), "."]
    if _has(entry, "volume") and name == "title":
        return join[title(name=name, medium=medium), ". Vol. ", field("volume"), "."]
    return sentence[title(name=name, medium=medium)]
