"""Import a published case report from its JATS XML into a draft case and its references.

`make import SOURCE=article.xml [CASE=folder-name] [LICENCE=licence-id]` runs `python -m clinicase.jats_import`.
The article is read as untrusted data (xml_source), its licence named from the vocabulary (licence), its
references made BibTeX entries (references), its parts mapped to the case's files (mapping, text), the draft
checked by the site's own validator to list what a person must still do (review), and the whole written at
once or not at all (writer). Plain Python: nothing here knows of MkDocs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..bibliography import Bibliography, load_bibliography
from ..content import SLUG, tag_slug
from ..errors import ContentError, Location, Problem
from ..yaml_source import load_yaml
from .licence import read_permissions
from .mapping import Check, Draft, Mapper, ascii_words
from .references import assign_keys, differs, read_references, source_entry
from .review import Review, markdown, review
from .writer import appended, install, position, with_comments, yaml_text
from .xml_source import read_article

BIB = "bibliography.bib"


@dataclass
class Imported:
    folder: str  # content/cases/<name>, as the author sees it
    draft: Draft
    review: Review
    added: int  # entries appended to the .bib
    reused: int  # references the .bib already held
    report: str  # REVIEW.md


def import_article(source: Path, root: Path, *, name: str = "", case: str = "", licence: str = "") -> Imported:
    """Import `source` into the project at `root`; a ContentError with every problem found if it cannot be done,
    in which case nothing was written."""
    name = name or str(source)
    article = read_article(source, name)
    problems: list[Problem] = []
    try:
        permissions = read_permissions(article, licence)
    except ContentError as error:
        permissions, problems = None, problems + error.problems
    bib_path = root / BIB
    bib, found = load_bibliography(bib_path, BIB)
    problems += [Problem(p.location, p.message, (p.fix + "; " if p.fix else "") + "the import needs a readable .bib", p.field)
                 for p in found]
    source_ref, references = source_entry(article), read_references(article)
    slug = case or _slug(source_ref.fields.get("title", ""))
    problems += _folder_problems(root, slug, bool(case))
    if problems:
        raise ContentError(problems)
    bib_before = bib_path.read_bytes()
    taken, known = _bib_index(bib)
    assign_keys([source_ref, *references], taken, known)
    draft = Mapper(article, permissions, source_ref, references, slug, _other_tags(root, slug)).draft_case()
    addition = _bib_addition(draft, Path(name).name)
    texts = _texts(draft, Path(name).name)
    bib_after = appended(bib_before, addition)
    result = review(draft, texts, bib_after)
    result.checks += _reference_checks(draft, bib_after)
    texts = _with_todo_comments(draft, texts)
    report = markdown(draft, result, Path(name).name)
    install(root, slug, {**texts, "REVIEW.md": report}, draft.images, bib_path, bib_before, addition)
    new = [e for e in draft.entries if not e.existing]
    return Imported(f"content/cases/{slug}", draft, result, len(new), len(draft.entries) - len(new), report)


def _slug(title: str) -> str:
    """A folder name from the title: its first words, lower case, hyphenated."""
    words = ascii_words(title).split()
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > 50:
            break
        out = f"{out}-{word}" if out else word
    return out or "imported-case"


def _folder_problems(root: Path, slug: str, chosen: bool) -> list[Problem]:
    cases = root / "content" / "cases"
    if not cases.is_dir():
        return [Problem(Location("content/cases"), "no cases folder here", "run the import from the casebook's folder")]
    if not SLUG.match(slug):
        return [Problem(Location(f"content/cases/{slug}"), f"'{slug}' cannot be a case folder name (a web address)",
                        "use lowercase letters, digits and hyphens, e.g. CASE=calcinosis-knee")]
    if os.path.lexists(cases / slug):
        how = "choose another name with CASE=..." if chosen else "the article may be imported already; or choose another name with CASE=..."
        return [Problem(Location(f"content/cases/{slug}"), "the case folder already exists and is never overwritten", how)]
    return []


def _bib_index(bib: Bibliography) -> tuple[set[str], dict[str, str]]:
    """The .bib's keys (lower case), and its entries by DOI and PMID."""
    known: dict[str, str] = {}
    for chunk in bib.chunks.values():
        try:
            fields = bib.entry(chunk.key).fields
        except ContentError:  # an entry the build reports anyway; it cannot match
            continue
        for kind in ("doi", "pmid"):
            value = fields.get(kind, "").strip().lower()
            if value:
                known.setdefault(f"{kind}:{value}", chunk.key)
    return set(bib.chunks), known


