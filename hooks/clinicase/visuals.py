"""SVG drawn from the case data at build time: the timeline and the body map.

Both are inline SVG with <title>/<desc>, coloured by CSS classes (so they
follow the light/dark palette and print in black), readable without
JavaScript, and every event or site is a link. Text is escaped data.
Shape and written labels carry the meaning, never colour alone.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import resvg_py

from .markup import escape
from .timeline import Moment, covers, date_label, days
from .vocabularies import Region, View, body_regions, body_views, event_kinds, site_kinds

if TYPE_CHECKING:
    from .content import Site, TimelineEvent

ASSETS = Path(__file__).parent / "assets"
Link = Callable[[str], tuple[str, str]]  # target id -> (href, link text)

# The vocabularies (body regions, site kinds, event kinds) are data: schemas/vocabularies/, read by .vocabularies.
# Stylesheet classes that give each palette colour of a site-kind marker (docs/assets/casebook.css and
# assets/standalone.css colour them, light and dark).
_COLOUR_CLASS = {"accent": "cb-presentation", "primary": "cb-treatment", "alert": "cb-recurrence"}


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    """A file of assets/, read once per process (cache.code_version counts it in the build cache key)."""
    return (ASSETS / name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _drawing(name: str) -> str:
    """The groups of an assets/ drawing (a view in the 160 x 400 system), without its <svg> element or comments."""
    svg = re.sub(r"<!--.*?-->", "", _asset(name), flags=re.S)
    return svg[svg.index("<g"):svg.rindex("</g>") + len("</g>")]


WIDTH = 660  # of a body map: its panels are centred in it
GAP = 20  # between the views of a panel
_EDGE = 8  # no text comes nearer a drawing's edge than this
LABEL_GAP = 10  # between a view and the labels beside it (wrapped to the room left on their side)


def _shape(shape: str, classes: str, x: float, y: float) -> str:
    """A marker of the shape a vocabulary names for its kind (shape and label carry the meaning, not colour)."""
    cls = f'class="cb-mark {classes}{" cb-hollow" if shape.startswith("hollow-") else ""}"'
    if shape == "square":
        return f'<rect {cls} x="{x - 5}" y="{y - 5}" width="10" height="10"/>'
    if shape == "diamond":
        return f'<path {cls} d="M{x} {y - 7} L{x + 7} {y} L{x} {y + 7} L{x - 7} {y} Z"/>'
    if shape == "triangle":
        return f'<path {cls} d="M{x} {y - 7} L{x + 7} {y + 6} L{x - 7} {y + 6} Z"/>'
    if shape == "plus":
        return (f'<path {cls} d="M{x - 2.5} {y - 7} H{x + 2.5} V{y - 2.5} H{x + 7} V{y + 2.5} H{x + 2.5} V{y + 7} '
                f'H{x - 2.5} V{y + 2.5} H{x - 7} V{y - 2.5} H{x - 2.5} Z"/>')
    if shape in {"circle", "hollow-circle"}:
        return f'<circle {cls} cx="{x}" cy="{y}" r="6"/>'
    raise ValueError(f"no marker is drawn for the shape {shape!r}")


SHAPES = ("circle", "hollow-circle", "square", "diamond", "triangle", "plus")  # what _shape draws


def _site_marker(kind: str, x: float, y: float) -> str:
    k = site_kinds()[kind]
    return _shape(k.shape, f"cb-{kind} {_COLOUR_CLASS.get(k.colour, '')}".rstrip(), x, y)


def _event_marker(kind: str, x: float, y: float) -> str:
    return _shape(event_kinds()[kind].shape, f"cb-{kind}", x, y)


def kind_label(site: Site, kind: str) -> str:
    """The case's word for a kind of this site (its kind_labels), else the vocabulary's default label."""
    return dict(zip(site.kinds, site.kind_labels)).get(kind) or site_kinds()[kind].label


def kinds_used(sites: list[Site]) -> list[tuple[str, str]]:
    """(kind, label) of every kind the sites use, in the vocabulary's order: what the legend shows."""
    used = {k: kind_label(s, k) for s in reversed(sites) for k in s.kinds}  # the first site's label wins
    return [(k, used[k]) for k in site_kinds() if k in used]


