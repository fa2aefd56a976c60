"""WCAG 2.1 AA in a real browser (issue 13): axe-core on every page and state at a desktop and
a phone width, a keyboard-only assessment, and every chart named and linked to its data table.

Page loads are few on purpose (plotly costs about 2 s a page on these machines): one browser
session visits each page once per width."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from playwright.sync_api import expect

from checklist.models import OFFICERS, Assessment, AssessmentGroup, AssessmentTie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [(1280, 800), (390, 844)]
PASSWORD = "officer-pass-1"
FIVE_CASES = (
    "/compare/?case=sinos-valley&case=leon-guadalajara&case=tiruppur&case=bangalore"
    "&case=korea-chaebol-networks"
)
# The admin is Django's own and excluded (issue 13).
PUBLIC_PAGES = [
    "/",
    "/cases/",
    "/cases/sinos-valley/",  # has a cluster map
    "/paper/",
    "/paper/?from=208&to=209",  # a highlighted passage
    "/sources/",
    "/method/",
    "/cases/korea-chaebol-networks/scorecard/",
    FIVE_CASES,
    "/accounts/login/",
    "/accounts/password_reset/",
]


@pytest.fixture
def officer(transactional_db):
    # Transactional tests empty every table, so the library and the groups are made here.
    call_command("load_cases", verbosity=0)
    user = User.objects.create_user("olga", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=OFFICERS)[0])
    return user


def assessed(owner, year, *, previous=None) -> Assessment:
    """An assessment with groups and ties, so its scorecard draws a cluster map."""
    assessment = Assessment.objects.create(
        owner=owner, name="Agra shoe cluster", country="India", sector="Shoes",
        evidence_year=year, previous=previous, steps_done=["profile", "firms", "linkages"],
    )  # fmt: skip
    AssessmentGroup.objects.create(
        assessment=assessment, role="producer", name="Shoe producers", count=5000
    )
    AssessmentGroup.objects.create(assessment=assessment, role="export_agent", name="Agents")
    AssessmentTie.objects.create(
        assessment=assessment, direction="forward", nature="technical_assistance",
        from_role="export_agent", to_role="producer", strength="moderate",
    )  # fmt: skip
    return assessment


def wait_for_charts(page):
    """Wait until plotly has drawn every chart on the page and charts.js has finished with it
    (toolbar out of the Tab order, then its PNG button): axe should see the final DOM."""
    charts = page.locator(".plotly-graph-div").count()
    expect(page.locator("button.png-download")).to_have_count(charts)


def sign_in(page, base, password=PASSWORD):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def violations_on(page, axe) -> list[str]:
    wait_for_charts(page)
    result = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {node['target']}"
        for v in result.response["violations"]
        for node in v["nodes"]
    ]


def test_axe_finds_no_violation_on_any_page_or_state_at_either_width(officer, live_server, page):
    first = assessed(officer, 1995)
    later = assessed(officer, 2003, previous=first)
    base = live_server.url
    axe = Axe()
    found: dict[str, list[str]] = {}

    def check(label):
        problems = violations_on(page, axe)
        if problems:
            found[label] = problems

    for width, height in WIDTHS:
        page.context.clear_cookies()
        page.set_viewport_size({"width": width, "height": height})
        for path in PUBLIC_PAGES:
            page.goto(f"{base}{path}")
            check(f"{width} {path}")
        sign_in(page, base, password="wrong")
        expect(page.locator("#error-summary")).to_be_visible()
        check(f"{width} login with an error")
        sign_in(page, base)
        page.wait_for_url("**/")
        signed_in = [
            "/assess/",
            "/assess/new/",
            *[f"/assess/{later.pk}/{step}/" for step in ("firms", "institutions", "linkages")],
            *[f"/assess/{later.pk}/{step}/" for step in ("markets", "policy")],
            f"/assess/{later.pk}/",
            f"/assess/{later.pk}/compare/{first.pk}/",  # what changed
            f"/assess/{later.pk}/firm-tables/new/",
            f"/assess/{later.pk}/delete/",
        ]
        for path in signed_in:
            page.goto(f"{base}{path}")
            check(f"{width} {path}")
        page.goto(f"{base}/assess/{later.pk}/markets/")
        page.get_by_label("Share of output exported (%)").fill("130")
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator("#error-summary")).to_be_focused()
        check(f"{width} a step with an error")
        page.goto(f"{base}/assess/{later.pk}/firms/")
        page.locator("#id_firms-0-share_of_firms").fill("130")
        page.get_by_role("button", name="Add a row").click()
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator("#error-summary")).to_be_focused()
        check(f"{width} a list step with an error in a row")
        page.goto(f"{base}/assess/{later.pk}/firm-tables/new/")
        # The browser checks the required fields itself (no novalidate): an error only the
        # server finds, a file of the wrong kind, brings the error summary.
        page.get_by_label("Title").fill("Survey")
        page.get_by_label("Citation").fill("Field survey 1994")
        page.locator("#id_file").set_input_files(
            files=[{"name": "firms.txt", "mimeType": "text/plain", "buffer": b"identifier\n"}]
        )
        page.get_by_role("button", name="Upload and import").click()
        expect(page.locator("#error-summary")).to_be_visible()
        check(f"{width} an upload with errors")

    report = "\n".join(f"{where}:\n  " + "\n  ".join(items) for where, items in found.items())
    assert found == {}, f"{sum(map(len, found.values()))} axe violations:\n{report}"


def test_axe_finds_no_violation_on_the_library_import_pages(
    transactional_db, live_server, page, tmp_path
):
    """An admin's pages (issue 11): an upload with an error, a preview, the written import, a
    case's history, the new case (facts located in a source without stored text)."""
    import json
    from pathlib import Path

    from django.conf import settings
    from django.test import Client

    call_command("load_cases", verbosity=0)
    client = Client()
    client.force_login(User.objects.create_user("ada", password=PASSWORD, is_staff=True))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    example = Path(settings.BASE_DIR) / "docs" / "examples" / "sialkot-example.json"
    objects = json.loads(example.read_text(encoding="utf-8"))
    objects[-1]["fields"]["line_from"] = "not a line"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(objects), encoding="utf-8")
    axe, base, found = Axe(), live_server.url, {}

    def check(label):
        problems = violations_on(page, axe)
        if problems:
            found[label] = problems

    for number, (width, height) in enumerate(WIDTHS):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/library/imports/")
        page.get_by_label("Bundle").set_input_files(str(broken))
        page.get_by_role("button", name="Upload and preview").click()
        expect(page.locator(".bundle-errors li").first).to_be_visible()
        check(f"{width} an upload with an error")
        if number == 0:
            page.goto(f"{base}/library/imports/")
            page.get_by_label("Bundle").set_input_files(str(example))
            page.get_by_role("button", name="Upload and preview").click()
            check(f"{width} a preview")
            page.get_by_role("button", name="Confirm and write").click()
            expect(page.locator("main")).to_contain_text("written.")
            check(f"{width} a written import")
        for path in ("/library/imports/?case=sialkot-example", "/cases/sialkot-example/"):
            page.goto(f"{base}{path}")
            check(f"{width} {path}")

    report = "\n".join(f"{where}:\n  " + "\n  ".join(items) for where, items in found.items())
    assert found == {}, f"{sum(map(len, found.values()))} axe violations:\n{report}"


