"""In a real browser, nothing a user stored runs or renders as markup, and the CSP holds.

Payloads go into every free-text field of an assessment (and its rows) and into library data;
then each role visits every page that can show them. A page fails on any dialog, any element a
payload would create (also inside plotly's SVG, hover labels included), and any
Content-Security-Policy violation. Issue 8.
"""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import models
from django.test import Client

from cases.models import ActorGroup, CaseStudy, Institution
from checklist.models import (
    OFFICERS,
    RESEARCHERS,
    STEPS,
    Assessment,
    AssessmentGroup,
    AssessmentInstitution,
    AssessmentTie,
)
from checklist.services import reassess, record_score, submit_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
BREAKOUT = '"><svg onload=alert(1)>'
LINK = '<a href="https://example.com">x</a>'
PAYLOADS = [SCRIPT, IMG, BREAKOUT, LINK]

# What any payload would leave in the DOM if it were ever parsed as markup; the JSON data
# the charts travel in (script type=application/json) holds the payloads as text, rightly.
FIND_PAYLOAD_ELEMENTS = """() => {
  const found = [];
  const selectors = ['a[href="https://example.com"]', 'img[src="x"]', "svg[onload]",
                     "[onerror]", "[onload]", ".main-svg a", ".hoverlayer a"];
  for (const s of selectors) {
    document.querySelectorAll(s).forEach((e) => found.push(s + ": " + e.outerHTML.slice(0, 80)));
  }
  for (const s of document.scripts) {
    if (s.type !== "application/json" && s.textContent.includes("alert(")) {
      found.push("script: " + s.textContent.slice(0, 80));
    }
  }
  return found;
}"""

# Draws every hover label (plotly renders hover text only on hover) and reports markup in it.
HOVER_EVERY_TRACE = """async () => {
  const found = [];
  for (const gd of document.querySelectorAll(".js-plotly-plot")) {
    for (let i = 0; i < (gd.data || []).length; i++) {
      const subplot = gd.data[i].type === "scatterpolar" ? "polar" : undefined;
      try {
        window.Plotly.Fx.hover(gd, [{curveNumber: i, pointNumber: 0}], subplot);
      } catch (e) { continue; }
      gd.querySelectorAll(".hoverlayer a, .hoverlayer [onload], .hoverlayer [onerror]")
        .forEach((e) => found.push(gd.id + " hover: " + e.outerHTML.slice(0, 80)));
      window.Plotly.Fx.unhover(gd);
    }
  }
  return found;
}"""

WATCH_CSP = """document.addEventListener("securitypolicyviolation", (e) => {
  (window.__csp = window.__csp || []).push(
    `${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`);
});"""


@pytest.fixture
def poisoned(transactional_db):
    """An officer's assessment (and its re-assessment) with a payload in every free-text
    field, shared with researchers; Tiruppur's library data edited to hold payloads."""
    call_command("load_cases", verbosity=0)
    officer = User.objects.create_user("olga", password="x")
    officer.groups.add(Group.objects.get_or_create(name=OFFICERS)[0])
    researcher = User.objects.create_user("rita", password="x")
    researcher.groups.add(Group.objects.get_or_create(name=RESEARCHERS)[0])
    admin = User.objects.create_superuser("ada", password="x")

    def fill(model, **fields):
        """Every free-text field (text without choices) gets a payload, in turn."""
        texts = [
            f
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        for n, field in enumerate(texts):
            fields.setdefault(field.name, PAYLOADS[n % len(PAYLOADS)][: field.max_length])
        return fields

    first = Assessment.objects.create(
        **fill(Assessment, owner=officer, name=LINK, evidence_year=1995, producer_count=500,
               share_with_researchers=True, steps_done=list(STEPS))
    )  # fmt: skip
    for n, role in enumerate(["producer", "supplier"]):
        AssessmentGroup.objects.create(**fill(AssessmentGroup, assessment=first, role=role,
                                              name=PAYLOADS[n]))  # fmt: skip
    AssessmentInstitution.objects.create(
        **fill(AssessmentInstitution, assessment=first, kind="association", name=IMG)
    )
    AssessmentTie.objects.create(
        **fill(AssessmentTie, assessment=first, direction="backward", nature="subcontracting",
               from_role="producer", to_role="supplier", strength="strong")
    )  # fmt: skip
    submit_assessment(assessment=first)
    second = reassess(assessment=first, owner=officer)
    second.region, second.evidence_year = BREAKOUT + " later", 2000
    second.save()
    record_score(assessment=second)

    tiruppur = CaseStudy.objects.get(slug="tiruppur")
    CaseStudy.objects.filter(pk=tiruppur.pk).update(short_title=f"Tiruppur {SCRIPT}")
    institution = Institution.objects.filter(case=tiruppur).first()
    Institution.objects.filter(pk=institution.pk).update(name=IMG, acronym=BREAKOUT[:30])
    group = ActorGroup.objects.filter(case=tiruppur).first()
    ActorGroup.objects.filter(pk=group.pk).update(name=LINK)
    return {"officer": officer, "researcher": researcher, "admin": admin,
            "first": first, "second": second, "institution": institution}  # fmt: skip


def test_no_payload_runs_or_renders_on_any_page_for_any_role(poisoned, live_server, browser):
    first, second = poisoned["first"], poisoned["second"]
    compare = "/compare/?" + urlencode(
        [("case", "tiruppur"), ("case", "sinos-valley"), ("assessment", first.pk),
         ("assessment", second.pk)]
    )  # fmt: skip
    library = ["/cases/", "/cases/tiruppur/", "/cases/tiruppur/scorecard/"]
    own = [
        "/assess/",
        *[f"/assess/{second.pk}/{step}/" for step in STEPS],
        f"/assess/{first.pk}/",
        f"/assess/{second.pk}/compare/{first.pk}/",
    ]
    pages = {
        None: [*library, "/compare/?case=tiruppur&case=sinos-valley"],
        "researcher": [f"/assess/{first.pk}/", compare],
        "officer": [*own, compare, "/compare/?case=tiruppur&q=example.com"],
        "admin": [
            "/admin/cases/institution/",
            "/admin/cases/actorgroup/",
            "/admin/cases/casestudy/",
            f"/admin/cases/institution/{poisoned['institution'].pk}/change/",
            f"/assess/{second.pk}/",
        ],
    }
    problems, seen_as_text = [], 0
    for role, paths in pages.items():
        context = browser.new_context()
        if role:
            client = Client()
            client.force_login(poisoned[role])
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                  "url": live_server.url}])  # fmt: skip
        context.add_init_script(WATCH_CSP)
        page = context.new_page()
        page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.on(
            "console",
            lambda m: "Content Security Policy" in m.text and problems.append(m.text),
        )
        for path in paths:
            where = f"{role or 'anonymous'} {path}"
            response = page.goto(live_server.url + path)
            assert response.status == 200, where
            charts = page.locator(".plotly-graph-div[data-figure]")
            for n in range(charts.count()):
                charts.nth(n).locator(".main-svg").first.wait_for(state="attached")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            found = page.evaluate(FIND_PAYLOAD_ELEMENTS)
            if charts.count():
                found += page.evaluate(HOVER_EVERY_TRACE)
            found += page.evaluate("window.__csp || []")
            problems.extend(f"{where}: {f}" for f in found)
            body = page.locator("body").inner_text()
            seen_as_text += sum(body.count(p) for p in PAYLOADS)
        context.close()
    assert problems == []
    assert seen_as_text > 50  # the payloads were on the pages, shown as the text typed
