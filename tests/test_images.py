"""Whether a case's image file may be published: clinicase.images on real files in temporary folders."""

from __future__ import annotations

import base64
import io
import os
import shutil
import struct
import warnings
import zlib
from pathlib import Path

import pytest
import resvg_py
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from clinicase import images, visuals
from clinicase.images import image_problems, svg_problems, without_file_references

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile" / "images"
SVG_OPEN = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            'width="20" height="20" viewBox="0 0 20 20">')

# fixture -> a fragment of the one message it must give, or None when it must be accepted
FIXTURES = {
    "clean.svg": None,
    "clean.png": None,
    "clean.jpg": None,
    "embedded-png-allowed.svg": None,
    "script.svg": "contains <script> (script a browser would run)",
    "xhtml-script.svg": "contains <SCRIPT> (script a browser would run)",
    "onload.svg": "has an event handler onload= (script)",
    "javascript-href-entity.svg": "has <a> linking to 'javascript:alert(1)' (script)",
    "javascript-href-tab.svg": "has <a> linking to 'JaVaScript:alert(1)' (script)",
    "data-html-href.svg": "referring to 'data:text/html",
    "image-absolute-path.svg": "<image> referring to '/etc/hostname'",
    "image-relative-file.svg": "<image> referring to '../../secret.png'",
    "image-file-url.svg": "<image> referring to 'file:///etc/passwd'",
    "feimage-absolute-path.svg": "<feImage> referring to '/etc/hostname'",
    "use-other-file.svg": "<use> referring to 'other.svg#a'",
    "embedded-svg-data.svg": "referring to 'data:image/svg+xml",
    "embedded-junk-png.svg": "embedded image that is not a PNG image",
    "foreign-object.svg": "contains <foreignObject>",
    "iframe.svg": "contains <iframe>",
    "set-href-javascript.svg": "animates href (a way to insert a link or script)",
    "animate-onclick.svg": "animates onclick",
    "style-url-http.svg": "style= referring to url(http://example.org/track.svg#p)",
    "style-element-url.svg": "<style> referring to url(https://example.org/p.svg#g)",
    "style-escaped-url.svg": "<style> referring to url(https://example.org/p.svg#g)",
    "style-import.svg": "@import",
    "style-image-set.svg": "style= that fetches a file (@import or image-set)",  # found by review: no url( in it
    "style-after-child.svg": "<style> referring to url(https://example.org/tail.png)",  # CSS after a child element
    "fill-url-file.svg": "fill= referring to url(/etc/x.svg#g)",
    "xml-stylesheet.svg": "<?xml-stylesheet?>",
    "billion-laughs.svg": "declares a DTD or entities",
    "external-entity.svg": "declares a DTD or entities",
    "not-xml.svg": "is not valid SVG (line 3",
    "not-svg-root.svg": "is not an SVG image (its root element is <html>)",
    "zero-bytes.png": "is empty (0 bytes): is not a PNG image",
    "text-named.png": "is not a PNG image",
    "png-named.jpg": "is a PNG image, though its name says JPEG",
    "truncated.png": "is a damaged PNG image",
    "truncated.jpg": "is a damaged JPEG image",
    "decompression-bomb.png": "decompression bomb",
    "too-many-pixels.png": "8,000 x 8,000 pixels, more than the 50,000,000 allowed",
}


@pytest.fixture
def case(tmp_path: Path) -> Path:
    """A case folder inside a project folder, with an images/ folder."""
    folder = tmp_path / "project" / "content" / "a-case"
    (folder / "images").mkdir(parents=True)
    return folder


def check(raw: str, case: Path) -> list[tuple[str, str]]:
    return image_problems(raw, case, case.parents[1])


