"""The API's docs page in a real browser: Swagger UI drawn from the app's own static files,
under the site's CSP, with nothing fetched from another host and no console error."""

import pytest
from playwright.sync_api import expect

from .test_browser import watched_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["watched_page"]  # the fixture, shared with the other browser tests


def test_the_api_docs_page_draws_the_endpoints_from_local_files_only(live_server, watched_page):
    page = watched_page
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ClusterDx API")
    operations = page.locator(".opblock-summary-path")
    expect(operations.filter(has_text="/api/assessments/{pk}/").first).to_be_visible()
    assert page.locator(".validator, img[src*='validator']").count() == 0
