"""A researcher in a real browser: from the case list to a figure's passage in the paper."""

import re
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library(transactional_db):
    # Transactional tests empty the database afterwards, so each loads the library itself.
    call_command("load_cases", verbosity=0)


@pytest.fixture
def watched_page(page, live_server):
    """The page, failing the test on console errors or requests to any other host."""
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    own_host = urlparse(live_server.url).hostname

    def check_request(request):
        host = urlparse(request.url).hostname
        if host and host != own_host:
            problems.append(f"request to another host: {request.url}")

    page.on("request", check_request)
    yield page
    assert problems == []


def test_researcher_follows_a_figure_to_its_passage(library, live_server, watched_page):
    page = watched_page
    page.goto(f"{live_server.url}/cases/")
    cards = page.locator("article[data-case]")
    assert cards.count() == 5
    page.locator('article[data-case="sinos-valley"]').get_by_role(
        "link", name="Read the case"
    ).click()
    page.wait_for_url("**/cases/sinos-valley/")
    assert "Sinos Valley" in page.locator("h1").inner_text()

    row = page.locator("#figures tbody tr").filter(has_text="48.2%")
    citation = row.locator("a.cite").first
    assert "48.2%" in citation.get_attribute("title")  # the passage shows on hover
    citation.click()
    page.wait_for_url("**/paper/?from=*")
    highlighted = page.locator(".paper-line.hl")
    assert highlighted.count() >= 1
    assert "48.2%" in " ".join(highlighted.all_inner_texts())
    assert highlighted.first.is_visible()


def test_every_case_page_fits_a_phone_screen(library, live_server, watched_page):
    page = watched_page
    page.set_viewport_size({"width": 375, "height": 800})
    slugs = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]
    for path in ["/cases/", *[f"/cases/{slug}/" for slug in slugs]]:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, path
    menu = page.get_by_role("navigation", name="Main navigation")
    assert not menu.get_by_role("link", name="Cases").is_visible()  # folded away on a phone
    menu.get_by_role("button", name="Toggle navigation").click()
    menu.get_by_role("link", name="Cases").wait_for(state="visible")


def test_case_scorecard_draws_its_radar_from_local_plotly(library, live_server, watched_page):
    page = watched_page
    page.goto(f"{live_server.url}/cases/korea-chaebol-networks/scorecard/")
    page.locator("#radar .main-svg").first.wait_for(state="visible")
    traces = page.evaluate("document.getElementById('radar').data.map(t => t.name)")
    assert "Korean chaebol networks" in traces and len(traces) == 5
    assert page.locator("#points tbody tr").count() == 8
    page.get_by_role("link", name="How scoring works").click()
    page.wait_for_url("**/method/")
    assert page.locator("#point-8").is_visible()