def text_width(text: str, size: float, spacing: float = 0.0) -> float:
    """A generous estimate of how wide a line of text is drawn at `size` px (letter-spacing in em), from the
    advance widths of DejaVu Sans Bold, the widest of the usual sans-serif fonts: wrapping to it keeps every
    line inside the drawing whichever font the reader's system has."""
    em = 0.0
    for c in text:
        if c == " ":
            em += 0.35
        elif c in "iljI.,:;'|!":
            em += 0.46
        elif c in "frt()[]-/\\":
            em += 0.5
        elif c in "mwMW%@":
            em += 1.1
        elif c.isascii():
            em += 0.86 if c.isupper() or c in "#+<=>^~&" else 0.72
        else:
            em += 0.0 if unicodedata.combining(c) else 1.0
    return (em + spacing * len(text)) * size


def wrap(text: str, width: float, size: float, spacing: float = 0.0) -> list[str]:
    """Lines of `text` no wider than `width` at `size` px; a word too long for a line is broken."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if text_width(joined, size, spacing) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        line = ""
        for c in word:  # a word longer than the line: as much as fits, then the rest on the next line
            if line and text_width(line + c, size, spacing) > width:
                lines.append(line)
                line = ""
            line += c
    return [*lines, line] if line or not lines else lines


def _text(x: float, y: float, lines: list[str], cls: str, anchor: str = "start", step: int = 15) -> str:
    spans = "".join(f'<tspan x="{x}" dy="{0 if i == 0 else step}">{escape(line)}</tspan>' for i, line in enumerate(lines))
    return f'<text class="{cls}" x="{x}" y="{y}" text-anchor="{anchor}">{spans}</text>'


def _linked(href: str, title: str, drawing: str) -> str:
    """A link with a tooltip title on the site; a plain group in files that link nowhere."""
    tag = f'a href="{escape(href)}"' if href else "g"
    return f"<{tag}><title>{escape(title)}</title>{drawing}</{tag.split()[0]}>"


def _leaders(x: float, y: float, points: list[tuple[float, float]]) -> str:
    """One leader from the label to the nearest marker, and a bracket beneath the markers to the others,
    so that a line never runs through another marker (two gluteal regions side by side)."""
    (nx, ny), *others = sorted(points, key=lambda p: abs(p[0] - x))
    lines = [f'<line class="cb-leader" x1="{x}" y1="{y}" x2="{nx}" y2="{ny}"/>']
    lines += [f'<polyline class="cb-leader cb-bracket" points="{nx},{ny + 8} {nx},{max(ny, oy) + 12} {ox},{max(ny, oy) + 12} '
              f'{ox},{oy + 8}"/>' for ox, oy in others]
    return "".join(lines)


@dataclass
class _Placed:
    """A view where it is drawn: its top-left corner and scale, and where its labels go."""
    view: View
    x: float
    y: float
    side: str  # "left", "right", or "" (each label goes to the side of its marker)

    def point(self, region: Region) -> tuple[float, float]:
        return self.x + self.view.scale * region.x, self.y + self.view.scale * region.y


def _panels(sites: list[Site]) -> list[list[View]]:
    """The panels a map needs, top to bottom: the front and back of the body, organs, skeleton, as used."""
    used = {body_regions()[r].view for site in sites for r in site.regions}
    panels: dict[str, list[View]] = {}
    for view in body_views().values():
        panels.setdefault(view.panel, []).append(view)
    return [views for views in panels.values() if used & {v.id for v in views}]


def _place(views: list[View], top: int) -> list[_Placed]:
    width = sum(160 * v.scale for v in views) + GAP * (len(views) - 1)
    x, placed = (WIDTH - width) // 2, []  # whole units: coordinates print as written
    for i, view in enumerate(views):
        side = "" if len(views) == 1 else ("left" if i == 0 else "right")
        placed.append(_Placed(view, x, top, side))
        x += 160 * view.scale + GAP
    return placed


def _view_drawing(placed: _Placed) -> str:
    """The view's drawing at its place and scale, cut at the view's height (a nested <svg> clips without ids)."""
    view, s = placed.view, placed.view.scale
    return (f'<svg x="{placed.x}" y="{placed.y}" width="{160 * s}" height="{view.height * s}" '
            f'viewBox="0 0 160 {view.height}">{_drawing(view.drawing)}</svg>'
            f'<text class="cb-view" x="{placed.x + 80 * s}" y="{placed.y + view.height * s + 22}" '
            f'text-anchor="middle">{escape(view.label)}</text>')


def _site_marks(site: Site, points: list[tuple[float, float]]) -> str:
    return "".join(_site_marker(kind, x + 9 * k, y) for x, y in points for k, kind in enumerate(site.kinds))


def _panel(views: list[View], top: int, numbered: list[tuple[int, Site]], link: Link) -> tuple[list[str], float]:
    """One panel: its views, and each site with regions in it marked, labelled beside the views and linked;
    and the panel's height (longer when its labels run below the drawing)."""
    placed = _place(views, top)
    parts = [_view_drawing(p) for p in placed]
    left, right = placed[0].x - LABEL_GAP, placed[-1].x + 160 * placed[-1].view.scale + LABEL_GAP
    next_y = {"left": top + 20, "right": top + 20}
    regions, where = body_regions(), {p.view.id: p for p in placed}
    marked = []
    for number, site in numbered:
        points = [(where[regions[r].view], regions[r]) for r in site.regions if regions[r].view in where]
        if points:
            marked.append((min(p.point(r)[1] for p, r in points), number, site, points))
    for _, number, site, points in sorted(marked, key=lambda m: m[0]):  # labels top to bottom, so leaders do not cross
        xy = [p.point(r) for p, r in points]
        first, region = points[0]
        side = first.side or ("left" if region.x < 80 else "right")
        lx = left if side == "left" else right
        lines = wrap(f"{number}. {site.label}", lx - _EDGE if side == "left" else WIDTH - _EDGE - lx, 13)
        label_y = max(next_y[side], min(y for _, y in xy) - 4)
        next_y[side] = label_y + 15 * len(lines) + 8
        leaders = _leaders(lx + (4 if side == "left" else -4), label_y - 4, xy)
        href, text = link(site.see)
        kinds = ", ".join(kind_label(site, k) for k in site.kinds)
        parts.append(_linked(href, f"{number}. {site.label} ({kinds})" + (f"; see {text}" if text else ""),
                             f'{leaders}{_site_marks(site, xy)}'
                             f'{_text(lx, label_y, lines, "cb-label", "end" if side == "left" else "start")}'))
    drawn = max(p.view.height * p.view.scale for p in placed) + 40
    return parts, max(drawn, *(y - top for y in next_y.values()))


