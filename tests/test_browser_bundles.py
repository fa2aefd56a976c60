"""An admin in a real browser: uploads a bundle with one error, reads it, fixes it, confirms."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "sialkot-example.json"


def test_admin_uploads_a_bundle_reads_the_error_fixes_it_and_confirms(
    transactional_db, live_server, page, tmp_path
):
    call_command("load_cases", verbosity=0)
    client = Client()
    client.force_login(User.objects.create_user("admin", password="pw-admin", is_staff=True))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    objects = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    linkage = next(o for o in objects if o["fields"].get("key") == "producers-subcontractors")
    linkage["fields"]["to_group"] = ["sialkot-example", "glassworks"]
    broken = tmp_path / "sialkot.json"
    broken.write_text(json.dumps(objects), encoding="utf-8")

    page.goto(f"{live_server.url}/library/imports/")
    page.get_by_label("Bundle").set_input_files(str(broken))
    page.get_by_role("button", name="Upload and preview").click()
    error = page.locator(".bundle-errors li")
    assert error.count() == 1
    assert "to_group: no actor group 'glassworks' in case 'sialkot-example'" in error.inner_text()
    assert page.get_by_role("button", name="Confirm and write").count() == 0

    # The fixed file goes in the form under the errors, without going back.
    page.get_by_label("Bundle").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Upload and preview").click()
    assert "Preview: 18 created" in page.locator("main").inner_text()
    page.get_by_role("button", name="Confirm and write").click()
    main = page.locator("main").inner_text()
    assert "written." in main and main.count("18 created") == 1  # the summary once
    page.goto(f"{live_server.url}/cases/")
    assert page.locator('article[data-case="sialkot-example"]').count() == 1
