"""Fixture fidelity: the shipped library says what the paper says, and every row is cited.

The expected values below were read off the paper (fixtures/paper.txt) by line number, not
copied from the fixtures, so a mistyped or missing number in a fixture fails here.
"""

from decimal import Decimal

import pytest
from django.db.models import Q

from cases.loading import library_models
from cases.models import (
    PAPER_SLUG,
    CaseStudy,
    Conclusion,
    Figure,
    Firm,
    Institution,
    Linkage,
    Source,
)
from engine.scoring import CONTRACTING

pytestmark = pytest.mark.django_db

SLUGS = ["sinos-valley", "leon-guadalajara", "tiruppur", "bangalore", "korea-chaebol-networks"]


def test_the_five_cases_are_loaded_in_the_papers_order():
    assert list(CaseStudy.objects.values_list("slug", flat=True)) == SLUGS


def test_leon_and_guadalajara_are_two_clusters_of_one_case():
    case = CaseStudy.objects.get(slug="leon-guadalajara")
    assert sorted(case.clusters.values_list("key", flat=True)) == ["guadalajara", "leon"]


def test_every_stored_object_passes_full_validation_with_its_provenance():
    failures = []
    for model in library_models():  # the cited models: the version row cites nothing
        for obj in model.objects.all():
            try:
                obj.full_clean()
            except Exception as exc:  # noqa: BLE001 - report every failure, then fail once
                failures.append(f"{model.__name__} {obj.pk} {obj}: {exc}")
            if model is not Source:  # a source is cited, it cites nothing
                assert obj.passage.strip() and obj.line_from <= obj.line_to
                assert obj.source.slug == PAPER_SLUG  # today's provenance, the paper's lines
    assert failures == []


@pytest.mark.parametrize("slug", SLUGS)
def test_each_case_has_every_kind_of_data(slug):
    case = CaseStudy.objects.get(slug=slug)
    assert case.clusters.exists()
    assert case.actor_groups.count() >= 3
    assert case.institutions.exists()
    assert case.markets.exists()
    assert case.linkages.count() >= 3
    assert case.history.exists()
    assert case.figures.count() >= 10
    assert 3 <= case.figures.filter(headline=True).count() <= 8
    assert case.conclusions.count() == len(Conclusion.Row.values)


# The rebuilt Key Features and Conclusions table (lines 2313-2369), read from the paper with the
# reading guide's column placements. "" is a cell the extracted text leaves empty.
CONCLUSIONS = {
    "sinos-valley": [
        "Yes",
        "Demand-led",
        "Foreign Buyers",
        "Yes",
        "Limited",
        "Important",
        "Infra-structure",
    ],
    "leon-guadalajara": [
        "Limited",
        "Demand-led",
        "",
        "Yes",
        "Limited",
        "Limited",
        "Infra-structure",
    ],
    "tiruppur": ["Yes", "Demand-led", "Buyers", "Yes", "Limited", "Important", "Infra-structure"],
    "bangalore": [
        "Yes",
        "Demand-led",
        "Large Firms & TNCs",
        "Yes",
        "Important",
        "Very Important",
        "",
    ],
    "korea-chaebol-networks": [
        "Yes",
        "Demand-led",
        "Large Chaebols",
        "Yes",
        "Important",
        "No local but some central/ chaebol institutions",
        "",
    ],
}


@pytest.mark.parametrize("slug", SLUGS)
def test_conclusions_table_matches_the_paper(slug):
    cells = {c.row: c for c in Conclusion.objects.filter(case__slug=slug)}
    values = [cells[row].value for row in Conclusion.Row.values]
    assert values == CONCLUSIONS[slug]
    for cell in cells.values():
        assert 2313 <= cell.line_from <= cell.line_to <= 2369