def test_officer_fills_every_step_and_reads_the_scorecard(library, live_server, watched_page):
    from django.contrib.auth.models import Group, User

    officer = User.objects.create_user("olga", password="officer-pass-1")
    # Transactional tests empty the tables, including the groups the migrations create.
    officer.groups.add(Group.objects.get_or_create(name="Policy officers")[0])
    page = watched_page
    page.goto(f"{live_server.url}/assess/")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill("officer-pass-1")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="New assessment").click()
    page.wait_for_url("**/assess/new/")

    page.get_by_label("Cluster or network name").fill("Agra shoe cluster")
    page.get_by_label("Country").fill("India")
    page.get_by_label("Sector").fill("Shoes")
    page.get_by_label("Year of the evidence").fill("1995")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/firms/")

    page.get_by_label("Producing firms in the cluster").fill("5000")
    page.locator("#id_firms-0-role").select_option("producer")
    page.locator("#id_firms-0-name").fill("Shoe producers")
    page.locator("#id_firms-0-share_of_firms").fill("80")
    page.locator("#id_firms-1-role").select_option("export_agent")
    page.locator("#id_firms-1-name").fill("Export agents")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Firms saved as a draft.")).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()
    # Institutions come before linkages, so the tie below can name the fair it connects.
    page.wait_for_url("**/institutions/")
    page.locator("#id_main-export_promotion_bodies_1").check()  # None
    page.locator("#id_main-trade_fair_bodies_0").check()  # Listed below
    # Self-help is asked once, as 5e's question: there is no kind radio for it.
    expect(page.locator("input[name=main-self_help]")).to_have_count(0)
    page.locator("#id_main-self_help_finance_1").check()  # "No" for 5e

    page.locator("#id_institutions-0-name").fill("Agra Footwear Fair")
    page.locator("#id_institutions-0-kind").select_option("trade_fair")
    page.locator("#id_institutions-0-ownership").select_option("private")
    page.locator("#id_institutions-0-sector_specific").select_option("yes")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/linkages/")

    page.locator("#id_linkages-0-direction").select_option("forward")
    page.locator("#id_linkages-0-nature").select_option("technical_assistance")
    page.locator("#id_linkages-0-from_role").select_option("export_agent")
    page.locator("#id_linkages-0-to_role").select_option("producer")
    page.locator("#id_linkages-0-strength").select_option("moderate")
    page.locator("#id_linkages-1-direction").select_option("institutional")
    page.locator("#id_linkages-1-nature").select_option("joint_marketing")
    page.locator("#id_linkages-1-from_role").select_option("")  # an institution: the fair
    page.locator("#id_linkages-1-to_role").select_option("producer")
    page.locator("#id_linkages-1-institution").select_option(label="Agra Footwear Fair")
    direct = page.locator("#direct-questions")
    expect(direct.get_by_text("Do programmes work with groups of producers")).to_be_visible()
    page.locator("#id_main-group_support_1").check()  # "No" for 2b
    # Engine 2.0's list answers: "none" makes a kind absent, "don't know" leaves it unknown.
    page.locator("#id_main-horizontal_cooperation_1").check()  # None
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/markets/")
    from checklist.models import AssessmentTie

    named = AssessmentTie.objects.get(nature="joint_marketing").institution
    assert named is not None and named.name == "Agra Footwear Fair"  # named without going back

    page.get_by_label("Share of output exported (%)").fill("130")
    page.get_by_role("button", name="Save and continue").click()
    # exact: the error summary's link says it too, after the field's name
    expect(page.get_by_text("Give a share between 0 and 100 (%).", exact=True)).to_be_visible()
    page.get_by_label("Share of output exported (%)").fill("30")
    page.get_by_label("Quality").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/policy/")

    page.get_by_label("Trade regime").select_option("liberalising")
    page.get_by_role("button", name="Save and see the scorecard").click()

    page.wait_for_url("**/assess/*/")
    page.locator("#radar .main-svg").first.wait_for(state="visible")
    traces = page.evaluate("document.getElementById('radar').data.map(t => t.name)")
    assert traces[0] == "Agra shoe cluster" and len(traces) == 6
    expect(page.locator("#resemblance")).to_be_visible()
    # Where the cluster differs most from its nearest case: the feature, then both sides.
    nearest = page.locator("#resemblance .nearest-case").inner_text()
    differs = page.locator("#resemblance-differs li").first.inner_text()
    assert re.fullmatch(rf"[^—]+ — Agra shoe cluster: .+; {re.escape(nearest)}: .+", differs), (
        nearest,
        differs,
    )
    page.locator("#cluster-map .main-svg").first.wait_for(state="visible")
    page.get_by_role("button", name="Submit and record this scorecard").click()
    expect(page.get_by_text("Assessment submitted and scored.")).to_be_visible()
    expect(page.locator("#history tbody tr")).to_have_count(1)


# Each drawn legend entry of a chart, its wrapped lines joined by spaces.
LEGEND_TEXTS = """(chart) => [...document.querySelectorAll(`${chart} .legend .legendtext`)].map(
  (text) => {
    const lines = [...text.querySelectorAll("tspan.line")].map((line) => line.textContent);
    return lines.length ? lines.join(" ") : text.textContent;
  })"""


def test_five_case_comparison_draws_its_charts(library, live_server, watched_page):
    page = watched_page
    page.goto(f"{live_server.url}/cases/")
    page.get_by_role("link", name="Compare").click()
    page.wait_for_url("**/compare/?case=*")
    for chart in ("#chart-radar", "#chart-bars"):
        page.locator(f"{chart} .main-svg").first.wait_for(state="visible")
        assert page.evaluate(f"document.querySelector('{chart}').data.length") == 5
    for chart in ("#chart-linkages", "#chart-institutions"):
        page.locator(f"{chart} .main-svg").first.wait_for(state="visible")
    for chart in ("#chart-sizes", "#chart-firms", "#chart-exports", "#chart-institution-types"):
        expect(page.locator(f"{chart} .main-svg").first).to_be_visible()
    expect(page.locator("#chart-sizes")).to_contain_text("not in the paper's text")  # 1971
    # Legend entries are wrapped onto lines (one <tspan class="line"> each): read them as drawn.
    legend = page.evaluate(LEGEND_TEXTS, "#chart-exports")
    assert any("Direct knitwear exports from Tiruppur" in entry for entry in legend), legend
    expect(page.locator("#comparison thead th")).to_have_count(6)