def png_bytes(size=(4, 4), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels in a few bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


# --- the fixtures -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FIXTURES)
def test_fixture(name: str, case: Path) -> None:
    shutil.copy(HOSTILE / name, case / "images" / name)
    raw = f"images/{name}"
    problems = check(raw, case)
    expected = FIXTURES[name]
    if expected is None:
        assert problems == []
        return
    assert problems, f"{name} was accepted"
    assert any(expected in f"{message} — {fix}" for message, fix in problems), problems
    assert all(f"'{raw}'" in message and fix for message, fix in problems), "every message names the file and says what to do"


def test_every_fixture_is_tested() -> None:
    on_disk = {p.name for p in HOSTILE.iterdir()} - {"README.md"}
    assert on_disk == set(FIXTURES)


# --- where the file is ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("http://example.org/x.png", "must be a relative path inside the case folder"),
    ("data:image/png;base64,AAAA", "must be a relative path inside the case folder"),
    ("javascript:alert(1).png", "must be a relative path inside the case folder"),
    ("C:/pictures/x.png", "must be a relative path inside the case folder"),
    ("/etc/x.png", "must be a relative path inside the case folder"),
    ("images/../../other-case/images/x.png", "must be a relative path inside the case folder"),
    ("images\\x.png", "contains a backslash"),
    ("images/x\0.png", "contains a NUL character"),
    ("images/" + "x" * 5000 + ".png", "is too long for a file name"),
    ("images/" + "x" * 300 + ".png", "is too long for a file name"),
    ("", "is empty"),
    ("images/notes.txt", "is not an image file"),
    ("images/missing.png", "not found"),
])
def test_path_refused(raw: str, expected: str, case: Path) -> None:
    (case.parent / "other-case" / "images").mkdir(parents=True)
    (case.parent / "other-case" / "images" / "x.png").write_bytes(png_bytes())  # '..' would find a real image
    (case / "images" / "notes.txt").write_text("text")
    problems = check(raw, case)
    assert len(problems) == 1 and expected in problems[0][0], problems
    assert problems[0][1]


def test_missing_file_fix_names_the_case_folder(case: Path) -> None:
    assert check("images/missing.png", case)[0][1] == "add it under content/a-case/ or remove the field"


def test_symlink_out_of_the_case_folder_is_refused(case: Path) -> None:
    outside = case.parent / "elsewhere.png"
    outside.write_bytes(png_bytes())
    (case / "images" / "link.png").symlink_to(outside)
    problems = check("images/link.png", case)
    assert problems and "points outside the case folder" in problems[0][0]


def test_symlink_to_a_device_is_refused(case: Path) -> None:
    (case / "images" / "zero.png").symlink_to("/dev/zero")
    assert check("images/zero.png", case)


def test_symlink_within_the_case_folder_is_accepted(case: Path) -> None:
    (case / "images" / "real.png").write_bytes(png_bytes())
    (case / "images" / "alias.png").symlink_to("real.png")
    assert check("images/alias.png", case) == []


def test_symlink_loop_is_refused(case: Path) -> None:
    (case / "images" / "loop.png").symlink_to("loop.png")
    problems = check("images/loop.png", case)
    assert problems and "cannot be read" in problems[0][0]


def test_fifo_is_refused_without_blocking(case: Path) -> None:
    os.mkfifo(case / "images" / "pipe.png")  # opening it for reading would wait for a writer forever
    problems = check("images/pipe.png", case)
    assert problems and "not a regular file" in problems[0][0]


def test_folder_named_like_an_image_is_refused(case: Path) -> None:
    (case / "images" / "x.png").mkdir()
    problems = check("images/x.png", case)
    assert problems and "is a folder" in problems[0][0]


def test_size_is_checked_before_reading(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open(case / "images" / "big.png", "wb") as handle:  # sparse: no disk used
        handle.truncate(images.MAX_IMAGE_BYTES + 1)
    monkeypatch.setattr(images, "read_bytes", lambda *a: pytest.fail("an oversized file was read"))
    problems = check("images/big.png", case)
    assert problems and f"more than the {images.MAX_IMAGE_BYTES:,} allowed" in problems[0][0]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.text(alphabet="./\\:\0x.png%~", max_size=40))
def test_any_name_gives_a_list_never_an_exception(raw: str) -> None:
    folder = Path(__file__).resolve().parent / "fixtures" / "hostile"  # real folder; nothing is written
    problems = image_problems(raw, folder, folder.parent)
    assert isinstance(problems, list) and all(isinstance(m, str) and isinstance(f, str) for m, f in problems)


# --- raster images ----------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix, fmt", [(".png", "PNG"), (".jpg", "JPEG"), (".jpeg", "JPEG"), (".gif", "GIF"),
                                         (".webp", "WEBP")])
def test_each_raster_format_is_accepted(suffix: str, fmt: str, case: Path) -> None:
    Image.new("RGB", (16, 12), (10, 120, 60)).save(case / "images" / f"x{suffix}", fmt)
    assert check(f"images/x{suffix}", case) == []


