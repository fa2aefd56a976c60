"""Undoing an import: refused while firm tables would go with it (they are not library data,
so no import brings them back), and every row it deletes is recorded, table by table."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from cases import imports
from cases.models import CaseImport, CaseStudy, Cluster
from firms.importer import import_firm_table
from firms.models import FirmRecord, FirmTable

from .test_bundles import library_dump
from .test_firms import write

pytestmark = pytest.mark.django_db
EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "sialkot-example.json"


@pytest.fixture(autouse=True)
def kept_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin():
    return User.objects.create_user("admin", password="pw-admin", is_staff=True)


def _import(admin, content: bytes, name="sialkot-example.json") -> CaseImport:
    record = imports.preview_upload(user=admin, filename=name, content=content)
    assert record.status == "previewed", record.errors
    assert imports.confirm_import(record=record) is None
    return record


def _firm_table(admin, tmp_path, *, case, cluster=None, title="Sialkot survey") -> FirmTable:
    table = FirmTable.objects.create(
        case=case,
        cluster=cluster,
        title=title,
        citation="A test survey, 1998",
        uploaded_by=admin,
        file_name="firms.csv",
    )
    rows = "identifier,group\nF1,producers\nF2,\n"
    assert import_firm_table(table, write(tmp_path, f"{table.pk}.csv", rows)).ok
    return table


def test_undo_of_an_import_that_created_a_case_with_firm_tables_is_refused(admin, tmp_path, client):
    record = _import(admin, EXAMPLE.read_bytes())
    case = CaseStudy.objects.get(slug="sialkot-example")
    of_case = _firm_table(admin, tmp_path, case=case, title="Case register")
    of_cluster = _firm_table(
        admin, tmp_path, case=case, cluster=case.clusters.get(), title="Cluster survey"
    )
    after_import = library_dump()
    result = imports.undo_import(record=record, user=admin)
    assert isinstance(result, str), result
    for table in (of_case, of_cluster):
        assert f"'{table.title}' (2 rows" in result
        assert f"/firm-tables/{table.pk}/" in result
        assert f"/admin/firms/firmtable/{table.pk}/delete/" in result
    # Nothing half-deleted: the case, its rows, the tables and their rows are all there.
    assert library_dump() == after_import
    assert FirmRecord.objects.filter(table__case=case).count() == 4
    record.refresh_from_db()
    assert record.status == "applied" and not CaseImport.objects.filter(undo_of=record).exists()
    # The page says so too, and the confirmation warns before.
    client.force_login(admin)
    page = client.get(f"/library/imports/{record.pk}/").content.decode()
    assert "cannot be undone while firm tables are attached" in page and "Case register" in page
    assert "Yes, undo import" not in page
    page = client.post(f"/library/imports/{record.pk}/undo/", follow=True).content.decode()
    assert "cannot be undone while firm tables are attached" in page
    assert CaseStudy.objects.filter(slug="sialkot-example").exists()
    # Once the tables are deleted, the undo goes through.
    of_case.delete()
    of_cluster.delete()
    assert not isinstance(imports.undo_import(record=record, user=admin), str)
    assert not CaseStudy.objects.filter(slug="sialkot-example").exists()


def test_undo_that_would_delete_a_cluster_with_a_firm_table_is_refused(admin, tmp_path):
    first = _import(admin, EXAMPLE.read_bytes())
    objects = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    cluster = next(o for o in objects if o["model"] == "cases.cluster")
    objects.append({**cluster, "fields": {**cluster["fields"], "key": "sialkot-north"}})
    second = _import(admin, json.dumps(objects).encode(), name="more.json")
    case = CaseStudy.objects.get(slug="sialkot-example")
    _firm_table(admin, tmp_path, case=case, cluster=case.clusters.get(key="sialkot-north"))
    result = imports.undo_import(record=second, user=admin)
    assert isinstance(result, str) and "'Sialkot survey' (2 rows" in result
    assert Cluster.objects.filter(key="sialkot-north").exists()
    FirmTable.objects.filter(cluster__key="sialkot-north").delete()
    assert not isinstance(imports.undo_import(record=second, user=admin), str)
    assert not Cluster.objects.filter(key="sialkot-north").exists()
    assert CaseStudy.objects.filter(slug="sialkot-example").exists() and first.pk


def test_undo_records_every_row_it_deletes_so_the_row_history_shows_it(admin, client):
    record = _import(admin, EXAMPLE.read_bytes())
    undo = imports.undo_import(record=record, user=admin)
    assert not isinstance(undo, str), undo
    deleted = {table: entry["deleted"] for table, entry in undo.changes.items()}
    assert sum(len(labels) for labels in deleted.values()) == 18
    assert deleted["case"] == ["sialkot-example"] and deleted["sources"] == ["nadvi-1999"]
    assert "producers-count" in deleted["figures"] and "simap" in deleted["institutions"]
    again = _import(admin, EXAMPLE.read_bytes())

    client.force_login(admin)
    url = "/library/imports/row/?case=sialkot-example&table=figures&key=producers-count"
    history = [
        (r.pk, what)
        for r, what, _ in imports.row_history(
            imports.written_imports(case="sialkot-example"), table="figures", key="producers-count"
        )
    ]
    assert history == [(again.pk, "created"), (undo.pk, "deleted"), (record.pk, "created")]
    page = client.get(url).content.decode()
    assert f"(undo of #{record.pk})</td><td>deleted" in page
    detail = client.get(f"/library/imports/{undo.pk}/").content.decode()
    assert "Figures: 0 created, 0 updated, 0 unchanged (not written), 3 deleted" in detail
    assert "Sources: 0 created, 0 updated, 0 unchanged (not written), 1 deleted" in detail
    assert f"undo of import #{record.pk}: 18 rows deleted" in detail


def _fixed(content: bytes) -> bytes:
    """The example with one passage of its case edited: a second import of the same case."""
    objects = json.loads(content)
    case = next(obj for obj in objects if obj["model"] == "cases.casestudy")
    case["fields"]["summary"] += " (edited)"
    return json.dumps(objects).encode()


def test_an_import_whose_later_fix_was_undone_can_be_undone(admin, client):
    """The walk's dead end: import the case (#1), write a fix (#2), undo the fix (#3); the
    undo of #1 was refused for #3, an undo, which cannot itself be undone."""
    first = _import(admin, EXAMPLE.read_bytes())
    fix = _import(admin, _fixed(EXAMPLE.read_bytes()), name="fix.json")
    client.force_login(admin)
    page = client.get(f"/library/imports/{first.pk}/").content.decode()
    # While the fix stands, the page says so before the admin asks, with a link to it.
    assert (
        f'<a href="/library/imports/{fix.pk}/">import #{fix.pk}</a> changed the same case' in page
    )
    assert "Yes, undo import" not in page
    refused = imports.undo_import(record=first, user=admin)
    assert isinstance(refused, str) and f"Import #{fix.pk} changed the same case" in refused
    assert not isinstance(imports.undo_import(record=fix, user=admin), str)

    page = client.get(f"/library/imports/{first.pk}/").content.decode()
    assert f"Yes, undo import #{first.pk}" in page
    undo = imports.undo_import(record=first, user=admin)
    assert not isinstance(undo, str), undo
    assert not CaseStudy.objects.filter(slug="sialkot-example").exists()


def test_an_undo_summary_counts_one_row_in_the_singular(admin):
    _import(admin, EXAMPLE.read_bytes())
    fix = _import(admin, _fixed(EXAMPLE.read_bytes()), name="fix.json")
    undo = imports.undo_import(record=fix, user=admin)
    assert undo.summary == f"undo of import #{fix.pk}: 1 row updated"
