"""Engine 2.2.0: an association counts as a vehicle for collective action (1c) and as the
producers' own initiative (8c) by how many small firms it reaches, as it does in 5c; producer
groups count by being there. Pure logic, no database."""

import pytest

from engine import criteria
from engine.profile import Body, ClusterProfile, Source
from engine.scoring import measure, score

SRC = Source("test", (1, 1))


def with_bodies(*bodies: Body) -> ClusterProfile:
    return ClusterProfile("Test", institutions=bodies)


def association(reach: str, ownership: str = "private") -> Body:
    return Body("trade_association", "producers' association", SRC, ownership, reach=reach)


@pytest.mark.parametrize(
    ("reach", "expected"),
    [("wide", 1.0), ("partial", 0.7), ("limited", 0.3), ("unknown", criteria.UNJUDGED_REACH)],
)
def test_two_associations_count_by_their_reach_in_1c(reach, expected):
    profile = with_bodies(association(reach), association(reach))
    assert measure("1c", profile).value == pytest.approx(expected)


def test_agra_two_associations_reaching_few_small_firms_lower_collective_action():
    weak = measure("1c", with_bodies(association("limited"), association("limited")))
    assert weak.value == pytest.approx(0.3)
    assert weak.value < criteria.EFFECT_THRESHOLD  # it lowers point 1 now
    assert "reach limited, counts 0.3" in " ".join(weak.basis)


def test_producer_groups_and_consortia_still_count_by_being_there():
    group = Body("joint_action", "export consortium", SRC, "private", reach="limited")
    assert measure("1c", with_bodies(group, group)).value == 1.0
    assert measure("8c", with_bodies(group, group)).value == 1.0


def test_a_private_association_counts_by_reach_in_8c():
    assert measure("8c", with_bodies(association("limited"))).value == pytest.approx(0.15)
    assert measure("8c", with_bodies(association("wide"), association("wide"))).value == 1.0
    # a public association is not the producers' own initiative at all
    assert measure("8c", with_bodies(association("wide", "public"))).value == 0.0


def test_wider_reach_never_lowers_points_1_and_8():
    order = ["limited", "partial", "unknown", "wide"]  # unknown counts 0.7, as partial
    scores = [score(with_bodies(association(r), association(r))) for r in order]
    for number in (1, 8):
        values = [c.points[number - 1].score for c in scores]
        assert values == sorted(values), (number, values)


def test_the_version_says_so():
    assert criteria.ENGINE_VERSION == "2.2.0"


def test_firms_selling_to_foreign_buyers_count_for_4b_when_no_group_lists_them():
    from engine.profile import Fact, Group

    sells_abroad = ClusterProfile(
        "Test",
        groups=(Group("producer", "shoe makers", SRC), Group("domestic_buyer", "traders", SRC)),
        foreign_buyers=Fact(True, SRC),
    )
    found = measure("4b", sells_abroad)
    assert found.value == 0.5 and "though no group lists them" in found.basis[0]
    # Said no: none at the interface; a listed export group counts as before.
    from dataclasses import replace

    assert measure("4b", replace(sells_abroad, foreign_buyers=Fact(False, SRC))).value == 0.0
    listed = replace(sells_abroad, groups=(*sells_abroad.groups, Group("buyer", "importers", SRC)))
    assert measure("4b", listed).value == 0.5