def test_moving_a_weight_reranks_the_cases_and_a_png_button_saves_a_chart(
    library, live_server, watched_page, browser
):
    page = watched_page
    slugs = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]
    cases = "&".join(f"case={s}" for s in slugs)
    page.goto(f"{live_server.url}/compare/?{cases}&w=1,1,oops,1,1,1,1,1")
    expect(page.locator("#weights-error")).to_contain_text("point 3 is not a number")
    ranking = page.locator("#ranking tbody tr")
    expect(ranking).to_have_count(5)
    equal = ranking.all_inner_texts()

    # The script's rule is compare/ranking.py's, down to rounding exact ties to even.
    from engine.ranking import weighted_overall
    from engine.scoring import PointScore, Scorecard

    examples = [
        ([50.0, 50.5, None, None, None, None, None, None], [1] * 8),  # 50.25 -> 50.2
        ([50.0, 51.5, None, None, None, None, None, None], [1] * 8),  # 50.75 -> 50.8
        ([96.0, 100.0, 95.4, 75.0, 80.6, 85.7, None, 89.7], [1, 1, 1, 1, 3, 1, 2.5, 0.5]),
        ([82.9, None, 67.4, 37.5, 88.3, 92.4, None, 51.7], [0, 3, 0.5, 1, 1, 2, 1, 1]),
        ([90.0, None, None, None, None, None, None, None], [0, 1, 1, 1, 1, 1, 1, 1]),  # none
    ]
    for scores, weights in examples:
        points = tuple(
            PointScore(n, "", s, "not yet known" if s is None else "strong", 1.0, (), (), ())
            for n, s in enumerate(scores, start=1)
        )
        expected = weighted_overall(Scorecard("", "", None, 1.0, points), weights)
        script = page.evaluate(
            "([s, w]) => window.clusterdxRanking.weightedOverall(s, w)", [scores, weights]
        )
        assert script == expected, (scores, weights)
    expect(ranking.nth(2)).to_contain_text("Tiruppur knitwear")

    # Groups and support services, where León is ahead of Tiruppur.
    for number in (2, 5):
        page.locator(f"#weight-{number}").focus()
        for _ in range(4):  # 1 -> 3 in steps of 0.5
            page.keyboard.press("ArrowRight")
        expect(page.locator(f"output[for=weight-{number}]")).to_have_text("3")
    expect(page.locator("#weights-error")).to_be_hidden()  # the address's weights are gone
    expect(ranking.nth(2)).to_contain_text("Leon & Guadalajara shoes")
    expect(ranking.nth(2)).to_contain_text("▲ 1 (was 4)")
    expect(ranking.nth(3)).to_contain_text("Tiruppur knitwear")
    assert "w=1,3,1,1,3,1,1,1" in page.url
    live = ranking.all_inner_texts()

    # The shared address, read without JavaScript: the server ranks exactly as the script did.
    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(page.url)
    assert plain.locator("#ranking tbody tr").all_inner_texts() == live
    plain.context.close()

    page.get_by_role("link", name="Reset to equal weights").click()
    expect(page.locator("output[for=weight-5]")).to_have_text("1")
    assert ranking.all_inner_texts() == equal and "w=" not in page.url

    page.locator("#chart-radar .main-svg").first.wait_for(state="visible")
    charts = page.locator(".chart-box .plotly-graph-div")
    assert charts.count() >= 4
    # One per chart, each named after its chart (the word PNG first, as the button shows it).
    pngs = page.get_by_role("button", name=re.compile(r"^PNG image of \S"))
    expect(pngs).to_have_count(page.locator(".plotly-graph-div").count())
    for button in page.locator("button.png-download").all():
        button.click(trial=True, timeout=5000)  # visible and not covered by a chart or table
    with page.expect_download() as saved:
        page.locator("button.png-download[data-chart=chart-radar]").click()
    download = saved.value
    assert download.suggested_filename == "clusterdx-radar.png"
    with open(download.path(), "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