def test_uncertain_conclusion_cells_say_so():
    # Placements the reading guide cannot settle from the garbled table.
    uncertain = [
        ("leon-guadalajara", "key-players"),
        ("leon-guadalajara", "local-institutions"),
        ("sinos-valley", "constraints"),
        ("leon-guadalajara", "constraints"),
        ("bangalore", "constraints"),
    ]
    for slug, row in uncertain:
        cell = Conclusion.objects.get(case__slug=slug, row=row)
        assert cell.confidence != "certain", (slug, row)
        assert cell.note


# (case, value, unit, paper line the number is printed on). A sample across every case and
# every kind of number: counts, shares, employment, exports, members, survey results.
FIGURES = [
    ("sinos-valley", "12.3", "percent", 160),
    ("sinos-valley", "0.5", "percent", 160),
    ("sinos-valley", "24.1", "percent", 161),
    ("sinos-valley", "80", "percent", 165),
    ("sinos-valley", "1800", "firms", 171),
    ("sinos-valley", "150000", "persons", 172),
    ("sinos-valley", "280", "percent", 175),
    ("sinos-valley", "70", "percent", 176),
    ("sinos-valley", "48.2", "percent", 209),
    ("sinos-valley", "34.6", "percent", 209),
    ("sinos-valley", "17.3", "percent", 209),
    ("sinos-valley", "70", None, 256),
    ("sinos-valley", "192", None, 530),
    ("sinos-valley", "35", "percent", 542),
    ("sinos-valley", "6", "percent", 460),
    ("sinos-valley", "94", "percent", 482),
    ("sinos-valley", "89", "percent", 489),
    ("leon-guadalajara", "2700", "firms", 655),
    ("leon-guadalajara", "70000", "persons", 655),
    ("leon-guadalajara", "1100", "firms", 656),
    ("leon-guadalajara", "25000", "persons", 656),
    ("leon-guadalajara", "45", "percent", 657),
    ("leon-guadalajara", "93", "percent", 659),
    ("leon-guadalajara", "74", "percent", 666),
    ("leon-guadalajara", "7", "percent", 603),
    ("leon-guadalajara", "38.2", "pairs_million", 610),
    ("leon-guadalajara", "63", "percent", 781),
    ("leon-guadalajara", "235", None, 882),
    ("leon-guadalajara", "46", None, 881),
    ("leon-guadalajara", "68", "percent", 674),
    ("tiruppur", "16.1", "percent", 1036),
    ("tiruppur", "40.9", "percent", 1036),
    ("tiruppur", "2500", None, 1076),
    ("tiruppur", "600", None, 1089),
    ("tiruppur", "438", None, 1122),
    ("tiruppur", "374", "inr_million", 1147),
    ("tiruppur", "248", None, 1410),
    ("tiruppur", "157", None, 1415),
    ("tiruppur", "9970", "persons", 1137),
    ("bangalore", "20", "percent", 1532),
    ("bangalore", "100", "usd_million", 1577),
    ("bangalore", "70", None, 1811),
    ("bangalore", "40", None, 1818),
    ("korea-chaebol-networks", "37.6", "percent", 2006),
    ("korea-chaebol-networks", "47.6", "percent", 2006),
    ("korea-chaebol-networks", "70", "percent", 2012),
    ("korea-chaebol-networks", "103", None, 2135),
    ("korea-chaebol-networks", "57", None, 2139),
    ("korea-chaebol-networks", "69", None, 2142),
    ("korea-chaebol-networks", "36000", None, 2110),
    ("korea-chaebol-networks", "49", None, 2176),
    ("korea-chaebol-networks", "68", None, 2073),
]


@pytest.mark.parametrize(("slug", "value", "unit", "line"), FIGURES)
def test_figure_is_stored_with_the_papers_value_and_line(slug, value, unit, line):
    matches = Figure.objects.filter(
        case__slug=slug, value=Decimal(value), line_from__lte=line, line_to__gte=line
    )
    if unit:
        matches = matches.filter(unit=unit)
    assert matches.exists(), f"{slug}: no figure of {value} {unit or ''} citing line {line}"


