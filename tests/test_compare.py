"""Researchers compare cases and assessments side by side; every library cell cites the paper."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from checklist.models import OFFICERS, Assessment
from compare.charts import point_bars
from compare.table import scores_frame
from tests.conftest import forget_derived
from tests.figures import page_figure

pytestmark = pytest.mark.django_db

ALL = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]


def compare_url(*slugs, assessments=()):
    query = "&".join([f"case={s}" for s in slugs] + [f"assessment={a}" for a in assessments])
    return f"{reverse('compare:page')}?{query}"


def make_assessment(owner, name="Agra shoe cluster", **fields):
    return Assessment.objects.create(
        owner=owner, name=name, country="India", sector="Shoes", evidence_year=1995, **fields
    )


def test_five_case_comparison_shows_features_with_their_lines(client):
    html = client.get(compare_url(*ALL)).content.decode("utf-8-sig")
    assert html.count('<th><a href="/cases/') == 5
    for feature in (
        "Producing firms",
        "Share of output exported",
        "Key players",
        "Role of the State",
        "Overall",
    ):
        assert feature in html
    assert "Large Firms &amp; TNCs" in html  # Bangalore's key players, from the table
    assert "?from=2320&amp;to=2326" in html  # a conclusions cell links to its lines
    for chart in ("radar", "bars", "linkages", "institutions"):
        assert f'id="chart-{chart}"' in html


def test_choosing_nothing_says_what_to_do(client):
    html = client.get(reverse("compare:page"), {"case": []}).content.decode("utf-8-sig")
    assert 'id="comparison"' not in html
    html = client.get(reverse("compare:page") + "?case=").content.decode("utf-8-sig")
    assert "Select a valid choice" in html or "Choose at least one" in html


def test_unknown_case_is_left_out_with_a_message_and_the_rest_compared(client):
    html = client.get(compare_url("atlantis")).content.decode("utf-8-sig")
    assert "Left out of the comparison: case “atlantis” (no such case)" in html
    assert "Choose at least one case or assessment" in html and 'id="comparison"' not in html
    html = client.get(compare_url("atlantis", "tiruppur")).content.decode("utf-8-sig")
    assert "case “atlantis” (no such case)" in html
    assert 'id="comparison"' in html and "Tiruppur knitwear" in html


def test_assessments_join_the_comparison_only_if_visible(client):
    olga = User.objects.create_user("olga", password="x")
    olga.groups.add(Group.objects.get(name=OFFICERS))
    mine = make_assessment(olga, export_share=30, steps_done=["profile", "markets"])
    boris = User.objects.create_user("boris", password="x")
    theirs = make_assessment(boris, name="Boris cluster")
    client.force_login(olga)
    html = client.get(compare_url("sinos-valley", assessments=[mine.pk])).content.decode(
        "utf-8-sig"
    )
    assert "Agra shoe cluster (1995)" in html and "30%" in html
    refused = client.get(compare_url("sinos-valley", assessments=[theirs.pk])).content.decode(
        "utf-8-sig"
    )
    assert "Boris cluster" not in refused
    assert f"assessment {theirs.pk} (not one you may see)" in refused
    assert 'id="comparison"' in refused  # Sinos Valley is still compared
    csv = client.get(
        reverse("compare:download", args=["csv"]) + f"?case=sinos-valley&assessment={theirs.pk}"
    ).content.decode("utf-8-sig")
    assert "Sinos Valley shoes" in csv and "Boris" not in csv


def test_compare_page_queries_do_not_grow_with_what_is_compared(
    client, django_assert_max_num_queries
):
    olga = User.objects.create_user("olga", password="x", is_staff=True)
    ids = [make_assessment(olga, name=f"C{n}").pk for n in range(12)]
    client.force_login(olga)
    client.get(compare_url("sinos-valley"))  # warm the session
    # Both measured with nothing derived cached: the cases chosen are built in one query set.
    forget_derived()
    with django_assert_max_num_queries(30) as few:
        client.get(compare_url("sinos-valley", assessments=ids[:1]))
    forget_derived()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(compare_url(*ALL, assessments=ids))
    assert response.content.decode("utf-8-sig").count('<th><a href="') == 5 + 12


def test_comparison_downloads_as_csv_and_xlsx_with_sources(client):
    response = client.get(reverse("compare:download", args=["csv"]) + "?case=sinos-valley")
    lines = response.content.decode("utf-8-sig").splitlines()
    # The XLSX's sheets stacked, each row saying which sheet it comes from.
    assert lines[0].startswith("table,group,feature,subject,value,paper_lines,citation,note")
    assert any(
        line.startswith(
            "Comparison,The paper's conclusions,Key players,Sinos Valley shoes,Foreign Buyers,"
            "2333-2334"
        )
        for line in lines
    )
    xlsx = client.get(reverse("compare:download", args=["xlsx"]) + "?case=sinos-valley")
    assert xlsx.content[:2] == b"PK"
    assert client.get(reverse("compare:download", args=["csv"])).status_code == 400
    ties = client.get(reverse("compare:download", args=["csv"]) + "?case=tiruppur&chart=linkages")
    assert ties.content.decode("utf-8-sig").splitlines()[0] == "subject,direction,strength,ties"


def test_point_bars_draw_one_trace_per_cluster_with_gaps_for_unknown():
    import pandas as pd

    frame = pd.DataFrame(
        [{"cluster": "A", "point": n, "score": 50.0} for n in range(1, 9)]
        + [{"cluster": "B", "point": n, "score": None} for n in range(1, 9)]
    )
    figure = point_bars(frame)
    assert [t.name for t in figure.data] == ["A", "B"]
    assert list(figure.data[0].y) == [50.0] * 8
    assert list(figure.data[1].y) == [None] * 8


def test_scores_frame_lists_every_point_of_every_subject():
    from compare.table import Subject
    from engine.profile import ClusterProfile
    from engine.scoring import score

    subjects = [Subject("x", "X", "/", score(ClusterProfile("X")))]
    frame = scores_frame(subjects)
    assert list(frame.columns) == ["cluster", "point", "score"] and len(frame) == 8


def test_every_number_leads_to_its_source_from_the_page(client):
    html = client.get(compare_url("sinos-valley", "tiruppur")).content.decode()
    # Data tables link their paper lines; whole numbers show without ".0".
    assert '<a class="cite" href="/paper/?from=208&amp;to=209#L208">208-209</a>' in html
    assert "1963.0" not in html and "<td>1963</td>" in html
    # Each checklist score links to the evidence on its scorecard.
    assert 'href="/cases/tiruppur/scorecard/#point-5"' in html
    # A chart with its own height says so; static/js/charts.js sizes its box to it (nothing
    # below is covered).
    assert page_figure(html, "chart-sizes")["layout"]["height"] > 450


def test_assessments_are_compared_in_the_order_chosen(client):
    olga = User.objects.create_user("olga", password="x", is_staff=True)
    first, second = make_assessment(olga, name="Alpha"), make_assessment(olga, name="Beta")
    client.force_login(olga)
    html = client.get(compare_url(assessments=[second.pk, first.pk])).content.decode()
    head = html[html.index('id="comparison"') :]
    assert head.index("Beta (1995)") < head.index("Alpha (1995)")


def test_xlsx_holds_the_comparison_the_ranking_and_every_charts_data(client):
    import io

    import openpyxl

    url = reverse("compare:download", args=["xlsx"]) + "?case=sinos-valley&case=bangalore"
    book = openpyxl.load_workbook(io.BytesIO(client.get(url + "&w=1,1,1,1,3,1,1,1").content))
    assert book.sheetnames[:2] == ["Comparison", "Ranking"]
    assert {"Chart scores", "Chart sizes", "Chart exports", "Chart linkages"} <= set(
        book.sheetnames
    )
    ranking = list(book["Ranking"].iter_rows(values_only=True))
    assert ranking[0][:3] == ("rank", "cluster", "weighted overall")
    assert ranking[1][-1].startswith("1: 1, 2: 1, 3: 1, 4: 1, 5: 3")


def test_a_firms_export_share_is_not_passed_off_as_the_clusters(client):
    html = client.get(compare_url("korea-chaebol-networks")).content.decode()
    # shown in the paper's words ("exports raised to three-quarters of output", 2086-2087)
    assert "three-quarters (Share of GSA&#x27;s output exported)" in html
