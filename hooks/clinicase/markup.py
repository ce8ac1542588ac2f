"""Small, safe HTML helpers shared by the renderers.

Generated pages are Markdown, and Python-Markdown still applies emphasis and
links to text between inline HTML tags. Text we place inside our own inline
HTML is therefore made *inert*: Markdown's special characters become numeric
character references, which Markdown leaves alone and browsers show as-is.
"""

from __future__ import annotations

import html
import re

import markdown

_MARKDOWN_SPECIALS = {c: f"&#{ord(c)};" for c in "\\`*_[]{}()#+-!|<>"}
_TAG_OR_ENTITY = re.compile(r"(<[^>]*>|&#?\w+;)")


def escape(text: str) -> str:
    """Escape data for HTML text or a double-quoted attribute."""
    return html.escape(str(text), quote=True)


def inert(fragment: str) -> str:
    """Make the text parts of an HTML fragment immune to Markdown processing."""
    parts = _TAG_OR_ENTITY.split(fragment)
    return "".join(p if i % 2 else "".join(_MARKDOWN_SPECIALS.get(c, c) for c in p) for i, p in enumerate(parts))


def inert_text(text: str) -> str:
    """Escape plain data and make it Markdown-inert, for use in generated Markdown."""
    return inert(escape(text))


def markdown_text(text: str) -> str:
    """Author Markdown from YAML, with raw HTML disabled (data is not code)."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def reference_span(formatted: str) -> str:
    """A formatted bibliography entry, marked so that nothing (e.g. glossary linking) rewrites a title."""
    return f'<span class="reference">{inert(formatted)}</span>'


_INLINE_LINK = re.compile(r"\]\(\s*<?([^\s)>]*)")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)", re.MULTILINE)
SAFE_URL = re.compile(r"(https?://|mailto:)[^\s\"'<>`]+", re.IGNORECASE)


def unsafe_links(text: str) -> list[tuple[int, str]]:
    """(offset, target) of Markdown links that could run script or reach outside the site.

    Allowed: http(s) and mailto addresses, #anchors, @cross-references, and relative
    paths that neither start at the root nor climb out with '..'.
    """
    found = []
    for pattern in (_INLINE_LINK, _LINK_DEFINITION):
        for match in pattern.finditer(text):
            target = match.group(1)
            relative = not re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) and not target.startswith(("/", "\\"))
            if SAFE_URL.fullmatch(target) or target.startswith(("#", "@")) or \
                    (relative and ".." not in re.split(r"[/\\]", target)):
                continue
            found.append((match.start(1), target))
    return found


_MARKDOWN = markdown.Markdown()  # one converter, reset per text: building one costs more than converting


def markdown_html(text: str) -> str:
    """Plain Python-Markdown (no extensions) for short texts outside MkDocs: previews and slides."""
    return _MARKDOWN.reset().convert(text)
