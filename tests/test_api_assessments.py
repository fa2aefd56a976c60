"""The write API: assessments' answers in and out as JSON, through the step forms, with the
pages' permissions, the revision check, API keys, and the schema and docs pages."""

import copy
import json
import os
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from checklist.answers import create_assessment_from_answers
from checklist.forms import LIST_MAX_ROWS, ROW_BOOKKEEPING, STEP_FORMS
from checklist.models import OFFICERS, RESEARCHERS, ApiToken, Assessment
from checklist.services import submit_assessment
from clusterdx.api import MAX_BODY_BYTES

from .test_answers import ANSWERS
from .test_assessments import make_user

pytestmark = pytest.mark.django_db

URL = "/api/assessments/"


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def put_json(client, url, data, **headers):
    return client.put(url, json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def officer(client):
    user = make_user("api-officer", OFFICERS)
    client.force_login(user)
    return user


@pytest.fixture
def created(client, officer):
    response = post_json(client, URL, ANSWERS)
    assert response.status_code == 201, response.content
    return response.json()


def test_post_creates_an_assessment_and_answers_with_it(client, officer, created):
    assessment = Assessment.objects.get(pk=created["id"])
    assert assessment.owner == officer
    assert created["status"] == "draft"
    assert created["revision"] == assessment.revision
    assert [(g.role, g.count) for g in assessment.groups.all()] == [
        ("producer", 400),
        ("export_agent", None),
    ]


def test_get_returns_answers_by_step_and_rows_by_list_in_the_shape_post_takes(client, created):
    data = client.get(f"{URL}{created['id']}/").json()
    assert set(data) == {"id", "name", "status", "revision", "answers", "rows"}
    assert list(data["answers"]) == ["profile", "firms", "markets"]  # unanswered steps stay out
    assert data["answers"]["markets"]["export_share"] == 80
    assert data["answers"]["markets"]["competes_on"] == ["quality", "fashion"]
    assert data["rows"]["firms"][0] == {
        **ANSWERS["rows"]["firms"][0],
        "employment": None,
    } | {k: v for k, v in data["rows"]["firms"][0].items() if k not in ANSWERS["rows"]["firms"][0]}
    assert data["rows"]["firms"][1]["role"] == "export_agent"


def test_reading_then_posting_what_was_read_makes_the_same_answers(client, created):
    read = client.get(f"{URL}{created['id']}/").json()
    copy_of = post_json(client, URL, read).json()
    assert copy_of["answers"] == read["answers"]
    assert copy_of["rows"] == read["rows"]


def test_put_replaces_the_answers_and_a_step_left_out_becomes_unanswered(client, created):
    new = copy.deepcopy(ANSWERS)
    new["answers"]["markets"]["export_share"] = 20
    del new["answers"]["firms"], new["rows"]["firms"]
    new["revision"] = created["revision"]
    response = put_json(client, f"{URL}{created['id']}/", new)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["answers"]["markets"]["export_share"] == 20
    assert "firms" not in data["answers"] and "firms" not in data["rows"]
    assert data["revision"] > created["revision"]
    assessment = Assessment.objects.get(pk=created["id"])
    assert assessment.groups.count() == 0
    assert assessment.steps_done == ["profile", "markets"]


def test_put_with_a_stale_revision_is_a_409_with_both_revisions_and_changes_nothing(
    client, created
):
    url = f"{URL}{created['id']}/"
    first = {**copy.deepcopy(ANSWERS), "revision": created["revision"]}
    stored = put_json(client, url, first).json()["revision"]
    stale = copy.deepcopy(ANSWERS)
    stale["answers"]["markets"]["export_share"] = 5
    stale["revision"] = created["revision"]
    response = put_json(client, url, stale)
    assert response.status_code == 409
    body = response.json()
    assert body["revision"] == {"yours": created["revision"], "stored": stored}
    assert body["errors"][0]["field"] == "revision"
    assert body["stored"]["answers"]["markets"]["export_share"] == 80
    assert Assessment.objects.get(pk=created["id"]).export_share == 80


def test_put_without_a_revision_is_refused(client, created):
    response = put_json(client, f"{URL}{created['id']}/", ANSWERS)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "revision"


def test_validation_errors_name_step_row_and_field_and_nothing_is_written(client, officer):
    bad = copy.deepcopy(ANSWERS)
    bad["answers"]["markets"]["export_share"] = 180
    bad["rows"]["firms"][1]["role"] = "wizard"
    bad["answers"]["policy"] = {"trade_regim": "open"}
    response = post_json(client, URL, bad)
    assert response.status_code == 422
    errors = {(e["step"], e["row"], e["field"]) for e in response.json()["errors"]}
    assert ("markets", None, "export_share") in errors
    assert ("firms", 2, "role") in errors
    assert ("policy", None, "trade_regim") in errors
    assert not Assessment.objects.exists()


def test_a_failed_put_leaves_every_answer_as_it_was(client, created):
    bad = copy.deepcopy(ANSWERS)
    del bad["rows"]["firms"]
    bad["answers"]["markets"]["export_share"] = -1
    bad["revision"] = created["revision"]
    response = put_json(client, f"{URL}{created['id']}/", bad)
    assert response.status_code == 422
    assessment = Assessment.objects.get(pk=created["id"])
    assert assessment.groups.count() == 2
    assert assessment.revision == created["revision"]
    assert assessment.steps_done == ["profile", "firms", "markets"]


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"answers": 3}'])
def test_a_body_that_is_not_the_shape_is_a_400_in_the_errors_format(client, officer, body):
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert {"step", "row", "field", "message"} <= set(response.json()["errors"][0])


