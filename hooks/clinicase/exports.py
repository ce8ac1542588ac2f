"""Cite and reuse: a page's reading list as BibTeX and RIS, and suggested citations.

BibTeX is written by pybtex from the parsed entries, RIS by rispy, so both
files read back with the same libraries.
"""

from __future__ import annotations

import re

import rispy
from pybtex.database import BibliographyData, Entry
from pybtex.database.output.bibtex import Writer

from .bibliography import Bibliography, plain

_BIBTEX = Writer()  # made once: to_string("bibtex") looks the writer up among installed plugins on every call
_RIS_TYPES = {"article": "JOUR", "inproceedings": "CPAPER", "book": "BOOK", "incollection": "CHAP",
              "phdthesis": "THES", "mastersthesis": "THES", "techreport": "RPRT", "online": "ELEC"}


def bibtex(bibliography: Bibliography, keys: list[str]) -> str:
    entries = {bibliography.canonical(k): bibliography.entry(k) for k in keys}
    return _BIBTEX.to_string(BibliographyData(entries=entries))


def ris(bibliography: Bibliography, keys: list[str]) -> str:
    return rispy.dumps([_ris_record(bibliography.entry(k)) for k in keys])


def _plain(value: str) -> str:
    return " ".join(plain(value).split())


def _ris_record(entry: Entry) -> dict:
    fields = {k.lower(): _plain(v) for k, v in entry.fields.items()}
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    record = {"type_of_reference": _RIS_TYPES.get(entry.type, "GEN"), "id": entry.key,
              "authors": [_plain(", ".join(filter(None, [" ".join(p.prelast_names + p.last_names),
                                                         " ".join(p.first_names + p.middle_names)])))
                          for p in persons if str(p) != "others"]}
    pages = re.split(r"\s*[-–—]+\s*", fields.get("pages", ""), maxsplit=1)
    for tag, value in [("title", fields.get("title")), ("secondary_title", fields.get("journal") or fields.get("journaltitle")
                                                        or fields.get("booktitle")),
                       ("year", fields.get("year") or fields.get("date", "")[:4]), ("volume", fields.get("volume")),
                       ("number", fields.get("number") or fields.get("issue")), ("start_page", pages[0]),
                       ("end_page", pages[1] if len(pages) > 1 else ""), ("publisher", fields.get("publisher")),
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
