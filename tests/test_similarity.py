"""Resemblance: which library case a cluster is most like, where they are closest and where
they differ most. The measure is pure Python; the pages show it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from engine import similarity
from engine.profile import Body, ClusterProfile, Fact, Group, Source, Tie
from engine.scoring import score
from engine.similarity import FEATURES, ScoredProfile, compare, features_markdown, resemblances

SRC = Source("test", (1, 1))


def scored(profile: ClusterProfile) -> ScoredProfile:
    return ScoredProfile(profile, score(profile))


def export_cluster(subject="Buyer-led exporters", **changes) -> ClusterProfile:
    """The issue's example: over 90% of output exported through foreign buyers and agents, many
    small producers, no large lead firm."""
    values = dict(
        kind="cluster",
        groups=(
            Group("producer", "small producers", SRC, 300),
            Group("stage_unit", "subcontractors", SRC),
            Group("export_agent", "foreign buyers' agents", SRC),
            Group("buyer", "foreign buyers", SRC),
        ),
        ties=(
            Tie("forward", "sales", SRC, "strong", from_role="producer", to_role="buyer"),
            Tie("forward", "technical_assistance", SRC, "moderate", "buyer", to_role="producer"),
            Tie("backward", "subcontracting", SRC, "strong", "producer", to_role="stage_unit"),
            Tie("horizontal", "information_exchange", SRC, "weak", "producer", "producer"),
        ),
        institutions=(
            Body("trade_association", "producers' association", SRC, ownership="private"),
            Body("government", "metal industries centre", SRC, ownership="public"),
        ),
        producer_count=Fact(300, SRC),
        export_share=Fact(92.0, SRC),
        foreign_buyers=Fact(True, SRC),
        state_created=Fact(False, SRC),
    )
    values.update(changes)
    return ClusterProfile(subject, **values)


def test_every_feature_has_a_name_words_weight_and_normalisation_once():
    keys = [f.key for f in FEATURES]
    assert len(keys) == len(set(keys))
    for f in FEATURES:
        assert f.name and f.words and f.normalised and f.weight > 0


def test_unknown_features_are_left_out_never_read_as_zero():
    known = scored(export_cluster(export_share=Fact(0.0, SRC)))
    unknown = scored(export_cluster(export_share=None))
    _, with_exports = compare(scored(export_cluster()), known)
    _, without = compare(scored(export_cluster()), unknown)
    assert "export_share" in {g.key for g in with_exports}
    assert "export_share" not in {g.key for g in without}
    assert len(without) < len(with_exports)  # point 3 may go unknown with it
    # Unknown exports leave the pair as alike as the rest makes them; exporting nothing does not.
    ranked = resemblances(scored(export_cluster()), {"zero": known, "unknown": unknown})
    assert [r.key for r in ranked] == ["unknown", "zero"]
    assert ranked[0].compared == len(without)


def test_the_largest_weighted_gap_is_named_with_both_values_in_words():
    mine = scored(export_cluster())
    domestic = scored(export_cluster("Domestic", export_share=Fact(7.0, SRC)))
    (result,) = resemblances(mine, {"domestic": domestic})
    assert result.differs[0].key == "export_share"
    assert (result.differs[0].here, result.differs[0].there) == (
        "exports 92% of output",
        "exports 7% of output",
    )
    assert all(g.gap == 0 for g in result.closest)


def test_a_near_tie_is_called_so_and_names_both():
    mine = scored(export_cluster())
    twin = scored(export_cluster("Twin"))
    almost = scored(export_cluster("Almost", export_share=Fact(90.0, SRC)))
    far = scored(export_cluster("Far", export_share=Fact(5.0, SRC), kind="network"))
    ranked = resemblances(mine, {"twin": twin, "almost": almost, "far": far})
    assert ranked[0].key == "twin" and ranked[0].similarity == 100.0
    assert ranked[0].near_tie_with == ("Almost",)
    assert ranked[0].similarity - ranked[1].similarity < similarity.NEAR_TIE_GAP
    clear = resemblances(mine, {"twin": twin, "far": far})
    assert clear[0].near_tie_with == ()


def test_closest_on_names_first_what_sets_the_nearest_case_apart_from_the_others():
    """Agra's walk: "closest on" was the same three exact matches (foreign buyers, a cluster,
    no large firm) for every case; the export share that made Leon nearest never showed."""
    mine = scored(export_cluster(export_share=Fact(12.0, SRC)))
    near = scored(export_cluster("Near", export_share=Fact(10.0, SRC)))
    others = {
        f"other{n}": scored(export_cluster(f"Other {n}", export_share=Fact(share, SRC)))
        for n, share in enumerate((70.0, 80.0, 95.0))
    }
    ranked = resemblances(mine, {"near": near, **others})
    assert ranked[0].key == "near"
    # The export share is 0.02 apart here and far from every other case: it comes first, before
    # the features that match exactly but match every case as well.
    assert ranked[0].closest[0].key == "export_share"
    assert ranked[0].closest[0].gap > 0
    # Alone, with nothing to set it apart from, exact matches come first.
    (alone,) = resemblances(mine, {"near": near})
    assert alone.closest[0].gap == 0


def test_too_few_shared_features_is_no_comparison():
    mine = scored(export_cluster())
    assert resemblances(mine, {"blank": scored(ClusterProfile("blank"))}) == []


@pytest.fixture
def library(db):
    from cases.models import CaseStudy
    from checklist.adapters import scored_case

    return {case.slug: scored_case(case) for case in CaseStudy.objects.with_library()}


def test_the_issues_export_cluster_is_nearest_sinos_or_tiruppur_not_leon(library):
    ranked = resemblances(scored(export_cluster()), library)
    assert ranked[0].key in {"sinos-valley", "tiruppur"}
    by_key = {r.key: r for r in ranked}
    assert by_key["leon-guadalajara"].similarity < ranked[0].similarity - similarity.NEAR_TIE_GAP


def test_docs_feature_table_is_the_code_table():
    doc = (Path(settings.BASE_DIR) / "docs" / "scoring.md").read_text()
    marker = "<!-- resemblance-features:start -->\n"
    table = doc[doc.index(marker) + len(marker) : doc.index("\n<!-- resemblance-features:end -->")]
    assert table == features_markdown()


def test_method_page_lists_every_feature_with_its_weight(client, db):
    html = client.get(reverse("checklist:method")).content.decode()
    assert 'id="resemblance"' in html
    for f in FEATURES:
        assert f'id="feature-{f.key}"><td>{f.name}</td>' in html.replace("&#x27;", "'")
        assert f'<td class="text-end">{f.weight}</td>' in html


def test_case_scorecard_names_its_nearest_other_case_and_why(client, db):
    html = client.get(reverse("checklist:case-scorecard", args=["sinos-valley"])).content.decode()
    section = html[html.index('id="resemblance-section"') :]
    assert 'Most like <strong class="nearest-case">Tiruppur knitwear</strong>' in section
    assert "Differs most on" in section
    assert "Sinos Valley shoes: 13 active institutions; Tiruppur knitwear: 6 active" in section
    korea = client.get(reverse("checklist:case-scorecard", args=["korea-chaebol-networks"]))
    assert (
        'Most like <strong class="nearest-case">Bangalore high-tech networks</strong>'
        in korea.content.decode()
    )


def test_assessment_scorecard_says_where_it_differs_most_from_its_nearest_case(client, db):
    import json

    from checklist.answers import create_assessment_from_answers

    from .test_assessments import make_user

    officer = make_user("resemblance-officer", "Policy officers")
    path = Path(settings.BASE_DIR) / "validation" / "kamukunji-metalwork.json"
    assessment = create_assessment_from_answers(owner=officer, data=json.loads(path.read_text()))
    client.force_login(officer)
    html = client.get(reverse("checklist:scorecard", args=[assessment.pk])).content.decode()
    section = html[html.index('id="resemblance-section"') : html.index("</section>")]
    # engine 2.1: a near-tie with Tiruppur (within NEAR_TIE_GAP), Leon first
    assert (
        'A near-tie:</strong> <strong class="nearest-case">Leon &amp; Guadalajara shoes</strong>'
        in section
    )
    assert "features known for both" in section
    differs = section[section.index('id="resemblance-differs"') :]
    assert (
        "Foreign buyers — Kamukunji metalworking (Nairobi): no demanding foreign buyers; "
        "Leon &amp; Guadalajara shoes: sells to demanding foreign buyers"
    ) in differs
    assert (
        "Institutional density — Kamukunji metalworking (Nairobi): 2 active institutions; "
        "Leon &amp; Guadalajara shoes: 16 active institutions"
    ) in differs
