"""Provenance and the other schema rules hold in the database itself, not only in forms."""

import pytest
from django.db import IntegrityError, transaction

from cases.models import Figure, Institution, Linkage

from .conftest import CITED, make_case, make_full_case

pytestmark = pytest.mark.django_db


def test_blank_passage_is_refused_by_the_database():
    case = make_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(
            case=case, key="x", name="X", kind="trade_fair", **{**CITED, "passage": ""}
        )


def test_ambiguous_row_without_note_is_refused_by_the_database():
    case = make_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(
            case=case, key="x", name="X", kind="trade_fair", **{**CITED, "confidence": "ambiguous"}
        )


def test_reversed_line_range_is_refused_by_the_database():
    case = make_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(
            case=case, key="x", name="X", kind="trade_fair", **{**CITED, "line_from": 200}
        )


def test_linkage_needs_exactly_one_origin():
    case = make_full_case("linked", rows=1)
    group = case.actor_groups.get()
    institution = case.institutions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Linkage.objects.create(
            case=case,
            cluster=case.clusters.get(),
            key="both",
            direction="institutional",
            nature="services",
            from_group=group,
            from_institution=institution,
            to_group=group,
            description="d",
            **CITED,
        )


def test_percentage_above_100_is_refused_unless_it_is_growth():
    case = make_case()
    common = {"case": case, "metric": "share", "label": "l", "unit": "percent", **CITED}
    Figure.objects.create(key="growth", **{**common, "metric": "growth"}, value=280)
    with pytest.raises(IntegrityError), transaction.atomic():
        Figure.objects.create(key="share", **common, value=101)


def test_keys_are_unique_within_a_case_only():
    first, second = make_case("first"), make_case("second", position=8)
    Institution.objects.create(case=first, key="fenac", name="F", kind="trade_fair", **CITED)
    Institution.objects.create(case=second, key="fenac", name="F", kind="trade_fair", **CITED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Institution.objects.create(case=first, key="fenac", name="F", kind="trade_fair", **CITED)


def test_figure_display_value_reads_like_the_paper():
    figure = Figure(value=1000, unit="usd_million", qualifier="about")
    assert figure.display_value == "about US$ 1,000 million"
    assert Figure(value="48.2", unit="percent").display_value == "48.2%"
    assert Figure(value=10, unit="units", qualifier="up_to").display_value == "up to 10 units"
    assert Figure(value=10, value_max=15, unit="percent").display_value == "10–15%"
