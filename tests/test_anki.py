"""The Anki deck (clinicase.anki): read back as Anki reads an .apkg (a zip holding an Anki 2 collection, an
SQLite database) and checked against Anki's collection schema, notes, fields, tags, ids and bytes."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from dataclasses import replace

import pytest
import yaml
from genanki import guid_for

from clinicase import anki
from conftest import FIXTURES, REPO, cited_numbers, text_and_tags

CASES = {"calcinosis-cutis-jssc": REPO / "content" / "cases" / "calcinosis-cutis-jssc",
         "synthetic-second-case": FIXTURES / "second-case" / "content" / "cases" / "synthetic-second-case"}
# The tables and columns of an Anki 2 collection, as Anki itself creates them (ankitects/anki,
# rslib/src/storage/schema11.sql): what Anki's .apkg importer reads.
ANKI_SCHEMA = {
    "col": ["id", "crt", "mod", "scm", "ver", "dty", "usn", "ls", "conf", "models", "decks", "dconf", "tags"],
    "notes": ["id", "guid", "mid", "mod", "usn", "tags", "flds", "sfld", "csum", "flags", "data"],
    "cards": ["id", "nid", "did", "ord", "mod", "usn", "type", "queue", "due", "ivl", "factor", "reps", "lapses",
              "left", "odue", "odid", "flags", "data"],
    "revlog": ["id", "cid", "usn", "ease", "ivl", "lastIvl", "factor", "time", "type"],
    "graves": ["usn", "oid", "type"],
}


def case_yaml(slug: str, name: str) -> dict:
    path = CASES[slug] / f"{name}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def collection(package: bytes) -> sqlite3.Connection:
    """The collection inside an .apkg, opened as Anki opens it."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == ["collection.anki2", "media"]
        assert json.loads(archive.read("media")) == {}  # no media files
        database = archive.read("collection.anki2")
    connection = sqlite3.connect(":memory:")
    connection.deserialize(database)
    return connection


def apkg(site, slug: str) -> bytes:
    return (site.site / "cases" / slug / f"{slug}.apkg").read_bytes()


def notes(connection) -> list[dict]:
    rows = connection.execute("select id, guid, mid, mod, tags, flds from notes order by id").fetchall()
    return [{"id": i, "guid": g, "mid": m, "mod": mod, "tags": tags.split(), "fields": flds.split("\x1f")}
            for i, g, m, mod, tags, flds in rows]


@pytest.mark.parametrize("slug", CASES)
def test_the_package_is_an_anki_2_collection_with_anki_s_schema(casebook_site, slug):
    db = collection(apkg(casebook_site, slug))
    for table, columns in ANKI_SCHEMA.items():
        assert [row[1] for row in db.execute(f"pragma table_info({table})")] == columns
    assert db.execute("select ver from col").fetchone()[0] == 11  # the schema version of an Anki 2 collection
    models = json.loads(db.execute("select models from col").fetchone()[0])
    decks = json.loads(db.execute("select decks from col").fetchone()[0])
    assert list(models) == [str(anki.MODEL_ID)]
    model = models[str(anki.MODEL_ID)]
    assert [(f["name"], f["ord"]) for f in model["flds"]] == [(name, n) for n, name in enumerate(anki.FIELDS)]
    deck_id = next(int(d) for d, deck in decks.items() if deck["name"] == case_yaml(slug, "case")["title"])
    # Every note is of the casebook's note type and has one card, in the case's deck; no card without a note.
    assert {m for (m,) in db.execute("select mid from notes")} == {anki.MODEL_ID}
    assert db.execute("select count(*) from cards").fetchone()[0] == db.execute("select count(*) from notes").fetchone()[0]
    assert db.execute("select count(*) from cards where nid not in (select id from notes)").fetchone()[0] == 0
    assert {d for (d,) in db.execute("select did from cards")} == {deck_id}
    # One card type; its templates name only the note type's fields (Anki puts a field's HTML where the
    # template says {{Field}}): the question shows the front and the credit, the answer every field.
    (template,) = model["tmpls"]
    named = {side: set(re.findall(r"{{[#/]?(\w+)}}", template[side])) for side in ("qfmt", "afmt")}
    assert named == {"qfmt": {"Front", "Credit"}, "afmt": set(anki.FIELDS)}


@pytest.mark.parametrize("slug", CASES)
def test_one_note_per_key_point_and_per_question_with_stable_ids_and_the_case_s_tags(casebook_site, slug):
    db = collection(apkg(casebook_site, slug))
    found = notes(db)
    points = [(file, n) for file in ("case", "sites", "presentation", "timeline", "figures", "discussion", "treatments")
              for n, _ in enumerate(case_yaml(slug, file).get("key_points", []), start=1)]
    questions = [q["id"] for q in case_yaml(slug, "quiz").get("questions", [])]
    expected = [guid_for(slug, f"key-point:{file}:{n}") for file, n in points] + [guid_for(slug, q) for q in questions]
    assert [n["guid"] for n in found] == expected and len(expected) == len(set(expected))
    tags = [t.replace(" ", "_") for t in case_yaml(slug, "case")["tags"]] + [slug]
    assert all(n["tags"] == tags for n in found)
    # The same count as "Cite and reuse" announces
    reuse = casebook_site.html(f"cases/{slug}/").select_one(".cb-reuse").get_text()
    assert f"Anki deck ({len(found)} notes)" in " ".join(reuse.split())


