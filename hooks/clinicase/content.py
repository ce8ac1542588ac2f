"""The content model: one folder of YAML per case, validated into plain objects.

Loading never raises on bad content: every problem in every file is
collected with its location, and `load_casebook` raises one ContentError
listing them all.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .cache import fingerprint, remembered_latest
from .citations import find_citations
from .crossrefs import RESERVED_IDS, case_targets, crossref_id, find_crossrefs
from .errors import ContentError, Location, Problem, relative_name
from .files import folder_problem
from .glossary import Glossary, Term
from .images import image_problems
from .links import addresses, image_problem, link_problem, may_hold_links
from .markup import escape, inert_text, markdown_html, md, site_markdown_html
from .licensing import adaptation_problems
from .timeline import TimelineEvent
from .timeline import calendar_problems, date_problem, events as timeline_events, problems as timeline_problems
from .unfolding import Unfolding, unfolding as unfolding_model, problems as unfolding_problems
from .vocabularies import Licence, body_regions, licences, suggest
from .yaml_source import Document, FieldPath, load_yaml

if TYPE_CHECKING:
    import jsonschema

    from .bibliography import Bibliography

SCHEMAS = Path(__file__).parent / "schemas"
REQUIRED_FILES = ("case", "presentation", "discussion")
GLOSSARY_FILE = "glossary.yml"  # site-wide, beside the cases folder
OPTIONAL_FILES = ("timeline", "figures", "treatments", "sites", "quiz", "unfolding")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PLAIN_TEXT_FIELDS = {"alt", "id", "date", "cite", "url", "name", "label", "see", "credit", "licence", "permission"}  # data, never Markdown


@dataclass(frozen=True)
class Figure:
    id: str
    number: int
    caption: str
    shows: str
    alt: str
    teaching_point: str
    image: Path | None = None
    credit: str = ""
    licence: Licence | None = None  # the image's own licence; None: the source article's
    permission: str = ""  # the copyright holder's permission, where the licence asks for one
    caption_provenance: str = ""  # from the provenance vocabulary, when it differs from the case's


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    body: str


@dataclass(frozen=True)
class Treatment:
    id: str
    name: str
    group: str
    evidence: str
    route: str = ""
    mechanism: str = ""


@dataclass(frozen=True)
class Site:
    regions: tuple[str, ...]  # from schemas/vocabularies/body-regions.json
    kinds: tuple[str, ...]  # from schemas/vocabularies/site-kinds.json
    label: str
    see: str
    kind_labels: tuple[str, ...] = ()  # the case's word for each of `kinds` (sites.yml kind_labels), "" for the default


@dataclass(frozen=True)
class Option:
    text: str
    explanation: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    number: int
    stem: str
    options: tuple[Option, ...]
    supports: tuple[str, ...]

    @property
    def answer(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.correct)


@dataclass(frozen=True)
class Source:
    cite: str
    licence: Licence
    copyright: str
    url: str = ""
    permission: str = ""  # the copyright holder's permission, where the licence asks for one
    text_provenance: str = ""  # from the provenance vocabulary; "" when the case does not record it
    caption_provenance: str = ""
    short: str = ""  # the article as author-year, for credits on site-wide pages (from the .bib)


@dataclass
class Case:
    slug: str
    folder: Path
    title: str
    summary: str
    keywords: list[str]
    tags: list[str]
    specialty: str
    learner_level: str
    objectives: list[str]
    key_facts: list[tuple[str, str]]
    source: Source
    ethics: dict[str, str]
    presentation: dict[str, Any]
    discussion: list[Section]
    timeline: list[TimelineEvent] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    treatments_intro: str = ""
    treatments: list[Treatment] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    key_points: dict[str, list[str]] = field(default_factory=dict)  # case file name -> points for its page
    tag_locations: tuple[Location, ...] = ()  # where each tag is written, for problems found across cases
    unfolding: Unfolding | None = None  # the case told in stages (unfolding.yml), for teaching


@dataclass
class Casebook:
    cases: list[Case]


# --- schema validation ---------------------------------------------------------

@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


_TYPE_NAMES = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "a mapping",
               type(None): "nothing (empty)"}
_DATE_PATTERN = "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"  # timeline.schema.json's dates
_PATTERN_HINTS = {
    "^[a-z0-9][a-z0-9-]*$": "use lowercase letters, digits and hyphens, e.g. 'pelvic-x-ray'",
    "^fig-[a-z0-9][a-z0-9-]*$": "figure ids start with 'fig-' and use lowercase letters, digits and hyphens",
    _DATE_PATTERN:
        "write YYYY, YYYY-MM or YYYY-MM-DD in quotes, e.g. \"2017\", \"2017-10\" or \"2017-10-05\"; put vaguer times in 'when'",
    "^https?://[^\\s\"'<>`]+$": "only http:// and https:// addresses, without spaces, quotes or angle brackets",
    "^sec-[a-z0-9][a-z0-9-]*$": "section ids start with 'sec-', e.g. 'sec-pathophysiology'",
    "^trt-[a-z0-9][a-z0-9-]*$": "treatment ids start with 'trt-', e.g. 'trt-warfarin'",
    "^q-[a-z0-9][a-z0-9-]*$": "question ids start with 'q-', e.g. 'q-sites'",
    "^(fig|tbl|sec|trt)-[a-z0-9][a-z0-9-]*$": "give the id of a figure (fig-), table (tbl-), section (sec-) or treatment (trt-)",
}


def schema_problems(doc: Document, name: str) -> list[Problem]:
    import jsonschema  # a tenth of a second to import: a build with unchanged inputs never validates (see plan.py)

    validator = jsonschema.Draft202012Validator(schema(name))
    # An empty text is reported by the rule for every blank string (_blank), once: not also as too short, not
    # in the vocabulary or not in the expected form.
    return [p for error in validator.iter_errors(doc.data) if not _blank_value(error) for p in _explain(doc, error)]


def _blank_value(error: jsonschema.ValidationError) -> bool:
    return error.validator in ("minLength", "enum", "pattern") and isinstance(error.instance, str) and not error.instance.strip()


def _load_valid(path: Path, name: str, root: Path, schema_name: str) -> tuple[Document, list[Problem]]:
    """A YAML file and its problems: reading, texts that say nothing, its schema. A file that could be read is
    checked even when reading found something (an impossible date, a duplicate key, a control character), so
    one build lists every problem; a field already reported is not reported again."""
    doc, found = load_yaml(path, name, root)
    if found and doc.data is None:  # not read at all (a file that reads as `null` is checked: it is no mapping)
        return doc, found
    for more in (_text_value_problems(doc), schema_problems(doc, schema_name)):  # one problem a field, the first
        reported = {p.field for p in found}
        found += [p for p in more if not p.field or p.field not in reported]
    return doc, found


def _text_value_problems(doc: Document) -> list[Problem]:
    """Texts that say nothing: blank, or the words 'not stated' where the field has a form for that. They make
    the file wrong like a schema error (the case is not built from them)."""
    problems = []
    for path, text in strings(doc.data):
        if not text.strip():
            problems.append(_blank(doc, path))
        elif _NOT_STATED_WORDS.fullmatch(text.strip()) and _takes_not_stated(doc, path):
            problems.append(doc.problem(path, f"'{text.strip()}' would be printed as if the source said it",
                                        "write `{not_stated: true}` instead: the page then says, in a sentence of "
                                        "its own, that the source does not state it"))
    return problems


def _explain(doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    if error.validator == "additionalProperties":  # one problem per unknown field, not just the first
        allowed = list(error.schema.get("properties", {}))
        problems = []
        for key in (k for k in error.instance if k not in allowed):
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
            fix = f"did you mean '{close[0]}'?" if close else f"allowed fields: {', '.join(allowed)}"
            problems.append(doc.problem((*tuple(error.absolute_path), key), f"unknown field '{key}'", fix, key=True))
        return problems
    return [_explain_one(doc, error)]


def _explain_one(doc: Document, error: jsonschema.ValidationError) -> Problem:
    path = tuple(error.absolute_path)
    value = error.instance
    if error.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message).group(1)
        described = error.schema.get("properties", {}).get(missing, {}).get("description", "")
        return doc.problem(path, f"missing required field '{missing}'", f"add `{missing}:`" + (f" ({described})" if described else ""),
                           key=True)
    if error.validator == "type":
        expected = error.validator_value
        got = _TYPE_NAMES.get(type(value), type(value).__name__)
        fix = "put the value in quotes (YAML reads yes/no/on/off as true/false, 012 and 1:30 as numbers)" \
            if expected == "string" else f"write {expected} here"
        return doc.problem(path, f"expected {expected}, got {got} ({value!r})", fix)
    if error.validator == "enum" and "title" in error.schema:  # a vocabulary's enum says what it holds: 'body region'
        return doc.problem(path, f"unknown {error.schema['title']} {value!r}", suggest(value, map(str, error.validator_value)))
    if error.validator == "enum":
        allowed = ", ".join(json.dumps(v) if isinstance(v, bool) else str(v) for v in error.validator_value)  # YAML's true
        return doc.problem(path, f"{value!r} is not allowed", f"use one of: {allowed}")
    if error.validator == "pattern":
        if error.validator_value == _DATE_PATTERN and (problem := date_problem(value)):  # 2026-03-41: a form, no day
            return doc.problem(path, *problem)
        return doc.problem(path, f"{value!r} is not in the expected form", _PATTERN_HINTS.get(error.validator_value, ""))
    if error.validator in ("minimum", "maximum"):
        bound = "at least" if error.validator == "minimum" else "at most"
        return doc.problem(path, f"{value!r} is out of range", f"write a number {bound} {error.validator_value}")
    if error.validator == "minLength":  # a glossary word so short it would be found inside other words
        return doc.problem(path, f"{value!r} is shorter than the {error.validator_value} characters allowed",
                           "write the whole word or phrase")
    if error.validator == "maxLength":
        return doc.problem(path, f"is longer than the {error.validator_value:,} characters allowed", "shorten it")
    if error.validator == "dependentRequired":
        missing = re.match(r"'([^']+)'", error.message).group(1)
        return doc.problem(path, f"an image needs '{missing}'", f"add `{missing}:` (who made the image / its licence)")
    if error.validator == "maxItems":
        return doc.problem(path, f"has more than {error.validator_value} items", "remove some")
    if error.validator == "uniqueItems":
        return doc.problem(path, "lists the same value twice", "remove the repeat")
    if error.validator == "minItems":
        return doc.problem(path, f"needs at least {error.validator_value} item(s)", "add an item")
    return doc.problem(path, error.message)


# --- loading ----------------------------------------------------------------------

def load_casebook(root: Path, content_dir: Path, bibliography: Bibliography) -> Casebook:
    """Every case under content_dir/cases, or one ContentError with every problem found."""
    _SUGGESTED.clear()  # suggestions belong to this build's bibliography
    problems: list[Problem] = []
    cases_dir = content_dir / "cases"
    if not cases_dir.is_dir():
        raise ContentError([Problem(Location(relative_name(cases_dir, root)), "no cases folder",
                                    "create content/cases/<case-name>/ with case.yml, presentation.yml and discussion.yml")])
    cases = []
    for folder in sorted(p for p in cases_dir.iterdir() if p.is_dir() or p.is_symlink()):
        wrong = folder_problem(folder, root)
        if wrong:
            problems.append(Problem(Location(relative_name(folder, root)), f"case folder {wrong}",
                                    "make it an ordinary folder inside the project (copy it in instead of linking to it)"))
            continue
        # while serving, an unchanged case folder is not read or validated again (against the same .bib)
        case, found = remembered_latest(_CASES, folder.name, lambda: (str(root), fingerprint(folder), bibliography.digest),
                                        lambda: _load_case(root, folder, bibliography))
        problems.extend(found)
        if case:
            cases.append(case)
    problems.extend(_tag_clashes(cases))
    if not cases and not problems:
        problems.append(Problem(Location(relative_name(cases_dir, root)), "no case folders found",
                                "add a folder per case, e.g. content/cases/my-case/"))
    if problems:
        raise ContentError(problems)
    return Casebook(sorted(cases, key=lambda c: c.title.lower()))


_CASES: dict = {}


def _load_case(root: Path, folder: Path, bibliography: Bibliography) -> tuple[Case | None, list[Problem]]:
    """One case, or every problem in it: text problems (citations, links, blanks) are found in every file
    that could be read, even when another file breaks the schema, so one build reports them all."""
    problems: list[Problem] = []
    here = relative_name(folder, root)
    if not SLUG.match(folder.name):
        problems.append(Problem(Location(here), f"case folder name '{folder.name}' cannot be a web address",
                                "rename it with lowercase letters, digits and hyphens"))
    problems.extend(_unexpected_files(folder, here))
    docs: dict[str, Document] = {}
    valid = True
    passed = set(OPTIONAL_FILES)  # files read and schema-valid, or optional and absent
    for name in REQUIRED_FILES + OPTIONAL_FILES:
        path = folder / f"{name}.yml"
        if not os.path.lexists(path):
            if name in REQUIRED_FILES:
                problems.append(Problem(Location(f"{here}/{name}.yml"), "required file is missing",
                                        f"create it (see hooks/clinicase/schemas/{name}.schema.json)"))
                valid = False
            continue
        doc, found = _load_valid(path, f"{here}/{name}.yml", root, name)
        if name == "timeline" and doc.data is not None:  # a date like 2026-03-41 is also a pattern error: once
            found = list(dict.fromkeys(found + calendar_problems(doc)))
        problems.extend(found)
        if doc.data is not None:
            docs[name] = doc
        valid = valid and not found
        passed = passed | {name} if not found else passed - {name}
    case = _build(folder, docs) if valid else None
    if case and case.source.cite in bibliography:
        case.source = dataclasses.replace(case.source, short=bibliography.short(case.source.cite))
    problems.extend(_check_texts(case, docs, bibliography, passed))
    if case:
        problems.extend(_check_ids(docs))
        problems.extend(_check_images(root, case, docs.get("figures")))
        problems.extend(docs[name].problem(path, message, fix) for name, path, message, fix in adaptation_problems(case))
        problems.extend(timeline_problems(docs.get("timeline"), docs.get("presentation")))
        problems.extend(_check_sites(docs.get("sites")))
        problems.extend(_check_answers(docs.get("quiz")))
        problems.extend(_check_tags(docs["case"]))
        problems.extend(unfolding_problems(docs.get("unfolding"), case, *_citations_of_unfolding(docs, bibliography)))
    return (None if problems else case), problems


def _citations_of_unfolding(docs: dict[str, Document], bibliography: Bibliography) -> tuple[set[str], list]:
    """The keys the case's other files cite, and (field, offset, key) of each citation in unfolding.yml, keys
    spelled as the .bib spells them (unknown keys are reported by _check_texts)."""
    def cited(doc: Document):
        return [(path, group.start, bibliography.canonical(key)) for path, text in strings(doc.data)
                for group in find_citations(text)[0] for key in group.keys if key in bibliography]

    elsewhere = {key for name, doc in docs.items() if name != "unfolding" for _, _, key in cited(doc)}
    return elsewhere, cited(docs["unfolding"]) if "unfolding" in docs else []


def _unexpected_files(folder: Path, here: str) -> list[Problem]:
    known = {f"{n}.yml" for n in REQUIRED_FILES + OPTIONAL_FILES}
    problems = []
    for path in sorted(folder.iterdir()):
        if path.suffix in {".yml", ".yaml"} and path.name not in known:
            close = difflib.get_close_matches(path.stem, REQUIRED_FILES + OPTIONAL_FILES, n=1)
            fix = f"rename it to {close[0]}.yml" if close else f"case files are: {', '.join(sorted(known))}"
            problems.append(Problem(Location(f"{here}/{path.name}"), "file is not part of a case and would be ignored", fix))
    return problems


def _build(folder: Path, docs: dict[str, Document]) -> Case:
    meta = docs["case"].data
    figures = docs["figures"].data["figures"] if "figures" in docs else []
    treatments = docs["treatments"].data if "treatments" in docs else {"groups": []}
    questions = docs["quiz"].data["questions"] if "quiz" in docs else []
    return Case(
        slug=folder.name,
        folder=folder,
        title=meta["title"],
        summary=meta["summary"],
        keywords=meta["keywords"],
        tags=meta["tags"],
        specialty=meta["specialty"],
        learner_level=meta["learner_level"],
        objectives=meta["objectives"],
        key_facts=[(f["label"], f["value"]) for f in meta.get("key_facts", [])],
        source=Source(meta["source"]["cite"], licences()[meta["source"]["licence"]],
                      meta["source"]["copyright"], meta["source"].get("url", ""), meta["source"].get("permission", ""),
                      meta["source"].get("provenance", {}).get("text", ""),
                      meta["source"].get("provenance", {}).get("captions", "")),
        ethics=meta["ethics"],
        presentation=docs["presentation"].data,
        discussion=[Section(**s) for s in docs["discussion"].data["sections"]],
        timeline=timeline_events(docs["timeline"].data) if "timeline" in docs else [],  # dated as timeline.py says
        figures=[Figure(number=i, **{**f, "image": folder / f["image"] if "image" in f else None,
                                     "licence": licences()[f["licence"]] if "licence" in f else None})
                 for i, f in enumerate(figures, start=1)],
        treatments_intro=treatments.get("intro", ""),
        treatments=[Treatment(group=g["title"], **t) for g in treatments["groups"] for t in g["items"]],
        sites=[Site(tuple(s["regions"]), tuple(s["kinds"]), s["label"], s["see"],
                    tuple(docs["sites"].data.get("kind_labels", {}).get(k, "") for k in s["kinds"]))
               for s in docs["sites"].data["sites"]] if "sites" in docs else [],
        questions=[Question(q["id"], n, q["stem"], tuple(Option(**o) for o in q["options"]), tuple(q["supports"]))
                   for n, q in enumerate(questions, start=1)],
        key_points={name: doc.data["key_points"] for name, doc in docs.items() if "key_points" in doc.data},
        tag_locations=tuple(docs["case"].where(("tags", i)) for i in range(len(meta["tags"]))),
        unfolding=unfolding_model(docs["unfolding"].data) if "unfolding" in docs else None,
    )


# --- checks across fields -----------------------------------------------------------

def strings(data: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every string value in a document, with its field path."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from strings(value, (*path, i))
    elif isinstance(data, str):
        yield path, data


def _check_texts(case: Case | None, docs: dict[str, Document], bibliography: Bibliography,
                 passed: set[str]) -> list[Problem]:
    """Every string of every file (blanks are reported with the file, _text_value_problems): citation keys,
    cross-references and `see`/`supports` ids resolve (all of them once the case could be built, those to
    figures and treatments as soon as their file passes); links and images follow the URL rule."""
    problems = []
    targets = case_targets(case) if case else _known_targets(docs, passed)
    source_path = ("source", "cite")
    if case and case.source.cite not in bibliography:
        problems.append(docs["case"].problem(source_path, f"unknown citation key '{case.source.cite}'",
                                             _unknown_key_fix(case.source.cite, bibliography)))
    for doc in docs.values():
        for path, text in strings(doc.data):
            if not text.strip() or _NOT_STATED_WORDS.fullmatch(text.strip()):  # reported with the file's schema
                continue
            if path == source_path or not path:  # a file that is one bare string breaks the schema already
                continue
            if path[-1] == "see" or (len(path) > 1 and path[-2] == "supports"):
                problems.extend(_target_problem(doc, path, text, targets, None))
                continue
            groups, malformed = find_citations(text)
            refs = find_crossrefs(text)
            plain = path[-1] in PLAIN_TEXT_FIELDS or (len(path) > 1 and path[-2] == "kind_labels")  # legend words
            if plain and (groups or malformed or refs):
                problems.append(doc.problem(path, "this field is plain text and cannot hold citations or cross-references",
                                            "move the citation to the caption or body text"))
                continue
            if not plain:
                problems.extend(doc.problem(path, message, fix, offset=offset)
                                for offset, message, fix in text_problems(text, bibliography))
            for ref in refs:
                problems.extend(_target_problem(doc, path, ref.id, targets, ref.start))
    return problems


def _known_targets(docs: dict[str, Document], passed: set[str]) -> dict[str, object]:
    """Before the case can be built: the ids of figures and of treatments, each from the one file that gives
    them, once that file passes; other kinds (sections and tables come from several files) are left to the
    check of the built case, and marked unknown here by their prefix."""
    known: dict[str, object] = {prefix: _UNKNOWN for prefix in ("fig-", "trt-", "sec-", "tbl-")}
    if "figures" in passed:
        known.pop("fig-")
        figures = docs["figures"].data["figures"] if "figures" in docs else []
        known.update((f["id"], None) for f in figures)
    if "treatments" in passed:
        known.pop("trt-")
        groups = docs["treatments"].data["groups"] if "treatments" in docs else []
        known.update((t["id"], None) for g in groups for t in g["items"])
    return known


_UNKNOWN = object()  # a prefix in _known_targets: that kind of target cannot be checked yet


def _blank(doc: Document, path: FieldPath) -> Problem:
    """A blank text, with what to do as its schema says: a required field needs words, an optional one may go."""
    if not path:  # the whole file is one empty text (its schema reports that it is no mapping)
        return doc.problem(path, "is blank", "write the file's fields")
    if isinstance(path[-1], int):
        return doc.problem(path, "is blank", "write the text, or remove this item")
    found = _field_schema(schema(Path(doc.name).stem), path)
    if found is None:
        return doc.problem(path, "is blank", "write the text, or remove it if it is optional")
    parent, node = found
    write = f"use one of: {', '.join(map(str, node['enum']))}" if "enum" in node else "write the text"
    required = path[-1] in parent.get("required", ())
    return doc.problem(path, "is blank", f"this field is required: {write}" if required else
                       f"{write}, or remove the field (it is optional)")


_NOT_STATED_WORDS = re.compile(r"(?i)not\s+stated(?:\s+in\s+the\s+(?:source|article))?\.?")


def _takes_not_stated(doc: Document, path: FieldPath) -> bool:
    """Whether the field has the `{not_stated: true}` form (presentation.schema.json's notStated)."""
    found = _field_schema(schema(Path(doc.name).stem), path)
    return bool(found) and found[1].get("then", {}).get("$ref", "").endswith("/notStated")


def _field_schema(root: dict, path: FieldPath) -> tuple[dict, dict] | None:
    """The schema of the mapping that holds the field at `path`, and the field's own (None where the schema
    does not say)."""
    def resolved(node: dict) -> dict:  # the schemas' own definitions: "#/$defs/name", "#/properties/ethics/$defs/…"
        while "$ref" in node:
            node = functools.reduce(lambda at, key: at[key], node["$ref"].lstrip("#/").split("/"), root)
        return node

    node, parent = root, root
    for part in path:
        parent = resolved(node)
        node = parent.get("items", {}) if isinstance(part, int) else parent.get("properties", {}).get(part)
        if node is None:
            return None
    return parent, resolved(node)


_KIND_NAMES = {"fig": "figure", "tbl": "table", "sec": "section", "trt": "treatment"}


def _target_problem(doc: Document, path: FieldPath, target: str, targets: dict, offset: int | None) -> list[Problem]:
    """offset is where a `@ref` sits in a text; None for a field that holds just an id."""
    if target in targets or targets.get(target.split("-")[0] + "-") is _UNKNOWN:
        return []
    kind = _KIND_NAMES.get(target.split("-")[0], "figure, table, section or treatment")
    close = difflib.get_close_matches(target, [t for t, known in targets.items() if known is not _UNKNOWN], n=3)
    at = "" if offset is None else "@"
    fix = f"did you mean {', '.join(at + c for c in close)}?" if close else f"add the {kind} or correct the id"
    return [doc.problem(path, f"no {kind} with id '{target}' in this case", fix, offset=offset or 0)]

def text_problems(text: str, bibliography: Bibliography, *, handwritten: bool = False) -> list[tuple[int, str, str]]:
    """Citation, link and image problems of one Markdown text."""
    return citation_problems(text, bibliography) + link_problems(text, handwritten=handwritten)


_LINK_FIX = "link to an http:// or https:// address, or write @fig-…/@sec-… for a place in the case"


def link_problems(text: str, *, handwritten: bool = False) -> list[tuple[int, str, str]]:
    """(offset, message, fix) for each link or image the text would put on a page against the URL rule
    (links.py), found in the HTML the site's Markdown makes of it (raw HTML left out: in YAML it is shown as
    text, in hand-written pages it is trusted). Hand-written pages may link to other pages and images of
    the site, which MkDocs checks; text from YAML links only to the web or, with @id, into its case."""
    if not may_hold_links(text):
        return []
    found = []
    for address in addresses(site_markdown_html(md(text))):
        where = _offset_of(text, address.value)
        shown = address.value[:60]
        if address.tag == "img":
            problem = image_problem(address.value) if handwritten else "images in text have no caption, credit or licence"
            fix = "save the image in the site and link it by a relative path" if handwritten else \
                "add the image to figures.yml (with alt text, credit and licence) and refer to it as @fig-…"
            if problem:
                found.append((where, f"image '{shown}' is not allowed: {problem}", fix))
        elif address.value.startswith("@"):
            if address.title or not crossref_id(address.value[1:]):
                found.append((where, f"cross-reference link '{shown}' cannot be read",
                              "write [your words](@fig-id) with nothing after the id"))
        else:
            problem = link_problem(address.value, inside_site=handwritten)
            if problem:
                found.append((where, f"link to '{shown}' is not allowed: {problem}", _LINK_FIX))
        if "[@" in address.link_text:
            found.append((where, "a citation cannot sit inside a link's text", "move the [@key] after the link"))
    return found


def _offset_of(text: str, value: str) -> int:
    """Where an address sits in the text, for the message's line and column (0: the field's start)."""
    for probe in (value, value[:20], value.strip()[:8]):
        at = text.find(probe) if probe else -1
        if at >= 0:
            return at
    return 0


def citation_problems(text: str, bibliography: Bibliography) -> list[tuple[int, str, str]]:
    """(offset, message, fix) for each unreadable citation or unknown key in a Markdown text."""
    groups, malformed = find_citations(text)
    found = [(bad.start, f"cannot read citation '{bad.snippet}'",
              "write [@key] or [@key1; @key2]; a key with other characters than letters, digits and "
              "_ : . # $ % & - + ? < > ~ / goes in braces: [@{key}]") for bad in malformed]
    for group in groups:
        found += [(group.start, f"unknown citation key '{key}'", _unknown_key_fix(key, bibliography))
                  for key in group.keys if key not in bibliography]
    return found


_SUGGESTED: dict[tuple[str, str], list[str]] = {}  # (bib, key) -> closest keys, within one build


def _unknown_key_fix(key: str, bibliography: Bibliography) -> str:
    if key.startswith("fig-"):
        return f"to refer to a figure write @{key} without brackets"
    if len(_SUGGESTED) > 500:  # close matches cost a pass over every key: enough suggestions for one report
        return f"add an entry '{key}' to {bibliography.name} or correct the key"
    close = _SUGGESTED.setdefault((bibliography.name, key), bibliography.closest(key))
    return f"closest known keys: {', '.join(close)}" if close else f"add an entry '{key}' to {bibliography.name}"


def _check_ids(docs: dict[str, Document]) -> list[Problem]:
    """Ids become anchors on the case's pages, so each must be unique within the case, and none may take
    over an anchor the generated pages give their own sections (sec-history, tbl-timeline…)."""
    seen: dict[str, Location] = {}
    problems = []
    for doc in docs.values():
        for path, text in strings(doc.data):
            if path[-1] != "id":
                continue
            where = doc.where(path)
            if text in RESERVED_IDS:
                problems.append(doc.problem(path, f"id '{text}' is the id of a section the site writes itself",
                                            f"choose another id, e.g. '{text}-discussion'"))
            elif text in seen:
                problems.append(doc.problem(path, f"duplicate id '{text}' (also used at {seen[text]})",
                                            "give each figure, event, section and treatment its own id"))
            else:
                seen[text] = where
    return problems


def _tag_clashes(cases: list[Case]) -> list[Problem]:
    """Two spellings of one tag would share a page under one of the two names: ask for one spelling."""
    first: dict[str, tuple[str, Case]] = {}
    problems = []
    for case in cases:
        for index, (tag, location) in enumerate(zip(case.tags, case.tag_locations)):
            spelled, where = first.setdefault(tag_slug(tag), (tag, case))
            if spelled != tag:
                problems.append(Problem(location, f"tag '{tag}' and tag '{spelled}' (case '{where.slug}') would share one page",
                                        f"spell the tag the same way everywhere, e.g. '{spelled}'", f"tags[{index}]"))
    return problems


def _check_tags(doc: Document) -> list[Problem]:
    """A tag is a page under tags/: it needs a letter or digit, and may not be the tags index itself."""
    problems, spelled = [], {}
    for index, tag in enumerate(doc.data.get("tags", [])):
        slug = tag_slug(tag)
        if spelled.setdefault(slug, tag) != tag:
            problems.append(doc.problem(("tags", index), f"tag '{tag}' and tag '{spelled[slug]}' would share one page",
                                        f"spell the tag the same way everywhere, e.g. '{spelled[slug]}'"))
        if not slug and tag.strip():  # a blank tag is reported as blank (_blank), once
            problems.append(doc.problem(("tags", index), f"tag '{tag}' has no letter or digit to name its page",
                                        "write the tag in words"))
        elif slug in RESERVED_TAG_SLUGS:
            problems.append(doc.problem(("tags", index), f"tag '{tag}' would replace the page listing all tags",
                                        "choose another word"))
    return problems


def tag_slug(tag: str) -> str:
    """The tag's page name: 'Calcinosis cutis' and 'Calcinosis-cutis' share one (load_casebook refuses that)."""
    return re.sub(r"[\W_]+", "-", tag.casefold()).strip("-")  # letters of every script are kept


RESERVED_TAG_SLUGS = {"index"}


def _check_images(root: Path, case: Case, doc: Document | None) -> list[Problem]:
    """Images must be real, safe image files inside the case folder (images.py has the rules)."""
    return [doc.problem(("figures", index, "image"), message, fix)
            for index, figure in enumerate(case.figures) if figure.image is not None
            for message, fix in image_problems(doc.data["figures"][index]["image"], case.folder, root)]


def _check_sites(doc: Document | None) -> list[Problem]:
    """Regions against the vocabulary. The schema's enum says the same first (schema_problems, with the same
    message), so this reports only if the schema file were out of date with the data file: once per bad region."""
    problems = []
    regions = body_regions()
    for index, site in enumerate(doc.data["sites"] if doc else []):
        for r, region in enumerate(site["regions"]):
            if region not in regions:  # suggest: 'left-knee' means 'knee-left'
                problems.append(doc.problem(("sites", index, "regions", r), f"unknown body region '{region}'",
                                            suggest(region, regions)))
    return problems


def _check_answers(doc: Document | None) -> list[Problem]:
    """Single best answer: exactly one option is marked correct."""
    problems = []
    for index, question in enumerate(doc.data["questions"] if doc else []):
        correct = sum(1 for o in question["options"] if o.get("correct"))
        if correct != 1:
            problems.append(doc.problem(("questions", index, "options"), f"{correct} options are marked correct",
                                        "mark exactly one option `correct: true`"))
    return problems


# --- the glossary ------------------------------------------------------------------------

def load_glossary(root: Path, content_dir: Path, bibliography: Bibliography, cases: set[str] = frozenset()) -> Glossary:
    """The glossary (an empty one if the file is absent), or a ContentError. `cases`: the case folder names a
    definition may say it is taken from."""
    path = content_dir / GLOSSARY_FILE
    if not os.path.lexists(path):
        return Glossary([], {})
    doc, problems = _load_valid(path, relative_name(path, root), root, "glossary")
    if problems:
        raise ContentError(problems)
    terms, seen_ids, seen_forms = [], {}, {}
    for index, raw in enumerate(doc.data["terms"]):
        term = Term(raw["id"], raw["term"], raw["definition"], raw.get("abbreviation", ""), tuple(raw.get("synonyms", [])),
                    raw.get("from_case", ""))
        path_of = ("terms", index)
        if term.from_case and term.from_case not in cases:
            problems.append(doc.problem((*path_of, "from_case"), f"no case folder '{term.from_case}'",
                                        suggest(term.from_case, cases) if cases else "add the case, or remove the field"))
        if term.id in seen_ids:
            problems.append(doc.problem((*path_of, "id"), f"duplicate id '{term.id}' (also term {seen_ids[term.id]})",
                                        "give each term its own id"))
        seen_ids.setdefault(term.id, index + 1)
        for form in (term.term, *term.synonyms, term.abbreviation):
            if form and form.casefold() in seen_forms:
                problems.append(doc.problem(path_of, f"'{form}' is already a form of '{seen_forms[form.casefold()]}'",
                                            "a word can link to one term only: remove it here or there"))
            seen_forms.setdefault(form.casefold(), term.term)
        definition = ("definition",)
        problems += [doc.problem((*path_of, *definition), message, fix, offset=offset)
                     for offset, message, fix in text_problems(term.definition, bibliography)]
        if find_crossrefs(term.definition):
            problems.append(doc.problem((*path_of, *definition), "the glossary belongs to no case, so it cannot "
                                        "cross-reference figures or sections", "describe it in words instead"))
        terms.append(term)
    if problems:
        raise ContentError(problems)
    terms.sort(key=lambda t: t.term.lower())
    return Glossary(terms, {t.id: _tip(t, bibliography) for t in terms})


def _tip(term: Term, bibliography: Bibliography) -> str:
    """The definition as inline HTML, citations shown as (Author et al. Year)."""
    def own(part: str) -> str:  # the definition's own Markdown; < and & are text
        return part.replace("&", "&amp;").replace("<", "&lt;")

    text, last, out = term.definition, 0, []
    for group in find_citations(text)[0]:  # names and years from the .bib are data: inert, never Markdown
        out += [own(text[last:group.start]), "(" + "; ".join(inert_text(bibliography.short(k)) for k in group.keys) + ")"]
        last = group.end
    html = markdown_html(" ".join(("".join(out) + own(text[last:])).split()))
    return f"<strong>{escape(term.heading)}</strong> " + re.sub(r"^<p>|</p>$", "", html)
