"""Timeline and body map SVG drawn from the YAML (clinicase.visuals)."""

import itertools
import math
import re
from urllib.parse import urljoin

import yaml
from bs4 import BeautifulSoup

from clinicase.content import Site, TimelineEvent
from clinicase.timeline import events as timeline_events
from clinicase.visuals import SHAPES, body_map, timeline
from clinicase.vocabularies import FOLDER, body_regions, body_views, event_kinds, site_kinds
from conftest import FIXTURES, REPO

CASE = "cases/calcinosis-cutis-jssc/"
SECOND = "cases/synthetic-second-case/"


def link(target):
    return f"page/#{target}", f"Label of {target}"


def test_svg_text_is_escaped_data():
    site = Site(("knee-left",), ("lesion",), '<script>alert(1)</script> & "x"', "fig-a")
    svg = body_map([site], link, title="<b>map</b>")
    assert "<script>" not in svg and "<b>" not in svg and "&lt;script&gt;" in svg


def test_timeline_has_a_title_a_description_and_a_link_per_event():
    events = [TimelineEvent("a", "2001", "First", "history", "sec-x"), TimelineEvent("b", "Later", "Second", "surgery", "fig-y")]
    svg = BeautifulSoup(timeline(events, link, title="Timeline"), "html.parser").svg
    assert svg.title.get_text() == "Timeline" and "2001: First; Later: Second" in svg.desc.get_text()
    assert [a["href"] for a in svg.select("a")] == ["page/#sec-x", "page/#fig-y"]
    assert "script" not in str(svg)



def test_a_site_in_two_regions_has_one_leader_and_a_bracket_not_a_line_through_a_marker():
    site = Site(("gluteal-left", "gluteal-right"), ("lesion",), "Both gluteal regions", "fig-a")
    svg = BeautifulSoup(body_map([site], link, title="Map"), "html.parser")
    (leader,) = svg.select("line.cb-leader")
    (bracket,) = svg.select("polyline.cb-bracket")
    near, far = sorted((body_regions()[r].x for r in site.regions), reverse=True)  # the label is right of the posterior view
    assert float(leader["x2"]) - 340 == near  # the posterior view is drawn 340 units across (centred, 20 after the anterior)
    assert bracket["points"].split()[-1].split(",")[0] == str(340 + far)

def case_yaml(folder, name):
    return yaml.safe_load((folder / f"{name}.yml").read_text(encoding="utf-8"))


def check_drawings(build, case_path, folder):
    """Every site and every event in the YAML is drawn, labelled, and links to a real anchor."""
    overview = build.html(case_path)
    body_map_svg = overview.select_one("#sec-body-map ~ figure svg.cb-body-map")
    assert body_map_svg.title.get_text() and body_map_svg.desc.get_text()
    sites = case_yaml(folder, "sites")["sites"]
    drawn = body_map_svg.select("a")
    assert len(drawn) == len(sites)
    for number, (site, anchor) in enumerate(zip(sites, sorted(drawn, key=lambda a: int(a.title.get_text().split(".")[0]))), 1):
        assert anchor.title.get_text().startswith(f"{number}. {site['label']}")
        assert " ".join(t.get_text() for t in anchor.select("text tspan")) == f"{number}. {site['label']}"
        assert len(anchor.select(".cb-mark")) == len(site["regions"]) * len(site["kinds"])
        assert anchor["href"].endswith("#" + site["see"])
        _resolves(build, case_path, anchor["href"])
    presentation = build.html(case_path + "presentation/")
    timeline_svg = presentation.select_one("svg.cb-timeline")
    events = case_yaml(folder, "timeline")["events"]
    drawn = timeline_svg.select("a")
    assert [a.title.get_text().rsplit("; see ", 1)[0] for a in drawn] == [
        f"{e.described}: {e.title}" for e in timeline_events({"events": events})]
    for event, anchor in zip(events, drawn):
        assert anchor["href"].endswith("#" + event["see"])
        _resolves(build, case_path + "presentation/", anchor["href"])


def _resolves(build, page, href):
    target = urljoin(f"/{page}", href)
    path, anchor = target.split("#")
    assert build.html(path.lstrip("/")).select_one(f"#{anchor}"), target


def test_every_site_and_event_of_the_real_case_is_drawn_and_linked(real_site):
    check_drawings(real_site, CASE, REPO / "content" / CASE)


