"""Small, safe HTML helpers shared by the renderers.

Generated pages are Markdown, and Python-Markdown still applies emphasis and
links to text between inline HTML tags. Text we place inside our own inline
HTML is therefore made *inert*: Markdown's special characters become numeric
character references, which Markdown leaves alone and browsers show as-is.
"""

from __future__ import annotations

import html
import re
from typing import Iterable

import markdown

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")
_CONTAINER = re.compile(r"^[ \t]*(!!!|\?\?\?\+?)[ \t]")  # admonition/details: indented lines below are its content
# Characters that have no place in text: C0/C1 controls (tab and newline aside), lone surrogates and
# non-characters. XML forbids most (SVG, PNG rendering and decks fail on them) and they can drive a terminal
# (ANSI escapes) when printed in a log. The loaders report them; escape() never writes them out.
NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_MARKDOWN_SPECIALS = {c: f"&#{ord(c)};" for c in "\\`*_[]{}()#+-!|<>"}
_TAG_OR_ENTITY = re.compile(r"(<[^>]*>|&#?\w+;)")


def escape(text: str) -> str:
    """Escape data for HTML, SVG or XML text or a double-quoted attribute; characters that are not text
    are dropped (the loaders report them, this is the last wall)."""
    return html.escape(NOT_TEXT.sub("", str(text)), quote=True)


def inert(fragment: str) -> str:
    """Make the text parts of an HTML fragment immune to Markdown processing."""
    parts = _TAG_OR_ENTITY.split(fragment)
    return "".join(p if i % 2 else "".join(_MARKDOWN_SPECIALS.get(c, c) for c in p) for i, p in enumerate(parts))


def inert_text(text: str) -> str:
    """Escape plain data and make it Markdown-inert, for use in generated Markdown."""
    return inert(escape(text))


_OUTSIDE_LINK_TARGET = re.compile(r"[()\[\]{}<>\s\"'`\\]")


def markdown_link(text: str, url: str) -> str:
    """A Markdown link with data on both sides: the text inert, the address with every character that could
    end the target early or start an attribute list percent-encoded (the address means the same)."""
    target = _OUTSIDE_LINK_TARGET.sub(lambda c: "".join(f"%{b:02X}" for b in c.group().encode()), url)
    return f"[{inert_text(text)}]({target})"


def without_full_stop(text: str) -> str:
    """A sentence as the first clause of a longer one ('Pain.' + ', for a week.'): its closing full stop
    dropped; an ellipsis, or a stop that ends an abbreviation ('etc.', 'e.g.', 'et al.'), kept."""
    text = text.rstrip()
    last = text.rsplit(None, 1)[-1] if text else ""
    ends_abbreviation = last.lower() in _ABBREVIATIONS or "." in last[:-1]
    return text[:-1] if text.endswith(".") and not text.endswith("..") and not ends_abbreviation else text


_ABBREVIATIONS = {"etc.", "al.", "approx.", "vs.", "cf.", "resp."}  # a stop that belongs to its word


def reference_span(formatted: str) -> str:
    """A formatted bibliography entry, marked so that nothing (e.g. glossary linking) rewrites a title."""
    return f'<span class="reference">{inert(formatted)}</span>'


_MARKDOWN = markdown.Markdown()  # one converter, reset per text: building one costs more than converting


def markdown_html(text: str) -> str:
    """Plain Python-Markdown (no extensions) for short texts outside MkDocs: previews and slides."""
    return restore_code_text(_MARKDOWN.reset().convert(text))


# The Markdown extensions the generated pages are written for (mkdocs.yml enables them): admonitions,
# {: #id} attribute lists, Markdown inside HTML blocks, tables, collapsible details, fenced code.
SITE_EXTENSIONS = ("admonition", "attr_list", "md_in_html", "tables", "pymdownx.details", "pymdownx.superfences")
_SITE_MARKDOWN: list[markdown.Markdown] = []


