"""The example bundle in docs/examples: a sixth case from another source, imported by an admin,
listed, compared, scored, downloaded, and undone."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from cases import imports
from cases.models import CaseStudy, Source

from .test_bundles import library_dump

pytestmark = pytest.mark.django_db
EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "sialkot-example.json"


def test_an_admin_adds_the_sixth_case_sees_compares_scores_and_undoes_it(client):
    admin = User.objects.create_user("admin", password="pw-admin", is_staff=True)
    before = library_dump()
    record = imports.preview_upload(user=admin, filename=EXAMPLE.name, content=EXAMPLE.read_bytes())
    assert record.status == "previewed", record.errors
    assert imports.confirm_import(record=record) is None
    case = CaseStudy.objects.get(slug="sialkot-example")
    assert case.source.slug == "nadvi-1999" and case.line_from is None

    assert "Sialkot surgical instruments (example)" in client.get("/cases/").content.decode()
    page = client.get("/cases/sialkot-example/").content.decode()
    assert '<span class="cite-source">Nadvi 1999 (example)</span> Section 3' in page
    # A case from another source does not speak of "the paper", nor show its conclusions table.
    assert "What the source says" in page and "What the paper says" not in page
    assert 'id="conclusions"' not in page
    assert "What the paper says" in client.get("/cases/tiruppur/").content.decode()
    compare = client.get("/compare/", {"case": ["sialkot-example", "tiruppur"]})
    assert compare.status_code == 200
    assert "Nadvi 1999 (example)" in compare.content.decode("utf-8-sig")
    # Every cell of the sixth case names its source, the producing firms' total too.
    producing = re.search(r"Producing firms</td>(.*?)</tr>", compare.content.decode(), re.S).group(
        1
    )
    cells = re.findall(r'<td class="small" data-label="([^"]*)">(.*?)</td>', producing, re.S)
    sialkot = next(html for name, html in cells if "Sialkot" in name)
    assert '<span class="cite-source">Nadvi 1999 (example)</span>' in sialkot
    tiruppur = next(html for name, html in cells if "Tiruppur" in name)
    assert '<span class="cite-source">Review paper</span>' in tiruppur
    card = client.get("/api/cases/sialkot-example/scorecard/").json()
    assert len(card["points"]) == 8 and 0 < card["overall"] <= 100
    assert client.get("/cases/sialkot-example/scorecard/").status_code == 200

    undo = imports.undo_import(record=record, user=admin)
    assert not isinstance(undo, str), undo
    assert not CaseStudy.objects.filter(slug="sialkot-example").exists()
    assert not Source.objects.filter(slug="nadvi-1999").exists()
    assert library_dump() == before
