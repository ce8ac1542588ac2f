"""The case deck as an editable PowerPoint file (python-pptx): 16:9, real text, Arial.

Every slide is laid out on the blank layout with our own text boxes, so the
deck looks the same in PowerPoint, Keynote and LibreOffice; drawings are
PNG pictures rendered from the same SVG as the site.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from functools import partial
from pathlib import Path
from typing import Callable

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from . import visuals
from .cache import Cache
from .slides import Deck, Slide, notes_text

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 x 7.5 in: PowerPoint's own 16:9
MARGIN = Inches(0.6)
FONT = "Arial"
TEAL = RGBColor(0x00, 0x69, 0x5C)
GREY = RGBColor(0x61, 0x61, 0x61)
FIXED_TIME = datetime.datetime(2000, 1, 1)  # core properties would otherwise carry the build time


def cached_pptx(deck: Deck, cache_folder: Path | None) -> bytes:
    """The deck, its drawings rendered through the PNG cache (the same PNGs the site offers for download)."""
    cache = Cache(cache_folder)
    return pptx_deck(deck, lambda svg: cache.get("png", [svg], partial(visuals.png, svg)))


def pptx_deck(deck: Deck, png: Callable[[str], bytes] = visuals.png) -> bytes:
    """`png(svg)` renders drawings and SVG figures; the site passes a cached one."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    blank = presentation.slide_layouts[6]
    for number, slide in enumerate(deck.slides, start=1):
        page = presentation.slides.add_slide(blank)
        _lay_out(page, slide, png, title_slide=number == 1)
        _text_box(page, f"{number} / {len(deck.slides)}", WIDTH - Inches(1.6), HEIGHT - Inches(0.5), Inches(1.2),
                  Inches(0.35), size=11, color=GREY, align=PP_ALIGN.RIGHT)
        page.notes_slide.notes_text_frame.text = notes_text(deck, slide)
    presentation.core_properties.title = deck.case.title[:255]  # the format's limit
    presentation.core_properties.created = presentation.core_properties.modified = FIXED_TIME
    out = io.BytesIO()
    presentation.save(out)
    return _reproducible(out.getvalue())


def _reproducible(package: bytes) -> bytes:
    """The same deck for the same content: zip entries without the time they were written."""
    source, out = zipfile.ZipFile(io.BytesIO(package)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), source.read(info),
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _lay_out(page, slide: Slide, png: Callable[[str], bytes], title_slide: bool) -> None:
    top = Inches(2.4) if title_slide else Inches(0.4)
    _text_box(page, slide.title, MARGIN, top, WIDTH - 2 * MARGIN, Inches(1.0), size=36 if title_slide else 30,
              bold=True, color=TEAL, name="Title")
    body_top = top + Inches(1.1)
    body_height = HEIGHT - body_top - Inches(0.7)
    if slide.subtitle:
        _text_box(page, slide.subtitle, MARGIN, body_top, WIDTH - 2 * MARGIN, Inches(1.0), size=16)
        body_top += Inches(1.1)
    if slide.bullets:
        height = Inches(1.6) if slide.options else body_height
        size = 20 if len(slide.bullets) <= 4 else 17 if len(slide.bullets) <= 7 else 14
        _text_box(page, slide.bullets, MARGIN, body_top, WIDTH - 2 * MARGIN, height, size=size,
                  bullets=not (title_slide or slide.options or slide.numbered))
        body_top += height if slide.options else 0
    if slide.options:
        _text_box(page, slide.options, MARGIN, body_top, WIDTH - 2 * MARGIN, HEIGHT - body_top - Inches(0.7), size=18)
    if slide.table:
        _table(page, slide.table, body_top)
    picture_height = body_height - (Inches(1.0) if slide.caption else 0)
    if slide.svg:
        _picture(page, png(slide.svg), body_top, picture_height)
    elif slide.image:
        data = slide.image.read_bytes()
        _picture(page, png(data.decode("utf-8")) if slide.image.suffix.lower() == ".svg" else data,
                 body_top, picture_height)
    elif slide.placeholder:
        box = page.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(2.5), body_top, WIDTH - Inches(5), picture_height)
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor(0xF5, 0xF5, 0xF5)
        box.line.color.rgb = GREY
        box.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        _fill(box.text_frame, [slide.placeholder], size=18, color=RGBColor(0x1F, 0x1F, 0x1F), align=PP_ALIGN.CENTER)
        box.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    if slide.caption:
        _text_box(page, [slide.caption, slide.credit], MARGIN, HEIGHT - Inches(1.6), WIDTH - 2 * MARGIN, Inches(0.9),
                  size=14, name="Caption")


def _text_box(page, text, left, top, width, height, *, size=18, bold=False, color=None, align=None, bullets=False,
              name=None):
    box = page.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    box.text_frame.word_wrap = True
    _fill(box.text_frame, [text] if isinstance(text, str) else text, size=size, bold=bold, color=color, align=align,
          bullets=bullets)
    return box


def _fill(frame, lines, *, size, bold=False, color=None, align=None, bullets=False):
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = f"• {line}" if bullets else line
        run.font.name, run.font.size, run.font.bold = FONT, Pt(size), bold
        if color is not None:
            run.font.color.rgb = color
        if align is not None:
            paragraph.alignment = align
        paragraph.space_after = Pt(6)


def _table(page, rows: list[list[str]], top) -> None:
    widths = [2.3, 1.5, 1.5, 2.8, 4.03]  # inches, summing to the text width; citations stand beside their claims
    shape = page.shapes.add_table(len(rows), len(rows[0]), MARGIN, top, WIDTH - 2 * MARGIN, Inches(0.5) * len(rows))
    table = shape.table
    for column, inches in enumerate(widths[:len(rows[0])]):
        table.columns[column].width = Inches(inches)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.text_frame.word_wrap = True
            cell.text_frame.paragraphs[0].text = ""
            _fill(cell.text_frame, [value], size=11 if r else 12, bold=r == 0)


def _picture(page, data: bytes, top, height) -> None:
    """Centred, as large as fits, keeping its proportions."""
    with Image.open(io.BytesIO(data)) as image:
        ratio = image.width / image.height
    width = min(WIDTH - 2 * MARGIN, Emu(int(height * ratio)))
    height = Emu(int(width / ratio))
    page.shapes.add_picture(io.BytesIO(data), int((WIDTH - width) / 2), top, width, height)
