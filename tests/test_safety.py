"""Data is not code: an injection corpus in every kind of field never runs in a real browser."""

from __future__ import annotations

import shutil

import pytest
import yaml

from conftest import FIXTURES, copy_repository, run_mkdocs, tree_digest

SECOND = FIXTURES / "second-case"
CASE_FOLDER = "content/cases/synthetic-second-case"
PAYLOAD = ("<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=1\">"
           "<svg onload=window.__pwned=1></svg>\"'><b onmouseover=window.__pwned=1>x</b>"
           "{: onclick=\"window.__pwned=1\" } `<script>window.__pwned=1</script>` &lt;script&gt;")
KEEP = {"id", "see", "kind", "cite", "url", "date", "image", "correct", "sex", "licence",
        "caption_provenance", "from_case"}  # ids, enums (vocabulary ids) and addresses have patterns
KEEP_LISTS = {"supports", "regions", "kinds", "shows"}  # lists of ids (an unfolding stage's `shows` holds three)


def poisoned(data, key=None):
    """Every free-text value with the payload appended; ids, enums and addresses left valid."""
    if key in KEEP_LISTS:
        return data
    if isinstance(data, dict):
        return {k: poisoned(v, k) for k, v in data.items()}
    if isinstance(data, list):
        return [poisoned(v, key) for v in data]
    if isinstance(data, str) and key not in KEEP:
        return data + " " + PAYLOAD
    return data


BIB = """
@article{poisoned2026,
  author  = {<script>window.__pwned=1</script>, Eve and {"><img src=x onerror=window.__pwned=1>} and others},
  title   = {<svg onload=window.__pwned=1></svg> "quoted" {<b onmouseover=window.__pwned=1>x</b>}},
  journal = {J <script>window.__pwned=1</script>},
  year    = {2026},
  volume  = {"><script>window.__pwned=1</script>},
  pages   = {1--2},
  doi     = {10.1000/x"><script>window.__pwned=1</script>},
  url     = {https://example.org/"onmouseover="window.__pwned=1}
}
"""


@pytest.fixture(scope="module")
def poisoned_site(tmp_path_factory):
    project = copy_repository(tmp_path_factory.mktemp("poisoned"))
    shutil.copytree(SECOND / "content" / "cases", project / "content" / "cases", dirs_exist_ok=True)
    for path in (project / CASE_FOLDER).glob("*.yml"):
        data = poisoned(yaml.safe_load(path.read_text(encoding="utf-8")))
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(text.replace("[@synthref2026]", "[@synthref2026; @poisoned2026]"), encoding="utf-8")
    glossary = project / "content" / "glossary.yml"
    glossary.write_text(yaml.safe_dump(poisoned(yaml.safe_load(glossary.read_text(encoding="utf-8")))), encoding="utf-8")
    bib = project / "bibliography.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + (SECOND / "extra.bib").read_text(encoding="utf-8") + BIB,
                   encoding="utf-8")
    before = tree_digest(project / "content")
    build = run_mkdocs(project)
    assert build.returncode == 0, build.output
    assert tree_digest(project / "content") == before
    return build


def test_the_corpus_reaches_the_pages_as_text(poisoned_site):
    overview = poisoned_site.html("cases/synthetic-second-case/")
    assert "<script>window.__pwned=1</script>" in overview.get_text()
    assert not overview.select("article script, article [onerror], article [onload], article [onmouseover], "
                               "article [onclick], article svg[onload]")
    references = poisoned_site.html("cases/synthetic-second-case/references/")
    assert "window.__pwned" in references.get_text()
    hrefs = [a["href"] for a in references.select(".reference a[href]")]
    assert hrefs and all(h.startswith("https://doi.org/10.1000/x%22%3E%3Cscript%3E") for h in hrefs)
    assert "onmouseover" not in str(references.select(".reference a"))


# Any inline handler that slipped through fires now, on every element, visible or not (hovering with the
# mouse raced with the previews that open and close under it).
FIRE_EVERY_HANDLER = """() => {
    for (const element of document.querySelectorAll("article *"))
        for (const type of ["mouseover", "mouseenter", "click", "focus", "error", "load"])
            element.dispatchEvent(new Event(type, {cancelable: true}));
}"""


def test_no_injected_script_runs_in_chromium(poisoned_site, serve_site, page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    base = serve_site(poisoned_site.site)
    for path in poisoned_site.pages():
        url = base + path.relative_to(poisoned_site.site).as_posix()
        page.goto(url)
        page.evaluate(FIRE_EVERY_HANDLER)
        assert page.evaluate("window.__pwned") is None, url
    assert dialogs == [] and page.external == []


@pytest.mark.parametrize("text, shown, column", [
    ("[x](javascript:window.__pwned=1)", "link to 'javascript:window.__pwned=1'", 11),
    ("[x]( JaVaScRiPt:alert(1))", "link to 'JaVaScRiPt:alert(1)'", 12),
    ("![x](data:text/html;base64,PHNjcmlwdD4=)", "image 'data:text/html;base64,PHNjcmlwdD4='", 12),
    ("[x](vbscript:msgbox)", "link to 'vbscript:msgbox'", 11),  # reference-style definitions: tests/fixtures/hostile
    ("[x](../../../../etc/passwd)", "link to '../../../../etc/passwd'", 11),
    ("[x](file:///etc/passwd)", "link to 'file:///etc/passwd'", 11),
])
def test_a_dangerous_link_in_yaml_text_stops_the_build_at_its_place(tmp_path, text, shown, column):
    project = copy_repository(tmp_path)
    path = project / "content/cases/calcinosis-cutis-jssc/discussion.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Calcinosis cutis is the deposition", f"{text} Calcinosis cutis is the deposition", 1), encoding="utf-8")
    build = run_mkdocs(project)
    assert build.returncode != 0 and "Traceback" not in build.output
    assert f"content/cases/calcinosis-cutis-jssc/discussion.yml:6:{column}: sections[0].body: {shown} is not allowed" \
        in build.output
