"""The officer's walk (issue 9, item 4): institutions come before linkages, so a tie can name
its institution without going back; and self-help institutions and supplier associations are
each asked once, with answers stored or written the older way still read."""

import copy
import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from checklist.adapters import build_assessment_profile
from checklist.answers import SAVE_ORDER, answers_of, create_assessment_from_answers
from checklist.api import STEP_QUESTIONS
from checklist.forms import LIST_TITLES, STEP_FORMS, STEP_TITLES
from checklist.models import OFFICERS, STEPS, Assessment
from engine import criteria
from engine.scoring import measure

from .test_answers import ANSWERS
from .test_assessments import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = make_user("walk-officer", OFFICERS)
    client.force_login(user)
    return user


def step_url(assessment, step):
    return reverse("checklist:step", args=[assessment.pk, step])


# 1. Step order ---------------------------------------------------------------------------------


def test_institutions_come_before_linkages_everywhere_the_steps_are_walked():
    assert STEPS.index("institutions") + 1 == STEPS.index("linkages")
    for table in (STEP_FORMS, STEP_TITLES):
        assert tuple(table) == STEPS
    assert list(LIST_TITLES) == ["firms", "institutions", "linkages"]
    assert list(SAVE_ORDER) == list(STEPS[1:])
    assert STEP_QUESTIONS.index("**institutions**") < STEP_QUESTIONS.index("**linkages**")


