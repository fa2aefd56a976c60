"""A scorecard's evidence words are written when first read, and then behave as a plain field:
they pickle (the derived-data cache), copy, convert with `asdict` (the API) and compare like
any other. Pure engine, no Django."""

import copy
import pickle
from dataclasses import asdict, replace

from engine import criteria
from engine.profile import Body, ClusterProfile, Fact, Source, Tie
from engine.scoring import Evidence, measure, score

PROFILE = ClusterProfile(
    "Deferred",
    institutions=(Body("trade_fair", "Fair", Source("Institution: Fair", (10, 12)), reach="wide"),),
    ties=(Tie("backward", "supply", Source("Linkage: A → B", (20, 20)), strength="strong"),),
    export_share=Fact(70, Source("Figure: exports", (30, 31))),
)


def fair_evidence(card) -> Evidence:
    return next(e for p in card.points for e in p.evidence if e.indicator == "4a")


def test_words_are_written_on_first_read():
    evidence = fair_evidence(score(PROFILE))
    assert "basis" not in vars(evidence)  # not written by scoring
    assert evidence.basis == ("Institution: Fair [L10–12] (reach wide, counts 1)",)
    assert vars(evidence)["basis"] is evidence.basis  # written once, then a plain field


def test_pickled_and_copied_scorecards_carry_their_words():
    card = score(PROFILE)
    for other in (pickle.loads(pickle.dumps(card)), copy.deepcopy(card)):
        assert other == score(PROFILE)
        assert fair_evidence(other).basis == fair_evidence(score(PROFILE)).basis
        assert "_write_basis" not in vars(fair_evidence(other))


def test_asdict_replace_and_equality_read_the_words():
    evidence = fair_evidence(score(PROFILE))
    assert asdict(evidence)["basis"] == ("Institution: Fair [L10–12] (reach wide, counts 1)",)
    assert replace(evidence).basis == evidence.basis
    written = Evidence("4a", evidence.name, 1.0, 1.0, "raises", evidence.basis)
    assert written == fair_evidence(score(PROFILE)) and hash(written) == hash(evidence)
    assert written != replace(evidence, basis=("other words",))


def test_measure_basis_reads_like_a_tuple():
    result = measure("3a", PROFILE)
    assert result.known and result.value == 1.0
    assert result.basis == ("70: Figure: exports [L30–31]",)
    assert "70: Figure: exports" in repr(result)


def test_point_details_are_written_on_first_read():
    point = score(PROFILE).point(4)
    assert not {"evidence", "missing", "recommendations"} & set(vars(point))  # not by scoring
    assert [e.indicator for e in point.evidence] == ["4a", "4b", "4c", "4d"]
    assert point.missing == tuple(e.name for e in point.evidence if e.effect == "unknown")
    assert {"evidence", "missing", "recommendations"} <= set(vars(point))
    assert "_write_details" not in vars(point)  # written once, then plain fields


def test_pickled_points_carry_their_details_and_none_of_the_machinery():
    card = score(PROFILE)
    again = pickle.loads(pickle.dumps(card))
    for point in again.points:
        assert "_write_details" not in vars(point)
        assert "evidence" in vars(point)
    assert again.points == score(PROFILE).points
    assert asdict(again) == asdict(score(PROFILE))


def test_details_keep_the_weights_scored_with_when_the_caller_changes_them_later():
    weights = dict(criteria.DEFAULT_WEIGHTS)
    weights["4a"] = 3.0
    card = score(PROFILE, weights)
    weights["4a"] = 0.0  # after scoring: the card's deferred evidence must not see this
    assert fair_evidence(card).weight == 3.0
