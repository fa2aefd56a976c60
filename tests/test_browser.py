"""A researcher in a real browser: from the case list to a figure's passage in the paper."""

from urllib.parse import urlparse

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library(transactional_db):
    # Transactional tests empty the database afterwards, so each loads the library itself.
    call_command("load_cases", verbosity=0)


@pytest.fixture
def watched_page(page, live_server):
    """The page, failing the test on console errors or requests to any other host."""
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    own_host = urlparse(live_server.url).hostname

    def check_request(request):
        host = urlparse(request.url).hostname
        if host and host != own_host:
            problems.append(f"request to another host: {request.url}")

    page.on("request", check_request)
    yield page
    assert problems == []


def test_researcher_follows_a_figure_to_its_passage(library, live_server, watched_page):
    page = watched_page
    page.goto(f"{live_server.url}/cases/")
    cards = page.locator("article[data-case]")
    assert cards.count() == 5
    page.locator('article[data-case="sinos-valley"]').get_by_role(
        "link", name="Read the case"
    ).click()
    page.wait_for_url("**/cases/sinos-valley/")
    assert "Sinos Valley" in page.locator("h1").inner_text()

    row = page.locator("#figures tbody tr").filter(has_text="48.2%")
    citation = row.locator("a.cite").first
    assert "48.2%" in citation.get_attribute("title")  # the passage shows on hover
    citation.click()
    page.wait_for_url("**/paper/?from=*")
    highlighted = page.locator(".paper-line.hl")
    assert highlighted.count() >= 1
    assert "48.2%" in " ".join(highlighted.all_inner_texts())
    assert highlighted.first.is_visible()


def test_every_case_page_fits_a_phone_screen(library, live_server, watched_page):
    page = watched_page
    page.set_viewport_size({"width": 375, "height": 800})
    slugs = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]
    for path in ["/cases/", *[f"/cases/{slug}/" for slug in slugs]]:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, path
    menu = page.get_by_role("navigation", name="Main navigation")
    assert not menu.get_by_role("link", name="Cases").is_visible()  # folded away on a phone
    menu.get_by_role("button", name="Toggle navigation").click()
    menu.get_by_role("link", name="Cases").wait_for(state="visible")


def test_case_scorecard_draws_its_radar_from_local_plotly(library, live_server, watched_page):
    page = watched_page
    page.goto(f"{live_server.url}/cases/korea-chaebol-networks/scorecard/")
    page.locator("#radar .main-svg").first.wait_for(state="visible")
    traces = page.evaluate("document.getElementById('radar').data.map(t => t.name)")
    assert "Korean chaebol networks" in traces and len(traces) == 5
    assert page.locator("#points tbody tr").count() == 8
    page.get_by_role("link", name="How scoring works").click()
    page.wait_for_url("**/method/")
    assert page.locator("#point-8").is_visible()
