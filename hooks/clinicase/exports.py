"""Cite and reuse: a page's reading list as BibTeX and RIS, and suggested citations.

BibTeX is written by pybtex from the parsed entries, RIS by rispy, so both
files read back with the same libraries. Each entry is written on its own: one
that cannot be written is left out of the file and reported as a located
warning, and the page is still built. An entry that cannot be read at all is
left out too: its problem already stops the build (bibliography.problems).
"""

from __future__ import annotations

import re

import rispy
from pybtex.database import BibliographyData, Entry
from pybtex.database.output.bibtex import Writer

from .bibliography import VERBATIM_FIELDS, Bibliography
from .errors import Problem
from .latex_text import plain


class _LatexWriter(Writer):
    """pybtex's Writer encodes values as if they were plain text, but ours are LaTeX read from the .bib: it would
    turn `\\&` into `\\\\&` (a line break), `50\\%` into `50\\\\%` (a comment), `~` into `\\textasciitilde` and a
    DOI's `_` into `\\_`. Values are written as read (bare % already escaped by Bibliography.entry)."""

    def _encode(self, text: str) -> str:
        return text


_BIBTEX = _LatexWriter()  # made once: to_string("bibtex") looks the writer up among installed plugins on every call
_RIS_TYPES = {"article": "JOUR", "inproceedings": "CPAPER", "proceedings": "CONF", "book": "BOOK", "collection": "EDBOOK",
              "inbook": "CHAP", "incollection": "CHAP", "phdthesis": "THES", "mastersthesis": "THES", "thesis": "THES",
              "techreport": "RPRT", "report": "RPRT", "patent": "PAT", "online": "ELEC", "manual": "BOOK",
              "unpublished": "UNPB", "dataset": "DATA", "software": "COMP"}


def bibtex(bibliography: Bibliography, keys: list[str]) -> tuple[str, list[Problem]]:
    """The entries as a .bib, and a warning for each entry left out because it cannot be written."""
    written, problems = [], []
    for key in keys:
        entry = bibliography.entry(key)
        if entry is None:  # unreadable: a located error of its own
            continue
        try:
            written.append(bibliography.once("bibtex", key, lambda: _BIBTEX.to_string(
                BibliographyData(entries={bibliography.canonical(key): entry}))))
        except Exception as error:  # noqa: BLE001 — whatever the writer raises, the page is still built
            problems.append(_left_out(bibliography, key, "BibTeX", "bib", error))
    return "\n".join(written), problems  # pybtex separates entries by one blank line too


def ris(bibliography: Bibliography, keys: list[str]) -> tuple[str, list[Problem]]:
    """The entries as an .ris, and a warning for each entry left out because it cannot be written."""
    records, problems = [], []
    for key in keys:
        entry = bibliography.entry(key)
        if entry is None:
            continue
        try:
            records.append(bibliography.once("ris", key, lambda: _ris_checked(entry)))
        except Exception as error:  # noqa: BLE001 — as in bibtex()
            problems.append(_left_out(bibliography, key, "RIS", "ris", error))
    return rispy.dumps(records), problems


def _ris_checked(entry: Entry) -> dict:
    record = _ris_record(entry)
    rispy.dumps([record])  # written alone first, so that one bad record cannot lose the whole file
    return record


def _left_out(bibliography: Bibliography, key: str, kind: str, suffix: str, error: Exception) -> Problem:
    reason = " ".join(str(error).split())[:80] or type(error).__name__
    return Problem(bibliography.location(key),
                   f"entry '{bibliography.canonical(key)}': cannot be written to the {kind} reading list ({reason})",
                   f"correct the entry; until then it is left out of the page's .{suffix} download")


def _plain(value: str) -> str:
    return " ".join(plain(value).split())


def _verbatim(value: str) -> str:
    """A URL or DOI as written (LaTeX would read its % and ~), without a `\\url{...}` wrapper."""
    return re.sub(r"^\\url\s*\{(.*)\}$", r"\1", value.strip())


def _ris_authors(persons) -> list[str]:
    """'Last, First' names; BibTeX's `and others` becomes a last author 'et al.', RIS having no mark for a
    shortened list (reference managers then print it as the list's end, as the page does)."""
    names = [_plain(", ".join(filter(None, [" ".join(p.prelast_names + p.last_names),
                                            " ".join(p.first_names + p.middle_names)])))
             for p in persons if str(p) != "others"]
    return names + ["et al."] if len(names) < len(persons) else names


def _ris_record(entry: Entry) -> dict:
    fields = {k.lower(): _verbatim(v) if k.lower() in VERBATIM_FIELDS else _plain(v) for k, v in entry.fields.items()}
    authors = entry.persons.get("author") or []
    editors = entry.persons.get("editor") or []
    record = {"type_of_reference": _RIS_TYPES.get(entry.type, "GEN"), "id": entry.key,
              "authors": _ris_authors(authors or editors), "secondary_authors": _ris_authors(editors) if authors else []}
    pages = re.split(r"\s*[-–—]+\s*", fields.get("pages", ""), maxsplit=1)
    first = lambda *names: next((fields[n] for n in names if fields.get(n)), "")  # noqa: E731
    for tag, value in [("title", fields.get("title")), ("secondary_title", first("journal", "journaltitle", "booktitle")),
                       ("year", fields.get("year") or fields.get("date", "")[:4]), ("volume", fields.get("volume")),
                       ("number", first("number", "issue")), ("start_page", pages[0]),
                       ("end_page", pages[1] if len(pages) > 1 else ""),
                       ("publisher", first("publisher", "institution", "school", "organization")),
                       ("place_published", first("address", "location")), ("edition", fields.get("edition")),
                       ("doi", fields.get("doi")), ("urls", [fields["url"]] if fields.get("url") else None),
                       ("accession_number", fields.get("pmid"))]:
        if value:
            record[tag] = value
    return {k: v for k, v in record.items() if v}


def page_citation(site_name: str, page_title: str, case_title: str, url: str) -> str:
    """A Vancouver-style citation of a web page; the reader adds the date they accessed it."""
    where = f" Available from: {url}" if url else ""
    title = case_title if page_title == "Overview" else f"{case_title}: {page_title}"
    return f"{site_name}. {title} [Internet]. [cited YYYY Mon DD].{where}"