def site_markdown_html(text: str) -> str:
    """The text as a page of the site renders it, to see its links and images as a browser will
    (a link definition inside an admonition is a link there, and code in plain Markdown)."""
    if not _SITE_MARKDOWN:
        _SITE_MARKDOWN.append(markdown.Markdown(extensions=list(SITE_EXTENSIONS)))
    return restore_code_text(_SITE_MARKDOWN[0].reset().convert(NOT_TEXT.sub("", text)))


# --- where Markdown holds code, and author Markdown with raw HTML disabled -----------------

def code_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of fenced and indented code blocks and inline code spans."""
    ranges: list[tuple[int, int]] = []
    offset, fence, fence_start = 0, None, 0
    previous_blank, in_list, in_indented_code, in_container = True, False, False, False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        indented = line.startswith(("    ", "\t"))
        opener = _FENCE.match(line)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence) and not stripped.strip(fence[0]):
                ranges.append((fence_start, offset + len(line)))
                fence = None
        elif opener:
            fence, fence_start = opener.group(1), offset
        elif stripped and indented and (in_indented_code or (previous_blank and not in_list and not in_container)):
            # An indented line after a blank line is code, unless it continues a list item or an admonition.
            ranges.append((offset, offset + len(line)))
            in_indented_code = True
        elif stripped:
            in_indented_code = False
            if not indented:
                in_list = bool(_LIST_ITEM.match(line))
                in_container = bool(_CONTAINER.match(line))
        previous_blank = not stripped
        offset += len(line)
    if fence:
        ranges.append((fence_start, len(text)))
    ranges.extend(_inline_code(text, ranges))
    return sorted(ranges)


def _inline_code(text: str, blocks: list[tuple[int, int]]) -> Iterable[tuple[int, int]]:
    """Backtick spans as CommonMark defines them: a run closed by a run of equal length."""
    i = 0
    while i < len(text):
        block = next((b for b in blocks if b[0] <= i < b[1]), None)
        if block:
            i = block[1]
            continue
        if text[i] != "`" or _escaped(text, i):  # \` is a backtick, not the start of code (CommonMark)
            following = text.find("`", i + 1)
            i = following if following >= 0 else len(text)
            continue
        run = len(text[i:]) - len(text[i:].lstrip("`"))
        closer = re.compile(rf"(?<!`)`{{{run}}}(?!`)")
        match = closer.search(text, i + run)
        if match:
            yield (i, match.end())
            i = match.end()
        else:
            i += run


def _escaped(text: str, at: int) -> bool:
    """Whether the character at `at` follows an odd run of backslashes."""
    return (at - len(text[:at].rstrip("\\"))) % 2 == 1


# Inside code Markdown must get the author's < and & as they are (it escapes code itself); but whether a
# span is code is Markdown's decision (an unclosed or indented fence, a list around it), not ours. So in
# what we take for code they travel as private-use placeholders, turned into &lt; and &amp; in the finished
# HTML (restore_code_text): in code they show as written, and if Markdown reads the span as text they are
# the same characters as text. Author text never hands Markdown a raw '<'.
# '{' travels the same way: read as text, `{: style=…}` would be an attribute list on our element.
_LT, _AMP, _BRACE = "\ue000", "\ue001", "\ue002"
_IN_CODE = str.maketrans({"<": _LT, "&": _AMP, "{": _BRACE})


def md(text: str) -> str:
    """Author Markdown with raw HTML disabled (data is not code); the result needs restore_code_text()
    after rendering."""
    text = text.replace(_LT, "").replace(_AMP, "").replace(_BRACE, "")
    out, last = [], 0
    for start, end in code_ranges(text):
        out += [_no_html(text[last:start]), text[start:end].translate(_IN_CODE)]
        last = end
    return "".join(out) + _no_html(text[last:])


def restore_code_text(html_text: str) -> str:
    """The finished HTML of a page or text made with md(): code's < & { back, as escaped characters."""
    return html_text.replace(_LT, "&lt;").replace(_AMP, "&amp;").replace(_BRACE, "&#123;")


def _no_html(text: str) -> str:
    """No raw HTML, and no attribute lists: `{: onclick=...}` would put attributes on our elements."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("{", "&#123;")