def body_map(sites: list[Site], link: Link, *, title: str, thumbnail: bool = False) -> str:
    """The views a case's sites need, a marker for every site; labels and links unless drawn as a thumbnail."""
    numbered = list(enumerate(sites, start=1))
    panels = _panels(sites)
    views = [v for panel in panels for v in panel]
    where = "; ".join(f"{n}. {s.label} ({', '.join(kind_label(s, k) for k in s.kinds)})" for n, s in numbered)
    desc = (f"Outline of a body ({', '.join(v.label.lower() for v in views)}) with {len(sites)} marked "
            f"sites: {where}.")
    if thumbnail:
        return _thumbnail(sites, views, title, desc)
    parts, top = [], 10
    for panel in panels:
        drawn, height = _panel(panel, top, numbered, link)
        parts += drawn
        top += height + 10
    legend, height = _legend(kinds_used(sites), y=top + 18)
    # A drawing with links is a group, not role="img" (which would hide the links from assistive technology).
    return (f'<svg class="cb-svg cb-body-map" viewBox="0 0 {WIDTH} {height}" role="group" '
            f'aria-labelledby="body-map-title" aria-describedby="body-map-desc" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="body-map-title">{escape(title)}</title><desc id="body-map-desc">{escape(desc)}</desc>'
            f'{"".join(parts)}{legend}</svg>')


def _thumbnail(sites: list[Site], views: list[View], title: str, desc: str) -> str:
    """Only the views with their markers, side by side at one scale: a card's picture, hidden from assistive
    technology (the card says the same in words)."""
    regions, parts = body_regions(), []
    for i, view in enumerate(views):
        flat = _Placed(dataclasses.replace(view, scale=1, height=400), i * (160 + GAP), 0, "")
        parts.append(f'<svg x="{flat.x}" y="0" width="160" height="400" viewBox="0 0 160 400">'
                     f'{_drawing(view.drawing)}</svg>')
        parts += [_site_marks(site, [flat.point(regions[r]) for r in site.regions if regions[r].view == view.id])
                  for site in sites]
    width = len(views) * (160 + GAP) - GAP
    return (f'<svg class="cb-svg cb-body-map" viewBox="-10 -10 {width + 20} 420" aria-hidden="true" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
            f'{"".join(parts)}</svg>')


