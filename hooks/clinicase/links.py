"""The one rule for every address that data puts into a page, a deck or an export.

Links may go to a web address (http, https, mailto) or, from hand-written pages, to other pages of the
site (MkDocs checks those); nothing may run script (`javascript:`), carry a document (`data:`) or read a
file (`file:`), and text from YAML links into its case only with @id.
Images may only come from the site itself: an image from another host is a request the site promised
never to make. Addresses are judged as a browser reads them (entities decoded, the blanks and
controls a browser skips inside a scheme removed), and links are found in the HTML that Markdown makes of
the text, so reference-style links, links inside quotes and lists, and titles are all seen.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

WEB_ADDRESS = re.compile(r"(https?://[^\s\"'<>`/?#\\]+[^\s\"'<>`\\]*|mailto:[^\s\"'<>`\\]+)", re.IGNORECASE)
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:", re.IGNORECASE)
IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f]+")  # browsers skip these inside a URL: 'java\tscript:' runs
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "data", "background", "cite", "xlink:href"}


def is_web_address(url: str) -> bool:
    return bool(WEB_ADDRESS.fullmatch(url.strip()))


def link_problem(href: str, *, inside_site: bool = True) -> str:
    """Why a link may not be published ('' if it may). `inside_site`: relative links are allowed, '..'
    included (hand-written pages, whose links MkDocs resolves and checks); otherwise only web addresses."""
    seen = IGNORED_IN_URLS.sub("", html.unescape(href))
    if _SCHEME.match(seen):
        return "" if is_web_address(seen) else "it is not an http(s) or mailto address"
    if seen.startswith(("/", "\\")):
        return "it starts at the root of a disk or a host (use a relative or a full https:// address)"
    if not inside_site:  # an anchor or page name written by hand breaks when the pages change; @id does not
        return "places in the site are linked with @id here"
    return ""


def image_problem(src: str) -> str:
    """Why an image address may not be published ('' if it may): only files of the site itself."""
    seen = IGNORED_IN_URLS.sub("", html.unescape(src))
    if _SCHEME.match(seen) or seen.startswith(("/", "\\")):
        return "the image would be loaded from another host or disk (the site makes no outside request)"
    return ""


@dataclass(frozen=True)
class Address:
    """One address in rendered HTML: which element and attribute hold it, and the text of the link."""

    tag: str
    attribute: str
    value: str  # as the browser reads it (entities decoded)
    link_text: str = ""
    title: str = ""


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[Address] = []
        self._open_links: list[tuple[int, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                self.found.append(Address(tag, name, value, title=values.get("title") or ""))
        if tag == "a":
            self._open_links.append((len(self.found) - 1, []))

    def handle_data(self, data):
        for _, texts in self._open_links:
            texts.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._open_links:
            index, texts = self._open_links.pop()
            if index >= 0 and self.found[index].tag == "a":
                found = self.found[index]
                self.found[index] = Address(found.tag, found.attribute, found.value, "".join(texts), found.title)


def addresses(html_text: str) -> list[Address]:
    """Every URL-bearing attribute in an HTML fragment, with link texts."""
    collector = _Collector()
    collector.feed(html_text)
    collector.close()
    return collector.found


def may_hold_links(markdown: str) -> bool:
    """Cheap test before rendering: Markdown makes a link or image only from '](', ']:' or ']['
    (md() escapes every '<', so there are no autolinks or raw tags)."""
    return "](" in markdown or "]:" in markdown or "][" in markdown


# Elements a generated page never holds: each can run script or load from anywhere (SVG's animate and set can
# turn an href into javascript:, a style element can @import, link and meta can load or redirect).
_SCRIPT_ELEMENTS = {"script", "iframe", "object", "embed", "foreignobject", "frame", "base", "animate", "set",
                    "style", "link", "meta"}
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.S)


def _css_text(value: str) -> str:
    """CSS as the browser reads it: `u\\72 l(` is `url(`."""
    return _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), value)


# The last wall reads every generated page, so it scans tags with regular expressions rather than a Python
# HTML parser (ten times faster). It sees more than a browser would (a tag in a comment or an attribute value
# counts too): on this wall a false alarm is a bug report, a miss is a hole.
_TAG = re.compile(r"<([a-zA-Z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


def script_in_markup(html_text: str) -> str:
    """The first element or attribute in HTML that could run script or read a file, or ''. Generated pages
    never hold one: this is the last wall, behind escaping and the URL rule; finding one is a defect."""
    for tag in _TAG.finditer(html_text):
        name = tag.group(1).lower()
        if name in _SCRIPT_ELEMENTS:
            return f"<{name}>"
        for attribute in _ATTRIBUTE.finditer(tag.group(2)):
            key = attribute.group(1).lower()
            raw = attribute.group(2) or ""
            value = html.unescape(raw[1:-1] if raw[:1] in "\"'" and raw else raw)
            if key.startswith("on"):
                return f"<{name} {key}=…>"
            if key == "style" and re.search(r"url\(|image-set|@import|expression\(", _css_text(value), re.I):
                return f"<{name} style={value[:40]!r}>"  # CSS that would fetch from anywhere
            if key in URL_ATTRIBUTES and value and _SCHEME.match(IGNORED_IN_URLS.sub("", value)) \
                    and not is_web_address(value):
                return f"<{name} {key}={value[:40]!r}>"
    return ""
