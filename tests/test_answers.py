"""Answers in as data ("answers by step, rows by list"): validated by the step forms, written
all or nothing, errors by step, row and field."""

import copy

import pytest

from checklist.adapters import assessment_scorecard
from checklist.answers import AnswersInvalid, create_assessment_from_answers
from checklist.models import Assessment

from .test_assessments import make_user

ANSWERS = {
    "answers": {
        "profile": {
            "name": "Test shoes",
            "country": "Nowhere",
            "region": "",
            "sector": "Shoes",
            "kind": "cluster",
            "evidence_year": 1999,
            "share_with_researchers": False,
        },
        "firms": {"producer_count": 400, "employment": None, "large_firms": ""},
        "markets": {
            "export_share": 80,
            "destinations": "",
            "competes_on": ["quality", "fashion"],
            "foreign_buyers": "yes",
            "key_buyers": "",
        },
    },
    "rows": {
        "firms": [
            {"role": "producer", "name": "Shoe makers", "count": 400, "share_of_firms": 60},
            {"role": "export_agent", "name": "Agents", "count": None, "share_of_firms": 10},
        ]
    },
}


@pytest.fixture
def officer(db):
    return make_user("answers-officer", "Policy officers")


def test_answers_create_an_assessment_through_the_step_forms(officer):
    assessment = create_assessment_from_answers(owner=officer, data=ANSWERS)
    assert assessment.owner == officer
    assert assessment.steps_done == ["profile", "firms", "markets"]  # the others stay unknown
    assert [(g.role, g.count) for g in assessment.groups.all()] == [
        ("producer", 400),
        ("export_agent", None),
    ]
    assert assessment.competes_on == ["quality", "fashion"]
    card = assessment_scorecard(assessment)
    assert card.point(3).evidence[0].value == 1.0  # 80% exported
    assert card.point(7).level == "not yet known"  # policy never answered


def test_errors_name_step_row_and_field_and_nothing_is_written(officer):
    data = copy.deepcopy(ANSWERS)
    data["rows"]["firms"][1]["share_of_firms"] = 150
    data["answers"]["markets"]["export_share"] = -3
    data["answers"]["markets"]["exports_share"] = 50  # a typo is an error, not "don't know"
    with pytest.raises(AnswersInvalid) as raised:
        create_assessment_from_answers(owner=officer, data=data)
    where = {(e.step, e.row, e.field) for e in raised.value.errors}
    assert ("firms", 2, "share_of_firms") in where
    assert ("markets", None, "export_share") in where
    assert ("markets", None, "exports_share") in where
    assert "firms, row 2, share_of_firms: Give a share between 0 and 100" in str(raised.value)
    assert not Assessment.objects.filter(name="Test shoes").exists()


def test_a_list_error_names_its_step(officer):
    data = copy.deepcopy(ANSWERS)
    data["rows"]["firms"][1]["share_of_firms"] = 50  # 60 + 50 > 100
    with pytest.raises(AnswersInvalid) as raised:
        create_assessment_from_answers(owner=officer, data=data)
    (error,) = raised.value.errors
    assert (error.step, error.row, error.field) == ("firms", None, None)
    assert "above 100%" in error.message


def test_unknown_steps_and_a_missing_profile_are_refused(officer):
    with pytest.raises(AnswersInvalid) as raised:
        create_assessment_from_answers(owner=officer, data={"answers": {"prices": {}}})
    steps = {e.step for e in raised.value.errors}
    assert steps == {"prices", "profile"}
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [[], "answers", {"answers": {"profile": "Agra"}}, {"answers": {"profile": {}, "markets": 7}}],
    ids=["a list", "text", "a step as text", "a step as a number"],
)
def test_answers_of_the_wrong_shape_are_refused_with_a_message_not_a_crash(officer, data):
    with pytest.raises(AnswersInvalid) as raised:
        create_assessment_from_answers(owner=officer, data=data)
    assert raised.value.errors and all(e.message for e in raised.value.errors)
    assert Assessment.objects.count() == 0