def _legend(items: list[tuple[str, str]], y: int, width: int = 660) -> tuple[str, int]:
    """A marker and the case's label for every kind the map uses, in centred rows; and the drawing's height."""
    rows: list[list[tuple[str, str, int]]] = [[]]
    for kind, text in items:
        size = 12 + text_width(text, 13) + 28  # marker, gap, label (kind labels are at most 40 characters), space after
        if rows[-1] and sum(s for *_, s in rows[-1]) + size > width - 40:
            rows.append([])
        rows[-1].append((kind, text, size))
    parts = []
    for r, row in enumerate(rows):
        x = (width - sum(s for *_, s in row) + 28) / 2
        for kind, text, size in row:
            parts.append(f'{_site_marker(kind, x + 6, y + 20 * r - 4)}'
                         f'<text class="cb-label cb-legend" x="{x + 18}" y="{y + 20 * r}">{escape(text)}</text>')
            x += size
    return "".join(parts), y + 12 + 20 * (len(rows) - 1)


# --- the timeline ------------------------------------------------------------------------

TIMELINE_WIDTH = 640
_AXIS = 196  # x of the axis and the event markers
_TEXT_X = 216  # where the kind, title and link of each event start
_LANE = 9  # a span's bar is drawn left of the axis, one lane per span running at the same time
_MAX_LANES = 6


def _within(later: TimelineEvent, span: TimelineEvent) -> bool | None:
    """Whether an event listed after a span may start before the span ends (True), starts after it (False),
    or cannot be compared with it (None: one is dated by age, the other by date, or either not at all)."""
    end = span.end
    start = later.start or Moment(later.date, later.age)
    if end is None:
        return None
    if end.date and start.date and days(end.date) and days(start.date):
        return days(start.date)[0] <= days(end.date)[1]
    if end.age is not None and start.age is not None:
        return start.age <= end.age
    return None


def _span_rows(events: list[TimelineEvent]) -> dict[int, int]:
    """For each span, the last row its bar reaches: the last event listed after it that may start during it
    (events listed between are, by their order, within it too); its own row for an open span."""
    reach = {}
    for i, event in enumerate(events):
        if not event.is_span:
            continue
        last = i
        for j in range(i + 1, len(events)):
            inside = _within(events[j], event)
            if inside is False:
                break
            if inside:
                last = j
        reach[i] = last
    return reach


def _lanes(reach: dict[int, int]) -> dict[int, int]:
    """A lane for every span's bar, so that bars running at the same time stand side by side."""
    ends: list[int] = []  # the last row of the bar in each lane
    lanes = {}
    for i, last in sorted(reach.items()):
        lane = next((k for k, e in enumerate(ends) if e < i), None)
        if lane is None and len(ends) < _MAX_LANES:
            lane = len(ends)
            ends.append(last)
        elif lane is None:  # more spans at once than lanes: share the lane that frees first (rare; still drawn)
            lane = min(range(len(ends)), key=ends.__getitem__)
        ends[lane] = max(ends[lane], last)
        lanes[i] = lane
    return lanes


def _scale_heading(events: list[TimelineEvent]) -> str:
    """What the labels left of the axis are: dates, ages (their own axis when no date is given), or both."""
    scales = {s for e in events for s in e.scales}
    return {frozenset({"date"}): "DATE", frozenset({"age"}): "AGE", frozenset({"date", "age"}): "DATE / AGE"}.get(
        frozenset(scales), "")