@pytest.mark.parametrize("slug", CASES)
def test_a_question_s_front_is_its_stem_and_options_and_its_back_the_answer_with_its_references(casebook_site, slug):
    db = collection(apkg(casebook_site, slug))
    by_guid = {n["guid"]: n for n in notes(db)}
    site_refs = {int(li["value"]): " ".join(li.select_one(".reference").get_text().split())
                 for li in casebook_site.html(f"cases/{slug}/references/").select("ol.reference-list > li")}
    site_options = casebook_site.html(f"cases/{slug}/quiz/").select("div.quiz")
    credit = f"Licence: {' '.join(casebook_site.html(f'cases/{slug}/').select_one('.cb-reuse a[href*=creativecommons]').get_text().split())}"
    for number, (question, on_site) in enumerate(zip(case_yaml(slug, "quiz")["questions"], site_options), start=1):
        front, back, references, page, credit_field = by_guid[guid_for(slug, question["id"])]["fields"]
        front_text, front_tags = text_and_tags(front)
        assert front_tags <= {"p", "ol", "li"}
        options = [" ".join(label.get_text().split())[3:] for label in on_site.select(".quiz-option label")]
        assert all(option in front_text for option in options) and len(options) == len(question["options"])
        correct = next(i for i, o in enumerate(question["options"]) if o.get("correct"))
        assert text_and_tags(back)[0].startswith(f"Answer: {'ABCDEF'[correct]}. {options[correct]}")
        # Every [n] on the card is listed with the entry the site gives number n.
        cited = cited_numbers(text_and_tags(front)[0]) | cited_numbers(text_and_tags(back)[0])
        listed = {int(n): text_and_tags(entry)[0] for n, entry in re.findall(r"<p>\[(\d+)\] (.*?)</p>", references)}
        assert set(listed) == cited and all(site_refs[n] == entry for n, entry in listed.items())
        assert f"Self-assessment, question {number}" in text_and_tags(page)[0]
        assert "Credit:" in credit_field and credit.split(" (")[0] in text_and_tags(credit_field)[0]


@pytest.mark.parametrize("slug", CASES)
def test_every_card_carries_the_source_credit_and_licence(casebook_site, slug):
    licence = casebook_site.html(f"cases/{slug}/").select_one(".cb-reuse a[href*=creativecommons]")
    for note in notes(collection(apkg(casebook_site, slug))):
        text = text_and_tags(note["fields"][4])[0]
        assert text.startswith("Credit: ") and f"Licence: {licence.get_text().split(' (')[0]}" in text


def test_building_again_gives_the_same_bytes_and_the_same_ids(casebook_site, casebook_site_again):
    for slug in CASES:
        first, again = apkg(casebook_site, slug), apkg(casebook_site_again, slug)
        assert first == again
        assert [(n["id"], n["guid"]) for n in notes(collection(first))] == [(n["id"], n["guid"]) for n in notes(collection(again))]


def test_a_later_build_time_makes_newer_notes_with_the_same_guids(monkeypatch):
    """Anki updates an existing note (same guid) only from a newer one: SOURCE_DATE_EPOCH sets the time."""
    deck = anki.AnkiDeck(1 << 30, "A deck", "", (anki.Note("guid-1", ("front", "back", "", "page", "credit"), ("tag",)),))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    later = anki.note_time()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert later == 1767225600 and anki.note_time() == anki.DEFAULT_TIME
    old, new = notes(collection(anki.apkg(deck, anki.DEFAULT_TIME))), notes(collection(anki.apkg(deck, later)))
    assert [n["guid"] for n in old] == [n["guid"] for n in new] and new[0]["mod"] > old[0]["mod"]
    assert anki.apkg(deck, later) == anki.apkg(deck, later)


def test_text_from_yaml_is_text_on_the_card(tmp_path):
    """Markup in a question stays characters: no element, handler or script reaches Anki."""
    from clinicase.citations import Numbering
    from conftest import second_case

    case, bibliography = second_case(tmp_path)
    hostile = '<img src=x onerror=alert(1)> </p><script>alert(2)</script> ]]> & "quoted"'
    question = replace(case.questions[0], stem=hostile)
    case.questions[0] = question
    deck = anki.anki_deck(case, Numbering(), bibliography, lambda page: "")
    front = next(n for n in deck.notes if n.guid == guid_for(case.slug, question.id)).fields[0]
    text, tags = text_and_tags(front)
    assert tags <= {"p", "ol", "li"} and hostile in text
