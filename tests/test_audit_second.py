"""What the second, independent audit of 60 random items corrected (docs/audit-2.md). Each
test names rows the audit changed, so reverting a correction fails here; the sample itself is
redrawn by docs/audit2_sample.py."""

import importlib.util
from pathlib import Path

import pytest
from django.conf import settings

from cases.models import (
    Confidence,
    Figure,
    Firm,
    HistoryEvent,
    Institution,
    Linkage,
    SizeClass,
)

pytestmark = pytest.mark.django_db


def _sampler():
    path = Path(settings.BASE_DIR) / "docs" / "audit2_sample.py"
    spec = importlib.util.spec_from_file_location("audit2_sample", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sample_is_redrawn_from_its_seed():
    sampler = _sampler()
    rows = sampler.population()
    first, second = sampler.draw(rows), sampler.draw(rows)
    assert [r[:3] for r in first] == [r[:3] for r in second]
    assert len(first) == sampler.SAMPLE_SIZE == 60
    assert len({r[:3] for r in first}) == 60  # sixty different items
    # every cited model is in the population, so every kind of item can be drawn
    assert {r[0] for r in rows} >= {"figure", "linkage", "institution", "historyevent",
                                    "conclusion", "sizeclass", "actorgroup", "firm", "market",
                                    "cluster", "casestudy"}  # fmt: skip


def test_a_workforce_halved_carries_no_about():
    row = Figure.objects.get(case__slug="korea-chaebol-networks", key="gsa-workforce-change")
    assert (row.qualifier, row.display_value) == ("exact", "halved")


def test_product_lines_are_counted_as_product_lines_and_their_citation_is_explained():
    # The researchers' walk: "21 units" for "21 of the 37 product lines", certain, with a
    # citation the cited sentence does not print.
    row = Figure.objects.get(case__slug="korea-chaebol-networks", key="gsa-product-lines-put-out")
    assert row.display_value.endswith("product lines")
    assert row.confidence == "likely" and "line 2103" in row.note


@pytest.mark.parametrize(
    ("case", "key", "printed"),
    [
        ("sinos-valley", "discovery-inventory-costs", "1987-88"),
        ("korea-chaebol-networks", "gsa-cellular-production", "Between 1992 and 1994"),
    ],
)
def test_an_events_years_are_in_its_passage(case, key, printed):
    row = HistoryEvent.objects.get(case__slug=case, key=key)
    assert printed in row.passage and row.confidence == Confidence.CERTAIN


def test_a_decade_rendered_as_years_is_marked_likely():
    row = HistoryEvent.objects.get(case__slug="bangalore", key="fastest-growing-1970s")
    assert row.confidence == Confidence.LIKELY and "1970-1979" in row.note


def test_the_inventory_event_no_longer_describes_the_exporters_stocks():
    # that clause is another passage (318-320), stored as the brazil-exporter-stocks figures
    row = HistoryEvent.objects.get(case__slug="sinos-valley", key="discovery-inventory-costs")
    assert "stocks fell" not in row.description


def test_the_citation_year_footnote_10_does_not_print_is_marked_a_reading():
    rows = [
        SizeClass.objects.get(case__slug="tiruppur", key="registered"),
        Figure.objects.get(case__slug="tiruppur", key="ssi-knitting-1986"),
        Figure.objects.get(case__slug="tiruppur", key="registered-knitwear-firms-1986"),
    ]
    for row in rows:
        assert row.citation == "Cawthorne 1990"
        assert row.confidence == Confidence.LIKELY and "without a year" in row.note


@pytest.mark.parametrize(
    "key",
    [
        "leon-wholesaler-advice",
        "guadalajara-wholesaler-advice",
        "leon-wholesale-sales",
        "guadalajara-wholesale-sales",
    ],
)
def test_a_strength_the_paper_does_not_grade_is_not_certain(key):
    row = Linkage.objects.get(case__slug="leon-guadalajara", key=key)
    assert row.strength == "weak" and row.confidence == Confidence.LIKELY
    assert "does not grade" in row.note


def test_an_inferred_level_is_marked_likely():
    row = Institution.objects.get(case__slug="korea-chaebol-networks", key="hyupryukhoe")
    assert row.level == "national" and row.confidence == Confidence.LIKELY


@pytest.mark.parametrize("key", ["leon-export-sales", "guadalajara-export-sales"])
def test_a_trend_from_the_papers_general_judgement_is_not_certain(key):
    row = Linkage.objects.get(case__slug="leon-guadalajara", key=key)
    assert row.trend == "strengthening" and row.confidence == Confidence.LIKELY
    assert "949-950" in row.note


def test_ownership_the_paper_never_states_is_marked_a_reading():
    firms = Firm.objects.filter(case__slug="korea-chaebol-networks", ownership="private")
    institutions = Institution.objects.filter(
        case__slug__in=["korea-chaebol-networks", "leon-guadalajara"],
        key__in=["sungruckhoe", "gisvan", "hyupryukhoe", "leon-camara", "guadalajara-camara",
                 "mexico-city-camara", "central-camara", "camara-trade-fairs"],
    )  # fmt: skip
    rows = [*firms, *institutions]
    assert len(rows) == 13
    for row in rows:
        assert row.ownership == "private" and row.confidence == Confidence.LIKELY, row.key
        assert "Ownership 'private'" in row.note, row.key
