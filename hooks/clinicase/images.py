"""Whether an author's image file may be published: where it is, what it really is, and what it would do.

A figure's image is copied to the site as it is, opened by readers' browsers, rendered by resvg at
build time and put into slide decks. So a file is refused unless it is a regular file inside its case
folder, a raster that Pillow decodes as the format its name claims (and not a decompression bomb), or
an SVG that can neither run script nor make anyone fetch or read another file.

Plain Python: Pillow and defusedxml are imported inside the functions that need them, so a cached
build that checks nothing never pays for importing them.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings
from pathlib import Path, PurePosixPath

from .files import MAX_NAME, MAX_PATH, path_problem, read_bytes
from .links import IGNORED_IN_URLS

Problem = tuple[str, str]  # (what is wrong, naming the file; what to do about it)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
RASTER_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}  # suffix -> Pillow's name

# 20 MB: a camera JPEG is 2-10 MB and a large PNG scan or an SVG with embedded photographs fits; anything
# bigger slows every reader's page and every deck, and is better exported again at a web size.
MAX_IMAGE_BYTES = 20_000_000
# 50 megapixels (about 8,000 x 6,000, more than a camera makes) is 200 MB decoded as RGBA. A small file
# that claims more pixels is a decompression bomb: it would exhaust memory when the build or a browser
# decodes it. Below Pillow's own warning threshold (about 89 M), so its warning never fires on a file we accept.
MAX_PIXELS = 50_000_000
MAX_ANIMATION_PIXELS = 4 * MAX_PIXELS  # all frames of a GIF or WebP: a 20-second 640 x 480 clip at 25 frames/s fits

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)  # http:, file:, data:, javascript:, and C: on Windows
_EXPORT_AGAIN = "export the image again from the original program and replace the file"


def image_problems(raw: str, case_folder: Path, root: Path) -> list[Problem]:
    """(message, fix) for each reason the image named `raw` (as written in YAML, relative to the case
    folder) may not be published; [] if fine. Never raises: every file system error is a message."""
    raw = str(raw)  # YAML may give a number; the schema should not, but a message beats a TypeError
    shown = _shown(raw)
    problem = _name_problem(raw, shown)
    if problem:
        return [problem]
    path = case_folder / raw
    problem = _file_problem(path, shown, case_folder, root)
    if problem:
        return [problem]
    try:
        data = read_bytes(path, case_folder, MAX_IMAGE_BYTES)  # checks the file again: it may have changed
    except OSError as error:
        return [(f"image '{shown}' {error}", _EXPORT_AGAIN)]
    suffix = PurePosixPath(raw).suffix.lower()
    if suffix == ".svg":  # "SVG 'x.svg' contains script": the kind of file is part of what went wrong
        return [(f"SVG '{shown}' {what}", fix) for what, fix in svg_problems(data)]
    return [(f"image '{shown}' {what}", fix) for what, fix in raster_problems(data, suffix)]


# --- where the file is ---------------------------------------------------------------------------

def _shown(raw: object) -> str:
    """The name as the author wrote it, printable and short enough for one line of a message."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(raw))
    return text if len(text) <= 100 else f"{text[:60]}…{text[-30:]} ({len(str(raw)):,} characters)"


def _name_problem(raw: str, shown: str) -> Problem | None:
    """What is wrong with the name itself, found before the file system sees it (which could raise)."""
    outside = f"image path '{shown}' must be a relative path inside the case folder"  # URL, absolute or '..'
    inside = "copy the image into the case folder and give its relative path"
    if not raw.strip():
        return "image path is empty", "give the file's path relative to the case folder, or remove the field"
    if "\0" in raw:
        return f"image path '{shown}' contains a NUL character", "retype the path"
    if len(raw) > MAX_PATH or any(len(part.encode("utf-8", "surrogateescape")) > MAX_NAME for part in raw.split("/")):
        return f"image path '{shown}' is too long for a file name", "give the file a short name"
    if _SCHEME.match(raw):
        return outside, inside
    if "\\" in raw:
        return f"image path '{shown}' contains a backslash", "separate folders with '/', e.g. images/figure-1.png"
    if raw.startswith("/") or PurePosixPath(raw).is_absolute():
        return outside, inside
    if ".." in PurePosixPath(raw).parts:
        return outside, inside
    if PurePosixPath(raw).suffix.lower() not in IMAGE_SUFFIXES:
        return f"'{shown}' is not an image file", f"use one of {', '.join(sorted(IMAGE_SUFFIXES))}"
    return None


