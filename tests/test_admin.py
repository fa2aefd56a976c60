"""Admins find and correct one datum quickly; a correction must still match the paper."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from cases.models import Figure

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label == "cases"]


def test_every_library_model_is_in_the_admin():
    names = {model._meta.model_name for model in MODELS}
    assert names == {
        "casestudy",
        "cluster",
        "sizeclass",
        "actorgroup",
        "market",
        "firm",
        "institution",
        "linkage",
        "historyevent",
        "figure",
        "conclusion",
        "policysetting",
        "source",
        "caseimport",  # read only: imports are made on their own pages
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_search_and_change_page_open(admin_client, model):
    url = reverse(f"admin:cases_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "Schmitz"}).status_code == 200
    obj = model.objects.first()
    if obj is not None:
        change = reverse(f"admin:cases_{model._meta.model_name}_change", args=[obj.pk])
        assert admin_client.get(change).status_code == 200


def test_figure_search_finds_by_label(admin_client):
    figure = Figure.objects.get(case__slug="sinos-valley", value="48.2")
    url = reverse("admin:cases_figure_changelist")
    html = admin_client.get(url, {"q": figure.label}).content.decode()
    assert figure.label in html


def change_form_data(admin_client, url, figure) -> dict:
    """What the admin's change form would post back unchanged."""
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update({"case": figure.case_id, "cluster": figure.cluster_id or ""})
    return data


def test_correction_with_a_passage_not_in_the_paper_is_refused(admin_client):
    figure = Figure.objects.get(case__slug="sinos-valley", value="48.2")
    url = reverse("admin:cases_figure_change", args=[figure.pk])
    data = change_form_data(admin_client, url, figure)
    data["passage"] = "Of these, in 1991, 58.2% were small firms"
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form comes back with the error
    assert "Not found verbatim" in response.content.decode()
    figure.refresh_from_db()
    assert "48.2%" in figure.passage


def test_correction_whose_value_contradicts_the_passage_is_refused(admin_client):
    figure = Figure.objects.get(case__slug="sinos-valley", value="48.2")
    url = reverse("admin:cases_figure_change", args=[figure.pk])
    data = change_form_data(admin_client, url, figure)
    data["value"] = "84.2"
    response = admin_client.post(url, data)
    # The figure is already ambiguous: it is told to give the value in its note, not to be
    # marked likely.
    page = response.content.decode()
    assert "84.2 is stated neither in the passage nor in the note" in page
    assert "mark the figure likely" not in page
    figure.refresh_from_db()
    assert figure.value == Decimal("48.2")


def test_an_admin_correction_moves_the_data_version_and_the_next_load_compares_again(
    admin_client,
):
    from cases.loading import load_fixtures
    from cases.models import LibraryVersion

    load_fixtures()  # the fingerprint of the shipped files is stored
    before = LibraryVersion.objects.current()
    assert before.fixture_fingerprint
    figure = Figure.objects.get(case__slug="sinos-valley", value="48.2")
    url = reverse("admin:cases_figure_change", args=[figure.pk])
    data = change_form_data(admin_client, url, figure)
    data["label"] = "Small firms' share, as corrected in the admin"
    assert admin_client.post(url, data).status_code == 302
    after = LibraryVersion.objects.current()
    assert after.version == before.version + 1 and after.fixture_fingerprint == ""
    assert "figure" in after.change and "changed" in after.change
    report = load_fixtures()  # not skipped: the files are compared with the edited data
    assert not report.skipped and report.updated == 1


def test_deleting_library_rows_in_the_admin_moves_the_data_version(admin_client):
    from cases.models import LibraryVersion, Linkage

    before = LibraryVersion.objects.current().version
    tie = Linkage.objects.filter(case__slug="tiruppur").first()
    url = reverse("admin:cases_linkage_changelist")
    response = admin_client.post(
        url, {"action": "delete_selected", "_selected_action": [tie.pk], "post": "yes"}
    )
    assert response.status_code == 302 and not Linkage.objects.filter(pk=tie.pk).exists()
    assert LibraryVersion.objects.current().version == before + 1