def tab_to(page, selector: str, limit: int = 80):
    """Press Tab until `selector` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.outerHTML.slice(0, 80)")
    raise AssertionError(f"{selector} not reached in {limit} Tab presses; at {focused}")


def test_an_officer_fills_a_step_fixes_an_error_and_adds_a_row_by_keyboard_alone(
    officer, live_server, page
):
    base = live_server.url
    page.goto(f"{base}/assess/")  # sends a signed-out officer to the login page
    page.wait_for_url("**/login/**")
    expect(page.get_by_label("Username")).to_be_focused()  # Django's login form autofocuses it
    page.keyboard.type("olga")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/assess/")  # the whole address: the login page's next= ends so

    tab_to(page, "a.skip-link", limit=3)  # the first Tab stop
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()  # straight past the navigation
    tab_to(page, "a[href$='/assess/new/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/assess/new/")
    for field, text in [
        ("#id_main-name", "Agra shoe cluster"),
        ("#id_main-country", "India"),
        ("#id_main-sector", "Shoes"),
        ("#id_main-evidence_year", "1995"),
    ]:
        tab_to(page, field)
        page.keyboard.type(text)
    page.keyboard.press("Enter")  # in a field: "Save and continue", the form's first button
    page.wait_for_url("**/firms/")

    tab_to(page, "#id_firms-0-role")
    page.keyboard.type("Producers")  # a closed select picks the option typed
    page.keyboard.press("Tab")
    page.keyboard.type("Shoe producers")
    page.keyboard.press("Tab")
    page.keyboard.type("5000")
    tab_to(page, "#id_firms-0-share_of_firms")  # past the count's "approximate" box
    page.keyboard.type("130")  # share of firms: over 100
    tab_to(page, "button[data-add-row]")
    page.keyboard.press("Enter")
    expect(page.locator("#id_firms-3-role")).to_be_focused()  # the new fourth row
    expect(page.get_by_role("status").filter(has_text="Row 4 added.")).to_be_attached()
    page.keyboard.type("Export agents")
    page.keyboard.press("Tab")
    page.keyboard.type("Export agents")
    page.keyboard.press("Enter")

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()  # read out, and its links are the next Tab stops
    expect(summary).to_contain_text("Share of firms")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's first link
    expect(page.locator("#id_firms-0-share_of_firms")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("80")
    page.keyboard.press("Enter")
    page.wait_for_url("**/institutions/")
    assessment = Assessment.objects.get()
    assert sorted(assessment.groups.values_list("name", flat=True)) == [
        "Export agents",
        "Shoe producers",
    ]

    # The remaining steps to the scorecard, by keyboard: one answer each, then the primary
    # action, reached by Tab and pressed with Enter.
    # A radio group is one Tab stop; its arrow keys move the choice (to "None", the second).
    tab_to(page, "button[name=save_next]", limit=250)
    page.keyboard.press("Enter")
    page.wait_for_url("**/linkages/")
    tab_to(page, "input[name=main-horizontal_cooperation]", limit=150)
    at = int(page.evaluate("document.activeElement.id").rsplit("_", 1)[1])
    page.keyboard.press("ArrowDown" if at < 1 else "ArrowUp" if at > 1 else "Space")
    expect(page.locator("#id_main-horizontal_cooperation_1")).to_be_checked()
    tab_to(page, "button[name=save_next]", limit=150)
    page.keyboard.press("Enter")
    page.wait_for_url("**/markets/")
    tab_to(page, "#id_main-export_share")
    page.keyboard.type("30")
    page.keyboard.press("Enter")
    page.wait_for_url("**/policy/")
    tab_to(page, "button[name=save_next]", limit=150)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/assess/{assessment.pk}/")
    assessment.refresh_from_db()
    assert assessment.export_share == 30 and assessment.horizontal_cooperation == "none"

    # Every chart's data, by keyboard: its "Data table" disclosure opens with Enter.
    wait_for_charts(page)
    summaries = page.locator("details.chart-data > summary")
    assert summaries.count() == page.locator(".plotly-graph-div").count() >= 1  # the radar
    for index in range(summaries.count()):
        summary = summaries.nth(index)
        tab_to_element(page, summary)
        page.keyboard.press("Enter")
        expect(summary.locator("xpath=..")).to_have_attribute("open", "")


def tab_to_element(page, locator, limit: int = 200):
    """Press Tab until the element `locator` names has the focus."""
    handle = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("e => document.activeElement === e", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} not reached in {limit} Tab presses")


def test_every_chart_has_a_name_and_a_linked_data_table(officer, live_server, page):
    assessment = assessed(officer, 1995)
    base = live_server.url
    sign_in(page, base)
    page.wait_for_url("**/")
    pages = [
        FIVE_CASES,
        "/cases/sinos-valley/",
        "/cases/korea-chaebol-networks/scorecard/",
        f"/assess/{assessment.pk}/",
    ]
    seen = 0
    for path in pages:
        page.goto(f"{base}{path}")
        wait_for_charts(page)
        charts = page.evaluate(
            """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(div => {
                const figure = div.closest('[role=figure]');
                const caption = figure && document.getElementById(
                    figure.getAttribute('aria-describedby'));
                const table = caption && caption.closest('table');
                return {
                    id: div.id,
                    name: figure && figure.getAttribute('aria-label'),
                    caption: caption && caption.tagName,
                    rows: table ? table.tBodies[0].rows.length : 0,
                    emptyHeaders: table ? Array.from(table.querySelectorAll('th'))
                        .filter(th => !th.textContent.trim()).length : null,
                    svgHidden: Array.from(div.querySelectorAll('.main-svg'))
                        .every(svg => svg.getAttribute('aria-hidden') === 'true'),
                    png: figure && figure.nextElementSibling
                        && figure.nextElementSibling.matches('button.png-download')
                        ? figure.nextElementSibling.getAttribute('aria-label') : null,
                    tabStops: div.querySelectorAll('a[href]:not([tabindex="-1"]),'
                        + ' button:not([tabindex="-1"]),'
                        + ' a.modebar-btn:not([tabindex="-1"])').length,
                };
            })"""
        )
        assert charts, path
        for found in charts:
            where = f"{path} #{found['id']}"
            assert found["name"] and found["name"] != found["id"], where
            assert found["caption"] == "CAPTION" and found["rows"] > 0, where
            assert found["emptyHeaders"] == 0, where
            assert found["svgHidden"], where
            assert found["tabStops"] == 0, where  # the modebar is out of the Tab order
            assert found["png"] == f"PNG image of {found['name']}", where  # but a PNG button
        seen += len(charts)
    assert seen >= 12  # 10 on the comparison, the case's map, two radars, the assessment's map
    # Radar table: a row per point, a column per cluster; the map's: a row per tie.
    radar = page.locator("#radar-data")
    expect(radar.locator("tbody tr")).to_have_count(8)
    expect(radar.locator("thead th")).to_have_count(1 + 6)  # point, the assessment, five cases
    ties = page.locator("#cluster-map-data")
    expect(ties.locator("tbody tr")).to_have_count(1)
    expect(ties.locator("tbody tr")).to_contain_text("Technical assistance")


def test_every_tab_stop_shows_a_visible_focus_outline(officer, live_server, page):
    """WCAG 2.4.7 and 1.4.11: each element the keyboard reaches, the navbar's links and the
    weight sliders included (Bootstrap takes their outline off), draws a 3 px outline."""
    page.goto(f"{live_server.url}{FIVE_CASES}")
    wait_for_charts(page)
    invisible, seen = [], []
    for _ in range(600):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement, s = getComputedStyle(e);
                const again = e.dataset.tabSeen === "1"; e.dataset.tabSeen = "1";
                return {again, html: e.outerHTML.slice(0, 70), style: s.outlineStyle,
                        width: parseFloat(s.outlineWidth)}; }"""
        )
        if focused["again"] or focused["html"].startswith("<body"):
            break  # round the page once
        seen.append(focused["html"])
        if focused["style"] == "none" or focused["width"] < 2:
            invisible.append(focused["html"])
    assert len(seen) > 50  # the walk reached the sliders and charts, not just the navbar
    assert any("weight" in s for s in seen) and any("nav-link" in s for s in seen)
    assert invisible == [], invisible


