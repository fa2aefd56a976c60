"""What an officer does: fill the steps, keep drafts, fix mistakes, read and submit the scorecard.
And who may see what: a forbidden assessment is a 404, never a leak."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from checklist.models import OFFICERS, RESEARCHERS, Assessment, AssessmentTie, ScoreRecord

pytestmark = pytest.mark.django_db

PROFILE = {
    "main-name": "Agra shoe cluster",
    "main-country": "India",
    "main-region": "Uttar Pradesh",
    "main-sector": "Shoes",
    "main-kind": "cluster",
    "main-evidence_year": "1995",
}


def make_user(username, role=None, **extra) -> User:
    user = User.objects.create_user(username, password="pw-" + username, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def officer(client):
    user = make_user("olga", OFFICERS)
    client.force_login(user)
    return user


def formset_data(prefix, rows, extra_total=None):
    data = {
        f"{prefix}-TOTAL_FORMS": str(extra_total or len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def start(client) -> Assessment:
    response = client.post(reverse("checklist:new"), PROFILE)
    assessment = Assessment.objects.get(name="Agra shoe cluster")
    assert response.url == reverse("checklist:step", args=[assessment.pk, "firms"])
    return assessment


def step_url(assessment, step):
    return reverse("checklist:step", args=[assessment.pk, step])


def post_step(client, assessment, step, data):
    """POST a step as the page would: with the version token it was shown with (the one
    stored now; tests/test_step_conflicts.py covers a stale one)."""
    assessment.refresh_from_db(fields=["revision"])
    return client.post(step_url(assessment, step), {"revision": assessment.revision, **data})


def test_signing_in_is_needed_to_assess(client):
    response = client.get(reverse("checklist:assessments"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_researchers_cannot_create_assessments(client):
    client.force_login(make_user("rita", RESEARCHERS))
    assert client.get(reverse("checklist:new")).status_code == 403


def test_profile_step_creates_a_draft_owned_by_the_officer(client, officer):
    assessment = start(client)
    assert assessment.owner == officer
    assert assessment.status == "draft"
    assert assessment.steps_done == ["profile"]


def test_implausible_year_is_refused_in_the_field_and_typed_answers_stay(client, officer):
    response = client.post(reverse("checklist:new"), {**PROFILE, "main-evidence_year": "1066"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give a year between 1900" in html
    assert 'value="Agra shoe cluster"' in html and 'value="Uttar Pradesh"' in html
    assert not Assessment.objects.exists()


def test_group_shares_above_100_together_are_refused_and_nothing_is_saved(client, officer):
    assessment = start(client)
    rows = [
        {"role": "producer", "name": "Small producers", "share_of_firms": "70"},
        {"role": "producer", "name": "Large producers", "share_of_firms": "40"},
    ]
    data = {"main-producer_count": "5000", **formset_data("firms", rows)}
    response = post_step(client, assessment, "firms", data)
    html = response.content.decode()
    assert "add up to 110" in html and "cannot be above 100%" in html
    assert 'value="Large producers"' in html  # nothing typed is lost
    assessment.refresh_from_db()
    assert assessment.producer_count is None and not assessment.groups.exists()
    assert assessment.steps_done == ["profile"]


def test_negative_count_and_share_over_100_are_refused_in_their_fields(client, officer):
    assessment = start(client)
    rows = [{"role": "producer", "name": "Producers", "count": "-3", "share_of_firms": "150"}]
    data = {"main-producer_count": "-1", **formset_data("firms", rows)}
    html = post_step(client, assessment, "firms", data).content.decode()
    assert html.count("Ensure this value is greater than or equal to 0") >= 2
    assert "Give a share between 0 and 100 (%)." in html


def test_draft_is_saved_and_resumed_at_any_step(client, officer):
    assessment = start(client)
    rows = [{"role": "export_agent", "name": "Bombay traders"}]
    data = {"main-producer_count": "", **formset_data("firms", rows), "save_draft": "1"}
    response = post_step(client, assessment, "firms", data)
    assert response.url == step_url(assessment, "firms")
    html = client.get(step_url(assessment, "firms")).content.decode()
    assert 'value="Bombay traders"' in html
    assert client.get(step_url(assessment, "policy")).status_code == 200  # jump ahead
    assert client.get(step_url(assessment, "profile")).status_code == 200  # go back


def fill_everything(client, assessment):
    firms = [
        {"role": "producer", "name": "Shoe producers", "count": "5000", "share_of_firms": "80"},
        {"role": "stage_unit", "name": "Stage units", "count": "900", "share_of_firms": "15"},
        {"role": "export_agent", "name": "Export agents"},
    ]
    post_step(
        client,
        assessment,
        "firms",
        {"main-producer_count": "5000", **formset_data("firms", firms)},
    )
    ties = [
        {
            "direction": "backward",
            "nature": "subcontracting",
            "from_role": "producer",
            "to_role": "stage_unit",
            "strength": "moderate",
            "trend": "strengthening",
        },
        {
            "direction": "forward",
            "nature": "technical_assistance",
            "from_role": "export_agent",
            "to_role": "producer",
            "strength": "weak",
            "trend": "unknown",
        },
    ]
    post_step(client, assessment, "linkages", formset_data("linkages", ties))
    institutions = [
        {
            "name": "Agra Footwear Fair",
            "kind": "trade_fair",
            "ownership": "private",
            "level": "local",
            "status": "active",
            "reach": "partial",
        },
    ]
    post_step(client, assessment, "institutions", formset_data("institutions", institutions))
    post_step(
        client,
        assessment,
        "markets",
        {
            "main-export_share": "30",
            "main-competes_on": ["price", "quality"],
            "main-foreign_buyers": "yes",
        },
    )
    response = post_step(
        client,
        assessment,
        "policy",
        {"main-trade_regime": "liberalising", "main-intervention_style": "absent"},
    )
    return response


def test_completed_steps_lead_to_a_scorecard_of_the_answers(client, officer):
    assessment = start(client)
    response = fill_everything(client, assessment)
    assert response.url == reverse("checklist:scorecard", args=[assessment.pk])
    assessment.refresh_from_db()
    assert assessment.steps_done == list(
        ("profile", "firms", "institutions", "linkages", "markets", "policy")
    )
    html = client.get(response.url).content.decode()
    assert 'id="radar"' in html and 'id="resemblance"' in html
    assert "Agra Footwear Fair" in html  # evidence names the answer it rests on
    assert "What to do next" in html


def test_unanswered_steps_are_unknown_not_zero(client, officer):
    assessment = start(client)
    data = client.get(reverse("checklist:api-assessment-scorecard", args=[assessment.pk])).json()
    assert data["overall"] is None
    assert all(p["level"] == "not yet known" and p["score"] is None for p in data["points"])


def test_submitting_records_the_scorecard_and_editing_rescored(client, officer):
    assessment = start(client)
    fill_everything(client, assessment)
    client.post(reverse("checklist:submit", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    first = ScoreRecord.objects.get(assessment=assessment)
    assert first.engine_version and first.answers["export_share"] == "30.00"
    post_step(
        client,
        assessment,
        "markets",
        {
            "main-export_share": "80",
            "main-competes_on": ["quality", "fashion"],
            "main-foreign_buyers": "yes",
        },
    )
    records = list(assessment.scores.all())
    assert len(records) == 2
    point3 = {r.pk: r.payload["points"][2]["score"] for r in records}
    assert point3[records[0].pk] > point3[first.pk]
    html = client.get(reverse("checklist:scorecard", args=[assessment.pk])).content.decode()
    assert 'id="history"' in html


def test_api_returns_the_documented_shape(client, officer):
    assessment = start(client)
    fill_everything(client, assessment)
    data = client.get(reverse("checklist:api-assessment-scorecard", args=[assessment.pk])).json()
    assert data["subject"] == "Agra shoe cluster"
    assert [p["number"] for p in data["points"]] == list(range(1, 9))
    assert 0 <= data["overall"] <= 100


def test_officer_cannot_see_or_change_another_officers_assessment(client, officer):
    assessment = start(client)
    client.force_login(make_user("boris", OFFICERS))
    for url in (
        reverse("checklist:scorecard", args=[assessment.pk]),
        step_url(assessment, "firms"),
        reverse("checklist:api-assessment-scorecard", args=[assessment.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("checklist:submit", args=[assessment.pk])).status_code == 404
    assert "Agra" not in client.get(reverse("checklist:assessments")).content.decode()


def test_shared_assessment_is_readable_but_not_editable(client, officer):
    assessment = start(client)
    colleague = make_user("boris", OFFICERS)
    assessment.shared_with.add(colleague)
    client.force_login(colleague)
    assert client.get(reverse("checklist:scorecard", args=[assessment.pk])).status_code == 200
    assert client.get(step_url(assessment, "firms")).status_code == 404


def test_researchers_see_only_assessments_shared_with_researchers(client, officer):
    hidden = start(client)
    client.post(
        reverse("checklist:new"),
        {**PROFILE, "main-name": "Ludhiana hosiery", "main-share_with_researchers": "on"},
    )
    shared = Assessment.objects.get(name="Ludhiana hosiery")
    client.force_login(make_user("rita", RESEARCHERS))
    assert client.get(reverse("checklist:scorecard", args=[shared.pk])).status_code == 200
    assert client.get(reverse("checklist:scorecard", args=[hidden.pk])).status_code == 404
    assert client.get(step_url(shared, "firms")).status_code == 404


def test_staff_see_everything(client, officer):
    assessment = start(client)
    client.force_login(make_user("ada", is_staff=True))
    assert client.get(reverse("checklist:scorecard", args=[assessment.pk])).status_code == 200


def test_assessment_list_queries_do_not_grow(client, officer, django_assert_max_num_queries):
    for n in range(8):
        Assessment.objects.create(
            owner=officer, name=f"C{n}", country="X", sector="Y", evidence_year=1995
        )
    # session, user, officer-group check, the list with owners, the navigation's case slugs
    with django_assert_max_num_queries(6):
        response = client.get(reverse("checklist:assessments"))
    assert response.content.decode().count("/assess/") >= 8


def test_answers_and_scores_download_as_csv_and_xlsx_in_words(client, officer):
    import csv
    import io

    import openpyxl

    assessment = start(client)
    fill_everything(client, assessment)
    scores = client.get(reverse("checklist:download", args=[assessment.pk, "scorecard.csv"]))
    assert scores["Content-Type"].startswith("text/csv")
    assert "agra-shoe-cluster-scorecard.csv" in scores["Content-Disposition"]
    assert scores.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads it as UTF-8
    table = list(csv.DictReader(io.StringIO(scores.content.decode("utf-8-sig"))))
    first = table[0]
    assert (first["point"], first["name"]) == ("1", "Identify existing clusters and networks")
    fairs = next(row for row in table if row["indicator"] == "4a")
    # The fair reaches some small firms: it counts 0.7 (engine 2.0).
    assert fairs["value (0-1)"] == "0.7" and "Agra Footwear Fair" in fairs["evidence"]
    assert table[-1]["point"] == "overall" and table[-1]["name"].startswith("Agra shoe cluster")

    answers = client.get(reverse("checklist:download", args=[assessment.pk, "answers.csv"]))
    rows = list(csv.DictReader(io.StringIO(answers.content.decode("utf-8-sig"))))
    asked = {(r["step"], r["row"], r["question"]): r["answer"] for r in rows}
    # Questions and answers as the form words them, not field names and codes.
    assert asked[("Markets", "", "Firms compete mainly on")] == "Price, Quality"
    assert asked[("Policy environment", "", "Trade regime")] == "Liberalising"
    assert asked[("Groups of firms", "2", "Role")] == "Stage units and subcontractors"
    assert asked[("Linkages", "1", "Nature")] == "Subcontracting"
    assert "stage_unit" not in answers.content.decode("utf-8-sig")

    xlsx = client.get(reverse("checklist:download", args=[assessment.pk, "scorecard.xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Scorecard", "Recommendations", "Answers", "Groups of firms",
                               "Institutions", "Linkages", "Steps", "Assessment"]  # fmt: skip
    sheet = list(book["Scorecard"].iter_rows(values_only=True))
    assert sheet[0][:4] == ("point", "indicator", "name", "score") and len(sheet) == 1 + 8 + 31 + 1
    assert sheet[-1][2].startswith("Agra shoe cluster: overall, based on")
    groups = list(book["Groups of firms"].iter_rows(values_only=True))
    assert groups[1][2:4] == (5000, 80.0)  # counts and shares as numbers, not text
    linkages = list(book["Linkages"].iter_rows(values_only=True))
    assert "Direction" in linkages[0] and "Forward" in linkages[2]


def test_downloads_follow_the_same_permissions(client, officer):
    assessment = start(client)
    client.force_login(make_user("boris", OFFICERS))
    for filename in ("scorecard.csv", "answers.csv", "scorecard.xlsx"):
        url = reverse("checklist:download", args=[assessment.pk, filename])
        assert client.get(url).status_code == 404


def test_assessing_again_keeps_history_and_explains_what_changed(client, officer):
    first = start(client)
    fill_everything(client, first)
    response = client.post(reverse("checklist:reassess", args=[first.pk]))
    second = Assessment.objects.exclude(pk=first.pk).get()
    assert response.url == step_url(second, "profile")
    assert second.previous == first and second.groups.count() == first.groups.count()
    post_step(client, second, "profile", {**PROFILE, "main-evidence_year": "1999"})
    post_step(
        client,
        second,
        "markets",
        {
            "main-export_share": "80",
            "main-competes_on": ["quality", "fashion"],
            "main-foreign_buyers": "yes",
        },
    )
    page = client.get(reverse("checklist:scorecard", args=[second.pk])).content.decode()
    assert (
        'id="lineage"' in page and reverse("checklist:compare", args=[second.pk, first.pk]) in page
    )
    compare = client.get(reverse("checklist:compare", args=[second.pk, first.pk]))
    html = compare.content.decode()
    assert "3a Output sold on demanding markets: 0.6 → 1.0" in html
    assert "Markets: Share of output exported (%)</td><td>30.0</td><td>80.0" in html
    assert "Profile: Year of the evidence</td><td>1995</td><td>1999" in html
    assert (
        "Markets: Firms compete mainly on</td><td>Price, Quality</td><td>Quality, Fashion" in html
    )
    assert 'id="overall-change"' in html
    assert "stage_unit" not in html  # answers in words, not codes


def test_compare_needs_both_assessments_visible(client, officer):
    mine = start(client)
    client.force_login(make_user("boris", OFFICERS))
    client.post(reverse("checklist:new"), {**PROFILE, "main-name": "Boris cluster"})
    theirs = Assessment.objects.get(name="Boris cluster")
    url = reverse("checklist:compare", args=[theirs.pk, mine.pk])
    assert client.get(url).status_code == 404


def _evidence(client, assessment, code):
    data = client.get(reverse("checklist:api-assessment-scorecard", args=[assessment.pk])).json()
    point = data["points"][int(code[0]) - 1]
    return next(e for e in point["evidence"] if e["indicator"] == code)


def test_linkage_questions_tell_dont_know_from_no(client, officer):
    assessment = start(client)
    page = client.get(step_url(assessment, "linkages")).content.decode()
    assert "Do buyers or agents give producers technical help" in page and "Don&#x27;t know" in page
    post_step(client, assessment, "linkages", formset_data("linkages", []))
    assert _evidence(client, assessment, "4c")["value"] is None  # no rows, not asked: unknown
    answers = {"main-buyer_know_how": "no", "main-group_support": "yes"}
    post_step(client, assessment, "linkages", {**answers, **formset_data("linkages", [])})
    assessment.refresh_from_db()
    assert (assessment.buyer_know_how, assessment.group_support) == ("no", "yes")
    assert _evidence(client, assessment, "4c")["value"] == 0.0
    support = _evidence(client, assessment, "2b")
    assert support["value"] == 0.5 and "Do programmes work with groups" in support["basis"][0]


def test_institution_questions_and_a_generalist_body_left_out_of_2a(client, officer):
    assessment = start(client)
    bodies = [
        {"name": "Footwear design school", "kind": "training", "ownership": "public",
         "level": "local", "status": "active", "reach": "wide", "sector_specific": "yes"},
        {"name": "District SME office", "kind": "training", "ownership": "public",
         "level": "local", "status": "active", "reach": "wide", "sector_specific": "no"},
    ]  # fmt: skip
    answers = {"main-self_help_finance": "", "main-supplier_associations": "no"}
    response = post_step(
        client, assessment, "institutions", {**answers, **formset_data("institutions", bodies)}
    )
    assert response.status_code == 302
    sector = _evidence(client, assessment, "2a")
    assert sector["value"] == 0.5
    assert any("District SME office" in line and "not counted" in line for line in sector["basis"])
    assert _evidence(client, assessment, "5e")["value"] is None  # don't know stays unknown
    assert _evidence(client, assessment, "6d")["value"] == 0.0


def test_an_officer_deletes_a_draft_after_confirming_and_only_their_own(client, officer):
    assessment = start(client)
    fill_everything(client, assessment)
    url = reverse("checklist:delete", args=[assessment.pk])
    assert url in client.get(reverse("checklist:assessments")).content.decode()
    confirm = client.get(url)
    assert "Delete the draft" in confirm.content.decode()
    assert Assessment.objects.filter(pk=assessment.pk).exists()  # GET deletes nothing

    client.force_login(make_user("boris", OFFICERS))
    assert client.post(url).status_code == 404
    client.force_login(officer)
    response = client.post(url)
    assert response.url == reverse("checklist:assessments")
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert not AssessmentTie.objects.filter(assessment_id=assessment.pk).exists()


def test_a_submitted_assessment_is_not_deleted(client, officer):
    assessment = start(client)
    client.post(reverse("checklist:submit", args=[assessment.pk]))
    response = client.post(reverse("checklist:delete", args=[assessment.pk]), follow=True)
    assert "Only drafts can be deleted" in response.content.decode()
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_scorecard_draws_the_clusters_map_from_its_linkages(client, officer):
    assessment = start(client)
    html = client.get(reverse("checklist:scorecard", args=[assessment.pk])).content.decode()
    assert 'id="cluster-map"' not in html and "No linkages recorded yet" in html
    fill_everything(client, assessment)
    html = client.get(reverse("checklist:scorecard", args=[assessment.pk])).content.decode()
    assert 'id="cluster-map"' in html
    # Nodes named after the officer's groups and institutions; ties cite the answer row.
    for text in ("Shoe producers", "Export agents", "Agra Footwear Fair",
                 "Technical assistance: weak, unknown (your answer, linkage row 2)"):  # fmt: skip
        assert text in html


def test_key_buyers_named_in_markets_count_for_4b(client, officer):
    assessment = start(client)
    post_step(client, assessment, "firms", formset_data("firms", []))
    assert _evidence(client, assessment, "4b")["value"] == 0.0
    post_step(
        client,
        assessment,
        "markets",
        {"main-key_buyers": "Clarks\nDeichmann\n", "main-foreign_buyers": "yes"},
    )
    buyers = _evidence(client, assessment, "4b")
    assert buyers["value"] == 1.0
    assert any("key buyer: Deichmann" in line for line in buyers["basis"])


def test_assessing_again_keeps_who_it_is_shared_with(client, officer):
    assessment = start(client)
    colleague = make_user("vera", OFFICERS)
    Assessment.objects.filter(pk=assessment.pk).update(share_with_researchers=True)
    assessment.shared_with.add(colleague)
    client.post(reverse("checklist:reassess", args=[assessment.pk]))
    again = Assessment.objects.get(previous=assessment)
    assert again.share_with_researchers and list(again.shared_with.all()) == [colleague]


def test_evidence_words_answers_as_the_form_does(client, officer):
    assessment = start(client)
    fill_everything(client, assessment)
    style = _evidence(client, assessment, "8b")["basis"]
    assert style == ["Little or no intervention: Answer (policy): intervention style"]
    put_out = _evidence(client, assessment, "6c")["basis"]
    assert put_out[0].startswith("subcontracting tie, moderate: Answer (linkages): Producers")


def test_scorecard_queries_do_not_grow_with_the_answers(
    client, officer, django_assert_max_num_queries
):
    assessment = start(client)
    fill_everything(client, assessment)
    url = reverse("checklist:scorecard", args=[assessment.pk])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(10):
        AssessmentTie.objects.create(
            assessment=assessment, direction="horizontal", nature="information_exchange",
            from_role="producer", to_role="producer", strength="weak",
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "your answer, linkage row 12" in html  # the map draws the new ties
