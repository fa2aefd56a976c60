"""The faster engine gives exactly the results engine 2.0.0 gave before it was made faster.

The golden snapshot, tests/golden/engine_scorecards.json, was generated from the engine as it
was before the speed work (`DEBUG=1 .venv/bin/python -m tests.engine_golden`, see that module)
and holds, for the five library cases and for 200 seeded random profiles (30 of them also
under random weights): every point's score, level, completeness and rated score, every
indicator's rounded value, weight, effect and basis lines, its unrounded measure, the unknown
indicators, the recommendations with their examples, and the overall score. The random part
builds `engine.profile` dataclasses directly and needs no Django.
"""

import pytest

from engine import criteria
from engine.profile import Body, ClusterProfile, Source, Tie
from engine.scoring import measure
from tests.engine_golden import (
    RANDOM_PROFILES,
    library_profiles,
    load_golden,
    plain,
    random_profiles,
    random_weights,
)

GOLDEN = load_golden()
PROFILES = random_profiles()
WEIGHTS = random_weights()


def test_golden_is_of_this_engine_version():
    # A deliberate change of results is a new ENGINE_VERSION and a regenerated snapshot.
    assert GOLDEN["engine_version"] == criteria.ENGINE_VERSION


def test_random_profiles_cover_unknowns_and_every_level():
    levels = {p["level"] for e in GOLDEN["random"] for p in e["scorecard"]["points"]}
    assert levels == {"strong", "developing", "weak", criteria.UNKNOWN_LEVEL}
    effects = {
        i["effect"]
        for e in GOLDEN["random"]
        for p in e["scorecard"]["points"]
        for i in p["evidence"]
    }
    assert effects == {"raises", "lowers", "unknown", "not applicable"}
    assert len(GOLDEN["random"]) == RANDOM_PROFILES


@pytest.mark.parametrize("n", range(RANDOM_PROFILES))
def test_random_profile_scores_unchanged(n):
    assert plain(PROFILES[n]) == GOLDEN["random"][n]


@pytest.mark.parametrize("n", range(len(WEIGHTS)))
def test_weighted_random_profile_scores_unchanged(n):
    assert plain(PROFILES[n], WEIGHTS[n]) == GOLDEN["random_weighted"][n]


@pytest.mark.django_db
def test_library_scores_unchanged():
    found = {slug: plain(profile) for slug, profile in library_profiles().items()}
    assert set(found) == set(GOLDEN["library"])
    for slug, scorecard in found.items():
        assert scorecard == GOLDEN["library"][slug], slug


def test_odd_strength_and_reach_codes_count_as_unjudged():
    # The snapshot's random rows use the models' codes only; stored data may hold others,
    # which the faster lookup (a table with a default) must still read as "not judged".
    source = Source("odd", (1, 1))
    odd = ClusterProfile(
        "Odd codes",
        ties=(Tie("forward", "sales", source, strength="odd"),),
        institutions=(Body("trade_fair", "Fair", source, reach="odd"),),
    )
    assert measure("3d", odd).value == criteria.UNJUDGED_STRENGTH
    assert measure("4a", odd).value == criteria.UNJUDGED_REACH
    counts = f"{criteria.UNJUDGED_REACH:g}"
    assert measure("4a", odd).basis == (f"odd [L1] (reach not judged, counts {counts})",)
