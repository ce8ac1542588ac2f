"""SVG drawn from the case data at build time: the timeline and the body map.

Both are inline SVG with <title>/<desc>, coloured by CSS classes (so they
follow the light/dark palette and print in black), readable without
JavaScript, and every event or site is a link. Text is escaped data.
Shape and written labels carry the meaning, never colour alone.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import resvg_py

from .markup import escape
from .vocabularies import body_regions, event_kinds, site_kinds

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
def _silhouette() -> str:
    """The <g> of assets/body-silhouette.svg: a plain silhouette, drawn at 160 x 400 per view."""
    svg = _asset("body-silhouette.svg")
    return svg[svg.index('<g class="cb-body">'):svg.rindex("</g>") + len("</g>")]


_VIEW_X = {"anterior": 150, "posterior": 330}
_LABEL_X = {"anterior": 140, "posterior": 500}  # labels sit outside each view: left of anterior, right of posterior


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


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width) or [""]


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


def body_map(sites: list[Site], link: Link, *, title: str, thumbnail: bool = False) -> str:
    """Both views with a marker for every site; labels and links unless drawn as a thumbnail."""
    parts = [f'<g transform="translate({x} 20)">{_silhouette()}'
             f'<text class="cb-view" x="80" y="422" text-anchor="middle">{view.capitalize()}</text></g>'
             for view, x in _VIEW_X.items()]
    next_label_y = {"anterior": 40.0, "posterior": 40.0}
    regions = body_regions()
    placed = sorted(enumerate(sites, start=1), key=lambda item: min(regions[r].y for r in item[1].regions))
    for number, site in placed:  # labels top to bottom in the order of their markers, so leaders do not cross
        points = [(regions[r].view, _VIEW_X[regions[r].view] + regions[r].x, 20 + regions[r].y) for r in site.regions]
        marks = "".join(_site_marker(kind, x + 9 * k, y) for _, x, y in points for k, kind in enumerate(site.kinds))
        if thumbnail:
            parts.append(marks)
            continue
        view = points[0][0]
        lines = _lines(f"{number}. {site.label}", 20)
        label_y = max(next_label_y[view], min(y for _, _, y in points) - 4)
        next_label_y[view] = label_y + 15 * len(lines) + 8
        lx = _LABEL_X[view]
        leaders = _leaders(lx + (4 if view == "anterior" else -4), label_y - 4, [(x, y) for _, x, y in points])
        href, text = link(site.see)
        kinds = ", ".join(kind_label(site, k) for k in site.kinds)
        parts.append(_linked(href, f"{number}. {site.label} ({kinds})" + (f"; see {text}" if text else ""),
                             f'{leaders}{marks}{_text(lx, label_y, lines, "cb-label", "end" if view == "anterior" else "start")}'))
    where = "; ".join(f"{n}. {s.label} ({', '.join(kind_label(s, k) for k in s.kinds)})" for n, s in enumerate(sites, 1))
    desc = f"Front and back outline of a body with {len(sites)} marked sites: {where}."
    legend, height = ("", 490) if thumbnail else _legend(kinds_used(sites), y=478)
    box = "140 10 370 440" if thumbnail else f"0 0 660 {height}"  # a thumbnail is just the two figures
    # A drawing with links is a group, not role="img" (which would hide the links from assistive technology).
    role = 'aria-hidden="true"' if thumbnail else 'role="group" aria-labelledby="body-map-title" aria-describedby="body-map-desc"'
    ids = ("", "") if thumbnail else (' id="body-map-title"', ' id="body-map-desc"')
    return (f'<svg class="cb-svg cb-body-map" viewBox="{box}" {role} xmlns="http://www.w3.org/2000/svg">'
            f'<title{ids[0]}>{escape(title)}</title><desc{ids[1]}>{escape(desc)}</desc>{"".join(parts)}{legend}</svg>')


def _legend(items: list[tuple[str, str]], y: int, width: int = 660) -> tuple[str, int]:
    """A marker and the case's label for every kind the map uses, in centred rows; and the drawing's height."""
    rows: list[list[tuple[str, str, int]]] = [[]]
    for kind, text in items:
        size = 12 + 7 * len(text) + 28  # marker, gap, label (about 7 units a character at 13px), space after
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
    return "".join(parts), 490 + 20 * (len(rows) - 1)


def timeline(events: list[TimelineEvent], link: Link, *, title: str) -> str:
    """Events top to bottom in the order they happened (not to scale), each linked to where it is told."""
    rows, y = [], 34
    for event in events:
        when = _lines(event.when, 24)
        what = _lines(event.title, 46)
        href, text = link(event.see)
        see = f'<text class="cb-see" x="216" y="{y + 6 + 15 * len(what)}">See {escape(text)} →</text>' if text else ""
        rows.append(_linked(href, f"{event.when}: {event.title}" + (f"; see {text}" if text else ""),
                            f'{_text(176, y + 4, when, "cb-when", "end")}{_event_marker(event.kind, 196, y)}'
                            f'<text class="cb-kind" x="216" y="{y - 10}">{escape(event_kinds()[event.kind].label.upper())}</text>'
                            f'{_text(216, y + 6, what, "cb-event")}{see}'))
        y += 26 + 15 * (len(what) + 1) + max(0, 15 * (len(when) - len(what) - 1))
    axis = f'<line class="cb-axis" x1="196" y1="14" x2="196" y2="{y - 20}"/>'
    desc = "Events in order, not to scale: " + "; ".join(f"{e.when}: {e.title}" for e in events) + "."
    return (f'<svg class="cb-svg cb-timeline" viewBox="0 0 640 {y}" role="group" aria-labelledby="timeline-title" '
            f'aria-describedby="timeline-desc" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="timeline-title">{escape(title)}</title><desc id="timeline-desc">{escape(desc)}</desc>'
            f'{axis}{"".join(rows)}</svg>')


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
