"""The site-wide glossary: load it, link terms in rendered pages, and list them.

Linking works on each page's finished HTML, where headings, links and code
are plain to see: a term is linked once per page, at its first use, never
inside a heading, link, code, figure drawing, quiz label, citation or
another term. Each link carries an accessible preview (role="tooltip",
shown on hover and keyboard focus by CSS) of the definition, with its
citations as author-year, since the glossary's numbers belong to its own page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .bibliography import Bibliography
from .citations import find_citations
from .content import schema_problems, text_problems
from .crossrefs import find_crossrefs
from .errors import ContentError, relative_name
from .markup import escape, markdown_html
from .yaml_source import load_yaml

GLOSSARY_FILE = "glossary.yml"
NO_LINKS_INSIDE = {"h1", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "kbd", "script", "style", "svg", "label",
                   "summary", "legend", "button", "abbr", "dfn", "title", "textarea"}
NO_LINKS_IN_CLASS = {"citation", "reference", "reference-list", "term", "glossary-used-on", "cited-in", "headerlink"}


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str
    abbreviation: str = ""
    synonyms: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        return f"{self.term} ({self.abbreviation})" if self.abbreviation else self.term


@dataclass
class Glossary:
    terms: list[Term]
    tips: dict[str, str]  # term id -> preview HTML
    used_on: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # term id -> [(page title, src_uri)]
    _pattern: re.Pattern | None = None

    @property
    def pattern(self) -> re.Pattern:
        """One alternation, longest forms first; abbreviations keep their capitals, words ignore case."""
        if self._pattern is None:
            forms = []
            for number, term in enumerate(self.terms):
                forms += [(len(w), number, f"(?i:{_words(w)})") for w in (term.term, *term.synonyms)]
                if term.abbreviation:
                    forms.append((len(term.abbreviation), number, re.escape(term.abbreviation)))
            ordered = sorted(forms, key=lambda f: -f[0])
            groups = [f"(?P<t{n}_{k}>{rx}(?:e?s)?)" for k, (_, n, rx) in enumerate(ordered)]
            self._pattern = re.compile(r"(?<![\w-])(?:" + "|".join(groups) + r")(?![\w-])") if groups else re.compile("(?!)")
        return self._pattern

    def term_of(self, match: re.Match) -> Term:
        return self.terms[int(match.lastgroup[1:].split("_")[0])]


def _words(text: str) -> str:
    return r"['’]".join(r"\s+".join(re.escape(w) for w in part.split()) for part in re.split(r"['’]", text))


# --- loading ------------------------------------------------------------------------

def load_glossary(root: Path, content_dir: Path, bibliography: Bibliography) -> Glossary:
    """The glossary (an empty one if the file is absent), or a ContentError."""
    path = content_dir / GLOSSARY_FILE
    if not path.is_file():
        return Glossary([], {})
    doc, problems = load_yaml(path, relative_name(path, root))
    problems = problems or schema_problems(doc, "glossary")
    if problems:
        raise ContentError(problems)
    terms, seen_ids, seen_forms = [], {}, {}
    for index, raw in enumerate(doc.data["terms"]):
        term = Term(raw["id"], raw["term"], raw["definition"], raw.get("abbreviation", ""), tuple(raw.get("synonyms", [])))
        path_of = ("terms", index)
        if term.id in seen_ids:
            problems.append(doc.problem((*path_of, "id"), f"duplicate id '{term.id}' (also term {seen_ids[term.id]})",
                                        "give each term its own id"))
        seen_ids.setdefault(term.id, index + 1)
        for form in (term.term, *term.synonyms, term.abbreviation):
            if form and form.lower() in seen_forms:
                problems.append(doc.problem(path_of, f"'{form}' is already a form of '{seen_forms[form.lower()]}'",
                                            "a word can link to one term only: remove it here or there"))
            seen_forms.setdefault(form.lower(), term.term)
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
    text, last, out = term.definition, 0, []
    for group in find_citations(text)[0]:
        out += [text[last:group.start], "(" + "; ".join(bibliography.short(k) for k in group.keys) + ")"]
        last = group.end
    plain = " ".join(("".join(out) + text[last:]).split()).replace("&", "&amp;").replace("<", "&lt;")
    html = markdown_html(plain)
    return f"<strong>{escape(term.heading)}</strong> " + re.sub(r"^<p>|</p>$", "", html)


# --- the Glossary page ------------------------------------------------------------------

def glossary_page(glossary: Glossary, md: Callable[[str], str]) -> str:
    """Markdown for the Glossary page: terms A-Z under letter headings; "Used on" filled in after linking."""
    parts = ["# Glossary", "Terms are linked on their first use on each page; hover over or focus a linked term "
             "to preview its definition. Definitions that state a clinical fact cite their source."]
    letter = ""
    for term in glossary.terms:
        if term.term[0].upper() != letter:
            letter = term.term[0].upper()
            parts.append(f"## {letter}")
        also = f"\n\n*Also:* {escape(', '.join(term.synonyms))}" if term.synonyms else ""
        parts.append(f"### {md(term.heading)} {{#term-{term.id}}}\n\n{md(term.definition)}{also}\n\n"
                     f'<div class="glossary-used-on" data-term="{term.id}"></div>')
    return "\n\n".join(parts) + "\n"


def fill_used_on(html: str, glossary: Glossary, href: Callable[[str], str]) -> str:
    """Replace each term's placeholder with links to the pages that use it."""
    def used_on(match: re.Match) -> str:
        pages = glossary.used_on.get(match.group(1), [])
        if not pages:
            return '<p class="glossary-used-on">Not used on any page yet.</p>'
        links = ", ".join(f'<a href="{escape(href(uri))}">{escape(title)}</a>' for title, uri in pages)
        return f'<p class="glossary-used-on">Used on: {links}</p>'
    return re.sub(r'<div class="glossary-used-on" data-term="([a-z0-9-]+)"></div>', used_on, html)


