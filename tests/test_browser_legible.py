"""Every chart label whole and apart, on a laptop and on a phone.

Opens each case page (its cluster map), each case scorecard (its radar) and the five-case
comparison at 1280 px, measures every text Plotly drew, narrows the same page to 390 px (the
charts redraw for the new width) and measures again. A label fails when its box leaves its
SVG's box (clipped) or meets another label's box (overlap), beyond a small tolerance for
antialiasing. One load per page keeps the test short: parsing plotly.js costs ~2 s a page.
"""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from checklist.models import (
    STEPS,
    Assessment,
    AssessmentGroup,
    AssessmentInstitution,
    AssessmentTie,
)
from checklist.services import submit_assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUGS = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]
WIDTHS = (1280, 390)

# Every chart on the page: each drawn text's box against its SVG's and against every other
# text's box in the same chart. Hover labels are empty until hovered, so they are skipped.
MEASURE = """(tolerance) => {
  const problems = [];
  const intersects = (a, b) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > tolerance &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > tolerance;
  document.querySelectorAll(".plotly-graph-div[data-figure]").forEach((chart) => {
    const boxes = [];
    chart.querySelectorAll("svg.main-svg").forEach((svg) => {
      const frame = svg.getBoundingClientRect();
      svg.querySelectorAll("text").forEach((text) => {
        if (text.closest(".hoverlayer")) return;
        const words = text.textContent.trim();
        const style = getComputedStyle(text);
        if (!words || style.display === "none" || style.visibility === "hidden"
            || Number(style.opacity) === 0) return;
        const box = text.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) return;
        if (box.left < frame.left - tolerance || box.right > frame.right + tolerance
            || box.top < frame.top - tolerance || box.bottom > frame.bottom + tolerance) {
          problems.push(`${chart.id}: "${words}" clipped by its chart's edge`);
        }
        boxes.push({ words, box });
      });
    });
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        if (intersects(boxes[i].box, boxes[j].box)) {
          problems.push(`${chart.id}: "${boxes[i].words}" overlaps "${boxes[j].words}"`);
        }
      }
    }
  });
  return problems;
}"""

# Every chart drawn and its labels placed for the width its box has now (charts.js marks it).
DRAWN_AT_WIDTH = """() => [...document.querySelectorAll(".plotly-graph-div[data-figure]")].every(
  (chart) => chart.dataset.drawnWidth === String(chart.clientWidth))"""


@pytest.fixture
def library(transactional_db):
    call_command("load_cases", verbosity=0)


def _problems(page, url: str) -> list[str]:
    page.set_default_timeout(90_000)  # 2 cores shared by a busy machine: a slow page is no failure
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto(url)
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_function(DRAWN_AT_WIDTH)
        found += [f"{url} at {width} px: {p}" for p in page.evaluate(MEASURE, 1.5)]
    return found


def test_every_chart_label_is_whole_and_apart_at_laptop_and_phone_widths(
    library, live_server, page
):
    comparison = "/compare/?" + urlencode([("case", slug) for slug in SLUGS])
    paths = [
        *[f"/cases/{slug}/" for slug in SLUGS],
        *[f"/cases/{slug}/scorecard/" for slug in SLUGS],
        comparison,
    ]
    problems = []
    for path in paths:
        problems += _problems(page, f"{live_server.url}{path}")
    assert problems == [], "\n".join(problems)


@pytest.fixture
def crowded_assessment(library):
    """An officer's assessment with long names, a tie between producers themselves (a loop),
    two ties between the same groups and many institutions: its map and radar are crowded."""
    officer = User.objects.create_user("olga", password="x")
    assessment = Assessment.objects.create(
        owner=officer, name="Agra and Kanpur leather footwear and components cluster",
        country="India", sector="Shoes", evidence_year=1995, steps_done=list(STEPS),
    )  # fmt: skip
    for role, name in [
        ("producer", "Small workshop shoe producers of the old city"),
        ("supplier", "Leather and sole suppliers"),
        ("buyer", "Export houses and domestic wholesale buyers"),
        ("stage_unit", "Home-based upper stitchers"),
    ]:
        AssessmentGroup.objects.create(assessment=assessment, role=role, name=name)
    for name in [
        "Central Footwear Training Institute",
        "Council for Leather Exports",
        "Agra Shoe Manufacturers' Association",
        "Footwear Design and Development",
    ]:
        AssessmentInstitution.objects.create(
            assessment=assessment, kind="trade_association", name=name
        )
    for source, target, nature in [
        ("producer", "producer", "subcontracting"),
        ("producer", "stage_unit", "job_working"),
        ("producer", "stage_unit", "subcontracting"),
        ("supplier", "producer", "supply"),
        ("producer", "buyer", "sales"),
    ]:
        AssessmentTie.objects.create(
            assessment=assessment, direction="backward", nature=nature, from_role=source,
            to_role=target, strength="moderate",
        )  # fmt: skip
    submit_assessment(assessment=assessment)
    return assessment


def test_an_officers_crowded_map_and_comparison_read_cleanly_too(
    crowded_assessment, live_server, page, client
):
    client.force_login(crowded_assessment.owner)  # the page's browser gets the same session
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    comparison = "/compare/?" + urlencode(
        [*[("case", slug) for slug in SLUGS], ("assessment", crowded_assessment.pk)]
    )
    problems = []
    for path in [f"/assess/{crowded_assessment.pk}/", comparison]:
        problems += _problems(page, f"{live_server.url}{path}")
    assert problems == [], "\n".join(problems)
