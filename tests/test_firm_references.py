"""Firm rows name a case's clusters, groups and size classes by key (text, no foreign key):
deleting one still named is refused (bundle, undo, admin), and the database check finds rows
left naming nothing by a delete that went around the app. Runs on SQLite and PostgreSQL
(DATABASE_URL): neither database has a constraint to stop the raw deletes below."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from cases import imports
from cases.bundles import case_objects, export_bundle, import_bundle
from cases.models import ActorGroup, CaseStudy
from firms.apps import check_firm_rows_name_what_exists
from firms.importer import import_firm_table
from firms.models import FirmRecord, FirmTable
from firms.references import naming, orphans

from .test_bundles import library_dump
from .test_firms import case_table, make_user, write

pytestmark = pytest.mark.django_db

ROWS = "identifier,group\nF1,tanners\nF2,shoe-producers\nF3,tanners\n"


@pytest.fixture(autouse=True)
def kept_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sinos_before_tanners():
    """The Sinos bundle as it was before a group 'tanners' was added; then the group, and a
    firm table two of whose rows name it."""
    case = CaseStudy.objects.get(slug="sinos-valley")
    raw = export_bundle(case_objects(case), "json")
    group = case.actor_groups.order_by("id").first()
    group.pk, group.key, group.name = None, "tanners", "Tanners"
    group.save()
    return raw


def _table_naming_tanners(tmp_path, admin=None):
    table = case_table(admin)
    assert import_firm_table(table, write(tmp_path, "firms.csv", ROWS)).ok
    return table


def test_a_bundle_that_leaves_out_a_group_firm_rows_name_is_refused(sinos_before_tanners, tmp_path):
    _table_naming_tanners(tmp_path)
    before = library_dump()
    report = import_bundle([("sinos.json", sinos_before_tanners)], dry_run=False)
    assert [(e.where, e.message) for e in report.errors] == [
        (
            "sinos.json, actor groups tanners",
            "2 firm row(s) of the firm table 'Test survey' (first on row 2) name the actor "
            "group 'tanners'; deleting it would leave them naming nothing. Replace that table's "
            "file with one that does not name it, or delete the firm table, first.",
        )
    ]
    assert library_dump() == before and ActorGroup.objects.filter(key="tanners").exists()


def test_once_no_firm_row_names_the_group_the_bundle_deletes_it(sinos_before_tanners, tmp_path):
    table = _table_naming_tanners(tmp_path)
    table.delete()  # the ORM cascade takes the firm rows with their table
    assert not FirmRecord.objects.exists()
    report = import_bundle([("sinos.json", sinos_before_tanners)], dry_run=False)
    assert report.ok and report.tables["actor groups"].deleted == ["tanners"]
    assert not ActorGroup.objects.filter(key="tanners").exists()


def test_undo_of_the_import_that_added_a_named_group_is_refused(tmp_path):
    case = CaseStudy.objects.get(slug="sinos-valley")
    objects = case_objects(case)
    group = next(o for o in objects if o["model"] == "cases.actorgroup")
    objects.append({**group, "fields": {**group["fields"], "key": "tanners"}})
    admin = make_user("admin", staff=True)
    record = imports.preview_upload(
        user=admin, filename="sinos.json", content=json.dumps(objects).encode()
    )
    assert imports.confirm_import(record=record) is None
    _table_naming_tanners(tmp_path, admin)
    result = imports.undo_import(record=record, user=admin)
    assert isinstance(result, str) and "name the actor group 'tanners'" in result
    assert ActorGroup.objects.filter(key="tanners").exists()


def test_the_admin_delete_page_refuses_a_group_firm_rows_name(client, tmp_path):
    admin = make_user("admin", staff=True)
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    table = case_table(admin)
    rows = "identifier,group\nF1,\nF2,shoe-producers\n"
    assert import_firm_table(table, write(tmp_path, "firms.csv", rows)).ok
    group = ActorGroup.objects.get(case__slug="sinos-valley", key="shoe-producers")
    url = f"/admin/cases/actorgroup/{group.pk}/delete/"
    page = client.get(url).content.decode()
    assert "1 firm row(s) of the firm table &#x27;Test survey&#x27; (first on row 3)" in page
    client.post(url, {"post": "yes"})
    assert ActorGroup.objects.filter(pk=group.pk).exists()


def test_naming_skips_a_clusters_own_tables_which_go_with_it(sinos_before_tanners, tmp_path):
    table = _table_naming_tanners(tmp_path)
    cluster = table.cluster
    FirmRecord.objects.filter(table=table).update(cluster=cluster.key)
    assert naming([cluster]) == []  # its table (and rows) are deleted with it
    table.cluster = None
    table.save()
    assert [n.firms for n in naming([cluster])] == [3]


def test_the_database_check_finds_rows_a_raw_delete_left_naming_nothing(
    sinos_before_tanners, tmp_path
):
    table = _table_naming_tanners(tmp_path)
    assert orphans() == []
    group = ActorGroup.objects.get(key="tanners")
    ActorGroup.objects.filter(pk=group.pk)._raw_delete(using=connection.alias)
    assert orphans() == [
        "2 firm row(s) of 'Test survey' name the actor group 'tanners', which its case no "
        "longer has."
    ]
    with connection.cursor() as cursor:  # no foreign key on either database stops this
        cursor.execute("DELETE FROM firms_firmtable WHERE id = %s", [table.pk])
    assert orphans() == ["3 firm row(s) belong to a firm table that no longer exists."]
    warnings = check_firm_rows_name_what_exists(databases=["default"])
    assert [w.id for w in warnings] == ["firms.W001"]
    out = io.StringIO()
    call_command("check", "--database", "default", stderr=out, stdout=out)
    assert "firms.W001" in out.getvalue()
    assert FirmTable.objects.count() == 0