def test_gif_named_webp_is_refused(case: Path) -> None:
    Image.new("RGB", (16, 12)).save(case / "images" / "x.webp", "GIF")
    assert "is a GIF image, though its name says WEBP" in check("images/x.webp", case)[0][0]


def test_bomb_warning_never_escapes(case: Path) -> None:
    """10,000 x 10,000 is over Pillow's warning threshold but under its error: the warning becomes a message."""
    (case / "images" / "bomb.png").write_bytes(png_header(10_000, 10_000))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problems = check("images/bomb.png", case)
    assert not caught, [str(w.message) for w in caught]
    assert problems and "decompression bomb" in problems[0][0]


def test_limit_does_not_change_pillow_for_others(case: Path) -> None:
    before = Image.MAX_IMAGE_PIXELS
    (case / "images" / "bomb.png").write_bytes(png_header(30_000, 30_000))
    check("images/bomb.png", case)
    assert Image.MAX_IMAGE_PIXELS == before


# --- SVG --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, expected", [
    ('<a href="&#x6A;avascript:alert(1)"><rect width="1" height="1"/></a>', "linking to 'javascript:alert(1)' (script)"),
    ('<a href="jav&#x0A;ascript:alert(1)"/>', "linking to 'javascript:alert(1)' (script)"),
    ('<image href="images/other.png"/>', "referring to 'images/other.png'"),
    ('<image href="https://example.org/x.png"/>', "referring to 'https://example.org/x.png'"),
    ('<rect onClick="alert(1)"/>', "event handler onclick="),
    ('<rect style="fill: url(  \'file:///etc/x#g\' )"/>', "url(file:///etc/x#g)"),
    ('<rect style="fill: url(/* c */https://example.org/)"/>', "url(https://example.org/)"),
    ('<style>rect { background: image-set("https://example.org/x.png" 1x) }</style>', "image-set"),
    ('<animateTransform attributeName="onbegin" values="x"/>', "animates onbegin"),
    ('<embed src="x.swf"/>', "contains <embed>"),
    ('<object data="x.html"/>', "contains <object>"),
])
def test_svg_refused(body: str, expected: str) -> None:
    problems = svg_problems(f"{SVG_OPEN}{body}</svg>".encode())
    assert any(expected in f"{message} — {fix}" for message, fix in problems), problems


@pytest.mark.parametrize("body", [
    '<a href="#part"><rect id="part" width="1" height="1"/></a>',
    '<rect style="fill: url(#g); stroke: url( &quot;#g&quot; )"/><linearGradient id="g"/>',
    '<animate attributeName="opacity" values="0;1" dur="1s"/>',
    '<text font-family="\'Helvetica\', sans-serif">Only words</text>',
])
def test_svg_accepted(body: str) -> None:
    assert svg_problems(f"{SVG_OPEN}{body}</svg>".encode()) == []


def test_many_problems_of_one_kind_give_one_message() -> None:
    problems = svg_problems((SVG_OPEN + '<rect onclick="x()"/>' * 500 + "</svg>").encode())
    assert len(problems) == 1


def test_deeply_nested_svg_does_not_crash() -> None:
    depth = 100_000
    assert svg_problems((SVG_OPEN + "<g>" * depth + "</g>" * depth + "</svg>").encode()) == []


def test_embedded_raster_bomb_is_refused() -> None:
    data = base64.b64encode(png_header(30_000, 30_000)).decode()
    problems = svg_problems(f'{SVG_OPEN}<image href="data:image/png;base64,{data}"/></svg>'.encode())
    assert problems and "decompression bomb" in problems[0][0]


# --- rendering with resvg ---------------------------------------------------------------------------

def pixels(png: bytes) -> bytes:
    return Image.open(io.BytesIO(png)).convert("RGBA").tobytes()


