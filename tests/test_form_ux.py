"""The step form's aids (issue 9): indicator codes in the help linked to /method/, a progress
bar over the steps, and a draft that reopens at its next unanswered step."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from checklist.forms import STEP_FORMS
from checklist.help import indicator_links
from checklist.models import OFFICERS, STEPS, Assessment
from engine import criteria


@pytest.fixture
def officer(db):
    user = User.objects.create_user("olga", password="officer-pass-1")
    user.groups.add(Group.objects.get(name=OFFICERS))
    return user


def draft(owner, steps_done=(), **fields) -> Assessment:
    fields = {"name": "Agra", "country": "India", "sector": "Shoes", **fields}
    return Assessment.objects.create(
        owner=owner, evidence_year=1995, steps_done=list(steps_done), **fields
    )


def links(html: str) -> dict[str, str]:
    return dict(re.findall(r'<a href="/method/#indicator-(\w+)" title="([^"]*)">\1</a>', html))


def test_a_code_links_to_its_row_on_the_method_page_and_the_rest_is_escaped():
    html = str(indicator_links("Feeds 1a & 4c <b>, not 9z, 4cm, 1a-2 or 14b."))
    assert links(html) == {
        "1a": f"1a: {criteria.indicator('1a').name}",
        "4c": f"4c: {criteria.indicator('4c').name}",
    }
    assert "&amp; " in html and "&lt;b&gt;" in html and "<b>" not in html
    assert "9z, 4cm, 1a-2 or 14b." in html  # not codes: left as they are


def test_text_without_a_code_comes_back_escaped_and_unchanged():
    assert str(indicator_links("Shares <of> firms")) == "Shares &lt;of&gt; firms"


def test_every_code_the_help_links_has_its_anchor_on_the_method_page(client, db):
    method = client.get(reverse("checklist:method")).content.decode()
    help_texts = [
        str(field.help_text)
        for form_class, formset_class in STEP_FORMS.values()
        for cls in (form_class, getattr(formset_class, "form", None))
        if cls is not None
        for field in cls.base_fields.values()
        if field.help_text
    ]
    linked = {code for text in help_texts for code in links(text)}
    assert {"2a", "4b"} <= linked  # the policy and markets forms' help name them
    for code in linked:
        assert f'id="indicator-{code}"' in method, code


def test_the_step_page_links_the_codes_of_its_intro_and_its_fields_help(client, officer):
    assessment = draft(officer)
    client.force_login(officer)
    firms = client.get(reverse("checklist:step", args=[assessment.pk, "firms"])).content.decode()
    assert {"1a", "1b", "4b", "6a"} <= set(links(firms))  # "Feeds 1a (producers), 1b ..."
    markets = reverse("checklist:step", args=[assessment.pk, "markets"])
    help_text = re.search(
        r'id="id_main-key_buyers_helptext"[^>]*>(.*?)</div>',
        client.get(markets).content.decode(),
        re.S,
    ).group(1)
    assert "4b" in links(help_text)


def test_the_kind_and_direct_questions_written_by_the_form_link_their_codes_too(client, officer):
    assessment = draft(officer)
    client.force_login(officer)
    page = client.get(reverse("checklist:step", args=[assessment.pk, "institutions"]))
    help_text = re.search(
        r'id="id_main-export_promotion_bodies_helptext"[^>]*>(.*?)</div>',
        page.content.decode(),
        re.S,
    ).group(1)
    counted = {i.code for i in criteria.INDICATORS if "export_promotion_bodies" in i.inventories}
    assert counted and set(links(help_text)) == counted


@pytest.mark.parametrize(
    "done, answered",
    [([], 0), (["profile"], 1), (["profile", "firms", "markets"], 3), (list(STEPS), 6)],
)
def test_the_progress_bar_counts_the_steps_answered(client, officer, done, answered):
    assessment = draft(officer, done)
    client.force_login(officer)
    html = client.get(reverse("checklist:step", args=[assessment.pk, "firms"])).content.decode()
    bar = re.search(r"<progress [^>]*>", html).group(0)
    assert f'max="{len(STEPS)}"' in bar and f'value="{answered}"' in bar
    assert '<label for="step-progress"' in html
    assert f"{answered} of {len(STEPS)} steps answered" in html


def test_a_new_assessment_starts_its_progress_at_none_answered(client, officer):
    client.force_login(officer)
    html = client.get(reverse("checklist:new")).content.decode()
    assert 'value="0"' in re.search(r"<progress [^>]*>", html).group(0)


@pytest.mark.parametrize(
    "done, expected",
    [
        ([], "profile"),
        (["profile"], "firms"),
        (["profile", "firms", "markets"], "institutions"),  # a skipped step comes first
        (["profile", "firms", "institutions"], "linkages"),  # institutions before linkages
        (["firms", "linkages", "institutions", "markets", "policy"], "profile"),
        (list(STEPS), None),
    ],
)
def test_next_unanswered_step_is_the_first_not_yet_saved(officer, done, expected):
    assert draft(officer, done).next_unanswered_step == expected


def row_of(html: str, name: str) -> str:
    return next(row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if name in row)


def test_a_draft_opens_at_its_next_unanswered_step_from_the_list(client, officer):
    stopped = draft(officer, ["profile", "firms"], name="Stopped")
    finished = draft(officer, list(STEPS), name="Finished")
    submitted = draft(officer, ["profile"], name="Submitted", status=Assessment.Status.SUBMITTED)
    client.force_login(officer)
    html = client.get(reverse("checklist:assessments")).content.decode()
    step = reverse("checklist:step", args=[stopped.pk, "institutions"])
    assert f'<a href="{step}">Stopped</a>' in row_of(html, "Stopped")
    assert "opens at Institutions" in row_of(html, "Stopped")
    for other in (finished, submitted):  # nothing left to answer, or no longer a draft
        scorecard = reverse("checklist:scorecard", args=[other.pk])
        assert f'<a href="{scorecard}">{other.name}</a>' in row_of(html, other.name)


def test_a_draft_shared_with_another_user_opens_at_its_scorecard_for_them(client, officer):
    stopped = draft(officer, ["profile"], name="Stopped")
    reader = User.objects.create_user("rita", password="reader-pass-1")
    reader.groups.add(Group.objects.get(name=OFFICERS))
    stopped.shared_with.add(reader)
    client.force_login(reader)
    html = client.get(reverse("checklist:assessments")).content.decode()
    scorecard = reverse("checklist:scorecard", args=[stopped.pk])
    assert f'<a href="{scorecard}">Stopped</a>' in row_of(html, "Stopped")
    assert "opens at" not in html
