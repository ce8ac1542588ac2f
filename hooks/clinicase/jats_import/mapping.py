"""From the parsed article to the draft case: what goes in which file and field, and what is left to the author.

Nothing is invented or summarised. Text is the article's (provenance: quoted); a field the article does not
fill unambiguously is left blank with a note saying what to write, so the build stops there until a person
has written it: the patient's age, alt text, learning objectives. Sections a case report usually has go to
the discussion; the case presentation fills presentation.yml where its subheadings name one field each, and
what they do not is kept whole as a discussion section marked for the author to sort.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..content import tag_slug
from ..crossrefs import RESERVED_IDS
from ..files import path_problem
from ..images import MAX_IMAGE_BYTES
from ..vocabularies import licences
from ..yaml_source import MAX_STRING
from .licence import Permissions, licence_in
from .references import Entry, ascii_fold
from .text import Converter, Targets, escape, text_of
from .xml_source import Article

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")  # what images.py publishes
_FIG_WORD = re.compile(r"^\s*(?:fig(?:ure)?s?\.?)\s*", re.I)
_UNTITLED = {"ack": "acknowledgements", "app-group": "appendices", "app": "appendix", "bio": "biographies",
             "glossary": "glossary", "notes": "notes", "sec": "an untitled section"}  # back matter without a title
PLACEHOLDER = ""  # a field left for the author: blank, so the build stops at it until it is written


@lru_cache(maxsize=None)
def headings() -> dict:
    return json.loads((Path(__file__).parent / "headings.json").read_text(encoding="utf-8"))


def normalised(title: str) -> str:
    """'2.1. Case Presentation:' -> 'case presentation'."""
    text = title.lower().replace("’", "'").replace("&", "and")
    text = re.sub(r"^\s*(?:\d+(?:\.\d+)*|[ivx]+)[.)]?\s+", "", text)
    return " ".join(text.strip(" :.;-").split())


def _add_statement(ethics: dict[str, str], field: str, text: str) -> None:
    """A statement joins what the field already holds (a 'Consent' section after a 'Disclosures' one)."""
    if text and text not in ethics.get(field, ""):
        ethics[field] = " ".join(filter(None, [ethics.get(field), text]))


def _matches(title: str, names: list[str]) -> bool:
    """A heading names an entry, also numbered: 'Case 2', 'Case report II'."""
    text = normalised(title)
    return any(text == n or re.fullmatch(rf"{re.escape(n)}\s+(?:\d+|[ivx]+|[a-z])", text) for n in names)


@dataclass
class Check:
    """One thing for the author to check: where (a location in the draft or the XML) and what."""

    where: str
    what: str


@dataclass
class Draft:
    slug: str
    title: str
    data: dict[str, dict]  # file stem -> YAML data
    todo: dict[tuple[str, tuple], str] = field(default_factory=dict)  # (file stem, field path) -> what to write there
    to_sort: list[tuple[str, tuple, str]] = field(default_factory=list)  # (file stem, path, comment above it)
    checks: list[Check] = field(default_factory=list)
    images: dict[str, Path] = field(default_factory=dict)  # path in the case folder -> the file beside the XML
    entries: list[Entry] = field(default_factory=list)  # the source article first, then its references


class Mapper:
    def __init__(self, article: Article, permissions: Permissions, source: Entry, references: list[Entry],
                 slug: str, other_tags: dict[str, tuple[str, str]]):
        self.article = article
        self.permissions = permissions
        self.source = source
        self.other_tags = other_tags  # tag slug -> (spelling, case) in the casebook's other cases
        self.targets = Targets(ref_keys={r.rid: r.key for r in references if r.rid},
                               ref_order=[r.rid for r in references],
                               ref_labels={r.label: r.rid for r in references if r.label})
        self.convert = Converter(self.targets)
        self.draft = Draft(slug, text_of(article.root.find("front/article-meta/title-group/article-title")), {},
                           entries=[source, *references])
        self.section_ids: set[str] = set()
        self.ids: dict[ET.Element, str] = {}  # top-level <sec> -> its discussion section's id

    def check(self, element: ET.Element | None, what: str) -> None:
        self.draft.checks.append(Check(str(self.article.where(element)), what))

    def adapting(self) -> str:
        """What shortening the article's words asks of the author, under its licence."""
        licence = licences()[self.permissions.licence]
        if licence.adaptations or licence.permission:
            return "then set source.provenance.text to adapted"
        return (f"then set source.provenance.text to adapted and record the copyright holder's permission in "
                f"source.permission: {licence.short} forbids adaptations")

    def todo(self, stem: str, path: tuple, what: str) -> str:
        self.draft.todo[(stem, path)] = what
        return PLACEHOLDER

    def draft_case(self) -> Draft:
        body, back = self.article.root.find("body"), self.article.root.find("back")
        top = [s for s in body if s.tag == "sec"] if body is not None else []
        figures = self._figures()
        self._name_sections(top)
        discussion, presentation, ethics, others, skipped = [], {}, {}, [], []
        loose = [b for e in (body if body is not None else []) if e.tag != "sec" for b in self.convert.blocks(e)]
        if loose:  # an article body without sections
            discussion.append({"id": self._section_id(""), "title": PLACEHOLDER, "body": "\n\n".join(loose)})
        for sec in top:
            kind = self._kind(sec)
            if kind == "case":
                discussion += self._case_presentation(sec, presentation, len(discussion))
            elif kind.startswith("ethics:"):
                self._ethics(sec, kind[7:], ethics)
            elif kind == "skip":
                skipped.append(sec)
            else:
                others += [sec] if kind == "other" else []
                discussion += self._discussion_sections(sec)
        for part in back if back is not None else []:  # the reference list and footnotes are read elsewhere
            kind = self._kind(part) if part.tag in {"sec", "notes"} else "skip"
            if kind.startswith("ethics:"):
                self._ethics(part, kind[7:], ethics)
            elif part.tag in {"sec", "notes", "ack", "app-group", "app", "glossary", "bio"}:
                skipped.append(part)
        ethics = {k: v for k, v in {**self._ethics_footnotes(), **ethics}.items() if v}
        if not ethics:
            self.check(None, "case.yml ethics: the article has no approval, consent, funding or conflicts statement "
                             "under a heading the importer knows; add those it states, in its words")
        self._report_sections(others, skipped, any(self._kind(s) == "case" for s in top))
        self._report_tables()
        data = self.draft.data
        data["case"] = self._case_yml(ethics)
        data["presentation"] = self._presentation_yml(presentation)
        for index, section in enumerate(discussion):
            if not section["title"]:
                self.todo("discussion", ("sections", index, "title"), "a title for this section (the article gives none)")
        data["discussion"] = {"sections": discussion or [self._empty_section()]}
        if figures:
            data["figures"] = {"figures": figures}
        for element, note in self.targets.notes:
            self.check(element, note)
        return self.draft

    # --- sections ----------------------------------------------------------------------

    def _kind(self, sec: ET.Element) -> str:
        """case, discussion, ethics:<field>, skip (not imported) or other, from the heading or the sec-type."""
        title, sec_type = text_of(sec.find("title")), (sec.get("sec-type") or "").lower()
        words = headings()
        if _matches(title, words["case"]) or sec_type in words["sec_types"]["case"]:
            return "case"
        for name, titles in words["ethics"].items():
            if _matches(title, titles):
                return f"ethics:{name}"
        if _matches(title, words["ethics_gathering"]):
            return "ethics:"  # statements of several kinds ('Declarations'): each part names its own
        if _matches(title, words["not_imported"]) or sec_type in {"supplementary-material", "display-objects"}:
            return "skip"
        if _matches(title, words["discussion"]) or sec_type in words["sec_types"]["discussion"]:
            return "discussion"
        return "other"

    def _name_sections(self, top: list[ET.Element]) -> None:
        """Ids for the sections that become discussion sections, before any text is converted: a reference
        may point ahead. A reference into a subsection links the section that holds it."""
        for sec in top:
            kind = self._kind(sec)
            if kind in {"discussion", "other", "case"}:
                self.ids[sec] = self._section_id(text_of(sec.find("title")))
            for inner in sec.iter("sec") if kind in {"discussion", "other"} else []:
                if inner.get("id"):
                    self.targets.sections[inner.get("id")] = self.ids[sec]

    def _section_id(self, title: str) -> str:
        base = "sec-" + (re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", ascii_words(title))).strip("-")[:40].strip("-")
                         or "section")
        sid, n = base, 2
        while sid in self.section_ids or sid in RESERVED_IDS:
            sid, n = f"{base}-{n}", n + 1
        self.section_ids.add(sid)
        return sid

    def _discussion_sections(self, sec: ET.Element, title: str | None = None, sid: str = "") -> list[dict]:
        """One section, its subsections as headings in its body; one section per subsection instead when
        the whole would pass the site's limit for one text."""
        title = text_of(sec.find("title")) if title is None else title
        sid = sid or self.ids.get(sec) or self._section_id(title)
        body = self._body(sec, level=3)
        if not body:
            self.check(sec, f"the section '{title}' has no text to import (only figures, tables or files)")
            return []
        if len(body) <= MAX_STRING:
            return [{"id": sid, "title": title, "body": body}]
        own = "\n\n".join(b for child in sec if child.tag not in {"sec", "title", "label"} for b in self.convert.blocks(child))
        out = [{"id": sid, "title": title, "body": own}] if own else []
        for child in (c for c in sec if c.tag == "sec"):
            out += self._discussion_sections(child)
        self.check(sec, f"the section '{title}' is longer than one text may be ({MAX_STRING:,} characters), so each of "
                        "its subsections is a section of its own")
        return out

    def _body(self, sec: ET.Element, level: int) -> str:
        blocks = []
        for child in sec:
            if child.tag == "sec":
                heading = escape(text_of(child.find("title")))
                inner = self._body(child, level + 1)
                blocks += ([f"{'#' * min(level, 6)} {heading}"] if heading else []) + ([inner] if inner else [])
            elif child.tag not in {"title", "label"}:
                blocks += self.convert.blocks(child)
        return "\n\n".join(blocks)

    def _empty_section(self) -> dict:
        return {"id": self._section_id("discussion"),
                "title": self.todo("discussion", ("sections", 0, "title"), "the article has no body text to import: "
                                   "write the discussion, or copy it from the article (then set provenance to match)"),
                "body": self.todo("discussion", ("sections", 0, "body"), "the discussion's text")}

    def _case_presentation(self, sec: ET.Element, fields: dict, index: int) -> list[dict]:
        """Subsections whose heading names one presentation field fill it; the rest stays one section of
        the discussion, marked to be sorted by the author."""
        unsorted = ET.Element("sec")
        unsorted.append(sec.find("title") if sec.find("title") is not None else ET.Element("title"))
        for child in sec:
            name = self._presentation_field(child) if child.tag == "sec" else ""
            if name:
                self._fill(fields, name, child)
            elif child.tag not in {"title", "label"}:
                unsorted.append(child)
        if len(unsorted) == 1:
            return []
        sections = self._discussion_sections(unsorted, text_of(sec.find("title")), self.ids.get(sec, ""))
        for offset, section in enumerate(sections):
            self.draft.to_sort.append(("discussion", ("sections", index + offset),
                                       "TO SORT: the article's case presentation, as it stands. Move each part into "
                                       "presentation.yml (history, examination, investigations...), then delete this section."))
        self.check(sec, f"the case presentation '{text_of(sec.find('title'))}' has text the importer could not sort "
                        "into presentation.yml by its headings: it is the discussion section marked TO SORT; move each "
                        "part into its presentation field, in the article's words, then delete the section")
        return sections

    def _presentation_field(self, sec: ET.Element) -> str:
        title = text_of(sec.find("title"))
        found = [name for name, titles in headings()["presentation"].items() if _matches(title, titles)]
        return found[0] if len(found) == 1 else ""

    def _fill(self, fields: dict, name: str, sec: ET.Element) -> None:
        title = text_of(sec.find("title"))
        own = [b for child in sec if child.tag not in {"sec", "title", "label"} for b in self.convert.blocks(child)]
        subsections = [(text_of(s.find("title")), self._body(s, level=4)) for s in sec if s.tag == "sec"]
        if name == "investigations":
            items = ([{"test": title, "finding": "\n\n".join(own)}] if own else []) + \
                [{"test": t or title, "finding": b} for t, b in subsections if b]
            fields.setdefault(name, []).extend(items)
            return
        blocks = own + [f"**{escape(t)}** {b}" if t else b for t, b in subsections if b]
        if name in {"examination", "management", "follow_up"}:  # a list's items are items of the field
            fields.setdefault(name, []).extend(i for b in blocks for i in (_list_items(b) or [b]))
        elif blocks:
            fields[name] = "\n\n".join(filter(None, [fields.get(name, ""), *blocks]))

    def _ethics(self, sec: ET.Element, field: str, ethics: dict[str, str]) -> None:
        """An ethics section into case.yml's ethics. A section whose heading gathers several statements
        ('Disclosures', 'Declarations'; `field` is '' when the heading names no one statement) is split: each
        paragraph, list or subsection goes to the field its own heading or words name, so that a consent
        statement is not printed under 'Conflicts of interest'. Any other section goes whole to its field."""
        parts = [child for child in sec if child.tag not in {"title", "label"}] or [sec]
        gathering = _matches(text_of(sec.find("title")), headings()["ethics_gathering"])
        statements = [self._statement(part) for part in parts] if gathering else []
        if field and not any(name for name, _ in statements):
            _add_statement(ethics, field, " ".join(self.convert.blocks(sec)))
            return
        for (name, text), part in zip(statements, parts):
            if name == "skip":
                self.check(part, f"not imported, as a teaching case does not need it: '{text_of(part)[:60]}'")
            elif name == "unknown" or not (name or field):
                self.check(part, f"not imported: it names no ethics statement the importer knows "
                                 f"('{text_of(part)[:60]}'); if it is one, add it to case.yml ethics")
            else:
                _add_statement(ethics, name or field, text)
        self.check(sec, f"the section '{text_of(sec.find('title'))}' gathers several statements: each was put in the "
                        "case.yml ethics field its own heading or words name; check them")

    def _statement(self, part: ET.Element) -> tuple[str, str]:
        """(ethics field; 'skip' for a heading not imported, 'unknown' for a heading that names no statement, ''
        for words that name none; the part as text) of one statement: a paragraph or list ('Funding: …') or a
        subsection (its title)."""
        words = headings()
        pieces = [item for item in part if item.tag == "list-item"] if part.tag == "list" else [part]
        text = " ".join(block for piece in pieces for block in self.convert.blocks(piece))  # one line, as case.yml's
        if part.tag == "sec":
            kind = self._kind(part)
            return (kind[7:] if kind.startswith("ethics:") else "skip" if kind == "skip" else "unknown"), text
        label = re.match(r"([^:.]{3,60}):\s", text_of(part))
        if label and _matches(label.group(1), words["not_imported"]):
            return "skip", text
        for name, titles in words["ethics"].items():
            if label and _matches(label.group(1), titles):
                return name, text
        plain = normalised(text_of(part))
        named = next((name for name, phrases in words["ethics_phrases"].items() if any(p in plain for p in phrases)), "")
        return named or ("unknown" if label else ""), text

    def _ethics_footnotes(self) -> dict[str, str]:
        found = {}
        for name, kinds in headings()["ethics_footnotes"].items():
            for fn in self.article.root.iter("fn"):
                if (fn.get("fn-type") or "").lower() in kinds:
                    found.setdefault(name, " ".join(self.convert.blocks(fn)))
        statement = next(iter(self.article.root.iter("funding-statement")), None)
        if statement is not None and "funding" not in found:
            found["funding"] = " ".join(self.convert.blocks(statement)) or text_of(statement)
        return {k: v for k, v in found.items() if v}

    def _report_sections(self, others: list[ET.Element], skipped: list[ET.Element], case: bool) -> None:
        article_type = self.article.root.get("article-type", "")
        if article_type not in {"case-report", "case-reports", ""}:
            self.check(self.article.root, f"the article is a {article_type}, not a case report: its sections are "
                                          "discussion sections and presentation.yml is left for you to write")
        elif not case:
            self.check(None, "no section of the article is headed as a case presentation: presentation.yml is left "
                             "for you to write, from the article's words")
        if others:
            names = ", ".join(f"'{text_of(s.find('title'))}'" for s in others)
            self.check(others[0], f"sections a case report does not usually have ({names}) were imported as discussion "
                                  f"sections: keep, shorten ({self.adapting()}) or delete them")
        if skipped:
            titles = ", ".join(f"'{text_of(s.find('title')) or _UNTITLED.get(s.tag, s.tag)}'" for s in skipped)
            self.check(skipped[0], f"not imported, as a teaching case does not need them: {titles}")

    def _report_tables(self) -> None:
        for table in self.article.root.iter("table-wrap"):
            label = text_of(table.find("label")).rstrip(".:") or "a table"
            caption = text_of(table.find("caption"))[:80]
            self.check(table, f"{label} ('{caption}') was not imported: a case has no place for the article's "
                              "tables; put what matters in the text, in the article's words")
        supplementary = list(self.article.root.iter("supplementary-material"))
        if supplementary:
            self.check(supplementary[0], f"{len(supplementary)} supplementary file(s) were not imported")

    # --- figures -----------------------------------------------------------------------

    def _figures(self) -> list[dict]:
        """figures.yml, in the article's order; ids from the labels ('Figure 2' -> fig-2)."""
        found, ids = [], set()
        for number, fig in enumerate(_figures_in(self.article.root), start=1):
            label = text_of(fig.find("label"))
            shown = _FIG_WORD.sub("", label).rstrip(".: ") if label else ""
            base = "fig-" + (re.sub(r"[^a-z0-9]+", "-", ascii_words(shown)).strip("-") or str(number))
            fid, n = base, 2
            while fid in ids:
                fid, n = f"{base}-{n}", n + 1
            ids.add(fid)
            found.append((fig, fid))
            if fig.get("id"):
                self.targets.figures[fig.get("id")] = (fid, shown)
        return [self._figure(index, fig, fid) for index, (fig, fid) in enumerate(found)]

    def _figure(self, index: int, fig: ET.Element, fid: str) -> dict:
        path = ("figures", index)
        caption = fig.find("caption")
        title = self.convert.inline(caption.find("title")) if caption is not None else ""
        paragraphs = [b for p in caption if p.tag == "p" for b in self.convert.blocks(p)] if caption is not None else []
        words = " ".join(paragraphs)
        text = f"**{title}** {words}" if title and words else title or words
        label = text_of(fig.find("label")).rstrip(".:") or f"figure {index + 1}"
        alt = text_of(fig.find(".//alt-text"))
        figure = {
            "id": fid,
            "caption": text or self.todo("figures", (*path, "caption"), f"{label} has no caption in the article: "
                                         "write one, and say so with caption_provenance: written-for-this-site"),
            "shows": self.todo("figures", (*path, "shows"), f"what {label} shows, in a sentence, from the article's text"),
            "alt": alt or self.todo("figures", (*path, "alt"), f"alt text for {label}: describe what the image shows for "
                                    "someone who cannot see it (the importer never writes it)"),
            "teaching_point": self.todo("figures", (*path, "teaching_point"), f"the teaching point of {label}"),
        }
        self._figure_image(figure, fig, label, self._figure_permissions(fig, label))
        return figure

    def _figure_image(self, figure: dict, fig: ET.Element, label: str, own_licence: str) -> None:
        """The image, when its file is beside the XML and is a type the site publishes; else the placeholder."""
        graphic = fig.find(".//graphic")
        href = (graphic.get("href") or "") if graphic is not None else ""
        if not href:
            return
        if Path(href).name != href or href.startswith(".") or ":" in href:
            self.check(graphic, f"{label}'s image is named '{href[:80]}', not a file beside the XML: nothing was fetched, "
                                "and the figure shows the placeholder until you add the image")
            return
        folder = self.article.path.parent
        files = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
        stem = href.lower()
        usable = next((files[n] for n in [stem + s for s in IMAGE_TYPES] + [stem] if n in files
                       and files[n].suffix.lower() in IMAGE_TYPES), None)
        if usable is None:
            other = next((files[n] for n in [stem, stem + ".tif", stem + ".tiff"] if n in files), None)
            if other is not None:
                self.check(graphic, f"{label}'s image {other.name} is not a type browsers show: save it as PNG or "
                                    "JPEG in the case folder and add image:, credit: and licence:")
            return
        wrong = path_problem(usable, folder, max_bytes=MAX_IMAGE_BYTES)  # a link out of the folder, a pipe, a huge file
        if wrong:
            self.check(graphic, f"{label}'s image {usable.name} was not copied: it {wrong}")
            return
        name = "images/" + re.sub(r"[^a-z0-9._-]+", "-", usable.name.lower())
        self.draft.images[name] = usable
        figure.update({"image": name, "credit": self._credit(fig), "licence": own_licence or self.permissions.licence})
        self.check(graphic, f"{label}: the image {usable.name} was copied to {name}; its credit ('{figure['credit']}') "
                            f"and licence ({figure['licence']}) are the article's unless the figure states its own: "
                            "check both before publishing")

    def _figure_permissions(self, fig: ET.Element, label: str) -> str:
        """The licence a figure states for itself ('' if none), and a check for the author either way."""
        own = fig.find("permissions")
        if own is None:
            return ""
        found, _ = licence_in(own)
        self.check(own, f"{label} states its own permissions ('{text_of(own)[:200]}'): check you may show it"
                        + ("" if found else "; it names no licence this site knows, so keep the placeholder or ask the holder"))
        return found

    def _credit(self, fig: ET.Element) -> str:
        attribution = text_of(fig.find(".//attrib"))
        if attribution:
            return attribution
        people = self.source.persons.get("author", [])
        who = (people[0].family + (" et al." if len(people) > 1 else "")) if people else ""
        return ", ".join(filter(None, [who, " ".join(filter(None, [self.source.fields.get("journal", ""),
                                                                   self.source.fields.get("year", "")]))])) or "the source article"

    # --- case.yml and presentation.yml --------------------------------------------------------

    def _case_yml(self, ethics: dict) -> dict:
        meta = self.article.root.find("front/article-meta")
        keywords = [text_of(k) for k in meta.iter("kwd")] if meta is not None else []
        keywords = list(dict.fromkeys(k for k in keywords if k))
        subjects = [text_of(s) for g in (meta.iter("subj-group") if meta is not None else [])
                    if (g.get("subj-group-type") or "").lower() != "heading" for s in g.findall("subject")]
        hint = f" (the article lists these subjects: {', '.join(subjects[:6])})" if subjects else ""
        licence = self.permissions.licence
        source = {"cite": self.source.key}
        doi = self.source.fields.get("doi", "")
        if re.fullmatch(r"10\.\d{4,9}/[^\s\"'<>`]+", doi):
            source["url"] = "https://doi.org/" + doi
        source["provenance"] = {"text": "quoted", "captions": "quoted"}
        source["licence"] = licence
        if licences()[licence].permission:
            source["permission"] = self.todo("case", ("source", "permission"), "who permitted this use, when, and what "
                                             "they permitted (used-with-permission needs it)")
        source["copyright"] = self.permissions.statement or self.todo("case", ("source", "copyright"),
                                                                      "the article's copyright statement, as printed")
        self._licence_checks(licence)
        return {
            "title": self.draft.title or self.todo("case", ("title",), "the article's title"),
            "summary": self._abstract() or self.todo("case", ("summary",), "a one-line summary (the article has no abstract)"),
            "keywords": keywords or [self.todo("case", ("keywords", 0), "a keyword (the article lists none)")],
            "specialty": self.todo("case", ("specialty",), "the specialty this case teaches" + hint),
            "tags": self._tags(keywords) or [self.todo("case", ("tags", 0), "a tag for the casebook's tag pages")],
            "learner_level": self.todo("case", ("learner_level",), "who the case is written for, e.g. 'Medical students'"),
            "objectives": [self.todo("case", ("objectives", 0), "learning objectives, each starting with a verb (the "
                                     "article does not state them: write them yourself)")],
            "source": source,
            "ethics": ethics,
        }

    def _abstract(self) -> str:
        meta = self.article.root.find("front/article-meta")
        abstracts = list(meta.iter("abstract")) if meta is not None else []
        abstract = next((a for a in abstracts if not a.get("abstract-type")), abstracts[0] if abstracts else None)
        if abstract is None:
            return ""
        parts = []
        for child in abstract:
            if child.tag == "sec":
                title, words = escape(text_of(child.find("title"))), " ".join(self.convert.blocks(child))
                parts.append(f"**{title}** {words}" if title else words)
            elif child.tag not in {"title", "label"}:
                parts += self.convert.blocks(child)
        self.check(abstract, "case.yml summary holds the article's whole abstract (quoted); the home page card shows "
                             f"it: shorten it to a line if you like ({self.adapting()})")
        return "\n\n".join(p for p in parts if p)

    def _tags(self, keywords: list[str]) -> list[str]:
        """Keywords as tags, spelled as the casebook already spells them (two spellings would share a page)."""
        tags, seen = [], set()
        for keyword in keywords:
            slug = tag_slug(keyword)
            if not slug or slug == "index" or slug in seen:
                continue
            seen.add(slug)
            spelled, case = self.other_tags.get(slug, (keyword, ""))
            if spelled != keyword:
                self.check(None, f"the keyword '{keyword}' is the tag '{spelled}' here, as case '{case}' spells it")
            tags.append(spelled)
        return tags

    def _licence_checks(self, licence_id: str) -> None:
        licence = licences()[licence_id]
        where = self.permissions.element
        for note in self.permissions.notes:
            self.check(where, note)
        if not licence.adaptations and not licence.permission:
            self.check(where, f"the article's licence ({licence.short}) forbids adaptations: the draft quotes it word "
                              "for word. Cutting, sorting into fields or rewriting is yours to judge; if you adapt the text "
                              "or captions, set provenance to adapted and record the copyright holder's permission in "
                              "source.permission, or the build stops")
        if not licence.commercial:
            self.check(where, f"the article's licence ({licence.short}) is non-commercial: every page reusing this case "
                              "carries a non-commercial notice; do not use it where that is not allowed")

    def _presentation_yml(self, found: dict) -> dict:
        todo = self.todo
        fields = {
            "patient": {"age": todo("presentation", ("patient", "age"), "the patient's age as the article gives it, "
                                    "e.g. '15 years' (if it gives none: `{not_stated: true}`; the importer never "
                                    "reads it out of the text)"),
                        "sex": todo("presentation", ("patient", "sex"), "female, male or not stated, as the article says")},
            "presenting_complaint": {"complaint": found.get("presenting_complaint") or todo(
                "presentation", ("presenting_complaint", "complaint"), "the presenting complaint, in the article's words")},
            "history": {"summary": found.get("history") or todo("presentation", ("history", "summary"),
                                                                "the history, in the article's words")},
        }
        if found.get("examination"):
            fields["examination"] = found["examination"]
        fields["investigations"] = found.get("investigations") or [{
            "test": todo("presentation", ("investigations", 0, "test"), "an investigation the article reports"),
            "finding": todo("presentation", ("investigations", 0, "finding"), "its finding, in the article's words")}]
        fields["diagnosis"] = found.get("diagnosis") or todo("presentation", ("diagnosis",), "the diagnosis, as the article states it")
        fields["management"] = found.get("management") or [todo("presentation", ("management", 0),
                                                                "the management, in the article's words")]
        if found.get("follow_up"):
            fields["follow_up"] = found["follow_up"]
        return fields


def _list_items(block: str) -> list[str]:
    """The items of a Markdown list block this importer wrote ('- a\n- b' -> ['a', 'b']); [] for other text."""
    lines = block.split("\n")
    if not all(re.match(r"(- |\d+\. |    )", line) for line in lines):
        return []
    items: list[str] = []
    for line in lines:
        if line.startswith("    ") and items:
            items[-1] += "\n" + line
        else:
            items.append(re.sub(r"^(- |\d+\. )", "", line))
    return items


def _figures_in(root: ET.Element):
    """Every <fig> in the article's order, except those of supplementary files."""
    stack = [root]
    while stack:
        element = stack.pop()
        if element.tag == "fig":
            yield element
        if element.tag not in {"supplementary-material", "ref-list"}:
            stack.extend(reversed(list(element)))


def ascii_words(text: str) -> str:
    """A title as lower-case ASCII words, for ids and folder names: 'Café au lait, 2′' -> 'cafe au lait 2'."""
    return " ".join(ascii_fold(w) for w in re.split(r"[^\w]+|_", text) if ascii_fold(w))