def test_save_and_continue_goes_from_firms_to_institutions_to_linkages(client, officer):
    assessment = Assessment.objects.create(
        owner=officer, name="Agra", country="India", sector="Shoes", evidence_year=1995
    )
    page = client.get(step_url(assessment, "firms")).content.decode()
    # The step list (and progress) shows Institutions before Linkages.
    assert page.index(step_url(assessment, "institutions")) < page.index(
        step_url(assessment, "linkages")
    )
    empty = {"revision": "0"}
    for step in ("firms", "institutions"):
        prefix = {"firms": "firms", "institutions": "institutions"}[step]
        data = {**empty, f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
        assessment.refresh_from_db()
        data["revision"] = str(assessment.revision)
        response = client.post(step_url(assessment, step), {**data, "continue": "1"})
        assert response.status_code == 302, response.content.decode()[:2000]
        following = "institutions" if step == "firms" else "linkages"
        assert response["Location"] == step_url(assessment, following)


def test_the_linkages_step_offers_the_institutions_already_listed(client, officer):
    data = copy.deepcopy(ANSWERS)
    data["rows"]["institutions"] = [
        {"name": "CLRI", "kind": "training", "ownership": "public", "level": "national",
         "status": "active", "reach": "partial"}
    ]  # fmt: skip
    assessment = create_assessment_from_answers(owner=officer, data=data)
    page = client.get(step_url(assessment, "linkages")).content.decode()
    institution = assessment.institutions.get()
    assert f'<option value="{institution.pk}">CLRI</option>' in page


def test_a_draft_stored_in_the_old_order_opens_at_institutions_and_keeps_its_ties(client, officer):
    # Saved when linkages came first: linkages answered, institutions not yet.
    data = copy.deepcopy(ANSWERS)
    data["rows"]["linkages"] = [
        {"direction": "forward", "nature": "sales", "from_role": "producer", "to_role": "buyer",
         "strength": "strong", "trend": "stable"}
    ]  # fmt: skip
    assessment = create_assessment_from_answers(owner=officer, data=data)
    assert assessment.steps_done == ["profile", "firms", "linkages", "markets"]
    assert assessment.next_unanswered_step == "institutions"
    listing = client.get(reverse("checklist:assessments")).content.decode()
    assert "opens at Institutions" in listing
    assert client.get(step_url(assessment, "institutions")).status_code == 200
    linkages = client.get(step_url(assessment, "linkages")).content.decode()
    assert 'name="linkages-0-nature"' in linkages and "selected>Sales" in linkages
    assert client.get(reverse("checklist:scorecard", args=[assessment.pk])).status_code == 200


def test_the_workbook_holds_the_institutions_sheet_before_the_linkages_sheet(client, officer):
    assessment = create_assessment_from_answers(owner=officer, data=ANSWERS)
    url = reverse("checklist:download", args=[assessment.pk, "scorecard.xlsx"])
    names = openpyxl.load_workbook(io.BytesIO(client.get(url).content)).sheetnames
    assert names.index("Institutions") < names.index("Linkages")
    steps = openpyxl.load_workbook(io.BytesIO(client.get(url).content))["Steps"]
    titles = [row[0].value for row in steps.iter_rows(min_row=2)]
    assert titles.index("Institutions") < titles.index("Linkages")


# 2. Asked once ---------------------------------------------------------------------------------


def test_the_institutions_step_asks_about_self_help_once_as_5es_question(client, officer):
    assessment = create_assessment_from_answers(owner=officer, data=ANSWERS)
    page = client.get(step_url(assessment, "institutions")).content.decode()
    assert 'name="main-self_help"' not in page  # the kind's own question is gone
    assert page.count('name="main-self_help_finance"') == 3  # yes / no / don't know
    assert "also counts credit unions and other self-help institutions as absent" in page
    assert 'name="main-supplier_associations"' in page


def test_the_linkages_kind_no_longer_asks_about_supplier_associations(client, officer):
    assessment = create_assessment_from_answers(owner=officer, data=ANSWERS)
    page = client.get(step_url(assessment, "linkages")).content.decode()
    assert 'name="main-supplier_programmes"' in page
    programmes = criteria.inventory("supplier_programmes")
    assert "supplier association" not in (programmes.label + programmes.rows).lower()
    assert "supplier associations" in criteria.indicator("6d").question


def _institutions(**answers) -> dict:
    data = copy.deepcopy(ANSWERS)
    data["answers"]["institutions"] = {"associations": "none", **answers}
    data["rows"]["institutions"] = []
    return data


@pytest.mark.parametrize(
    "answer, expected_1c, expected_5e",
    [
        ("no", 0.0, 0.0),  # "no" is the kind's "none" too: 1c is known to be 0
        ("yes", None, 1.0),  # there are some, none listed: 1c unknown, 5e as a direct yes
        ("", None, None),  # don't know
    ],
)
def test_5es_answer_stands_for_the_self_help_kind(officer, answer, expected_1c, expected_5e):
    data = _institutions(self_help_finance=answer)
    assessment = create_assessment_from_answers(owner=officer, data=data)
    profile = build_assessment_profile(assessment)
    assert measure("1c", profile).value == expected_1c
    assert measure("5e", profile).value == expected_5e


@pytest.mark.parametrize(
    "old, direct, stored",
    [
        ("none", None, "no"),
        ("none", "", "no"),
        ("listed", None, ""),  # "listed" with no row read as unknown; so does don't know
        ("", None, ""),
        ("none", "yes", "yes"),  # the direct answer was given: it decides
        ("listed", "no", "no"),
    ],
)
def test_answers_written_with_the_old_self_help_question_are_still_read(
    client, officer, old, direct, stored
):
    data = _institutions(self_help=old)
    if direct is not None:
        data["answers"]["institutions"]["self_help_finance"] = direct
    response = client.post("/api/assessments/", json.dumps(data), content_type="application/json")
    assert response.status_code == 201, response.content
    assessment = Assessment.objects.get(pk=response.json()["id"])
    assert assessment.self_help_finance == stored
    assert "self_help" not in answers_of(assessment)["answers"]["institutions"]
    assert data["answers"]["institutions"]["self_help"] == old  # the caller's data untouched


def test_an_old_workbook_with_the_self_help_kinds_row_is_still_read(client, officer):
    assessment = create_assessment_from_answers(owner=officer, data=_institutions())
    url = reverse("checklist:download", args=[assessment.pk, "scorecard.xlsx"])
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    sheet = book["Answers"]
    # The row a workbook downloaded before this change had, answered "None".
    sheet.append(["Institutions", criteria.inventory("self_help").question, "None"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = reverse("checklist:upload", args=[assessment.pk])
    response = client.post(upload, {"workbook": SimpleUploadedFile("b.xlsx", buffer.getvalue())})
    assert response.status_code == 302, response.content.decode()[:3000]
    assessment.refresh_from_db()
    assert assessment.self_help_finance == "no"


@pytest.mark.django_db(transaction=True)
def test_the_migration_merges_stored_self_help_answers_into_5es_question(django_user_model):
    executor = MigrationExecutor(connection)
    executor.migrate([("checklist", "0007_api_token")])
    old_apps = executor.loader.project_state([("checklist", "0007_api_token")]).apps
    Old = old_apps.get_model("checklist", "Assessment")
    owner = old_apps.get_model("auth", "User").objects.create(username="old-officer")
    cases = {
        ("none", ""): "no",
        ("listed", ""): "",
        ("", ""): "",
        ("none", "yes"): "yes",
        ("listed", "no"): "no",
    }
    ids = {}
    for (kind, direct), _ in cases.items():
        row = Old.objects.create(
            owner=owner,
            name=f"{kind}/{direct}",
            country="X",
            sector="Shoes",
            evidence_year=1995,
            self_help=kind,
            self_help_finance=direct,
            steps_done=["profile", "institutions"],
        )
        ids[(kind, direct)] = row.pk
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("checklist", "0008_self_help_asked_once")])
    # The model as of 0008 (today's has fields that later migrations add).
    Merged = executor.loader.project_state([("checklist", "0008_self_help_asked_once")]).apps
    Merged = Merged.get_model("checklist", "Assessment")
    for key, expected in cases.items():
        assert Merged.objects.get(pk=ids[key]).self_help_finance == expected, key
    # And back: the kind's answer from the direct one.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("checklist", "0007_api_token")])
    back = executor.loader.project_state([("checklist", "0007_api_token")]).apps
    Back = back.get_model("checklist", "Assessment")
    assert Back.objects.get(pk=ids[("none", "")]).self_help == "none"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_method_page_and_the_docs_say_self_help_is_asked_as_5es_question(client):
    from pathlib import Path

    from django.conf import settings

    html = client.get(reverse("checklist:method")).content.decode()
    row = html[html.index('id="kind-self_help"') :].split("</tr>", 1)[0]
    assert 'as <a href="#indicator-5e">5e</a>&#x27;s question' in row or "5e</a>'s question" in row
    doc = (Path(settings.BASE_DIR) / "docs" / "scoring.md").read_text()
    assert "| institutions, as 5e's question |" in doc
