"""JATS mixed content to the case's Markdown: the article's words verbatim, citations as `[@key]`, figure
references as `@fig-…`.

Words are data: every character Markdown would read as markup is escaped, so the page shows exactly what
the article says. Only what JATS itself marks up becomes Markdown: italic and bold, lists, links to web
addresses, citations and cross-references. A citation group is what a reader sees as one: `[1, 2]`, `[7-12]`
written as two <xref>s with a dash between them, `[7–12]` written as one, superscripts, `(Smith 2000;
Jones 2001)`; its brackets go, and the site numbers it again in Vancouver style.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from ..links import is_web_address
from ..markup import NOT_TEXT


@dataclass
class Targets:
    """What an <xref> can point to, and the notes conversion leaves for the review list."""

    ref_keys: dict[str, str] = field(default_factory=dict)  # <ref id> -> BibTeX key
    ref_order: list[str] = field(default_factory=list)  # <ref id>s in the reference list's order
    ref_labels: dict[str, str] = field(default_factory=dict)  # printed number -> <ref id>
    figures: dict[str, tuple[str, str]] = field(default_factory=dict)  # <fig id> -> (case figure id, its number)
    sections: dict[str, str] = field(default_factory=dict)  # <sec id> -> case section id
    notes: list[tuple[ET.Element, str]] = field(default_factory=list)  # (where, what the author should check)


# --- tokens: raw words, finished Markdown, and the two kinds of reference ------------------------------

@dataclass
class Raw:
    text: str  # the article's words, escaped when written out


@dataclass
class Md:
    text: str  # Markdown made here


@dataclass
class Cite:
    element: ET.Element
    rids: list[str]
    plain: str  # what the reader saw, e.g. "[7]" or "Smith et al., 2000"
    markdown: str


@dataclass
class FigRef:
    element: ET.Element
    rid: str
    plain: str
    markdown: str


_WHITESPACE = re.compile(r"[ \t\r\n]+")  # not U+00A0 and the other spaces an article means
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]])")
_BLOCK_START = re.compile(r"^(?:[#>!+-]|\d+([.)])(?=\s|$))")
_DASH = "-‐‑‒–—−"
_SEPARATOR = re.compile(rf"\s*(?:[,;]|[{_DASH}]|and|&)?\s*", re.I)
_NUMBERED = re.compile(rf"[\[(]?\s*\d+[a-z]?(?:\s*(?:[,;{_DASH}]|and)\s*\d+[a-z]?)*\s*[\])]?", re.I)
_TEXT_RANGE = re.compile(rf"(\d+)\s*[{_DASH}]\s*(\d+)")
_FIG_WORD = re.compile(r"\b(?:fig(?:ure)?s?)\.?\s*$", re.I)
_CLOSING = {"[": "]", "(": ")"}
_SUPERSCRIPT = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPT = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
_MARKERS = {"fn", "table-fn", "aff", "corresp", "author-notes", "other"}  # <xref>s that are footnote marks, not words
_SKIPPED_BLOCKS = {"fig", "fig-group", "table-wrap", "table-wrap-group", "supplementary-material", "graphic", "media",
                   "alternatives", "array", "code", "preformat", "ref-list", "fn-group", "glossary", "label", "title",
                   "caption", "attrib", "permissions", "object-id"}
_BLOCKS = {"list", "disp-formula", "disp-quote", "boxed-text", "def-list", "statement", "verse-group", "speech"}


def text_of(element: ET.Element | None) -> str:
    """All the words inside an element, whitespace collapsed (for titles, names and plain fields); a link
    written without words ('<ext-link xlink:href="…"/>') reads as its address."""
    return clean("".join(_words(element))) if element is not None else ""


def _words(element: ET.Element):
    if element.tag in {"ext-link", "uri"} and not "".join(element.itertext()).strip():
        yield element.get("href", "")
    else:
        yield element.text or ""
        for child in element:
            yield from _words(child)
            yield child.tail or ""


def clean(text: str) -> str:
    """Collapse XML layout whitespace, drop characters that are not text, in Unicode's composed form."""
    return unicodedata.normalize("NFC", NOT_TEXT.sub("", _WHITESPACE.sub(" ", text))).strip()