def _other_tags(root: Path, slug: str) -> dict[str, tuple[str, str]]:
    """Tags of the casebook's other cases by their page name: a keyword spelled another way joins them."""
    tags: dict[str, tuple[str, str]] = {}
    for folder in sorted((root / "content" / "cases").iterdir()):
        case_file = folder / "case.yml"
        if folder.name == slug or not case_file.is_file():
            continue
        doc, _ = load_yaml(case_file, f"content/cases/{folder.name}/case.yml", root)
        listed = doc.data.get("tags", []) if isinstance(doc.data, dict) else []
        for tag in (t for t in listed if isinstance(t, str)):
            tags.setdefault(tag_slug(tag), (tag, folder.name))
    return tags


def _bib_addition(draft: Draft, source_name: str) -> str:
    source, *references = draft.entries
    parts = [f"% Imported with content/cases/{draft.slug}/ from {_safe(source_name)} (JATS XML): the source article, "
             "then its reference list.\n"]
    if not source.existing:
        parts.append(source.bibtex(f"The source article of content/cases/{draft.slug}."))
    for entry in references:
        if not entry.existing:
            unstructured = " Not structured in the article's XML: its whole text is the note." if entry.unstructured else ""
            parts.append(entry.bibtex(f"Reference {_safe(entry.label)} of {source.key}.{unstructured}"))
    return "\n" + "\n".join(parts)


def _safe(text: str) -> str:
    """One line of comment text (a file name may hold a line break)."""
    return " ".join(text.split())


def _texts(draft: Draft, source_name: str) -> dict[str, str]:
    header = f"# Imported from {_safe(source_name)} by `make import`: the article's words, verbatim. See REVIEW.md.\n"
    texts = {f"{stem}.yml": yaml_text(stem, data, header) for stem, data in draft.data.items()}
    for stem in {s for s, _, _ in draft.to_sort}:
        text = texts[f"{stem}.yml"]
        above = {position(text, path)[0]: comment for s, path, comment in draft.to_sort if s == stem}
        texts[f"{stem}.yml"] = with_comments(text, above, {})
    return texts


def _with_todo_comments(draft: Draft, texts: dict[str, str]) -> dict[str, str]:
    """'# TODO: …' at the end of each blank line the author must fill (the values are one-line '')."""
    out = dict(texts)
    for name in texts:
        stem = name[:-4]
        after = {}
        for (file_stem, path), what in draft.todo.items():
            if file_stem == stem:
                after[position(texts[name], path)[0]] = f"TODO: {_short(what)} (see REVIEW.md)"
        out[name] = with_comments(texts[name], {}, after)
    return out


def _short(what: str) -> str:
    """The first words of a review item, for a comment beside its field."""
    words = re.split(r" \(|: |; ", what)[0]
    return words if len(words) <= 60 else words[:60].rsplit(" ", 1)[0] + "…"


def _reference_checks(draft: Draft, bib_text: str) -> list[Check]:
    """References to look at, located in the .bib as it will be."""
    lines = {m.group(1).lower(): bib_text.count("\n", 0, m.start()) + 1
             for m in re.finditer(r"^[ \t]*@\w+[ \t]*\{[ \t]*([^,\s]+),", bib_text, re.MULTILINE)}
    checks = []
    source = draft.entries[0]
    for entry in draft.entries:
        where = f"{BIB}:{lines[entry.key.lower()]}" if entry.key.lower() in lines else BIB
        label = "the source article" if entry is source else f"reference {entry.label}"
        if entry.existing:
            checks.append(Check(where, f"{label} is already in {BIB} as '{entry.key}' (same DOI or PMID): cited with that key"))
        elif entry.unstructured:
            checks.append(Check(where, f"{label} is not structured in the article's XML: its whole text is the entry's "
                                       "note; give it its fields (author, title, journal, year...) from the note"))
        for field in differs(entry):
            checks.append(Check(where, f"{label}'s {field} could not be written exactly as the article prints it "
                                       f"('{entry.fields[field][:80]}'): check it"))
        if entry.retyped:
            checks.append(Check(where, f"declared a book in the XML, this reference {entry.retyped}: imported as "
                                       "a web page (@online, with the date it was accessed where the article gives it)"))
        if entry.title_case:
            checks.append(Check(where, "this reference's title is in Title Case in the article, and the site prints "
                                       "titles in sentence case: put braces around the names in it, which keeps their "
                                       "capitals (a {Paris} hospital)"))
        if entry.capital_after_stop:
            checks.append(Check(where, "this reference's title has a capitalised word after a colon or full stop, "
                                       "which the site prints in lower case, as Citing Medicine does: if it is a name, "
                                       "brace it ({India's})"))
        if entry.extra_citations:
            checks.append(Check(where, f"{label} holds {entry.extra_citations + 1} citations in the article; only the "
                                       "first was imported"))
    return checks