def timeline(events: list[TimelineEvent], link: Link, *, title: str) -> str:
    """Events top to bottom in the order they happened (not to scale), each linked to where it is told.

    Left of the axis, each event's date or age as the source gives it ('2003', 'October 2017', 'Age 27',
    'Age 27–31', 'From 2015'), with the source's words where they say more; an undated event has only the
    words, and keeps its place in the order. A span is a bar beside the axis from its start down to the last
    event that may fall within it; an open span (no end given) is a dashed bar of its own row. Every line is
    wrapped to fit the drawing, the link text too."""
    reach = _span_rows(events)
    lanes = _lanes(reach)
    used = max(lanes.values(), default=-1) + 1
    label_x = _AXIS - 20 - _LANE * used  # right edge of the labels left of the axis
    left_width, right_width = label_x - _EDGE, TIMELINE_WIDTH - _EDGE - _TEXT_X
    heading = _scale_heading(events)
    parts = [f'<text class="cb-view" x="{label_x}" y="18" text-anchor="end">{escape(heading)}</text>' if heading else "",
             f'<text class="cb-view" x="{_TEXT_X}" y="18">IN ORDER, NOT TO SCALE</text>']
    rows, tops, bottoms, y = [], [], [], 56
    for event in events:
        dating = _dating_lines(event, left_width)
        words = event.when if event.when and not (event.dating and covers(event.when, event.dating)) else ""
        when = wrap(words, left_width, 12) if words else []
        what = wrap(event.title, right_width, 13)
        href, text = link(event.see)
        see = wrap(f"See {text} →", right_width, 12) if text else []
        kind = event_kinds()[event.kind].label.upper()
        left = _text(label_x, y + 4, dating, "cb-date", "end") if dating else ""
        left += _text(label_x, y + 4 + 15 * len(dating), when, "cb-when", "end") if when else ""
        see_y = y + 6 + 15 * len(what)
        bottom = max(see_y + 14 * (len(see) - 1) if see else see_y - 15, y + 4 + 15 * (len(dating) + len(when) - 1))
        rows.append([event, href, text, y, bottom,
                     f'{left}{_event_marker(event.kind, _AXIS, y)}'
                     f'<text class="cb-kind" x="{_TEXT_X}" y="{y - 10}">{escape(kind)}</text>'
                     f'{_text(_TEXT_X, y + 6, what, "cb-event")}'
                     f'{_text(_TEXT_X, see_y, see, "cb-see", step=14) if see else ""}'])
        tops.append(y)
        bottoms.append(bottom)
        y = bottom + 36
    for i, (event, href, text, row_y, bottom, drawing) in enumerate(rows):
        bar = ""
        if event.is_span:
            cx = _AXIS - 14 - _LANE * lanes[i]
            last = reach[i]
            end_y = tops[last] + 6 if last > i else bottom
            cls = "cb-span cb-span-open" if event.is_open else "cb-span"
            bar = (f'<line class="cb-leader" x1="{cx}" y1="{row_y}" x2="{_AXIS - 7}" y2="{row_y}"/>'
                   f'<rect class="{cls}" x="{cx - 3}" y="{row_y - 6}" width="6" height="{end_y - row_y + 6}" rx="3"/>')
        parts.append(_linked(href, f"{event.described}: {event.title}" + (f"; see {text}" if text else ""), bar + drawing))
    height = y - 16
    axis = f'<line class="cb-axis" x1="{_AXIS}" y1="30" x2="{_AXIS}" y2="{height - 12}"/>'
    desc = "Events in order, not to scale: " + "; ".join(
        f"{e.described}{' (a span, end not given)' if e.is_open else ''}: {e.title}" for e in events) + "."
    return (f'<svg class="cb-svg cb-timeline" viewBox="0 0 {TIMELINE_WIDTH} {height}" role="group" '
            f'aria-labelledby="timeline-title" aria-describedby="timeline-desc" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="timeline-title">{escape(title)}</title><desc id="timeline-desc">{escape(desc)}</desc>'
            f'{axis}{"".join(parts)}</svg>')


def _dating_lines(event: TimelineEvent, width: float) -> list[str]:
    """The date or age left of the axis; a point given both ways on two lines ('2004', 'Age 27')."""
    if not event.is_span and event.date and event.age is not None:
        return [*wrap(date_label(event.date), width, 12), *wrap(f"Age {event.age}", width, 12)]
    return wrap(event.dating, width, 12) if event.dating else []


# --- standalone files (downloads, slides) -------------------------------------------


def standalone(svg: str) -> str:
    """The same drawing as a file of its own: white background and colours written in."""
    head, _, rest = svg.partition(">")
    background = '<rect x="-1000" y="-1000" width="4000" height="4000" fill="#ffffff"/>'
    style = _asset("standalone.css")  # the light palette as plain colours: outside the site there are no CSS variables
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{head}><style>\n{style}</style>{background}{rest}\n'


def png(svg_file: str, width: int = 1600) -> bytes:
    """A PNG of a standalone SVG, rendered by resvg (no browser, no system library).

    resvg reads any file an <image> or <feImage> names: an absolute path whatever `resources_dir` says,
    a relative one against the working folder (or `resources_dir`, which '..' leaves). So those references
    are removed before rendering: no file of the build machine ends up in a picture, and no pipe or device is read."""
    from .images import without_file_references  # here, so the module's import stays as light as before

    return bytes(resvg_py.svg_to_bytes(svg_string=without_file_references(svg_file), width=width))