# --- linking ------------------------------------------------------------------------------

_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][\w:-]*)")
_CLASS = re.compile(r"""\sclass=["']([^"']*)["']""")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def link_terms(html: str, glossary: Glossary, *, page: str, title: str, href: str) -> str:
    """Link each term's first use on the page to `href#term-id`, and remember the page used it.

    The page is walked tag by tag with a stack (MkDocs' HTML is well formed), which costs a
    fraction of building a tree; text inside a no-link element or class is left alone.
    """
    if not glossary.terms:
        return html
    out, linked, stack, skipping, last = [], set(), [], 0, 0
    for tag in _TAG.finditer(html):
        text = html[last:tag.start()]
        out += [text if skipping or not text.strip() else _link_text(text, glossary, linked, href), tag.group(0)]
        last = tag.end()
        name = _TAG_NAME.match(tag.group(0))
        if not name or tag.group(0).endswith("/>") or name.group(2).lower() in _VOID:
            continue
        closing, element = name.group(1), name.group(2).lower()
        if closing:
            while stack:  # pop to the matching element, forgiving a stray one
                opened, skips = stack.pop()
                skipping -= skips
                if opened == element:
                    break
        else:
            classes = set(_CLASS.search(tag.group(0)).group(1).split()) if _CLASS.search(tag.group(0)) else set()
            skips = element in NO_LINKS_INSIDE or bool(NO_LINKS_IN_CLASS & classes)
            stack.append((element, skips))
            skipping += skips
    text = html[last:]
    out.append(text if skipping or not text.strip() else _link_text(text, glossary, linked, href))
    for term_id in linked:
        pages = glossary.used_on.setdefault(term_id, [])
        if (title, page) not in pages:
            pages.append((title, page))
    return "".join(out) if linked else html


def _link_text(text: str, glossary: Glossary, linked: set[str], href: str) -> str:
    """One run of (already escaped) text, with the first use of each term not yet linked on the page."""
    out, last = [], 0
    for match in glossary.pattern.finditer(text):
        term = glossary.term_of(match)
        if term.id in linked:
            continue
        linked.add(term.id)
        tip = f"term-{term.id}-tip"
        out += [text[last:match.start()],
                f'<span class="term"><a class="term-link" href="{escape(href)}#term-{term.id}" aria-describedby="{tip}">'
                f'{match.group(0)}</a><span class="term-tip" role="tooltip" id="{tip}">{glossary.tips[term.id]}</span></span>']
        last = match.end()
    return "".join(out) + text[last:]