def test_anonymous_callers_cannot_read_create_or_replace(client, created):
    anonymous = Client()
    assert anonymous.get(f"{URL}{created['id']}/").status_code == 401
    assert post_json(anonymous, URL, ANSWERS).status_code in (401, 403)
    assert put_json(anonymous, f"{URL}{created['id']}/", ANSWERS).status_code in (401, 403)
    assert Assessment.objects.count() == 1


def test_another_officers_assessment_is_a_404_to_read_and_to_replace(created):
    other = Client()
    other.force_login(make_user("other-officer", OFFICERS))
    url = f"{URL}{created['id']}/"
    assert other.get(url).status_code == 404
    response = put_json(other, url, {**ANSWERS, "revision": created["revision"]})
    assert response.status_code == 404
    assert Assessment.objects.get(pk=created["id"]).revision == created["revision"]


def test_a_404_is_in_the_errors_format_of_every_other_error(created):
    other = Client()
    other.force_login(make_user("other-officer", OFFICERS))
    url = f"{URL}{created['id']}/"
    for response in (
        other.get(url),
        put_json(other, url, {**ANSWERS, "revision": created["revision"]}),
        other.get(f"{URL}999999/"),
    ):
        assert response.status_code == 404
        body = response.json()
        assert set(body) == {"errors"}, body  # not the read endpoints' {"error": ...}
        (error,) = body["errors"]
        assert error["step"] == "(request)" and error["row"] is None and error["field"] is None
        assert "that you may see" in error["message"]


def test_the_assessment_scorecard_404_keeps_its_error_and_adds_the_errors_format(created):
    other = Client()
    other.force_login(make_user("other-officer", OFFICERS))
    response = other.get(f"{URL}{created['id']}/scorecard/")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == body["errors"][0]["message"]  # the old key, for its old clients


def test_the_schema_documents_the_404_and_401_of_the_assessment_endpoints(client):
    paths = client.get("/api/schema/").json()["paths"]
    ref = "#/components/schemas/ErrorsOut"
    one = paths["/api/assessments/{pk}/"]
    for method in ("get", "put"):
        for status in ("401", "404"):
            schema = one[method]["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": ref}, (method, status, schema)
    created = paths["/api/assessments/"]["post"]["responses"]["401"]
    assert created["content"]["application/json"]["schema"] == {"$ref": ref}
    scorecard = paths["/api/assessments/{pk}/scorecard/"]["get"]["responses"]["404"]
    assert scorecard["content"]["application/json"]["schema"]["$ref"].endswith(
        "ScorecardNotFoundOut"
    )


def test_a_researcher_cannot_create(client):
    client.force_login(make_user("api-researcher", RESEARCHERS))
    response = post_json(client, URL, ANSWERS)
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_session_writes_need_the_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user("csrf-officer", OFFICERS))
    assert post_json(strict, URL, ANSWERS).status_code == 403
    strict.get("/assess/")  # any page sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    assert post_json(strict, URL, ANSWERS, HTTP_X_CSRFTOKEN=token).status_code == 201