def test_skip_links_at_the_top_of_the_results_pass_the_citations(officer, live_server, page):
    """After a comparison is submitted, the table's citations (over a hundred Tab stops) come
    before the weight sliders and the charts: two skip links, shown when focused, pass them."""
    page.goto(f"{live_server.url}{FIVE_CASES}")
    wait_for_charts(page)
    to_sliders = page.get_by_role("link", name="Skip to weight sliders")
    to_charts = page.get_by_role("link", name="Skip to charts")
    assert to_sliders.bounding_box()["width"] <= 1  # hidden until focused
    tab_to(page, "#compare-form button[type=submit]")
    page.keyboard.press("Tab")  # the first Tab stop of the results
    expect(to_sliders).to_be_focused()
    assert to_sliders.bounding_box()["width"] > 20  # shown while focused
    page.keyboard.press("Tab")
    expect(to_charts).to_be_focused()
    assert to_charts.bounding_box()["width"] > 20
    page.keyboard.press("Enter")
    expect(page.locator("#charts")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('#charts').contains(document.activeElement)")
    assert page.evaluate("document.activeElement !== document.querySelector('#charts')")

    page.goto(f"{live_server.url}{FIVE_CASES}")
    tab_to(page, "#compare-form button[type=submit]")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#weights")).to_be_focused()
    tab_to(page, "#weight-1", limit=3)  # in one or two presses, not a hundred
    assert violations_on(page, Axe()) == []


def test_axe_finds_no_violation_on_a_firm_tables_report_or_while_it_waits(
    officer, live_server, page, settings, tmp_path
):
    """The firm table page with its report (captions, column headers, the replacement form)
    and, while its import waits, with the progress bar and no form."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from firms.models import FirmTable

    settings.MEDIA_ROOT = tmp_path / "media"
    assessment = assessed(officer, 1995)
    client = Client()
    client.force_login(officer)
    content = "identifier,size_class,employees,firm_ties\nA,small,5,B\nB,,12,A;C\nC,large,300,\n"
    client.post(
        f"/assess/{assessment.pk}/firm-tables/new/",
        {"title": "Survey", "citation": "Field survey 1995",
         "file": SimpleUploadedFile("firms.csv", content.encode())},
    )  # fmt: skip
    table = FirmTable.objects.get()
    assert table.status == FirmTable.Status.DONE
    base = live_server.url
    axe = Axe()
    found: dict[str, list[str]] = {}
    sign_in(page, base)
    page.wait_for_url("**/")
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}{table.get_absolute_url()}")
        expect(page.locator("#size-classes")).to_be_visible()
        if problems := violations_on(page, axe):
            found[f"{width} report"] = problems
    FirmTable.objects.filter(pk=table.pk).update(status=FirmTable.Status.QUEUED, progress=0)
    page.route("**/status/", lambda route: route.abort())  # stay on the waiting page
    page.goto(f"{base}{table.get_absolute_url()}")
    expect(
        page.get_by_text("You can replace the file when this import has finished.")
    ).to_be_visible()
    if problems := violations_on(page, axe):
        found["waiting"] = problems
    assert found == {}, found
