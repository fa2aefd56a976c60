"""The rows a score sorts once (`engine.scoring._Rows`) are exactly what walking the profile
for each selection gives, in the profile's order; a selection it does not make is walked."""

import pytest

from engine import scoring
from engine.scoring import _bodies, _groups, _Rows, _ties
from tests.engine_golden import RANDOM_PROFILES, random_profiles

PROFILES = random_profiles()


@pytest.mark.parametrize("n", range(0, RANDOM_PROFILES, 7))
def test_sorted_rows_are_the_walked_rows_in_order(n):
    profile = PROFILES[n]
    rows = _Rows(profile)
    for natures in scoring.TIE_SELECTIONS:
        walked = None if profile.ties is None else [t for t in profile.ties if t.nature in natures]
        assert _ties(rows, natures) == walked, sorted(natures)
    for direction in (*scoring.TIE_DIRECTIONS, "horizontal"):
        walked = None
        if profile.ties is not None:
            walked = [t for t in profile.ties if t.direction == direction]
        assert _ties(rows, direction=direction) == walked, direction
    for kinds in scoring.BODY_SELECTIONS:
        walked = None
        if profile.institutions is not None:
            walked = [b for b in profile.institutions if b.kind in kinds]
        assert _bodies(rows, kinds, active_only=False) == walked, sorted(kinds)
        if walked is not None:
            active = [b for b in walked if b.status == "active"]
            assert _bodies(rows, kinds) == active, sorted(kinds)
    for roles in scoring.GROUP_SELECTIONS:
        walked = None if profile.groups is None else [g for g in profile.groups if g.role in roles]
        assert _groups(rows, roles) == walked, sorted(roles)


def test_a_selection_not_sorted_in_advance_is_walked():
    profile = next(p for p in PROFILES if p.ties and p.institutions and p.groups)
    rows = _Rows(profile)
    natures = frozenset({profile.ties[-1].nature, "sales"})
    assert _ties(rows, natures) == [t for t in profile.ties if t.nature in natures]
    kinds = frozenset({profile.institutions[-1].kind})
    assert _bodies(rows, kinds, active_only=False) == [
        b for b in profile.institutions if b.kind in kinds
    ]
    roles = frozenset({profile.groups[-1].role})
    assert _groups(rows, roles) == [g for g in profile.groups if g.role in roles]