def test_an_api_key_from_the_command_acts_as_its_user_without_session_or_csrf(capsys):
    user = make_user("key-officer", OFFICERS)
    call_command("api_token", "key-officer")
    key = capsys.readouterr().out.strip()
    assert ApiToken.objects.get().digest != key  # only the digest is stored
    keyed = Client(enforce_csrf_checks=True)
    response = post_json(keyed, URL, ANSWERS, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201
    assert Assessment.objects.get().owner == user
    read = keyed.get(f"{URL}{response.json()['id']}/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert read.status_code == 200
    assert (
        keyed.get(f"{URL}{response.json()['id']}/", HTTP_AUTHORIZATION="Bearer wrong").status_code
        == 401
    )
    call_command("api_token", "key-officer", "--revoke")
    assert (
        keyed.get(f"{URL}{response.json()['id']}/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code
        == 401
    )


def test_the_schema_describes_the_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/assessments/", "/api/assessments/{pk}/", "/api/cases/{slug}/"} <= set(paths)
    assert {"get", "put"} <= set(paths["/api/assessments/{pk}/"])


def test_the_docs_page_loads_only_local_scripts_and_no_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, body in scripts:
        if "src=" in attributes:
            assert re.search(r'src="/static/', attributes), attributes  # nothing from a CDN
            assert not body.strip()
        else:
            assert 'type="application/json"' in attributes  # data, never run
    assert not re.search(r"\son[a-z]+=", html)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_list_longer_than_the_forms_allow_is_refused_by_step(client, officer):
    def with_groups(count):
        data = copy.deepcopy(ANSWERS)
        row = {"role": "producer", "count": 1, "share_of_firms": None}
        data["rows"]["firms"] = [dict(row, name=f"Group {n}") for n in range(count)]
        return data

    response = post_json(client, URL, with_groups(LIST_MAX_ROWS + 1))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["step"] == "firms" and f"at most {LIST_MAX_ROWS}" in error["message"]
    assert not Assessment.objects.exists()
    response = post_json(client, URL, with_groups(LIST_MAX_ROWS))
    assert response.status_code == 201, response.content  # exactly the limit is allowed


def test_a_body_nested_deeper_than_the_parser_goes_is_a_400_not_a_crash(client, officer):
    response = client.post(URL, "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_the_docs_page_assets_are_the_packages_own_static_files(client):
    html = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not served locally"
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # nothing from the internet
    settings_block = re.search(r'id="swagger-settings">(.*?)</script>', html, flags=re.S)
    assert json.loads(settings_block[1])["validatorUrl"] == "none"  # else it fetches a badge


@pytest.mark.parametrize("size", [MAX_BODY_BYTES + 1, 3 * 1024 * 1024])  # past ours, past Django's
def test_a_body_over_either_cap_is_a_413_in_the_errors_format(client, officer, size):
    response = client.post(URL, b" " * size, content_type="application/json")
    assert response.status_code == 413
    assert f"larger than {MAX_BODY_BYTES // 1024} KB" in response.json()["errors"][0]["message"]
    assert not Assessment.objects.exists()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
GROUP_FIELDS = sorted(ANSWERS["rows"]["firms"][0])


@settings(max_examples=60, deadline=None, database=None, derandomize=bool(os.environ.get("CI")))
@given(
    step=st.sampled_from(sorted(ANSWERS["answers"])),
    data=st.data(),
    value=JSON_VALUES,
    replace=st.booleans(),
)
def test_any_value_in_any_field_is_an_answer_in_the_errors_format_never_a_crash(
    step, data, value, replace
):
    # Every field the step forms have, and any JSON a client may send in it: the forms decide.
    officer, _ = User.objects.get_or_create(username="fuzz-officer")
    officer.groups.add(Group.objects.get_or_create(name=OFFICERS)[0])
    client = Client()
    client.force_login(officer)
    body = copy.deepcopy(ANSWERS)
    if data.draw(st.booleans()):
        name = data.draw(st.sampled_from(sorted(body["answers"][step])))
        body["answers"][step][name] = value
    else:
        name = data.draw(st.sampled_from(GROUP_FIELDS))
        body["rows"]["firms"][0][name] = value
    if replace:
        target = Assessment.objects.first() or create_assessment_from_answers(
            owner=officer, data=ANSWERS
        )
        body["revision"] = target.revision
        response = put_json(client, f"{URL}{target.pk}/", body)
    else:
        response = post_json(client, URL, body)
    assert response.status_code in (200, 201, 400, 422), response.content
    if response.status_code >= 400:
        assert all(e["message"] for e in response.json()["errors"])


def test_replacing_a_submitted_assessments_answers_rescores_it_once(client, created):
    assessment = Assessment.objects.get(pk=created["id"])
    submit_assessment(assessment=assessment)
    assessment.refresh_from_db()
    new = {**copy.deepcopy(ANSWERS), "revision": assessment.revision}
    new["answers"]["markets"]["export_share"] = 10
    response = put_json(client, f"{URL}{created['id']}/", new)
    assert response.status_code == 200, response.content
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.scores.count() == 2  # at submission, and after the whole replacement
    assert float(assessment.scores.first().answers["export_share"]) == 10


def test_the_schema_lists_every_question_of_every_step_form(client):
    schema = json.dumps(client.get("/api/schema/").json())
    for step, (form_class, formset_class) in STEP_FORMS.items():
        for form in (form_class, formset_class and formset_class.form):
            for name in form.base_fields if form else ():
                if name not in ROW_BOOKKEEPING:
                    assert f"`{name}`" in schema, (step, name)


def test_a_validation_set_file_posts_as_it_is_as_the_readme_shows(client, officer):
    path = django_settings.BASE_DIR / "validation" / "agra-footwear.json"
    response = client.post(URL, path.read_bytes(), content_type="application/json")
    assert response.status_code == 201, response.content
    assert set(response.json()["answers"]) == set(json.loads(path.read_text())["answers"])


INSTITUTION = {
    "ownership": "public", "level": "local", "status": "active", "sector_specific": "yes",
    "services": "", "reach": "limited",
}  # fmt: skip


def with_a_tie_naming_its_institution() -> dict:
    """ANSWERS plus an institution and a tie from it to the producers that names it."""
    data = copy.deepcopy(ANSWERS)
    data["rows"]["institutions"] = [
        {**INSTITUTION, "name": "Footwear Training Institute", "kind": "training"},
        {**INSTITUTION, "name": "Shoe fair", "kind": "trade_fair", "reach": "unknown"},
    ]
    data["rows"]["linkages"] = [
        {
            "direction": "institutional",
            "nature": "training",
            "from_role": "",
            "to_role": "producer",
            "institution": "footwear training institute",  # by name, in any case
            "strength": "weak",
            "trend": "stable",
            "description": "",
        }
    ]
    return data


def test_a_tie_names_its_institution_by_name_and_get_then_put_changes_nothing(client, officer):
    response = post_json(client, URL, with_a_tie_naming_its_institution())
    assert response.status_code == 201, response.content
    created = response.json()
    assessment = Assessment.objects.get(pk=created["id"])
    assert assessment.ties.get().institution.name == "Footwear Training Institute"
    read = client.get(f"{URL}{created['id']}/").json()
    assert read["rows"]["linkages"][0]["institution"] == "Footwear Training Institute"

    response = put_json(client, f"{URL}{created['id']}/", {**read, "revision": read["revision"]})
    assert response.status_code == 200, response.content
    again = response.json()
    assert again["rows"] == read["rows"] and again["answers"] == read["answers"]
    assert again["revision"] == read["revision"] + 1  # one replacement, one new revision
    assert assessment.ties.get().institution.name == "Footwear Training Institute"


@pytest.mark.parametrize(
    "named, words",
    [
        ("Tanning institute", "no institution named 'Tanning institute' among"),
        ("Shoe fair ", None),  # a trailing space is the same name
    ],
)
def test_a_tie_naming_an_institution_the_answers_do_not_list_is_an_error(
    client, officer, named, words
):
    data = with_a_tie_naming_its_institution()
    data["rows"]["linkages"][0]["institution"] = named
    response = post_json(client, URL, data)
    if words is None:
        assert response.status_code == 201, response.content
        return
    assert response.status_code == 422, response.content
    (error,) = response.json()["errors"]
    assert (error["step"], error["row"], error["field"]) == ("linkages", 1, "institution")
    assert words in error["message"]


def test_the_error_for_an_unknown_institution_lists_the_names_as_the_officer_typed_them(
    client, officer
):
    data = with_a_tie_naming_its_institution()
    data["rows"]["institutions"][1]["name"] = "CLRI Shoe Fair"
    data["rows"]["linkages"][0]["institution"] = "Tanning institute"
    response = post_json(client, URL, data)
    assert response.status_code == 422, response.content
    (error,) = response.json()["errors"]
    # Matched regardless of case, but listed as typed (the walk saw "clri shoe fair").
    assert "(CLRI Shoe Fair, Footwear Training Institute)" in error["message"], error


def test_two_institutions_of_one_name_cannot_be_told_apart_by_a_tie(client, officer):
    data = with_a_tie_naming_its_institution()
    data["rows"]["institutions"][1]["name"] = "Footwear Training Institute"
    response = post_json(client, URL, data)
    assert response.status_code == 422
    assert "2 institutions are named" in response.json()["errors"][0]["message"]


def test_the_cluster_map_draws_a_tie_to_the_institution_it_names(client, officer):
    from checklist.views import _cluster_map_chart

    data = with_a_tie_naming_its_institution()
    data["rows"]["linkages"].append({**data["rows"]["linkages"][0], "institution": ""})
    assessment = Assessment.objects.get(pk=post_json(client, URL, data).json()["id"])
    table = str(_cluster_map_chart(assessment)["table"])
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    assert len(rows) == 2
    assert "Footwear Training Institute" in rows[0] and "Institutions (any)" not in rows[0]
    assert "Institutions (any)" in rows[1]  # a tie that names none meets the hub


def test_the_docs_page_sends_the_csrf_token_so_try_it_out_works_signed_in(client, officer):
    """The walk: "Try it out" for PUT answered 403 "CSRF check Failed" with a session."""
    html = client.get("/api/docs/").content.decode()
    token = re.search(r'data-csrf-token="([^"]+)"', html)
    assert token and len(token.group(1)) >= 32
    assert 'data-api-csrf="true"' in html
