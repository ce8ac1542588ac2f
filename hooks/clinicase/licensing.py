"""What a licence lets a case do with its source: adapt it, and use it commercially.

A NoDerivatives licence lets the site show a work only as it is, so a case that adapts or paraphrases its
text or captions needs the copyright holder's permission, recorded in the case. What a NonCommercial or a
NoDerivatives licence asks of whoever reuses the work travels with every page and download that reuses it:
a notice in the page's footer, and the licence's terms beside its name. The licences and what each allows
are data (schemas/vocabularies/licences.json); this module only applies them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .vocabularies import Licence, provenance

if TYPE_CHECKING:
    from .content import Case

ADAPTING = {"adapted", "paraphrased"}  # provenance that changes the source's words; quoting or writing anew does not
FieldPath = tuple  # a YAML field path, as Document.problem takes it


def adaptation_problems(case: Case) -> list[tuple[str, FieldPath, str, str]]:
    """(file, field, message, fix) for each adaptation a licence forbids and no recorded permission allows."""
    found = []
    source = case.source
    if not source.permission:
        parts = _adapting_parts(source.text_provenance, "text", "source.provenance.text") + [
            part for figure in case.figures if figure.licence is None
            for part in _adapting_parts(figure.caption_provenance or source.caption_provenance,
                                        f"caption of figure {figure.number}", "caption_provenance")]
        if problem := _forbidden(source.licence, parts, "source.permission"):
            found.append(("case", ("source", "licence"), *problem))
    for index, figure in enumerate(case.figures):
        if figure.licence and not figure.permission:
            parts = _adapting_parts(figure.caption_provenance or source.caption_provenance, "caption", "caption_provenance")
            if problem := _forbidden(figure.licence, parts, "permission"):
                found.append(("figures", ("figures", index, "licence"), *problem))
    return found


def _adapting_parts(kind: str, what: str, field: str) -> list[tuple[str, str]]:
    """[(what, how)] when this part of the case changes the source's words (or does not say whether it does)."""
    if kind in ADAPTING:
        return [(what, provenance()[kind]["label"].lower())]
    return [] if kind else [(what, f"not recorded (set {field})")]


def _forbidden(licence: Licence, parts: list[tuple[str, str]], permission_field: str) -> tuple[str, str] | None:
    if licence.permission:
        return (f"'{licence.id}' means the copyright holder's permission, and none is recorded",
                f"record who permitted this use, when and what they permitted, in `{permission_field}:`")
    if licence.adaptations or not parts:
        return None
    how = "; ".join(f"{what}: {kind}" for what, kind in parts)
    return (f"{licence.short} forbids adaptations (NoDerivatives: the work may only be shown as it is), "
            f"but this case changes its words ({how})",
            f"quote the source word for word and set provenance to quoted, or record the copyright holder's "
            f"permission to adapt it in `{permission_field}:`")


def noncommercial(licences: list[Licence]) -> list[Licence]:
    """The NonCommercial licences among these, each once."""
    return list({lic.id: lic for lic in licences if not lic.commercial and not lic.permission}.values())


def noderivatives(licences: list[Licence]) -> list[Licence]:
    """The NoDerivatives licences among these, each once: whoever reuses the page may not share it adapted,
    whatever permission the case itself recorded."""
    return list({lic.id: lic for lic in licences if not lic.adaptations and not lic.permission}.values())


def case_licences(case: Case) -> list[Licence]:
    """Every licence that the case's pages reuse material under: the source's and each figure's own."""
    return [case.source.licence] + [f.licence for f in case.figures if f.licence]


def licence_words(licence: Licence, permission: str = "") -> str:
    """The licence as plain text, as decks and downloads print it: name, address, what it does not allow and
    any permission."""
    words = f"{licence.label} ({licence.url})" if licence.url else licence.label
    terms = [term for term, applies in (("non-commercial use only", noncommercial([licence])),
                                        ("share unchanged: no adapted versions", noderivatives([licence]))) if applies]
    words += f": {'; '.join(terms)}" if terms else ""
    return f"{words}. Permission: {permission}" if permission else words


def licence_notice(licences: list[Licence]) -> str:
    """The footer notice of a page that reuses NonCommercial or NoDerivatives material (plain text), or ""."""
    notices = []
    if found := noncommercial(licences):
        notices.append(f"Non-commercial use only: material on this page is reused under "
                       f"{', '.join(lic.short for lic in found)}, which does not permit commercial use. Ask the "
                       f"copyright holder before any commercial reuse.")
    if found := noderivatives(licences):
        notices.append(f"No adapted versions: material on this page is reused under "
                       f"{', '.join(lic.short for lic in found)}, which permits sharing it only unchanged. Ask the "
                       f"copyright holder before sharing it edited, cut or translated.")
    return " ".join(notices)