NAMED_INSTITUTIONS = {
    "sinos-valley": [
        "FENAC",
        "SENAI",
        "CTCCA",
        "SEBRAE",
        "ACI",
        "ABICALCADOS",
        "AICSUL",
        "ASSINTECAL",
        "ABRAMEQ",
        "ABAEX",
    ],
    "leon-guadalajara": [
        "ITC",
        "CIATEG",
        "ANPIC",
        "APICEJ",
        "Camara",
        "credit union",
        "integradoras",
        "agrupamentos",
    ],
    "tiruppur": ["AEPC", "TEA", "SIHMA", "SITRA"],
    "bangalore": [
        "KASSIA",
        "CLIK",
        "PIA",
        "CMTI",
        "TECSOK",
        "SISI",
        "NTTF",
        "Bureau of Indian",
        "Indian Institute of Science",
        "Foreman Training",
        "Toolroom",
    ],
    "korea-chaebol-networks": ["Sungruckhoe", "GISVAN", "Hyup", "Fair Deal"],
}


@pytest.mark.parametrize("slug", SLUGS)
def test_every_named_institution_is_in_the_library(slug):
    stored = Institution.objects.filter(case__slug=slug)
    for name in NAMED_INSTITUTIONS[slug]:
        assert stored.filter(Q(acronym__icontains=name) | Q(name__icontains=name)).exists(), name


NAMED_FIRMS = {
    "leon-guadalajara": ["Calzado Canada"],
    "tiruppur": ["C & A", "French Connection"],
    "bangalore": [
        "IBM",
        "Philips",
        "Motorola",
        "Hewlett Packard",
        "Siemens",
        "3M",
        "Texas Instruments",
        "Novell",
        "British Aerospace",
        "Bharat Electronics",
        "Hindustan Machine Tools",
        "Indian Telephone Industries",
        "Hindustan Aeronautics",
        "WIPRO",
    ],
    "korea-chaebol-networks": ["Hyundae", "Samsung", "Daewoo", "Gold Star Audio"],
}


@pytest.mark.parametrize("slug", list(NAMED_FIRMS))
def test_every_named_firm_and_buyer_is_in_the_library(slug):
    stored = Firm.objects.filter(case__slug=slug)
    for name in NAMED_FIRMS[slug]:
        assert stored.filter(name__icontains=name).exists(), name


def test_national_and_world_context_figures_are_marked_as_such():
    brazil_share = Figure.objects.get(case__slug="sinos-valley", value=Decimal("12.3"))
    assert brazil_share.scope in {"national", "world"}
    korea_sme = Figure.objects.get(case__slug="korea-chaebol-networks", value=Decimal("47.6"))
    assert korea_sme.scope == "national"


def test_tiruppur_export_share_is_a_time_series():
    points = Figure.objects.filter(
        case__slug="tiruppur", value__in=[Decimal("16.1"), Decimal("40.9")]
    )
    assert sorted(p.year for p in points) == [1986, 1992]
    assert len({p.series for p in points}) == 1 and points[0].series


# Who puts work out to whom: a higher tier gives work to the same or a lower tier.
TIER = {
    "tnc": 4,
    "lead_firm": 3,
    "producer": 2,
    "export_agent": 2,
    "buyer": 2,
    "service": 2,
    "stage_unit": 1,
    "oem": 1,
    "overseas_branch": 1,
    "supplier": 1,
    "machinery": 1,
    "homeworker": 0,
}


def test_contracting_ties_run_from_the_firm_that_puts_work_out():
    reversed_ties = [
        f"{link.case.slug}/{link.key}: {link.from_group.role} -> {link.to_group.role}"
        for link in Linkage.objects.filter(
            nature__in=CONTRACTING, from_group__isnull=False, to_group__isnull=False
        ).select_related("case", "from_group", "to_group")
        if TIER[link.from_group.role] < TIER[link.to_group.role]
    ]
    assert reversed_ties == []
