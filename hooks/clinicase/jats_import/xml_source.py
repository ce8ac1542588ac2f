"""Reading an article's XML, which is untrusted: no DTD is read, no entity declared, nothing fetched.

defusedxml's parser refuses entity declarations (billion laughs, external entities that would read a local
file or fetch a URL) and never loads the external DTD a PubMed Central file names in its <!DOCTYPE>, so named
entities only that DTD defines are an error too. The file is size-checked before a byte is read and nesting is
limited, so the converters that walk the tree cannot exhaust the stack. Every element keeps its line and
column, so what the importer reports points into the XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError, Location, Problem
from ..files import path_problem, read_bytes

MAX_XML_BYTES = 20_000_000  # the largest open-access articles, MathML and all, are a few megabytes
MAX_DEPTH = 200  # JATS nests sections, lists and formulas a few dozen levels at most
_GET_THE_XML = ("download the article's JATS XML again from where you got it (PubMed Central's open-access package, "
                "Europe PMC's fullTextXML, the journal), without editing it")


@dataclass
class Article:
    """The parsed XML: tags and attribute names without their namespace (xlink:href is 'href', mml:math is
    'math'), and where each element starts."""

    name: str  # the file as the author named it, for messages
    path: Path
    root: ET.Element
    positions: dict[ET.Element, tuple[int, int]] = field(default_factory=dict, repr=False)

    def where(self, element: ET.Element | None) -> Location:
        line, column = self.positions.get(element, (None, None)) if element is not None else (None, None)
        return Location(self.name, line, column)

    def problem(self, element: ET.Element | None, message: str, fix: str = "") -> Problem:
        return Problem(self.where(element), message, fix)


class _TooDeep(Exception):
    pass


class _LocatingBuilder(ET.TreeBuilder):
    """A tree builder that notes where each element starts (the parser hands it the expat object)."""

    def __init__(self):
        super().__init__()
        self.expat = None
        self.positions: dict[ET.Element, tuple[int, int]] = {}
        self.depth = 0

    def start(self, tag, attrs):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep()
        element = super().start(_local(tag), {_local(k): v for k, v in attrs.items()})
        self.positions[element] = (self.expat.CurrentLineNumber, self.expat.CurrentColumnNumber + 1)
        return element

    def end(self, tag):
        self.depth -= 1
        return super().end(_local(tag))


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def read_article(path: Path, name: str) -> Article:
    """The article's element tree, or a ContentError that says where the file is wrong and what to do."""
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.ElementTree import DefusedXMLParser

    wrong = path_problem(path, path.resolve().parent, max_bytes=MAX_XML_BYTES)
    if wrong:
        fix = "this is not a single article's XML" if "allowed" in wrong else "give the path of the article's .xml or .nxml file"
        raise ContentError([Problem(Location(name), f"file {wrong}", fix)])
    data = read_bytes(path, path.resolve().parent, MAX_XML_BYTES)
    builder = _LocatingBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser
    here = lambda: Location(name, parser.parser.CurrentLineNumber, parser.parser.CurrentColumnNumber + 1)  # noqa: E731
    try:
        parser.feed(data)
        root = parser.close()
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden) as refused:
        what = getattr(refused, "name", None) or getattr(refused, "sysid", None) or ""
        raise ContentError([Problem(here(), f"refused: the file declares or refers to an entity{f' ({what})' if what else ''}, "
                                    "which could expand without end, read a file on this computer or fetch one "
                                    "from the network", _GET_THE_XML)]) from None
    except _TooDeep:
        raise ContentError([Problem(here(), f"refused: elements nested more than {MAX_DEPTH} deep",
                                    "no article needs this; " + _GET_THE_XML)]) from None
    except ET.ParseError as error:
        line, column = getattr(error, "position", (None, None))
        message = str(error).split(": line ")[0]
        fix = ("the file uses a named entity that only its DTD defines, and the importer reads no DTD: replace it "
               "with the character itself or a numeric reference (&#160; for &nbsp;)") if "undefined entity" in message \
            else "the file is not well-formed XML (cut short, or edited by hand?): " + _GET_THE_XML
        raise ContentError([Problem(Location(name, line, column + 1 if column is not None else None),
                                    f"XML error: {message}", fix)]) from None
    except (ValueError, LookupError) as error:  # an encoding Python does not know
        raise ContentError([Problem(Location(name, 1, 1), f"XML error: {error}", _GET_THE_XML)]) from None
    article = Article(name, path, root, builder.positions)
    if root.tag != "article":
        hint = ("this is PubMed XML (the citation and abstract only), not the article's full text"
                if root.tag in {"PubmedArticleSet", "PubmedArticle"} else f"its root element is <{root.tag}>, not <article>")
        raise ContentError([article.problem(root, f"not a JATS article: {hint}",
                                            "download the full text as JATS XML (PubMed Central, or the journal's XML download)")])
    return article
