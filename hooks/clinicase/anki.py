"""The case as an Anki deck (.apkg, written by genanki), for students' spaced repetition.

One note per key point and per quiz question. A question's front is its stem and options; its back the
answer, its explanation, the references it cites (numbered as on the site) and a link to the page; a key
point's front asks for it by where it stands in the case. Every card carries the source's credit and
licence. Notes keep their ids across builds (guid from the case folder and the item: a question's id, a key
point's file and place), so importing an updated deck updates the notes a student already has instead of
adding copies; the note type and the deck have fixed ids for the same reason.

The same input gives the same bytes. Anki updates a note on import only if the incoming note is newer, so
its modification time is SOURCE_DATE_EPOCH when set (the reproducible-builds convention: the Pages workflow
sets it to the time of the last commit to the content), else a fixed time; genanki's own writer would stamp
the build time into the zip and leave its temporary database behind, so the collection is made in memory
and zipped here with fixed entry times.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import re
import sqlite3
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .render import pages_of
from .slides import credit_line, plain_text, reference_lines

if TYPE_CHECKING:
    from .bibliography import Bibliography
    from .citations import Numbering
    from .content import Case

ASSETS = Path(__file__).parent / "assets"
MODEL_ID = 1_607_392_319  # the note type all casebook decks share; never change it, or imports duplicate notes
MODEL_NAME = "Clinical casebook"
FIELDS = ("Front", "Back", "References", "Page", "Credit")
DEFAULT_TIME = 1_577_836_800  # 2020-01-01: older than any real build, so a build that sets the time updates it
LETTERS = "ABCDEF"
# Each file's key points in reading order, with the page that shows them: sites.yml and timeline.yml have no
# page of their own (their points open the Overview's body map and the Presentation's timeline).
KEY_POINT_PLACES = (("case", "index.md", ""), ("sites", "index.md", "body map"), ("presentation", "presentation.md", ""),
                    ("timeline", "presentation.md", "timeline"), ("figures", "figures.md", ""),
                    ("discussion", "discussion.md", ""), ("treatments", "treatments.md", ""))


@dataclass(frozen=True)
class Note:
    guid: str
    fields: tuple[str, ...]  # HTML, in the order of FIELDS
    tags: tuple[str, ...]


@dataclass(frozen=True)
class AnkiDeck:
    id: int
    name: str
    description: str
    notes: tuple[Note, ...]


def anki_deck(case: Case, numbering: Numbering, bibliography: Bibliography, url: Callable[[str], str]) -> AnkiDeck:
    """The case's notes; `url(page name)` is the page's address on the published site, '' if it has none."""
    from genanki import guid_for  # genanki and its libraries are imported only when a deck is made

    text, titles = plain_text(case, numbering, bibliography), dict(pages_of(case))
    credit = f"<p>{escape(credit_line(case, bibliography))}</p>"
    tags = tuple(dict.fromkeys([*(re.sub(r"\s+", "_", t.strip()) for t in case.tags), case.slug]))

    def note(item: str, front: str, back: str, keys: list[str], page: str, where: str) -> Note:
        references = "".join(f"<p>{escape(line)}</p>" for line in reference_lines(keys, numbering, bibliography))
        label = escape(f"{case.title} › {where}")
        link = f'<a href="{escape(url(page))}">{label}</a>' if url(page) else f"{label} (in the casebook)"
        return Note(guid_for(case.slug, item), (front, back, references, link, credit), tags)

    notes = []
    for file, page, section in KEY_POINT_PLACES:
        points = case.key_points.get(file, [])
        where = titles.get(page, "Overview") + (f", {section}" if section else "")
        for index, point in enumerate(points, start=1):
            keys: list[str] = []
            back = f"<p>{escape(text(point, keys))}</p>"
            front = (f'<p class="cb-case">{escape(case.title)}</p>'
                     f"<p>{escape(where)}: key point {index} of {len(points)}. What is it?</p>")
            notes.append(note(f"key-point:{file}:{index}", front, back, keys, page, where))
    for q in case.questions:
        keys = []
        options = "".join(f"<li>{escape(text(o.text, keys))}</li>" for o in q.options)
        front = f"<p>{escape(text(q.stem, keys))}</p><ol type=\"A\">{options}</ol>"
        answer = q.options[q.answer]
        back = (f"<p><b>Answer: {LETTERS[q.answer]}.</b> {escape(text(answer.text, keys))}</p>"
                f"<p>{escape(text(answer.explanation, keys))}</p>")
        notes.append(note(q.id, front, back, keys, "quiz.md", f"{titles['quiz.md']}, question {q.number}"))
    description = f"<p>{escape(' '.join(case.summary.split()))}</p>{credit}"
    return AnkiDeck(_deck_id(case.slug), case.title.replace("::", ":"), description, tuple(notes))


def _deck_id(slug: str) -> int:
    """Stable per case, in the range genanki recommends."""
    return (1 << 30) + int.from_bytes(hashlib.sha256(f"clinicase deck {slug}".encode()).digest()[:4], "big") % (1 << 30)


def note_time() -> int:
    """Seconds since 1970 to stamp notes with: SOURCE_DATE_EPOCH, or a fixed time."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else DEFAULT_TIME


def apkg(deck: AnkiDeck, timestamp: int) -> bytes:
    """The deck as an .apkg: a zip of an Anki 2 collection (SQLite) and an empty media list."""
    import genanki

    model = genanki.Model(MODEL_ID, MODEL_NAME, fields=[{"name": f} for f in FIELDS],
                          templates=[{"name": "Card", "qfmt": _asset("anki-front.html"), "afmt": _asset("anki-back.html")}],
                          css=_asset("anki.css"))
    anki = genanki.Deck(deck.id, deck.name, deck.description)
    for note in deck.notes:
        anki.add_note(genanki.Note(model=model, fields=list(note.fields), tags=list(note.tags), guid=note.guid))
    connection = sqlite3.connect(":memory:")
    try:
        genanki.Package(anki).write_to_db(connection.cursor(), timestamp, itertools.count(timestamp * 1000))
        connection.commit()
        collection = connection.serialize()
    finally:
        connection.close()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in (("collection.anki2", collection), ("media", b"{}")):
            package.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")
