"""The Content-Security-Policy: script only from this site, and pages that need no more."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from checklist.models import STEPS, Assessment

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


def test_every_page_forbids_inline_script_and_other_hosts(client):
    policy = directives(client.get(reverse("cases:list")))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]  # plotly's PNG download


def test_pages_with_charts_and_scripts_carry_none_inline(client):
    owner = User.objects.create_user("olga", password="x")
    assessment = Assessment.objects.create(
        owner=owner, name="Agra", country="India", sector="Shoes", evidence_year=1995,
        steps_done=list(STEPS),
    )  # fmt: skip
    assessment.ties.create(direction="horizontal", nature="cooperation", strength="strong")
    client.force_login(owner)
    paths = [
        reverse("compare:page") + f"?case=tiruppur&case=sinos-valley&assessment={assessment.pk}",
        reverse("cases:detail", args=["tiruppur"]),
        reverse("checklist:case-scorecard", args=["tiruppur"]),
        reverse("checklist:scorecard", args=[assessment.pk]),
        reverse("checklist:step", args=[assessment.pk, "profile"]),
        reverse("checklist:assessments"),
    ]
    for path in paths:
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 200, path
        assert INLINE_SCRIPT.findall(html) == [], path
        assert EVENT_HANDLER.findall(html) == [], path
        assert 'style="' not in html, path  # our markup needs no inline style either