def _file_problem(path: Path, shown: str, case_folder: Path, root: Path) -> Problem | None:
    """Inside the case folder after following links, and a regular file of a size we will read."""
    try:
        inside = path.resolve().is_relative_to(case_folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a name the system refuses
        return f"image '{shown}' cannot be read (a broken or looping link?)", "replace the link with the file itself"
    if not inside:
        return f"image '{shown}' points outside the case folder", "copy the file into the case folder (not a link to it)"
    reason = path_problem(path, case_folder, max_bytes=MAX_IMAGE_BYTES)
    if not reason:
        return None
    if reason == "not found":
        try:
            here = case_folder.resolve().relative_to(root.resolve()).as_posix()
        except (OSError, RuntimeError, ValueError):
            here = case_folder.name
        return f"image file '{shown}' not found", f"add it under {here}/ or remove the field"
    if reason.startswith("is ") and "bytes" in reason:
        return f"image '{shown}' {reason}", f"export it again at a size for the web (under {MAX_IMAGE_BYTES // 1_000_000} MB)"
    if reason.startswith("is a folder"):
        return f"image '{shown}' {reason}", "give the path of the image file inside it"
    return f"image '{shown}' {reason}", "replace it with the image file itself"


# --- raster images ---------------------------------------------------------------------------------

def raster_problems(data: bytes, suffix: str) -> list[Problem]:
    """(reason, fix) if the bytes are not a whole, decodable image of the format `suffix` names."""
    from PIL import Image, UnidentifiedImageError

    expected = RASTER_FORMATS[suffix]
    not_it = f"is not a {expected} image"
    if not data:
        return [(f"is empty (0 bytes): {not_it}", _EXPORT_AGAIN)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # a warning would let the file through
        try:
            return _decode(Image, data, expected)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            return [(f"claims more than {MAX_PIXELS:,} pixels (a decompression bomb?)", _EXPORT_AGAIN)]
        except UnidentifiedImageError:
            return [(not_it, _EXPORT_AGAIN)]
        except Exception as error:  # noqa: BLE001 - a damaged file raises whatever its decoder raises
            return [(f"is a damaged {expected} image ({error})", _EXPORT_AGAIN)]


def _decode(Image, data: bytes, expected: str) -> list[Problem]:
    # Only the formats we publish are tried, so Pillow's parsers for other formats never see the bytes.
    with Image.open(io.BytesIO(data), formats=sorted(set(RASTER_FORMATS.values()))) as image:
        width, height = image.size
        if image.format != expected:
            suffix = {"JPEG": "jpg"}.get(image.format, image.format.lower())
            return [(f"is a {image.format} image, though its name says {expected}",
                     f"rename it to end in .{suffix}, or export it again as {expected}")]
        if width * height > MAX_PIXELS:
            return [(f"is {width:,} x {height:,} pixels, more than the {MAX_PIXELS:,} allowed", "export it at a smaller size")]
        image.verify()  # checksums and structure (PNG chunks); verify() leaves the image unusable
    with Image.open(io.BytesIO(data), formats=[expected]) as image:
        frames = getattr(image, "n_frames", 1)  # an animation: browsers decode every frame
        if width * height * frames > MAX_ANIMATION_PIXELS:
            return [(f"has {frames:,} frames of {width:,} x {height:,} pixels, more than the {MAX_ANIMATION_PIXELS:,} "
                     "allowed in all", "shorten the animation or make it smaller, or use a still image")]
        image.seek(0)
        if image.format == "JPEG":
            image.draft(image.mode, (max(width // 8, 1), max(height // 8, 1)))  # decode every byte at 1/8 scale
        image.load()  # a truncated JPEG, GIF or WebP passes verify() and fails only here
    return []


# --- SVG -------------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XHTML_NS = "http://www.w3.org/1999/xhtml"
# Elements that run script or embed another document. Compared by local name in any namespace and any
# case: an XHTML <script> runs inside an SVG file, and an HTML parser lowercases inline SVG.
FORBIDDEN_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
DATA_RASTER = re.compile(r"data:image/(png|jpeg|gif|webp);base64,", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_ESCAPE = re.compile(r"\\([0-9a-f]{1,6})\s?|\\(.)", re.I | re.S)  # '\75 rl(' is 'url(' to CSS
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.I)
_CSS_FETCH = re.compile(r"@import|image-set\(", re.I)  # these fetch a file named by a plain string too
_EXPORT_SVG = "export the SVG again as plain SVG (e.g. Inkscape: Save As > Plain SVG), or save it as PNG"


def svg_problems(data: bytes) -> list[Problem]:
    """(reason, fix) for each way the SVG could run script or read or fetch another file; [] if it is
    plain, self-contained SVG. Each reason reads after the file's name: "… contains <script> (…)"."""
    try:
        data.decode("utf-8")  # the site and the deck read SVG as UTF-8 text; UTF-16 would stop the build there
    except UnicodeDecodeError as error:
        return [(f"is not UTF-8 text (byte {error.start:,})", "save it again with UTF-8 encoding")]
    root, problems = _parse(data)
    if root is None:
        return problems
    local = root.tag.rsplit("}", 1)[-1]
    if root.tag != f"{{{SVG_NS}}}svg":
        problems.append((f"is not an SVG image (its root element is <{local}>)", _EXPORT_SVG))
    for element in root.iter():  # iterative, so deep nesting cannot exhaust the stack
        problems.extend(_element_problems(element))
    if _expanded_size(root) > MAX_EXPANDED:
        problems.append((f"grows to more than {MAX_EXPANDED:,} elements through <use> copies of copies (or a <use> "
                         "of itself), more than the slides' renderer draws", _EXPORT_SVG))
    return list(dict.fromkeys(problems))  # one message per kind of problem, not one per element


# resvg refuses to draw an SVG whose <use> elements expand it past a limit of its own ("nodes limit reached":
# it drew 930,746 elements as counted here and refused 1,003,007). Such a file is refused here, at its figure,
# rather than when the slides are made; the margin keeps the two counts from ever disagreeing.
MAX_EXPANDED = 900_000
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def _expanded_size(root) -> int:
    """How many elements the SVG holds once every <use href="#id"> is replaced by a copy of its target: a walk
    with a stack of its own (deep nesting cannot exhaust Python's), each subtree counted once; MAX_EXPANDED + 1
    at once for a <use> that reaches itself."""
    targets = {element.get("id"): element for element in root.iter() if element.get("id")}

    def reached(element) -> list:
        found = list(element)
        if element.tag.rsplit("}", 1)[-1] == "use":
            href = element.get(_XLINK_HREF) or element.get("href") or ""
            if href.startswith("#") and href[1:] in targets:
                found.append(targets[href[1:]])
        return found

    size: dict[int, int] = {}  # element -> its expanded size, once counted
    counting = {id(root): 1}  # elements on the current path -> their size so far
    stack = [(root, iter(reached(root)))]
    while stack:
        element, following = stack[-1]
        child = next(following, None)
        if child is None:
            stack.pop()
            size[id(element)] = min(counting.pop(id(element)), MAX_EXPANDED + 1)
            if stack:
                counting[id(stack[-1][0])] += size[id(element)]
        elif id(child) in counting:
            return MAX_EXPANDED + 1
        elif id(child) in size:
            counting[id(element)] += size[id(child)]
        else:
            counting[id(child)] = 1
            stack.append((child, iter(reached(child))))
    return size[id(root)]


def _parse(data: bytes):
    """The element tree, or None and why not. No DTD at all: it is how entities expand a few bytes into
    gigabytes (billion laughs) or pull in a local file (XXE), and plain SVG never needs one."""
    import xml.etree.ElementTree as ET

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    class Builder(ET.TreeBuilder):  # the standard builder drops processing instructions; we must see them
        def __init__(self):
            super().__init__()
            self.stylesheets: list[str] = []

        def pi(self, target, text=None):
            if target.lower() == "xml-stylesheet":
                self.stylesheets.append(text or "")

    builder = Builder()
    try:
        parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        return None, [("declares a DTD or entities (<!DOCTYPE …>), which can expand without end or read other files",
                       "delete the <!DOCTYPE …> declaration at the top of the file, or " + _EXPORT_SVG)]
    except ET.ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else "?"
        return None, [(f"is not valid SVG (line {line}: {str(error).split(':')[0]})", _EXPORT_SVG)]
    except (ValueError, LookupError) as error:  # e.g. an encoding Python does not know
        return None, [(f"is not valid SVG ({error})", _EXPORT_SVG)]
    stylesheets = [("links a style sheet (<?xml-stylesheet?>), which browsers fetch", "delete that line")]
    return root, stylesheets if builder.stylesheets else []


def _element_problems(element) -> list[Problem]:
    if not isinstance(element.tag, str):  # a comment or processing instruction, if a builder kept one
        return []
    namespace, _, local = element.tag[1:].partition("}") if element.tag.startswith("{") else ("", "", element.tag)
    name = local.lower()
    problems = []
    if name in FORBIDDEN_ELEMENTS:
        what = "script a browser would run" if name in {"script", "handler", "listener"} else "a document a browser would load"
        problems.append((f"contains <{local}> ({what})", f"remove the <{local}> element; " + _EXPORT_SVG))
    elif namespace == XHTML_NS:  # HTML has no business in a figure; one message however many elements
        problems.append(("contains HTML elements, which a browser would run or load", _EXPORT_SVG))
    if name == "style":  # a browser reads all the text inside, also what follows a child element
        problems.extend(_css_problems("".join(element.itertext()) + "".join(c.tail or "" for c in element), "<style>"))
    for key, value in element.attrib.items():
        problems.extend(_attribute_problems(local, key.rsplit("}", 1)[-1], value))
    return problems


def _attribute_problems(local: str, attribute: str, value: str) -> list[Problem]:
    """An event handler, a link or reference to anything but a part of this file, an animation that
    would set one, or a CSS url() to another file. `value` is already entity-decoded by the parser."""
    element, attribute = local.lower(), attribute.lower()
    if attribute.startswith("on"):
        return [(f"has an event handler {attribute}= (script)", f"remove the {attribute} attribute; " + _EXPORT_SVG)]
    if attribute == "href":
        return _href_problems(local, value)
    if element == "set" or element.startswith("animate"):
        target = IGNORED_IN_URLS.sub("", value).lower().rsplit(":", 1)[-1] if attribute == "attributename" else ""
        if target == "href" or target.startswith("on"):
            return [(f"animates {target} (a way to insert a link or script)", f"remove the <{local}> element")]
    return _css_problems(value, f"{attribute}=")  # any attribute may hold CSS (style=, fill=, an animation's to=)


def _href_problems(local: str, value: str) -> list[Problem]:
    """Only a reference to this file ('#id') is allowed, and in <image> an embedded raster. Anything else is
    read by resvg at build time (absolute and relative paths alike) or fetched by the reader's browser."""
    href = IGNORED_IN_URLS.sub("", value)
    if href.startswith("#"):
        return []
    if local.lower() == "image" and DATA_RASTER.match(href):
        return _embedded_problems(href)
    shown = _shown(href if len(href) <= 40 else href[:40] + "…")
    if href.lower().startswith(("javascript:", "vbscript:")):
        return [(f"has <{local}> linking to '{shown}' (script)", "remove the link")]
    if local.lower() in {"image", "feimage"}:
        fix = "embed the picture in the SVG (e.g. Inkscape: Embed, not Link) or remove it"
    else:
        fix = "remove the link or reference: an SVG figure may refer only to its own parts ('#id')"
    return [(f"has <{local}> referring to '{shown}' outside the file", fix)]


def _embedded_problems(href: str) -> list[Problem]:
    """An embedded raster gets the same check as a raster file: it is decoded by resvg and by browsers."""
    kind, _, payload = href.partition(",")
    suffix = "." + kind.split("/")[1].split(";")[0].lower()
    try:
        data = base64.b64decode(IGNORED_IN_URLS.sub("", payload), validate=True)
    except (binascii.Error, ValueError):
        return [("has an embedded image that is not valid base64", _EXPORT_SVG)]
    return [(f"has an embedded image that {what}", fix) for what, fix in raster_problems(data, suffix)]


def _css_problems(css: str, where: str) -> list[Problem]:
    """CSS may refer only to parts of this file: url(#id). Escapes and comments are undone first."""
    plain = _CSS_COMMENT.sub("", _CSS_ESCAPE.sub(_unescape, css))
    fix = "remove the reference, or embed what it names in the SVG"
    problems = [(f"has CSS in {where} that fetches a file (@import or image-set)", fix)] if _CSS_FETCH.search(plain) else []
    for target in _CSS_URL.findall(plain):
        if not IGNORED_IN_URLS.sub("", target).startswith("#"):
            problems.append((f"has CSS in {where} referring to url({_shown(target.strip()[:40])}) outside the file", fix))
    return problems


def _unescape(match: re.Match) -> str:
    if match.group(1):
        code = int(match.group(1), 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return match.group(2)


# --- rendering -------------------------------------------------------------------------------------

def without_file_references(svg: str) -> str:
    """The SVG with every <image>/<feImage> reference to a file removed, for resvg, which reads such files
    whatever its resources_dir (absolute paths, and '..' out of it). Embedded rasters and '#id' stay.
    Raises ValueError for a DTD or malformed XML, as resvg itself does for an SVG it cannot read."""
    import xml.etree.ElementTree as ET

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(svg, forbid_dtd=True)
    except (DefusedXmlException, ET.ParseError) as error:
        raise ValueError(f"SVG cannot be rendered safely: {error}") from error
    removed = False
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1].lower() in {"image", "feimage"}:
            for key in [k for k in element.attrib if k.rsplit("}", 1)[-1] == "href"]:
                href = IGNORED_IN_URLS.sub("", element.attrib[key])
                if not (href.startswith("#") or DATA_RASTER.match(href)):
                    del element.attrib[key]
                    removed = True
    return ET.tostring(root, encoding="unicode") if removed else svg  # untouched SVG is passed on as written
