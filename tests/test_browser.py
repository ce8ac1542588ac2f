"""Reader behaviour in a real headless Chromium."""

CASE = "cases/calcinosis-cutis-jssc/"


def test_reference_preview_opens_on_keyboard_focus_and_on_hover(real_site, serve_site, page):
    page.goto(serve_site(real_site.site) + CASE + "discussion/")
    first = page.locator("a.citation-link").first
    tip = page.locator(f"#{first.get_attribute('aria-describedby')}")
    entry = page.locator(f"{first.get_attribute('href')} .reference").inner_text()
    assert not tip.is_visible()
    first.focus()
    assert tip.is_visible() and entry in tip.inner_text()
    first.blur()
    assert not tip.is_visible()
    first.hover()
    assert tip.is_visible()


def test_citation_link_jumps_to_its_entry(real_site, serve_site, page):
    page.goto(serve_site(real_site.site) + CASE + "treatments/")
    link = page.locator("a.citation-link").first
    number = link.inner_text()
    link.click()
    assert page.url.endswith(f"#ref-{number}")
    assert page.locator(f"#ref-{number}").is_visible()


def test_pages_make_no_request_to_another_host(real_site, serve_site, page):
    base = serve_site(real_site.site)
    for path in ["", CASE, CASE + "presentation/", CASE + "figures/", CASE + "references/", "bibliography/", "about/"]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    assert page.external == []