@pytest.mark.parametrize("reference", [
    '<image x="0" y="0" width="20" height="20" xlink:href="{absolute}"/>',
    '<image x="0" y="0" width="20" height="20" href="{relative}"/>',
    '<filter id="f" x="0" y="0" width="1" height="1"><feImage href="{absolute}" width="20" height="20"/></filter>'
    '<rect width="20" height="20" filter="url(#f)"/>',
])
def test_png_never_reads_a_file_the_svg_names(reference: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(png_bytes((20, 20), (255, 0, 0)))
    monkeypatch.chdir(tmp_path)  # resvg resolves relative names against the working folder
    hostile = f'{SVG_OPEN}<rect width="20" height="20" fill="#ffffff"/>' + \
        reference.format(absolute=secret, relative="secret.png") + "</svg>"
    plain = f'{SVG_OPEN}<rect width="20" height="20" fill="#ffffff"/></svg>'
    assert pixels(bytes(resvg_py.svg_to_bytes(svg_string=hostile, width=20))) != \
        pixels(bytes(resvg_py.svg_to_bytes(svg_string=plain, width=20))), "resvg alone reads the file (the test can fail)"
    assert pixels(visuals.png(hostile, width=20)) == pixels(visuals.png(plain, width=20))


def test_png_keeps_embedded_rasters(tmp_path: Path) -> None:
    data = base64.b64encode(png_bytes((20, 20), (255, 0, 0))).decode()
    svg = f'{SVG_OPEN}<image width="20" height="20" href="data:image/png;base64,{data}"/></svg>'
    assert Image.open(io.BytesIO(visuals.png(svg, width=20))).convert("RGB").getpixel((10, 10)) == (255, 0, 0)


def test_svg_without_file_references_is_passed_on_as_written() -> None:
    svg = f'<?xml version="1.0" encoding="UTF-8"?>\n{SVG_OPEN}<a href="https://example.org/"><rect/></a></svg>'
    assert without_file_references(svg) is svg


def test_png_refuses_a_dtd() -> None:
    with pytest.raises(ValueError):
        visuals.png('<!DOCTYPE svg [<!ENTITY e "x">]>' + f"{SVG_OPEN}<text>&e;</text></svg>")


def test_any_doctype_is_refused_with_a_fix() -> None:
    """Even the harmless-looking public one: defusedxml refuses the DTD itself, not only its entities."""
    doctype = '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    problems = svg_problems(f"{doctype}{SVG_OPEN}</svg>".encode())
    assert len(problems) == 1 and "declares a DTD" in problems[0][0] and "delete the <!DOCTYPE" in problems[0][1]


def test_animation_with_too_many_pixels_in_all_is_refused(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frames = [Image.new("RGB", (20, 10), (40 * i, 0, 0)) for i in range(6)]
    frames[0].save(case / "images" / "clip.gif", save_all=True, append_images=frames[1:])
    assert check("images/clip.gif", case) == []
    monkeypatch.setattr(images, "MAX_ANIMATION_PIXELS", 5 * 20 * 10)
    problems = check("images/clip.gif", case)
    assert problems and "has 6 frames of 20 x 10 pixels" in problems[0][0]


def test_svg_that_is_not_utf8_is_refused() -> None:
    """It is valid XML, but the site reads SVG as UTF-8 text."""
    problems = svg_problems(f'<?xml version="1.0" encoding="UTF-16"?>{SVG_OPEN}</svg>'.encode("utf-16"))
    assert len(problems) == 1 and "is not UTF-8 text" in problems[0][0]


def _copies_of_copies(levels: int, fan: int) -> bytes:
    """`fan` <use> copies of the level below, `levels` deep: fan ** levels rectangles from a few hundred bytes."""
    parts = [f'{SVG_OPEN}<defs><rect id="l0" width="1" height="1"/>']
    parts += [f'<g id="l{n}">' + f'<use href="#l{n - 1}"/>' * fan + "</g>" for n in range(1, levels + 1)]
    return ("".join(parts) + f'</defs><use href="#l{levels}"/></svg>').encode()


def test_use_copies_that_grow_past_what_resvg_draws_are_refused_at_the_figure():
    """resvg stops at 'nodes limit reached' when the deck is made; the figure is refused before that."""
    import resvg_py

    for svg in (_copies_of_copies(5, 16), f'{SVG_OPEN}<g id="a"><use href="#a"/></g></svg>'.encode()):
        assert [reason for reason, _ in svg_problems(svg)] == [
            "grows to more than 900,000 elements through <use> copies of copies (or a <use> of itself), more than "
            "the slides' renderer draws"]
    with pytest.raises(Exception, match="nodes limit"):
        resvg_py.svg_to_bytes(svg_string=_copies_of_copies(5, 16).decode())
    drawable = _copies_of_copies(5, 10)  # about 470,000 elements: a very large drawing, and still drawn
    assert svg_problems(drawable) == [] and resvg_py.svg_to_bytes(svg_string=drawable.decode())
