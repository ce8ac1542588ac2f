"""The site-wide glossary: link its terms in rendered pages, and list them (content.py loads it).

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
from typing import Callable, Iterator

from .markup import escape, inert

NO_LINKS_INSIDE = {"h1", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "kbd", "script", "style", "svg", "label",
                   "summary", "legend", "button", "abbr", "dfn", "title", "textarea"}
NO_LINKS_IN_CLASS = {"citation", "reference", "reference-list", "term", "glossary-used-on", "cited-in", "headerlink",
                     "cb-reuse", "cb-no-terms"}  # cb-no-terms: the unfolding case, where a definition could give it away


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str
    abbreviation: str = ""
    synonyms: tuple[str, ...] = ()
    from_case: str = ""  # folder name of the case whose article the definition is taken from

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
            forms = []  # (length, term number, form as it is written, its regular expression)
            for number, term in enumerate(self.terms):
                forms += [(len(w), number, w, f"(?i:{_words(w)})") for w in (term.term, *term.synonyms)]
                if term.abbreviation:
                    forms.append((len(term.abbreviation), number, term.abbreviation, re.escape(term.abbreviation)))
            by_first: dict[str, list[str]] = {}  # a word start tries only the forms that begin with its letter
            for k, (_, n, written, rx) in enumerate(sorted(forms, key=lambda f: -f[0])):
                by_first.setdefault(written[0].lower(), []).append(f"(?P<t{n}_{k}>{rx}(?:e?s)?)")
            firsts = {c: re.escape(c + c.upper()) for c in by_first}
            branches = [f"(?=[{firsts[c]}])(?:{'|'.join(alternatives)})" for c, alternatives in by_first.items()]
            self._pattern = (re.compile(rf"(?=[{''.join(firsts.values())}])(?<![\w-])(?:{'|'.join(branches)})(?![\w-])")
                             if forms else re.compile("(?!)"))
        return self._pattern

    def term_of(self, match: re.Match) -> Term:
        return self.terms[int(match.lastgroup[1:].split("_")[0])]


def _words(text: str) -> str:
    return r"['’]".join(r"\s+".join(re.escape(w) for w in part.split()) for part in re.split(r"['’]", text))


# --- the Glossary page ------------------------------------------------------------------

def glossary_page(glossary: Glossary, md: Callable[[str], str], credits: dict[str, str]) -> str:
    """Markdown for the Glossary page: terms A-Z under letter headings; "Used on" filled in after linking.
    `credits`: case folder name -> the Markdown credit of its article, under each definition taken from it."""
    parts = ["# Glossary", "Terms are linked on their first use on each page; hover over or focus a linked term "
             "to preview its definition. Definitions that state a clinical fact cite their source."]
    letter = ""
    for term in glossary.terms:
        if term.term[0].upper() != letter:
            letter = term.term[0].upper()
            parts.append(f"## {letter}")
        also = f"\n\n*Also:* {inert(escape(', '.join(term.synonyms)))}" if term.synonyms else ""
        credit = f"\n\n*From:* {credits[term.from_case]}" if term.from_case else ""
        parts.append(f"### {md(term.heading)} {{#term-{term.id}}}\n\n{md(term.definition)}{also}{credit}\n\n"
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

_CLASS_WORDS = "|".join(re.escape(c) for c in sorted(NO_LINKS_IN_CLASS))
# Opening tags of what terms are never linked inside: by element, or by a class among its classes.
_NO_LINK_OPENING = re.compile(
    r"<(?:(?P<element>" + "|".join(sorted(NO_LINKS_INSIDE)) + r")(?=[\s>])"
    r"|(?P<classed>[a-zA-Z][\w:-]*)(?=\s)[^>]*?\sclass=([\"'])(?:(?!\3).)*?(?<![\w-])(?:" + _CLASS_WORDS + r")(?![\w-]))"
    r"[^>]*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
_SAME_ELEMENT: dict[str, re.Pattern] = {}


def link_terms(html: str, glossary: Glossary, *, page: str, title: str, href: str) -> str:
    """Link each term's first use on the page to `href#term-id`, and remember the page used it.

    No-link elements and term matches between them are found by regular expressions, so Python
    loops over the few places that matter, not over every tag (MkDocs' HTML is well formed).
    """
    if not glossary.terms:
        return html
    out, linked, last = [], set(), 0
    for match in _candidates(html, glossary.pattern):
        term, at = glossary.term_of(match), match.start()
        if term.id in linked or html.rfind("<", 0, at) > html.rfind(">", 0, at) or _in_entity(html, at):
            continue
        linked.add(term.id)
        tip = f"term-{term.id}-tip"
        out += [html[last:at],
                f'<span class="term"><a class="term-link" href="{escape(href)}#term-{term.id}" aria-describedby="{tip}">'
                f'{match.group(0)}</a><span class="term-tip" role="tooltip" id="{tip}">{glossary.tips[term.id]}</span></span>']
        last = match.end()
    for term_id in linked:
        pages = glossary.used_on.setdefault(term_id, [])
        if (title, page) not in pages:
            pages.append((title, page))
    return "".join(out) + html[last:] if linked else html


def carry_usage(glossary: Glossary, previous: dict[str, list[tuple[str, str]]], rendered: set[str],
                order: list[str]) -> None:
    """A build that renders only changed pages (`mkdocs serve --dirty`) learns nothing of the others' terms:
    keep what the last build saw on pages not rendered this time, each term's pages in site order, as a
    full build lists them."""
    place = {uri: n for n, uri in enumerate(order)}
    for term_id, pages in previous.items():
        kept = [(title, uri) for title, uri in pages if uri not in rendered and uri in place]
        now = glossary.used_on.setdefault(term_id, [])
        now += [p for p in kept if p not in now]
        now.sort(key=lambda p: place.get(p[1], len(place)))
    for term_id in [t for t, pages in glossary.used_on.items() if not pages]:
        del glossary.used_on[term_id]


_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.IGNORECASE)


def _in_entity(html: str, at: int) -> bool:
    """A term 'AMP' must not link the 'amp' of '&amp;' (nor 'x27' of '&#x27;')."""
    start = html.rfind("&", max(0, at - 12), at + 1)
    if start < 0:
        return False
    entity = _ENTITY.match(html, start)
    return bool(entity) and entity.end() > at


def _candidates(html: str, pattern: re.Pattern) -> Iterator[re.Match]:
    """Term matches in order, searched only between the outermost no-link elements (and comments)."""
    end = 0
    for opening in _NO_LINK_OPENING.finditer(html):
        if opening.start() < end:
            continue  # nested in the element before
        yield from pattern.finditer(html, end, opening.start())
        name = opening.group("element") or opening.group("classed")
        end = opening.end() if not name or opening.group(0).endswith("/>") else _element_end(html, opening.end(), name.lower())
    yield from pattern.finditer(html, end)


def _element_end(html: str, after: int, name: str) -> int:
    """Where the element opened just before `after` closes, counting nested elements of the same name."""
    if name not in _SAME_ELEMENT:
        _SAME_ELEMENT[name] = re.compile(rf"<(/?){re.escape(name)}(?=[\s>/])[^>]*>", re.IGNORECASE)
    depth = 1
    for tag in _SAME_ELEMENT[name].finditer(html, after):
        depth += -1 if tag.group(1) else (0 if tag.group(0).endswith("/>") else 1)
        if depth == 0:
            return tag.end()
    return len(html)  # never closed: nothing after it is linked