def test_the_second_case_gets_its_own_map_and_timeline(casebook_site):
    check_drawings(casebook_site, SECOND, FIXTURES / "second-case" / "content" / SECOND)


def test_regions_are_drawn_on_the_right_side_of_each_view():
    """Facing front: the patient's right is on the viewer's left. Facing back: on the viewer's right."""
    views = body_views()
    for name, region in body_regions().items():
        front = views[region.view].facing == "front"
        if name.endswith("-right"):
            assert (region.x < 80) == front, name
        if name.endswith("-left"):
            assert (region.x > 80) == front, name


def test_every_region_is_drawn_at_a_place_of_its_own_on_a_view():
    """No two regions share a marker position, and no marker's centre lies under another's (markers are 6 units
    across from the centre; the organ and skeleton views, drawn larger, keep whole markers apart)."""
    regions, views = body_regions(), body_views()
    assert {r.view for r in regions.values()} == set(views)
    assert all(0 <= r.x <= 160 and 0 <= r.y <= views[r.view].height and r.name for r in regions.values())
    assert all(re.fullmatch(r"UBERON:[0-9]{7}", r.uberon) for r in regions.values() if r.uberon)
    for a, b in itertools.combinations(regions.values(), 2):
        if a.view == b.view:
            apart = math.dist((a.x, a.y), (b.x, b.y)) * views[a.view].scale
            assert apart >= (12 if views[a.view].scale > 1 else 7), (a.id, b.id, apart)


def test_every_kind_has_a_label_and_a_shape_that_is_drawn():
    for kinds in (site_kinds(), event_kinds()):
        assert all(k.label and k.shape in SHAPES for k in kinds.values())
    assert all(k.colour in {"accent", "primary", "alert"} for k in site_kinds().values())
    assert len({k.shape for k in site_kinds().values()}) == len(site_kinds())  # shape tells kinds apart, not colour


def test_the_generic_vocabularies_name_no_disease():
    text = (FOLDER / "site-kinds.json").read_text(encoding="utf-8").lower()
    assert "calcinosis" not in text
    assert set(site_kinds()) == {"lesion", "imaging-finding", "procedure", "device-or-implant", "other-finding"}


def legend(svg):
    return [t.get_text() for t in BeautifulSoup(svg, "html.parser").select("text.cb-legend")]


def test_the_legend_lists_exactly_the_kinds_the_case_uses():
    svg = body_map([Site(("knee-left",), ("procedure",), "A knee", "fig-a")], link, title="Map")
    assert legend(svg) == ["Procedure"]
    assert "Calcinosis" not in svg and "Lesion" not in svg and "Other finding" not in svg


def test_the_legend_and_labels_use_the_case_words_for_its_kinds():
    sites = [Site(("knee-left",), ("lesion", "procedure"), "A knee", "fig-a", ("Nodule", "Excision")),
             Site(("chin",), ("other-finding",), "Chin", "fig-b")]
    svg = body_map(sites, link, title="Map")
    assert legend(svg) == ["Nodule", "Excision", "Other finding"]
    assert "1. A knee (Nodule, Excision); see Label of fig-a" in svg
    assert "Lesion" not in svg and "Procedure" not in svg


def test_a_long_legend_wraps_inside_the_drawing():
    sites = [Site(("knee-left",), tuple(site_kinds()), "A knee", "fig-a", tuple("A rather long label" for _ in site_kinds()))]
    soup = BeautifulSoup(body_map(sites, link, title="Map"), "html.parser")
    width, height = (float(v) for v in soup.svg["viewbox"].split()[2:])
    texts = soup.select("text.cb-legend")
    assert len(texts) == len(site_kinds()) and len({t["y"] for t in texts}) > 1
    assert all(0 <= float(t["x"]) and float(t["x"]) + 7 * len(t.get_text()) <= width for t in texts)
    assert max(float(t["y"]) for t in texts) < height


def test_the_real_case_calls_its_lesions_calcinosis_and_its_procedures_surgery(real_site):
    svg = real_site.html(CASE).select_one("#sec-body-map ~ figure svg.cb-body-map")
    assert [t.get_text() for t in svg.select("text.cb-legend")] == ["Calcinosis", "Surgery", "Other finding"]
