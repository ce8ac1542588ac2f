"""The review list: every place a person must still work on the draft, and where it is.

The draft is checked by the site's own validator, in a scratch copy of the project: once as written (each
blank field is a located problem the build will report), and once with every blank filled in, so that what
the build would report after them (a figure file that is not an image, a reference missing a field its
style needs under --strict) is listed too. The build then fails only with items of this list.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..bibliography import load_bibliography
from ..citations import find_citations
from ..content import load_casebook, strings
from ..errors import ContentError, Problem
from ..yaml_source import field_name
from .mapping import Check, Draft
from .writer import position, replaced

FILLER = {"sex": "not stated"}  # a value the schema accepts, for the second check only


@dataclass
class Review:
    must: list[tuple[Problem, str]]  # what the build reports, with what the importer asks there ('' if nothing)
    checks: list[Check]


def review(draft: Draft, texts: dict[str, str], bib_text: str) -> Review:
    first = _problems(draft, texts, bib_text)
    seen = {str(p) for p in first}
    later = [p for p in _problems(draft, _filled(draft, texts), bib_text, cited=True) if str(p) not in seen]
    asks = {(stem, field_name(path)): what for (stem, path), what in draft.todo.items()}
    must, places = [], set()
    for problem in first + later:  # a blank 'sex' is both blank and not in the list: one item
        place = (problem.location, problem.field or problem.message)
        if place not in places:
            places.add(place)
            must.append((problem, asks.get((Path(problem.location.file).stem, problem.field), "")))
    return Review(must, draft.checks)


def _problems(draft: Draft, texts: dict[str, str], bib_text: str, cited: bool = False) -> list[Problem]:
    """What the site's validator says of the draft in a scratch project (and, with `cited`, the warnings of
    the references the case cites, which --strict makes errors)."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        folder = root / "content" / "cases" / draft.slug
        folder.mkdir(parents=True)
        for name, text in texts.items():
            (folder / name).write_text(text, encoding="utf-8")
        for name, source in draft.images.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, folder / name)
        (root / "bibliography.bib").write_text(bib_text, encoding="utf-8")
        bib, problems = load_bibliography(root / "bibliography.bib", "bibliography.bib")
        if bib is None:
            return problems
        try:
            case = load_casebook(root, root / "content", bib).cases[0]
        except ContentError as error:
            return error.problems
        if not cited:
            return []
        keys = {case.source.cite} | {k for _, text in strings(draft.data)
                                     for g in find_citations(text)[0] for k in g.keys}
        return bib.field_warnings(keys)


def _filled(draft: Draft, texts: dict[str, str]) -> dict[str, str]:
    """The draft's files with every blank the author must fill given a value the schema accepts, in place, so
    that whatever else the validator finds is located where it is in the files as written."""
    filled = dict(texts)
    for (stem, path), _ in draft.todo.items():
        name = f"{stem}.yml"
        filled[name] = replaced(filled[name], position(filled[name], path), "''", FILLER.get(path[-1], "x"))
    return filled


def _grouped(checks: list[Check]) -> list[Check]:
    """One item per message: 'a formula was left out' in 24 places is one thing to check, at 24 places."""
    places: dict[str, list[str]] = {}
    for check in checks:
        places.setdefault(check.what, []).append(check.where)
    return [Check(where[0], what) if len(where) == 1 else
            Check(where[0], f"{what} (also at lines {', '.join(':'.join(w.rsplit(':', 2)[1:]) for w in where[1:])})")
            for what, where in places.items()]


def markdown(draft: Draft, result: Review, source_name: str) -> str:
    """REVIEW.md: what must be done (the build stops there), then what to check."""
    lines = [f"# Review before publishing: {draft.title}", "",
             f"Imported from `{source_name}` (JATS XML) by `make import`. The text, captions and references are the "
             "article's own words (`provenance: quoted`); the importer invents nothing, so what the article does not "
             "state is left for you. Edit the YAML files, then run `make serve`.", ""]
    lines += [f"## Must do: `make build` stops at each of these until it is done ({len(result.must)})", "",
              "`make serve` stops at those in the case's files, and shows those in bibliography.bib as warnings "
              "(the reference is printed without what is missing until then).", ""]
    lines += [f"{n}. `{p.location}`{' ' + p.field if p.field else ''} — {what or p.message + (' — ' + p.fix if p.fix else '')}"
              for n, (p, what) in enumerate(result.must, start=1)] or ["Nothing: the draft builds as it is."]
    checks = _grouped(result.checks)
    lines += ["", f"## Check ({len(checks)})", ""]
    lines += [f"{n}. {'`' + c.where + '` ' if c.where else ''}{c.what}" for n, c in enumerate(checks, start=1)] or ["Nothing."]
    return "\n".join(lines) + "\n"