def escape(text: str) -> str:
    """The article's words as Markdown that shows them as they are (<, & and { are made safe by md())."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def safe_block(markdown: str) -> str:
    """A paragraph that starts like a heading, quote, list, rule or admonition would become one: escape its
    start ('1. ' as '1\\. ', '# ' as '\\# '); Markdown shows the character itself."""
    start = _BLOCK_START.match(markdown)
    if not start:
        return markdown
    at = start.start(1) if start.group(1) else 0
    return markdown[:at] + "\\" + markdown[at:]


def web_link(text: str, url: str) -> str:
    """`[text](url)` for an http(s) address (the site's rule for links in YAML text); otherwise the text."""
    url = url.strip()
    if not (is_web_address(url) and url.lower().startswith("http")):
        return text
    target = re.sub(r"[()\[\]{}<>\s\"'`\\]", lambda c: "".join(f"%{b:02X}" for b in c.group().encode()), url)
    return f"[{text}]({target})" if text else f"[{escape(url)}]({target})"


class Converter:
    """Turns the content of JATS elements into Markdown, one paragraph or block at a time."""

    def __init__(self, targets: Targets):
        self.targets = targets

    def note(self, element: ET.Element, message: str) -> None:
        self.targets.notes.append((element, message))

    # --- blocks ---------------------------------------------------------------------------

    def blocks(self, element: ET.Element) -> list[str]:
        """Markdown blocks for a <p> or any block element: a paragraph is split where a list, a formula or a
        quotation sits inside it. Figures, tables and the like are left to their own importers."""
        tag = element.tag
        if tag in _SKIPPED_BLOCKS:
            return []
        if tag == "list":
            return [self.list_block(element)]
        if tag == "disp-formula":
            formula = self.formula(element)
            return [formula] if formula else []
        if tag == "disp-quote":
            return ["\n".join("> " + line for block in self.children_blocks(element) for line in block.split("\n"))]
        if tag in _BLOCKS or tag == "sec":
            return self.children_blocks(element)
        out: list[str] = []
        tokens: list = [Raw(element.text or "")]
        for child in element:
            if child.tag in _BLOCKS or child.tag == "p":
                out += self._paragraph(tokens)
                out += self.blocks(child)
                tokens = []
            elif child.tag not in _SKIPPED_BLOCKS:  # a figure or table inside a paragraph has its own importer
                tokens += self.tokens(child)
            tokens.append(Raw(child.tail or ""))
        return out + self._paragraph(tokens)

    def children_blocks(self, element: ET.Element) -> list[str]:
        out = self._paragraph([Raw(element.text or "")])
        for child in element:
            if child.tag not in {"title", "label", "caption"}:
                out += self.blocks(child) if child.tag in _BLOCKS | _SKIPPED_BLOCKS | {"p", "sec"} else \
                    self._paragraph(self.tokens(child))
            out += self._paragraph([Raw(child.tail or "")])
        return out

    def _paragraph(self, tokens: list) -> list[str]:
        text = self.join(tokens)
        return [safe_block(text)] if text else []

    def list_block(self, element: ET.Element, depth: int = 0) -> str:
        """A Markdown list; an item's own label ('a)', '(i)') is kept as its first word (Markdown numbers only 1, 2…)."""
        ordered = element.get("list-type", "") == "order"
        lines = []
        for number, item in enumerate((i for i in element if i.tag == "list-item"), start=1):
            label = text_of(item.find("label"))
            words, nested = [], []
            for child in item:
                if child.tag == "list":
                    nested.append(self.list_block(child, depth + 1))
                elif child.tag != "label":
                    words += self.blocks(child)
            if not words and (item.text or "").strip():
                words = self._paragraph([Raw(item.text or "")])
            marker = "-" if label or not ordered else f"{number}."
            text = " ".join(filter(None, [escape(label), *words]))
            lines.append("    " * depth + f"{marker} {text}".rstrip())
            lines += nested
        return "\n".join(lines)

    def formula(self, element: ET.Element) -> str:
        """A formula's text as plain words (MathML's symbols in order), noted for the author to check."""
        source = next((e for e in (element.find(".//math"), element.find(".//tex-math")) if e is not None), element)
        words = text_of(source)
        label = text_of(element.find("label"))
        self.note(element, f"a formula was written as plain text ('{words[:60]}'): check it reads correctly"
                  if words else "a formula with no text (an image) was left out: describe it in words if it matters")
        return escape(" ".join(filter(None, [words, label])))

    # --- inline content -----------------------------------------------------------------------

    def inline(self, element: ET.Element | None) -> str:
        """Markdown of an element's content as one line (titles, captions, list items, names)."""
        if element is None:
            return ""
        return self.join([Raw(element.text or ""), *self._children(element)])

    def _children(self, element: ET.Element) -> list:
        out: list = []
        for child in element:
            out += self.tokens(child)
            out.append(Raw(child.tail or ""))
        return out

    def tokens(self, element: ET.Element) -> list:
        tag = element.tag
        if tag == "xref":
            return self._xref(element)
        if tag in {"italic", "bold", "sup", "sub"} and _cites(element):
            return [Raw(element.text or ""), *self._children(element)]  # a superscript citation reads as a citation
        if tag in {"italic", "bold"}:
            inner, marker = self.inline(element), "*" if tag == "italic" else "**"
            return _edged(element, Md(f"{marker}{inner}{marker}" if inner else ""))
        if tag in {"sup", "sub"}:  # Unicode has super- and subscript digits and signs (mm², CO₂); other text stays level
            words, table = text_of(element), _SUPERSCRIPT if tag == "sup" else _SUBSCRIPT
            return _edged(element, Raw(words.translate(table) if all(ord(c) in table for c in words) else words))
        if tag in {"ext-link", "uri"}:
            url = element.get("href") or text_of(element)
            if element.get("ext-link-type") == "doi" and not url.lower().startswith("http"):
                url = "https://doi.org/" + url
            return [Md(web_link(self.inline(element), url))]
        if tag == "inline-formula":
            return [Md(self.formula(element))]
        if tag in {"inline-graphic", "fn"}:
            self.note(element, "an inline image or footnote was left out here: add its words if they matter")
            return []
        if tag in {"break", "hr"}:
            return [Raw(" ")]
        if tag in _SKIPPED_BLOCKS:
            return []
        return [Raw(element.text or ""), *self._children(element)]  # any other element: its words

    def _xref(self, element: ET.Element) -> list:
        kind = element.get("ref-type", "")
        plain, markdown = text_of(element), self.inline(element)
        rids = (element.get("rid") or "").split()
        if kind == "bibr" and rids:
            return [Cite(element, rids, plain, markdown)]
        if kind == "fig" and rids:
            return [FigRef(element, rids[0], plain, markdown)]
        if kind == "sec" and rids and rids[0] in self.targets.sections and "]" not in plain and plain:
            return [Md(f"[{markdown}](@{self.targets.sections[rids[0]]})")]
        if kind in _MARKERS:
            return []
        return [Md(markdown)]

    # --- writing tokens out: citation groups and figure references resolved --------------------

    def join(self, tokens: list) -> str:
        tokens = _merged(tokens)
        out: list = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if isinstance(token, Cite):
                i = self._citation_group(tokens, i, out)
                continue
            out += self._figure_reference(token, out) if isinstance(token, FigRef) else [token]
            i += 1
        text = "".join(escape(t.text) if isinstance(t, Raw) else t.text for t in out)
        return re.sub(r" {2,}", " ", text).strip()

    def _citation_group(self, tokens: list, start: int, out: list) -> int:
        """Write the group of citations that starts at tokens[start]; return the index after it."""
        members, dashes, k = [tokens[start]], [], start + 1
        while k < len(tokens):
            if isinstance(tokens[k], Cite):
                members.append(tokens[k])
                dashes.append(False)
                k += 1
            elif isinstance(tokens[k], Raw) and _SEPARATOR.fullmatch(tokens[k].text) and k + 1 < len(tokens) \
                    and isinstance(tokens[k + 1], Cite):
                members.append(tokens[k + 1])
                dashes.append(any(c in tokens[k].text for c in _DASH))
                k += 2
            else:
                break
        keys = self._keys(members, dashes)
        if not keys:
            out += [Md(m.markdown) if isinstance(m, Cite) else m for m in tokens[start:k]]
            return k
        before = out[-1] if out and isinstance(out[-1], Raw) else None
        after = tokens[k] if k < len(tokens) and isinstance(tokens[k], Raw) else None
        opener = before.text.rstrip()[-1:] if before else ""
        enclosed = opener in _CLOSING and after is not None and after.text.lstrip()[:1] == _CLOSING[opener]
        if not enclosed and not all(_NUMBERED.fullmatch(m.plain) for m in members):
            # "as Smith et al. (2000) showed": the article's words stay, each followed by its citation
            for token in tokens[start:k]:
                own = self._keys([token], []) if isinstance(token, Cite) else []
                out += [Md(token.markdown), Md(" " + _group(own))] if own else [Md(token.markdown) if isinstance(token, Cite) else token]
            return k
        if enclosed:
            before.text = before.text.rstrip()[:-1]
            after.text = after.text.lstrip()[1:]
        _space_before(out)
        out.append(Md(_group(keys)))
        return k

    def _keys(self, members: list[Cite], dashes: list[bool]) -> list[str]:
        """The keys a group cites, in order: rid lists, a dash between two <xref>s, '7-12' inside one."""
        order, rids = self.targets.ref_order, []
        for index, member in enumerate(members):
            own = self._expanded(member)
            if index and dashes[index - 1] and rids and own and rids[-1] in order and own[0] in order:
                a, b = order.index(rids[-1]), order.index(own[0])
                rids += order[a + 1:b] if a < b else []
            rids += own
        keys = []
        for rid in rids:
            key = self.targets.ref_keys.get(rid)
            if key is None:
                self.note(next((m.element for m in members if rid in m.rids), members[0].element),
                          f"a citation points to '{rid}', which is not in the reference list: it was left as text")
            elif key not in keys:
                keys.append(key)
        return keys

    def _expanded(self, member: Cite) -> list[str]:
        """One <xref> that reads '7–12' stands for 7 to 12 (by the printed numbers, else by list order)."""
        found = _TEXT_RANGE.search(member.plain)
        if len(member.rids) != 1 or not found:
            return member.rids
        first, last = int(found.group(1)), int(found.group(2))
        labels = self.targets.ref_labels
        if all(str(n) in labels for n in range(first, last + 1)):
            return [labels[str(n)] for n in range(first, last + 1)]
        order = self.targets.ref_order
        if member.rids[0] in order and last > first:
            at = order.index(member.rids[0])
            return order[at:at + last - first + 1]
        return member.rids

    def _figure_reference(self, ref: FigRef, out: list) -> list:
        """'Figure 1' (or 'Fig. 1' with the word before the <xref>) becomes @fig-1, which the site prints as
        'Figure 1'; anything else ('1A', '2 and 3') links the article's own words to the figure."""
        target = self.targets.figures.get(ref.rid)
        if target is None:
            return [Md(ref.markdown)]
        fig_id, number = target
        words = ref.plain.rstrip(".:")
        before = out[-1] if out and isinstance(out[-1], Raw) else None
        if number and re.fullmatch(rf"(?:fig(?:ure)?s?\.?\s*)?{re.escape(number)}", words, re.I):
            if re.match(r"fig", words, re.I):
                return [Md(f"@{fig_id}"), Raw(ref.plain[len(words):])]
            if before and _FIG_WORD.search(before.text):
                before.text = _FIG_WORD.sub("", before.text)
                return [Md(f"@{fig_id}")]
        if "]" in ref.markdown or "\n" in ref.markdown or not ref.markdown:
            return [Md(ref.markdown)]
        return [Md(f"[{ref.markdown}](@{fig_id})")]


def _merged(tokens: list) -> list:
    """Adjacent words as one Raw token (whitespace collapsed, a space kept at either end), empty ones dropped,
    so that the text around a citation is one token to look into."""
    out: list = []
    for token in tokens:
        if isinstance(token, Raw):
            text = unicodedata.normalize("NFC", NOT_TEXT.sub("", _WHITESPACE.sub(" ", token.text)))
            if not text:
                continue
            if out and isinstance(out[-1], Raw):
                out[-1] = Raw(_WHITESPACE.sub(" ", out[-1].text + text))
                continue
            token = Raw(text)
        out.append(token)
    return out


def _cites(element: ET.Element) -> bool:
    return any(x.get("ref-type") == "bibr" for x in element.iter("xref"))


def _edged(element: ET.Element, token) -> list:
    """The token with the element's leading and trailing spaces outside it: `<italic>E. coli </italic>cells`
    is `*E. coli* cells` (Markdown ignores `*E. coli *`)."""
    words = "".join(element.itertext())
    return [Raw(" ") if words[:1].isspace() else Raw(""), token, Raw(" ") if words[-1:].isspace() else Raw("")]


def _group(keys: list[str]) -> str:
    return "[" + "; ".join(f"@{k}" for k in keys) + "]"


def _space_before(out: list) -> None:
    """Pandoc style: a space between the text and its citation, 'deposits [@key]', but not '( [@key]'."""
    last = next((t for t in reversed(out) if t.text), None)
    if last is not None and not last.text[-1:].isspace() and last.text[-1:] not in "([{/":
        out.append(Raw(" "))
